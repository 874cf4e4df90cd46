"""The audit log (DESIGN §8.5): append-only, hash-chained, each event signed by the acting user's key.

An event's hash covers its sequence number, time, actor, action, record and detail, and the previous event's
hash; the signature is over that hash. Deleting, editing or reordering any event breaks the chain, and the
head (sequence and hash) printed into PDFs and backups exposes a log cut short.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from cpassess.authority import sign, verify
from cpassess.forms.canonical import canonical_json

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    at: str
    actor: str
    action: str
    record_type: str
    record_id: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str
    signature: bytes


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str

    def short(self) -> str:
        return f"#{self.seq} {self.hash[:16]}"


@dataclass(frozen=True)
class AuditReport:
    checked: int
    head: ChainHead
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def event_hash(seq: int, at: str, actor: str, action: str, record_type: str, record_id: str,
               detail: Mapping[str, Any], prev_hash: str) -> str:
    body = {"seq": seq, "at": at, "actor": actor, "action": action, "record_type": record_type,
            "record_id": record_id, "detail": detail, "prev_hash": prev_hash}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def head_of(connection: Any) -> ChainHead:
    row = connection.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone()
    return ChainHead(row[0], row[1]) if row else ChainHead(0, GENESIS)


_MOVED: set[int] = set()  # the connections (by id) on which an event was appended since `head_moved` last asked


def head_moved(connection: Any) -> bool:
    """Whether an event was appended on `connection` since this was last asked: after a commit, whether the head
    may have moved (a rolled-back append answers True once, harmlessly)."""
    try:
        _MOVED.remove(id(connection))
    except KeyError:
        return False
    return True


def append(connection: Any, key: ec.EllipticCurvePrivateKey, actor: str, action: str, record_type: str,
           record_id: str, detail: Mapping[str, Any] | None = None) -> AuditEvent:
    """Add one signed event inside the caller's write transaction; the stored head moves with it."""
    head = head_of(connection)
    seq = head.seq + 1
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    detail = dict(detail or {})
    digest = event_hash(seq, at, actor, action, record_type, record_id, detail, head.hash)
    signature = sign(key, bytes.fromhex(digest))
    connection.execute(
        "INSERT INTO audit_events (seq, at, actor, action, record_type, record_id, detail, prev_hash, hash, signature)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, record_type, record_id, json.dumps(detail, ensure_ascii=False), head.hash, digest,
         signature))
    connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)", (f"{seq}:{digest}",))
    _MOVED.add(id(connection))
    return AuditEvent(seq, at, actor, action, record_type, record_id, detail, head.hash, digest, signature)


def read_events(connection: Any) -> list[AuditEvent]:
    rows = connection.execute(
        "SELECT seq, at, actor, action, record_type, record_id, detail, prev_hash, hash, signature "
        "FROM audit_events ORDER BY seq").fetchall()
    events = []
    for row in rows:
        try:
            detail = json.loads(row[6])
        except (TypeError, ValueError):
            detail = {"unreadable": str(row[6])[:40]}
        events.append(AuditEvent(row[0], row[1], row[2], row[3], row[4], row[5], detail, row[7], row[8],
                                 bytes(row[9] or b"")))
    return events


def verify_chain(events: Iterable[AuditEvent], certificates_of: Callable[[str], list[x509.Certificate]],
                 recorded_head: ChainHead | None) -> AuditReport:
    """Check every link, hash and signature, and that the log reaches the head recorded beside it."""
    problems: list[str] = []
    previous = ChainHead(0, GENESIS)
    checked = 0
    for event in events:
        checked += 1
        if event.seq != previous.seq + 1:
            problems.append(f"event {previous.seq + 1} is missing (the log jumps to {event.seq})")
        if event.prev_hash != previous.hash:
            problems.append(f"event {event.seq} does not follow on from event {previous.seq} (broken link)")
        expected = event_hash(event.seq, event.at, event.actor, event.action, event.record_type, event.record_id,
                              event.detail, event.prev_hash)
        if expected != event.hash:
            problems.append(f"event {event.seq} has been altered (its hash does not match its content)")
        elif not any(verify(cert, bytes.fromhex(event.hash), event.signature) for cert in certificates_of(event.actor)):
            problems.append(f"event {event.seq} is not signed by {event.actor}'s key (bad signature)")
        previous = ChainHead(event.seq, event.hash)
        if len(problems) >= 20:
            problems.append("... further problems not listed")
            break
    if recorded_head is not None and recorded_head != previous and not problems:
        problems.append(f"the log ends at event {previous.seq} but event {recorded_head.seq} was recorded: "
                        "events have been removed from the end")
    return AuditReport(checked=checked, head=previous, problems=problems)


