"""The encrypted database (DESIGN §8.1): one SQLCipher 4 file, opened with a random 32-byte raw key."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3

from cpassess.storage.faults import DamagedDatabase, DiskFull, StorageError, is_disk_full, little_space_left
from cpassess.storage.lockfile import DatabaseLock
from cpassess.storage.migrations import NewerSchema, migrate

log = logging.getLogger(__name__)

KEY_BYTES = 32
CACHE_KIB = 32 * 1024  # decrypting on a cache miss is SQLCipher's main cost; 32 MiB holds a team's caseload
BUSY_TIMEOUT_MS = 5000


# SQLite's primary result codes (the low byte of an extended code)
_CORRUPT, _FULL, _CANTOPEN, _IOERR, _NOTADB, _BUSY, _LOCKED, _READONLY = 11, 13, 14, 10, 26, 5, 6, 8


def _primary_code(error: Exception) -> int:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else -1


def damaged_part(path: Path, what: str) -> DamagedDatabase:
    """A page that cannot be read, found while reading `what` (the caseload, an assessment ...)."""
    return DamagedDatabase(f"{what[:1].upper()}{what[1:]} could not be read from {path.name}: the database is "
                           "damaged there. Nothing was changed. Run `cpassess check` to see what is affected.")


def read_stored_json(value: Any, what: str) -> Any:
    """A JSON column as stored; a value that no longer parses was damaged on disk (DamagedDatabase naming `what`)."""
    try:
        return json.loads(value)
    except (TypeError, ValueError, RecursionError):
        log.warning("a stored JSON value could not be read")
        raise DamagedDatabase(f"{what[:1].upper()}{what[1:]} could not be read: the database is damaged there. "
                              "Nothing was changed. Run `cpassess check` to see what is affected.") from None


_TABLE_WORDS = {"children": "the caseload", "assessments": "the assessments", "audit_events": "the audit log",
                "users": "the list of users", "certificates": "the certificates", "documents": "the signed PDFs",
                "comments": "the review comments", "meta": "the database's settings"}


def _what_is_read(sql: str) -> str:
    found = re.search(r"\bFROM\s+(\w+)", sql, flags=re.IGNORECASE)
    return _TABLE_WORDS.get(found[1].lower(), "part of the database") if found else "part of the database"


def _damaged(path: Path) -> DamagedDatabase:
    return DamagedDatabase(
        f"The database {path.name} could not be read: it is damaged or is not a cpassess database. "
        "Nothing was changed. Restore it from a backup (cpassess restore).")


def _key_pragma(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("a database key is 32 bytes")
    hex_key = key.hex()
    if not re.fullmatch(r"[0-9a-f]{64}", hex_key):
        raise ValueError("a database key must be hex")
    return f"PRAGMA key = \"x'{hex_key}'\""


Row = Any  # a sqlcipher3.Row: columns by name or position


class Database:
    """An open, unlocked database; one writer at a time (a lock file), writes in `BEGIN IMMEDIATE`."""

    def __init__(self, path: Path, key: bytes, *, create: bool = False, lock: bool = True) -> None:
        self.path = path
        if create and path.exists():
            raise StorageError(f"{path} already exists")
        if not create and not path.exists():
            raise StorageError(f"There is no database at {path}.")
        self.after_commit: Callable[[], None] | None = None  # run after every successful commit
        self._lock = DatabaseLock(path) if lock else None
        if self._lock:
            self._lock.acquire()
        if not create and path.stat().st_size == 0:
            # SQLCipher would take an emptied file (a failed copy, a full disk) for a new database and write to it
            self._release()
            raise _damaged(path)
        self._connection: Any = None
        try:
            self._connection = self._connect(key)
            if create:
                os.chmod(path, 0o600)  # only the user who runs cpassess may read even the encrypted file
            migrate(self._connection)
        except sqlcipher3.DatabaseError as error:
            self._abandon()
            log.warning("database open failed: %s", type(error).__name__)
            if _primary_code(error) in (_CORRUPT, _NOTADB):
                raise _damaged(path) from None
            raise self._translate(error) from None
        except NewerSchema:
            self._abandon()
            raise StorageError(f"The database {path.name} was made by a newer version of cpassess; update cpassess "
                               "to open it. Nothing was changed.") from None
        except BaseException:
            self._abandon()
            raise

    def _abandon(self) -> None:
        """After a failed open: close whatever was opened and give the lock back."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._release()

    def _connect(self, key: bytes) -> Any:
        connection = sqlcipher3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                        timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            connection.execute("PRAGMA cipher_log_level = NONE")  # our own messages say it better, and once
            connection.execute(_key_pragma(key))
            connection.execute("PRAGMA cipher_memory_security = ON")
            # reading the schema is the first thing that needs the key: a wrong key or a damaged header fails here
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            connection.execute("PRAGMA journal_mode = WAL").fetchone()
            for pragma in ("synchronous = FULL", "foreign_keys = ON", "temp_store = MEMORY",
                           f"busy_timeout = {BUSY_TIMEOUT_MS}", f"cache_size = -{CACHE_KIB}",
                           "secure_delete = ON"):
                connection.execute(f"PRAGMA {pragma}")
        except BaseException:
            connection.close()
            raise
        connection.row_factory = sqlcipher3.Row
        return connection

    def _release(self) -> None:
        if self._lock:
            self._lock.release()
            self._lock = None

    def close(self) -> None:
        """Close the connection and release the lock; the key lives on only in SQLCipher's wiped memory."""
        connection = getattr(self, "_connection", None)
        if connection is not None:
            try:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlcipher3.DatabaseError:
                log.warning("checkpoint on close failed")
            connection.close()
            self._connection = None
        self._release()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connection(self) -> Any:
        if self._connection is None:
            raise StorageError("the database is closed (locked)")
        return self._connection

    @contextmanager
    def write(self) -> Iterator[Any]:
        """One write transaction (`BEGIN IMMEDIATE`): all of it is stored, or none of it.

        A full disk anywhere inside (a page spilled, the commit, a file written alongside) rolls it all back
        and raises DiskFull.
        """
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlcipher3.DatabaseError as error:
            raise self._translate(error) from None
        try:
            yield connection
            connection.execute("COMMIT")
        except sqlcipher3.DatabaseError as error:
            self._roll_back(connection)
            raise self._translate(error) from None
        except OSError as error:
            self._roll_back(connection)
            if is_disk_full(error):
                raise DiskFull() from None
            raise
        except BaseException:
            self._roll_back(connection)
            raise
        if self.after_commit is not None:
            self.after_commit()

    def _roll_back(self, connection: Any) -> None:
        # SQLite has already rolled back by itself after some errors (SQLITE_FULL among them): a second
        # ROLLBACK would fail with "cannot rollback - no transaction is active" and hide the real error.
        if not connection.in_transaction:
            return
        try:
            connection.execute("ROLLBACK")
        except sqlcipher3.DatabaseError as error:
            log.warning("rollback failed: %s", type(error).__name__)  # the journal is rolled back on next open

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """The connection for reads, with damage and other database errors told in plain words."""
        try:
            yield self.connection
        except sqlcipher3.DatabaseError as error:
            raise self._translate(error) from None

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        try:
            return list(self.connection.execute(sql, parameters).fetchall())
        except sqlcipher3.DatabaseError as error:
            raise self._translate(error, _what_is_read(sql)) from None

    def query_one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        rows = self.query(sql, parameters)
        return rows[0] if rows else None

    def _translate(self, error: Exception, what: str = "part of the database") -> StorageError:
        text = str(error).lower()
        code = _primary_code(error)
        log.warning("database error: %s (%s)", type(error).__name__, getattr(error, "sqlite_errorname", "?"))
        if "append-only" in text or "never changes" in text:
            return StorageError(f"Refused: {error}.")
        if code == _FULL or "database or disk is full" in text or "no transaction is active" in text:
            return DiskFull()
        if code in (_IOERR, _CANTOPEN) or "disk i/o error" in text:
            if little_space_left(self.path.parent):
                return DiskFull()
            return StorageError(f"The disk could not read or write {self.path.name} (a disk input/output error); "
                                "nothing was saved. Try again; if it happens again, run `cpassess check`.")
        if code in (_BUSY, _LOCKED) or "locked" in text or "busy" in text:
            return StorageError("The database is busy in another program; try again in a moment.")
        if code in (_CORRUPT, _NOTADB) or "malformed" in text or "not a database" in text or "corrupt" in text:
            return damaged_part(self.path, what)
        if code == _READONLY or "readonly" in text or "read-only" in text:
            return StorageError("The database cannot be written (the file or folder is read-only).")
        return StorageError(f"The database refused the change ({type(error).__name__}).")

    def rekey(self, new_key: bytes) -> None:
        """Re-encrypt every page under `new_key` (PRAGMA rekey: one transaction, so a kill leaves the file wholly
        under the old key or wholly under the new), then checkpoint so no page under the old key stays behind."""
        pragma = _key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey", 1)
        try:
            self.connection.execute(pragma)
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlcipher3.DatabaseError as error:
            raise self._translate(error) from None

    def integrity_problems(self) -> list[str]:
        """Both integrity checks (the page MACs and SQLite's structure); an empty list means sound."""
        problems: list[str] = []
        try:
            rows = self.connection.execute("PRAGMA cipher_integrity_check").fetchall()
            problems += [f"encryption check: {row[0]}" for row in rows]
            rows = self.connection.execute("PRAGMA integrity_check").fetchall()
            problems += [f"structure check: {row[0]}" for row in rows if row[0] != "ok"]
            size = self.path.stat().st_size
            pages = self.connection.execute("PRAGMA page_count").fetchone()[0]
            page_size = int(self.connection.execute("PRAGMA page_size").fetchone()[0])
            wal = self.path.with_name(self.path.name + "-wal")
            if size < pages * page_size and not (wal.exists() and wal.stat().st_size):
                problems.append(f"the file is shorter than its {pages} pages: it has been truncated")
        except sqlcipher3.DatabaseError as error:
            problems.append(f"the database could not be read ({error})")
        return problems

    def export_to(self, target: Path, key: bytes) -> None:
        """Write a complete encrypted copy (sqlcipher_export) to a new file `target`."""
        if target.exists():
            raise StorageError(f"{target} already exists")
        connection = self.connection
        escaped = str(target).replace("'", "''")
        try:
            connection.execute(f"ATTACH DATABASE '{escaped}' AS backup KEY \"x'{_key_hex(key)}'\"")
            try:
                connection.execute("SELECT sqlcipher_export('backup')")
                version = connection.execute("PRAGMA user_version").fetchone()[0]
                connection.execute(f"PRAGMA backup.user_version = {int(version)}")
            finally:
                connection.execute("DETACH DATABASE backup")
        except sqlcipher3.DatabaseError as error:
            target.unlink(missing_ok=True)
            raise self._translate(error) from None


def _key_hex(key: bytes) -> str:
    _key_pragma(key)
    return key.hex()


def check_file(path: Path, key: bytes) -> list[str]:
    """Integrity problems of a database file opened read-only without taking its lock (for a backup being restored)."""
    try:
        connection = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlcipher3.DatabaseError:
        return ["the file could not be opened"]
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(_key_pragma(key))
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        problems = [f"encryption check: {row[0]}"
                    for row in connection.execute("PRAGMA cipher_integrity_check").fetchall()]
        problems += [f"structure check: {row[0]}" for row in connection.execute("PRAGMA integrity_check").fetchall()
                     if row[0] != "ok"]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
        if path.stat().st_size < pages * page_size:
            problems.append("the file has been truncated")
        return problems
    except sqlcipher3.DatabaseError as error:
        return [f"the database could not be read ({error})"]
    finally:
        connection.close()
