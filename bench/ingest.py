"""Ingest throughput: referrals per second into SQLite and PostgreSQL.

Generates a seeded batch of benign synthetic referrals once, then ingests the same batch
into a fresh SQLite workspace and a fresh PostgreSQL database. Media processing (perceptual
hashing) is not part of ingest, so it is excluded by construction; vault writes (encryption,
fsync) and custody records are included. As a same-run baseline, the batch is also only read
and parsed (no storage), so the ratio shows what storage costs on this machine.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from grace.demo import generate
from grace.ingest.assemble import assemble
from grace.ingest.inputs import Bundle, open_inputs
from grace.ingest.pipeline import IngestPipeline
from grace.workspace import Workspace

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def parse_only(input_dir: Path) -> tuple[int, float]:
    start = time.perf_counter()
    count = 0
    for item in open_inputs([input_dir]):
        if isinstance(item, Bundle):
            units, _ = assemble(item)
            count += len(units)
    return count, time.perf_counter() - start


def ingest(home: Path, url: str | None, input_dir: Path) -> tuple[int, float]:
    workspace = Workspace.init(home, url)
    start = time.perf_counter()
    report = IngestPipeline(workspace, actor="bench").run([input_dir])
    elapsed = time.perf_counter() - start
    workspace.close()
    if not report.ok:
        print(f"warning: {report.count('quarantined')} inputs quarantined", file=sys.stderr)
    return report.count("ingested"), elapsed


def fresh_pg_database(admin: str, name: str = "grace_bench") -> str:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg", default=os.environ.get("GRACE_BENCH_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grace-bench-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        summary = generate(root / "data", args.referrals, args.seed)
        generate_s = time.perf_counter() - t0
        parsed, parse_s = parse_only(summary.input_dir)
        sqlite_n, sqlite_s = ingest(root / "sqlite-home", None, summary.input_dir)
        result: dict[str, object] = {
            "referrals": args.referrals,
            "files": summary.files,
            "unique_media": summary.unique_media,
            "generate_s": round(generate_s, 2),
            "parse_only_referrals_per_s": round(parsed / parse_s, 1),
            "sqlite_ingested": sqlite_n,
            "sqlite_s": round(sqlite_s, 2),
            "sqlite_referrals_per_s": round(sqlite_n / sqlite_s, 1),
        }
        try:
            url = fresh_pg_database(args.pg)
            pg_n, pg_s = ingest(root / "pg-home", url, summary.input_dir)
            result |= {
                "postgresql_ingested": pg_n,
                "postgresql_s": round(pg_s, 2),
                "postgresql_referrals_per_s": round(pg_n / pg_s, 1),
            }
        except Exception as exc:
            result |= {"postgresql_referrals_per_s": None, "postgresql_error": str(exc)[:200]}
        result["sqlite_vs_parse_only"] = round(
            float(result["sqlite_referrals_per_s"]) / float(result["parse_only_referrals_per_s"]),
            3,  # type: ignore[arg-type]
        )
        result["target_sqlite_referrals_per_s"] = 200
    print(json.dumps(result))


if __name__ == "__main__":
    main()
