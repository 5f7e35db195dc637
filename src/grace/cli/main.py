"""Entry point of the ``grace`` console script."""

from __future__ import annotations

import os
import sys

import typer

from grace.cli import (
    demo_cmd,
    export_cmd,
    fl_cmd,
    hash_cmd,
    hashset_cmd,
    ingest_cmd,
    init_cmd,
    intel_cmd,
    learn_cmd,
    match_cmd,
    media_cmd,
    referrals_cmd,
    serve_cmd,
    signals_cmd,
    triage_cmd,
    users_cmd,
    verify_cmds,
)

# Police networks are closed: no dependency may phone home from a grace process.
for _var, _value in {
    "HF_HUB_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "FLWR_TELEMETRY_ENABLED": "0",
    "FLWR_DISABLE_UPDATE_CHECK": "1",
}.items():
    os.environ.setdefault(_var, _value)

app = typer.Typer(
    name="grace",
    help="grace: take in CyberTipline referrals, keep the evidence safe, and triage them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(init_cmd.init)
app.command("ingest")(ingest_cmd.ingest)
app.command("demo")(demo_cmd.demo)
app.command("serve")(serve_cmd.serve)
app.command("hash")(hash_cmd.hash_files)
app.command("match")(match_cmd.match)
app.add_typer(media_cmd.app, name="media")
app.command("route")(intel_cmd.route)
app.command("links")(intel_cmd.links)
app.add_typer(intel_cmd.subjects_app, name="subjects")
app.command("stats")(intel_cmd.stats)
app.command("triage")(triage_cmd.triage)
app.command("queue")(triage_cmd.queue)
app.command("decide")(triage_cmd.decide)
app.add_typer(referrals_cmd.app, name="referrals")
app.add_typer(verify_cmds.vault_app, name="vault")
app.add_typer(verify_cmds.audit_app, name="audit")
app.add_typer(hashset_cmd.app, name="hashset")
app.add_typer(learn_cmd.app, name="learn")
app.add_typer(users_cmd.app, name="users")
app.add_typer(export_cmd.app, name="export")
app.add_typer(fl_cmd.app, name="fl")
app.add_typer(signals_cmd.app, name="signals")


def run() -> None:
    """Console-script entry: an unexpected failure is one line, not a traceback.

    Set GRACE_DEBUG=1 to see the traceback (never in shared logs: it may hold referral data).
    """
    try:
        app()
    except Exception as exc:
        if os.environ.get("GRACE_DEBUG") == "1":
            raise
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        sys.stderr.write(f"error: {type(exc).__name__}: {message}\n")
        sys.exit(2)


if __name__ == "__main__":
    run()
