"""The canonical content and its SHA-256 (DESIGN §5, §7): what the author signs and the team lead approves."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from answer_filler import SHIPPED_FORMS, fill_every_field

from cpassess.forms import (
    AnswersError,
    FormDefinition,
    canonical_content,
    canonical_json,
    content_sha256,
    default_catalog,
    fingerprint,
)
from cpassess.forms.loader import parse_definition_text

SMALL_FORM = """\
id: home-visit
version: 3
title: Home visit
sections:
  - id: about
    title: About the visit
    fields:
      - {id: visit_date, kind: date, label: Date of visit}
      - id: reason
        kind: choice
        label: Reason
        options: [{id: concern, label: A concern}, {id: other, label: Other}]
      - {id: reason_other, kind: text, label: Other reason, visible_if: {field: reason, equals: other}}
      - {id: story, kind: long_text, label: What we saw}
      - id: present
        kind: repeat
        label: People present
        fields:
          - {id: name, kind: text, label: Name}
          - {id: relationship, kind: text, label: Relationship}
"""

# A fixed document and the hash it must always have: a change to canonicalisation changes signed content.
LITERAL_CONTENT: dict[str, Any] = {
    "form_id": "neglect-assessment",
    "form_version": 1,
    "answers": {
        "assessment_date": "2025-05-30",
        "nutrition_feeding": {"grade": 4, "evidence": "Cupboards empty on 3 visits.\nSchool gives breakfast."},
        "information_sources": ["home_visit", "school_nursery"],
        "carers_present": [
            {"name": "Łukasz Wróblewski", "relationship": "Stepfather", "parental_responsibility": "no"}],
        "child_views": "Zoë says: \"I like Ἀλέξανδρος' house\" — Дмитрий agrees.",
    },
    "child": {"given_names": "Siobhán", "family_name": "Ní Bhriain", "date_of_birth": "2019-04-19"},
}
LITERAL_JSON = (
    '{"answers":{"assessment_date":"2025-05-30","carers_present":[{"name":"Łukasz Wróblewski",'
    '"parental_responsibility":"no","relationship":"Stepfather"}],"child_views":"Zoë says: \\"I like '
    'Ἀλέξανδρος\' house\\" — Дмитрий agrees.","information_sources":["home_visit","school_nursery"],'
    '"nutrition_feeding":{"evidence":"Cupboards empty on 3 visits.\\nSchool gives breakfast.","grade":4}},'
    '"child":{"date_of_birth":"2019-04-19","family_name":"Ní Bhriain","given_names":"Siobhán"},'
    '"form_id":"neglect-assessment","form_version":1}'
)
LITERAL_SHA256 = "b873a0d8e050bf11ffdd3c1c771b8ebfa0eccf1e6f077f31117e9e28fe64a45e"

SMALL_ANSWERS: dict[str, Any] = {
    "visit_date": "2025-05-30",
    "reason": "other",
    "reason_other": "A neighbour called",
    "story": "Two lines\nas typed  ",
    "present": [{"name": "Morven"}],
}
SMALL_SHA256 = "9c6325890a432cd3eec31610581289c15b6ec671d7825893e91cf54b8c15d2dc"


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return parse_definition_text(SMALL_FORM, "home-visit.v3.yaml")


def sha(form: FormDefinition, answers: dict[str, Any], child: dict[str, Any] | None = None) -> str:
    return content_sha256(canonical_content(form, answers, child))


def reversed_keys(value: Any) -> Any:
    """The same document with every object's keys in the opposite order."""
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


# --- a fixed, published canonical form --------------------------------------------------------------------------

def test_canonical_json_is_sorted_compact_utf8_text_as_typed() -> None:
    assert canonical_json(LITERAL_CONTENT) == LITERAL_JSON.encode("utf-8")


def test_the_hash_of_a_literal_document_never_changes() -> None:
    assert content_sha256(LITERAL_CONTENT) == LITERAL_SHA256
    assert hashlib.sha256(LITERAL_JSON.encode("utf-8")).hexdigest() == LITERAL_SHA256


def test_the_hash_of_a_small_assessment_never_changes(form: FormDefinition) -> None:
    content = canonical_content(form, SMALL_ANSWERS)
    assert content == {"form_id": "home-visit", "form_version": 3, "answers": {
        "visit_date": "2025-05-30", "reason": "other", "reason_other": "A neighbour called",
        "story": "Two lines\nas typed  ", "present": [{"name": "Morven", "relationship": None}]}}
    assert content_sha256(content) == SMALL_SHA256


