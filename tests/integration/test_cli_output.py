"""What the CLI prints to scripts and operators: whole values when piped, clear refusals,
truthful actors, the schema notice and quarantined orphans (issue 11; real processes)."""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from builders import encoded, textured_image, write_grace_bundle

GRACE = [sys.executable, "-m", "grace.cli.main"]


def run(
    *args: str, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A real ``grace`` process whose stdout is a pipe (as in a script)."""
    environ = {**os.environ, "GRACE_HOME": str(home), **(env or {})}
    environ.pop("GRACE_DATABASE_URL", None)
    return subprocess.run([*GRACE, *args], capture_output=True, text=True, env=environ, timeout=180)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli-output")
    home = root / "home"
    assert run("init", home=home).returncode == 0
    inbox = root / "inbox"
    inbox.mkdir()
    for n in range(3):
        write_grace_bundle(inbox, n, images=1 + n)
    assert run("ingest", str(inbox), home=home).returncode == 0
    return home


def _runs(home: Path) -> int:
    with sqlite3.connect(home / "grace.db") as db:
        return int(db.execute("SELECT count(*) FROM triage_runs").fetchone()[0])


def test_piped_referrals_list_is_whole_tsv(home: Path) -> None:
    listed = json.loads(run("referrals", "list", "--json", home=home).stdout)
    lines = run("referrals", "list", home=home).stdout.splitlines()
    assert lines[0].split("\t")[:4] == ["id", "report", "format", "ESP"]
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) == len(listed) == 3
    assert all(len(row) == 11 for row in rows)
    assert {row[1] for row in rows} == {r["external_id"] for r in listed}
    assert not any("…" in line for line in lines)


def test_piped_referral_show_is_plain_json(home: Path) -> None:
    shown = run("referrals", "show", "1", home=home)
    assert shown.returncode == 0, shown.stderr
    detail = json.loads(shown.stdout)
    assert detail == json.loads(run("referrals", "show", "1", "--json", home=home).stdout)
    assert all(len(f["sha256"]) == 64 for f in detail["files"])


def test_piped_hash_keeps_every_digest_whole(tmp_path: Path, home: Path) -> None:
    image = tmp_path / "picture-with-a-rather-long-file-name-for-an-80-column-pipe.png"
    image.write_bytes(encoded(textured_image(99), "PNG"))
    out = run("hash", str(image), home=home, env={"COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    header, row = (line.split("\t") for line in out.stdout.splitlines())
    record = dict(zip(header, row, strict=True))
    data = image.read_bytes()
    assert record["sha256"] == hashlib.sha256(data).hexdigest()
    assert record["md5"] == hashlib.md5(data).hexdigest()
    assert record["file"] == str(image)
    assert len(record["PDQ (quality)"].split()[0]) == 64


def test_stats_has_the_by_week_table_without_json(home: Path) -> None:
    weeks = json.loads(run("stats", "--json", home=home).stdout)["by_week"]
    out = run("stats", home=home).stdout.splitlines()
    start = out.index("week\treferrals\tfiles")
    for offset, (week, counts) in enumerate(weeks.items(), start=1):
        assert out[start + offset] == f"{week}\t{counts['referrals']}\t{counts['files']}"


def test_queue_why_keeps_minus_signs(home: Path) -> None:
    rows = json.loads(run("queue", "--json", home=home).stdout)
    negative = [f for row in rows for f in row["factors"][:3] if f["contribution"] < 0]
    assert negative, "the fixture should give some factor a negative contribution"
    text = run("queue", home=home).stdout
    for factor in negative:
        assert f"{factor['contribution']:+.1f} {factor['explanation']}" in text
        assert f"{factor['contribution']:+.1f}".startswith("-")


def test_reproduce_prints_a_sentence_not_a_dict(home: Path) -> None:
    run_id = json.loads(run("triage", "--json", home=home).stdout)["run_id"]
    out = run("triage", "--reproduce", str(run_id), home=home)
    assert out.returncode == 0, out.stderr
    assert f"run {run_id} (rules_v1): identical" in out.stderr
    assert "{" not in out.stderr and "'identical'" not in out.stderr


def test_unknown_agency_is_refused_in_one_line(home: Path) -> None:
    out = run("queue", "--agency", "nonexistent", home=home)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "error: unknown agency 'nonexistent': no referral is routed to it"
    ]
    known = json.loads(run("queue", "--json", home=home).stdout)[0]["agency"]
    assert run("queue", "--agency", known, home=home).returncode == 0


def test_ingest_of_nothing_records_no_triage_run(home: Path) -> None:
    before = _runs(home)
    out = run("ingest", "/nonexistent", "--json", home=home)
    assert out.returncode == 1
    assert json.loads(out.stdout.splitlines()[-1])["summary"]["triage_run"] is None
    assert _runs(home) == before


def test_route_with_nothing_to_do_says_so(home: Path) -> None:
    out = run("route", home=home)
    assert out.returncode == 0
    assert "nothing to route" in out.stderr
    assert out.stdout == ""


def test_actor_falls_back_to_the_os_account(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("USER", "USERNAME", "LOGNAME")}
    env["GRACE_HOME"] = str(home)
    done = subprocess.run(
        [*GRACE, "decide", "1", "urgent"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(home / "grace.db") as db:
        actor = db.execute(
            "SELECT actor FROM audit_events WHERE action = 'decide' ORDER BY seq DESC"
        ).fetchone()[0]
    assert actor == f"cli:{pwd.getpwuid(os.getuid()).pw_name}"


def test_ingest_without_xsd_says_so_once(tmp_path: Path, home: Path) -> None:
    bundle = write_grace_bundle(tmp_path, 7, images=1)
    env = {"GRACE_NCMEC_XSD": str(tmp_path / "missing.xsd")}
    out = run("ingest", str(bundle), "--no-media", home=home, env=env)
    notices = [line for line in out.stderr.splitlines() if line.startswith("notice:")]
    assert len(notices) == 1 and "not schema-checked" in notices[0]
    as_json = run("ingest", str(bundle), "--no-media", "--json", home=home, env=env)
    summary = json.loads(as_json.stdout.splitlines()[-1])["summary"]
    assert len(summary["notices"]) == 1 and "GRACE_NCMEC_XSD" in summary["notices"][0]


ORPHAN = b"""<?xml version="1.0" encoding="UTF-8"?>
<fileDetails>
  <reportId>4564654</reportId>
  <fileId>b0754af766b426f2928a02c651ed4b99</fileId>
  <originalFileName>mypic.png</originalFileName>
</fileDetails>
"""


def test_orphan_file_details_are_quarantined_not_queued(tmp_path: Path, home: Path) -> None:
    before = len(json.loads(run("referrals", "list", "--json", home=home).stdout))
    folder = tmp_path / "orphan"
    folder.mkdir()
    (folder / "fileDetails.xml").write_bytes(ORPHAN)
    (folder / "mypic.png").write_bytes(encoded(textured_image(5), "PNG"))
    out = run("ingest", str(folder), "--json", home=home)
    assert out.returncode == 1
    outcomes = [json.loads(line) for line in out.stdout.splitlines()[:-1]]
    assert [o["status"] for o in outcomes] == ["quarantined", "quarantined"]
    assert all("without the report document" in o["reason"] for o in outcomes)
    assert all("report 4564654" in o["reason"] for o in outcomes)
    after = json.loads(run("referrals", "list", "--json", home=home).stdout)
    assert len(after) == before


def test_reference_set_is_steered_to_suppression_and_list_shows_scheme(home: Path) -> None:
    from shared_data import CONFORMANCE

    nsrl = CONFORMANCE / "formats" / "vics" / "NSRL-CAID-MOV.json"
    out = run("hashset", "import", str(nsrl), "--name", "reference", home=home)
    assert out.returncode == 0, out.stderr
    assert "benign reference set" in out.stderr and "--kind suppression" in out.stderr
    quiet = run(
        "hashset", "import", str(nsrl), "--name", "ref-ok", "--kind", "suppression", home=home
    )
    assert quiet.returncode == 0 and "--kind suppression" not in quiet.stderr
    lines = run("hashset", "list", home=home).stdout.splitlines()
    assert lines[0] == "name\tkind\tscheme\tentries\timports"
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert rows["reference"][1:4] == ["known", "projectvic-us", "9"]
    assert rows["ref-ok"][1:3] == ["suppression", "projectvic-us"]
