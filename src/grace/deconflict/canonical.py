"""Which identifiers are strong enough to deconflict on, and their one spelling for the OPRF.

grace.intel already normalises each kind (lower-cased e-mail, E.164 phone, ``esp/user-id``,
NFKC-casefolded screen names scoped to their ESP, IBANs compacted, wallets in canonical
case, device ids typed). Deconfliction adds only what must hold *across* agencies that never
compare notes: a mailbox's spelling at providers that ignore dots or ``+tags`` (Gmail reads
``J.Doe+x@gmail.com`` as ``jdoe@gmail.com``) is folded so that two agencies' copies of the
same mailbox give the same token. Weak or shared identifiers (IP addresses, URLs, display
names) are left out: a match on them says nothing about a common subject.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from grace.model.intel import Identifier

DOMAIN_SEPARATOR = b"grace-deconflict/v1"
# Kinds as they travel (names, not values, are what an alert reveals).
LABELS = {
    "email": "an e-mail address",
    "phone": "a phone number",
    "esp_user_id": "an ESP user id",
    "screen_name": "a screen name on the same ESP",
    "crypto_wallet": "a wallet address",
    "iban": "an IBAN",
    "device_id": "a device id",
    "media_sha256": "an exact media digest",
}
KINDS = frozenset(LABELS)
# Providers that deliver mail for ``a.b+tag@`` to ``ab@`` (documented provider behaviour).
_DOTLESS = frozenset({"gmail.com", "googlemail.com"})
_PLUS_TAGS = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "proton.me",
     "protonmail.com", "icloud.com", "me.com", "fastmail.com", "yahoo.com"}
)  # fmt: skip


def mailbox(address: str) -> str:
    """The mailbox an intel-normalised address delivers to (dots and +tags folded)."""
    local, _, domain = address.rpartition("@")
    if domain in _PLUS_TAGS:
        local = local.partition("+")[0] or local
    if domain in _DOTLESS:
        local = local.replace(".", "") or local
        domain = "gmail.com"
    return f"{local}@{domain}"


def strong(identifier: Identifier) -> tuple[str, str] | None:
    """(kind, value) to deconflict on, or None for a weak identifier."""
    kind, value = identifier.kind, identifier.value
    if kind == "email":
        return "email", mailbox(value)
    if kind == "payment":
        service = identifier.attributes.get("service")
        return ("iban", value) if service == "iban" else None
    if kind in ("phone", "esp_user_id", "crypto_wallet", "device_id"):
        return kind, value
    if kind == "screen_name":
        return kind, f"{identifier.attributes.get('esp', 'unknown-esp')}/{value}"
    return None


def strong_set(identifiers: Iterable[Identifier]) -> set[tuple[str, str]]:
    """The distinct strong (kind, value) pairs of one referral."""
    found = (strong(identifier) for identifier in identifiers)
    return {item for item in found if item is not None}


def oprf_input(kind: str, value: str) -> bytes:
    """The bytes the node blinds: domain separator, kind and value, NUL-separated.

    The kind is inside the input so that an e-mail and a screen name spelled alike never
    share a token, and the separator keeps grace tokens apart from any other OPRF use.
    """
    return b"\x00".join((DOMAIN_SEPARATOR, kind.encode(), value.encode("utf-8")))


def media_items(digests: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Exact SHA-256 digests of media the node saw first (status ``new``)."""
    for digest in digests:
        yield "media_sha256", digest.lower()
