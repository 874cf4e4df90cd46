"""The schema, as a list of migrations on `PRAGMA user_version`; each runs in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cpassess.search import child_key

_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE users (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    certificate BLOB NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL
);
CREATE TABLE certificates (
    serial TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    certificate BLOB NOT NULL,
    issued TEXT NOT NULL
);
CREATE TABLE children (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    search TEXT NOT NULL,
    owner TEXT NOT NULL REFERENCES users(username),
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    form_id TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'superseded')),
    author TEXT NOT NULL REFERENCES users(username),
    answers TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    supersedes TEXT REFERENCES assessments(id),
    submitted_content TEXT,
    content_sha256 TEXT,
    submitted_at TEXT,
    author_signature BLOB,
    reviewer TEXT REFERENCES users(username),
    approved_at TEXT,
    approval_signature BLOB
);
CREATE INDEX assessments_by_child ON assessments(child_id);
CREATE INDEX assessments_by_status ON assessments(status);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    author TEXT NOT NULL REFERENCES users(username),
    section_id TEXT,
    field_id TEXT,
    text TEXT NOT NULL,
    created TEXT NOT NULL,
    resolved INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX comments_by_assessment ON comments(assessment_id);
CREATE TABLE documents (
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    copy TEXT NOT NULL CHECK (copy IN ('full', 'family')),
    stage TEXT NOT NULL CHECK (stage IN ('submitted', 'approved')),
    pdf BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (assessment_id, copy, stage)
);
CREATE TABLE editing (
    username TEXT PRIMARY KEY REFERENCES users(username),
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    started TEXT NOT NULL
);
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    signature BLOB NOT NULL
);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER approved_is_final BEFORE UPDATE ON assessments
WHEN OLD.status IN ('approved', 'superseded') AND (
    NEW.answers IS NOT OLD.answers OR NEW.submitted_content IS NOT OLD.submitted_content
    OR NEW.content_sha256 IS NOT OLD.content_sha256 OR NEW.approval_signature IS NOT OLD.approval_signature
    OR NOT (NEW.status = OLD.status OR (OLD.status = 'approved' AND NEW.status = 'superseded')))
BEGIN SELECT RAISE(ABORT, 'an approved assessment never changes'); END;
CREATE TRIGGER approved_documents_are_final BEFORE UPDATE ON documents
WHEN OLD.stage = 'approved'
BEGIN SELECT RAISE(ABORT, 'an approved document never changes'); END;
"""

# An approved (or superseded) assessment is the record of a sign-off: besides approved -> superseded (and the
# time of that change) nothing in the row may change, and the row may not be deleted.
_V2 = """
DROP TRIGGER approved_is_final;
CREATE TRIGGER approved_is_final BEFORE UPDATE ON assessments
WHEN OLD.status IN ('approved', 'superseded') AND (
    NEW.id IS NOT OLD.id OR NEW.child_id IS NOT OLD.child_id OR NEW.form_id IS NOT OLD.form_id
    OR NEW.form_version IS NOT OLD.form_version OR NEW.author IS NOT OLD.author OR NEW.answers IS NOT OLD.answers
    OR NEW.revision IS NOT OLD.revision OR NEW.created IS NOT OLD.created OR NEW.supersedes IS NOT OLD.supersedes
    OR NEW.submitted_content IS NOT OLD.submitted_content OR NEW.content_sha256 IS NOT OLD.content_sha256
    OR NEW.submitted_at IS NOT OLD.submitted_at OR NEW.author_signature IS NOT OLD.author_signature
    OR NEW.reviewer IS NOT OLD.reviewer OR NEW.approved_at IS NOT OLD.approved_at
    OR NEW.approval_signature IS NOT OLD.approval_signature
    OR NOT (NEW.status = OLD.status OR (OLD.status = 'approved' AND NEW.status = 'superseded')))
BEGIN SELECT RAISE(ABORT, 'an approved assessment never changes'); END;
CREATE TRIGGER approved_is_never_deleted BEFORE DELETE ON assessments
WHEN OLD.status IN ('approved', 'superseded')
BEGIN SELECT RAISE(ABORT, 'an approved assessment never changes'); END;
"""

# v3: offline exchange between laptops (DESIGN §10)
_V3 = """
CREATE TABLE package_sequence (
    peer TEXT PRIMARY KEY,
    last_sent INTEGER NOT NULL DEFAULT 0,
    last_received INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE imported_events (
    package_sha256 TEXT NOT NULL,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (package_sha256, seq)
);
CREATE TRIGGER approved_documents_are_never_deleted BEFORE DELETE ON documents
WHEN OLD.stage = 'approved'
BEGIN SELECT RAISE(ABORT, 'an approved document never changes'); END;
"""

