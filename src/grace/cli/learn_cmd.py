"""``grace learn``: train, evaluate and manage the local models (versions, rollback)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table

from grace.cli.common import (
    HomeOption,
    JsonOption,
    actor,
    console,
    fail,
    open_workspace,
    print_json,
)
from grace.learn import registry
from grace.learn.predict import predict_media, predict_referral
from grace.learn.thresholds import load_policy
from grace.learn.train import STEPS, TASKS, evaluate_version, train

app = typer.Typer(
    help="Local models: media-category heads, the referral-priority model and learned_v1.",
    no_args_is_help=True,
)
MODELS = (*TASKS, "learned_v1")
TaskArg = Annotated[str, typer.Argument(help=f"Model: {', '.join(MODELS)}.", show_default=False)]
VersionArg = Annotated[int, typer.Argument(help="Version number (see grace learn models).")]
ERRORS = (registry.RegistryError, ValueError, OSError)


@app.command("train")
def train_cmd(
    task: TaskArg,
    model: Annotated[str, typer.Option(help="Head: logistic or mlp.")] = "logistic",
    thresholds: Annotated[
        Path | None,
        typer.Option(help="YAML of per-agency threshold targets (or GRACE_LEARN_THRESHOLDS)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the split and the fit.")] = 0,
    activate: Annotated[
        bool, typer.Option("--activate/--no-activate", help="Put the new version in use.")
    ] = True,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train a new version from this workspace's labels, measure it on a held-out quarter."""
    if model not in ("logistic", "mlp"):
        fail("--model must be logistic or mlp")
    if task == "learned_v1":
        _train_learned_v1(activate, home, as_json)
        return
    with open_workspace(home) as workspace:
        try:
            policy = load_policy(thresholds)
            with Progress(console=console, transient=True, disable=as_json) as bar:
                job = bar.add_task(f"training {task}", total=len(STEPS))

                def step(what: str) -> None:
                    bar.update(job, description=f"{task}: {what}", advance=1)

                result = train(
                    workspace,
                    task,
                    kind="mlp" if model == "mlp" else "logistic",
                    policy=policy,
                    seed=seed,
                    activate=activate,
                    actor=actor(),
                    now=datetime.now(UTC),
                    step=step,
                )
        except ERRORS as exc:
            fail(str(exc))
    if as_json:
        print_json(result.to_dict())
        return
    m = result.metrics
    console.print(
        f"{task} v{result.version} ({'active' if result.activated else 'candidate'}): "
        f"{result.training['rows']} labelled rows, held-out accuracy {_num(m['accuracy'])}, "
        f"AUC {_num(m['auc'])}, calibration error {_num(m['ece'])}"
    )


def _train_learned_v1(activate: bool, home: Path | None, as_json: bool) -> None:
    """learned_v1 (triage's scorer) from every decision and returned outcome, registered
    like the heads (imported here: it fits boosted trees with scikit-learn)."""
    from grace.learn import triage_model

    with open_workspace(home) as workspace:
        try:
            done = triage_model.train(
                workspace, datetime.now(UTC), actor(), activate=activate, force=True
            )
        except ERRORS as exc:
            fail(f"learned_v1: {exc}")
    if done is None:  # only without force; kept for the type checker
        fail("learned_v1: nothing to train on")
    if as_json:
        print_json(done)
        return
    t = done["training"]
    console.print(
        f"learned_v1 v{done['version']} ({'active' if activate else 'candidate'}): "
        f"{t['examples']} labelled referrals; labels {t['labels']}; sources {t['sources']}",
        highlight=False,
    )


def _not_for_learned_v1(task: str) -> None:
    if task == "learned_v1":
        fail("learned_v1 is triage's scorer: see grace triage --scorer learned_v1 (and --json)")


