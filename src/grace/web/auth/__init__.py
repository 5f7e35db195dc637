"""Who is asking, and what they may see: principals, roles, CSRF, agency scoping, audit.

Every router of the desk builds on these names (see ``/tmp`` design notes of issue 5):
``current_principal`` and ``require_roles`` as dependencies, ``referral_scope`` /
``referral_in_scope`` / ``media_in_scope`` for agency scoping (out of scope reads as
missing: 404, never 403), ``record_view`` for every audited view, reveal or export.
"""

from __future__ import annotations

from grace.web.auth.principal import (
    LoginRequired,
    Principal,
    csrf_token,
    current_principal,
    require_roles,
)
from grace.web.auth.scope import media_in_scope, record_view, referral_in_scope, referral_scope

__all__ = [
    "LoginRequired",
    "Principal",
    "csrf_token",
    "current_principal",
    "media_in_scope",
    "record_view",
    "referral_in_scope",
    "referral_scope",
    "require_roles",
]
