"""Reading form definitions (DESIGN §5): a file loads whole, or is refused naming the file and the exact key."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from answer_filler import SHIPPED_FORMS
from pydantic import ValidationError

from cpassess.forms import (
    FIELD_KINDS,
    FormCatalog,
    FormDefinition,
    FormDefinitionError,
    default_catalog,
    forms_directory,
)
from cpassess.forms.loader import load_definition, parse_definition, parse_definition_text

SHIPPED_IDS = {"neglect-assessment", "girfec-wellbeing"}


def grade_scale(levels: int = 5) -> dict[str, Any]:
    tones = ["good", "good", "caution", "concern", "concern", "concern"]
    return {
        "id": "grades",
        "title": "How well the child's needs are met",
        "levels": [{"id": f"g{i + 1}", "label": f"Level {i + 1}", "tone": tones[i]} for i in range(levels)],
    }


def base_definition() -> dict[str, Any]:
    """A small, valid form; each broken case below changes one thing in it."""
    return {
        "id": "home-visit",
        "version": 1,
        "title": "Home visit",
        "scales": [grade_scale()],
        "sections": [
            {
                "id": "about",
                "title": "About the visit",
                "fields": [
                    {"id": "visit_date", "kind": "date", "label": "Date of visit", "required": True,
                     "not_future": True},
                    {"id": "reason", "kind": "choice", "label": "Reason for the visit",
                     "options": [{"id": "concern", "label": "A concern"}, {"id": "other", "label": "Other"}]},
                    {"id": "reason_other", "kind": "text", "label": "Other reason", "required": True,
                     "visible_if": {"field": "reason", "equals": "other"}},
                ],
            },
            {
                "id": "care",
                "title": "Physical care",
                "fields": [
                    {"id": "nutrition", "kind": "grade", "label": "Nutrition", "scale": "grades",
                     "descriptors": ["Always fed well", "Mostly", "Sometimes", "Rarely", "Hungry"]},
                    {"id": "hygiene", "kind": "grade", "label": "Hygiene", "scale": "grades",
                     "descriptors": ["Clean", "Mostly", "Sometimes", "Rarely", "Never"]},
                    {"id": "daily_life", "kind": "long_text", "label": "Daily life"},
                ],
            },
        ],
    }


def write_yaml(tmp_path: Path, data: Any, name: str = "home-visit.v1.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def refusal(path: Path) -> FormDefinitionError:
    with pytest.raises(FormDefinitionError) as caught:
        load_definition(path)
    return caught.value


def field_at(data: dict[str, Any], section: int, field: int) -> dict[str, Any]:
    result: dict[str, Any] = data["sections"][section]["fields"][field]
    return result


# --- the shipped forms -------------------------------------------------------------------------------------------

def test_catalog_holds_both_shipped_forms_and_no_broken_file() -> None:
    catalog = default_catalog()
    assert set(catalog.form_ids()) >= SHIPPED_IDS
    assert catalog.errors == []


@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_each_shipped_form_loads_from_its_own_file(shipped_form: FormDefinition) -> None:
    path = forms_directory() / f"{shipped_form.id}.v{shipped_form.version}.yaml"
    assert load_definition(path) == shipped_form


@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_shipped_forms_have_unique_ids_and_kinds_from_the_format(shipped_form: FormDefinition) -> None:
    ids = [field.id for _, field in shipped_form.fields()]
    assert len(ids) == len(set(ids))
    assert {field.kind for _, field in shipped_form.fields()} <= set(FIELD_KINDS)


def test_the_base_definition_used_below_is_valid(tmp_path: Path) -> None:
    form = load_definition(write_yaml(tmp_path, base_definition()))
    assert form.key == ("home-visit", 1)
    assert [section.id for section in form.sections] == ["about", "care"]


# --- broken files: file name, key path, sentence -------------------------------------------------------------------

def _duplicate_field_id(d: dict[str, Any]) -> None:
    field_at(d, 1, 1)["id"] = "nutrition"


def _visible_if_missing_field(d: dict[str, Any]) -> None:
    field_at(d, 0, 2)["visible_if"] = {"field": "reasons", "equals": "other"}


def _visible_if_value_not_an_option(d: dict[str, Any]) -> None:
    field_at(d, 0, 2)["visible_if"] = {"field": "reason", "equals": "otter"}


def _visible_if_in_value_not_an_option(d: dict[str, Any]) -> None:
    field_at(d, 0, 2)["visible_if"] = {"any": [{"field": "visit_date", "equals": "x"},
                                              {"field": "reason", "in": ["other", "elsewhere"]}]}


def _grade_with_four_descriptors(d: dict[str, Any]) -> None:
    field_at(d, 1, 1)["descriptors"] = ["Clean", "Mostly", "Sometimes", "Never"]


def _grade_with_six_descriptors(d: dict[str, Any]) -> None:
    field_at(d, 1, 0)["descriptors"] = ["a", "b", "c", "d", "e", "f"]


def _wrong_kind(d: dict[str, Any]) -> None:
    field_at(d, 1, 2)["kind"] = "long-text"


def _missing_kind(d: dict[str, Any]) -> None:
    del field_at(d, 1, 2)["kind"]


def _kind_not_text(d: dict[str, Any]) -> None:
    field_at(d, 0, 1)["kind"] = 7


def _unknown_field_key(d: dict[str, Any]) -> None:
    field_at(d, 0, 0)["not_in_future"] = True


def _unknown_top_level_key(d: dict[str, Any]) -> None:
    d["titel"] = "Home visit"


def _unknown_option_key(d: dict[str, Any]) -> None:
    field_at(d, 0, 1)["options"][1]["labl"] = "Other"


def _missing_section_title(d: dict[str, Any]) -> None:
    del d["sections"][1]["title"]


def _version_not_a_number(d: dict[str, Any]) -> None:
    d["version"] = "first"


def _grade_scale_not_five_levels(d: dict[str, Any]) -> None:
    d["scales"] = [grade_scale(4)]


def _grade_scale_missing(d: dict[str, Any]) -> None:
    field_at(d, 1, 0)["scale"] = "marks"


def _duplicate_option(d: dict[str, Any]) -> None:
    field_at(d, 0, 1)["options"][1]["id"] = "concern"


def _duplicate_section(d: dict[str, Any]) -> None:
    d["sections"][1]["id"] = "about"


def _section_condition_on_missing_field(d: dict[str, Any]) -> None:
    d["sections"][1]["visible_if"] = {"not": {"field": "ghost", "equals": "yes"}}


def _condition_without_operator(d: dict[str, Any]) -> None:
    field_at(d, 0, 2)["visible_if"] = {"all": [{"field": "reason", "equals": "other"}, {"field": "reason"}]}


def _condition_on_a_text_field(d: dict[str, Any]) -> None:
    field_at(d, 1, 2)["visible_if"] = {"field": "reason_other", "equals": "x"}


def _bad_field_id(d: dict[str, Any]) -> None:
    field_at(d, 1, 2)["id"] = "Daily life"


def _bad_form_id(d: dict[str, Any]) -> None:
    d["id"] = "Home_Visit"


def _empty_sections(d: dict[str, Any]) -> None:
    d["sections"] = []


def _visibility_cycle(d: dict[str, Any]) -> None:
    field_at(d, 0, 1)["visible_if"] = {"field": "seen", "equals": "yes"}
    d["sections"][0]["fields"].append({"id": "seen", "kind": "yes_no_unknown", "label": "Seen",
                                       "visible_if": {"field": "reason", "equals": "concern"}})


def _not_before_a_text_field(d: dict[str, Any]) -> None:
    field_at(d, 0, 0)["not_before"] = "reason_other"


def _unknown_computation(d: dict[str, Any]) -> None:
    d["sections"][1]["fields"].append({"id": "profile", "kind": "computed", "label": "Profile",
                                       "function": "risk_score", "sources": ["care"]})


def _computed_source_missing(d: dict[str, Any]) -> None:
    d["sections"][1]["fields"].append({"id": "profile", "kind": "computed", "label": "Profile",
                                       "function": "neglect_profile", "sources": ["care", "carers"]})


def _repeat_column_grade(d: dict[str, Any]) -> None:
    d["sections"][0]["fields"].append({"id": "present", "kind": "repeat", "label": "Present",
                                       "fields": [{"id": "name", "kind": "text", "label": "Name"},
                                                  {"id": "how", "kind": "grade", "label": "How"}]})


def _minimum_above_maximum(d: dict[str, Any]) -> None:
    d["sections"][0]["fields"].append({"id": "visits", "kind": "number", "label": "Visits",
                                       "minimum": 10, "maximum": 2})


BROKEN: list[tuple[Callable[[dict[str, Any]], None], str, str]] = [
    (_duplicate_field_id, "sections[1].fields[1].id",
     "the field id 'nutrition' is already used at sections[1].fields[0]"),
    (_visible_if_missing_field, "sections[0].fields[2].visible_if", "refers to 'reasons', which is not a field"),
    (_visible_if_value_not_an_option, "sections[0].fields[2].visible_if", "'otter' is not an option of 'reason'"),
    (_visible_if_in_value_not_an_option, "sections[0].fields[2].visible_if",
     "'elsewhere' is not an option of 'reason'"),
    (_grade_with_four_descriptors, "sections[1].fields[1].descriptors", "five descriptors"),
    (_grade_with_six_descriptors, "sections[1].fields[0].descriptors", "found 6"),
    (_wrong_kind, "sections[1].fields[2]", "a field needs a 'kind'"),
    (_missing_kind, "sections[1].fields[2]", "a field needs a 'kind'"),
    (_kind_not_text, "sections[0].fields[1]", "a field needs a 'kind'"),
    (_unknown_field_key, "sections[0].fields[0].not_in_future", "is not a key this format knows"),
    (_unknown_top_level_key, "titel", "is not a key this format knows"),
    (_unknown_option_key, "sections[0].fields[1].options[1].labl", "is not a key this format knows"),
    (_missing_section_title, "sections[1].title", "this key is required"),
    (_version_not_a_number, "version", "integer"),
    (_grade_scale_not_five_levels, "sections[1].fields[0].scale", "exactly five levels"),
    (_grade_scale_missing, "sections[1].fields[0].scale", "there is no scale 'marks'"),
    (_duplicate_option, "sections[0].fields[1].options[1].id", "the option id 'concern' is used twice"),
    (_duplicate_section, "sections[1].id", "the section id 'about' is used twice"),
    (_section_condition_on_missing_field, "sections[1].visible_if", "refers to 'ghost'"),
    (_condition_without_operator, "sections[0].fields[2].visible_if.all[1]", "a condition needs one of the keys"),
    (_condition_on_a_text_field, "sections[1].fields[2].visible_if", "'reason_other' is a text field"),
    (_bad_field_id, "sections[1].fields[2].id", "lower-case letters"),
    (_bad_form_id, "id", "lower-case letters"),
    (_empty_sections, "sections", "at least 1 item"),
    (_visibility_cycle, "visible_if", "visibility goes round in a circle"),
    (_not_before_a_text_field, "sections[0].fields[0].not_before", "'reason_other' is not a date field"),
    (_unknown_computation, "sections[1].fields[3].function", "there is no computation 'risk_score'"),
    (_computed_source_missing, "sections[1].fields[3].sources[1]", "no section or field has the id 'carers'"),
    (_repeat_column_grade, "sections[0].fields[3].fields[1]", "a column of a repeat needs a 'kind'"),
    (_minimum_above_maximum, "sections[0].fields[3].minimum", "greater than the maximum"),
]


@pytest.mark.parametrize(("breaker", "key_path", "message"), BROKEN, ids=[b[0].__name__.strip("_") for b in BROKEN])
def test_a_broken_file_is_refused_naming_file_key_path_and_problem(
        tmp_path: Path, breaker: Callable[[dict[str, Any]], None], key_path: str, message: str) -> None:
    data = base_definition()
    breaker(data)
    path = write_yaml(tmp_path, data)
    lines = refusal(path).lines()
    pattern = re.compile(rf"^{re.escape(str(path))}: {re.escape(key_path)}: .*{re.escape(message)}")
    if key_path == "visible_if":  # the cycle is reported at whichever field closes it
        pattern = re.compile(rf"^{re.escape(str(path))}: sections\[0\]\.fields\[\d\]\.visible_if: .*{message}")
    assert any(pattern.search(line) for line in lines), lines


def test_the_key_path_is_exact_not_a_prefix(tmp_path: Path) -> None:
    data = base_definition()
    _grade_with_four_descriptors(data)
    lines = refusal(write_yaml(tmp_path, data)).lines()
    assert lines == [f"{tmp_path / 'home-visit.v1.yaml'}: sections[1].fields[1].descriptors: "
                     "a grade needs five descriptors, one for each level 1 to 5; found 4"]


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    data = base_definition()
    _duplicate_field_id(data)
    _grade_with_four_descriptors(data)
    _visible_if_value_not_an_option(data)
    error = refusal(write_yaml(tmp_path, data))
    paths = {problem.path for problem in error.problems}
    expected = {"sections[1].fields[1].id", "sections[1].fields[1].descriptors", "sections[0].fields[2].visible_if"}
    assert expected <= paths


def test_pydantic_problems_are_all_reported_too(tmp_path: Path) -> None:
    data = base_definition()
    _unknown_field_key(data)
    _missing_section_title(data)
    _wrong_kind(data)
    paths = {problem.path for problem in refusal(write_yaml(tmp_path, data)).problems}
    assert paths == {"sections[0].fields[0].not_in_future", "sections[1].title", "sections[1].fields[2]"}


# --- YAML-level problems ------------------------------------------------------------------------------------------

BASE_TEXT = """\
id: home-visit
version: 1
title: Home visit
sections:
  - id: about
    title: About the visit
    fields:
      - id: seen
        kind: yes_no_unknown
        label: Was the child seen?
      - id: why_not
        kind: long_text
        label: Why not
        visible_if: {field: seen, equals: no}
