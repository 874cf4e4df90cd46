"""Nothing lost (DESIGN §2.2): `kill -9` in the middle of a stream of saves never loses an acknowledged save
and never corrupts the database. The soak (issue 12) does the same across autosave, submit, approve and import,
1,000 kills, and prints what it counted."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from cpassess.casework import Casework
from cpassess.casework.packages import export_package
from cpassess.exchange import approve_join, complete_join, request_to_join
from cpassess.session import Session
from tests.helpers import FAST_KDF, Team, complete_answers

# Unlock, then save the draft again and again with a rising counter; a number is printed only after the save
# that stored it has returned, so every printed number is a save the user was told had happened.
SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path

    from cpassess.casework import Casework
    from cpassess.session import Session

    db, assessment_id, start = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    password = sys.stdin.readline().rstrip("\\n")
    session = Session.unlock(db, "prac", password)
    counter = start
    while True:
        counter += 1
        Casework.of(session).save_draft(assessment_id, {"physical_care_daily_life": f"counter {counter}",
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
        assessment_id = Casework.of(session).new(child_id, "neglect-assessment",
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


# --- the soak: every kind of write ---------------------------------------------------------------------------

# One process per run: unlock, say "ready", then repeat one kind of write, printing what each write stored only
# after it returned (so every printed line is a save the user was told had happened).
WORKER = textwrap.dedent("""
    import json
    import sys
    import time
    from pathlib import Path

    from cpassess.casework import Casework
    from cpassess.casework.packages import import_package
    from cpassess.session import Session

    db, username, kind, work = Path(sys.argv[1]), sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    password = sys.stdin.readline().rstrip("\\n")
    session = Session.unlock(db, username, password)
    if kind != "autosave":  # load the PDF and signature libraries first, so kills fall on writes, not imports
        import cpassess.casework.documents
        import cpassess.export.verification
    print("ready", flush=True)
    if kind == "autosave":
        counter = work["start"]
        while True:
            counter += 1
            Casework.of(session).save_draft(work["id"], {"physical_care_daily_life": f"counter {counter}",
                                                        "assessment_date": "2024-05-01"})
            print(counter, flush=True)
    elif kind == "submit":
        answers = json.loads(Path(work["answers"]).read_text(encoding="utf-8"))
        while True:
            draft = Casework.of(session).new(work["child"], "neglect-assessment", answers=answers)
            Casework.of(session).submit(draft.id)
            print(draft.id, flush=True)
    elif kind == "approve":
        for assessment_id in work["ids"]:
            Casework.of(session).approve(assessment_id, password)
            print(assessment_id, flush=True)
    elif kind == "import":
        for path in work["packages"]:
            print(import_package(session, Path(path).read_bytes()).assessment_id, flush=True)
    print("done", flush=True)
    time.sleep(3600)  # wait for the kill like a user's idle window
