"""The hook triage calls: the active local models' factors for each referral of a run.

Loaded once per triage run (``LearnedFactors.load``): the active ``referral_priority`` and
``media_category`` versions (each digest-checked) and, for the media head, its probabilities
for every stored image embedding, computed in one batch so that a queue of many referrals
costs one matrix product, not one model call per item. A task without an active version is
simply absent: triage without local models is triage as before. ``versions()`` names what
was used, for the run's recorded version string, so a past ranking can be reproduced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from grace.learn import data
from grace.learn.params_file import RegistryError
from grace.learn.predict import Predictor
from grace.model.intel import Factor
from grace.store.tables import ReferralFile
from grace.triage.base import TriageInput
from grace.triage.features import facts, vector
from grace.triage.rules import RulesV1
from grace.workspace import Workspace

BATCH = 4096


@dataclass
class LearnedFactors:
    """Active local models and the media head's per-item probabilities (see module doc)."""

    referral: Predictor | None = None
    media: Predictor | None = None
    media_proba: dict[str, np.ndarray] = field(default_factory=dict)
    media_of: dict[int, list[str]] = field(default_factory=dict)
    rules: RulesV1 = field(default_factory=RulesV1)

    @classmethod
    def load(
        cls, workspace: Workspace, embeddings: data.Embeddings | None = None
    ) -> LearnedFactors:
        out = cls(referral=_active(workspace, "referral_priority"))
        out.media = _active(workspace, "media_category")
        if out.media is None:
            return out
        with workspace.sessions() as session:
            ids, matrix = (embeddings or data.image_embeddings)(session)
            media_of: dict[int, list[str]] = defaultdict(list)
            for referral_id, sha in session.execute(
                select(ReferralFile.referral_id, ReferralFile.sha256).where(
                    ReferralFile.sha256.is_not(None)
                )
            ):
                media_of[referral_id].append(str(sha))
        out.media_of = dict(media_of)
        if len(ids) and matrix.shape[1] == out.media.head.mean.shape[0]:
            for start in range(0, len(ids), BATCH):
                proba = out.media.head.predict_proba(matrix[start : start + BATCH])
                out.media_proba.update(zip(ids[start : start + BATCH], proba, strict=True))
        return out

    def versions(self) -> dict[str, int]:
        """Task -> version used, for the triage run's record."""
        used = {"referral_priority": self.referral, "media_category": self.media}
        return {task: p.version for task, p in used.items() if p is not None}

    def factors(self, item: TriageInput, rules_score: float | None = None) -> list[Factor]:
        """Factors (0 points each: triage decides their weight) for one referral."""
        out: list[Factor] = []
        if self.referral is not None:
            f = facts(item)
            score = self.rules.score_facts(f).score if rules_score is None else rules_score
            x = np.array(vector(f, score), dtype=np.float64)
            out += self.referral.predict(str(item.referral_id), x, item.agency).factors
        if self.media is not None and item.referral_id is not None:
            shas = set(self.media_of.get(item.referral_id, []))
            rows = [self.media_proba[s] for s in sorted(shas) if s in self.media_proba]
            if rows:
                best = np.max(np.vstack(rows), axis=0)
                scope = f", highest of {len(rows)} item{'s' if len(rows) > 1 else ''}"
                subject = str(item.referral_id)
                out += self.media.from_proba(subject, best, item.agency, None, scope).factors
        return out


def _active(workspace: Workspace, task: str) -> Predictor | None:
    try:
        return Predictor.load(workspace, task)
    except RegistryError as exc:
        if "no active version" in str(exc):
            return None
        raise  # a tampered or unreadable model must stop the run, not be skipped quietly
