"""The review workflow (DESIGN §7): who may do what, when; approvals bound to content; corrections."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

import pytest

from cpassess.assessments import ContentMismatch, EditConflict, SubmissionRefused
from cpassess.authority import verify
from cpassess.casework import Casework
from cpassess.demo import sample_answers
from cpassess.forms import AnswersError, canonical_content, canonical_json, content_sha256, default_catalog
from cpassess.session import Session
from cpassess.storage import StorageError
from cpassess.workflow import (
    Actor,
    NotAllowed,
    Role,
    Status,
    check_can_correct,
    check_can_edit,
    check_can_reassign,
    check_can_review,
)
from tests.helpers import Team

FORM = "neglect-assessment"


def answers(seed: int = 7) -> dict[str, Any]:
    """Complete, submittable answers; a different seed gives different (equally complete) answers."""
    return sample_answers(default_catalog().get(FORM), random.Random(seed), "Eilidh", dt.date.today())


@pytest.fixture
def draft(team: Team) -> tuple[str, str]:
    """(child id, assessment id) of prac's complete draft, not yet submitted."""
    child_id = team.add_child("prac")
    with team.session("prac") as session:
        return child_id, Casework.of(session).new(child_id, FORM, answers=answers()).id


# --- the rules themselves -----------------------------------------------------------------------------------

PRAC = Actor("prac", frozenset({Role.PRACTITIONER}))
LEAD = Actor("lead", frozenset({Role.TEAM_LEAD, Role.ADMINISTRATOR}))
LEAD2 = Actor("lead2", frozenset({Role.TEAM_LEAD}))


@pytest.mark.parametrize(("actor", "status", "author", "allowed"), [
    (PRAC, Status.DRAFT, "prac", True),
    (PRAC, Status.RETURNED, "prac", True),
    (PRAC, Status.SUBMITTED, "prac", False),
    (PRAC, Status.APPROVED, "prac", False),
    (PRAC, Status.SUPERSEDED, "prac", False),
    (LEAD, Status.DRAFT, "prac", False),  # not even an administrator edits someone else's draft
])
def test_only_the_author_edits_and_only_a_draft_or_returned(actor: Actor, status: Status, author: str,
                                                           allowed: bool) -> None:
    if allowed:
        check_can_edit(actor, status, author)
    else:
        with pytest.raises(NotAllowed):
            check_can_edit(actor, status, author)


@pytest.mark.parametrize(("actor", "status", "author", "reason"), [
    (PRAC, Status.SUBMITTED, "lead", "Only a team lead"),
    (LEAD, Status.SUBMITTED, "lead", "your own"),
    (LEAD2, Status.DRAFT, "prac", "Only a submitted"),
    (LEAD2, Status.APPROVED, "prac", "Only a submitted"),
    (LEAD2, Status.RETURNED, "prac", "Only a submitted"),
])
def test_review_needs_a_team_lead_who_is_not_the_author_and_a_submitted_assessment(
        actor: Actor, status: Status, author: str, reason: str) -> None:
    with pytest.raises(NotAllowed, match=reason):
        check_can_review(actor, status, author)
    check_can_review(LEAD2, Status.SUBMITTED, "prac")


def test_corrections_and_reassignment_rules() -> None:
    check_can_correct(PRAC, Status.APPROVED, "prac")
    check_can_correct(LEAD2, Status.APPROVED, "prac")
    with pytest.raises(NotAllowed):
        check_can_correct(PRAC, Status.DRAFT, "prac")
    with pytest.raises(NotAllowed):
        check_can_correct(Actor("other", frozenset({Role.PRACTITIONER})), Status.APPROVED, "prac")
    check_can_reassign(LEAD, Status.DRAFT)
    for actor, status in ((LEAD2, Status.DRAFT), (LEAD, Status.SUBMITTED), (LEAD, Status.APPROVED)):
        with pytest.raises(NotAllowed):
            check_can_reassign(actor, status)


# --- drafts ----------------------------------------------------------------------------------------------


