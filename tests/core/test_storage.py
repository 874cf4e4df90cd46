"""The encrypted database (DESIGN §8.1, §8.3): keys, pragmas, transactions, schema, the lock file, checks."""

from __future__ import annotations

import sqlite3
import stat
import sys
from pathlib import Path

import pytest
import sqlcipher3

from cpassess.storage import AlreadyOpen, DamagedDatabase, Database, StorageError, check_file
from cpassess.storage.migrations import MIGRATIONS, _statements
from tests.helpers import Team

KEY = bytes(range(32))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "plain.db"
    Database(path, KEY, create=True).close()
    return path


def raw_connection(path: Path, key: bytes) -> sqlcipher3.Connection:
    """A connection that bypasses the storage layer (what someone with the key could do)."""
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return connection


def test_a_new_database_has_the_whole_schema_and_the_settings_of_section_8_1(db_path: Path) -> None:
    with Database(db_path, KEY) as db:
        pragma = {name: db.query_one(f"PRAGMA {name}")[0]
                  for name in ("journal_mode", "synchronous", "foreign_keys", "temp_store", "user_version",
                               "secure_delete")}
        tables = {row["name"] for row in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert pragma == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "temp_store": 2,
                      "user_version": len(MIGRATIONS), "secure_delete": 1}
    assert {"meta", "users", "certificates", "children", "assessments", "comments", "documents",
            "audit_events"} <= tables


def test_the_file_is_sqlcipher_not_sqlite(db_path: Path) -> None:
    assert not db_path.read_bytes().startswith(b"SQLite format 3")
    connection = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute("SELECT * FROM sqlite_master").fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize("key", [b"", bytes(31), bytes(33), b"x" * 64])
def test_only_a_32_byte_key_is_accepted(db_path: Path, key: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Database(db_path, key)
    Database(db_path, KEY).close()  # the lock was released


def test_a_wrong_key_is_reported_as_damage_and_changes_nothing(db_path: Path) -> None:
    before = db_path.read_bytes()
    with pytest.raises(DamagedDatabase, match="Nothing was changed"):
        Database(db_path, bytes(32))
    assert db_path.read_bytes() == before
    Database(db_path, KEY).close()  # the failed attempt did not keep the lock


def test_create_refuses_an_existing_file_and_open_refuses_a_missing_one(db_path: Path, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="already exists"):
        Database(db_path, KEY, create=True)
    with pytest.raises(StorageError, match="no database"):
        Database(tmp_path / "missing.db", KEY)
    assert not (tmp_path / "missing.db").exists()


def test_a_write_is_all_or_nothing(db_path: Path) -> None:
    with Database(db_path, KEY) as db:
        with pytest.raises(RuntimeError), db.write() as connection:
            connection.execute("INSERT INTO meta (key, value) VALUES ('first', '1')")
            raise RuntimeError("something went wrong half way")
        with pytest.raises(StorageError), db.write() as connection:
            connection.execute("INSERT INTO meta (key, value) VALUES ('second', '2')")
            connection.execute("INSERT INTO meta (key, value) VALUES ('second', 'duplicate key')")
        assert db.query("SELECT key FROM meta") == []
        with db.write() as connection:
            connection.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("third", "3"))
    with Database(db_path, KEY) as db:
        assert [tuple(row) for row in db.query("SELECT key, value FROM meta")] == [("third", "3")]


def test_values_are_bound_not_spliced_into_sql(db_path: Path) -> None:
    hostile = "x'); DROP TABLE meta; --"
    with Database(db_path, KEY) as db:
        with db.write() as connection:
            connection.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("name", hostile))
        assert db.query_one("SELECT value FROM meta WHERE key = ?", ("name",))["value"] == hostile


def test_foreign_keys_are_enforced(db_path: Path) -> None:
    with Database(db_path, KEY) as db, pytest.raises(StorageError), db.write() as connection:
        connection.execute("INSERT INTO children (id, record, search, owner, created, updated) "
                           "VALUES ('c', '{}', '', 'nobody', 'now', 'now')")


def test_one_open_database_at_a_time_through_the_lock_file(db_path: Path) -> None:
    first = Database(db_path, KEY)
    try:
        with pytest.raises(AlreadyOpen, match="already open"):
            Database(db_path, KEY)
        lock = db_path.with_name(db_path.name + ".lock")
        if sys.platform != "win32":
            assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    finally:
        first.close()
    Database(db_path, KEY).close()


def test_a_database_from_a_newer_cpassess_is_refused_in_plain_words_and_not_touched(db_path: Path) -> None:
    connection = raw_connection(db_path, KEY)
    connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    connection.close()
    before = db_path.read_bytes()
    with pytest.raises(StorageError, match="newer version of cpassess"):
        Database(db_path, KEY)
    assert db_path.read_bytes() == before
    with pytest.raises(StorageError, match="newer version"):  # and the lock was released
        Database(db_path, KEY)


def test_an_older_database_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = raw_connection(path, KEY)
    connection.execute("BEGIN")
    for statement in _statements(MIGRATIONS[0]):
        connection.execute(statement)
    connection.execute("PRAGMA user_version = 1")
    connection.execute("INSERT INTO meta (key, value) VALUES ('kept', 'yes')")
    connection.execute("COMMIT")
    connection.close()
    with Database(path, KEY) as db:
        assert db.query_one("PRAGMA user_version")[0] == len(MIGRATIONS)
        assert db.query_one("SELECT value FROM meta WHERE key = 'kept'")["value"] == "yes"
        assert db.integrity_problems() == []


