"""Answers and draft validation (DESIGN §5): types and bounds only, with the published JSON Schema telling the truth."""

from __future__ import annotations

import copy
import json
import re
import types
from typing import Any

import jsonschema
import pytest
from answer_filler import SHIPPED_FORMS, fill_every_field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import _from_schema, from_schema

from cpassess.forms import AnswersError, FormDefinition, answers_model, answers_schema, validate_draft
from cpassess.forms.loader import parse_definition_text

EVERY_KIND = """\
id: every-kind
version: 1
title: Every kind of question
scales:
  - id: grades
    title: Grades
    levels:
      - {id: g1, label: Needs consistently met, tone: good}
      - {id: g2, label: Needs mostly met, tone: good}
      - {id: g3, label: Needs met inconsistently, tone: caution}
      - {id: g4, label: Needs mostly not met, tone: concern}
      - {id: g5, label: Needs seriously not met, tone: concern}
  - id: wellbeing
    title: Wellbeing
    levels:
      - {id: met, label: Needs met, tone: good}
      - {id: concerns, label: Some concerns, tone: caution}
sections:
  - id: about
    title: About
    fields:
      - {id: name, kind: text, label: Name, max_length: 20}
      - {id: story, kind: long_text, label: Story, max_length: 100}
      - {id: seen_on, kind: date, label: Seen on}
      - {id: visits, kind: number, label: Visits, minimum: 0, maximum: 10}
      - {id: weight, kind: number, label: Weight, integer: false, minimum: 0.5, maximum: 150}
      - {id: siblings, kind: number, label: Brothers and sisters}
      - id: reason
        kind: choice
        label: Reason
        options: [{id: concern, label: A concern}, {id: review, label: A review}]
      - id: sources
        kind: multi_choice
        label: Sources
        options: [{id: school, label: School}, {id: police, label: Police}]
      - {id: seen, kind: yes_no_unknown, label: Seen}
  - id: care
    title: Care
    fields:
      - id: nutrition
        kind: grade
        label: Nutrition
        scale: grades
        descriptors: [Always, Mostly, Sometimes, Rarely, Never]
      - {id: safe, kind: rating, label: Safe, scale: wellbeing}
      - {id: matrix, kind: resilience_matrix, label: Matrix}
      - id: carers
        kind: repeat
        label: Carers
        item_label: Carer
        max_items: 2
        fields:
          - {id: carer_name, kind: text, label: Name, max_length: 30}
          - {id: born, kind: date, label: Date of birth}
      - {id: profile, kind: computed, label: Profile, function: neglect_profile, sources: [care]}
"""


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return parse_definition_text(EVERY_KIND, "every-kind.v1.yaml")


def refused(form: FormDefinition, answers: Any) -> list[tuple[str | None, str]]:
    """The (field id, message) of each problem; fails the test if the answers were accepted."""
    with pytest.raises(AnswersError) as caught:
        validate_draft(form, answers)
    return [(problem.field_id, problem.message) for problem in caught.value.problems]


# --- what a draft accepts ------------------------------------------------------------------------------------------

def test_an_empty_draft_is_fine(form: FormDefinition) -> None:
    assert validate_draft(form, {}) == {}


def test_unanswered_keys_are_dropped_from_the_stored_value(form: FormDefinition) -> None:
    stored = validate_draft(form, {"name": "Zoë", "story": None, "visits": None, "seen": "yes", "carers": None})
    assert stored == {"name": "Zoë", "seen": "yes"}


def test_a_grade_is_stored_with_its_evidence_and_not_known_is_kept(form: FormDefinition) -> None:
    assert validate_draft(form, {"nutrition": {"grade": 3.0, "evidence": "Seen twice"}}) == {
        "nutrition": {"grade": 3, "evidence": "Seen twice"}}
    assert validate_draft(form, {"nutrition": {"grade": None}}) == {"nutrition": {"grade": None, "evidence": ""}}


def test_long_text_keeps_line_breaks_and_tabs_exactly(form: FormDefinition) -> None:
    story = "First line\n\tSecond line\r\nThird  "
    assert validate_draft(form, {"story": story}) == {"story": story}


def test_text_is_kept_exactly_as_typed(form: FormDefinition) -> None:
    assert validate_draft(form, {"name": "  Łukasz  "}) == {"name": "  Łukasz  "}


