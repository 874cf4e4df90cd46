"""Submit validation (DESIGN §5): required answers, conditional requirements and cross-field rules, all at once."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from answer_filler import SHIPPED_FORMS, TODAY, fill_every_field

from cpassess.forms import FormDefinition, Problem, Visibility, default_catalog, validate_submission
from cpassess.forms.loader import parse_definition_text

HOME_VISIT = """\
id: home-visit
version: 1
title: Home visit
scales:
  - id: grades
    title: How well the child's needs are met
    levels:
      - {id: g1, label: Needs consistently met, tone: good}
      - {id: g2, label: Needs mostly met, tone: good}
      - {id: g3, label: Needs met inconsistently, tone: caution}
      - {id: g4, label: Needs mostly not met, tone: concern}
      - {id: g5, label: Needs seriously not met, tone: concern}
sections:
  - id: about
    title: About the visit
    fields:
      - {id: visit_date, kind: date, label: Date of visit, required: true, not_future: true}
      - {id: follow_up, kind: date, label: Follow-up date, not_before: visit_date}
      - {id: first_seen, kind: date, label: First seen, minimum: 2000-01-01, maximum: 2030-12-31}
      - id: reason
        kind: choice
        label: Reason for the visit
        required: true
        options: [{id: concern, label: A concern}, {id: review, label: A review}, {id: other, label: Other}]
      - {id: reason_other, kind: text, label: Other reason, required: true,
         visible_if: {field: reason, equals: other}}
      - id: sources
        kind: multi_choice
        label: Sources of information
        options: [{id: school, label: School}, {id: police, label: Police}, {id: other, label: Other}]
      - {id: police_reference, kind: text, label: Police reference, required: true,
         visible_if: {field: sources, in: [police]}}
      - {id: seen, kind: yes_no_unknown, label: "Was the child seen?", required: true}
      - {id: seen_alone, kind: yes_no_unknown, label: "Was the child seen alone?", required: true,
         visible_if: {field: seen, equals: "yes"}}
      - {id: not_alone_reason, kind: long_text, label: Why not alone, required: true,
         visible_if: {field: seen_alone, equals: "no"}}
      - {id: not_seen_reason, kind: long_text, label: Why the child was not seen, required: true,
         visible_if: {not: {field: seen, in: ["yes"]}}}
      - {id: next_visit, kind: date, label: Next visit, visible_if: {field: seen, equals: "no"}}
      - {id: review_by, kind: date, label: Review by, not_before: next_visit}
      - id: present
        kind: repeat
        label: People present
        item_label: Person
        min_items: 2
        fields:
          - {id: name, kind: text, label: Name, required: true}
          - {id: born, kind: date, label: Date of birth, not_future: true}
          - {id: role, kind: choice, label: Role, required: true,
             options: [{id: parent, label: Parent}, {id: other, label: Other}]}
  - id: care
    title: Physical care
    fields:
      - {id: nutrition, kind: grade, label: Nutrition and feeding, scale: grades, required: true,
         descriptors: [Always fed well, Mostly, Sometimes, Rarely, Often hungry]}
      - {id: hygiene, kind: grade, label: Hygiene, scale: grades,
         descriptors: [Clean, Mostly, Sometimes, Rarely, Never]}
      - {id: clothing, kind: grade, label: Clothing, scale: grades, evidence_required_from: 5,
         descriptors: [Good, Mostly, Sometimes, Rarely, Never]}
      - {id: matrix, kind: resilience_matrix, label: Resilience Matrix, required: true}
  - id: police_involvement
    title: Police involvement
    visible_if: {any: [{field: sources, in: [police, other]}, {field: reason, equals: concern}]}
    fields:
      - {id: police_summary, kind: long_text, label: What the police told us, required: true}