def test_new_draft_is_pinned_to_a_form_version_and_audited(team: Team, draft: tuple[str, str]) -> None:
    child_id, assessment_id = draft
    with team.session("prac") as session:
        assessment = session.assessments.get(assessment_id)
        events = session.audit_events()
    form = default_catalog().get(FORM)
    assert (assessment.status, assessment.author, assessment.child_id) == (Status.DRAFT, "prac", child_id)
    assert (assessment.form_id, assessment.form_version) == (form.id, form.version)
    assert assessment.answers == answers()
    assert (events[-1].action, events[-1].record_id, events[-1].actor) == ("assessment.created", assessment_id,
                                                                          "prac")


def test_answers_that_fail_draft_validation_are_refused_and_nothing_is_stored(team: Team,
                                                                             draft: tuple[str, str]) -> None:
    _, assessment_id = draft
    bad = {**answers(), "nutrition_feeding": {"grade": 9, "evidence": ""}, "assessment_date": "31/12/2024",
           "not_a_question": "x"}
    with team.session("prac") as session:
        before = session.assessments.get(assessment_id)
        with pytest.raises(AnswersError) as refused:
            Casework.of(session).save_draft(assessment_id, bad)
        after = session.assessments.get(assessment_id)
    problems = {(p.field_id, p.message) for p in refused.value.problems}
    assert ("nutrition_feeding", "must be at most 5") in problems
    assert ("assessment_date", "must be a date written as YYYY-MM-DD") in problems
    assert any("not_a_question" in message for field, message in problems if field is None)
    assert "Nutrition and feeding: must be at most 5" in str(refused.value)
    assert (after.revision, after.answers, after.updated) == (before.revision, before.answers, before.updated)


def test_a_new_assessment_with_bad_answers_is_not_created(team: Team) -> None:
    child_id = team.add_child("prac")
    with team.session("prac") as session:
        with pytest.raises(AnswersError):
            Casework.of(session).new(child_id, FORM, answers={"nutrition_feeding": {"grade": "dreadful"}})
        assert session.assessments.find(child_id=child_id) == []


def test_unknown_form_or_child_is_refused(team: Team) -> None:
    child_id = team.add_child("prac")
    with team.session("prac") as session:
        with pytest.raises(NotAllowed):
            Casework.of(session).new(child_id, "no-such-form")
        with pytest.raises(NotAllowed):
            Casework.of(session).new("00000000-0000-0000-0000-000000000000", FORM)


def test_saving_a_draft_bumps_its_revision_and_a_stale_revision_is_refused(team: Team,
                                                                           draft: tuple[str, str]) -> None:
    _, assessment_id = draft
    with team.session("prac") as session:
        first = session.assessments.get(assessment_id)
        saved = Casework.of(session).save_draft(assessment_id, answers(8), revision=first.revision)
        assert saved.revision == first.revision + 1
        assert saved.answers == answers(8)
        with pytest.raises(EditConflict):
            Casework.of(session).save_draft(assessment_id, answers(9), revision=first.revision)
        assert session.assessments.get(assessment_id).answers == answers(8)


def test_only_the_author_saves_a_draft(team: Team, draft: tuple[str, str]) -> None:
    _, assessment_id = draft
    with team.session("lead") as session, pytest.raises(NotAllowed, match="Only the author"):
        Casework.of(session).save_draft(assessment_id, answers(8))


def test_another_practitioner_cannot_see_the_assessment_or_the_child(team: Team, draft: tuple[str, str]) -> None:
    child_id, assessment_id = draft
    with team.session("lead") as session:
        session.add_user("other", "Other Worker", ["practitioner"], "other worker password", kdf=team.kdf)
    with Session.unlock(team.db, "other", "other worker password") as session:
        with pytest.raises(NotAllowed):
            session.assessments.get(assessment_id)
        with pytest.raises(NotAllowed):
            session.children.get(child_id)
        assert session.assessments.find() == []
        assert session.children.rows() == []


# --- submitting ----------------------------------------------------------------------------------------------


def test_incomplete_answers_cannot_be_submitted_and_stay_a_draft(team: Team) -> None:
    child_id = team.add_child("prac")
    with team.session("prac") as session:
        assessment = Casework.of(session).new(child_id, FORM, answers={"assessment_date": "2024-05-01"})
        with pytest.raises(SubmissionRefused) as refused:
            Casework.of(session).submit(assessment.id)
        after = session.assessments.get(assessment.id)
    assert after.status == Status.DRAFT and after.revision == assessment.revision
    assert after.content_sha256 is None
    assert any(p.field_id == "nutrition_feeding" for p in refused.value.problems)