def test_a_whole_float_is_accepted_as_a_whole_number(form: FormDefinition) -> None:
    assert validate_draft(form, {"visits": 4.0}) == {"visits": 4}


def test_every_kind_of_answer_round_trips(form: FormDefinition) -> None:
    answers = fill_every_field(form)
    assert validate_draft(form, answers) == answers


# --- what a draft refuses ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("answers", "field_id", "message"), [
    ({"reason": "concerned"}, "reason", "'concerned' is not one of the choices"),
    ({"sources": ["school", "social_media"]}, "sources", "is not one of the choices"),
    ({"sources": ["school", "school"]}, "sources", "lists the same option twice"),
    ({"sources": "school"}, "sources", "must be a list"),
    ({"seen": "maybe"}, "seen", "is not one of the choices"),
    ({"seen": True}, "seen", "is not one of the choices"),
    ({"safe": "significant_concerns"}, "safe", "is not one of the choices"),
    ({"name": "x" * 21}, "name", "longer than the limit of 20 characters"),
    ({"story": "x" * 101}, "story", "longer than the limit of 100 characters"),
    ({"name": "Two\nlines"}, "name", "must be a single line"),
    ({"name": "Tab\there"}, "name", "must be a single line"),
    ({"name": "bell\x07"}, "name", "contains a control character (U+0007)"),
    ({"name": "nul\x00"}, "name", "contains a control character (U+0000)"),
    ({"story": "bell\x07"}, "story", "contains a control character (U+0007), at character 5"),
    ({"story": "nul\x00"}, "story", "control character (U+0000)"),
    ({"story": "escape\x1b[31m"}, "story", "control character (U+001B)"),
    ({"story": "delete\x7f"}, "story", "control character (U+007F)"),
    ({"name": "Ann\u202eie"}, "name", "contains a right-to-left override (U+202E)"),
    ({"name": "Ann\u200bie"}, "name", "contains a zero-width space (U+200B)"),
    ({"name": "\ufeffAnnie"}, "name", "(U+FEFF)"),
    ({"name": "Ann\u2066ie"}, "name", "contains a left-to-right isolate (U+2066)"),
    ({"name": "Ann\u200fie"}, "name", "contains a right-to-left mark (U+200F)"),
    ({"name": "Ann\u061cie"}, "name", "contains an Arabic letter mark (U+061C)"),
    ({"story": "They said \u202etxet\u202c"}, "story", "right-to-left override (U+202E), an invisible"),
    ({"story": "zero\u200dwidth"}, "story", "zero-width joiner (U+200D)"),
    ({"matrix": {"adversity_factors": ["ok", "a\u2069"]}}, "matrix", "pop directional isolate (U+2069)"),
    ({"name": 12}, "name", "must be text"),
    ({"nutrition": {"grade": 0}}, "nutrition", "at least 1"),
    ({"nutrition": {"grade": 6}}, "nutrition", "at most 5"),
    ({"nutrition": {"grade": True}}, "nutrition", "must be a number"),
    ({"nutrition": {"grade": "3"}}, "nutrition", "must be a number"),
    ({"nutrition": {"grade": 2.5}}, "nutrition", "whole number"),
    ({"nutrition": 3}, "nutrition", "must be an object"),
    ({"nutrition": {"grade": 3, "colour": "red"}}, "nutrition", "'colour' is not part of this answer"),
    ({"nutrition": {"grade": 3, "evidence": "a\x00b"}}, "nutrition", "control character (U+0000)"),
    ({"nutrition": {"grade": 3, "evidence": "a\u202bb"}}, "nutrition", "right-to-left embedding (U+202B)"),
    ({"visits": -1}, "visits", "at least 0"),
    ({"visits": 11}, "visits", "at most 10"),
    ({"visits": 2.5}, "visits", "whole number"),
    ({"visits": True}, "visits", "must be a number"),
    ({"visits": "3"}, "visits", "must be a number"),
    ({"weight": 0.1}, "weight", "at least 0.5"),
    ({"weight": 150.5}, "weight", "at most 150"),
    ({"weight": float("nan")}, "weight", "finite number"),
    ({"weight": float("inf")}, "weight", "finite number"),
    ({"weight": False}, "weight", "must be a number"),
    ({"siblings": 10**5000}, "siblings", "at most"),
    ({"siblings": -(10**5000)}, "siblings", "at least"),
    ({"seen_on": "2024-02-30"}, "seen_on", "is not a real date"),
    ({"seen_on": "21/11/2026"}, "seen_on", "YYYY-MM-DD"),
    ({"seen_on": "2024-1-5"}, "seen_on", "YYYY-MM-DD"),
    ({"seen_on": 20240105}, "seen_on", "must be text"),
    ({"matrix": {"resilience": 6}}, "matrix", "at most 5"),
    ({"matrix": {"environment": -6}}, "matrix", "at least -5"),
    ({"matrix": {"resilience": True}}, "matrix", "must be a number"),
    ({"matrix": {"resilience_factors": ["ok", "two\nlines"]}}, "matrix", "single line"),
    ({"matrix": {"colour": 1}}, "matrix", "'colour' is not part of this answer"),
    ({"carers": [{"carer_name": "A"}] * 3}, "carers", "more than the 2 entries"),
    ({"carers": {"carer_name": "A"}}, "carers", "must be a list"),
    ({"profile": {"worst": 5}}, None, "'profile' is not a question of this form"),
    ({"colour": "red"}, None, "'colour' is not a question of this form"),
])
def test_a_bad_answer_is_refused_with_a_plain_message(
        form: FormDefinition, answers: dict[str, Any], field_id: str | None, message: str) -> None:
    problems = refused(form, answers)
    assert len(problems) == 1, problems
    assert problems[0][0] == field_id
    assert message in problems[0][1]


