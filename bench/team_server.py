"""The team server's §13 rows for `bench/run.py`: bench/server.py's measurement, in the run's row shape.

The quick run (the smoke test) leaves it out: it starts a PostgreSQL cluster and fills it with 10,000 packages,
which tests/server covers already; `make bench` measures it. The 100 real submissions its note needs are sealed
once (about two minutes) and kept in the cache folder.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def rows(cache: Path, quick: bool, runs: int) -> list[Any]:
    if quick:
        print("team server: measured by the full run only (make bench)", flush=True)
        return []
    spec = importlib.util.spec_from_file_location("bench_server", HERE / "server.py")
    assert spec is not None and spec.loader is not None
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    run = sys.modules["__main__"]
    measured = server.server_rows(repeats=max(runs, 3), real=server.real_submissions(cache / "team-server"))
    made = []
    for item in measured:
        limit = float(str(item["target"]).split()[1]) if str(item["target"]).startswith("≤") else 1.0
        made.append(run.Row(item["name"], item["measured"], "s", item["baseline"], item["ratio"], item["target"],
                            limit, item["met"], item["note"]))
    return made