# v4: the casework layer (DESIGN §16): font warnings kept with each signed PDF (worked out once, when it was
# rendered), a revision on each child record so an import never overwrites newer details, and the conflicts kept.
_V4 = """
ALTER TABLE documents ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
ALTER TABLE children ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
CREATE TABLE child_conflicts (
    id INTEGER PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    theirs TEXT NOT NULL,
    their_revision INTEGER NOT NULL,
    sender TEXT NOT NULL,
    received TEXT NOT NULL
);
CREATE INDEX child_conflicts_by_child ON child_conflicts(child_id);
"""
# v5: the team server's outbox and inbox (DESIGN §15). A package is kept here, sealed as it was exported,
# until the server has it; what is fetched is stored before the server forgets it, then imported from here.
_V5 = """
CREATE TABLE server_outbox (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('submission', 'decision', 'roster')),
    recipient TEXT,
    package BLOB,
    created TEXT NOT NULL,
    sent TEXT
);
CREATE TABLE server_inbox (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    package BLOB,
    received TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'imported', 'refused')),
    reason TEXT,
    settled TEXT
);
"""
# v6: leavers (DESIGN §8.7): a revoked certificate signs nothing after its revocation; never un-revoked
_V6 = """
CREATE TABLE revocations (
    serial TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    revoked_at TEXT NOT NULL
);
CREATE TRIGGER revocations_are_final BEFORE UPDATE ON revocations
BEGIN SELECT RAISE(ABORT, 'a revocation never changes'); END;
CREATE TRIGGER revocations_are_never_deleted BEFORE DELETE ON revocations
BEGIN SELECT RAISE(ABORT, 'a revocation never changes'); END;
"""


# What the caseload list shows of a child, kept beside the record so that listing 10,000 children reads a few
# short columns instead of parsing every record (SQLite's JSON functions are slow under cipher_memory_security).
# Triggers keep them in step with the record whoever writes it (the caseload, a package import).
# column <- where in the record it comes from
_LISTED = {"family_name": "$.family_name", "given_names": "$.given_names", "known_as": "$.known_as",
           "date_of_birth": "$.date_of_birth", "chi": "$.chi", "registered": "$.protection.registered",
           "next_cppm": "$.next_cppm", "next_core_group": "$.next_core_group", "concern_date": "$.concern_date",
           "last_cppm": "$.last_cppm", "last_core_group": "$.last_core_group"}


def _listed_from(record: str) -> str:
    return ",\n    ".join(f"{column} = json_extract({record}, '{path}')" for column, path in _LISTED.items())


# built from the constant column list above, never from input
_CASELOAD_COLUMNS = "".join(
    f"ALTER TABLE children ADD COLUMN {column} {'INTEGER' if column == 'registered' else 'TEXT'};\n"
    for column in _LISTED) + f"""CREATE TRIGGER children_listed_when_inserted AFTER INSERT ON children
BEGIN UPDATE children SET
    {_listed_from("NEW.record")}
    WHERE rowid = NEW.rowid; END;
CREATE TRIGGER children_listed_when_updated AFTER UPDATE OF record ON children
BEGIN UPDATE children SET
    {_listed_from("NEW.record")}
    WHERE rowid = NEW.rowid; END;
UPDATE children SET
    {_listed_from("record")};
"""  # noqa: S608


def _V7(connection: Any) -> None:
    """The caseload's columns beside each record, and search keys folded for accents, case and punctuation
    (cpassess.search) so "lukasz" finds Łukasz in children stored before; Python, as SQL cannot fold text."""
    for statement in _statements(_CASELOAD_COLUMNS):
        connection.execute(statement)
    rows = connection.execute("SELECT id, record FROM children").fetchall()
    connection.executemany("UPDATE children SET search = ? WHERE id = ?", [
        (child_key(record["given_names"], record["family_name"], record.get("known_as") or "", record.get("chi")),
         child_id) for child_id, record in ((row[0], json.loads(row[1])) for row in rows)])


# v8: the events a practitioner adds to a child's chronology (DESIGN §16); those from the record are not stored
_V8 = """
CREATE TABLE chronology_events (
    id TEXT PRIMARY KEY,
    child_id TEXT NOT NULL REFERENCES children(id),
    event_date TEXT NOT NULL,
    event TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    impact TEXT NOT NULL DEFAULT '',
    sensitive INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
    added_by TEXT NOT NULL REFERENCES users(username),
    added TEXT NOT NULL
);
CREATE INDEX chronology_by_child ON chronology_events(child_id, event_date);
"""

# v9 (the team server): a leaver's server login still to be ended, kept here until an administrator's laptop has
# reached the server (DESIGN §8.7, §15); and the imports found by the package they came in, which sync asks of
# every package it delivers (without the index, a scan of the whole audit log each time).
_V9 = """
CREATE TABLE server_removals (
    username TEXT PRIMARY KEY,
    requested TEXT NOT NULL,
    ended TEXT
);
CREATE INDEX audit_imported_packages ON audit_events(json_extract(detail, '$.package_sha256'))
    WHERE action = 'package.imported';
"""

# v10 (the team server): what waits to be sent or imported, counted from indexes, for the sync status shown at every
# unlock: counting the tables themselves read every package (the blobs stand before the columns counted)
_V10 = """
CREATE INDEX server_outbox_unsent ON server_outbox(sent) WHERE sent IS NULL;
CREATE INDEX server_inbox_by_state ON server_inbox(state);
"""

# A migration is an SQL script or a Python step given the connection (STYLE point 20); each runs in one transaction.
Migration = str | Callable[[Any], None]

MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9, _V10)


class NewerSchema(Exception):
    """The database was made by a newer cpassess than this one; it is left untouched."""


def _statements(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies (which contain ';') whole."""
    statements, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if line.rstrip().endswith(";") and (not current.lstrip().upper().startswith("CREATE TRIGGER")
                                            or line.strip().upper().endswith("END;")):
            statements.append(current.strip())
            current = ""
    return statements


def migrate(connection: Any) -> None:
    """Bring the schema up to date; a database from a newer cpassess is refused, not touched."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise NewerSchema("this database was made by a newer version of cpassess")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            if callable(script):
                script(connection)
            else:
                for statement in _statements(script):
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
