"""Forms version 2 (issue 15): the new forms, per-column and per-row sensitivity in the family copy, required_if,
cross-field warnings and prefill, all as form data resolved in the core."""

from __future__ import annotations

import random
from typing import Any

import jsonschema
import pytest
from answer_filler import TODAY, fill_every_field

from cpassess.demo import sample_answers
from cpassess.forms import FormDefinitionError, answers_schema, default_catalog, migrate_answers, parse_definition_text
from cpassess.forms._yaml import read_yaml
from cpassess.forms.canonical import canonical_content, family_content
from cpassess.forms.cross_field import cross_field_warnings
from cpassess.forms.definition import ChoiceField, MultiChoiceField, RepeatField
from cpassess.forms.prefill import prefilled_answers
from cpassess.forms.validation import validate_submission
from cpassess.resources import resource_path

NEW_FORMS = [("neglect-assessment", 2), ("girfec-wellbeing", 2), ("core-group-review", 1)]


def form_of(form_id: str, version: int | None = None) -> Any:
    return default_catalog().get(form_id, version)


@pytest.mark.parametrize(("form_id", "version"), NEW_FORMS)
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_answers_generated_for_each_new_form_fit_its_schema_and_pass_submit(form_id: str, version: int,
                                                                             seed: int) -> None:
    form = form_of(form_id, version)
    answers = sample_answers(form, random.Random(seed), "Eilidh", TODAY)
    jsonschema.validate(answers, answers_schema(form))
    assert validate_submission(form, answers, TODAY) == []
    every = fill_every_field(form)
    jsonschema.validate(every, answers_schema(form))
    assert validate_submission(form, every, TODAY) == []


def test_version_one_files_are_unchanged_and_still_load() -> None:
    assert default_catalog().versions("neglect-assessment") == [1, 2]
    assert default_catalog().versions("girfec-wellbeing") == [1, 2]
    assert default_catalog().versions("core-group-review") == [1]
    assert "Your analysis" in form_of("neglect-assessment", 1).field("practitioner_analysis").label


@pytest.mark.parametrize(("form_id", "version"), NEW_FORMS)
def test_words_we_no_longer_use(form_id: str, version: int) -> None:
    text = (resource_path("forms") / f"{form_id}.v{version}.yaml").read_text(encoding="utf-8")
    lowered = text.lower()
    assert "squalid" not in lowered and "serious harm" not in lowered and "your analysis" not in lowered


@pytest.mark.parametrize("form_id", ["neglect-assessment", "girfec-wellbeing"])
def test_the_proposed_areas_of_concern_are_the_register_categories(form_id: str) -> None:
    form = form_of(form_id, 2)
    field = form.field("proposed_areas_of_concern")
    assert isinstance(field, MultiChoiceField)
    categories = read_yaml((resource_path("resources") / "register-categories.yaml").read_text(encoding="utf-8"))
    assert [(o.id, o.label) for o in field.options] == [(c["id"], c["label"]) for c in categories]
    answers = {**fill_every_field(form), "recommendation": "cppm"}
    del answers["proposed_areas_of_concern"]
    assert [p.field_id for p in validate_submission(form, answers, TODAY)] == ["proposed_areas_of_concern"]


@pytest.mark.parametrize("form_id", ["neglect-assessment", "girfec-wellbeing"])
def test_the_childs_views_or_a_reason_are_required(form_id: str) -> None:
    form = form_of(form_id, 2)
    gathered = "child_views_obtained" if form_id == "neglect-assessment" else "child_views_gathered"
    reason = next(f.id for _, f in form.fields() if f.id.startswith("child_views_not_"))
    answers = fill_every_field(form)
    del answers["child_views"], answers[reason]
    assert [p.field_id for p in validate_submission(form, {**answers, gathered: "yes"}, TODAY)] == ["child_views"]
    assert [p.field_id for p in validate_submission(form, {**answers, gathered: "unknown"}, TODAY)] == [reason]


def test_girfec_asks_why_the_child_was_not_seen_including_when_not_known() -> None:
    form = form_of("girfec-wellbeing", 2)
    answers = fill_every_field(form)
    del answers["child_not_seen_reason"]
    for seen in ("no", "unknown"):
        found = validate_submission(form, {**answers, "child_seen": seen}, TODAY)
        assert [p.field_id for p in found] == ["child_not_seen_reason"]


def test_a_triangle_note_is_required_only_for_a_pressure() -> None:
    form = form_of("girfec-wellbeing", 2)
    answers = fill_every_field(form)
    del answers["grow_healthy_note"]
    assert validate_submission(form, {**answers, "grow_healthy": "strength"}, TODAY) == []
    found = validate_submission(form, {**answers, "grow_healthy": "pressure"}, TODAY)
    assert [(p.field_id, p.message) for p in found] == [("grow_healthy_note", "an answer is needed")]