def test_submission_freezes_the_canonical_content_and_the_author_signs_its_hash(team: Team,
                                                                                draft: tuple[str, str]) -> None:
    child_id, assessment_id = draft
    with team.session("prac") as session:
        submitted = Casework.of(session).submit(assessment_id)
        child = session.children.get(child_id)
        row = session.db.query_one("SELECT author_signature FROM assessments WHERE id = ?", (assessment_id,))
        certificate = session.user.certificate
        with pytest.raises(NotAllowed, match="can no longer be changed"):
            Casework.of(session).save_draft(assessment_id, answers(8))
        with pytest.raises(NotAllowed):
            Casework.of(session).submit(assessment_id)
    form = default_catalog().get(FORM)
    about = {"assessment_id": assessment_id, "author": {"username": "prac", "name": "Sam Wróblewski"},
             "started": submitted.created}
    content = canonical_content(form, answers(), child.record.snapshot(child_id), about)
    assert submitted.status == Status.SUBMITTED
    assert submitted.submitted_content == content
    assert submitted.content_sha256 == content_sha256(content)
    assert submitted.content_sha256 == hashlib.sha256(canonical_json(content)).hexdigest()
    assert submitted.submitted_content["child"]["family_name"] == "MacLeod"
    assert verify(certificate, bytes.fromhex(submitted.content_sha256), bytes(row["author_signature"]))


# --- reviewing -------------------------------------------------------------------------------------------


def test_review_queue_holds_other_peoples_submissions_for_team_leads_only(submitted_team: Team) -> None:
    team, theirs = submitted_team, submitted_team.assessment_id
    _, own = team.submitted(author="lead")
    with team.session("lead") as session:
        assert [a.id for a in Casework.of(session).review_queue()] == [theirs]
    with team.session("lead2") as session:
        assert {a.id for a in Casework.of(session).review_queue()} == {theirs, own}
    with team.session("prac") as session:
        assert Casework.of(session).review_queue() == []


def test_a_practitioner_cannot_approve_even_their_own_assessment(submitted_team: Team) -> None:
    team, assessment_id = submitted_team, submitted_team.assessment_id
    with team.session("prac") as session:
        with pytest.raises(NotAllowed, match="Only a team lead"):
            Casework.of(session).approve(assessment_id, team.passwords["prac"])
        assert session.assessments.get(assessment_id).status == Status.SUBMITTED


def test_a_team_lead_cannot_approve_or_return_their_own_assessment(team: Team) -> None:
    _, assessment_id = team.submitted(author="lead")
    with team.session("lead") as session:
        with pytest.raises(NotAllowed, match="your own"):
            Casework.of(session).approve(assessment_id, team.passwords["lead"])
        with pytest.raises(NotAllowed, match="your own"):
            Casework.of(session).return_for_changes(assessment_id, "Looks fine to me")
        assert session.assessments.get(assessment_id).status == Status.SUBMITTED
    with team.session("lead2") as session:
        assert Casework.of(session).approve(assessment_id, team.passwords["lead2"]).status == Status.APPROVED


@pytest.mark.parametrize("comment", ["", "   \n\t "])
def test_return_for_changes_needs_a_comment(submitted_team: Team, comment: str) -> None:
    assessment_id = submitted_team.assessment_id
    with submitted_team.session("lead") as session:
        with pytest.raises(NotAllowed, match="needs a comment"):
            Casework.of(session).return_for_changes(assessment_id, comment)
        assert session.assessments.get(assessment_id).status == Status.SUBMITTED
        assert session.assessments.comments(assessment_id) == []


