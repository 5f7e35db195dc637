"""Append-only, hash-chained audit trail of every action on evidence."""

from grace.audit.chain import GENESIS, AuditReport, AuditTrail, audit_key

__all__ = ["GENESIS", "AuditReport", "AuditTrail", "audit_key"]
