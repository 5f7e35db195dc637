"""CLI start-up: how long ``grace --help`` and ``grace referrals list`` take, end to end.

Each figure is the median wall time of real subprocesses of the installed ``grace`` script
(so interpreter start, imports and the workspace open all count). The workspace holds
300 benign synthetic referrals (seeded generator, ingested with --no-media). As a same-run
baseline, ``python -c pass`` shows what a bare interpreter costs on this machine.
Targets (issue 11): help_s <= 0.5, referrals_list_s <= 1.5. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GRACE = [str(Path(sys.executable).with_name("grace"))]


def timed(argv: list[str], env: dict[str, str], repeats: int) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of ``repeats`` runs, after one warm-up
    that fills the OS file cache. CPU time shows the command's own cost on a busy machine,
    where wall time also counts waiting for a core."""
    walls, cpus = [], []
    for i in range(repeats + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{argv}: exit {done.returncode}: {done.stderr.decode()[-400:]}")
        if i:
            walls.append(elapsed)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def workspace_with(referrals: int, root: Path, env: dict[str, str]) -> Path:
    """A workspace with ``referrals`` synthetic referrals, stored only (no media work)."""
    from grace.demo import generate

    summary = generate(root / "data", referrals, seed=7)
    home = root / "home"
    subprocess.run([*GRACE, "init", "--home", str(home)], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [*GRACE, "ingest", "--no-media", "--json", "--home", str(home), str(summary.input_dir)],
        env=env,
        capture_output=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"ingest failed: {done.stderr.decode()[-400:]}")
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("GRACE_HOME", None)
    with tempfile.TemporaryDirectory(prefix="grace-bench-cli-") as tmp:
        home = workspace_with(args.referrals, Path(tmp), env)
        load = os.getloadavg()[0]
        bare, _ = timed([sys.executable, "-c", "pass"], env, args.repeats)
        import_s, _ = timed([sys.executable, "-c", "import grace.cli.main"], env, args.repeats)
        help_s, help_cpu = timed([*GRACE, "--help"], env, args.repeats)
        list_s, list_cpu = timed(
            [*GRACE, "referrals", "list", "--home", str(home)], env, args.repeats
        )
        listed = subprocess.run(
            [*GRACE, "referrals", "list", "--json", "--home", str(home)],
            env=env,
            capture_output=True,
            check=True,
        )
        count = len(json.loads(listed.stdout))
    result = {
        "referrals": count,
        "python_bare_s": round(bare, 3),
        "import_grace_cli_s": round(import_s, 3),
        "help_s": round(help_s, 3),
        "referrals_list_s": round(list_s, 3),
        "help_cpu_s": round(help_cpu, 3),
        "referrals_list_cpu_s": round(list_cpu, 3),
        "load_average_1min": round(load, 2),
        "cpus": os.cpu_count(),
        "help_target_met": help_s <= 0.5,
        "referrals_list_target_met": list_s <= 1.5,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
