"""Entry point of the ``grace`` console script.

Commands load lazily, so that ``grace --help`` and light commands start fast (importing
every command module pulled in scikit-learn, numba, onnxruntime, flwr and PyAV).

To add a command, add one entry to ``COMMANDS`` below, no import:

    "backup": LazyCommand("grace.cli.backup_cmd:backup", "First line of its docstring."),

- the target is ``module:attribute``: a function becomes ``grace NAME``; a ``typer.Typer``
  becomes a group ``grace NAME SUB ...`` (subcommands go on that Typer, in its module);
- the summary is what ``grace --help`` lists: the first paragraph of the function's
  docstring, or the Typer's ``help=``, word for word (a test checks they match);
- keep heavy libraries (sklearn, numba, onnxruntime, flwr, av, torch) out of module level in
  grace.cli.* and in what they import at module level: import them inside the function that
  needs them (a test checks ``import grace.cli.main`` loads none of them).
"""

from __future__ import annotations

import os
import sys

import typer

from grace.cli.lazy import LazyCommand, lazy_group

# Police networks are closed: no dependency may phone home from a grace process.
for _var, _value in {
    "HF_HUB_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
    "FLWR_TELEMETRY_ENABLED": "0",
    "FLWR_DISABLE_UPDATE_CHECK": "1",
}.items():
    os.environ.setdefault(_var, _value)

_CLI = "grace.cli"
COMMANDS: dict[str, LazyCommand] = {
    "init": LazyCommand(
        f"{_CLI}.init_cmd:init",
        "Create a workspace: folder, vault key (0600), database schema. Safe to re-run.",
    ),
    "ingest": LazyCommand(
        f"{_CLI}.ingest_cmd:ingest",
        "Ingest referrals (NCMEC ESP XML, NCMEC police JSON, grace JSON), sniffing each format.",
    ),
    "demo": LazyCommand(
        f"{_CLI}.demo_cmd:demo",
        "Generate benign synthetic referrals (all three formats), ingest them, serve the UI.",
    ),
    "serve": LazyCommand(
        f"{_CLI}.serve_cmd:serve", "Serve the analyst web UI (and /api/v1) for the workspace."
    ),
    "hash": LazyCommand(
        f"{_CLI}.hash_cmd:hash_files",
        "Print MD5, SHA-1, SHA-256, size, type, dimensions and PDQ (vPDQ for video) per file.",
    ),
    "match": LazyCommand(
        f"{_CLI}.match_cmd:match",
        "Exact (MD5/SHA-1/SHA-256) and near (PDQ with rotations and flips, vPDQ) matches.",
    ),
    "media": LazyCommand(
        f"{_CLI}.media_cmd:app", "Media items: analysis, matches, duplicate groups."
    ),
    "route": LazyCommand(
        f"{_CLI}.intel_cmd:route",
        "Country of action and agency for every referral not yet routed (then links, subjects).",
    ),
    "links": LazyCommand(
        f"{_CLI}.intel_cmd:links",
        "Referrals linked to this one: what they share, and how strong the link is.",
    ),
    "subjects": LazyCommand(
        f"{_CLI}.intel_cmd:subjects_app",
        "Subjects: referrals clustered as one person or account.",
    ),
    "stats": LazyCommand(
        f"{_CLI}.intel_cmd:stats",
        "Referrals and files by week, ESP, incident type, country and agency; media novelty; "
        "queue sizes and ages.",
    ),
    "triage": LazyCommand(
        f"{_CLI}.triage_cmd:triage",
        "Score all referrals: 0-100 and every factor's contribution, recorded as a run.",
    ),
    "queue": LazyCommand(
        f"{_CLI}.triage_cmd:queue",
        "Referrals by priority (latest triage run), each with the factors that placed it.",
    ),
    "decide": LazyCommand(
        f"{_CLI}.triage_cmd:decide",
        "Record an analyst's decision (audited); learned_v1 learns from these.",
    ),
    "referrals": LazyCommand(f"{_CLI}.referrals_cmd:app", "Referrals in the workspace."),
    "vault": LazyCommand(f"{_CLI}.verify_cmds:vault_app", "The evidence vault."),
    "audit": LazyCommand(f"{_CLI}.verify_cmds:audit_app", "The append-only audit trail."),
    "backup": LazyCommand(
        f"{_CLI}.backup_cmd:backup",
        "Write an encrypted, consistent snapshot of the database, the vault and the keys.",
    ),
    "restore": LazyCommand(
        f"{_CLI}.backup_cmd:restore",
        "Restore a backup into a new home, then verify its vault and audit trail.",
    ),
    "cluster": LazyCommand(
        f"{_CLI}.cluster_cmd:app",
        "A Dask cluster with mutual TLS: certificates, a local cluster, its status.",
    ),
    "worker": LazyCommand(
        f"{_CLI}.cluster_cmd:worker",
        "Join this machine to a cluster as a worker (Dask's own worker process, with TLS).",
    ),
    "node": LazyCommand(
        f"{_CLI}.exchange_cmd:node_app",
        "This workspace as a node: its name, agency and key fingerprint.",
    ),
    "peers": LazyCommand(
        f"{_CLI}.exchange_cmd:peers_app",
        "Peer nodes you trust: pin keys, list, revoke, remove.",
    ),
    "send": LazyCommand(
        f"{_CLI}.exchange_cmd:send",
        "Send routed referrals (or --outcomes) to peer nodes as signed packages.",
    ),
    "receive": LazyCommand(
        f"{_CLI}.exchange_cmd:receive",
        "Verify packages against their senders' pinned keys, then ingest (or quarantine).",
    ),
    "outcome": LazyCommand(
        f"{_CLI}.exchange_cmd:outcome",
        "Record what became of a referral; `grace send --outcomes` reports it to its sender.",
    ),
    "share": LazyCommand(
        f"{_CLI}.share_cmd:share_app",
        "Share banks with peers: signed versioned deltas, votes back.",
    ),
    "exchange": LazyCommand(
        f"{_CLI}.exchange_cmd:exchange_app",
        "Exchange between nodes: inbox, outbox, a referral's history.",
    ),
    "hashset": LazyCommand(
        f"{_CLI}.hashset_cmd:app",
        "Hash sets (banks): Project VIC / CAID VICS JSON, CSV, PDQ lists.",
    ),
    "learn": LazyCommand(
        f"{_CLI}.learn_cmd:app",
        "Local models: media-category heads, the referral-priority model and learned_v1.",
    ),
    "users": LazyCommand(
        f"{_CLI}.users_cmd:app",
        "Accounts of the analyst desk: add, list, disable, passwords, tokens.",
    ),
    "export": LazyCommand(
        f"{_CLI}.export_cmd:app",
        "Signed packages for receiving agencies, VICS 2.0 JSON, queue CSV.",
    ),
    "fl": LazyCommand(
        f"{_CLI}.fl_cmd:app",
        "Federated learning with Flower: certificates, keys, server, clients, runs.",
    ),
    "signals": LazyCommand(
        f"{_CLI}.signals_cmd:app",
        "Model signals: explicit-content score, faces and ages, embeddings.",
    ),
    "deconflict": LazyCommand(
        f"{_CLI}.deconflict_cmd:app",
        "Deconfliction without disclosure (OPRF tokens, alerts, overlaps).",
    ),
}

app = typer.Typer(
    name="grace",
    cls=lazy_group(COMMANDS),
    help="grace: take in CyberTipline referrals, keep the evidence safe, and triage them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _main() -> None:
    """grace: take in CyberTipline referrals, keep the evidence safe, and triage them."""


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
