"""Hostile input: whatever arrives, the loader and the validators answer cleanly or refuse with their own error.

The only exceptions allowed out are FormDefinitionError (a form file) and AnswersError (answers). A RecursionError,
a ValueError from int(), a TypeError from an unexpected type: each would be a crash in the app or the CLI.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pytest
from answer_filler import TODAY, fill_every_field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpassess.forms import (
    AnswersError,
    FormDefinition,
    FormDefinitionError,
    canonical_content,
    content_sha256,
    default_catalog,
    validate_draft,
    validate_submission,
)
from cpassess.forms.loader import parse_definition, parse_definition_text

# 60 examples per run (a failing one is kept in .hypothesis/ and tried first next time); 120 doubled the time of
# the slowest core tests for little more cover
HOSTILE_SETTINGS = settings(
    max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])


def nested_lists(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def nested_dicts(depth: int, key: str = "not") -> dict[str, Any]:
    value: dict[str, Any] = {"field": "reason", "equals": "other"}
    for _ in range(depth):
        value = {key: value}
    return value


def nested_mixed(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"all": value}
    return value


HUGE_INT = 10**5000

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    # built by map: Hypothesis describes its strategies with repr(), which an int of 5001 digits refuses
    st.sampled_from([5000, 300, 20]).map(lambda digits: 10**digits),
    st.sampled_from([5000, 300, 20]).map(lambda digits: -(10**digits)),
    st.sampled_from([2**53, 2**53 + 1, 2**63, -(2**63), 0, -1, 1, 5, 6]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308, 5e-324, 3.0, 2.5]),
    st.text(),
    st.text(st.characters(codec=None, categories=["Cc"])),  # control characters, NUL included
    st.text(st.characters(codec=None, categories=["Cs"]), min_size=1),  # lone surrogates
    st.sampled_from([1_000_001, 300_000]).map(lambda size: "Ω" * size),
    st.sampled_from(["\x00", "a\x00b", "\ud800", "line\nbreak", "tab\there", "\u202e", "2024-02-30",
                     "0000-00-00", "9999-12-31", "yes", "no", "other", "grade", "not_known"]),
    st.binary(max_size=20),
    st.builds(dt.date, st.integers(1, 9999), st.integers(1, 12), st.integers(1, 28)),
)
deep = st.one_of(
    st.integers(500, 5000).map(nested_lists),
    st.integers(500, 5000).map(nested_dicts),
    st.integers(500, 5000).map(lambda n: nested_dicts(n, "all")),
    st.integers(500, 5000).map(nested_mixed),
)
keys = st.one_of(st.text(max_size=20), st.sampled_from(["id", "kind", "grade", "evidence", "not", "in", "field"]),
                 st.integers(), st.just(5000).map(lambda digits: 10**digits), st.booleans(), st.none(),
                 st.tuples(st.integers()))
hostile = st.recursive(
    st.one_of(scalars, deep),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=8,
)


def clean_or_refused[T](call: Callable[[], T]) -> T | None:
    """Run `call`; a refusal of our own kind is an answer, any other exception fails the test."""
    try:
        return call()
    except (FormDefinitionError, AnswersError):
        return None


EVERY_KIND = """\
id: every-kind
version: 1
title: Every kind
scales:
  - id: grades
    title: Grades
    levels:
      - {id: g1, label: One, tone: good}
      - {id: g2, label: Two, tone: good}
      - {id: g3, label: Three, tone: caution}
      - {id: g4, label: Four, tone: concern}
      - {id: g5, label: Five, tone: concern}
  - id: wellbeing
    title: Wellbeing
    levels:
      - {id: met, label: Met, tone: good}
      - {id: not_met, label: Not met, tone: concern}
sections:
  - id: about
    title: About
    fields:
      - {id: name, kind: text, label: Name, required: true, max_length: 50}
      - {id: story, kind: long_text, label: Story, required: true}
      - {id: seen_on, kind: date, label: Seen on, not_future: true, required: true}
      - {id: next_on, kind: date, label: Next on, not_before: seen_on, minimum: 2000-01-01}
      - {id: visits, kind: number, label: Visits}
      - {id: weight, kind: number, label: Weight, integer: false, minimum: 0}
      - id: reason
        kind: choice
        label: Reason
        required: true
        options: [{id: concern, label: Concern}, {id: other, label: Other}]
      - {id: reason_other, kind: text, label: Other reason, required: true,
         visible_if: {field: reason, equals: other}}
      - id: sources
        kind: multi_choice
        label: Sources
        options: [{id: school, label: School}, {id: police, label: Police}]
      - {id: seen, kind: yes_no_unknown, label: Seen, required: true}
  - id: care
    title: Care
    visible_if: {any: [{field: sources, in: [police]}, {not: {field: seen, equals: "no"}}]}
    fields:
      - id: food
        kind: grade
        label: Food
        scale: grades
        required: true
        descriptors: [a, b, c, d, e]
      - {id: safe, kind: rating, label: Safe, scale: wellbeing, required: true,
         visible_if: {field: visits, in: [1, 2, 3]}}
      - {id: matrix, kind: resilience_matrix, label: Matrix, required: true}
      - id: people
        kind: repeat
        label: People
        min_items: 1
        max_items: 3
        fields:
          - {id: who, kind: text, label: Who, required: true}
          - {id: born, kind: date, label: Born, not_future: true}
          - {id: role, kind: choice, label: Role, options: [{id: mum, label: Mum}, {id: dad, label: Dad}]}
      - {id: profile, kind: computed, label: Profile, function: neglect_profile, sources: [care]}
