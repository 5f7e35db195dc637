"""Turn one bundle's members into referrals with their files, before anything is stored.

Conventions (documented in docs/ingest.md): a bundle is a zip or a folder; within it,
each directory is a scope. A referral document (ESP XML ``report``, NCMEC JSON, grace
JSON) owns the ``fileDetails`` documents and media of its scope. Media are found by the
name the referral gives (``FileRef.name``), else by ``fileId`` (any extension), else by
the basename of the original file name. Bytes that no document describes are still
evidence: a lone referral in a scope adopts them, with a warning.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass, field

from grace.ingest.base import FileDetails, IngestError
from grace.ingest.inputs import Bundle, InputProblem, Member
from grace.ingest.registry import choose
from grace.model import FileRef, Referral

SNIFF_BYTES = 4096


@dataclass
class Unit:
    """One referral ready to store: the model, its document bytes and its media bytes."""

    referral: Referral
    source: str
    document_name: str
    document: bytes
    extra_documents: list[tuple[str, bytes]] = field(default_factory=list)
    media: dict[int, tuple[str, bytes]] = field(default_factory=dict)  # file index -> member


@dataclass
class _Scope:
    referrals: list[tuple[str, bytes, Referral]] = field(default_factory=list)
    details: list[tuple[str, bytes, FileDetails]] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)


def assemble(bundle: Bundle) -> tuple[list[Unit], list[InputProblem]]:
    """Parse every document of the bundle and pair referrals with their files."""
    problems = list(bundle.problems)
    scopes: dict[str, _Scope] = defaultdict(_Scope)
    for name in sorted(bundle.members):
        _classify(bundle, bundle.members[name], scopes, problems)
    units: list[Unit] = []
    for directory, scope in sorted(scopes.items()):
        units.extend(_pair(bundle.source, directory, scope, problems))
    return units, problems


def _classify(
    bundle: Bundle, member: Member, scopes: dict[str, _Scope], problems: list[InputProblem]
) -> None:
    where = f"{bundle.source}!{member.name}" if len(bundle.members) > 1 else bundle.source
    try:
        data = member.read()
    except (OSError, ValueError) as exc:
        problems.append(InputProblem(where, f"cannot read: {_one_line(exc)}"))
        return
    scope = scopes[posixpath.dirname(member.name)]
    ingestor = choose(member.name, data[:SNIFF_BYTES])
    if ingestor is None:
        scope.media[member.name] = data
        return
    try:
        parsed = ingestor.parse(data, where)
    except IngestError as exc:
        problems.append(InputProblem(where, _one_line(exc), data))
        return
    if isinstance(parsed, FileDetails):
        scope.details.append((member.name, data, parsed))
    else:
        scope.referrals.append((member.name, data, parsed))


def _pair(source: str, directory: str, scope: _Scope, problems: list[InputProblem]) -> list[Unit]:
    referrals = scope.referrals
    attached, orphans = _attach_details(referrals, scope.details)
    for name, data, details in orphans:
        problems.extend(_hold_orphan(source, directory, name, data, details, scope.media))
    units = [_unit(source, name, data, ref, scope.media) for name, data, ref in referrals]
    for unit in units:
        unit.extra_documents = attached.get(id(unit.referral), [])
    claimed = {n for unit in units for n, _ in unit.media.values()}
    leftovers = sorted(set(scope.media) - claimed)
    if leftovers and len(units) == 1:
        _adopt(units[0], leftovers, scope.media)
    elif leftovers:
        for name in leftovers:
            reason = "unknown format: not a referral document, and no referral describes it"
            problems.append(
                InputProblem(_where(source, name), reason, scope.media[name][: 1 << 20])
            )
    return units


def _hold_orphan(
    source: str,
    directory: str,
    name: str,
    data: bytes,
    details: FileDetails,
    media: dict[str, bytes],
) -> list[InputProblem]:
    """Quarantine a fileDetails whose report is not in its scope, with the file it describes.

    Without its report it has no incident, reporter or subject: queued on its own it would
    be a referral nobody can act on, and a later report could not claim it. Quarantined,
    it is recorded with the reason and can be ingested again together with its report.
    """
    report = f"report {details.report_id}" if details.report_id else "a report"
    reason = (
        f"fileDetails for {report} without the report document: quarantined until it is "
        "ingested together with its report (same folder or zip)"
    )
    held = [InputProblem(_where(source, name), reason, data)]
    found = _find_media(directory, details.file, media)
    if found is not None:  # its file goes with it: no other referral should adopt it
        held.append(InputProblem(_where(source, found), reason, media.pop(found)[: 1 << 20]))
    return held


def _attach_details(
    referrals: list[tuple[str, bytes, Referral]], details: list[tuple[str, bytes, FileDetails]]
) -> tuple[dict[int, list[tuple[str, bytes]]], list[tuple[str, bytes, FileDetails]]]:
    """Give each fileDetails to its report (by report id, or the scope's only report).

    Returns the documents each report absorbed (keyed by ``id`` of the referral) and
    the fileDetails no report in the scope claims.
    """
    attached: dict[int, list[tuple[str, bytes]]] = defaultdict(list)
    orphans: list[tuple[str, bytes, FileDetails]] = []
    for name, data, detail in details:
        owner = _owner(referrals, detail.report_id)
        if owner is None:
            orphans.append((name, data, detail))
            continue
        attached[id(owner)].append((name, data))
        owner.files.append(detail.file)
        owner.warnings.extend(f"{name}: {w}" for w in detail.warnings)
        if owner.external_id is None and detail.report_id:
            owner.external_id = detail.report_id
    return attached, orphans


def _owner(referrals: list[tuple[str, bytes, Referral]], report_id: str | None) -> Referral | None:
    by_id = [r for _, _, r in referrals if report_id and r.external_id == report_id]
    if by_id:
        return by_id[0]
    return referrals[0][2] if len(referrals) == 1 else None


def _unit(source: str, name: str, data: bytes, referral: Referral, media: dict[str, bytes]) -> Unit:
    unit = Unit(referral, _where(source, name), name, data)
    directory = posixpath.dirname(name)
    for index, ref in enumerate(referral.files):
        found = _find_media(directory, ref, media)
        if found is None:
            referral.warnings.append(f"file {_label(ref)} is described but not in the bundle")
            continue
        unit.media[index] = (found, media[found])
        ref.name = posixpath.relpath(found, directory or ".")
    return unit


def _find_media(directory: str, ref: FileRef, media: dict[str, bytes]) -> str | None:
    candidates = [ref.name, ref.original_name and posixpath.basename(ref.original_name)]
    for candidate in candidates:
        if candidate and posixpath.join(directory, candidate) in media:
            return posixpath.join(directory, candidate)
    if ref.file_id:
        for name in sorted(media):
            stem = posixpath.splitext(posixpath.basename(name))[0]
            if posixpath.dirname(name) == directory and stem == ref.file_id:
                return name
    return None


def _adopt(unit: Unit, names: list[str], media: dict[str, bytes]) -> None:
    directory = posixpath.dirname(unit.document_name)
    for name in names:
        relative = posixpath.relpath(name, directory or ".")
        unit.referral.files.append(FileRef(name=relative))
        unit.media[len(unit.referral.files) - 1] = (name, media[name])
        unit.referral.warnings.append(f"file {relative} is in the bundle but not described")


def _label(ref: FileRef) -> str:
    return ref.name or ref.file_id or ref.original_name or "(unnamed)"


def _where(source: str, name: str) -> str:
    return f"{source}!{name}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
