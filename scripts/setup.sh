#!/usr/bin/env bash
# Create .venv in the repository root and install grace into it (with test tools if asked).
# Usage: scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
.venv/bin/pip install --quiet --upgrade pip >/dev/null
.venv/bin/pip install --quiet -e ".${extras}"
# PSI cardinality for `grace deconflict overlap`; --no-deps because its metadata pins an old
# protobuf that onnx and grpc refuse (it runs on theirs). See docs/deconfliction.md.
.venv/bin/pip install --quiet --no-deps openmined-psi==2.0.6
if [ "${1:-}" = "--test" ] && [ ! -x /usr/bin/chromium ]; then
  # Browser tests drive Debian's chromium through Playwright (no browser download).
  SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
  $SUDO apt-get install -y -q chromium >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null; }
fi
