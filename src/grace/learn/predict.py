"""Predictions of the active local models as explainable triage factors, never verdicts.

A factor says which model (name and version), which class, how probable, and whether that
is above the threshold the agency chose, e.g. ``media-category head: 0.82 for category
'projectvic-us:1' (model media_category v3; agency threshold 0.61: above)``. Its
``contribution`` is 0 points: how much a model's opinion should move a referral's priority
is triage's decision (its weights YAML), not the model's. For the logistic referral model
the factor also names the inputs that pushed the prediction most (coefficient x
standardised value, in log-odds), so an analyst can see why.

``Predictor`` loads a version once (digest-checked) so that triage can score a whole queue
with it; ``predict_referral`` / ``predict_media`` are the one-shot forms the CLI uses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from grace.learn import data
from grace.learn.head import Head
from grace.learn.registry import load_version
from grace.learn.thresholds import threshold_for
from grace.model.intel import Factor
from grace.workspace import Workspace

TOP_INPUTS = 3
TITLES = {"media_category": "media-category head", "referral_priority": "referral-priority model"}


@dataclass
class Prediction:
    """One subject's calibrated probabilities and the factors they become."""

    task: str
    version: int
    subject: str
    probabilities: dict[str, float]
    top: str
    flagged: list[str]
    agency: str | None
    factors: list[Factor] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["factors"] = [f.model_dump(mode="json") for f in self.factors]
        return out


class Predictor:
    """A loaded model version, ready to turn feature rows into predictions and factors."""

    def __init__(self, head: Head, info: dict[str, Any]) -> None:
        self.head = head
        self.info = info
        self.task = str(info.get("task") or info["name"])
        self.version = int(info["version"])

    @classmethod
    def load(cls, workspace: Workspace, task: str, version: int | None = None) -> Predictor:
        arrays, info = load_version(workspace, task, version)
        return cls(Head.from_registry(arrays, info), info)

    def predict(self, subject: str, x: np.ndarray, agency: str | None = None) -> Prediction:
        """Probabilities for one feature row, the classes above the agency's thresholds."""
        row = np.asarray(x, dtype=np.float64).reshape(1, -1)
        return self.from_proba(subject, self.head.predict_proba(row)[0], agency, row[0])

    def from_proba(
        self,
        subject: str,
        proba: np.ndarray,
        agency: str | None = None,
        x: np.ndarray | None = None,
        scope: str = "",
    ) -> Prediction:
        """A prediction (and its factors) from probabilities already computed, e.g. the
        highest per class over a referral's media items (``scope`` says so)."""
        probabilities = {
            c: round(float(p), 4) for c, p in zip(self.head.classes, proba, strict=True)
        }
        top = self.head.classes[int(np.argmax(proba))]
        flagged = []
        for cls, p in zip(self.head.classes, proba, strict=True):
            cut = threshold_for(self.info.get("thresholds") or {}, agency, cls)
            if cut is not None and p >= cut:
                flagged.append(cls)
        prediction = Prediction(
            self.task, self.version, subject, probabilities, top, flagged, agency
        )
        prediction.factors = self._factors(prediction, x, scope)
        return prediction

    def _factors(self, prediction: Prediction, x: np.ndarray | None, scope: str) -> list[Factor]:
        """The top class always; every other class the agency's threshold flags."""
        shown = [prediction.top, *[c for c in prediction.flagged if c != prediction.top]]
        title = TITLES.get(self.task, f"{self.task} model")
        out = []
        for cls in shown:
            p = prediction.probabilities[cls]
            cut = threshold_for(self.info.get("thresholds") or {}, prediction.agency, cls)
            where = (
                "no agency threshold"
                if cut is None
                else (
                    f"agency threshold {cut:.2f}: "
                    f"{'above' if cls in prediction.flagged else 'below'}"
                )
            )
            why = self._inputs(cls, x) if x is not None else ""
            out.append(
                Factor(
                    name=f"model:{self.task}:{cls}",
                    value=p,
                    contribution=0.0,
                    explanation=f"{title}: {p:.2f} for {_noun(self.task)} {cls!r}{scope} "
                    f"(model {self.task} v{self.version}; {where})" + (f"; {why}" if why else ""),
                )
            )
        return out

    def _inputs(self, cls: str, x: np.ndarray) -> str:
        """The named inputs that pushed towards ``cls`` most (logistic heads only)."""
        if len(self.head.layers) != 1 or not self.head.features:
            return ""
        w, _ = self.head.layers[0]
        z = (x - self.head.mean) / self.head.scale
        k = self.head.classes.index(cls)
        if w.shape[0] == 1:
            push = w[0] * z * (1.0 if k == 1 else -1.0)
        else:
            push = (w[k] - w.mean(axis=0)) * z
        order = np.argsort(-push)[:TOP_INPUTS]
        named = [f"{self.head.features[j]} {push[j]:+.2f}" for j in order if push[j] > 0.01]
        return "pushed by " + ", ".join(named) if named else ""


def _noun(task: str) -> str:
    return "category" if task == "media_category" else "label"


def predict_referral(
    workspace: Workspace,
    referral_id: int,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Prediction:
    """The referral-priority model's view of one referral."""
    predictor = Predictor.load(workspace, "referral_priority", version)
    with workspace.sessions() as session:
        rows = data.referral_vectors(session, now or datetime.now(UTC), [referral_id])
    if referral_id not in rows:
        raise ValueError(f"no referral with id {referral_id}")
    features, agency = rows[referral_id]
    return predictor.predict(str(referral_id), np.array(features), agency)


def predict_media(
    workspace: Workspace,
    sha256: str,
    *,
    version: int | None = None,
    agency: str | None = None,
    embeddings: data.Embeddings | None = None,
) -> Prediction:
    """The media-category head's view of one media item (needs its stored embedding)."""
    predictor = Predictor.load(workspace, "media_category", version)
    with workspace.sessions() as session:
        ids, matrix = (embeddings or data.image_embeddings)(session)
    if sha256 not in ids:
        raise ValueError(
            f"no image embedding for media {sha256[:16]}: run `grace signals run` first"
        )
    return predictor.predict(sha256, matrix[ids.index(sha256)], agency)
