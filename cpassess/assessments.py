"""The assessments repository (DESIGN §7): reading assessments, their comments and signed PDFs, and the
statements that store them.

Every change of state (new, save, submit, return, approve, correct, reassign, import) is a transition of the
casework layer (`cpassess.casework`), which checks the rule and calls the store functions here inside its own
write transaction; nothing here decides who may do what.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pydantic_core

from cpassess.dates import utc_now
from cpassess.forms import FormDefinition, Problem, default_catalog
from cpassess.storage import read_stored_json
from cpassess.workflow import NotAllowed, Role, Status

if TYPE_CHECKING:
    from cpassess.session import Session


@dataclass(frozen=True)
class Comment:
    id: int
    author: str
    section_id: str | None
    field_id: str | None
    text: str
    created: str
    resolved: bool = False  # answered by a later resubmission


@dataclass(frozen=True)
class Assessment:
    id: str
    child_id: str
    form_id: str
    form_version: int
    status: Status
    author: str
    answers: dict[str, Any]
    revision: int
    created: str
    updated: str
    supersedes: str | None
    content_sha256: str | None
    submitted_content: dict[str, Any] | None
    submitted_at: str | None
    reviewer: str | None
    approved_at: str | None

    def summary(self) -> dict[str, Any]:
        """The fields `assessment list --json` prints."""
        return {"id": self.id, "child_id": self.child_id, "form_id": self.form_id, "form_version": self.form_version,
                "status": self.status.value, "author": self.author, "updated": self.updated,
                "submitted_at": self.submitted_at, "approved_at": self.approved_at, "reviewer": self.reviewer,
                "supersedes": self.supersedes}


class SubmissionRefused(Exception):  # raised by the casework layer, here so the UI and CLI can catch it
    """The answers are not ready to submit; `problems` lists every one."""

    def __init__(self, form: FormDefinition, problems: list[Problem]) -> None:
        self.form = form
        self.problems = problems
        super().__init__(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} to put right before submitting: "
                         + "; ".join(problem.describe(form) for problem in problems))


class ContentMismatch(Exception):
    """The stored submitted content no longer matches what the author signed."""


class EditConflict(Exception):
    """The assessment changed since it was opened (another window or an imported package)."""


def _from_row(row: Mapping[str, Any], answers: dict[str, Any] | None = None) -> Assessment:
    return Assessment(
        id=row["id"], child_id=row["child_id"], form_id=row["form_id"], form_version=row["form_version"],
        status=Status(row["status"]), author=row["author"],
        answers=read_stored_json(row["answers"], f"the answers of assessment {row['id']}") if answers is None
        else answers,
        revision=row["revision"], created=row["created"], updated=row["updated"], supersedes=row["supersedes"],
        content_sha256=row["content_sha256"],
        submitted_content=read_stored_json(row["submitted_content"], f"the submitted content of assessment {row['id']}")
        if row["submitted_content"] else None,
        submitted_at=row["submitted_at"], reviewer=row["reviewer"], approved_at=row["approved_at"])


@dataclass(frozen=True)
class StoredDocument:
    """A signed PDF as stored, with the font warnings worked out when it was rendered."""

    pdf: bytes
    warnings: tuple[str, ...]


def store_documents(connection: Any, assessment_id: str, stage: str,
                    documents: Mapping[str, bytes | StoredDocument]) -> None:
    """Store signed PDFs (copy 'full' or 'family') for a stage, inside the caller's write transaction; a PDF
    given as bare bytes keeps the warnings stored with the same copy at an earlier stage."""
    for copy, document in documents.items():
        data = document.pdf if isinstance(document, StoredDocument) else document
        if isinstance(document, StoredDocument):
            warnings = json.dumps(list(document.warnings), ensure_ascii=False)
        else:
            earlier = connection.execute("SELECT warnings FROM documents WHERE assessment_id = ? AND copy = ? "
                                         "ORDER BY stage DESC LIMIT 1", (assessment_id, copy)).fetchone()
            warnings = earlier[0] if earlier else "[]"
        connection.execute(
            "INSERT OR REPLACE INTO documents (assessment_id, copy, stage, pdf, sha256, created, warnings) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (assessment_id, copy, stage, data, hashlib.sha256(data).hexdigest(), utc_now(), warnings))


# --- the statements the casework layer's transitions run, inside their write transaction -----------------------


def stored_answers(answers: Mapping[str, Any]) -> str:
    """Answers as stored: JSON written by pydantic's Rust serialiser, five times quicker than `json.dumps` for a
    full GIRFEC assessment's 30 KB at every autosave (compact, UTF-8 as it is; read back with `json.loads`)."""
    return pydantic_core.to_json(answers).decode("utf-8")


