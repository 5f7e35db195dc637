"""A verified referral package's referrals as ingest units (``grace.ingest.assemble.Unit``).

Each referral of the package sits under its own prefix (``r0/``, ``r1/`` ...): its grace
JSON, its media by file index and its original documents. The custody ``source`` of every
blob names the sender, the package digest and the signer, so custody reads across nodes.
A referral that is not valid grace JSON refuses the whole package: nothing is ingested.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from grace.exchange.package import PackageError
from grace.ingest.assemble import Unit
from grace.ingest.base import IngestError
from grace.ingest.grace_json import GraceJsonIngestor
from grace.model import Referral as ReferralModel

if TYPE_CHECKING:
    from grace.exchange.receive import Checked

MAX_PER_PACKAGE = 1000


def referral_units(checked: Checked, source: str) -> list[tuple[dict[str, Any], Unit]]:
    if checked.manifest["kind"] != "referral":
        raise PackageError(f"malformed package: unknown kind {checked.manifest['kind']!r}")
    listed = (checked.manifest.get("about") or {}).get("referrals")
    if not isinstance(listed, list) or not 0 < len(listed) <= MAX_PER_PACKAGE:
        raise PackageError("malformed package: about.referrals must list 1 to 1000 referrals")
    where = f"exchange:{checked.sender}:sha256:{checked.sha256}:signer:{checked.signer} ({source})"
    # members grouped by referral prefix once (``r<k>/``): not every member per referral
    by_prefix: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    for name, data in sorted(checked.members.items()):
        head, slash, inner = name.partition("/")
        if slash:
            by_prefix[head + "/"].append((inner, data))
    return [(entry, _unit(checked, entry, where, by_prefix)) for entry in listed]


def _unit(
    checked: Checked, entry: Any, where: str, by_prefix: dict[str, list[tuple[str, bytes]]]
) -> Unit:
    prefix = str(entry.get("prefix", "")) if isinstance(entry, dict) else ""
    document = checked.members.get(prefix + "referral.json")
    if document is None:
        raise PackageError(f"malformed document: the package has no {prefix}referral.json")
    try:
        parsed = GraceJsonIngestor().parse(document, prefix + "referral.json")
    except IngestError as exc:
        raise PackageError(f"malformed document: {exc}") from None
    if not isinstance(parsed, ReferralModel):
        raise PackageError("malformed document: referral.json is not a referral")
    unit = Unit(parsed, where, prefix + "referral.json", document)
    if prefix.count("/") == 1 and prefix.endswith("/"):
        mine = by_prefix.get(prefix, [])
    else:  # an unusual prefix (none, or nested): look at every member, as before
        mine = [
            (name.removeprefix(prefix), data)
            for name, data in sorted(checked.members.items())
            if name.startswith(prefix)
        ]
    for inner, data in mine:
        name = prefix + inner
        if inner.startswith("documents/"):
            unit.extra_documents.append((inner, data))
        elif inner.startswith("media/"):
            number = inner.removeprefix("media/")
            index = int(number) if number.isdigit() else -1
            if not 0 <= index < len(parsed.files):
                raise PackageError(f"malformed document: {name} matches no file of the referral")
            unit.media[index] = (parsed.files[index].name or inner, data)
    return unit
