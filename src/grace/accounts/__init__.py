"""Local accounts of the analyst desk: users, argon2 passwords, API tokens, web sessions,
sign-in rate limiting. Used by the web app (``grace.web.auth``) and ``grace users``."""

from __future__ import annotations

from grace.accounts.agencies import ROLES, AccountError

__all__ = ["ROLES", "AccountError"]
