"""Computed summaries (DESIGN §5, §6): the neglect domain profile and the SHANARRI overview."""

from __future__ import annotations

from typing import Any

import pytest
from answer_filler import fill_every_field

from cpassess.forms import COMPUTATIONS, DomainProfile, FormDefinition, IndicatorRating, compute, default_catalog
from cpassess.forms.definition import ComputedField
from cpassess.forms.loader import parse_definition_text

DESCRIPTORS = "descriptors: [Consistently, Mostly, Inconsistently, Mostly not, Seriously not]"

NEGLECT = f"""\
id: mini-neglect
version: 1
title: Mini neglect
scales:
  - id: grades
    title: Grades
    levels:
      - {{id: g1, label: Needs consistently met, tone: good}}
      - {{id: g2, label: Needs mostly met, tone: good}}
      - {{id: g3, label: Needs met inconsistently, tone: caution}}
      - {{id: g4, label: Needs mostly not met, tone: concern}}
      - {{id: g5, label: Needs seriously not met, tone: concern}}
sections:
  - id: physical
    title: Physical care
    fields:
      - {{id: food, kind: grade, label: Food, scale: grades, {DESCRIPTORS}}}
      - {{id: hygiene, kind: grade, label: Hygiene, scale: grades, {DESCRIPTORS}}}
      - {{id: clothing, kind: grade, label: Clothing, scale: grades, {DESCRIPTORS}}}
      - {{id: housing, kind: grade, label: Housing, scale: grades, {DESCRIPTORS}}}
      - {{id: health, kind: grade, label: Health, scale: grades, {DESCRIPTORS}}}
      - {{id: is_baby, kind: yes_no_unknown, label: Is the child a baby}}
      - {{id: safe_sleep, kind: grade, label: Safe sleep, scale: grades, {DESCRIPTORS},
         visible_if: {{field: is_baby, equals: "yes"}}}}
      - {{id: physical_story, kind: long_text, label: Daily life}}
  - id: safety
    title: Safety and supervision
    fields:
      - {{id: supervision, kind: grade, label: Supervision, scale: grades, {DESCRIPTORS}}}
  - id: school
    title: School
    visible_if: {{field: is_baby, equals: "no"}}
    fields:
      - {{id: attendance, kind: grade, label: Attendance, scale: grades, {DESCRIPTORS}}}
  - id: analysis
    title: Analysis
    fields:
      - {{id: profile, kind: computed, label: Domain profile, function: neglect_profile,
         sources: [physical, safety, school]}}
"""

WELLBEING = """\
id: mini-wellbeing
version: 1
title: Mini wellbeing
scales:
  - id: wellbeing
    title: Wellbeing
    levels:
      - {id: needs_met, label: Wellbeing needs met, tone: good}
      - {id: some_concerns, label: Some concerns, tone: caution}
      - {id: significant_concerns, label: Significant concerns, tone: concern}
      - {id: not_known, label: Not known, tone: unknown}
sections:
  - id: indicators
    title: Wellbeing indicators
    fields:
      - {id: safe, kind: rating, label: Safe, scale: wellbeing}
      - {id: healthy, kind: rating, label: Healthy, scale: wellbeing}
      - {id: achieving, kind: rating, label: Achieving, scale: wellbeing}
      - {id: at_school, kind: yes_no_unknown, label: At school}
      - {id: included, kind: rating, label: Included, scale: wellbeing,
         visible_if: {field: at_school, equals: "yes"}}
      - {id: overview, kind: computed, label: At a glance, function: shanarri_overview,
         sources: [safe, healthy, achieving, included]}
"""


@pytest.fixture(scope="module")
def neglect() -> FormDefinition:
    return parse_definition_text(NEGLECT, "mini-neglect.v1.yaml")


@pytest.fixture(scope="module")
def wellbeing() -> FormDefinition:
    return parse_definition_text(WELLBEING, "mini-wellbeing.v1.yaml")


def computed_field(form: FormDefinition, field_id: str) -> ComputedField:
    field = form.field(field_id)
    assert isinstance(field, ComputedField)
    return field


def profile(form: FormDefinition, answers: dict[str, Any]) -> dict[str, DomainProfile]:
    return {domain.section_id: domain for domain in compute(form, computed_field(form, "profile"), answers)}


def test_the_shipped_computations_are_named() -> None:
    assert {"neglect_profile", "shanarri_overview"} <= set(COMPUTATIONS)