def test_wellbeing_evidence_is_required_and_kept_from_the_family() -> None:
    form = form_of("girfec-wellbeing", 2)
    for indicator in ("safe", "healthy", "included"):
        field = form.field(f"{indicator}_evidence")
        assert field.required and field.sensitive


def test_each_carer_is_assessed_separately_in_the_neglect_form() -> None:
    form = form_of("neglect-assessment", 2)
    field = form.field("carer_capacity")
    assert isinstance(field, RepeatField)
    assert {"carer", "recognition", "engagement", "response_to_past_help", "must_change", "by_when"} <= {
        c.id for c in field.fields}
    answers = fill_every_field(form)
    answers["carer_capacity"] = [{**answers["carer_capacity"][0], "must_change": ""}]
    found = validate_submission(form, answers, TODAY)
    assert [(p.field_id, p.row, p.column) for p in found] == [("carer_capacity", 0, "must_change")]


# --- cross-field warnings ---------------------------------------------------------------------------------


def test_high_concern_with_no_further_action_warns_but_does_not_block() -> None:
    form = form_of("neglect-assessment", 2)
    answers = {**fill_every_field(form), "overall_concern": "high", "recommendation": "no_further_action",
               "significant_harm": "no"}
    warnings = cross_field_warnings(form, answers)
    assert [w.warning_id for w in warnings] == ["high_concern_no_action"]
    assert "Overall level of concern" in warnings[0].describe(form)
    assert validate_submission(form, answers, TODAY) == []
    assert cross_field_warnings(form, {**answers, "recommendation": "cppm"}) == []


def test_a_ticked_source_that_contradicts_the_question_of_that_name_warns() -> None:
    form = form_of("neglect-assessment", 2)
    answers = {**fill_every_field(form), "overall_concern": "low", "child_seen_alone": "no"}
    assert "child_seen_alone" in answers["information_sources"]
    assert [w.warning_id for w in cross_field_warnings(form, answers)] == ["seen_alone_source_contradicts"]
    hidden = {**answers, "child_seen": "no"}  # child_seen_alone is then hidden, and reads as unanswered
    assert [w.warning_id for w in cross_field_warnings(form, hidden)] == ["seen_alone_source_contradicts"]


def test_a_warning_naming_a_missing_field_is_refused_at_load() -> None:
    text = WITH_REPEAT + """warnings:
  - id: odd
    when: {field: nowhere, equals: x}
    message: Look again.
"""
    with pytest.raises(FormDefinitionError, match="nowhere"):
        parse_definition_text(text)


# --- per-column and per-row sensitivity ---------------------------------------------------------------------


def girfec_content() -> tuple[Any, dict[str, Any]]:
    form = form_of("girfec-wellbeing", 2)
    answers = fill_every_field(form)
    answers["chronology_events"] = [
        {"event_date": "2024-03-01", "event": "Started nursery.", "source": "Nursery", "impact": "Settled well.",
         "sensitive": False},
        {"event_date": "2024-09-10", "event": "Police called to the home.", "source": "Police Scotland",
         "sensitive": True},
        {"event_date": "2025-01-05", "event": "Moved to a new flat.", "source": "Housing"},
    ]
    answers["contributors"] = [{"name": "Mrs A", "agency": "School"}, {"name": "A neighbour", "sensitive": True}]
    assert validate_submission(form, answers, TODAY) == []
    return form, canonical_content(form, answers)


def test_the_family_copy_of_girfec_keeps_the_chronology_less_sensitive_rows_and_sources() -> None:
    form, content = girfec_content()
    family = family_content(form, content)
    events = family["answers"]["chronology_events"]
    assert [e["event"] for e in events] == ["Started nursery.", "Moved to a new flat."]
    assert all("source" not in e and "sensitive" not in e for e in events)
    assert events[0]["impact"] == "Settled well."
    assert family["withheld"]["chronology_events"] == {"rows": 1, "columns": ["Source of information"]}
    assert [c["name"] for c in family["answers"]["contributors"]] == ["Mrs A"]
    assert family["withheld"]["contributors"] == {"rows": 1}
    for field_id in ("carer_views", "safe_evidence", "needs_and_risks", "agency_views", "child_confided"):
        assert field_id in content["answers"] and field_id not in family["answers"]
    # the full copy is untouched
    assert len(content["answers"]["chronology_events"]) == 3 and "withheld" not in content


def test_nothing_withheld_means_no_note() -> None:
    form, content = girfec_content()
    content["answers"]["chronology_events"] = [{"event_date": "2024-03-01", "event": "Started nursery."}]
    content["answers"]["contributors"] = [{"name": "Mrs A"}]
    assert "withheld" not in family_content(form, content)


WITH_REPEAT = """\
id: visit
version: 1
title: Visit
sections:
  - id: about
    title: About
    fields:
      - id: kind
        kind: choice
        label: Kind
        options: [{id: a, label: A}, {id: b, label: B}]
      - id: people
        kind: repeat
        label: People
        row_sensitivity: true
        fields:
          - {id: name, kind: text, label: Name}
          - {id: note, kind: text, label: Note, sensitive: true}
"""