"""


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return parse_definition_text(HOME_VISIT, "home-visit.v1.yaml")


def valid_answers() -> dict[str, Any]:
    """A complete visit that can be submitted; each test breaks one thing."""
    return {
        "visit_date": "2025-05-30",
        "follow_up": "2025-06-20",
        "reason": "review",
        "sources": ["school"],
        "seen": "yes",
        "seen_alone": "yes",
        "present": [{"name": "Morven MacLeod", "born": "1990-03-01", "role": "parent"},
                    {"name": "Calum MacLeod", "role": "other"}],
        "nutrition": {"grade": 2},
        "matrix": {"resilience": 1, "environment": 0},
    }


def problems(form: FormDefinition, answers: Any) -> list[Problem]:
    return validate_submission(form, answers, today=TODAY)


def where(found: list[Problem]) -> set[tuple[str | None, int | None, str | None]]:
    return {(problem.field_id, problem.row, problem.column) for problem in found}


def where_ids(found: list[Problem]) -> set[str | None]:
    return {problem.field_id for problem in found}


def with_changes(**changes: Any) -> dict[str, Any]:
    answers = valid_answers()
    answers.update(changes)
    return {key: value for key, value in answers.items() if value is not None}


def test_the_valid_visit_can_be_submitted(form: FormDefinition) -> None:
    assert problems(form, valid_answers()) == []


# --- required and visibility ---------------------------------------------------------------------------------------

def test_an_empty_visit_lists_every_required_visible_question(form: FormDefinition) -> None:
    found = problems(form, {})
    assert {problem.field_id for problem in found} == {"visit_date", "reason", "seen", "present", "nutrition",
                                                       "matrix", "not_seen_reason"}
    messages = {problem.field_id: problem.message for problem in found}
    assert messages.pop("present") == "at least 2 persons are needed"
    assert set(messages.values()) == {"an answer is needed"}


def test_a_hidden_question_is_not_required_and_becomes_required_when_shown(form: FormDefinition) -> None:
    assert "reason_other" not in where_ids(problems(form, with_changes(reason="review")))
    shown = problems(form, with_changes(reason="other"))
    assert [(p.field_id, p.message) for p in shown] == [("reason_other", "an answer is needed")]
    assert problems(form, with_changes(reason="other", reason_other="Anonymous call")) == []


def test_an_answer_to_a_hidden_question_is_ignored_on_submit(form: FormDefinition) -> None:
    assert problems(form, with_changes(reason="review", reason_other="   ")) == []


def test_a_multi_choice_in_condition_holds_when_any_listed_option_is_ticked(form: FormDefinition) -> None:
    assert "police_reference" not in where_ids(problems(form, with_changes(sources=["school"])))
    assert "police_reference" not in where_ids(problems(form, with_changes(sources=[])))
    shown = problems(form, with_changes(sources=["school", "police"]))
    assert "police_reference" in where_ids(shown)


def test_a_section_condition_hides_and_shows_its_required_questions(form: FormDefinition) -> None:
    assert "police_summary" not in where_ids(problems(form, with_changes(sources=["school"])))
    for answers in (with_changes(sources=["other"]), with_changes(reason="concern")):
        [problem] = [p for p in problems(form, answers) if p.field_id == "police_summary"]
        assert problem.section_id == "police_involvement"
    assert problems(form, with_changes(sources=["other"], police_summary="They attended twice.")) == []


def test_a_not_condition_shows_a_question_until_its_field_is_answered(form: FormDefinition) -> None:
    assert "not_seen_reason" in where_ids(problems(form, with_changes(seen=None)))
    assert "not_seen_reason" in where_ids(problems(form, with_changes(seen="no", seen_alone=None)))
    assert "not_seen_reason" not in where_ids(problems(form, valid_answers()))


def test_a_hidden_question_reads_as_unanswered_in_later_conditions(form: FormDefinition) -> None:
    # seen_alone = "no" was typed, then seen changed: seen_alone is hidden, so its follow-up is hidden too.
    answers = with_changes(seen="no", seen_alone="no", not_seen_reason="Asleep when we called")
    assert problems(form, answers) == []
    visibility = Visibility(form, answers)
    assert not visibility.field("seen_alone")
    assert not visibility.field("not_alone_reason")
    assert "not_alone_reason" in where_ids(problems(form, with_changes(seen_alone="no")))


def test_blank_text_does_not_count_as_an_answer(form: FormDefinition) -> None:
    found = problems(form, with_changes(reason="other", reason_other="   "))
    assert [(p.field_id, p.message) for p in found] == [("reason_other", "an answer is needed")]


# --- cross-field rules --------------------------------------------------------------------------------------------

def test_evidence_is_needed_from_grade_three(form: FormDefinition) -> None:
    assert problems(form, with_changes(nutrition={"grade": 2})) == []
    assert problems(form, with_changes(nutrition={"grade": 2, "evidence": ""})) == []
    for grade in (3, 4, 5):
        [problem] = problems(form, with_changes(nutrition={"grade": grade, "evidence": "  "}))
        assert (problem.section_id, problem.field_id) == ("care", "nutrition")
        assert problem.message == "evidence is needed for a grade of 3 or higher"
        assert problems(form, with_changes(nutrition={"grade": grade, "evidence": "Seen at two visits"})) == []


def test_not_known_never_needs_evidence(form: FormDefinition) -> None:
    assert problems(form, with_changes(nutrition={"grade": None})) == []
    assert problems(form, with_changes(nutrition={"grade": None, "evidence": ""})) == []


def test_an_item_sets_its_own_evidence_threshold(form: FormDefinition) -> None:
    assert problems(form, with_changes(clothing={"grade": 4})) == []
    assert where_ids(problems(form, with_changes(clothing={"grade": 5}))) == {"clothing"}


def test_a_date_that_must_not_be_in_the_future(form: FormDefinition) -> None:
    assert problems(form, with_changes(visit_date=TODAY.isoformat())) == []
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    [problem] = problems(form, with_changes(visit_date=tomorrow, follow_up=None))
    assert (problem.field_id, problem.message) == ("visit_date", "cannot be in the future")


def test_today_is_passed_in_not_read_from_the_clock(form: FormDefinition) -> None:
    answers = with_changes(visit_date="2025-06-03", follow_up=None)
    assert where_ids(validate_submission(form, answers, today=dt.date(2025, 6, 2))) == {"visit_date"}
    assert validate_submission(form, answers, today=dt.date(2025, 6, 3)) == []


def test_a_date_that_must_not_precede_another(form: FormDefinition) -> None:
    assert problems(form, with_changes(follow_up="2025-05-30")) == []
    [problem] = problems(form, with_changes(follow_up="2025-05-29"))
    assert (problem.field_id, problem.message) == ("follow_up", "cannot be before date of visit (30/05/2025)")


def test_not_before_is_skipped_when_the_other_date_is_unanswered(form: FormDefinition) -> None:
    found = problems(form, with_changes(visit_date=None, follow_up="1999-01-01"))
    assert [(p.field_id, p.message) for p in found] == [("visit_date", "an answer is needed")]


def test_a_hidden_date_does_not_hold_back_a_later_one(form: FormDefinition) -> None:
    stale = with_changes(next_visit="2025-12-01", review_by="2025-07-01")
    assert problems(form, stale) == []
    shown = dict(stale, seen="no", seen_alone=None, not_seen_reason="Away at his gran's")
    del shown["seen_alone"]
    found = problems(form, shown)
    assert [(p.field_id, p.message) for p in found] == [("review_by", "cannot be before next visit (01/12/2025)")]


def test_date_bounds_from_the_definition(form: FormDefinition) -> None:
    assert problems(form, with_changes(first_seen="2000-01-01")) == []
    [early] = problems(form, with_changes(first_seen="1999-12-31"))
    assert early.message == "cannot be before 01/01/2000"
    [late] = problems(form, with_changes(first_seen="2031-01-01"))
    assert late.message == "cannot be after 31/12/2030"


def test_a_repeat_needs_its_minimum_number_of_rows(form: FormDefinition) -> None:
    [problem] = problems(form, with_changes(present=[{"name": "Morven", "role": "parent"}]))
    assert (problem.field_id, problem.row, problem.message) == ("present", None, "at least 2 persons are needed")
    assert where_ids(problems(form, with_changes(present=[]))) == {"present"}


def test_required_columns_are_reported_with_their_row(form: FormDefinition) -> None:
    rows = [{"name": "Morven", "role": "parent"}, {"name": " ", "born": "2026-01-01"}, {"role": "other"}]
    found = problems(form, with_changes(present=rows))
    assert where(found) == {("present", 1, "name"), ("present", 1, "born"), ("present", 1, "role"),
                            ("present", 2, "name")}
    messages = {(p.row, p.column): p.message for p in found}
    assert messages[(1, "born")] == "cannot be in the future"
    assert messages[(2, "name")] == "an answer is needed"


def test_the_matrix_needs_both_axes_when_required(form: FormDefinition) -> None:
    [problem] = problems(form, with_changes(matrix={"resilience": 3, "protective_factors": ["Gran"]}))
    assert (problem.field_id, problem.message) == ("matrix", "place the child on both axes of the matrix")


def test_every_problem_is_reported_at_once(form: FormDefinition) -> None:
    answers = with_changes(
        visit_date="2025-07-01", follow_up="2025-06-01", reason="other", seen="yes", seen_alone="no",
        present=[{"name": "Morven"}], nutrition={"grade": 4}, matrix={"resilience": 1})
    found = problems(form, answers)
    assert where(found) == {
        ("visit_date", None, None), ("follow_up", None, None), ("reason_other", None, None),
        ("not_alone_reason", None, None), ("present", None, None), ("present", 0, "role"),
        ("nutrition", None, None), ("matrix", None, None)}
    assert len(found) == 8


def test_submit_reports_draft_problems_instead_of_raising(form: FormDefinition) -> None:
    found = problems(form, with_changes(reason="elsewhere", visits=3))
    assert {(p.field_id, p.message) for p in found} == {
        ("reason", "'elsewhere' is not one of the choices ('concern', 'review' or 'other')"),
        (None, "'visits' is not a question of this form")}


def test_submit_does_not_change_the_answers(form: FormDefinition) -> None:
    answers = with_changes(nutrition={"grade": 4.0}, reason="other")
    before = copy.deepcopy(answers)
    problems(form, answers)
    assert answers == before


# --- sentences the practitioner reads -------------------------------------------------------------------------------

def test_each_problem_names_its_section_and_field_in_words(form: FormDefinition) -> None:
    answers = with_changes(reason="other", nutrition={"grade": 3},
                           present=[{"name": "Morven", "role": "parent"}, {"role": "other"}])
    sentences = {p.field_id: p.describe(form) for p in problems(form, answers)}
    assert sentences == {
        "reason_other": "About the visit › Other reason: an answer is needed",
        "nutrition": "Physical care › Nutrition and feeding: evidence is needed for a grade of 3 or higher",
        "present": "About the visit › People present, Person 2, Name: an answer is needed",
    }
    for problem in problems(form, answers):
        assert problem.section_id == form.section_of(problem.field_id or "").id


# --- the shipped forms -----------------------------------------------------------------------------------------------

def _holds_when_nothing_is_answered(condition: Any) -> bool:
    """Evaluate a condition against empty answers, independently of the engine (equals/in fail, not inverts)."""

    def holds(node: dict[str, Any]) -> bool:
        if "not" in node:
            return not holds(node["not"])
        if "all" in node:
            return all(holds(part) for part in node["all"])
        if "any" in node:
            return any(holds(part) for part in node["any"])
        return False

    return holds(condition.model_dump(by_alias=True))


def required_when_empty(form: FormDefinition) -> set[str]:
    return {
        field.id for section, field in form.fields()
        if field.required and field.kind != "computed"
        and (section.visible_if is None or _holds_when_nothing_is_answered(section.visible_if))
        and (field.visible_if is None or _holds_when_nothing_is_answered(field.visible_if))
    }


@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_a_complete_shipped_assessment_can_be_submitted(shipped_form: FormDefinition) -> None:
    answers = fill_every_field(shipped_form)
    assert problems(shipped_form, answers) == []


@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_an_empty_shipped_assessment_lists_every_required_visible_question(shipped_form: FormDefinition) -> None:
    found = problems(shipped_form, {})
    expected = required_when_empty(shipped_form)
    assert expected, "a shipped form should require something"
    assert {problem.field_id for problem in found} == expected
    assert len(found) == len(expected)
    for problem in found:
        assert problem.section_id == shipped_form.section_of(problem.field_id or "").id
        assert problem.describe(shipped_form).endswith(": an answer is needed")


def test_a_shipped_grade_without_evidence_is_caught() -> None:
    graded = [form for form in default_catalog() if any(f.kind == "grade" for _, f in form.fields())]
    assert graded, "the neglect assessment grades its items"
    for form in graded:
        answers = fill_every_field(form)
        grades = {field.id for _, field in form.fields() if field.kind == "grade"}
        for field_id in grades:
            answers[field_id] = {"grade": 5, "evidence": ""}
        assert {p.field_id for p in problems(form, answers)} == grades
        for field_id in grades:
            answers[field_id] = {"grade": None, "evidence": ""}
        assert problems(form, answers) == []


# --- evidence without a level, empty rows, and the editor's per-section view of the same check ---------------------

def test_evidence_without_a_level_is_a_problem_not_not_known(form: FormDefinition) -> None:
    [problem] = problems(form, with_changes(nutrition={"evidence": "Lunchbox empty on three visits"}))
    assert (problem.section_id, problem.field_id) == ("care", "nutrition")
    assert problem.message.startswith("choose a level for this evidence")
    assert problems(form, with_changes(nutrition={"grade": None, "evidence": "Not seen yet"})) == []


def test_a_draft_keeps_evidence_without_a_level_apart_from_not_known(form: FormDefinition) -> None:
    from cpassess.forms import validate_draft

    assert validate_draft(form, {"nutrition": {"evidence": "Seen"}})["nutrition"] == {"evidence": "Seen"}
    assert validate_draft(form, {"nutrition": {"grade": None}})["nutrition"] == {"grade": None, "evidence": ""}


def test_an_empty_row_is_a_problem_with_its_row(form: FormDefinition) -> None:
    rows = [{"name": "Morven", "role": "parent"}, {"name": "Calum", "role": "other"}, {}]
    [problem] = problems(form, with_changes(present=rows))
    assert (problem.field_id, problem.row, problem.column) == ("present", 2, None)
    assert "empty" in problem.message


def test_section_checks_are_the_submit_check_by_section(form: FormDefinition) -> None:
    from cpassess.forms import check_sections

    answers = with_changes(visit_date="2099-01-01", follow_up=None, nutrition=None)
    checks = check_sections(form, answers, today=TODAY)
    assert set(checks) == {"about", "care"}  # the police section is hidden
    flat = [problem for check in checks.values() for problem in check.problems]
    assert flat == problems(form, answers)
    assert not checks["about"].complete and not checks["care"].complete
    assert all(check.complete for check in check_sections(form, valid_answers(), today=TODAY).values())


def test_a_section_of_optional_questions_is_complete_only_when_all_are_answered() -> None:
    from cpassess.forms import check_sections

    form = default_catalog().get("girfec-wellbeing")
    placed = {"resilience_matrix": {"resilience": 2, "environment": -1}}
    assert not check_sections(form, placed, today=TODAY)["resilience"].complete  # one point is not a finished section
    done = dict(placed, resilience_analysis="Gran's support is what holds things together.")
    assert check_sections(form, done, today=TODAY)["resilience"].complete
    one_empty_event = {"chronology_events": [{}]}
    check = check_sections(form, one_empty_event, today=TODAY)["chronology"]
    assert not check.complete and check.problems
