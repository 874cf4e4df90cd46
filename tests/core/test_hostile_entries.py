"""Hostile input at every entry (issue 12), as properties: whatever JSON text, child record, answers or form file
arrives, the answer is a clean result or one refusal of our own kind whose message is one line.

The shapes come from test_properties (deep nesting, huge numbers, NaN, control, bidi and zero-width characters,
lone surrogates) plus what only JSON text can hold: duplicate keys, bare NaN, 5,000-digit numbers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import FORMS, YAML_PIECES, hostile

from cpassess.children import ChildRecordError, parse_child
from cpassess.forms import AnswersError, FormDefinitionError, validate_draft
from cpassess.forms.loader import parse_definition_text
from cpassess.forms.text import HIDDEN_CHARACTERS
from cpassess.json_input import JsonRefused, parse_json

ENTRY_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
JSON_PIECES = [
    "{", "}", "[", "]", ",", ":", '"', '"given_names"', '"family_name"', '"date_of_birth"', '"household"',
    '"parental_responsibility"', '"expected_date_of_delivery"', '"assessment_date"', '"physical_care_daily_life"',
    '"nutrition"', '"grade"', '"2019-04-19"', '"1800-01-01"', '"0001-01-01"', '"1990-01-01"', '"yes"', "true",
    "false", "null", "NaN", "Infinity", "-Infinity", "1" * 5000, "-" + "9" * 30, "1e999", "0.5", "3", "-0",
    '"\\ud800"', '"\\u202e"', '"\\u200b"', '"\\u0000"', '"a\\nb"', " ", "\n", "\t", "\ufeff", "\\", "é", "Ω",
]
CHILD_KEYS = ["given_names", "family_name", "known_as", "date_of_birth", "expected_date_of_delivery", "sex", "chi",
              "address", "school", "named_person", "lead_professional", "household", "agencies", "protection",
              "next_cppm", "next_core_group"]
invisible = st.sampled_from(sorted(HIDDEN_CHARACTERS))
names = st.one_of(st.text(max_size=30), st.tuples(st.text(max_size=10), invisible, st.text(max_size=10)).map(
    "".join))
child_values = st.one_of(hostile, names, st.sampled_from(["2019-04-19", "1800-01-01", "0001-01-01", "1990-01-01",
                                                          "2100-01-01", "yes", "true", "female"]))
household = st.lists(st.dictionaries(st.sampled_from(["name", "relationship", "date_of_birth",
                                                      "parental_responsibility"]), child_values), max_size=3)
children = st.fixed_dictionaries(
    {"given_names": names, "family_name": names},
    optional={key: st.one_of(child_values, household) if key == "household" else child_values
              for key in CHILD_KEYS[2:]})


def one_line(error: Exception) -> None:
    text = str(error)
    assert text and "\n" not in text and "\r" not in text and "\u2028" not in text, repr(text)
    assert not any(character in text for character in HIDDEN_CHARACTERS), repr(text)


def parsed_or_refused(text: str) -> Any:
    try:
        return parse_json(text)
    except JsonRefused as error:
        one_line(error)
        return None


def child_or_refused(data: Any) -> None:
    try:
        parse_child(data)
    except ChildRecordError as error:
        one_line(error)


def answers_or_refused(data: Any) -> None:
    for form in FORMS:
        try:
            validate_draft(form, data)
        except AnswersError as error:
            one_line(error)


@ENTRY_SETTINGS
@given(st.lists(st.sampled_from(JSON_PIECES), max_size=30).map("".join))
def test_any_json_text_is_read_or_refused_in_one_line_and_then_validated_cleanly(text: str) -> None:
    data = parsed_or_refused(text)
    if data is not None:
        child_or_refused(data)
        answers_or_refused(data)


@ENTRY_SETTINGS
@given(children)
def test_a_hostile_child_record_is_accepted_or_refused_in_one_line(data: dict[str, Any]) -> None:
    child_or_refused(data)


@ENTRY_SETTINGS
# integers within the reader's bound: a longer one is refused for its size first (tested on its own)
@given(st.dictionaries(st.sampled_from(CHILD_KEYS), st.one_of(names, st.integers(-10**19, 10**19), st.booleans(),
                                                              st.none()),
                       min_size=1), st.data())
def test_a_duplicate_key_in_child_json_is_always_refused(data: dict[str, Any], draw: st.DataObject) -> None:
    key = draw.draw(st.sampled_from(sorted(data)))
    text = json.dumps(data)
    with pytest.raises(JsonRefused) as refused:
        parse_json(text[:-1] + f', "{key}": null}}')
    assert str(refused.value) == f"the key '{key}' appears twice in one object"


@ENTRY_SETTINGS
@given(st.dictionaries(st.one_of(st.text(max_size=12), st.sampled_from(["assessment_date", "nutrition"])),
                       st.one_of(hostile, names), max_size=4))
def test_hostile_answers_are_accepted_or_refused_in_one_line(data: dict[str, Any]) -> None:
    answers_or_refused(data)


@ENTRY_SETTINGS
@given(st.lists(st.sampled_from([*YAML_PIECES, "\u202e", "\u200b", '"a\\nb": 1\n', "fields:\n", "- id: x\n"]),
                max_size=40).map("".join))
def test_a_hostile_form_file_is_refused_with_one_line_per_problem(text: str) -> None:
    try:
        parse_definition_text(text, "form.v1.yaml")
    except FormDefinitionError as error:
        for line in error.lines():
            assert "\n" not in line and "\r" not in line, repr(line)
            assert not any(character in line for character in HIDDEN_CHARACTERS), repr(line)