@app.command("evaluate")
def evaluate_cmd(
    task: TaskArg,
    version: Annotated[int | None, typer.Option(help="Version (default: the active one).")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Held-out metrics of a version: accuracy, AUC, calibration error, per class."""
    _not_for_learned_v1(task)
    with open_workspace(home) as workspace:
        try:
            result = evaluate_version(workspace, task, version)
        except ERRORS as exc:
            fail(str(exc))
    if as_json:
        print_json(result)
        return
    m = result["metrics"]
    console.print(
        f"{task} v{result['version']} on {m['n']} rows ({result['evaluated_on']}): accuracy "
        f"{_num(m['accuracy'])}, AUC {_num(m['auc'])}, calibration error {_num(m['ece'])}"
    )
    table = Table("class", "precision", "recall", "f1", "support")
    for cls, row in m["per_class"].items():
        table.add_row(
            cls, _num(row["precision"]), _num(row["recall"]), _num(row["f1"]), str(row["support"])
        )
    console.print(table)


@app.command("predict")
def predict_cmd(
    task: TaskArg,
    referral: Annotated[int | None, typer.Option(help="Referral id (referral_priority).")] = None,
    media: Annotated[str | None, typer.Option(help="Media SHA-256 (media_category).")] = None,
    version: Annotated[int | None, typer.Option(help="Version (default: the active one).")] = None,
    agency: Annotated[str | None, typer.Option(help="Agency whose thresholds apply.")] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """A model's calibrated view of one referral or media item, as triage factors."""
    _not_for_learned_v1(task)
    if task == "referral_priority" and referral is None:
        fail("referral_priority needs --referral ID")
    if task == "media_category" and not media:
        fail("media_category needs --media SHA256")
    if task not in TASKS:
        fail(f"unknown task {task!r}: use one of {', '.join(TASKS)}")
    with open_workspace(home) as workspace:
        try:
            if task == "referral_priority":
                result = predict_referral(workspace, int(referral or 0), version=version)
            else:
                result = predict_media(workspace, str(media), version=version, agency=agency)
        except ERRORS as exc:
            fail(str(exc))
    if as_json:
        print_json(result.to_dict())
        return
    for factor in result.factors:
        console.print(factor.explanation, highlight=False)


@app.command("models")
def models_cmd(
    task: Annotated[str | None, typer.Argument(help="Only this model.", show_default=False)] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every registered version: origin, status, training data, metrics."""
    with open_workspace(home) as workspace:
        versions = registry.list_versions(workspace, task)
    if as_json:
        print_json([_brief(v) for v in versions])
        return
    table = Table("model", "version", "status", "origin", "rows", "accuracy", "ECE", "created")
    for v in versions:
        table.add_row(
            v.name,
            str(v.version),
            v.status,
            v.origin,
            str(v.training.get("rows", v.training.get("examples", ""))),
            _num(v.metrics.get("accuracy")),
            _num(v.metrics.get("ece")),
            v.created_at[:19],
        )
    console.print(table)


@app.command("activate")
def activate_cmd(task: TaskArg, version: VersionArg, home: HomeOption = None) -> None:
    """Put a version in use (audited); the one it replaces is retired."""
    with open_workspace(home) as workspace:
        try:
            registry.activate(workspace, task, version, actor())
        except ERRORS as exc:
            fail(str(exc))
    console.print(f"{task} v{version} is active")


@app.command("rollback")
def rollback_cmd(task: TaskArg, home: HomeOption = None) -> None:
    """Go back to the version in use before the active one (audited)."""
    with open_workspace(home) as workspace:
        try:
            version = registry.rollback(workspace, task, actor())
        except ERRORS as exc:
            fail(str(exc))
    console.print(f"{task} rolled back: v{version} is active")


@app.command("decline")
def decline_cmd(
    task: TaskArg,
    version: VersionArg,
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")] = "",
    home: HomeOption = None,
) -> None:
    """Refuse a version, e.g. a federated model this agency does not accept (audited)."""
    with open_workspace(home) as workspace:
        try:
            active = registry.decline(workspace, task, version, actor(), reason)
        except ERRORS as exc:
            fail(str(exc))
    now = f"v{active} is active" if active is not None else "no version is active"
    console.print(f"{task} v{version} declined; {now}")


def _brief(v: registry.VersionInfo) -> dict[str, Any]:
    """A version for ``--json`` listings, without the held-out ids, learned_v1's examples and
    trees' description (they can be long; ``training`` keeps their counts)."""
    out = v.to_dict()
    long = ("held_out", "features", "examples", "model")
    out["meta"] = {k: val for k, val in v.meta.items() if k not in long}
    return out


def _num(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "-"