def insert_draft(connection: Any, assessment_id: str, child_id: str, form: FormDefinition, author: str,
                 answers: Mapping[str, Any], now: str) -> None:
    connection.execute(
        "INSERT INTO assessments (id, child_id, form_id, form_version, status, author, answers, created, updated) "
        "VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?)",
        (assessment_id, child_id, form.id, form.version, author, stored_answers(answers), now, now))


def store_answers(connection: Any, assessment: Assessment, answers: Mapping[str, Any], now: str,
                  form: FormDefinition | None = None) -> bool:
    """The author's answers (and, when moving to another form version, that version); False when the assessment
    was changed since `assessment` was read."""
    version = form.version if form is not None else assessment.form_version
    cursor = connection.execute(
        "UPDATE assessments SET answers = ?, form_version = ?, revision = revision + 1, updated = ? "
        "WHERE id = ? AND revision = ?",
        (stored_answers(answers), version, now, assessment.id, assessment.revision))
    return bool(cursor.rowcount == 1)


def store_submission(connection: Any, assessment: Assessment, content_json: str, digest: str, submitted_at: str,
                     author_signature: bytes) -> bool:
    """Freeze the submitted content; False when the assessment was changed since `assessment` was read."""
    cursor = connection.execute(
        "UPDATE assessments SET status = 'submitted', submitted_content = ?, content_sha256 = ?, submitted_at = ?, "
        "author_signature = ?, reviewer = NULL, updated = ?, revision = revision + 1 WHERE id = ? AND revision = ?",
        (content_json, digest, submitted_at, author_signature, utc_now(), assessment.id, assessment.revision))
    if cursor.rowcount != 1:
        return False
    connection.execute("UPDATE comments SET resolved = 1 WHERE assessment_id = ?", (assessment.id,))
    return True


def insert_comment(connection: Any, assessment_id: str, author: str, section_id: str | None, field_id: str | None,
                   text: str, now: str) -> Comment:
    cursor = connection.execute(
        "INSERT INTO comments (assessment_id, author, section_id, field_id, text, created) VALUES (?, ?, ?, ?, ?, ?)",
        (assessment_id, author, section_id, field_id, text, now))
    return Comment(cursor.lastrowid, author, section_id, field_id, text, now)


def store_return(connection: Any, assessment_id: str, reviewer: str) -> None:
    connection.execute("UPDATE assessments SET status = 'returned', reviewer = ?, updated = ?, revision = revision + 1 "
                       "WHERE id = ?", (reviewer, utc_now(), assessment_id))


def store_approval(connection: Any, assessment: Assessment, reviewer: str, approved_at: str, signature: bytes,
                   digest: str) -> bool:
    """Approve a submitted assessment whose content hash is still `digest`, and supersede what it corrects;
    False when it changed since it was read."""
    cursor = connection.execute(
        "UPDATE assessments SET status = 'approved', reviewer = ?, approved_at = ?, approval_signature = ?, "
        "updated = ?, revision = revision + 1 WHERE id = ? AND status = 'submitted' AND content_sha256 = ?",
        (reviewer, approved_at, signature, utc_now(), assessment.id, digest))
    if cursor.rowcount != 1:
        return False
    if assessment.supersedes:
        connection.execute("UPDATE assessments SET status = 'superseded', updated = ? WHERE id = ? "
                           "AND status = 'approved'", (utc_now(), assessment.supersedes))
    return True


def store_author(connection: Any, assessment_id: str, username: str) -> None:
    connection.execute("UPDATE assessments SET author = ?, updated = ?, revision = revision + 1 WHERE id = ?",
                       (username, utc_now(), assessment_id))


def link_correction(connection: Any, correction_id: str, corrected_id: str) -> None:
    connection.execute("UPDATE assessments SET supersedes = ? WHERE id = ?", (corrected_id, correction_id))


@dataclass(frozen=True)
class Signatures:
    """What the author and the team lead signed, as stored."""

    submitted_content: str | None
    content_sha256: str | None
    author_signature: bytes
    approval_signature: bytes


