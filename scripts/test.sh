#!/usr/bin/env bash
# The test command: install with test tools, lint, type-check, then run the whole suite.
# PostgreSQL tests use GRACE_TEST_DATABASE_URL (CI sets it; without it they are skipped
# locally, never in CI, where .ci/run sets GRACE_REQUIRE_POSTGRES=1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
.venv/bin/ruff check src tests bench
.venv/bin/mypy
.venv/bin/pytest -n 2 -q "$@"
