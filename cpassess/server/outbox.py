"""The laptop's side of the team server, kept in the encrypted database (no psycopg here).

The outbox holds every package this user exports (submission, decision, roster), sealed exactly as exported,
until the server has acknowledged it; the inbox holds what was fetched from the server, stored before the server
is told to forget it, until it has been imported. Both are keyed by the package's SHA-256, so a step repeated
after an interruption finds its work already done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cpassess.dates import utc_now

if TYPE_CHECKING:
    from cpassess.session import Session

SERVER_URL_KEY = "server_url"
LAST_SYNC_KEY = "server_last_sync"


@dataclass(frozen=True)
class Outgoing:
    sha256: str
    kind: str
    recipient: str | None
    package: bytes


@dataclass(frozen=True)
class Waiting:
    sha256: str
    package: bytes


@dataclass(frozen=True)
class SyncState:
    """What the toolbar shows: the server (if any), the last sync, and what waits to go and to be imported."""

    server_set: bool
    last_sync: str | None
    to_send: int
    to_import: int
    refused: int


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def keep(session: Session, kind: str, recipient: str | None, package: bytes) -> bytes:
    """Keep an exported package until the team server has it; returns the package unchanged."""
    with session.db.write() as connection:
        connection.execute("INSERT OR IGNORE INTO server_outbox (sha256, kind, recipient, package, created) "
                           "VALUES (?, ?, ?, ?, ?)", (sha256_of(package), kind, recipient, package, utc_now()))
    return package


def unsent(session: Session) -> list[Outgoing]:
    """The outbox in the order the packages were made (a recipient's sequence numbers must arrive in order)."""
    rows = session.db.query("SELECT sha256, kind, recipient, package FROM server_outbox WHERE sent IS NULL "
                            "ORDER BY id")
    return [Outgoing(row["sha256"], row["kind"], row["recipient"], bytes(row["package"])) for row in rows]


def mark_sent(session: Session, sha256: str) -> None:
    """The server has the package: drop the copy kept for it (the row stays as a record that it went)."""
    with session.db.write() as connection:
        connection.execute("UPDATE server_outbox SET sent = ?, package = NULL WHERE sha256 = ? AND sent IS NULL",
                           (utc_now(), sha256))


def mark_rosters_sent(session: Session) -> None:
    """A roster on the server replaces every older one: none of those waiting here needs to go any more."""
    with session.db.write() as connection:
        connection.execute("UPDATE server_outbox SET sent = ?, package = NULL WHERE kind = 'roster' AND sent IS NULL",
                           (utc_now(),))


def receive(session: Session, packages: list[bytes]) -> int:
    """Store fetched packages (one transaction) before the server forgets them; returns how many were new."""
    new = 0
    with session.db.write() as connection:
        for package in packages:
            cursor = connection.execute("INSERT OR IGNORE INTO server_inbox (sha256, package, received) "
                                        "VALUES (?, ?, ?)", (sha256_of(package), package, utc_now()))
            new += cursor.rowcount
    return new


def waiting(session: Session) -> Iterator[Waiting]:
    """The fetched packages still to import, oldest first, read one at a time (10,000 of them would not fit in
    memory at once)."""
    ids = [row["id"] for row in session.db.query("SELECT id FROM server_inbox WHERE state = 'waiting' ORDER BY id")]
    for row_id in ids:
        row = session.db.query_one("SELECT sha256, package FROM server_inbox WHERE id = ? AND state = 'waiting'",
                                   (row_id,))
        if row is not None:
            yield Waiting(row["sha256"], bytes(row["package"]))


def already_imported(session: Session, sha256: str) -> bool:
    """True when this exact package was imported here, by sync or from a file (the import's own audit event)."""
    row = session.db.query_one("SELECT 1 FROM audit_events WHERE action = 'package.imported' "
                               "AND json_extract(detail, '$.package_sha256') = ? LIMIT 1", (sha256,))
    return row is not None


def settle(session: Session, sha256: str, state: str, reason: str | None = None) -> None:
    """Record what became of a fetched package; an imported one's copy is dropped, a refused one's kept."""
    with session.db.write() as connection:
        settle_in(connection, sha256, state, reason)


def settle_in(connection: Any, sha256: str, state: str, reason: str | None = None) -> None:
    """`settle` inside the caller's transaction (the import's own: imported and marked so, or neither)."""
    connection.execute("UPDATE server_inbox SET state = ?, reason = ?, settled = ?, "
                       "package = CASE WHEN ? = 'imported' THEN NULL ELSE package END WHERE sha256 = ?",
                       (state, reason, utc_now(), state, sha256))


def retry_refused(session: Session) -> None:
    """Put refused packages back in line (after a newer roster, a sender unknown before may now be trusted)."""
    with session.db.write() as connection:
        connection.execute("UPDATE server_inbox SET state = 'waiting', reason = NULL WHERE state = 'refused'")


def keep_removal(session: Session, username: str) -> None:
    """Remember that `username`'s server login is to be ended (a leaver), until an administrator's laptop has
    done it on the server."""
    with session.db.write() as connection:
        connection.execute("INSERT INTO server_removals (username, requested) VALUES (?, ?) ON CONFLICT (username) "
                           "DO UPDATE SET requested = excluded.requested, ended = NULL", (username, utc_now()))


def pending_removals(session: Session) -> list[str]:
    return [str(row["username"]) for row in session.db.query(
        "SELECT username FROM server_removals WHERE ended IS NULL ORDER BY requested, username")]


def removal_ended(session: Session, username: str) -> None:
    with session.db.write() as connection:
        connection.execute("UPDATE server_removals SET ended = ? WHERE username = ? AND ended IS NULL",
                           (utc_now(), username))


def server_url(session: Session) -> str | None:
    row = session.db.query_one("SELECT value FROM meta WHERE key = ?", (SERVER_URL_KEY,))
    return str(row["value"]) if row else None


def set_server_url(session: Session, url: str | None) -> None:
    """Remember the team server for this database (in the encrypted database: the URL may hold a password)."""
    with session.db.write() as connection:
        if url:
            connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (SERVER_URL_KEY, url))
        else:
            connection.execute("DELETE FROM meta WHERE key = ?", (SERVER_URL_KEY,))


def record_sync(session: Session) -> None:
    with session.db.write() as connection:
        connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (LAST_SYNC_KEY, utc_now()))


def sync_state(session: Session) -> SyncState:
    last = session.db.query_one("SELECT value FROM meta WHERE key = ?", (LAST_SYNC_KEY,))
    counts = session.db.query_one(
        "SELECT (SELECT count(*) FROM server_outbox WHERE sent IS NULL), "
        "(SELECT count(*) FROM server_inbox WHERE state = 'waiting'), "
        "(SELECT count(*) FROM server_inbox WHERE state = 'refused')")
    assert counts is not None
    return SyncState(server_url(session) is not None, str(last["value"]) if last else None, int(counts[0]),
                     int(counts[1]), int(counts[2]))