"""

FORMS = [parse_definition_text(EVERY_KIND, "every-kind.v1.yaml"), *default_catalog()]
FORM_IDS = [form.id for form in FORMS]


def all_paths(value: Any) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) into a JSON-like value, found without recursion."""
    paths: list[tuple[Any, ...]] = []
    pending: list[tuple[tuple[Any, ...], Any]] = [((), value)]
    while pending:
        path, node = pending.pop()
        paths.append(path)
        if isinstance(node, dict):
            pending.extend(((*path, key), child) for key, child in node.items())
        elif isinstance(node, list):
            pending.extend(((*path, index), child) for index, child in enumerate(node))
    return paths


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copied = copy.deepcopy(document)
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return copied


def check_answers(form: FormDefinition, answers: Any) -> None:
    clean_or_refused(lambda: validate_draft(form, answers))
    assert isinstance(validate_submission(form, answers, today=TODAY), list)
    clean_or_refused(lambda: content_sha256(canonical_content(form, answers)))


# --- the loader -----------------------------------------------------------------------------------------------------

@HOSTILE_SETTINGS
@given(hostile)
def test_parse_definition_takes_anything(data: Any) -> None:
    clean_or_refused(lambda: parse_definition(data))


@HOSTILE_SETTINGS
@given(st.dictionaries(st.sampled_from(["id", "version", "title", "description", "scales", "sections"]), hostile))
def test_parse_definition_takes_anything_under_the_right_keys(data: dict[str, Any]) -> None:
    clean_or_refused(lambda: parse_definition(data))


BASE_DEFINITION = parse_definition_text(EVERY_KIND).model_dump(mode="json", by_alias=True, exclude_defaults=True)
BASE_PATHS = all_paths(BASE_DEFINITION)


@HOSTILE_SETTINGS
@given(st.sampled_from(BASE_PATHS), hostile)
def test_a_damaged_definition_is_refused_cleanly_or_still_works(path: tuple[Any, ...], value: Any) -> None:
    form = clean_or_refused(lambda: parse_definition(replaced(BASE_DEFINITION, path, value)))
    if form is not None:
        check_answers(form, fill_every_field(form))
        check_answers(form, {})


@HOSTILE_SETTINGS
@given(st.text())
def test_parse_definition_text_takes_any_text(text: str) -> None:
    clean_or_refused(lambda: parse_definition_text(text))


YAML_PIECES = [
    "{", "}", "[", "]", "- ", ": ", ", ", "\n", "  ", "    ", "&a ", "*a", "<<: ", "!!int ", "!!float ", "!!str ",
    "!!timestamp ", "!!binary ", "!!python/name:os.system ", "!!set ", "!!omap ", "? ", "%YAML 1.1\n", "---\n",
    "...\n", "#", "'", '"', "\\", "|\n", ">\n", "id", "kind", "grade", "sections", "fields", "visible_if", "yes",
    "no", "~", "null", "2024-02-30", "2024-13-45 25:61:61", "1" * 5000, "0x" + "f" * 50, "0b102", "1_0", "1:2:3",
    ".nan", "-.inf", "1e99999", "\t", "\x00", "\ud800", "\u2028", "\ufeff", "é",
]


@HOSTILE_SETTINGS
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join))
def test_parse_definition_text_takes_yaml_soup(text: str) -> None:
    clean_or_refused(lambda: parse_definition_text(text))


@HOSTILE_SETTINGS
@given(st.integers(0, len(EVERY_KIND)), st.lists(st.sampled_from(YAML_PIECES), min_size=1, max_size=5).map("".join))
def test_a_damaged_form_file_is_refused_cleanly_or_still_works(position: int, insert: str) -> None:
    text = EVERY_KIND[:position] + insert + EVERY_KIND[position:]
    form = clean_or_refused(lambda: parse_definition_text(text))
    if form is not None:
        check_answers(form, fill_every_field(form))


