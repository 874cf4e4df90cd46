"""Backup and restore (DESIGN §8.6): a signed, encrypted copy; restore checks everything before it replaces anything."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cpassess.backup import BackupError, make_backup, restore_backup
from cpassess.storage import AlreadyOpen
from tests.helpers import Team

OTHER_CHILD = {"given_names": "Kacper", "family_name": "Nowak", "date_of_birth": "2016-09-09"}


def state(team: Team) -> tuple[set[tuple[str, str]], object]:
    """What a restore must bring back: the children (id and name) and the audit chain head."""
    with team.session("lead") as session:
        children = {(row.child_id, row.name) for row in session.children.rows()}
        return children, session.audit_head()


def files_beside(db: Path) -> dict[str, bytes]:
    """Every file in the database's folder (lock file aside), by name."""
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file() and p.suffix != ".lock"}


@pytest.fixture
def backed_up(team: Team, tmp_path: Path) -> tuple[Team, Path]:
    """A team with a child, backed up to a file; then another child is added after the backup."""
    team.add_child("prac")
    backup = tmp_path / "backups" / "team.cpbackup"
    with team.session("lead") as session:
        make_backup(session, backup)
    return team, backup


def test_a_restore_brings_back_the_children_and_the_audit_head_of_the_backup(team: Team, tmp_path: Path) -> None:
    team.add_child("prac")
    children, head = state(team)
    backup = tmp_path / "team.cpbackup"
    with team.session("lead") as session:
        info = make_backup(session, backup)
        assert session.audit_events()[-1].action == "database.backed_up"
    assert info.audit_head == head and info.made_by == "lead"
    team.add_child("prac", OTHER_CHILD)  # work after the backup, which the restore rolls back
    assert len(state(team)[0]) == 2
    restored = restore_backup(backup, team.db, "prac", team.passwords["prac"])
    assert restored.audit_head == head
    assert state(team) == (children, head)
    with team.session("prac") as session:
        assert session.check() == []


def test_the_replaced_files_are_kept_in_a_before_restore_folder(backed_up: tuple[Team, Path]) -> None:
    team, backup = backed_up
    team.add_child("prac", OTHER_CHILD)
    before = files_beside(team.db)
    restore_backup(backup, team.db, "lead", team.passwords["lead"])
    [kept] = [p for p in team.db.parent.iterdir() if p.is_dir() and p.name.startswith("team.db.before-restore-")]
    assert files_beside(kept / "team.db") == before
    # the kept database still opens with its own key file, with the work done after the backup
    kept_team = type(team)(kept / "team.db", team.recovery_code, team.kdf)
    assert len(state(kept_team)[0]) == 2


def test_a_backup_restores_to_a_new_place_on_another_computer(backed_up: tuple[Team, Path], tmp_path: Path) -> None:
    team, backup = backed_up
    target = tmp_path / "elsewhere" / "restored.db"
    restore_backup(backup, target, "prac", team.passwords["prac"])
    copy = type(team)(target, team.recovery_code, team.kdf)
    with copy.session("prac") as session:
        assert len(session.children.rows()) == 1
        assert session.check() == []
    assert not [p for p in target.parent.iterdir() if "before-restore" in p.name]


def test_the_backup_is_one_zip_of_encrypted_database_key_file_and_signed_manifest(
        backed_up: tuple[Team, Path]) -> None:
    _, backup = backed_up
    with zipfile.ZipFile(backup) as zipped:
        names = set(zipped.namelist())
        manifest = json.loads(zipped.read("manifest.json"))
        database = zipped.read("cpassess.db")
        keys = zipped.read("cpassess.db.keys")
    assert names == {"cpassess.db", "cpassess.db.keys", "manifest.json", "manifest.sig"}
    assert not database.startswith(b"SQLite format 3")
    assert json.loads(keys)["format"] == "cpassess-keyslots"
    assert manifest["format"] == "cpassess-backup" and manifest["made_by"] == "lead"
    assert set(manifest["audit_head"]) == {"seq", "hash"}


def test_a_backup_never_overwrites_a_file(backed_up: tuple[Team, Path]) -> None:
    team, backup = backed_up
    before = backup.read_bytes()
    with team.session("lead") as session, pytest.raises(BackupError, match="already exists"):
        make_backup(session, backup)
    assert backup.read_bytes() == before


# --- refused restores leave everything as it was --------------------------------------------------------


def flip_inside_member(member: str, at: float = 0.5) -> Callable[[Path], None]:
    def damage(backup: Path) -> None:
        with zipfile.ZipFile(backup) as zipped:
            info = zipped.getinfo(member)
        data = bytearray(backup.read_bytes())
        name_length = int.from_bytes(data[info.header_offset + 26: info.header_offset + 28], "little")
        extra_length = int.from_bytes(data[info.header_offset + 28: info.header_offset + 30], "little")
        start = info.header_offset + 30 + name_length + extra_length
        data[start + int(info.compress_size * at)] ^= 0x01
        backup.write_bytes(bytes(data))
    return damage


