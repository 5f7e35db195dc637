"""grace: referral intake, evidence vault and triage for child-protection units."""

__version__ = "0.1.0"
