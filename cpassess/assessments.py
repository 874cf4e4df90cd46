"""Assessments and their review workflow (DESIGN §7): draft -> submitted -> returned/approved -> superseded.

Submitting freezes the canonical content and the author signs its SHA-256; approval is the team lead's
signature over that same hash, after checking that nothing has changed since the author signed it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from cpassess import audit
from cpassess.authority import sign, verify
from cpassess.dates import utc_now
from cpassess.forms import (
    FormDefinition,
    Problem,
    canonical_content,
    canonical_json,
    content_sha256,
    default_catalog,
    validate_draft,
    validate_submission,
)
from cpassess.workflow import (
    NotAllowed,
    Role,
    Status,
    check_can_correct,
    check_can_edit,
    check_can_reassign,
    check_can_review,
    check_can_submit,
)

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


class SubmissionRefused(Exception):
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
        answers=json.loads(row["answers"]) if answers is None else answers,
        revision=row["revision"], created=row["created"], updated=row["updated"], supersedes=row["supersedes"],
        content_sha256=row["content_sha256"],
        submitted_content=json.loads(row["submitted_content"]) if row["submitted_content"] else None,
        submitted_at=row["submitted_at"], reviewer=row["reviewer"], approved_at=row["approved_at"])


def store_documents(connection: Any, assessment_id: str, stage: str, documents: Mapping[str, bytes]) -> None:
    """Store signed PDFs (copy 'full' or 'family') for a stage, inside the caller's write transaction."""
    for copy, data in documents.items():
        connection.execute(
            "INSERT OR REPLACE INTO documents (assessment_id, copy, stage, pdf, sha256, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (assessment_id, copy, stage, data, hashlib.sha256(data).hexdigest(), utc_now()))


class Assessments:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- reading -------------------------------------------------------------------------------------------

    def get(self, assessment_id: str) -> Assessment:
        row = self._session.db.query_one("SELECT * FROM assessments WHERE id = ?", (assessment_id,))
        if row is None or not self._may_see(row):
            raise NotAllowed(f"There is no assessment with the id {assessment_id} that you can see.")
        return _from_row(row)

    def _without_answers(self, assessment_id: str) -> Assessment:
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

    def review_queue(self) -> list[Assessment]:
        """Submitted assessments this team lead may review (never their own)."""
        if not self._session.actor.has(Role.TEAM_LEAD):
            return []
        return [a for a in self.find(status=Status.SUBMITTED) if a.author != self._session.user.username]

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

    # --- the author's work ---------------------------------------------------------------------------------

    def new(self, child_id: str, form_id: str, version: int | None = None,
            answers: Mapping[str, Any] | None = None) -> Assessment:
        """A new draft for a child, pinned to a form version (the newest unless given)."""
        session = self._session
        session.children.get(child_id)
        try:
            form = default_catalog().get(form_id, version)
        except KeyError as error:
            raise NotAllowed(str(error.args[0]).capitalize() + ".") from None
        clean = validate_draft(form, dict(answers or {}))
        assessment_id = str(uuid.uuid4())
        now = utc_now()
        with session.db.write() as connection:
            connection.execute(
                "INSERT INTO assessments (id, child_id, form_id, form_version, status, author, answers, created, "
                "updated) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?)",
                (assessment_id, child_id, form.id, form.version, session.user.username,
                 json.dumps(clean, ensure_ascii=False), now, now))
            audit.append(connection, session.signing_key, session.user.username, "assessment.created", "assessment",
                         assessment_id, {"form": f"{form.id}.v{form.version}", "child": child_id})
        return self.get(assessment_id)

    def save_draft(self, assessment_id: str, answers: Mapping[str, Any], *, revision: int | None = None) -> Assessment:
        """Store the author's answers (draft validation only); `revision` guards against overwriting newer work."""
        assessment = self._without_answers(assessment_id)  # they are replaced: parsing them would double the cost
        check_can_edit(self._session.actor, assessment.status, assessment.author)
        if revision is not None and revision != assessment.revision:
            raise EditConflict("This assessment was changed somewhere else since you opened it; "
                               "reopen it to see the newer version.")
        clean = validate_draft(self.form_of(assessment), dict(answers))
        now = utc_now()
        with self._session.db.write() as connection:
            cursor = connection.execute(
                "UPDATE assessments SET answers = ?, revision = revision + 1, updated = ? "
                "WHERE id = ? AND revision = ?",
                (json.dumps(clean, ensure_ascii=False), now, assessment_id, assessment.revision))
            if cursor.rowcount != 1:
                raise EditConflict("This assessment was changed somewhere else while saving; reopen it.")
        return replace(assessment, answers=clean, revision=assessment.revision + 1, updated=now)  # what was stored

    def submit(self, assessment_id: str, today: dt.date | None = None) -> Assessment:
        """Full validation, then freeze the canonical content and sign its hash as the author."""
        session = self._session
        assessment = self.get(assessment_id)
        check_can_submit(session.actor, assessment.status, assessment.author)
        form = self.form_of(assessment)
        problems = validate_submission(form, assessment.answers, today)
        if problems:
            raise SubmissionRefused(form, problems)
        child = session.children.get(assessment.child_id)
        content = canonical_content(form, assessment.answers, child.record.snapshot(child.id))
        digest = content_sha256(content)
        signature = sign(session.signing_key, bytes.fromhex(digest))
        from cpassess.export.records import certified_documents

        submitted_at = utc_now()
        # the certified record's cover shows this submission, not an earlier one that was returned
        documents = certified_documents(session, replace(assessment, submitted_at=submitted_at, reviewer=None), digest)
        with session.db.write() as connection:
            store_documents(connection, assessment_id, "submitted", documents)
            connection.execute(
                "UPDATE assessments SET status = 'submitted', submitted_content = ?, content_sha256 = ?, "
                "submitted_at = ?, author_signature = ?, reviewer = NULL, updated = ?, revision = revision + 1 "
                "WHERE id = ?",
                (canonical_json(content).decode("utf-8"), digest, submitted_at, signature, utc_now(), assessment_id))
            connection.execute("UPDATE comments SET resolved = 1 WHERE assessment_id = ?", (assessment_id,))
            audit.append(connection, session.signing_key, session.user.username, "assessment.submitted",
                         "assessment", assessment_id, {"content_sha256": digest})
        return self.get(assessment_id)

    # --- the team lead's review ----------------------------------------------------------------------------

    def add_comment(self, assessment_id: str, text: str, section_id: str | None = None,
                    field_id: str | None = None) -> Comment:
        """A reviewer's comment on the whole assessment, a section or a field."""
        assessment = self.get(assessment_id)
        check_can_review(self._session.actor, assessment.status, assessment.author)
        with self._session.db.write() as connection:
            return self._insert_comment(connection, assessment, text, section_id, field_id)

    def _insert_comment(self, connection: Any, assessment: Assessment, text: str, section_id: str | None,
                        field_id: str | None) -> Comment:
        text = text.strip()
        if not text:
            raise NotAllowed("A comment cannot be empty.")
        form = self.form_of(assessment)
        if field_id is not None:
            try:
                section_id = form.section_of(field_id).id
            except KeyError:
                raise NotAllowed(f"This form has no question '{field_id}'.") from None
        elif section_id is not None and section_id not in {s.id for s in form.sections}:
            raise NotAllowed(f"This form has no section '{section_id}'.")
        now = utc_now()
        cursor = connection.execute(
            "INSERT INTO comments (assessment_id, author, section_id, field_id, text, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (assessment.id, self._session.user.username, section_id, field_id, text, now))
        return Comment(cursor.lastrowid, self._session.user.username, section_id, field_id, text, now)

    def return_for_changes(self, assessment_id: str, comment: str, section_id: str | None = None,
                           field_id: str | None = None) -> Assessment:
        """Send the assessment back to its author; a comment saying why is required."""
        session = self._session
        assessment = self.get(assessment_id)
        check_can_review(session.actor, assessment.status, assessment.author)
        if not comment.strip():
            raise NotAllowed("Say what needs to change: returning an assessment needs a comment.")
        with session.db.write() as connection:
            self._insert_comment(connection, assessment, comment, section_id, field_id)
            connection.execute("UPDATE assessments SET status = 'returned', reviewer = ?, updated = ?, "
                               "revision = revision + 1 WHERE id = ?",
                               (session.user.username, utc_now(), assessment_id))
            audit.append(connection, session.signing_key, session.user.username, "assessment.returned", "assessment",
                         assessment_id, {"reason": comment.strip()})
        return self.get(assessment_id)

    def verify_submitted_content(self, assessment: Assessment) -> str:
        """The content hash, after checking the frozen content and the author's signature; raises ContentMismatch."""
        row = self._session.db.query_one("SELECT submitted_content, content_sha256, author_signature FROM assessments "
                                         "WHERE id = ?", (assessment.id,))
        if row is None or not row["submitted_content"] or not row["content_sha256"]:
            raise ContentMismatch("This assessment has no submitted content.")
        digest = hashlib.sha256(row["submitted_content"].encode("utf-8")).hexdigest()
        if digest != row["content_sha256"]:
            raise ContentMismatch("The submitted content has changed since the author signed it; it cannot be "
                                  "approved. Return it to the author.")
        signature = bytes(row["author_signature"] or b"")
        if not any(verify(cert, bytes.fromhex(digest), signature)
                   for cert in self._session.certificates_of(assessment.author)):
            raise ContentMismatch("The author's signature on the submitted content does not verify.")
        return digest

    def approve(self, assessment_id: str, password: str) -> Assessment:
        """Sign off: the team lead re-enters their password and signs the hash the author submitted."""
        session = self._session
        assessment = self.get(assessment_id)
        check_can_review(session.actor, assessment.status, assessment.author)
        session.confirm_password(password)
        form = self.form_of(assessment)
        problems = validate_submission(form, assessment.answers)
        if problems:
            raise SubmissionRefused(form, problems)
        digest = self.verify_submitted_content(assessment)
        signature = sign(session.signing_key, bytes.fromhex(digest))
        from cpassess.export.records import approved_documents

        submitted = {copy: data for copy in ("full", "family")
                     if (data := self.document(assessment_id, copy, "submitted")) is not None}
        documents = approved_documents(session, submitted)
        with session.db.write() as connection:
            store_documents(connection, assessment_id, "approved", documents)
            cursor = connection.execute(
                "UPDATE assessments SET status = 'approved', reviewer = ?, approved_at = ?, approval_signature = ?, "
                "updated = ?, revision = revision + 1 WHERE id = ? AND status = 'submitted' AND content_sha256 = ?",
                (session.user.username, utc_now(), signature, utc_now(), assessment_id, digest))
            if cursor.rowcount != 1:
                raise EditConflict("The assessment changed while it was being approved; open it again.")
            if assessment.supersedes:
                connection.execute("UPDATE assessments SET status = 'superseded', updated = ? WHERE id = ? "
                                   "AND status = 'approved'", (utc_now(), assessment.supersedes))
            audit.append(connection, session.signing_key, session.user.username, "assessment.approved", "assessment",
                         assessment_id, {"content_sha256": digest})
        return self.get(assessment_id)

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

    # --- the signed PDF record ---------------------------------------------------------------------------------

    def document(self, assessment_id: str, copy: str, stage: str) -> bytes | None:
        """A stored signed PDF: copy 'full' or 'family', stage 'submitted' (certified) or 'approved'."""
        self.get(assessment_id)
        row = self._session.db.query_one("SELECT pdf FROM documents WHERE assessment_id = ? AND copy = ? AND stage = ?",
                                         (assessment_id, copy, stage))
        return bytes(row["pdf"]) if row else None

    # --- after approval ------------------------------------------------------------------------------------

    def start_correction(self, assessment_id: str) -> Assessment:
        """A new draft linked to an approved assessment, which stays as it is until the correction is approved."""
        session = self._session
        assessment = self.get(assessment_id)
        check_can_correct(session.actor, assessment.status, assessment.author)
        existing = session.db.query_one("SELECT id FROM assessments WHERE supersedes = ? AND status != 'approved'",
                                        (assessment_id,))
        if existing is not None:
            raise NotAllowed(f"A correction of this assessment is already under way ({existing['id']}).")
        correction = self.new(assessment.child_id, assessment.form_id, assessment.form_version, assessment.answers)
        with session.db.write() as connection:
            connection.execute("UPDATE assessments SET supersedes = ? WHERE id = ?", (assessment_id, correction.id))
            audit.append(connection, session.signing_key, session.user.username, "assessment.correction_started",
                         "assessment", correction.id, {"corrects": assessment_id})
        return self.get(correction.id)

    def reassign(self, assessment_id: str, username: str) -> Assessment:
        """An administrator hands a draft or returned assessment to another practitioner."""
        session = self._session
        assessment = self.get(assessment_id)
        check_can_reassign(session.actor, assessment.status)
        user = session.user_named(username)
        if user is None or not user.active:
            raise NotAllowed(f"There is no active user '{username}'.")
        with session.db.write() as connection:
            connection.execute("UPDATE assessments SET author = ?, updated = ?, revision = revision + 1 WHERE id = ?",
                               (username, utc_now(), assessment_id))
            audit.append(connection, session.signing_key, session.user.username, "assessment.reassigned",
                         "assessment", assessment_id, {"from": assessment.author, "to": username})
        return self.get(assessment_id)
