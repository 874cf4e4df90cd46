"""Demo data that reads like casework about the child it is for (issue 13)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cpassess.casework import Casework
from cpassess.chronology import Chronology
from cpassess.demo import DEMO_LOGINS, GIVEN, sample_answers
from cpassess.forms import default_catalog, validate_submission
from cpassess.session import Session
from cpassess.workflow import Status

NOT_FOR = {"unborn": ("school", "football", "was seen at home", "nappy"), "baby": ("school", "football", "online"),
           "child": ("pregnant", "nappy", "online"), "teen": ("pregnant", "nappy", "Moses basket")}


def words_of(value: Any) -> Iterator[str]:
    """Every phrase a practitioner would have typed (option ids, one word each, aside)."""
    if isinstance(value, str):
        if " " in value:
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from words_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from words_of(item)


@pytest.mark.parametrize("form_id", ["girfec-wellbeing", "neglect-assessment", "core-group-review"])
@pytest.mark.parametrize("stage", list(NOT_FOR))
def test_sample_answers_fit_the_childs_stage_of_life_and_can_be_submitted(form_id: str, stage: str) -> None:
    form = default_catalog().get(form_id)
    for seed in range(5):
        answers = sample_answers(form, random.Random(seed), "the baby" if stage == "unborn" else "Ava",
                                 dt.date(2026, 11, 20), stage=stage, mum="Ms Nowak")
        text = " ".join(words_of(answers))

        assert validate_submission(form, answers, dt.date(2026, 11, 20)) == []
        for wrong in NOT_FOR[stage]:
            assert wrong not in text, (stage, wrong)
        # a note says what its rating means, never a stray person's name
        notes = [value for key, value in answers.items() if key.endswith("_note")]
        assert all(note.split()[0] not in GIVEN for note in notes)


def test_the_plan_and_chronology_are_about_the_child() -> None:
    form = default_catalog().get("girfec-wellbeing")
    answers = sample_answers(form, random.Random(1), "Ava", dt.date(2026, 11, 20), stage="child")

    assert [row["indicator"] for row in answers["plan_actions"]] == ["healthy", "achieving", "safe"]
    assert all("Ava" in row["need"] for row in answers["plan_actions"][:2])
    assert all(row["event_date"] < "2026-11-20" for row in answers["chronology_events"])


# --- the demo database: core group reviews and chronologies (issue 15) ------------------------------------------


def test_the_demo_has_core_group_reviews_started_from_an_approved_plan_with_progress_on_each_action(
        demo_db: Path) -> None:
    lead = DEMO_LOGINS[0]
    with Session.unlock(demo_db, lead.username, lead.password) as session:
        assessments = session.assessments.find()
        reviews = [a for a in assessments if a.form_id == "core-group-review"]
        assert reviews
        for review in reviews:
            plans = [a for a in assessments if a.child_id == review.child_id and a.form_id == "girfec-wellbeing"
                     and a.status == Status.APPROVED]
            assert plans, "a core group review starts from the child's approved plan"
            actions = [row["action"] for row in plans[-1].answers["plan_actions"]]
            rows = review.answers["action_progress"]
            assert [row["action"] for row in rows] == actions  # the plan's actions, pre-filled by the core
            assert all(row["progress"] in {"achieved", "partly", "not_yet", "no_longer_needed"} and row[
                "progress_notes"] for row in rows)
            form = session.assessments.form_of(review)
            assert validate_submission(form, review.answers) == []
            record = session.children.get(review.child_id).record
            assert record.protection.registered and record.last_core_group == dt.date.today()
            assert record.next_core_group and record.next_core_group > record.last_core_group


def test_demo_chronologies_are_dated_in_order_with_the_record_and_no_assessment_warns(demo_db: Path) -> None:
    lead = DEMO_LOGINS[0]
    today = dt.date.today().isoformat()
    with Session.unlock(demo_db, lead.username, lead.password) as session:
        for row in session.children.rows():
            record = session.children.get(row.child_id).record
            added = [e for e in Chronology(session).events(row.child_id) if e.origin == "practitioner"]
            for event in added:
                assert event.date <= today
                if record.date_of_birth:  # never before the child was born (an unborn baby's are the family's)
                    assert event.date >= record.date_of_birth.isoformat(), (record.given_names, event)
            registered = record.protection.registered_on
            if registered and record.concern_date and record.last_cppm:
                assert record.concern_date < registered <= record.last_cppm
            for assessment in session.assessments.find(child_id=row.child_id):
                rows = assessment.answers.get("chronology_events") or []
                date = assessment.answers.get("assessment_date")
                assert all(r["event_date"] <= date for r in rows), "events come before the assessment"
                assert Casework.of(session).warnings(assessment.id) == []  # the demo's answers agree


@pytest.mark.parametrize("seed", range(20))
def test_a_demo_household_has_a_mother_with_parental_responsibility_and_names_that_fit(seed: int) -> None:
    from cpassess.demo import household
    from cpassess.demo_words import FEMALE, FEMALE_RELATIONS

    members = household(random.Random(seed), "Morrison", 1 + seed % 11)
    assert members[0]["relationship"] == "Mother" and members[0]["parental_responsibility"]
    relations = [m["relationship"] for m in members]
    assert relations.count("Mother") == 1
    assert "Father" not in relations or not {"Stepfather", "Mother's partner"} & set(relations), relations
    assert len(members) == 1 + seed % 11
    for member in members:
        given = member["name"].split()[0]
        assert (given in FEMALE) == (member["relationship"] in FEMALE_RELATIONS), member
        if member["relationship"] not in ("Mother", "Father"):
            assert not member["parental_responsibility"], member