def test_row_sensitivity_adds_a_yes_no_column_to_the_answers_schema() -> None:
    form = parse_definition_text(WITH_REPEAT)
    schema = answers_schema(form)
    row = schema["$defs"][next(k for k in schema["$defs"] if k.endswith("people_row"))]
    assert row["properties"]["sensitive"]["anyOf"][0] == {"type": "boolean"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"people": [{"sensitive": "yes"}]}, schema)


def test_a_column_called_sensitive_is_refused_with_row_sensitivity() -> None:
    text = WITH_REPEAT.replace("{id: note,", "{id: sensitive,")
    with pytest.raises(FormDefinitionError, match="row flag"):
        parse_definition_text(text)


# --- prefill ------------------------------------------------------------------------------------------------


def test_a_prefill_naming_a_missing_column_is_refused() -> None:
    text = WITH_REPEAT.replace("        row_sensitivity: true\n", "        prefill: {form: other, field: rows, "
                               "columns: {nobody: name}}\n")
    with pytest.raises(FormDefinitionError, match="nobody"):
        parse_definition_text(text)


def test_the_core_group_review_prefill_reads_the_girfec_plan() -> None:
    review = form_of("core-group-review")
    field = review.field("action_progress")
    assert isinstance(field, RepeatField) and field.prefill is not None
    plan = form_of(field.prefill.form).field(field.prefill.field)
    assert isinstance(plan, RepeatField)
    assert set(field.prefill.columns.values()) <= {c.id for c in plan.fields}
    progress = next(c for c in field.fields if c.id == "progress")
    assert isinstance(progress, ChoiceField)
    assert [o.id for o in progress.options] == ["achieved", "partly", "not_yet", "no_longer_needed"]


def test_prefill_copies_the_mapped_columns_and_drops_what_does_not_fit() -> None:
    review = form_of("core-group-review")
    plan = [{"indicator": "safe", "need": "A safe bed", "action": "Buy a cot", "responsible_person": "Ms B",
             "by_when": "2025-07-01", "outcome": "Sleeps safely"},
            {"indicator": "not-an-indicator", "action": "Attend nursery"}]
    answers = prefilled_answers(review, lambda form_id: {"plan_actions": plan} if form_id == "girfec-wellbeing"
                                else None)
    assert answers == {"action_progress": [
        {"indicator": "safe", "need": "A safe bed", "action": "Buy a cot", "responsible_person": "Ms B",
         "by_when": "2025-07-01"},
        {"action": "Attend nursery"}]}
    assert prefilled_answers(review, lambda form_id: None) == {}


def test_the_girfec_chronology_is_offered_from_the_childs_chronology() -> None:
    form = form_of("girfec-wellbeing", 2)
    rows = [{"date": "2024-03-01", "event": "Started nursery.", "source": "Nursery", "impact": "",
             "sensitive": True}]
    answers = prefilled_answers(form, lambda _: None, lambda: rows)
    assert answers == {"chronology_events": [{"event_date": "2024-03-01", "event": "Started nursery.",
                                              "source": "Nursery", "impact": "", "sensitive": True}]}




def test_moving_girfec_to_v2_keeps_a_line_of_text_that_became_a_narrative() -> None:
    v1, v2 = form_of("girfec-wellbeing", 1), form_of("girfec-wellbeing", 2)
    answers = {**fill_every_field(v1), "child_seen": "no", "child_not_seen_reason": "Ellie was at her gran's."}
    migration = migrate_answers(answers, v1, v2)
    assert migration.answers["child_not_seen_reason"] == "Ellie was at her gran's."
    assert "child_not_seen_reason" not in {d.field_id for d in migration.dropped}
    new = {f.field_id for f in migration.new_fields}
    assert {"significant_harm", "risks_and_protection", "contingency_plan", "visits", "siblings",
            "proposed_areas_of_concern", "reporter_referral", "family_seen_report"} <= new
    assert [row["event"] for row in migration.answers["chronology_events"]] == [
        row["event"] for row in answers["chronology_events"]]  # rows carry over


def test_an_answer_whose_question_changed_kind_is_dropped_with_the_reason() -> None:
    v1 = parse_definition_text(WITH_REPEAT)
    choice = "        kind: choice\n        label: Kind\n        options: [{id: a, label: A}, {id: b, label: B}]\n"
    v2 = parse_definition_text(WITH_REPEAT.replace("version: 1", "version: 2").replace(
        choice, "        kind: text\n        label: Kind\n"))
    assert v2.field("kind").kind == "text"
    migration = migrate_answers({"kind": "a"}, v1, v2)
    assert [(d.field_id, d.reason) for d in migration.dropped] == [
        ("kind", "the question now takes a different kind of answer")]
