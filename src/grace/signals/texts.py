"""The free text of a referral that the text models read: chat content, notes, bios.

The same fields the identifier scanner reads as prose (``grace.intel.identifiers``):
incident content (chat excerpts, messages), every ``additional_info`` note, and profile
bios; names, e-mails and raw provider fields are identifiers, not language, and are left
out. Pieces keep document order and duplicates are dropped.
"""

from __future__ import annotations

from grace.model import Referral

MAX_PIECES = 32
MAX_CHARS = 20_000


def text_pieces(referral: Referral) -> list[str]:
    """Distinct non-empty prose pieces, in document order, bounded in number and size."""
    pieces: list[str | None] = [*referral.additional_info]
    for incident in referral.incidents:
        pieces += [incident.content, *incident.additional_info]
    for party in referral.parties:
        pieces += [party.profile_bio, *party.additional_info]
    for file in referral.files:
        pieces += file.additional_info
    seen: dict[str, None] = {}
    total = 0
    for piece in pieces:
        text = " ".join((piece or "").split())
        if text and text not in seen and total < MAX_CHARS:
            seen[text[: MAX_CHARS - total]] = None
            total += len(text)
    return list(seen)[:MAX_PIECES]
