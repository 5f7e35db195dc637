"""Analyst-desk services behind the web pages: safe media renditions, the media wall,
exposure counting. Kept apart from ``grace.web`` so that they are testable without HTTP."""
