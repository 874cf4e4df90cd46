"""The team server's benchmark (bench/server.py) at a tiny size, so that it cannot rot."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from postgres_cluster import Cluster

BENCH = Path(__file__).resolve().parents[2] / "bench" / "server.py"


def load_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_server", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_the_server_bench_measures_delivery_and_server_cost(postgres: Cluster) -> None:
    bench = load_bench()
    rows = bench.server_rows(members=5, levels=(120, 240), package_bytes=20_000, repeats=1, cluster=postgres)
    assert [row["name"].split(",")[0] for row in rows] == [
        "team server: inbox delivery of 100 packages", "team server: inbox delivery of 100 packages",
        "team server: server CPU per package delivered"]
    assert "240 waiting" in rows[1]["name"] and "240 against 120 waiting" in rows[2]["name"]
    for row in rows:
        assert set(row) == {"name", "measured", "baseline", "ratio", "target", "met", "note"}
        assert row["measured"] >= 0 and isinstance(row["met"], bool)  # CPU is counted in 10 ms ticks
    assert rows[0]["measured"] > 0 and rows[0]["baseline"] > 0


@pytest.mark.slow
def test_the_server_bench_times_the_whole_sync_of_real_submissions(postgres: Cluster, tmp_path: Path) -> None:
    bench = load_bench()
    real = bench.real_submissions(tmp_path, count=3)
    assert bench.real_submissions(tmp_path, count=3) == real  # built once
    rows = bench.server_rows(members=5, levels=(120, 240), package_bytes=20_000, repeats=1, cluster=postgres,
                             real=real)
    assert rows[0]["note"] == ""
    assert rows[1]["note"].startswith("the whole sync of 3 real submissions among 143 waiting, imports by")
