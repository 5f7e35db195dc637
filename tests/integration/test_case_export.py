"""`grace export case` writes CASE 1.x JSON-LD that `case_validate` (case-utils) accepts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from builders import write_grace_bundle
from grace.ingest.pipeline import IngestPipeline
from grace.workspace import Workspace

CASE_VALIDATE = str(Path(sys.executable).with_name("case_validate"))


def test_case_export_of_a_referral_validates(tmp_path: Path) -> None:
    workspace = Workspace.init(tmp_path / "home")
    (tmp_path / "inbox").mkdir()
    write_grace_bundle(tmp_path / "inbox", 7, images=2)
    assert IngestPipeline(workspace).run([tmp_path / "inbox"]).ok
    workspace.close()
    out = tmp_path / "referral.case.jsonld"
    env = {**os.environ, "GRACE_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "grace.cli.main", "export", "case", "1", "--out", str(out),
         "--json"], capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    graph = json.loads(out.read_text())["@graph"]
    types = {node["@type"] for node in graph}
    assert {"case-investigation:Investigation", "case-investigation:InvestigativeAction",
            "case-investigation:ProvenanceRecord", "uco-observable:File",
            "uco-observable:EmailAddress", "uco-observable:Account"} <= types  # fmt: skip
    files = [n for n in graph if n["@type"] == "uco-observable:File"]
    assert len(files) == 3  # the referral document and two images, each with three hashes
    validated = subprocess.run([CASE_VALIDATE, str(out)], capture_output=True, text=True,
                               timeout=300)  # fmt: skip
    assert validated.returncode == 0 and "Conforms: True" in validated.stdout, validated.stdout[
        -3000:
    ]
    broken = json.loads(out.read_text())
    broken["@graph"][0]["uco-core:object"] = "not a node"  # a literal where a node must be
    out.write_text(json.dumps(broken))
    refused = subprocess.run([CASE_VALIDATE, str(out)], capture_output=True, text=True,
                             timeout=300)  # fmt: skip
    assert refused.returncode != 0 and "Conforms: False" in refused.stdout
