"""Bounded coverage-guided fuzzing of every parser: the test command's run, and longer ones.

Each target runs in its own process (libFuzzer exits the process when it is done) for
``--seconds``, starting from the committed seeds in ``corpus/<target>/``; inputs it finds
go to a temporary folder, so the committed corpus only changes through ``make_seeds.py``.
A crash (an exception the parser does not document, a hang past ``--timeout`` seconds, or
memory past ``--rss-mb``) fails the run and leaves the input under ``--artifacts``.
The last line printed is one JSON object with executions and exec/s per target.

    .venv/bin/python tests/fuzz/run.py --seconds 12          # what scripts/test.sh runs
    .venv/bin/python tests/fuzz/run.py --seconds 600 archive  # a longer hunt on one target
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = ("cybertip_xml", "ncmec_le_json", "grace_json", "vics", "csv", "pdq", "archive", "decode")
DICTS = {"cybertip_xml": "xml", "ncmec_le_json": "json", "grace_json": "json", "vics": "json"}
RSS_MB = {"decode": 3072}  # a legal 180-megapixel image needs ~0.5 GB per copy
_STAT = re.compile(r"^stat::(\w+):\s*(\d+)", re.MULTILINE)
_COV = re.compile(r"cov: (\d+) ft: (\d+)")


def fuzz(
    target: str, seconds: int, timeout: int, rss_mb: int, artifacts: Path
) -> dict[str, object]:
    """Run one target; return its statistics and whether it crashed."""
    harness = HERE / f"fuzz_{target}.py"
    found = Path(tempfile.mkdtemp(prefix=f"grace-fuzz-{target}-"))
    artifacts.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        str(harness),
        f"-max_total_time={seconds}",
        f"-timeout={timeout}",
        f"-rss_limit_mb={RSS_MB.get(target, rss_mb)}",
        f"-artifact_prefix={artifacts}/{target}-",
        "-print_final_stats=1",
        str(found),
        str(HERE / "corpus" / target),
    ]
    if target in DICTS:
        command.insert(2, f"-dict={HERE / 'dicts' / (DICTS[target] + '.dict')}")
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + timeout + 60, check=False
        )
        output, code = done.stderr + done.stdout, done.returncode
    except subprocess.TimeoutExpired as exc:
        output, code = str(exc.stderr or ""), -1
    stats = {key: int(value) for key, value in _STAT.findall(output)}
    coverage = _COV.findall(output)
    result: dict[str, object] = {
        "target": target,
        "crashed": code != 0,
        "execs": stats.get("number_of_executed_units", 0),
        "exec_per_s": stats.get("average_exec_per_sec", 0),
        "cov": int(coverage[-1][0]) if coverage else 0,
        "corpus_found": len(list(found.iterdir())),
    }
    if code != 0:
        print(f"--- {target} crashed (exit {code}); inputs under {artifacts} ---", file=sys.stderr)
        print("\n".join(output.splitlines()[-40:]), file=sys.stderr)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help=f"some of {', '.join(TARGETS)} (default: all)")
    parser.add_argument("--seconds", type=int, default=12, help="fuzzing time per target")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory limit per target")
    parser.add_argument("--artifacts", type=Path, default=Path("test-artifacts/fuzz"))
    args = parser.parse_args()
    if unknown := set(args.targets) - set(TARGETS):
        parser.error(f"unknown targets {sorted(unknown)}; choose from {', '.join(TARGETS)}")
    results = []
    for target in args.targets or TARGETS:
        result = fuzz(target, args.seconds, args.timeout, args.rss_mb, args.artifacts.resolve())
        print(
            f"{target:14} {'CRASH' if result['crashed'] else 'ok':5} {result['execs']:>9} execs"
            f" {result['exec_per_s']:>7}/s cov {result['cov']}",
            flush=True,
        )
        results.append(result)
    crashed = [str(r["target"]) for r in results if r["crashed"]]
    print(json.dumps({"targets": results, "crashed": crashed}))
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