"""


def write_text(tmp_path: Path, text: str, name: str = "home-visit.v1.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yes_and_no_stay_words_in_form_files(tmp_path: Path) -> None:
    form = load_definition(write_text(tmp_path, BASE_TEXT))
    condition = form.field("why_not").visible_if
    assert condition is not None
    assert condition.model_dump() == {"field": "seen", "equals": "no"}


def test_a_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write_text(tmp_path, BASE_TEXT.replace("        label: Why not\n", "        label: Why: [not\n"))
    lines = refusal(path).lines()
    assert len(lines) == 1
    assert lines == [f"{path}: line 13, column 19: mapping values are not allowed here"]


def test_a_duplicate_yaml_key_is_refused_with_its_key_path(tmp_path: Path) -> None:
    path = write_text(tmp_path, BASE_TEXT.replace("        label: Why not\n",
                                                  "        label: Why not\n        label: Why not seen\n"))
    lines = refusal(path).lines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: sections[0].fields[1].label: ")
    assert "'label' appears twice" in lines[0]
    assert "line 14" in lines[0]


def test_a_yaml_alias_is_refused_with_its_key_path(tmp_path: Path) -> None:
    text = BASE_TEXT.replace("label: Was the child seen?", "label: &seen Was the child seen?")
    path = write_text(tmp_path, text.replace("label: Why not", "label: *seen"))
    lines = refusal(path).lines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: sections[0].fields[1].label: ")
    assert "aliases" in lines[0]
    assert "line 13" in lines[0]


def test_a_merge_key_alias_is_refused(tmp_path: Path) -> None:
    text = BASE_TEXT.replace("      - id: seen\n", "      - &common\n        id: seen\n")
    text = text.replace("      - id: why_not\n", "      - <<: *common\n        id: why_not\n")
    assert "aliases" in str(refusal(write_text(tmp_path, text)))


@pytest.mark.parametrize("bad_value", [
    "minimum: 2024-02-30",                # a date that does not exist
    "minimum: !!timestamp 2024-13-01",
    "unit: !!float several",
    "unit: !!int many",
    "maximum: " + "9" * 5000,             # more digits than Python will turn into an int
    "maximum: 1" + "0" * 5000 + ":30",    # a sexagesimal YAML 1.1 int, just as long
])
def test_a_value_yaml_cannot_construct_is_a_clean_refusal(tmp_path: Path, bad_value: str) -> None:
    text = BASE_TEXT + "      - id: visits\n        kind: number\n        label: Visits\n        " + bad_value + "\n"
    lines = refusal(write_text(tmp_path, text)).lines()
    assert lines
    assert all(line.startswith(str(tmp_path)) for line in lines)
    assert any("line 18" in line for line in lines), lines


def test_python_tags_are_not_constructed(tmp_path: Path) -> None:
    text = BASE_TEXT.replace("title: Home visit", "title: !!python/object/apply:os.system ['echo hacked']")
    assert "could not determine a constructor" in str(refusal(write_text(tmp_path, text)))


@pytest.mark.parametrize("text", [
    "[" * 5000,
    "[" * 5000 + "]" * 5000,
    "{a: " * 5000 + "}" * 5000,
    "- " * 5000 + "x",
    "".join(f"{'  ' * level}k{level}:\n" for level in range(3000)) + "  " * 3000 + "x",
    "sections:\n" + "".join(f"{'  ' * (level + 1)}- \n" for level in range(2000)),
], ids=["open-flow-lists", "closed-flow-lists", "flow-mappings", "block-lists", "block-mappings", "sections"])
def test_deep_nesting_in_yaml_text_is_a_clean_refusal(text: str) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        parse_definition_text(text, "deep.yaml")
    assert str(caught.value).startswith("deep.yaml: ")


def test_an_empty_file_or_a_list_is_not_a_form(tmp_path: Path) -> None:
    assert "must be a mapping" in str(refusal(write_text(tmp_path, "")))
    assert "must be a mapping" in str(refusal(write_text(tmp_path, "- id: home-visit\n")))


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "home-visit.v1.yaml"
    path.write_bytes(BASE_TEXT.encode("utf-8") + b"    help: caf\xe9\n")
    assert "is not UTF-8 text" in str(refusal(path))


def test_a_missing_file_is_refused_with_a_sentence(tmp_path: Path) -> None:
    error = refusal(tmp_path / "nowhere.v1.yaml")
    assert error.lines() == [f"{tmp_path / 'nowhere.v1.yaml'}: cannot be read (No such file or directory)"]


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write_text(tmp_path, BASE_TEXT + "# " + "x" * 2_100_000 + "\n")
    assert "too large" in str(refusal(path))


def test_a_file_named_v2_that_defines_v1_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path, BASE_TEXT, name="home-visit.v2.yaml")
    assert refusal(path).lines() == [
        f"{path}: the file name says home-visit v2 but the file defines home-visit v1"]


def test_a_file_named_for_another_form_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path, BASE_TEXT, name="neglect-assessment.v1.yaml")
    assert "the file name says neglect-assessment v1" in str(refusal(path))


# --- long chains and deep conditions stay clean --------------------------------------------------------------------

def _chained_definition(length: int, backwards: bool) -> dict[str, Any]:
    fields = []
    for i in range(length):
        field: dict[str, Any] = {"id": f"q{i}", "kind": "yes_no_unknown", "label": f"Question {i}"}
        target = i + 1 if backwards else i - 1
        if 0 <= target < length:
            field["visible_if"] = {"field": f"q{target}", "equals": "yes"}
        fields.append(field)
    sections = [{"id": f"s{n}", "title": f"Part {n}", "fields": fields[n * 100:(n + 1) * 100]}
                for n in range((length + 99) // 100)]
    return {"id": "chain", "version": 1, "title": "Chain", "sections": sections}


@pytest.mark.parametrize("backwards", [False, True], ids=["forwards", "backwards"])
def test_a_very_long_chain_of_conditions_is_a_clean_refusal(backwards: bool) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        parse_definition(_chained_definition(3000, backwards), "long.yaml")
    assert all(line.startswith("long.yaml: sections[") for line in caught.value.lines())


def test_a_short_chain_of_conditions_is_fine() -> None:
    form = parse_definition(_chained_definition(5, backwards=True))
    assert len(list(form.fields())) == 5


def test_a_condition_nested_hundreds_deep_is_a_clean_refusal() -> None:
    data = base_definition()
    condition: dict[str, Any] = {"field": "reason", "equals": "other"}
    for _ in range(200):
        condition = {"not": {"not": condition}}
    field_at(data, 0, 2)["visible_if"] = condition
    with pytest.raises(FormDefinitionError) as caught:
        parse_definition(data)
    assert caught.value.problems[0].path.startswith("sections[0].fields[2].visible_if")


# --- the loaded form ----------------------------------------------------------------------------------------------

def test_a_loaded_definition_is_frozen(tmp_path: Path) -> None:
    form = load_definition(write_yaml(tmp_path, base_definition()))
    with pytest.raises(ValidationError):
        form.title = "Changed"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        form.sections[0].fields[0].label = "Changed"  # type: ignore[misc]


def test_parse_definition_does_not_change_its_input() -> None:
    data = base_definition()
    before = copy.deepcopy(data)
    parse_definition(data)
    assert data == before


def test_the_definition_json_schema_describes_every_field_kind() -> None:
    schema = FormDefinition.model_json_schema()
    text = str(schema)
    for kind in FIELD_KINDS:
        assert f"'{kind}'" in text


def test_catalog_keeps_broken_files_aside_and_loads_the_rest(tmp_path: Path) -> None:
    write_yaml(tmp_path, base_definition())
    broken = base_definition()
    broken["version"] = 2
    _missing_kind(broken)
    write_yaml(tmp_path, broken, name="home-visit.v2.yaml")
    catalog = FormCatalog.from_directory(tmp_path)
    assert [form.key for form in catalog] == [("home-visit", 1)]
    assert len(catalog.errors) == 1
    assert catalog.errors[0].source == str(tmp_path / "home-visit.v2.yaml")


def test_catalog_refuses_the_same_version_twice(tmp_path: Path) -> None:
    write_yaml(tmp_path, base_definition())
    write_yaml(tmp_path, base_definition(), name="home-visit.yml")
    catalog = FormCatalog.from_directory(tmp_path)
    assert len(catalog) == 1
    assert "is already defined in" in str(catalog.errors[0])