""")
# How long after the first acknowledged write a kill may come: about the time one more write of that kind takes.
KILL_WINDOW = {"autosave": 0.25, "submit": 2.0, "approve": 1.5, "import": 0.8}
FIRST_WRITE_TIMEOUT = 120.0
SAM_PASSWORD = "sam's own laptop password 8"


def killed_run(script: Path, db: Path, username: str, password: str, kind: str, work: dict[str, object],
               rng: random.Random) -> list[str]:
    """Start a worker, SIGKILL it at a random moment after it is ready, and return what it acknowledged."""
    command = [sys.executable, str(script), str(db), username, kind, json.dumps(work)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as worker:
        assert worker.stdin is not None and worker.stdout is not None and worker.stderr is not None
        try:
            worker.stdin.write(password + "\n")
            worker.stdin.close()
            lines = []
            for _ in range(2):  # "ready", then the first write acknowledged: the kill falls on the next one
                ready, _, _ = select.select([worker.stdout], [], [], FIRST_WRITE_TIMEOUT)
                lines.append(worker.stdout.readline() if ready else "")
                if not lines[-1]:
                    worker.kill()
                    pytest.fail(f"the {kind} worker made no write: {worker.stderr.read()}")
            time.sleep(rng.uniform(0.0, KILL_WINDOW[kind]))
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            worker.kill()
        printed = "".join(lines[1:]) + worker.stdout.read()
        errors = worker.stderr.read()
        worker.wait(10)
    assert "Traceback" not in errors, errors
    assert worker.returncode == -signal.SIGKILL, f"the {kind} worker ended before the kill: {errors}"
    return [line for line in printed.splitlines() if line.strip() and line != "done"]


class Laptops:
    """The team lead's laptop (the `team` database) and a practitioner's own laptop that sends it packages."""

    def __init__(self, team: Team, folder: Path, packages: int) -> None:
        self.team = team
        self.sam_db = folder / "sam" / "sam.db"
        request = request_to_join(self.sam_db, "sam", "Sam Nowak", SAM_PASSWORD, FAST_KDF)
        with team.session("lead") as lead:
            response = approve_join(lead, request, ["practitioner"])
        complete_join(self.sam_db, "sam", SAM_PASSWORD, response, FAST_KDF)
        self.packages: list[Path] = []
        with Session.unlock(self.sam_db, "sam", SAM_PASSWORD) as sam:
            child = sam.children.add({"given_names": "Ola", "family_name": "Nowak", "date_of_birth": "2017-06-01"})
            answers = complete_answers("neglect-assessment")
            for number in range(packages):
                draft = Casework.of(sam).new(child.id, "neglect-assessment", answers=answers)
                Casework.of(sam).submit(draft.id)
                path = folder / f"package-{number:04}.cpkg"
                path.write_bytes(export_package(sam, draft.id, "lead"))
                self.packages.append(path)


def _status(session: Session, assessment_id: str) -> str | None:
    row = session.db.query_one("SELECT status FROM assessments WHERE id = ?", (assessment_id,))
    return None if row is None else str(row["status"])


def run_soak(team: Team, tmp_path: Path, runs: dict[str, int],
             progress: Callable[[str], None] | None = None) -> Counter[str]:
    """`runs[kind]` killed runs of each kind, shuffled; returns the counts (acknowledged, lost, damaged ...)."""
    seed = int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(complete_answers("neglect-assessment")), encoding="utf-8")
    imports = runs.get("import", 0)
    laptops = Laptops(team, tmp_path / "laptops", packages=imports * 3 + 2) if imports else None
    child_id = team.add_child("prac")
    with team.session("prac") as session:
        draft_id = Casework.of(session).new(child_id, "neglect-assessment",
                                           answers={"physical_care_daily_life": "counter 0"}).id
    counter, next_package, submitted = 0, 0, []
    order = [kind for kind, count in runs.items() for _ in range(count)]
    rng.shuffle(order)
    counts: Counter[str] = Counter()
    for number, planned in enumerate(order):
        kind = planned
        if kind == "approve" and len(submitted) < 2:
            kind = "submit"  # too little waiting for approval for a kill during the second: make some
        if kind == "import" and (laptops is None or next_package + 2 > len(laptops.packages)):
            kind = "autosave"  # every package sent has been imported
        user = "lead" if kind in ("approve", "import") else "prac"
        work: dict[str, object] = {
            "autosave": {"id": draft_id, "start": counter},
            "submit": {"child": child_id, "answers": str(answers_file)},
            "approve": {"ids": submitted[:3]},
            "import": {"packages": [str(p) for p in (laptops.packages[next_package:] if laptops else [])]},
        }[kind]
        acknowledged = killed_run(script, team.db, user, team.passwords[user], kind, work, rng)
        counts["runs"] += 1
        counts[f"runs: {kind}"] += 1
        counts["acknowledged"] += len(acknowledged)
        with team.session(user) as session:
            problems = session.check()
            if problems:
                counts["damaged databases"] += 1
            if kind == "autosave":
                stored = int(session.assessments.get(draft_id).answers["physical_care_daily_life"].split()[1])
                last = int(acknowledged[-1]) if acknowledged else counter
                counts["lost"] += stored < last
                counts["invented"] += stored > last + 1
                counter = stored
            elif kind == "submit":
                counts["lost"] += sum(_status(session, a) != "submitted" for a in acknowledged)
                rows = session.db.query("SELECT id FROM assessments WHERE status = 'submitted' AND author = 'prac'")
                submitted = sorted(str(row["id"]) for row in rows)
            elif kind == "approve":
                counts["lost"] += sum(_status(session, a) != "approved" for a in acknowledged)
                submitted = [a for a in submitted if _status(session, a) == "submitted"]
            else:
                counts["lost"] += sum(_status(session, a) != "submitted" for a in acknowledged)
                row = session.db.query_one("SELECT last_received FROM package_sequence WHERE peer LIKE 'sam%'")
                next_package = int(row["last_received"]) if row is not None else 0
        assert not problems, f"kill -9 damaged the database (run {number}, {kind}, seed {seed}): {problems}"
        if progress is not None and (number + 1) % 100 == 0:
            progress(f"after {number + 1} runs: {report(counts)}")
    return counts


def report(counts: Counter[str]) -> str:
    kinds = ", ".join(f"{kind.removeprefix('runs: ')} {count}" for kind, count in sorted(counts.items())
                      if kind.startswith("runs: "))
    return (f"kill -9 soak: {counts['runs']} runs ({kinds}); acknowledged saves {counts['acknowledged']}, "
            f"lost {counts['lost']}; saves that were never made {counts['invented']}; "
            f"damaged databases {counts['damaged databases']}")


@pytest.mark.slow
def test_kill_9_during_every_kind_of_write_loses_nothing(team: Team, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    counts = run_soak(team, tmp_path, {"autosave": 2, "submit": 2, "approve": 2, "import": 2})
    with capsys.disabled():
        print("\n" + report(counts))
    assert (counts["lost"], counts["invented"], counts["damaged databases"]) == (0, 0, 0), report(counts)


@pytest.mark.slow
def test_kill_9_soak_of_a_thousand_runs(team: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def progress(line: str) -> None:
        with capsys.disabled():
            print("\n" + line, flush=True)

    counts = run_soak(team, tmp_path, {"autosave": 700, "submit": 110, "approve": 110, "import": 80}, progress)
    progress(report(counts))
    assert counts["runs"] >= 1000
    assert (counts["lost"], counts["invented"], counts["damaged databases"]) == (0, 0, 0), report(counts)