def test_the_hash_is_the_same_in_a_fresh_interpreter() -> None:
    # Another process has another hash seed: nothing in the hash may depend on set or dict ordering.
    code = ("import json,sys; from cpassess.forms import content_sha256; "
            "print(content_sha256(json.loads(sys.stdin.read())))")
    result = subprocess.run([sys.executable, "-c", code], input=json.dumps(reversed_keys(LITERAL_CONTENT)),
                            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert result.stdout.strip() == LITERAL_SHA256


def test_fingerprint_is_four_groups_of_four() -> None:
    assert fingerprint(LITERAL_SHA256) == "-".join(
        LITERAL_SHA256[i:i + 4].upper() for i in range(0, 16, 4))


# --- what counts and what does not --------------------------------------------------------------------------------

def test_key_order_does_not_matter(form: FormDefinition) -> None:
    child = {"given_names": "Eilidh", "family_name": "MacLeod"}
    assert sha(form, reversed_keys(SMALL_ANSWERS), reversed_keys(child)) == sha(form, SMALL_ANSWERS, child)
    assert content_sha256(reversed_keys(LITERAL_CONTENT)) == LITERAL_SHA256


def test_a_hidden_answer_changes_nothing(form: FormDefinition) -> None:
    typed_then_switched = {**SMALL_ANSWERS, "reason": "concern"}
    never_typed = {key: value for key, value in typed_then_switched.items() if key != "reason_other"}
    assert sha(form, typed_then_switched) == sha(form, never_typed)
    assert "reason_other" not in canonical_content(form, typed_then_switched)["answers"]


def test_an_empty_answer_changes_nothing(form: FormDefinition) -> None:
    assert sha(form, {**SMALL_ANSWERS, "present": []}) == sha(form, {**SMALL_ANSWERS, "present": None}) \
        == sha(form, {k: v for k, v in SMALL_ANSWERS.items() if k != "present"})
    assert sha(form, {**SMALL_ANSWERS, "story": "   "}) == sha(form, {**SMALL_ANSWERS, "story": None})


def test_a_missing_column_and_a_null_column_are_the_same(form: FormDefinition) -> None:
    assert sha(form, {**SMALL_ANSWERS, "present": [{"name": "Morven", "relationship": None}]}) == \
        sha(form, SMALL_ANSWERS)


def test_white_space_in_what_was_typed_counts(form: FormDefinition) -> None:
    assert sha(form, {**SMALL_ANSWERS, "story": "Two lines\nas typed"}) != sha(form, SMALL_ANSWERS)


def test_the_form_version_and_child_count(form: FormDefinition) -> None:
    base = sha(form, SMALL_ANSWERS, {"given_names": "Eilidh"})
    assert sha(form, SMALL_ANSWERS, {"given_names": "Ellie"}) != base
    assert sha(form, SMALL_ANSWERS) != base
    newer = parse_definition_text(SMALL_FORM.replace("version: 3", "version: 4"))
    assert sha(newer, SMALL_ANSWERS, {"given_names": "Eilidh"}) != base


def test_invalid_answers_cannot_be_hashed(form: FormDefinition) -> None:
    with pytest.raises(AnswersError):
        canonical_content(form, {**SMALL_ANSWERS, "reason": "elsewhere"})


def _changed(form: FormDefinition, field_id: str, value: Any) -> Any:
    """A different valid answer to the same question."""
    field = form.field(field_id)
    match field.kind:
        case "text" | "long_text":
            return value[:-1] + ("x" if value[-1:] != "x" else "y")
        case "date":
            return value[:-2] + ("01" if value[-2:] != "01" else "02")
        case "choice" | "rating" | "yes_no_unknown":
            options = ([o.id for o in field.options] if field.kind == "choice" else
                       [level.id for level in form.scale(field.scale).levels] if field.kind == "rating" else
                       ["yes", "no", "unknown"])
            return next(option for option in options if option != value)
        case "multi_choice":
            return value[:-1]
        case "grade":
            return {**value, "evidence": value["evidence"] + "!"}
        case "resilience_matrix":
            return {**value, "resilience": value["resilience"] - 1}
        case "repeat":
            return [*value, value[0]]
        case "number":
            return value + 1
    raise AssertionError(field.kind)


@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_changing_any_visible_answer_changes_the_hash(shipped_form: FormDefinition) -> None:
    answers = fill_every_field(shipped_form)
    original = sha(shipped_form, answers)
    visible = canonical_content(shipped_form, answers)["answers"]
    assert len(visible) > 10
    seen = {original}
    for field_id, value in visible.items():
        changed = copy.deepcopy(answers)
        changed[field_id] = _changed(shipped_form, field_id, copy.deepcopy(value))
        digest = sha(shipped_form, changed)
        assert digest not in seen, field_id
        seen.add(digest)


@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_changing_a_hidden_answer_in_a_shipped_form_changes_nothing(shipped_form: FormDefinition) -> None:
    answers = fill_every_field(shipped_form)
    visible = canonical_content(shipped_form, answers)["answers"]
    hidden = [field_id for field_id in answers if field_id not in visible]
    assert hidden, "the filler answers every question, so some answers are hidden"
    original = sha(shipped_form, answers)
    for field_id in hidden:
        changed = {**answers, field_id: _changed(shipped_form, field_id, answers[field_id])}
        assert sha(shipped_form, changed) == original, field_id


def test_the_reason_other_of_a_shipped_form_is_dropped_when_reason_changes() -> None:
    form = default_catalog().get("girfec-wellbeing")
    answers = fill_every_field(form)
    answers["reason"] = "other"
    answers["reason_other"] = "A call from the health visitor"
    switched = {**answers, "reason": "plan_review"}
    never_typed = {k: v for k, v in switched.items() if k != "reason_other"}
    assert sha(form, switched) == sha(form, never_typed)
    assert sha(form, answers) != sha(form, switched)
