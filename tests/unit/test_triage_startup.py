"""Start-up cost: triage and the learning layer import scikit-learn only to fit a model.

Scoring with learned_v1 uses the stored numbers (trees, Platt curves) with plain Python and
numpy, so importing the triage service, the registry glue and the CLI modules that run
triage must not pull in scikit-learn (about 2 s of CPU at every ``grace`` start). Checked
in a fresh interpreter, because this test process may have imported it already.
"""

from __future__ import annotations

import json
import subprocess
import sys

MODULES = (
    "grace.triage.service",
    "grace.triage.learned",
    "grace.triage.blend",
    "grace.learn.triage_model",
    "grace.learn.triage_labels",
    "grace.learn.triage_hook",
    "grace.learn.registry",
    "grace.cli.triage_cmd",
    "grace.cli.learn_cmd",
)


REPORT = (
    "sys.stderr.write(json.dumps(sorted("
    "m for m in sys.modules if m.partition('.')[0] == 'sklearn')))"
)


def _sklearn_after(code: str, stdin: str | None = None) -> list[str]:
    """The scikit-learn modules loaded once ``code`` ran in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\n{REPORT}"
    done = subprocess.run(
        [sys.executable, "-c", probe], input=stdin, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stderr[done.stderr.rindex("[") :]))


def test_importing_triage_and_the_model_registry_imports_no_sklearn() -> None:
    assert _sklearn_after("\n".join(f"import {m}" for m in MODULES)) == []


def test_grace_help_and_triage_help_import_no_sklearn() -> None:
    for argv in (["grace", "--help"], ["grace", "triage", "--help"], ["grace", "learn", "--help"]):
        code = (
            "import sys\nfrom grace.cli.main import app\n"
            f"sys.argv = {argv!r}\n"
            "try:\n    app()\nexcept SystemExit:\n    pass"
        )
        assert _sklearn_after(code) == [], argv


def test_scoring_a_stored_model_imports_no_sklearn() -> None:
    """A model fitted here (the parent may import scikit-learn), scored in a fresh process."""
    code = (
        "from grace.demo.sketch import describe, triage_view\n"
        "from grace.triage.learned import LearnedV1\n"
        "import sys\n"
        "items, truth = triage_view(describe(300, 2))\n"
        "model = LearnedV1.from_json(sys.stdin.read())\n"
        "[model.score(it) for it in items.values()]"
    )
    from grace.demo.sketch import describe, triage_view
    from grace.triage.learned import LearnedV1

    items, truth = triage_view(describe(300, 2))
    ids = sorted(items)
    labels = ["urgent" if truth[i] else "not_actionable" for i in ids]
    text = LearnedV1().fit([items[i] for i in ids], labels).to_json()
    assert _sklearn_after(code, text) == []