@pytest.mark.parametrize("text", [
    "[" * 100_000,
    "{" * 100_000,
    "- " * 20_000 + "x",
    "a: " * 20_000 + "x",
    "".join(f"{' ' * level}k:\n" for level in range(2000)),
    "sections: " + "[" * 50 + "]" * 50,
    "id: " + "&a [" * 1000,
    "? " * 5000 + "x",
    "!!python/object:x\n" * 100,
], ids=["flow-lists", "flow-maps", "block-lists", "inline-maps", "indented-maps", "sections", "anchors", "keys",
        "tags"])
def test_deep_yaml_text_is_a_clean_refusal(text: str) -> None:
    with pytest.raises(FormDefinitionError):
        parse_definition_text(text)


def _chain(length: int, depth: int) -> dict[str, Any]:
    """`length` questions, each shown by the next, each condition wrapped `depth` levels deep."""
    fields = []
    for i in range(length):
        field: dict[str, Any] = {"id": f"q{i}", "kind": "yes_no_unknown", "label": f"Question {i}", "required": True}
        if i + 1 < length:
            condition: dict[str, Any] = {"field": f"q{i + 1}", "equals": "yes"}
            for level in range(depth - 1):
                condition = {"all": [condition]} if level % 2 else {"not": {"not": condition}}
            field["visible_if"] = condition
        fields.append(field)
    sections = [{"id": f"s{n}", "title": "Part", "fields": fields[n * 100:(n + 1) * 100]}
                for n in range((length + 99) // 100)]
    return {"id": "chain", "version": 1, "title": "Chain", "sections": sections}


@pytest.mark.parametrize("length", [2, 10, 11, 40, 400])
@pytest.mark.parametrize("depth", [1, 8, 9, 60, 250])
def test_whatever_the_loader_accepts_can_be_validated(length: int, depth: int) -> None:
    form = clean_or_refused(lambda: parse_definition(_chain(length, depth)))
    if form is None:
        return
    everything = {f"q{i}": "yes" for i in range(length)}
    assert validate_submission(form, everything, today=TODAY) == []
    assert len(validate_submission(form, {}, today=TODAY)) == 1
    assert len(canonical_content(form, dict(reversed(everything.items())))["answers"]) == length


# --- the validators -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
@HOSTILE_SETTINGS
@given(answers=hostile)
def test_answers_of_any_shape_are_answered_cleanly(form: FormDefinition, answers: Any) -> None:
    check_answers(form, answers)


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
@HOSTILE_SETTINGS
@given(data=st.data(), value=hostile)
def test_a_hostile_value_for_any_question_is_answered_cleanly(
        form: FormDefinition, data: st.DataObject, value: Any) -> None:
    field_id = data.draw(st.sampled_from([field.id for _, field in form.fields()]))
    check_answers(form, {field_id: value})


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
@HOSTILE_SETTINGS
@given(data=st.data(), value=hostile)
def test_a_hostile_value_anywhere_in_complete_answers_is_answered_cleanly(
        form: FormDefinition, data: st.DataObject, value: Any) -> None:
    answers = fill_every_field(form)
    path = data.draw(st.sampled_from([path for path in all_paths(answers) if path]))
    check_answers(form, replaced(answers, path, value))


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
@HOSTILE_SETTINGS
@given(data=st.data(), key=keys, value=hostile)
def test_an_extra_key_anywhere_in_complete_answers_is_answered_cleanly(
        form: FormDefinition, data: st.DataObject, key: Any, value: Any) -> None:
    answers = fill_every_field(form)
    objects = [path for path in all_paths(answers) if isinstance(_at(answers, path), dict)]
    path = data.draw(st.sampled_from(objects))
    damaged = copy.deepcopy(answers)
    _at(damaged, path)[key] = value
    check_answers(form, damaged)


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
@pytest.mark.parametrize("value", [
    nested_lists(100_000), nested_dicts(100_000), nested_mixed(100_000), HUGE_INT, -HUGE_INT, math.nan, math.inf,
    True, False, "x" * 2_000_000, "\x00" * 1000, "\ud800\udfff\ud800", b"bytes", ("a", "tuple"), {1: 2},
], ids=["deep-lists", "deep-dicts", "deep-mixed", "huge-int", "huge-negative", "nan", "inf", "true", "false",
        "huge-text", "nuls", "surrogates", "bytes", "tuple", "int-keys"])
def test_each_hostile_value_in_each_question(form: FormDefinition, value: Any) -> None:
    for _, field in form.fields():
        check_answers(form, {field.id: value})
    check_answers(form, value)
    check_answers(form, {"grade": value})


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_hostile_values_inside_structured_answers(form: FormDefinition) -> None:
    answers = fill_every_field(form)
    for path in all_paths(answers):
        if not path:
            continue
        for value in (nested_lists(3000), HUGE_INT, math.nan, True, "\x00", "\ud800", None, [], {}):
            check_answers(form, replaced(answers, path, value))
