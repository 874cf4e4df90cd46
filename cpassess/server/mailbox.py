"""One member's view of the team server: send packages, fetch and collect one's own, roster and audit heads.

Every statement names the member explicitly (so the server's owner can run it too); row-level security on the
server is what enforces it for a member's own role. Each step is its own transaction.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import errors

from cpassess.server.schema import check_schema

# What the server answers when its rules refuse a row (not a member, not oneself): the package stays here.
REFUSALS = (errors.InsufficientPrivilege, errors.ForeignKeyViolation, errors.CheckViolation)


class Mailbox:
    def __init__(self, connection: psycopg.Connection[Any], username: str) -> None:
        self.connection = connection
        self.username = username
        check_schema(connection)

    def deliver(self, sha256: str, kind: str, recipient: str, package: bytes) -> bool:
        """Put one package on the server (already there counts as delivered); False when the server refuses.
        No conflict target: naming one would make the server check its read policy, which is the recipient's."""
        try:
            with self.connection.transaction():
                self.connection.execute(
                    "INSERT INTO cpassess.packages (sha256, sender, recipient, kind, body) VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING", (sha256, self.username, recipient, kind, package))
        except REFUSALS:
            return False
        return True

    def publish_roster(self, serial: int, sha256: str, roster: bytes) -> bool:
        try:
            with self.connection.transaction():
                self.connection.execute("INSERT INTO cpassess.rosters (serial, sha256, body) VALUES (%s, %s, %s) "
                                        "ON CONFLICT DO NOTHING", (serial, sha256, roster))
        except REFUSALS:
            return False
        return True

    def latest_roster(self) -> bytes | None:
        with self.connection.transaction():
            row = self.connection.execute("SELECT body FROM cpassess.rosters ORDER BY serial DESC LIMIT 1").fetchone()
        return bytes(row[0]) if row else None

    def fetch(self, limit: int) -> list[tuple[str, bytes]]:
        """The oldest packages waiting for this member: (the server's SHA-256 for them, the package). Fetched
        whole before anything is stored, so the laptop's write transaction never waits on the network."""
        with self.connection.transaction():
            rows = self.connection.execute(  # binary: the packages come as they are, not as hex text
                "SELECT sha256, body FROM cpassess.packages WHERE recipient = %s ORDER BY id LIMIT %s",
                (self.username, limit), binary=True).fetchall()
        return [(str(sha256), bytes(body)) for sha256, body in rows]

    def collect(self, sha256s: list[str]) -> None:
        """Tell the server these packages are safely stored here: it forgets them."""
        with self.connection.transaction():
            self.connection.execute("DELETE FROM cpassess.packages WHERE recipient = %s AND sha256 = ANY(%s)",
                                    (self.username, sha256s))

    def waiting_count(self) -> int:
        with self.connection.transaction():
            row = self.connection.execute("SELECT count(*) FROM cpassess.packages WHERE recipient = %s",
                                          (self.username,)).fetchone()
        return int(row[0]) if row else 0

    def published_head(self) -> tuple[int, str] | None:
        with self.connection.transaction():
            row = self.connection.execute("SELECT seq, hash FROM cpassess.audit_heads WHERE username = %s",
                                          (self.username,)).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def publish_head(self, seq: int, digest: str, signature: bytes) -> None:
        with self.connection.transaction():
            self.connection.execute(
                "INSERT INTO cpassess.audit_heads (username, seq, hash, signature) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (username) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, "
                "signature = excluded.signature, published = now()", (self.username, seq, digest, signature))