# --- the head anchored outside the database (DESIGN §8.7) ----------------------------------------------------

BEHIND = "the database is behind its last known head"


@dataclass(frozen=True)
class AnchoredHead:
    """The chain head as last seen after a commit, kept in the key file and signed by the user who moved it.

    A database cut back (a lost -wal, events cut off and the stored head rewritten) no longer reaches it.
    """

    database_id: str
    seq: int
    hash: str
    actor: str
    at: str
    signature: bytes

    def signed_bytes(self) -> bytes:
        return canonical_json({"database_id": self.database_id, "seq": self.seq, "hash": self.hash,
                               "actor": self.actor, "at": self.at})

    def to_json(self) -> dict[str, object]:
        return {"seq": self.seq, "hash": self.hash, "actor": self.actor, "at": self.at,
                "signature": self.signature.hex()}

    @classmethod
    def from_json(cls, database_id: str, data: Mapping[str, Any]) -> AnchoredHead:
        """ValueError if `data` is not an anchored head."""
        try:
            head = cls(database_id, data["seq"], data["hash"], data["actor"], data["at"],
                       bytes.fromhex(data["signature"]))
        except (KeyError, TypeError, ValueError):
            raise ValueError("not an anchored audit head") from None
        if type(head.seq) is not int or not isinstance(head.hash, str) or not isinstance(head.actor, str):
            raise ValueError("not an anchored audit head")
        return head


def anchor(key: ec.EllipticCurvePrivateKey, actor: str, database_id: str, head: ChainHead) -> AnchoredHead:
    """`head`, signed by `actor` for the key file."""
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    unsigned = AnchoredHead(database_id, head.seq, head.hash, actor, at, b"")
    return AnchoredHead(database_id, head.seq, head.hash, actor, at, sign(key, unsigned.signed_bytes()))


def may_advance(anchored: AnchoredHead | None, hash_at: Callable[[int], str | None]) -> bool:
    """Whether the log still holds the anchored event unchanged, so the anchor may move on to a newer head.

    `hash_at(seq)` is the stored hash of event `seq` (None if there is none). A log behind or off its anchor
    keeps the anchor where it is, for `check` to report.
    """
    return anchored is None or hash_at(anchored.seq) == anchored.hash


def anchor_problem(anchored: AnchoredHead, events: list[AuditEvent],
                   certificates_of: Callable[[str], list[x509.Certificate]]) -> str | None:
    """One sentence if the log does not reach the head anchored outside the database, else None.

    This catches a database cut back behind its key file; a key file put back to an older copy as well is
    caught only against a head from outside this laptop (`head_problem` with a head printed in a PDF, a backup
    or a package).
    """
    if not any(verify(cert, anchored.signed_bytes(), anchored.signature) for cert in certificates_of(anchored.actor)):
        return "the audit head recorded in the key file is not signed by a member of this team"
    return head_problem(events, anchored.seq, anchored.hash, f"recorded in the key file by {anchored.actor} at "
                        f"{anchored.at}")


def head_problem(events: list[AuditEvent], seq: int, digest: str, source: str) -> str | None:
    """One sentence if the log does not hold event `seq` with a hash starting `digest` (a printed head)."""
    last = events[-1].seq if events else 0
    if last < seq:
        return (f"{BEHIND} (event {seq}, {source}): the log ends at event {last}, so the newest changes have been "
                "lost; restore the latest backup")
    event = next((event for event in events if event.seq == seq), None)
    if event is None or not event.hash.startswith(digest.lower()):
        return f"the audit log differs from its last known head at event {seq} ({source}): it has been rewritten"
    return None


def parse_head(text: str) -> tuple[int, str]:
    """`SEQ:HASH` as printed in PDFs and backups (HASH at least 16 hex digits); ValueError otherwise."""
    seq_text, _, digest = text.strip().lstrip("#").replace(" ", ":", 1).partition(":")
    digest = digest.strip().lower()
    if not seq_text.isdigit() or int(seq_text) < 1 or not 16 <= len(digest) <= 64 or any(
            symbol not in "0123456789abcdef" for symbol in digest):
        raise ValueError(f"{text!r} is not an audit head: give SEQ:HASH, e.g. 42:3f9a0c1d2e4b5a6f (at least 16 "
                         "hex digits of the hash)")
    return int(seq_text), digest
