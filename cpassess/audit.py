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
