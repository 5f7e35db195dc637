"""Triage: named, versioned, explainable priority scorers and their evaluation."""
