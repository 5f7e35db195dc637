"""Encrypted, verifiable backups of a whole workspace: database, vault and keys."""