def truncate(fraction: float) -> Callable[[Path], None]:
    def damage(backup: Path) -> None:
        data = backup.read_bytes()
        backup.write_bytes(data[: int(len(data) * fraction)])
    return damage


def add_member(backup: Path) -> None:
    with zipfile.ZipFile(backup, "a") as zipped:
        zipped.writestr("run-me.sh", "echo surprise\n")


def rewrite_manifest(change: Callable[[dict[str, object]], None]) -> Callable[[Path], None]:
    """Change the manifest and write the zip again with correct checksums (only the signature can tell)."""
    def damage(backup: Path) -> None:
        with zipfile.ZipFile(backup) as zipped:
            members = {name: zipped.read(name) for name in zipped.namelist()}
        manifest = json.loads(members["manifest.json"])
        change(manifest)
        members["manifest.json"] = json.dumps(manifest, sort_keys=True, indent=1).encode("utf-8")
        with zipfile.ZipFile(backup, "w") as zipped:
            for name, data in members.items():
                zipped.writestr(name, data)
    return damage


def older_head(manifest: dict[str, object]) -> None:
    manifest["audit_head"] = {"seq": 1, "hash": "0" * 64}


DAMAGE = {
    "flipped byte in the database": flip_inside_member("cpassess.db", 0.5),
    "flipped byte early in the database": flip_inside_member("cpassess.db", 0.01),
    "flipped byte in the last page": flip_inside_member("cpassess.db", 0.99),
    "flipped byte in the key file": flip_inside_member("cpassess.db.keys", 0.5),
    "flipped byte in the manifest": flip_inside_member("manifest.json", 0.5),
    "flipped byte in the signature": flip_inside_member("manifest.sig", 0.5),
    "truncated to half": truncate(0.5),
    "truncated by a few bytes": truncate(0.999),
    "an extra member": add_member,
    "a manifest claiming an older head": rewrite_manifest(older_head),
    "empty file": truncate(0.0),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_backup_is_refused_and_the_current_database_is_untouched(
        backed_up: tuple[Team, Path], damage: Callable[[Path], None]) -> None:
    team, backup = backed_up
    damage(backup)
    before = files_beside(team.db)
    with pytest.raises(BackupError) as refused:
        restore_backup(backup, team.db, "lead", team.passwords["lead"])
    assert "Traceback" not in str(refused.value) and "\n" not in str(refused.value)
    assert files_beside(team.db) == before
    assert sorted(p.name for p in team.db.parent.iterdir()) == ["team.db", "team.db.keys", "team.db.lock"]


def test_a_backup_whose_database_is_swapped_for_another_databases_is_refused(
        backed_up: tuple[Team, Path], team_factory: Callable[[Path], Team], tmp_path: Path) -> None:
    team, backup = backed_up
    other = team_factory(tmp_path / "other")
    other_backup = tmp_path / "other.cpbackup"
    with other.session("lead") as session:
        make_backup(session, other_backup)
    with zipfile.ZipFile(backup) as ours, zipfile.ZipFile(other_backup) as theirs:
        members = {name: ours.read(name) for name in ours.namelist()}
        members["cpassess.db.keys"] = theirs.read("cpassess.db.keys")
    with zipfile.ZipFile(backup, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    before = files_beside(team.db)
    with pytest.raises(BackupError):
        restore_backup(backup, team.db, "lead", team.passwords["lead"])
    assert files_beside(team.db) == before


@pytest.mark.parametrize(("username", "password"), [("lead", "not the password at all"),
                                                    ("nobody", "not the password at all")])
def test_a_wrong_password_for_the_backup_is_refused_and_changes_nothing(
        backed_up: tuple[Team, Path], username: str, password: str) -> None:
    team, backup = backed_up
    before = files_beside(team.db)
    with pytest.raises(BackupError, match="not right"):
        restore_backup(backup, team.db, username, password)
    assert files_beside(team.db) == before


def test_a_missing_backup_file_is_refused(team: Team, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no backup file"):
        restore_backup(tmp_path / "missing.cpbackup", team.db, "lead", team.passwords["lead"])


def test_restore_waits_for_the_database_to_be_closed(backed_up: tuple[Team, Path]) -> None:
    team, backup = backed_up
    before = files_beside(team.db)
    session = team.session("prac")
    try:
        with pytest.raises(AlreadyOpen):
            restore_backup(backup, team.db, "lead", team.passwords["lead"])
    finally:
        session.close()
    assert files_beside(team.db) == before