class Assessments:
    """Reading the assessments the signed-in user may see (DESIGN §7: a practitioner sees their own and those of
    the children on their caseload; team leads and administrators see the team's)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, assessment_id: str) -> Assessment:
        row = self._session.db.query_one("SELECT * FROM assessments WHERE id = ?", (assessment_id,))
        if row is None or not self._may_see(row):
            raise NotAllowed(f"There is no assessment with the id {assessment_id} that you can see.")
        return _from_row(row)

    def without_answers(self, assessment_id: str) -> Assessment:
        """As `get`, for a caller about to replace the answers (autosave): `answers` is left empty."""
        row = self._session.db.query_one(
            "SELECT id, child_id, form_id, form_version, status, author, revision, created, updated, supersedes, "
            "content_sha256, submitted_content, submitted_at, reviewer, approved_at FROM assessments WHERE id = ?",
            (assessment_id,))
        if row is None or not self._may_see(row):
            raise NotAllowed(f"There is no assessment with the id {assessment_id} that you can see.")
        return _from_row(row, answers={})

    def _may_see(self, row: Mapping[str, Any]) -> bool:
        actor = self._session.actor
        if actor.has(Role.TEAM_LEAD) or actor.has(Role.ADMINISTRATOR) or row["author"] == actor.username:
            return True
        return self._session.db.query_one("SELECT 1 FROM children WHERE id = ? AND owner = ?",
                                          (row["child_id"], actor.username)) is not None

    def find(self, child_id: str | None = None, status: Status | None = None) -> list[Assessment]:
        sql, parameters = "SELECT * FROM assessments WHERE 1 = 1", []
        if child_id is not None:
            sql += " AND child_id = ?"
            parameters.append(child_id)
        if status is not None:
            sql += " AND status = ?"
            parameters.append(status.value)
        rows = self._session.db.query(sql + " ORDER BY updated DESC", parameters)
        return [_from_row(row) for row in rows if self._may_see(row)]

    def comments(self, assessment_id: str) -> list[Comment]:
        self.get(assessment_id)
        rows = self._session.db.query("SELECT * FROM comments WHERE assessment_id = ? ORDER BY id", (assessment_id,))
        return [Comment(row["id"], row["author"], row["section_id"], row["field_id"], row["text"], row["created"],
                        bool(row["resolved"])) for row in rows]

    def form_of(self, assessment: Assessment) -> FormDefinition:
        """The form version this assessment is pinned to."""
        try:
            return default_catalog().get(assessment.form_id, assessment.form_version)
        except KeyError:
            raise NotAllowed(f"This assessment uses {assessment.form_id} version {assessment.form_version}, "
                             "which is not installed on this computer.") from None

    def signatures(self, assessment_id: str) -> Signatures:
        self.get(assessment_id)
        row = self._session.db.query_one("SELECT submitted_content, content_sha256, author_signature, "
                                         "approval_signature FROM assessments WHERE id = ?", (assessment_id,))
        if row is None:
            return Signatures(None, None, b"", b"")
        return Signatures(row["submitted_content"], row["content_sha256"], bytes(row["author_signature"] or b""),
                          bytes(row["approval_signature"] or b""))

    def raw_row(self, assessment_id: str) -> Mapping[str, Any] | None:
        """The stored row as it is (for packages and checks), whoever may see it."""
        row: Mapping[str, Any] | None = self._session.db.query_one("SELECT * FROM assessments WHERE id = ?",
                                                                   (assessment_id,))
        return row

    # --- crash recovery: which draft was open --------------------------------------------------------------

    def mark_editing(self, assessment_id: str) -> None:
        """Remember that this user has this draft open, so a crash can offer it again at the next unlock."""
        with self._session.db.write() as connection:
            connection.execute("INSERT OR REPLACE INTO editing (username, assessment_id, started) VALUES (?, ?, ?)",
                               (self._session.user.username, assessment_id, utc_now()))

    def clear_editing(self) -> None:
        with self._session.db.write() as connection:
            connection.execute("DELETE FROM editing WHERE username = ?", (self._session.user.username,))

    def interrupted_edit(self) -> Assessment | None:
        """The draft this user had open when cpassess last stopped without closing it, if it is still editable."""
        row = self._session.db.query_one("SELECT assessment_id FROM editing WHERE username = ?",
                                         (self._session.user.username,))
        if row is None:
            return None
        try:
            assessment = self.get(row["assessment_id"])
        except NotAllowed:
            return None
        return assessment if assessment.status in (Status.DRAFT, Status.RETURNED) else None

    # --- the signed PDF record -----------------------------------------------------------------------------

    def stored_document(self, assessment_id: str, copy: str, stage: str) -> StoredDocument | None:
        """A stored signed PDF: copy 'full' or 'family', stage 'submitted' (certified) or 'approved'."""
        self.get(assessment_id)
        row = self._session.db.query_one("SELECT pdf, warnings FROM documents WHERE assessment_id = ? AND copy = ? "
                                         "AND stage = ?", (assessment_id, copy, stage))
        if row is None:
            return None
        try:
            warnings = tuple(str(w) for w in json.loads(row["warnings"]))
        except (TypeError, ValueError):
            warnings = ()
        return StoredDocument(bytes(row["pdf"]), warnings)

    def document(self, assessment_id: str, copy: str, stage: str) -> bytes | None:
        stored = self.stored_document(assessment_id, copy, stage)
        return stored.pdf if stored else None

    def documents(self, assessment_id: str, stage: str) -> dict[str, bytes]:
        """Both copies stored for a stage (those there are)."""
        return {copy: data for copy in ("full", "family")
                if (data := self.document(assessment_id, copy, stage)) is not None}

