"""`make bench` cannot rot: a tiny run of the whole suite must produce every §13 row, each beside its baseline.

Speed itself is never asserted here (that is the benchmark's job, on a quiet machine); only that each row is
measured and reported with its baseline, ratio and target.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cpassess.paths import slot_file_for

ROOT = Path(__file__).resolve().parents[2]
ROWS = ("process start to unlock window shown", "unlock (after the KDF) to caseload shown", "search as you type",
        "  slowest keystroke", "open the GIRFEC editor", "autosave of one assessment",
        "export a full GIRFEC assessment", "signing it", "memory with the", "growth: unlock to caseload",
        "growth: search per keystroke")


def test_quick_benchmark_reports_every_row_beside_its_baseline(tmp_path: Path, demo_db: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    # the demo database the quick run grows its databases from: the test run's own, built once (bench QUICK.demo)
    for source in (demo_db, slot_file_for(demo_db)):
        shutil.move(source, cache / source.name.replace("demo.db", "demo-8.db"))
    out = tmp_path / "results.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "bench/run.py", "--quick", "--out", str(out), "--cache", str(cache)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    assert "building a demo database" not in run.stdout
    results = json.loads(out.read_text())
    names = [row["name"] for row in results["rows"]]
    for expected in ROWS:
        assert any(name.startswith(expected) for name in names), f"{expected!r} missing from {names}"
    assert sum(name.startswith("growth: ") for name in names) == 4  # two larger caseloads, two measures
    for row in results["rows"]:
        assert row["measured"] > 0 and row["baseline"] > 0 and row["target"], row
        assert abs(row["ratio"] - row["measured"] / row["baseline"]) < 1e-9
        assert row["met"] == (row["ratio"] <= row["limit"])
    assert "met" in run.stdout and "baseline" in run.stdout
