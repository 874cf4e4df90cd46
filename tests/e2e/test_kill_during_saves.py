"""Nothing lost (DESIGN §2.2): `kill -9` in the middle of a stream of saves never loses an acknowledged save
and never corrupts the database."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Team

# Unlock, then save the draft again and again with a rising counter; a number is printed only after the save
# that stored it has returned, so every printed number is a save the user was told had happened.
SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path

    from cpassess.session import Session

    db, assessment_id, start = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    password = sys.stdin.readline().rstrip("\\n")
    session = Session.unlock(db, "prac", password)
    counter = start
    while True:
        counter += 1
        session.assessments.save_draft(assessment_id, {"physical_care_daily_life": f"counter {counter}",
                                                       "assessment_date": "2024-05-01"})
        print(counter, flush=True)
""")

FIRST_LINE_TIMEOUT = 30.0


def stored_counter(team: Team, assessment_id: str) -> tuple[int, list[str]]:
    """Reopen the database as a user would after the crash: the stored counter and both checks' problems."""
    with team.session("prac") as session:
        problems = session.check()
        answers = session.assessments.get(assessment_id).answers
    return int(answers["physical_care_daily_life"].removeprefix("counter ")), problems


def kill_during_saves(team: Team, assessment_id: str, script: Path, start: int, rng: random.Random) -> int:
    """One run: start saving, SIGKILL after a random short time, and return the last acknowledged counter."""
    command = [sys.executable, str(script), str(team.db), assessment_id, str(start)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as saver:
        assert saver.stdin is not None and saver.stdout is not None and saver.stderr is not None
        try:
            saver.stdin.write(team.passwords["prac"] + "\n")
            saver.stdin.close()
            ready, _, _ = select.select([saver.stdout], [], [], FIRST_LINE_TIMEOUT)
            first = saver.stdout.readline() if ready else ""  # saving has begun
            if not first:
                saver.kill()
                pytest.fail(f"the saver made no save: {saver.stderr.read()}")
            time.sleep(rng.uniform(0.0, 0.25))
            os.kill(saver.pid, signal.SIGKILL)
        finally:
            saver.kill()  # harmless if it is already dead; never leave it running when a test fails
        rest = saver.stdout.read()  # everything printed before the kill
        saver.wait(10)
    assert saver.returncode == -signal.SIGKILL
    acknowledged = [int(line) for line in (first + rest).splitlines() if line.strip().isdigit()]
    return acknowledged[-1]


def run_kills(team: Team, tmp_path: Path, rounds: int) -> None:
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    script = tmp_path / "saver.py"
    script.write_text(SAVER, encoding="utf-8")
    child_id = team.add_child("prac")
    with team.session("prac") as session:
        assessment_id = session.assessments.new(child_id, "neglect-assessment",
                                                answers={"physical_care_daily_life": "counter 0"}).id
    counter = 0
    for round_number in range(rounds):
        acknowledged = kill_during_saves(team, assessment_id, script, counter, rng)
        stored, problems = stored_counter(team, assessment_id)
        where = f"(round {round_number}, seed {seed}, acknowledged {acknowledged}, stored {stored})"
        assert problems == [], f"the database is damaged after kill -9 {where}: {problems}"
        assert stored >= acknowledged, f"an acknowledged save was lost {where}"
        assert stored <= acknowledged + 1, f"a save appeared that was never made {where}"
        counter = stored


def test_kill_9_during_saves_loses_no_acknowledged_save(team: Team, tmp_path: Path) -> None:
    run_kills(team, tmp_path, rounds=6)  # each round is a process start and an unlock; 200 in make test-slow


@pytest.mark.slow
def test_kill_9_during_saves_two_hundred_times(team: Team, tmp_path: Path) -> None:
    run_kills(team, tmp_path, rounds=200)
