"""A full disk (issue 12): at any point of any write, one line, nothing partial stored, the previous state intact,
and never the "damaged, restore from a backup" advice. SQLite's `max_page_count` stands in for a full disk where
no small file system can be mounted; as root the same is shown on a real 2 MB tmpfs, filled to 0 and to 8 kB."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cpassess.backup import make_backup, restore_backup
from cpassess.casework import Casework
from cpassess.session import Session
from cpassess.storage import DiskFull, StorageError
from cpassess.storage.faults import DISK_FULL_MESSAGE
from tests.helpers import Cli, Team, complete_answers

LONG = "A long account of the week, written by the practitioner at the kitchen table. " * 240  # ~19 kB


def big_answers() -> dict[str, Any]:
    return {"assessment_date": "2024-05-01", "physical_care_daily_life": LONG, "safety_daily_life": LONG,
            "emotional_daily_life": LONG, "development_daily_life": LONG}


def no_more_pages(session: Session) -> None:
    """From now on the database may not grow by a single page: to SQLite, the disk is full."""
    connection = session.db.connection
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")


def test_an_autosave_into_a_full_database_raises_disk_full_and_keeps_the_last_save(team: Team) -> None:
    child_id = team.add_child()
    with team.session("prac") as session:
        draft = Casework.of(session).new(child_id, "neglect-assessment", answers={"assessment_date": "2024-05-01"})
        no_more_pages(session)
        with pytest.raises(DiskFull) as refused:
            Casework.of(session).save_draft(draft.id, big_answers())
        assert str(refused.value) == DISK_FULL_MESSAGE
        # the session goes on: the same connection still reads, and a small save still fits
        assert session.assessments.get(draft.id).answers == {"assessment_date": "2024-05-01"}
        Casework.of(session).save_draft(draft.id, {"assessment_date": "2024-05-02"})
    with team.session("prac") as session:
        assert session.check() == []
        assert session.assessments.get(draft.id).answers == {"assessment_date": "2024-05-02"}


def test_a_submission_and_an_approval_into_a_full_database_store_nothing(submitted_team: Team) -> None:
    team = submitted_team
    with team.session("lead") as session:
        before = session.assessments.get(team.assessment_id)
        events = len(session.audit_events())
        no_more_pages(session)
        with pytest.raises(DiskFull):
            Casework.of(session).approve(team.assessment_id, team.passwords["lead"])
        after = session.assessments.get(team.assessment_id)
        assert (after.status, after.revision, len(session.audit_events())) == (before.status, before.revision, events)
    with team.session("lead") as session:
        assert session.check() == []


def test_a_full_disk_while_the_key_file_is_written_rolls_back_the_password_change(
        team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = team.keys.read_bytes()

    def no_space(*_: object) -> None:
        raise OSError(28, "No space left on device")

    with team.session("prac") as session:
        events = len(session.audit_events())
        monkeypatch.setattr("cpassess.keyslots.write_atomic", no_space)
        with pytest.raises(DiskFull):
            session.change_password(team.passwords["prac"], "a brand new password 77", team.kdf)
        monkeypatch.undo()
        assert len(session.audit_events()) == events
    assert team.keys.read_bytes() == keys
    team.session("prac").close()  # the old password still opens it


def test_a_backup_that_runs_out_of_space_leaves_no_file(team: Team, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "backup.zip"
    original = os.fsync

    def full_at_fsync(descriptor: int) -> None:
        original(descriptor)
        raise OSError(28, "No space left on device")

    with team.session("prac") as session:
        monkeypatch.setattr("cpassess.backup.os.fsync", full_at_fsync)
        with pytest.raises(DiskFull):
            make_backup(session, out)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cpassess")] == []


def test_a_restore_that_runs_out_of_space_leaves_the_database_as_it_was(
        team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "backup.zip"
    with team.session("prac") as session:
        make_backup(session, out)
    team.add_child()  # newer work than the backup
    before = team.db.read_bytes(), team.keys.read_bytes()

    def no_space(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("cpassess.backup.shutil.copyfileobj", no_space)
    with pytest.raises(DiskFull):
        restore_backup(out, team.db, "prac", team.passwords["prac"])
    assert (team.db.read_bytes(), team.keys.read_bytes()) == before
    left = [p.name for p in team.db.parent.iterdir() if p.name.startswith(".cpassess") or "before-restore" in p.name]
    assert left == []


# --- a real full disk ----------------------------------------------------------------------------------------


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs of this test's own (root only)."""
    if not _can_mount():
        pytest.skip("mounting a small file system needs root")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True,
                          check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def fill(disk: Path, leave_kib: int) -> Path:
    """Fill the disk with one file until `leave_kib` kB are left (0: to the last byte)."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for block in (64 * 1024, 4096, 512, 1):
            while shutil.disk_usage(disk).free - block >= leave_kib * 1024:
                try:
                    os.write(descriptor, b"\0" * block)
                except OSError:
                    break
    finally:
        os.close(descriptor)
    return filler


def on_disk(team: Team, disk: Path) -> Team:
    moved = team.copy_to(disk / "data")
    return replace(moved, passwords=dict(team.passwords))


COMMANDS: list[tuple[str, tuple[str, ...]]] = [
    ("prac", ("child", "add", "--json", "{child}")),
    ("prac", ("assessment", "update", "--id", "{draft}", "--answers", "{answers}")),
    ("prac", ("assessment", "submit", "--id", "{draft}")),
    ("lead", ("assessment", "approve", "--id", "{submitted}")),
    ("prac", ("assessment", "list")),
    ("prac", ("backup", "--out", "{disk}/backup.zip")),
    ("prac", ("user", "password")),
    ("prac", ("check",)),
]


def prepared(team: Team, disk: Path, tmp_path: Path) -> dict[str, str]:
    child_file = tmp_path / "child.json"
    child_file.write_text(json.dumps({"given_names": "Isla", "family_name": "Fraser", "date_of_birth": "2018-03-03"}),
                          encoding="utf-8")
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(complete_answers("neglect-assessment") | big_answers()), encoding="utf-8")
    child_id = team.add_child()
    with team.session("prac") as session:
        draft = Casework.of(session).new(child_id, "neglect-assessment", answers={"assessment_date": "2024-05-01"}).id
    return {"child": str(child_file), "answers": str(answers_file), "draft": draft, "submitted": team.assessment_id,
            "disk": str(disk)}


def passwords_for(team: Team, user: str, arguments: tuple[str, ...]) -> tuple[str, ...]:
    """What the command reads from standard input: the sign-in password, then the new one or the re-entry."""
    if arguments[0] == "user":
        return team.passwords[user], NEW_PASSWORD
    return team.passwords[user], team.passwords[user]


NEW_PASSWORD = "a new password for prac 99"


def run_every_command(cli: Cli, team: Team, names: dict[str, str]) -> list[str]:
    """Each command on the full disk: the lines it printed that are not the disk-full line (should be none)."""
    unexpected = []
    for user, arguments in COMMANDS:
        args = [part.format(**names) for part in arguments]
        before = team.db.read_bytes(), team.keys.read_bytes()
        run = cli(*args, "--db", team.db, "--as", user, passwords=passwords_for(team, user, arguments))
        if run.returncode != 1 or run.stderr != f"cpassess: {DISK_FULL_MESSAGE}\n" or run.stdout:
            unexpected.append(f"{' '.join(args)}: exit {run.returncode}: {run.stdout}{run.stderr}")
        if (team.db.read_bytes(), team.keys.read_bytes()) != before:
            unexpected.append(f"{' '.join(args)}: changed the database or its key file")
    return unexpected


def test_every_command_on_a_disk_filled_to_the_last_byte_says_the_disk_is_full(
        submitted_team: Team, small_disk: Path, tmp_path: Path, cli: Cli) -> None:
    team = on_disk(submitted_team, small_disk)
    names = prepared(team, small_disk, tmp_path)
    cli.env["CPASSESS_HOME"] = str(small_disk / "home")
    filler = fill(small_disk, 0)
    assert run_every_command(cli, team, names) == []
    filler.unlink()
    assert cli.ok("check", "--db", team.db, "--as", "prac", passwords=(team.passwords["prac"],)).stdout.startswith(
        "All checks passed")


@pytest.mark.slow
@pytest.mark.parametrize("leave_kib", [8, 40, 120, 300, 600])
def test_on_a_nearly_full_disk_every_command_succeeds_or_says_the_disk_is_full(
        submitted_team: Team, small_disk: Path, tmp_path: Path, cli: Cli, leave_kib: int) -> None:
    team = on_disk(submitted_team, small_disk)
    names = prepared(team, small_disk, tmp_path)
    cli.env["CPASSESS_HOME"] = str(small_disk / "home")
    filler = fill(small_disk, leave_kib)
    saved_answers = True
    for user, arguments in COMMANDS:
        args = [part.format(**names) for part in arguments]
        run = cli(*args, "--db", team.db, "--as", user, passwords=passwords_for(team, user, arguments))
        assert "Traceback" not in run.stderr, run.stderr
        if arguments[1:2] == ("update",):
            saved_answers = run.returncode == 0
        if run.returncode and arguments[1:2] == ("submit",) and not saved_answers and not run.stderr.startswith(
                f"cpassess: {DISK_FULL_MESSAGE}"):
            # the full answers never reached the draft, so submitting is refused for what is missing
            assert run.stderr.splitlines()[-1].startswith("cpassess: not submitted: "), run.stderr
        elif run.returncode:
            assert run.stderr == f"cpassess: {DISK_FULL_MESSAGE}\n", f"{args}: {run.stderr}"
        elif arguments[0] == "user":
            team.passwords["prac"] = NEW_PASSWORD
    filler.unlink()
    assert cli.ok("check", "--db", team.db, "--as", "prac", passwords=(team.passwords["prac"],)).stdout.startswith(
        "All checks passed")


def test_a_commit_that_fails_after_the_key_file_was_written_puts_the_key_file_back(
        team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key file is written last inside the transaction; if the commit still fails after it (a full disk at
    the commit), the old password must still be the one that opens the database."""
    keys = team.keys.read_bytes()
    with team.session("prac") as session:
        original_replace = session.slots.replace

        def replace_then_doom_the_commit(*args: Any, **kwargs: Any) -> None:
            original_replace(*args, **kwargs)
            assert team.keys.read_bytes() != keys  # the new key file is in place ...
            connection = session.db.connection  # ... and the commit will now fail (a deferred constraint)
            connection.execute("PRAGMA defer_foreign_keys = ON")
            connection.execute("UPDATE assessments SET supersedes = 'no such assessment'")
            connection.execute("INSERT INTO children (id, record, search, owner, created, updated) "
                               "VALUES ('x', '{}', '', 'nobody', '', '')")

        monkeypatch.setattr(session.slots, "replace", replace_then_doom_the_commit)
        events = len(session.audit_events())
        with pytest.raises(StorageError):
            session.change_password(team.passwords["prac"], "a brand new password 77", team.kdf)
        assert len(session.audit_events()) == events
    assert team.keys.read_bytes() == keys
    team.session("prac").close()  # the old password still opens it
