"""Federated learning: agencies improve shared models without sharing data (issue 6)."""