def test_returned_with_a_field_comment_then_corrected_and_resubmitted(submitted_team: Team) -> None:
    assessment_id = submitted_team.assessment_id
    with submitted_team.session("lead") as session:
        returned = Casework.of(session).return_for_changes(
            assessment_id, "Please say who was present at the visit.", field_id="nutrition_feeding")
        events = session.audit_events()
    assert returned.status == Status.RETURNED and returned.reviewer == "lead"
    assert events[-1].action == "assessment.returned"
    assert events[-1].detail == {"reason": "Please say who was present at the visit."}
    with submitted_team.session("prac") as session:
        [comment] = session.assessments.comments(assessment_id)
        assert (comment.author, comment.section_id, comment.field_id) == ("lead", "physical_care",
                                                                           "nutrition_feeding")
        Casework.of(session).save_draft(assessment_id, answers(8))
        resubmitted = Casework.of(session).submit(assessment_id)
    assert resubmitted.status == Status.SUBMITTED
    assert resubmitted.submitted_content is not None
    assert resubmitted.content_sha256 != returned.content_sha256
    with submitted_team.session("lead2") as session:
        approved = Casework.of(session).approve(assessment_id, submitted_team.passwords["lead2"])
    assert (approved.status, approved.reviewer, approved.content_sha256) == (Status.APPROVED, "lead2",
                                                                            resubmitted.content_sha256)


def test_comments_must_name_a_real_section_or_field(submitted_team: Team) -> None:
    assessment_id = submitted_team.assessment_id
    with submitted_team.session("lead") as session:
        with pytest.raises(NotAllowed, match="no question"):
            Casework.of(session).return_for_changes(assessment_id, "Why?", field_id="no_such_field")
        with pytest.raises(NotAllowed, match="no section"):
            Casework.of(session).add_comment(assessment_id, "Why?", section_id="no_such_section")
        comment = Casework.of(session).add_comment(assessment_id, "Good analysis.", section_id="physical_care")
        assert session.assessments.get(assessment_id).status == Status.SUBMITTED
        assert [c.id for c in session.assessments.comments(assessment_id)] == [comment.id]


def test_approval_needs_the_password_again(submitted_team: Team) -> None:
    assessment_id = submitted_team.assessment_id
    with submitted_team.session("lead") as session:
        with pytest.raises(NotAllowed, match="password"):
            Casework.of(session).approve(assessment_id, "not my password at all")
        assert session.assessments.get(assessment_id).status == Status.SUBMITTED


def test_approval_is_a_signature_over_the_hash_the_author_signed(submitted_team: Team) -> None:
    assessment_id = submitted_team.assessment_id
    with submitted_team.session("lead") as session:
        approved = Casework.of(session).approve(assessment_id, submitted_team.passwords["lead"])
        row = session.db.query_one("SELECT approval_signature, submitted_content FROM assessments WHERE id = ?",
                                   (assessment_id,))
        certificate = session.user.certificate
        events = session.audit_events()
    assert approved.status == Status.APPROVED and approved.approved_at and approved.reviewer == "lead"
    assert approved.content_sha256 == hashlib.sha256(row["submitted_content"].encode("utf-8")).hexdigest()
    assert verify(certificate, bytes.fromhex(approved.content_sha256), bytes(row["approval_signature"]))
    assert (events[-1].action, events[-1].actor, events[-1].detail) == (
        "assessment.approved", "lead", {"content_sha256": approved.content_sha256})


def test_content_changed_after_submission_cannot_be_approved(submitted_team: Team) -> None:
    assessment_id = submitted_team.assessment_id
    with submitted_team.session("lead") as session:
        with session.db.write() as connection:  # a submitted row is not yet final: simulate a stray change
            content = connection.execute("SELECT submitted_content FROM assessments WHERE id = ?",
                                         (assessment_id,)).fetchone()[0]
            connection.execute("UPDATE assessments SET submitted_content = ? WHERE id = ?",
                               (content.replace("MacLeod", "MacLeaf"), assessment_id))
        with pytest.raises(ContentMismatch):
            Casework.of(session).approve(assessment_id, submitted_team.passwords["lead"])
        assert session.assessments.get(assessment_id).status == Status.SUBMITTED


def test_a_forged_author_signature_cannot_be_approved(submitted_team: Team) -> None:
    assessment_id = submitted_team.assessment_id
    with submitted_team.session("lead") as session:
        with session.db.write() as connection:
            connection.execute("UPDATE assessments SET author_signature = X'3006020101020101' WHERE id = ?",
                               (assessment_id,))
        with pytest.raises(ContentMismatch, match="signature"):
            Casework.of(session).approve(assessment_id, submitted_team.passwords["lead"])


# --- approved is final ----------------------------------------------------------------------------------