def test_a_problem_in_a_row_names_the_row_and_column(form: FormDefinition) -> None:
    with pytest.raises(AnswersError) as caught:
        validate_draft(form, {"carers": [{"carer_name": "Ann"}, {"carer_name": "Bo", "born": "2020-13-01"}]})
    [problem] = caught.value.problems
    assert (problem.section_id, problem.field_id, problem.row, problem.column) == ("care", "carers", 1, "born")
    assert problem.describe(form) == "Care › Carers, Carer 2, Date of birth: is not a real date"


def test_an_unknown_column_in_a_row_is_refused(form: FormDefinition) -> None:
    with pytest.raises(AnswersError) as caught:
        validate_draft(form, {"carers": [{"carer_name": "Ann", "phone": "0131"}]})
    [problem] = caught.value.problems
    assert (problem.field_id, problem.row, problem.column) == ("carers", 0, "phone")
    assert problem.describe(form) == "Care › Carers, Carer 1, phone: is not a column of this table"


def test_a_refused_value_is_never_echoed_whole(form: FormDefinition) -> None:
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    for value, shown in [("x" * 10_000, "'" + "x" * 40 + "…'"), (10**5000, "a number"), (deep, "a list"),
                         ({"a": 10**5000}, "an object"), (1.5, "a number")]:
        [(_, message)] = refused(form, {"reason": value})
        assert message.startswith(f"{shown} is not one of the choices"), message


def test_every_draft_problem_is_reported_at_once(form: FormDefinition) -> None:
    problems = refused(form, {"name": "a\nb", "visits": 99, "reason": "x", "colour": 1})
    assert {field_id for field_id, _ in problems} == {"name", "visits", "reason", None}


@pytest.mark.parametrize("answers", [None, [], "{}", 3, ["name", "x"]])
def test_answers_that_are_not_an_object_are_refused(form: FormDefinition, answers: Any) -> None:
    assert refused(form, answers) == [(None, "answers must be a JSON object keyed by field id")]


def test_the_error_text_is_a_list_of_sentences(form: FormDefinition) -> None:
    with pytest.raises(AnswersError) as caught:
        validate_draft(form, {"name": "a\nb", "visits": 99})
    assert str(caught.value) == ("About › Name: must be a single line, without tabs or line breaks; "
                                 "About › Visits: must be at most 10")


def test_a_refusal_leaves_the_input_unchanged(form: FormDefinition) -> None:
    answers = {"name": "Ann", "story": None, "visits": 99, "nutrition": {"grade": 3.0},
               "carers": [{"carer_name": "Bo"}], "sources": ["school"]}
    before = copy.deepcopy(answers)
    with pytest.raises(AnswersError):
        validate_draft(form, answers)
    assert answers == before


