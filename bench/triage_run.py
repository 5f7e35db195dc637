"""One bench stream through grace: generated, ingested, analysed, read as scorer facts.

Shared by ``bench/triage.py`` (evaluation) and ``bench/triage_tune.py`` (tuning). Each
generator under ``bench/streams`` emits referral documents in a format grace ingests
(grace JSON, NCMEC law-enforcement JSON); they are parsed by grace's own ingestors,
stored in a temporary SQLite workspace with the media status counts the matching stage
would record (no pixels), and grace's intelligence stage extracts identifiers, routes,
links and clusters subjects, so links and recidivism are what grace finds.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import select, update

from grace.ingest import persist
from grace.ingest.assemble import Unit
from grace.ingest.registry import choose
from grace.intel.service import IntelProcessor
from grace.model import Referral as ReferralModel
from grace.store.tables import Referral
from grace.triage.base import TriageInput
from grace.triage.features import Facts, facts
from grace.triage.inputs import triage_inputs
from grace.workspace import Workspace

sys.path.insert(0, str(Path(__file__).parent / "streams"))
GENERATORS = ("grace_demo", "ncmec_le", "multilingual", "eu_direct", "unit_cases")
CHUNK = 2000


def generator(name: str) -> ModuleType:
    return importlib.import_module(name)


@dataclass
class Analysed:
    """A stream after grace's intelligence stage, keyed by workspace id (arrival order)."""

    name: str
    items: dict[int, TriageInput]
    facts: dict[int, Facts]
    urgent: dict[int, bool]
    countries: dict[int, str | None]
    routing: dict[int, dict[str, object] | None]
    stories: dict[int, str]  # the hidden situation, for diagnostics only


def parse(document: bytes, member: str) -> ReferralModel:
    ingestor = choose(member, document[:4096])
    if ingestor is None:
        raise ValueError(f"{member}: no ingestor recognises this document")
    model = ingestor.parse(document, member)
    if not isinstance(model, ReferralModel):
        raise ValueError(f"{member}: not a referral document")
    for file in model.files:
        file.name = None  # described, no bytes: nothing to pair with
    return model


def load(workspace: Workspace, name: str, referrals: int, seed: int) -> tuple[Any, dict[int, int]]:
    """Store every generated referral with its media counts: the stream, and workspace id ->
    stream index."""
    stream = generator(name).generate(referrals, seed)
    for start in range(0, len(stream.items), CHUNK):
        batch, chunk = [], stream.items[start : start + CHUNK]
        for i, item in enumerate(chunk, start):
            model = parse(item.document, item.member)
            batch.append(
                persist.prepare(Unit(model, f"bench:{i}", item.member, item.document), "b")
            )
        persist.write_blobs(workspace.vault, batch)
        with workspace.sessions.begin() as session:
            persist.record(session, batch)
            for prepared, item in zip(batch, chunk, strict=True):
                # a document that states no receipt time (a provider's own XML) was
                # received when its world delivered it, as grace stamps arrival; a stream
                # that does not say when is received at its reference time
                arrival = item.received or stream.reference
                received = {} if prepared.unit.referral.received_at else {"received_at": arrival}
                session.execute(
                    update(Referral)
                    .where(Referral.id == prepared.id)
                    .values(media_counts=item.media, **received)
                )
    with workspace.sessions() as session:
        rows = session.execute(select(Referral.id, Referral.source)).all()
    return stream, {ident: int(source.split(":")[1]) for ident, source in rows}


def analysed(root: Path, name: str, referrals: int, seed: int) -> Analysed:
    """Generate, ingest and analyse one stream in a workspace under ``root``."""
    workspace = Workspace.init(root / "home")
    try:
        stream, index = load(workspace, name, referrals, seed)
        IntelProcessor(workspace, "bench").run()
        with workspace.sessions() as session:
            items = {it.referral_id or 0: it for it in triage_inputs(session, stream.reference)}
            routing = dict(session.execute(select(Referral.id, Referral.routing)).all())
    finally:
        workspace.close()
    truth = {i: stream.items[index[i]] for i in items}
    return Analysed(
        name=name,
        items=items,
        facts={i: facts(it) for i, it in items.items()},
        urgent={i: t.urgent for i, t in truth.items()},
        countries={i: t.country for i, t in truth.items()},
        routing=routing,
        stories={i: t.story for i, t in truth.items()},
    )
