"""No leaks (DESIGN §8.4): a canary typed into a record is found in plaintext nowhere on disk or in the logs."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from cpassess.casework import Casework
from cpassess.demo import sample_answers
from cpassess.forms import default_catalog
from tests.helpers import Cli, Team, leaks

NAME_CANARY = "ZebraCanaryQ7X3"
ANSWER_CANARY = "OtterCanaryK9W2"
UNICODE_CANARY = "ĶanārijsΔžŋ"  # outside ASCII, so UTF-8 and UTF-16 differ from any single-byte form
CANARIES = (NAME_CANARY, ANSWER_CANARY, UNICODE_CANARY)
LEAD_PW = "lead's long password 1"
PRAC_PW = "practitioner password 2"
FORM = "neglect-assessment"


def test_the_scanner_finds_a_canary_in_each_form_it_looks_for() -> None:
    for canary in CANARIES:
        for data in (canary.encode("utf-8"), canary.upper().encode("utf-16-le"), canary.encode("utf-16-be"),
                     b"xx" + canary.swapcase().encode("utf-8") + b"yy", b"x" + canary.lower().encode("utf-16-le"),
                     b"\\\\x" + canary.encode("utf-16-le").hex().encode()):  # a bytea value as pg_dump writes it
            assert leaks(data, [canary]) == [canary], data
    assert leaks(b"nothing to see here", CANARIES) == []


def scan_files(paths: Iterable[Path]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        if path.is_file() and (hit := leaks(path.read_bytes(), CANARIES)):
            found[str(path)] = hit
    return found


def every_file(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def answers_with_canary() -> dict[str, Any]:
    answers = sample_answers(default_catalog().get(FORM), random.Random(3), "Eilidh", dt.date.today())
    answers["physical_care_daily_life"] = f"{ANSWER_CANARY} said the fridge was empty. {UNICODE_CANARY}"
    answers["nutrition_feeding"] = {"grade": 3, "evidence": f"Seen by {ANSWER_CANARY} on the home visit."}
    return answers


def run_workflow_with_canaries(cli: Cli, tmp_path: Path) -> tuple[Path, Path, Path]:
    """The whole workflow from the command line with canaries in the record, debug logging on and a private
    temp folder; returns the data folder, the temp folder and the backup file."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    inputs = tmp_path / "inputs"  # what the user typed: the only files allowed to hold the canary
    inputs.mkdir()
    data = tmp_path / "data"
    cli.env.update({"TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp), "CPASSESS_LOG": "debug"})
    db = data / "team.db"
    cli.ok("init", "--db", db, "--user", "lead", "--name", "Morag Lindsay", passwords=(LEAD_PW,))
    cli.ok("user", "add", "--db", db, "--as", "lead", "--user", "prac", "--name", "Sam Wróblewski",
           "--role", "practitioner", passwords=(LEAD_PW, PRAC_PW))
    child = inputs / "child.json"
    child.write_text(json.dumps({
        "given_names": f"{NAME_CANARY} {UNICODE_CANARY}", "family_name": NAME_CANARY, "known_as": NAME_CANARY,
        "date_of_birth": "2019-04-19", "address": f"1 {NAME_CANARY} Road",
        "household": [{"name": f"{NAME_CANARY} Senior", "relationship": "Father"}]}), encoding="utf-8")
    answers = inputs / "answers.json"
    answers.write_text(json.dumps(answers_with_canary(), ensure_ascii=False), encoding="utf-8")
    child_id = cli.ok("child", "add", "--db", db, "--as", "prac", "--json", child, passwords=(PRAC_PW,)).stdout.strip()
    assessment_id = cli.ok("assessment", "new", "--db", db, "--as", "prac", "--child", child_id, "--form", FORM,
                           "--answers", answers, passwords=(PRAC_PW,)).stdout.strip()
    cli.ok("assessment", "update", "--db", db, "--as", "prac", "--id", assessment_id, "--answers", answers,
           passwords=(PRAC_PW,))
    cli.ok("assessment", "submit", "--db", db, "--as", "prac", "--id", assessment_id, passwords=(PRAC_PW,))
    cli.ok("assessment", "approve", "--db", db, "--as", "lead", "--id", assessment_id, passwords=(LEAD_PW, LEAD_PW))
    # reading it back proves the canaries were stored (so finding them nowhere else means something)
    shown = cli.ok("assessment", "show", "--db", db, "--as", "lead", "--id", assessment_id, "--json",
                   passwords=(LEAD_PW,))
    assert ANSWER_CANARY in shown.stdout and UNICODE_CANARY in shown.stdout
    listed = cli.ok("child", "list", "--db", db, "--as", "prac", "--search", NAME_CANARY.lower()[:8],
                    passwords=(PRAC_PW,))
    assert NAME_CANARY in listed.stdout
    backup = tmp_path / "backups" / "team.cpbackup"
    backup.parent.mkdir()
    cli.ok("backup", "--db", db, "--as", "lead", "--out", backup, passwords=(LEAD_PW,))
    cli.ok("check", "--db", db, "--as", "lead", passwords=(LEAD_PW,))
    return data, temp, backup


def test_no_canary_on_disk_in_temp_folders_or_logs_and_plain_sqlite_reads_nothing(process_cli: Cli,
                                                                                    tmp_path: Path) -> None:
    # real processes: each is given the private temp folder, and logs to its own stderr
    cli = process_cli
    data, temp, backup = run_workflow_with_canaries(cli, tmp_path)
    db = data / "team.db"
    assert db.stat().st_size > 50_000 and (data / "team.db.keys").is_file()
    # the database, its WAL files if any, the key file, the lock file
    assert scan_files(every_file(data)) == {}
    # the backup, and each member inside it
    assert scan_files([backup]) == {}
    with zipfile.ZipFile(backup) as zipped:
        for name in zipped.namelist():
            assert leaks(zipped.read(name), CANARIES) == [], name
    # the temp folder every command was given, and the settings/state folder
    assert scan_files(every_file(temp)) == {}
    assert scan_files(every_file(Path(os.environ["CPASSESS_HOME"]))) == {}
    # anything else written under the test's folder, apart from the input files the user typed
    assert scan_files(p for p in every_file(tmp_path) if "inputs" not in p.parts) == {}
    # the logs: debug logging from every command; they must log something, and nothing personal
    logged = "".join(run.stderr for run in cli.runs)
    assert "DEBUG" in logged or "INFO" in logged
    assert leaks(logged.encode("utf-8"), CANARIES) == []
    for secret in (LEAD_PW, PRAC_PW):
        assert secret not in logged

    # Python's own sqlite3 cannot read the database or the copy inside the backup
    copy = tmp_path / "extracted.db"
    with zipfile.ZipFile(backup) as zipped:
        copy.write_bytes(zipped.read("cpassess.db"))
    for path in (data / "team.db", copy):
        assert not path.read_bytes().startswith(b"SQLite format 3")
        connection = sqlite3.connect(path)
        try:
            for query in ("SELECT * FROM sqlite_master", "PRAGMA integrity_check", "SELECT * FROM children"):
                with pytest.raises(sqlite3.DatabaseError):
                    connection.execute(query).fetchall()
        finally:
            connection.close()


def test_no_canary_in_the_write_ahead_log_while_the_database_is_open(team: Team) -> None:
    """Between checkpoints the newest pages live in the -wal file: they are encrypted there too."""
    with team.session("prac") as session:
        child = session.children.add({"given_names": NAME_CANARY, "family_name": UNICODE_CANARY,
                                      "date_of_birth": "2019-04-19"})
        assessment = Casework.of(session).new(child.id, FORM, answers={"physical_care_daily_life": ANSWER_CANARY})
        Casework.of(session).save_draft(assessment.id, {"physical_care_daily_life": ANSWER_CANARY * 50})
        wal = team.db.with_name(team.db.name + "-wal")
        shm = team.db.with_name(team.db.name + "-shm")
        assert wal.stat().st_size > 0
        assert scan_files([team.db, wal, shm, team.keys]) == {}
        assert session.children.get(child.id).record.given_names == NAME_CANARY