def test_acceptance_leaves_the_input_unchanged_too(form: FormDefinition) -> None:
    answers = {"name": "Ann", "story": None, "nutrition": {"grade": 3.0}, "carers": [{"carer_name": "Bo"}]}
    before = copy.deepcopy(answers)
    stored = validate_draft(form, answers)
    assert answers == before
    assert stored is not answers


# --- the answers model and its JSON Schema -------------------------------------------------------------------------

def test_the_answers_schema_lists_every_question_but_computed_ones(form: FormDefinition) -> None:
    schema = answers_schema(form)
    asked = {field.id for _, field in form.fields() if field.kind != "computed"}
    assert set(schema["properties"]) == asked
    assert schema["additionalProperties"] is False
    assert schema["$id"] == "urn:cpassess:answers:every-kind:v1"
    assert schema.get("required", []) == []


def test_the_answers_model_is_built_once_per_form(form: FormDefinition) -> None:
    assert answers_model(form) is answers_model(form)


@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_stored_answers_conform_to_the_published_schema(shipped_form: FormDefinition) -> None:
    stored = validate_draft(shipped_form, fill_every_field(shipped_form))
    jsonschema.validate(stored, answers_schema(shipped_form), format_checker=jsonschema.FormatChecker())


def test_the_schema_refuses_what_the_draft_refuses(form: FormDefinition) -> None:
    validator = jsonschema.Draft202012Validator(answers_schema(form), format_checker=jsonschema.FormatChecker())
    for bad in ({"name": "a\nb"}, {"visits": 11}, {"reason": "x"}, {"colour": 1}, {"nutrition": {"grade": 6}},
                {"story": "\x00"}, {"sources": ["school", "school"]}):
        assert not validator.is_valid(bad), bad
        with pytest.raises(AnswersError):
            validate_draft(form, bad)


# --- documents generated from the schema ---------------------------------------------------------------------------

class _OldStyleMany:
    """hypothesis-jsonschema 0.23 steps `many` with more()/reject(); newer Hypothesis only iterates it."""

    def __init__(self, data: Any, **sizes: Any) -> None:
        self._many = conjecture_utils.many(data, **sizes)
        self._many.__enter__()
        self._steps = iter(self._many)

    def more(self) -> bool:
        if next(self._steps, False) is None:
            return True
        self._many.__exit__(None, None, None)
        return False

    def reject(self) -> None:
        self._many.reject()


if not hasattr(conjecture_utils.many, "more"):
    _from_schema.cu = types.SimpleNamespace(many=_OldStyleMany)  # type: ignore[attr-defined]

SCHEMA_SETTINGS = settings(max_examples=30, deadline=None, database=None,
                           suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def complete_documents(form: FormDefinition) -> st.SearchStrategy[dict[str, Any]]:
    """Documents answering every question (possibly with null), each answer drawn from its own schema."""
    schema = answers_schema(form)
    definitions = schema.get("$defs", {})
    properties = {}
    for key, sub in schema["properties"].items():
        used = set(re.findall(r'"#/\$defs/([^"]+)"', json.dumps(sub)))
        properties[key] = from_schema({**sub, "$defs": {name: definitions[name] for name in used}} if used else sub)
    return st.fixed_dictionaries(properties)


@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_documents_generated_from_the_answers_schema_pass_draft_validation(shipped_form: FormDefinition) -> None:
    @SCHEMA_SETTINGS
    @given(from_schema(answers_schema(shipped_form)))
    def check(document: dict[str, Any]) -> None:
        stored = validate_draft(shipped_form, document)
        assert stored == {key: value for key, value in stored.items() if value is not None}

    check()


@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_complete_documents_generated_from_the_answers_schema_pass_draft_validation(
        shipped_form: FormDefinition) -> None:
    asked = {field.id for _, field in shipped_form.fields() if field.kind != "computed"}

    @SCHEMA_SETTINGS
    @given(complete_documents(shipped_form))
    def check(document: dict[str, Any]) -> None:
        assert set(document) == asked
        stored = validate_draft(shipped_form, document)
        assert set(stored) == {key for key, value in document.items() if value is not None}

    check()


def test_documents_generated_for_every_kind_pass_draft_validation(form: FormDefinition) -> None:
    @SCHEMA_SETTINGS
    @given(complete_documents(form))
    def check(document: dict[str, Any]) -> None:
        validate_draft(form, document)

    check()