def test_an_approved_assessment_never_changes_through_the_app(approved_team: Team) -> None:
    assessment_id = approved_team.assessment_id
    with approved_team.session("prac") as session:
        before = session.assessments.get(assessment_id)
        with pytest.raises(NotAllowed, match="can no longer be changed"):
            Casework.of(session).save_draft(assessment_id, answers(8))
        with pytest.raises(NotAllowed):
            Casework.of(session).submit(assessment_id)
        assert session.assessments.get(assessment_id) == before
    with approved_team.session("lead") as session:
        with pytest.raises(NotAllowed):
            Casework.of(session).reassign(assessment_id, "lead2")
        with pytest.raises(NotAllowed):
            Casework.of(session).return_for_changes(assessment_id, "Changed my mind")
        with pytest.raises(NotAllowed):
            Casework.of(session).approve(assessment_id, approved_team.passwords["lead"])


# Every column of an approved row, and something a stray UPDATE might set it to.
APPROVED_COLUMN_CHANGES = {
    "id": "'another-id'",
    "answers": "'{}'",
    "submitted_content": "'{}'",
    "content_sha256": "'" + "0" * 64 + "'",
    "approval_signature": "X'00'",
    "author_signature": "X'00'",
    "status": "'draft'",
    "reviewer": "'lead2'",
    "approved_at": "'2001-01-01T00:00:00+00:00'",
    "submitted_at": "'2001-01-01T00:00:00+00:00'",
    "created": "'2001-01-01T00:00:00+00:00'",
    "author": "'lead2'",
    "child_id": "(SELECT id FROM children ORDER BY rowid DESC LIMIT 1)",
    "form_version": "form_version + 1",
    "form_id": "'girfec-wellbeing'",
    "revision": "revision + 1",
    "supersedes": "(SELECT id FROM assessments WHERE status = 'draft' LIMIT 1)",
}


def test_an_approved_row_is_final_even_to_raw_sql(approved_team: Team) -> None:
    assessment_id = approved_team.assessment_id
    other_child = approved_team.add_child("prac")  # somewhere the assessment could be moved to
    with approved_team.session("prac") as session:
        Casework.of(session).new(other_child, FORM)
    with approved_team.session("lead") as session:
        columns = {row[1] for row in session.db.query("PRAGMA table_info(assessments)")}
        assert columns == set(APPROVED_COLUMN_CHANGES) | {"updated"}  # a new column must be considered here
        before = tuple(session.db.query_one("SELECT * FROM assessments WHERE id = ?", (assessment_id,)))
        changed = []
        for column, value in APPROVED_COLUMN_CHANGES.items():
            try:
                with session.db.write() as connection:
                    connection.execute(f"UPDATE assessments SET {column} = {value} WHERE id = ?", (assessment_id,))
            except StorageError as error:
                assert "never changes" in str(error)
            else:
                changed.append(column)
        after = tuple(session.db.query_one("SELECT * FROM assessments WHERE id = ?", (assessment_id,)))
    assert changed == []
    assert after == before


def test_an_approved_assessment_cannot_be_deleted_even_with_raw_sql(approved_team: Team) -> None:
    assessment_id = approved_team.assessment_id
    with approved_team.session("lead") as session:
        with pytest.raises(StorageError, match="never changes"), session.db.write() as connection:
            for table in ("documents", "comments"):  # what refers to it goes first, so no foreign key objects
                connection.execute(f"DELETE FROM {table} WHERE assessment_id = ?", (assessment_id,))
            connection.execute("DELETE FROM assessments WHERE id = ?", (assessment_id,))
        assert session.assessments.get(assessment_id).status == Status.APPROVED
        assert session.db.query("SELECT stage FROM documents WHERE assessment_id = ?", (assessment_id,))


# --- corrections -----------------------------------------------------------------------------------------


