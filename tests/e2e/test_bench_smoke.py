"""`make bench` cannot rot: a tiny run of the whole suite must produce every §13 row with a measured value.

Speed itself is never asserted here (that is the benchmark's job, on a quiet machine); only that each row is
measured and reported beside its target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = ("process start to unlock window shown", "unlock (after the KDF) to caseload shown", "search as you type",
        "open the GIRFEC editor", "autosave of one assessment", "export a full GIRFEC assessment",
        "signing it", "memory with the caseload database open")


def test_quick_benchmark_reports_every_target(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "bench/run.py", "--quick", "--out", str(out), "--cache",
                          str(tmp_path / "cache")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
                         check=False)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    results = json.loads(out.read_text())
    names = [row["name"] for row in results["rows"]]
    for expected in ROWS:
        assert any(name.startswith(expected) for name in names), f"{expected!r} missing from {names}"
    for row in results["rows"]:
        assert row["measured"] > 0 and row["target"], row
    assert "met" in run.stdout and "target" in run.stdout
