"""Sync killed at random points: the `cpassess sync` process SIGKILLed, the server stopped as in a crash
(`pg_ctl -m immediate`), in random order; after it all, one more sync on each laptop, and every package has
arrived exactly once, nothing waits anywhere, and both databases pass `check`."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from laptops import Laptops

from cpassess.server import outbox
from tests.helpers import Team

if TYPE_CHECKING:
    from postgres_cluster import Cluster


def cpassess() -> list[str]:
    script = Path(sys.executable).with_name("cpassess")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cpassess"]


def sync_in_a_process(team: Team, who: str, url: str, kill_after: float) -> int | None:
    """`cpassess sync` as a user runs it, SIGKILLed after `kill_after` seconds; its exit code, None if killed."""
    process = subprocess.Popen([*cpassess(), "sync", "--db", str(team.db), "--as", who, "--server", url,
                                "--password-stdin"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdin is not None
    process.stdin.write(team.passwords[who] + "\n")
    process.stdin.close()
    try:
        process.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None
    assert process.stderr is not None
    errors = process.stderr.read()
    assert "Traceback" not in errors, errors
    return process.returncode


def run_rounds(laptops: Laptops, postgres: Cluster, rounds: int, seed: int) -> list[str]:
    chance = random.Random(seed)
    outcomes = []
    for _ in range(rounds):
        who = chance.choice(["prac", "lead"])
        server_crash = threading.Timer(chance.uniform(0.3, 3.0), postgres.stop, kwargs={"immediate": True})
        if chance.random() < 0.4:
            server_crash.start()
        try:
            code = sync_in_a_process(laptops.prac if who == "prac" else laptops.lead, who, laptops.urls[who],
                                     chance.uniform(0.4, 4.0))
        finally:
            server_crash.cancel()
            server_crash.join() if server_crash.is_alive() else None
            if not (postgres.data / "postmaster.pid").exists():
                postgres.start()
        outcomes.append(f"{who}:{'killed' if code is None else code}")
    return outcomes


def check_nothing_lost_or_doubled(laptops: Laptops, submitted: list[str], note: str) -> None:
    for who in ("prac", "lead", "prac", "lead"):  # each finishes, whatever state the rounds left
        laptops.sync(who)
    with laptops.lead.session("lead") as session:
        imported = [event.detail["package_sha256"] for event in session.audit_events()
                    if event.action == "package.imported"]
        assert len(imported) == len(set(imported)) == len(submitted), note
        assert {session.assessments.get(aid).status for aid in submitted} == {"submitted"}, note
        state = outbox.sync_state(session)
        assert (state.to_send, state.to_import, state.refused) == (0, 0, 0), note
        assert session.check() == [], note
    with laptops.prac.session("prac") as session:
        assert outbox.sync_state(session).to_send == 0, note
        assert session.check() == [], note


def killed_at_random(team: Team, tmp_path: Path, server_url: str, postgres: Cluster, packages: int,
                     rounds: int) -> None:
    seed = int(os.environ.get("CPASSESS_KILL_SEED", time.time_ns() % 1_000_000))
    laptops = Laptops(team, tmp_path, server_url)
    submitted = [laptops.submit() for _ in range(packages)]
    outcomes = run_rounds(laptops, postgres, rounds, seed)
    note = f"seed {seed} (CPASSESS_KILL_SEED to repeat): {outcomes}"
    check_nothing_lost_or_doubled(laptops, submitted, note)


def test_sync_killed_and_server_crashed_at_random_points_loses_and_doubles_nothing(
        team: Team, tmp_path: Path, server_url: str, postgres: Cluster) -> None:
    killed_at_random(team, tmp_path, server_url, postgres, packages=2, rounds=5)


@pytest.mark.slow
def test_many_kills_and_crashes_over_many_packages(
        team: Team, tmp_path: Path, server_url: str, postgres: Cluster) -> None:
    killed_at_random(team, tmp_path, server_url, postgres, packages=12, rounds=30)
