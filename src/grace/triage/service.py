"""``grace triage``: score every referral, record the run, reproduce a past one.

A run records the scorer, its version (including the weights digest or the trained
model's digest) and the reference time used for recency; the scores and every factor are
stored per referral. Re-running with the same run's settings gives the same numbers, which
``reproduce`` checks. ``learned_v1`` trains from the analysts' decisions and returned
outcomes (registered in ``grace.learn``'s registry as arrays, no pickle, digest-checked) and
blends with the rules only once there are enough of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from grace.store.intel_tables import Decision, ModelVersion, ScoreRow, TriageRun
from grace.store.locks import hold_write_lock
from grace.store.tables import Referral
from grace.triage.base import Scorer, TriageInput
from grace.triage.blend import Blended
from grace.triage.inputs import triage_inputs
from grace.triage.learned import LearnedV1
from grace.triage.rules import RulesV1
from grace.workspace import Workspace

if TYPE_CHECKING:
    from grace.learn.triage_hook import LearnedFactors

SCORERS = ("rules_v1", "learned_v1")


@dataclass
class RunReport:
    run_id: int
    scorer: str
    version: str
    referrals: int
    decisions: int = 0


def make_scorer(
    workspace: Workspace,
    session: Session,
    name: str,
    learned_version: int | None = None,
    legacy_model_id: int | None = None,
) -> tuple[Scorer, str, int | None]:
    """The scorer, its exact version string, and the registry version of learned_v1 it used.

    learned_v1 is the active ``learned_v1`` version of ``grace.learn``'s registry (or
    ``learned_version``), digest-checked; ``legacy_model_id`` reads a model kept by an
    earlier grace in ``model_versions`` (to reproduce a run recorded then).
    """
    rules = RulesV1()
    if name == "rules_v1":
        return rules, rules.config_version, None
    if name != "learned_v1":
        raise ValueError(f"unknown scorer {name!r}: use one of {', '.join(SCORERS)}")
    learned: LearnedV1 | None = None
    examples: int | None = None
    if legacy_model_id is not None and learned_version is None:
        row = session.get(ModelVersion, legacy_model_id)
        if row is not None:
            learned = LearnedV1.from_json(json.dumps(row.parameters), rules)
            examples = row.decisions
    else:
        from grace.learn import triage_model  # grace.learn builds on triage

        found = triage_model.load(workspace, learned_version, rules)
        if found is not None:
            learned, info = found
            learned_version = int(info["version"])
            examples = int((info.get("training") or {}).get("examples", 0))
    if examples is None:
        examples = session.scalar(select(func.count(Decision.id))) or 0
    blended = Blended(rules, learned, examples)
    version = f"{rules.config_version}|{learned.model_version if learned else 'untrained'}"
    return blended, version, learned_version if learned else None


def train_learned(workspace: Workspace, now: datetime, actor: str) -> int | None:
    """Fit learned_v1 on every label (decisions and outcomes) and register it as the active
    version, unless the labels are those of the latest version; the new version or None."""
    from grace.learn import triage_model

    done = triage_model.train(workspace, now, actor)
    return int(done["version"]) if done else None


def run_triage(
    workspace: Workspace,
    scorer_name: str,
    actor: str,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Score all referrals with one scorer; record the run and update referral priorities."""
    now = now or datetime.now(UTC)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)  # before the priority updates (docs/ingest.md, concurrency)
        scorer, version, learned_version = make_scorer(workspace, session, scorer_name)
        hook = _learned_factors(workspace)
        run = TriageRun(
            scorer=scorer_name,
            version=version,
            reference_time=now,
            started_at=datetime.now(UTC),
            actor=actor,
            config={"learned_version": learned_version, "learn": hook.versions()},
        )
        session.add(run)
        session.flush()
        scores: list[dict[str, object]] = []
        for item in triage_inputs(session, now):
            result = scorer.score(item)
            explained = [*result.factors, *hook.factors(item)]
            scores.append(
                {
                    "run_id": run.id,
                    "referral_id": _referral_id(item),
                    "score": result.score,
                    "factors": [f.model_dump(mode="json") for f in explained],
                }
            )
            if progress and len(scores) % 1000 == 0:
                progress(len(scores), 0)
        _store(session, scores)
        run.referrals = len(scores)
        workspace.audit.append(
            session,
            actor=actor,
            action="triage",
            object_type="triage_run",
            object_id=str(run.id),
            details={"scorer": scorer_name, "version": version, "referrals": len(scores)},
        )
        report = RunReport(run.id, scorer_name, version, len(scores))
    workspace.audit.save_anchor()
    return report


def _learned_factors(workspace: Workspace) -> LearnedFactors:
    """The active local models' factors (0 points: they explain, the scorer weighs).

    Imported here because ``grace.learn`` builds on triage's features.
    """
    from grace.learn.triage_hook import LearnedFactors

    return LearnedFactors.load(workspace)


def _referral_id(item: TriageInput) -> int:
    if item.referral_id is None:
        raise ValueError("triage input without referral id")
    return item.referral_id


def _store(session: Session, scores: list[dict[str, object]]) -> None:
    for start in range(0, len(scores), 5000):
        session.execute(insert(ScoreRow), scores[start : start + 5000])
    table = cast(Table, Referral.__table__)
    session.execute(
        update(table).where(table.c.id == bindparam("rid")).values(priority=bindparam("p")),
        [{"rid": s["referral_id"], "p": s["score"]} for s in scores],
    )


def reproduce(workspace: Workspace, run_id: int) -> dict[str, object]:
    """Score again with a past run's scorer, version and reference time; compare exactly."""
    with workspace.sessions() as session:
        run = session.get(TriageRun, run_id)
        if run is None:
            raise ValueError(f"no triage run {run_id}")
        config = run.config or {}
        scorer, version, _ = make_scorer(
            workspace, session, run.scorer, config.get("learned_version"), config.get("model_id")
        )
        recorded = dict(
            session.execute(
                select(ScoreRow.referral_id, ScoreRow.score).where(ScoreRow.run_id == run_id)
            ).all()
        )
        now = (
            run.reference_time
            if run.reference_time.tzinfo
            else run.reference_time.replace(tzinfo=UTC)
        )
        again = {
            _referral_id(item): scorer.score(item).score
            for item in triage_inputs(session, now, sorted(recorded), run.started_at)
        }
    differing = sorted(r for r, s in recorded.items() if abs(again.get(r, -1.0) - s) > 1e-9)
    return {
        "run": run_id,
        "scorer": run.scorer,
        "recorded_version": run.version,
        "current_version": version,
        "referrals": len(recorded),
        "identical": not differing and version == run.version,
        "differing": differing[:20],
    }