def test_worst_mean_and_serious_count_per_domain(neglect: FormDefinition) -> None:
    answers = {
        "food": {"grade": 1}, "hygiene": {"grade": 4, "evidence": "x"}, "clothing": {"grade": 5, "evidence": "y"},
        "housing": {"grade": None}, "supervision": {"grade": 3, "evidence": "z"},
    }
    domains = profile(neglect, answers)
    assert list(domains) == ["physical", "safety"]  # the school section is hidden until is_baby = no
    physical = domains["physical"]
    assert physical == DomainProfile(section_id="physical", title="Physical care", items=5, graded=3, not_known=1,
                                     worst=5, mean=3.33, serious=2)
    assert physical.unanswered == 1
    assert domains["safety"] == DomainProfile("safety", "Safety and supervision", 1, 1, 0, 3, 3.0, 0)


def test_nothing_graded_gives_no_worst_and_no_mean(neglect: FormDefinition) -> None:
    domains = profile(neglect, {"food": {"grade": None}})
    assert domains["physical"] == DomainProfile("physical", "Physical care", 5, 0, 1, None, None, 0)
    assert domains["safety"].unanswered == 1


def test_hidden_items_and_sections_do_not_count(neglect: FormDefinition) -> None:
    hidden = profile(neglect, {"safe_sleep": {"grade": 5, "evidence": "x"}, "attendance": {"grade": 5}})
    assert hidden["physical"].items == 5
    assert hidden["physical"].worst is None
    assert "school" not in hidden
    shown = profile(neglect, {"is_baby": "yes", "safe_sleep": {"grade": 5, "evidence": "x"}})
    assert (shown["physical"].items, shown["physical"].worst, shown["physical"].serious) == (6, 5, 1)
    older = profile(neglect, {"is_baby": "no", "attendance": {"grade": 4, "evidence": "x"}})
    assert older["school"] == DomainProfile("school", "School", 1, 1, 0, 4, 4.0, 1)


def test_the_mean_is_rounded_to_two_places(neglect: FormDefinition) -> None:
    grades = {"food": 1, "hygiene": 1, "clothing": 2}
    domains = profile(neglect, {key: {"grade": grade} for key, grade in grades.items()})
    assert domains["physical"].mean == 1.33
    assert domains["physical"].worst == 2
    assert domains["physical"].serious == 0


def test_levels_and_not_yet_rated(wellbeing: FormDefinition) -> None:
    field = computed_field(wellbeing, "overview")
    overview = compute(wellbeing, field, {"safe": "significant_concerns", "healthy": "not_known"})
    assert overview == [
        IndicatorRating("safe", "Safe", "significant_concerns", "Significant concerns", "concern"),
        IndicatorRating("healthy", "Healthy", "not_known", "Not known", "unknown"),
        IndicatorRating("achieving", "Achieving", None, "Not yet rated", "unknown"),
    ]
    shown = compute(wellbeing, field, {"at_school": "yes", "included": "needs_met"})
    assert [(item.field_id, item.level_label, item.tone) for item in shown] == [
        ("safe", "Not yet rated", "unknown"), ("healthy", "Not yet rated", "unknown"),
        ("achieving", "Not yet rated", "unknown"), ("included", "Wellbeing needs met", "good")]


def test_the_shipped_neglect_profile() -> None:
    if "neglect-assessment" not in default_catalog().form_ids():
        pytest.skip("the neglect assessment is not written yet")
    form = default_catalog().get("neglect-assessment")
    [field] = [f for _, f in form.fields() if isinstance(f, ComputedField) and f.function == "neglect_profile"]
    domains = compute(form, field, fill_every_field(form))  # every item graded 4, with evidence
    assert [domain.title for domain in domains] == [
        "Physical care", "Safety and supervision", "Emotional care and belonging", "Development, learning and play"]
    assert [domain.items for domain in domains] == [5, 4, 3, 4]
    for domain in domains:
        assert (domain.worst, domain.mean, domain.serious, domain.not_known) == (4, 4.0, domain.items, 0)
    empty = compute(form, field, {})
    assert all(domain.graded == 0 and domain.worst is None and domain.unanswered == domain.items for domain in empty)


def test_the_shipped_wellbeing_overview() -> None:
    form = default_catalog().get("girfec-wellbeing")
    [field] = [f for _, f in form.fields() if isinstance(f, ComputedField) and f.function == "shanarri_overview"]
    overview = compute(form, field, {"safe": "significant_concerns"})
    assert [item.label for item in overview] == [
        "Safe", "Healthy", "Achieving", "Nurtured", "Active", "Respected", "Responsible", "Included"]
    assert overview[0].level_label == "Significant concerns"
    assert {item.level_label for item in overview[1:]} == {"Not yet rated"}