def test_a_correction_is_a_new_linked_draft_and_the_old_is_superseded_when_it_is_approved(approved_team: Team) -> None:
    child_id, original_id = approved_team.child_id, approved_team.assessment_id
    with approved_team.session("prac") as session:
        original = session.assessments.get(original_id)
        correction = Casework.of(session).start_correction(original_id)
        assert (correction.status, correction.supersedes, correction.author) == (Status.DRAFT, original_id, "prac")
        assert correction.id != original_id and correction.child_id == child_id
        assert correction.answers == original.answers
        assert (correction.form_id, correction.form_version) == (original.form_id, original.form_version)
        with pytest.raises(NotAllowed, match="already under way"):
            Casework.of(session).start_correction(original_id)
        Casework.of(session).save_draft(correction.id, answers(8))
        Casework.of(session).submit(correction.id)
        assert session.assessments.get(original_id) == original  # still approved until the correction is
        assert any(e.action == "assessment.correction_started" and e.detail == {"corrects": original_id}
                   and e.record_id == correction.id for e in session.audit_events())
    with approved_team.session("lead") as session:
        approved = Casework.of(session).approve(correction.id, approved_team.passwords["lead"])
        old = session.assessments.get(original_id)
        assert session.check() == []
    assert approved.status == Status.APPROVED
    assert old.status == Status.SUPERSEDED
    # superseding changes the status only: what was approved stays exactly as it was
    assert (old.answers, old.submitted_content, old.content_sha256, old.reviewer, old.approved_at) == (
        original.answers, original.submitted_content, original.content_sha256, original.reviewer,
        original.approved_at)
    with approved_team.session("prac") as session, pytest.raises(NotAllowed):
        Casework.of(session).start_correction(original_id)  # a superseded assessment is history


def test_a_superseded_row_is_final_even_to_raw_sql(approved_team: Team) -> None:
    original_id = approved_team.assessment_id
    with approved_team.session("prac") as session:
        correction = Casework.of(session).start_correction(original_id)
        Casework.of(session).submit(correction.id)
    with approved_team.session("lead") as session:
        Casework.of(session).approve(correction.id, approved_team.passwords["lead"])
        for sql in ("UPDATE assessments SET status = 'approved' WHERE id = ?",
                    "UPDATE assessments SET answers = '{}' WHERE id = ?"):
            with pytest.raises(StorageError, match="never changes"), session.db.write() as connection:
                connection.execute(sql, (original_id,))
        assert session.assessments.get(original_id).status == Status.SUPERSEDED


def test_a_team_lead_may_start_a_correction_and_hand_it_to_the_practitioner(approved_team: Team) -> None:
    original_id = approved_team.assessment_id
    with approved_team.session("lead") as session:
        correction = Casework.of(session).start_correction(original_id)
        handed = Casework.of(session).reassign(correction.id, "prac")
        events = session.audit_events()
    assert handed.author == "prac"
    assert events[-1].action == "assessment.reassigned" and events[-1].detail == {"from": "lead", "to": "prac"}
    with approved_team.session("prac") as session:
        Casework.of(session).submit(correction.id)


def test_only_an_administrator_reassigns_and_only_to_an_active_user(team: Team, draft: tuple[str, str]) -> None:
    _, assessment_id = draft
    with team.session("lead2") as session, pytest.raises(NotAllowed, match="administrator"):
        Casework.of(session).reassign(assessment_id, "lead2")
    with team.session("lead") as session:
        with pytest.raises(NotAllowed, match="no active user"):
            Casework.of(session).reassign(assessment_id, "nobody")
        assert session.assessments.get(assessment_id).author == "prac"


def test_every_transition_is_an_audit_event_and_the_chain_verifies(submitted_team: Team) -> None:
    assessment_id = submitted_team.assessment_id
    with submitted_team.session("lead") as session:
        Casework.of(session).return_for_changes(assessment_id, "More about the child's views, please.")
    with submitted_team.session("prac") as session:
        Casework.of(session).submit(assessment_id)
    with submitted_team.session("lead2") as session:
        Casework.of(session).approve(assessment_id, submitted_team.passwords["lead2"])
        events = [(e.action, e.actor) for e in session.audit_events() if e.record_id == assessment_id]
        report = session.verify_audit()
    assert events == [("assessment.created", "prac"), ("assessment.submitted", "prac"),
                      ("assessment.returned", "lead"), ("assessment.submitted", "prac"),
                      ("assessment.approved", "lead2")]
    assert report.ok, report.problems


def test_a_submission_is_checked_against_today(team: Team) -> None:
    child_id = team.add_child("prac")
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    with team.session("prac") as session:
        assessment = Casework.of(session).new(child_id, FORM, answers={**answers(), "assessment_date": future})
        with pytest.raises(SubmissionRefused):
            Casework.of(session).submit(assessment.id)
