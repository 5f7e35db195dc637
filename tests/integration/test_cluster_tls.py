"""A Dask cluster with mutual TLS on loopback (issue 14): ``grace cluster up`` starts a scheduler
and two workers as separate processes; a client with the cluster's certificate runs real work
(sharded-index shards held by Dask actors, one per worker); clients without a certificate, with
a certificate from another CA, or over plain TCP are refused; SIGTERM stops every process.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grace.cluster import local
from grace.cluster.certs import make_cluster_certs
from grace.matching.index import hamming
from grace.matching.shards import IndexShard, ShardedIndex
from net import free_port, handshake, wait_gone

GRACE = [sys.executable, "-m", "grace.cli.main"]


def test_tls_cluster_two_workers_and_refusals(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    made = subprocess.run([*GRACE, "cluster", "certs", "--certs", str(certs), "--json"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert json.loads(made.stdout)["ca"] == str(certs / "ca.pem")
    assert (certs / "ca.key").stat().st_mode & 0o077 == 0
    port = free_port()
    address = f"tls://127.0.0.1:{port}"
    up = subprocess.Popen(
        [*GRACE, "cluster", "up", "--certs", str(certs), "--workers", "2", "--port", str(port),
         "--workdir", str(tmp_path / "run"), "--json"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    pids: list[int] = []
    try:
        assert up.stdout is not None
        info = json.loads(up.stdout.readline())
        pids = info["pids"]
        assert info["scheduler"] == address and len(set(pids)) == 3 and up.pid not in pids
        client = local.wait_for_workers(address, certs, 2, timeout=120)
        workers = sorted(client.scheduler_info()["workers"])
        assert len(workers) == 2 and all(w.startswith("tls://127.0.0.1:") for w in workers)

        # real work: one index shard per worker, held by a Dask actor, searched exactly
        shards = [
            client.submit(IndexShard, str(tmp_path / f"s{i}"), actor=True, workers=[w]).result()
            for i, w in enumerate(workers)
        ]
        rng = np.random.default_rng(0)
        hashes = rng.integers(0, 256, (4000, 32), dtype=np.uint8)
        ids = np.arange(4000, dtype=np.int64)
        sharded = ShardedIndex(shards)
        sharded.add(hashes, ids)
        queries = hashes[:20].copy()
        queries[:, :3] ^= 0xFF  # 24 bits away from their stored hash
        for q, (got, dist) in zip(queries, sharded.search(queries, 31), strict=True):
            d = hamming(hashes, q)
            assert sorted(got.tolist()) == np.flatnonzero(d <= 31).tolist()
            assert dist.tolist() == d[got].tolist()
        sharded.save()
        assert all((tmp_path / f"s{i}" / "manifest.json").exists() for i in range(2))
        assert sorted(s["rows"] for s in sharded.stats()) == [2000, 2000]

        status = subprocess.run(
            [*GRACE, "cluster", "status", "--scheduler", address, "--certs", str(certs), "--json"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert json.loads(status.stdout)["worker_count"] == 2
        client.close()

        # refused: no client certificate (beside a control with one), a certificate from
        # another CA, plain TCP
        assert handshake(port, certs / "ca.pem", certs / "client") == "accepted"
        assert handshake(port, certs / "ca.pem") != "accepted"
        make_cluster_certs(tmp_path / "rogue")
        with pytest.raises(OSError):
            local.connect(address, tmp_path / "rogue", timeout=5)
        from distributed import Client

        with pytest.raises(OSError):
            Client(f"tcp://127.0.0.1:{port}", timeout=5)
    finally:
        up.send_signal(signal.SIGTERM)
        up.wait(60)
    assert not wait_gone(pids)  # polled: the processes may take a moment to exit


def test_bare_scheduler_then_grace_worker_joins(tmp_path: Path) -> None:
    """``cluster up --workers 0`` (the scheduler machine) then ``grace worker`` from elsewhere:
    the worker joins over TLS under its name, and both stop on SIGTERM."""
    certs = tmp_path / "certs"
    make_cluster_certs(certs)
    port = free_port()
    address = f"tls://127.0.0.1:{port}"
    up = subprocess.Popen(
        [*GRACE, "cluster", "up", "--certs", str(certs), "--workers", "0", "--port", str(port),
         "--workdir", str(tmp_path / "run"), "--json"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    worker = None
    try:
        assert up.stdout is not None
        pids = json.loads(up.stdout.readline())["pids"]
        worker = subprocess.Popen(
            [*GRACE, "worker", "--scheduler", address, "--certs", str(certs), "--name", "remote-1",
             "--workdir", str(tmp_path / "w")],
        )  # fmt: skip
        client = local.wait_for_workers(address, certs, 1, timeout=120)
        names = [w["name"] for w in client.scheduler_info()["workers"].values()]
        assert names == ["remote-1"]
        assert client.submit(sum, [1, 2, 3]).result() == 6
        client.close()
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)
        up.send_signal(signal.SIGTERM)
        up.wait(60)
    assert not wait_gone(pids)  # polled: the processes may take a moment to exit
