#!/usr/bin/env bash
# The main job: install, build a demo workspace of benign synthetic referrals, ingest it,
# and serve the analyst web UI on http://127.0.0.1:8000/ (SQLite, no network needed).
# Extra arguments go to `grace demo`, e.g. scripts/demo.sh --referrals 1000 --port 8080
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/grace demo --home "${GRACE_HOME:-./grace-home}" "$@"