def test_an_emptied_file_is_refused_never_turned_into_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "emptied.db"  # what a failed copy or a full disk can leave behind
    path.write_bytes(b"")
    with pytest.raises(DamagedDatabase):
        Database(path, KEY)
    assert path.read_bytes() == b""
    with pytest.raises(DamagedDatabase):  # and the lock was released
        Database(path, KEY)
    assert not path.with_name("emptied.db-wal").exists()


def test_the_audit_log_is_append_only(db_path: Path) -> None:
    with Database(db_path, KEY) as db:
        with db.write() as connection:
            connection.execute("INSERT INTO audit_events (seq, at, actor, action, record_type, record_id, "
                               "detail, prev_hash, hash, signature) "
                               "VALUES (1, 'now', 'a', 'b', 'c', 'd', '{}', 'p', 'h', X'00')")
        for sql in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
            with pytest.raises(StorageError, match="append-only"), db.write() as connection:
                connection.execute(sql)
        assert [tuple(row) for row in db.query("SELECT seq, actor FROM audit_events")] == [(1, "a")]


def test_integrity_checks_pass_on_a_sound_file_and_check_file_agrees(db_path: Path) -> None:
    with Database(db_path, KEY) as db:
        assert db.integrity_problems() == []
    assert check_file(db_path, KEY) == []


def test_check_file_reports_truncation(db_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    with Database(db_path, KEY) as db:
        db.export_to(copy, KEY)
    data = copy.read_bytes()
    copy.write_bytes(data[: len(data) - 4096])
    assert check_file(copy, KEY) != []


def test_check_file_never_writes_the_file_it_checks(db_path: Path) -> None:
    before = db_path.read_bytes()
    check_file(db_path, KEY)
    check_file(db_path, bytes(32))
    assert db_path.read_bytes() == before
    wal = db_path.with_name(db_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_export_writes_a_complete_encrypted_copy_and_never_overwrites(db_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    with Database(db_path, KEY) as db:
        with db.write() as connection:
            connection.execute("INSERT INTO meta (key, value) VALUES ('marker', 'kept')")
        db.export_to(copy, KEY)
        before = copy.read_bytes()
        with pytest.raises(StorageError, match="already exists"):
            db.export_to(copy, KEY)
        assert copy.read_bytes() == before
    assert check_file(copy, KEY) == []
    with Database(copy, KEY) as restored:
        assert restored.query_one("SELECT value FROM meta WHERE key = 'marker'")["value"] == "kept"
        assert restored.query_one("PRAGMA user_version")[0] == len(MIGRATIONS)


def test_a_closed_database_refuses_to_be_used(db_path: Path) -> None:
    db = Database(db_path, KEY)
    db.close()
    with pytest.raises(StorageError, match="closed"):
        db.query("SELECT 1")
    db.close()  # closing twice is harmless


def test_closing_checkpoints_the_write_ahead_log(team: Team) -> None:
    team.add_child("prac")
    wal = team.db.with_name(team.db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0



def test_search_keys_stored_before_folding_are_folded_by_the_migration(tmp_path: Path) -> None:
    """A database from before accent folding: its children's keys were only case-folded ("łukasz")."""
    path = tmp_path / "unfolded.db"
    connection = raw_connection(path, KEY)
    connection.execute("BEGIN")
    folding = next(number for number, step in enumerate(MIGRATIONS) if callable(step))  # the Python step
    for script in MIGRATIONS[:folding]:
        assert isinstance(script, str)
        for statement in _statements(script):
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {folding}")
    record = '{"given_names": "Łukasz", "family_name": "O\'Brien-Wróblewski", "known_as": "Łuki", "chi": null}'
    connection.execute("INSERT INTO children (id, record, search, owner, created, updated) VALUES "
                       "('c1', ?, 'łukasz o''brien-wróblewski łuki', 'prac', 'now', 'now')", (record,))
    connection.execute("COMMIT")
    connection.close()
    with Database(path, KEY) as db:
        assert db.query_one("PRAGMA user_version")[0] == len(MIGRATIONS)
        child = db.query_one("SELECT * FROM children")
        assert child["search"] == "lukasz o brien wroblewski obrienwroblewski luki"
        # the caseload's columns, filled from the record, and kept in step with it after
        assert (child["given_names"], child["family_name"], child["known_as"], child["chi"]) == \
            ("Łukasz", "O'Brien-Wróblewski", "Łuki", None)
        with db.write() as connection:
            connection.execute("UPDATE children SET record = json_set(record, '$.known_as', 'Luk')")
        assert db.query_one("SELECT known_as FROM children")["known_as"] == "Luk"


def test_what_waits_for_the_team_server_is_counted_from_indexes_not_by_reading_every_package(db_path: Path) -> None:
    """The sync status counts the outbox and inbox; the packages themselves (blobs of hundreds of kB) stand before
    the columns counted, so a count that reads the table reads every package."""
    from cpassess.server.outbox import sync_state

    with Database(db_path, KEY) as db:
        plans = [" ".join(str(row[3]) for row in db.query(f"EXPLAIN QUERY PLAN {query}")) for query in (
            "SELECT count(*) FROM server_outbox WHERE sent IS NULL",
            "SELECT count(*) FROM server_inbox WHERE state = 'waiting'",
            "SELECT count(*) FROM server_inbox WHERE state = 'refused'")]

        class Held:  # what sync_state needs of a session
            def __init__(self, db: Database) -> None:
                self.db = db

        assert sync_state(Held(db)).to_send == 0  # type: ignore[arg-type]
    assert all("COVERING INDEX" in plan for plan in plans), plans
