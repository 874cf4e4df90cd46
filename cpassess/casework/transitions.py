"""Every transition of an assessment (DESIGN §7, §16): new, save, submit, return, approve, correct, reassign,
migrate, comment.

Each one asks `allowed_actions` whether this user may do it now, builds the canonical content, renders and signs
the PDFs from that content, and stores and audits the result in one write transaction; it returns the assessment
as stored, for the screens to refresh from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cpassess import assessments as store
from cpassess import audit
from cpassess.assessments import Assessment, Comment, ContentMismatch, EditConflict, SubmissionRefused
from cpassess.authority import sign
from cpassess.casework.actions import Action, Allowed, allowed_actions
from cpassess.casework.binding import SignedContent, content_problems, record_problems
from cpassess.casework.content import assessment_content
from cpassess.casework.documents import approved_documents, certified_documents
from cpassess.chronology import Chronology
from cpassess.dates import utc_now
from cpassess.forms import (
    FormDefinition,
    Migration,
    canonical_json,
    default_catalog,
    migrate_answers,
    validate_draft,
    validate_submission,
)
from cpassess.forms.canonical import canonical_answers
from cpassess.forms.cross_field import cross_field_warnings
from cpassess.forms.prefill import prefilled_answers
from cpassess.workflow import NotAllowed, Status

if TYPE_CHECKING:
    from cpassess.session import Session

CHANGED_ELSEWHERE = ("This assessment was changed somewhere else since you opened it; reopen it to see the newer "
                     "version.")


class Casework:
    """The signed-in user's casework: every change to an assessment goes through here. `Casework.of(session)`
    gives the one for a session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @classmethod
    def of(cls, session: Session) -> Casework:
        # a new one each time (it keeps nothing but the session): a cache keyed weakly by the session, holding
        # this, which holds the session, kept every session ever opened alive
        return cls(session)

    # --- what may be done ----------------------------------------------------------------------------------

    def allowed(self, assessment: Assessment) -> Allowed:
        """What the signed-in user may do with `assessment` now (and why not the rest)."""
        return allowed_actions(self._session.actor, assessment,
                               newest_version=default_catalog().newest_version(assessment.form_id))

    def review_queue(self) -> list[Assessment]:
        """Submitted assessments this user may approve (a team lead's, never their own)."""
        return [a for a in self._session.assessments.find(status=Status.SUBMITTED) if Action.APPROVE in self.allowed(a)]

    def _get(self, assessment_id: str, action: Action) -> Assessment:
        assessment = self._session.assessments.get(assessment_id)
        self.allowed(assessment).require(action)
        return assessment

    def _audit(self, connection: Any, action: str, assessment_id: str, detail: Mapping[str, Any] | None = None) -> None:
        session = self._session
        audit.append(connection, session.signing_key, session.user.username, action, "assessment", assessment_id,
                     detail)

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
        prefilled = prefilled_answers(form, self._last_approved_answers(child_id),
                                      lambda: Chronology(session).prefill_rows(child_id))
        clean = validate_draft(form, {**prefilled, **dict(answers or {})})
        assessment_id = str(uuid.uuid4())
        with session.db.write() as connection:
            store.insert_draft(connection, assessment_id, child_id, form, session.user.username, clean, utc_now())
            self._audit(connection, "assessment.created", assessment_id,
                        {"form": f"{form.id}.v{form.version}", "child": child_id})
        return session.assessments.get(assessment_id)

    def _last_approved_answers(self, child_id: str) -> Callable[[str], dict[str, Any] | None]:
        """For a form's prefill: the answers (as counted) of the child's last approved assessment of a form."""
        def last_approved(form_id: str) -> dict[str, Any] | None:
            approved = [a for a in self._session.assessments.find(child_id=child_id, status=Status.APPROVED)
                        if a.form_id == form_id]
            if not approved:
                return None
            latest = max(approved, key=lambda a: a.approved_at or "")
            return canonical_answers(self._session.assessments.form_of(latest), latest.answers)
        return last_approved

    def save_draft(self, assessment_id: str, answers: Mapping[str, Any], *, revision: int | None = None) -> Assessment:
        """Store the author's answers (draft validation only); `revision` guards against overwriting newer work."""
        assessment = self._session.assessments.without_answers(assessment_id)  # replaced: no need to parse them
        self.allowed(assessment).require(Action.EDIT)
        if revision is not None and revision != assessment.revision:
            raise EditConflict(CHANGED_ELSEWHERE)
        clean = validate_draft(self._session.assessments.form_of(assessment), dict(answers))
        now = utc_now()
        with self._session.db.write() as connection:
            if not store.store_answers(connection, assessment, clean, now):
                raise EditConflict("This assessment was changed somewhere else while saving; reopen it.")
        return replace(assessment, answers=clean, revision=assessment.revision + 1, updated=now)  # what was stored

    def submit(self, assessment_id: str, today: dt.date | None = None) -> Assessment:
        """Full validation; then the canonical content is frozen, its hash signed by the author, and both copies
        rendered from it and certified, all stored in one transaction."""
        session = self._session
        assessment = self._get(assessment_id, Action.SUBMIT)
        form = session.assessments.form_of(assessment)
        problems = validate_submission(form, assessment.answers, today)
        if problems:
            raise SubmissionRefused(form, problems)
        content = assessment_content(session, assessment)
        content_json = canonical_json(content)
        digest = hashlib.sha256(content_json).hexdigest()
        signature = sign(session.signing_key, bytes.fromhex(digest))
        submitted_at = utc_now()
        # the certified record's cover shows this submission, not an earlier one that was returned
        documents = certified_documents(session, replace(assessment, submitted_at=submitted_at, reviewer=None),
                                        form, content)
        with session.db.write() as connection:
            if not store.store_submission(connection, assessment, content_json.decode("utf-8"), digest, submitted_at,
                                          signature):
                raise EditConflict(CHANGED_ELSEWHERE)
            store.store_documents(connection, assessment_id, "submitted", documents)
            self._audit(connection, "assessment.submitted", assessment_id, {"content_sha256": digest})
        return session.assessments.get(assessment_id)

    def warnings(self, assessment_id: str) -> list[str]:
        """The form's cross-field warnings that hold for this assessment's answers: shown, never blocking."""
        assessment = self._session.assessments.get(assessment_id)
        form = self._session.assessments.form_of(assessment)
        return [warning.describe(form) for warning in cross_field_warnings(form, assessment.answers)]

    def migration(self, assessment_id: str, to_version: int | None = None) -> Migration:
        """What moving a draft to a newer version of its form would keep, drop and add (nothing is changed)."""
        assessment = self._get(assessment_id, Action.MIGRATE)
        source = self._session.assessments.form_of(assessment)
        try:
            target = default_catalog().get(assessment.form_id, to_version)
        except KeyError as error:
            raise NotAllowed(str(error.args[0]).capitalize() + ".") from None
        if target.version <= source.version:
            raise NotAllowed(f"Version {target.version} is not newer than the version this assessment uses "
                             f"({source.version}).")
        return migrate_answers(assessment.answers, source, target)

    def migrate(self, assessment_id: str, to_version: int | None = None) -> Assessment:
        """Move a draft to a newer version of its form: answers kept by field id, the rest dropped (audited)."""
        assessment = self._get(assessment_id, Action.MIGRATE)
        migration = self.migration(assessment_id, to_version)
        target: FormDefinition = migration.target
        with self._session.db.write() as connection:
            if not store.store_answers(connection, assessment, migration.answers, utc_now(), target):
                raise EditConflict(CHANGED_ELSEWHERE)
            self._audit(connection, "assessment.migrated", assessment_id, {
                "from": assessment.form_version, "to": target.version,
                "dropped": [answer.field_id for answer in migration.dropped]})
        return self._session.assessments.get(assessment_id)

    # --- the team lead's review ----------------------------------------------------------------------------

    def add_comment(self, assessment_id: str, text: str, section_id: str | None = None,
                    field_id: str | None = None) -> Comment:
        """A reviewer's comment on the whole assessment, a section or a field."""
        assessment = self._get(assessment_id, Action.COMMENT)
        with self._session.db.write() as connection:
            return self._insert_comment(connection, assessment, text, section_id, field_id)

    def _insert_comment(self, connection: Any, assessment: Assessment, text: str, section_id: str | None,
                        field_id: str | None) -> Comment:
        text = text.strip()
        if not text:
            raise NotAllowed("A comment cannot be empty.")
        form = self._session.assessments.form_of(assessment)
        if field_id is not None:
            try:
                section_id = form.section_of(field_id).id
            except KeyError:
                raise NotAllowed(f"This form has no question '{field_id}'.") from None
        elif section_id is not None and section_id not in {s.id for s in form.sections}:
            raise NotAllowed(f"This form has no section '{section_id}'.")
        return store.insert_comment(connection, assessment.id, self._session.user.username, section_id, field_id,
                                    text, utc_now())

    def return_for_changes(self, assessment_id: str, comment: str, section_id: str | None = None,
                           field_id: str | None = None) -> Assessment:
        """Send the assessment back to its author; a comment saying why is required."""
        session = self._session
        assessment = self._get(assessment_id, Action.RETURN)
        if not comment.strip():
            raise NotAllowed("Say what needs to change: returning an assessment needs a comment.")
        with session.db.write() as connection:
            self._insert_comment(connection, assessment, comment, section_id, field_id)
            store.store_return(connection, assessment_id, session.user.username)
            self._audit(connection, "assessment.returned", assessment_id, {"reason": comment.strip()})
        return session.assessments.get(assessment_id)

    def _signed_content(self, assessment: Assessment, form: FormDefinition) -> tuple[str, dict[str, Any]]:
        """The content the author signed and its hash, once it is shown to hash to the stored hash, to carry the
        author's signature and to be this assessment with the answers as stored; raises ContentMismatch."""
        signed = self._session.assessments.signatures(assessment.id)
        problems, content = content_problems(SignedContent(
            assessment.id, form, signed.submitted_content, signed.content_sha256, signed.author_signature,
            assessment.answers), self._session.certificates_of(assessment.author))
        if problems or content is None:
            raise ContentMismatch(f"This assessment cannot be approved: {problems[0]}. Return it to the author.")
        return str(signed.content_sha256), content

    def approve(self, assessment_id: str, password: str) -> Assessment:
        """Sign off: the team lead re-enters their password and signs the hash the author submitted, and adds their
        approval signature to exactly the certified PDFs, once they are shown to carry that same content."""
        session = self._session
        assessment = self._get(assessment_id, Action.APPROVE)
        session.confirm_password(password)
        form = session.assessments.form_of(assessment)
        problems = validate_submission(form, assessment.answers)
        if problems:
            raise SubmissionRefused(form, problems)
        digest, content = self._signed_content(assessment, form)
        submitted = session.assessments.documents(assessment_id, "submitted")
        mismatch = record_problems(form, content, submitted)
        if mismatch:
            raise ContentMismatch(f"The certified PDF does not show the submitted content: {mismatch[0]}.")
        signature = sign(session.signing_key, bytes.fromhex(digest))
        documents = approved_documents(session, submitted)
        with session.db.write() as connection:
            if not store.store_approval(connection, assessment, session.user.username, utc_now(), signature, digest):
                raise EditConflict("The assessment changed while it was being approved; open it again.")
            store.store_documents(connection, assessment_id, "approved", documents)
            self._audit(connection, "assessment.approved", assessment_id, {"content_sha256": digest})
        return session.assessments.get(assessment_id)

    # --- after approval ------------------------------------------------------------------------------------

    def start_correction(self, assessment_id: str) -> Assessment:
        """A new draft linked to an approved assessment, which stays as it is until the correction is approved."""
        session = self._session
        assessment = self._get(assessment_id, Action.CORRECT)
        existing = session.db.query_one("SELECT id FROM assessments WHERE supersedes = ? AND status != 'approved'",
                                        (assessment_id,))
        if existing is not None:
            raise NotAllowed(f"A correction of this assessment is already under way ({existing['id']}).")
        form = session.assessments.form_of(assessment)
        correction_id = str(uuid.uuid4())
        with session.db.write() as connection:
            store.insert_draft(connection, correction_id, assessment.child_id, form, session.user.username,
                               assessment.answers, utc_now())
            store.link_correction(connection, correction_id, assessment_id)
            self._audit(connection, "assessment.created", correction_id,
                        {"form": f"{form.id}.v{form.version}", "child": assessment.child_id})
            self._audit(connection, "assessment.correction_started", correction_id, {"corrects": assessment_id})
        return session.assessments.get(correction_id)

    def reassign(self, assessment_id: str, username: str) -> Assessment:
        """An administrator hands a draft or returned assessment to another practitioner."""
        session = self._session
        assessment = self._get(assessment_id, Action.REASSIGN)
        user = session.user_named(username)
        if user is None or not user.active:
            raise NotAllowed(f"There is no active user '{username}'.")
        with session.db.write() as connection:
            store.store_author(connection, assessment_id, username)
            self._audit(connection, "assessment.reassigned", assessment_id, {"from": assessment.author, "to": username})
        return session.assessments.get(assessment_id)
