"""Referral intake: safe input reading, one ingestor per format, assembly and persistence."""
