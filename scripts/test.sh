#!/usr/bin/env bash
# The test command: install with test tools, lint, type-check, then run the whole suite.
# PostgreSQL tests use GRACE_TEST_DATABASE_URL (CI sets it; without it they are skipped
# locally, never in CI, where .ci/run sets GRACE_REQUIRE_POSTGRES=1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
.venv/bin/ruff check src tests bench
.venv/bin/mypy
# Each run gets its own temporary folder, removed at the end: pytest would otherwise scan and
# prune earlier runs' folders (workspaces hold thousands of vault directories each).
TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/grace-tests.XXXXXX")
trap 'rm -rf "$TMP_ROOT"' EXIT
# The manual (MkDocs, Material theme) must build without a warning: broken links, missing
# screenshots and pages that lost their place in the nav fail the run.
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet -d "$TMP_ROOT/site"
.venv/bin/pytest -n 2 -q -m "not federation" --basetemp="$TMP_ROOT/suite" "$@"
# Coverage-guided fuzzing (atheris) of every parser from the committed seeds, ~2 min in all;
# a crashing input is kept under test-artifacts/fuzz/ (see tests/fuzz/run.py).
.venv/bin/python tests/fuzz/run.py --seconds 11
# The Flower deployment test starts a SuperLink, three SuperNodes and a client process per
# message; it runs alone afterwards so that Flower's polling, not CPU contention, sets its pace.
status=0
GRACE_FL_TEST_TIMEOUT="${GRACE_FL_TEST_TIMEOUT:-600}" \
  .venv/bin/pytest -q -m federation --basetemp="$TMP_ROOT/federation" "$@" || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 5 ]  # 5: the arguments selected no federation test
