"""Strict input at every entry (issue 12): JSON read strictly, no type coercion, dates a person can have, no
invisible characters in names, and form files bounded before they are read whole."""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path
from typing import Any

import pytest

from cpassess.children import ChildRecord, ChildRecordError, parse_child
from cpassess.cli import main
from cpassess.forms import FormDefinitionError, default_catalog, validate_draft
from cpassess.forms.answers import AnswersError
from cpassess.forms.loader import load_definition
from cpassess.forms.text import HIDDEN_CHARACTERS
from cpassess.json_input import JsonRefused, parse_json
from tests.helpers import Team

BASE: dict[str, Any] = {"given_names": "Callum", "family_name": "Stewart", "date_of_birth": "2015-04-19"}
TODAY = dt.date(2026, 12, 1)


def child(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


def problems_of(data: Any, **options: Any) -> dict[str, str]:
    with pytest.raises(ChildRecordError) as refused:
        parse_child(data, **options)
    return dict(refused.value.problems)


# --- JSON --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ('{"given_names": "A", "given_names": "B"}', "the key 'given_names' appears twice in one object"),
    ('[{"a": 1, "b": {"c": 1, "c": 1}}]', "the key 'c' appears twice"),
    ("1" * 5000, "a number has 5000 digits; at most 20 are allowed"),
    ('{"visits": -' + "9" * 4301 + "}", "a number has 4301 digits"),
    ("1." + "5" * 100, "a number is written with 102 characters"),
    ("1e999", "the number 1e999 is too large"),
    ("[NaN]", "NaN is not a JSON value"),
    ('{"x": -Infinity}', "-Infinity is not a JSON value"),
    ('"\\ud800"', "is not a character"),
    ("[" * 100_000, "nested too deeply"),
    ('{"a": 1,}', "is not valid JSON (line 1, column 9"),
    (b"\xff\xfe{}", "is not UTF-8 text (byte 0)"),
])
def test_json_that_would_be_misread_or_crash_is_refused_in_one_line(text: str | bytes, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(JsonRefused) as refused:
        parse_json(text)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert time.perf_counter() - started < 1.0


def test_ordinary_json_reads_as_before() -> None:
    text = '{"a": [1, -2, 3.5, 12345678901234567890, "é\\u00e9", true, null], "b": {"c": {}}}'
    assert parse_json(text) == {"a": [1, -2, 3.5, 12345678901234567890, "éé", True, None], "b": {"c": {}}}


# --- child records -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("date_of_birth", ["1800-01-01", "0001-01-01", "1899-12-31"])
def test_a_date_of_birth_before_1900_is_refused(date_of_birth: str) -> None:
    assert "before 1900-01-01" in problems_of(child(date_of_birth=date_of_birth))["date_of_birth"]


def test_the_first_of_january_1900_and_today_are_possible_dates_of_birth() -> None:
    assert parse_child(child(date_of_birth="1900-01-01")).date_of_birth == dt.date(1900, 1, 1)
    assert parse_child(child(date_of_birth=dt.date.today().isoformat())).date_of_birth == dt.date.today()


def test_a_household_member_is_born_between_1900_and_today() -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert "in the future" in problems_of(child(household=[{"name": "A B", "date_of_birth": tomorrow}]))[
        "household.0.date_of_birth"]
    assert "before 1900" in problems_of(child(household=[{"name": "A B", "date_of_birth": "1850-06-01"}]))[
        "household.0.date_of_birth"]


def unborn(due: dt.date | str) -> dict[str, Any]:
    return {"given_names": "Baby", "family_name": "Nowak",
            "expected_date_of_delivery": due if isinstance(due, str) else due.isoformat()}


@pytest.mark.parametrize(("due", "message"), [
    ("1990-06-01", "more than 4 weeks ago; if the baby has been born, give the date_of_birth instead"),
    (TODAY - dt.timedelta(weeks=4, days=1), "more than 4 weeks ago"),
    (dt.date(2027, 10, 2), "more than 10 months away"),
    ("2100-01-01", "more than 10 months away"),
])
def test_an_unborn_child_is_due_within_the_next_ten_months(due: dt.date | str, message: str) -> None:
    assert message in problems_of(unborn(due), today=TODAY)["expected_date_of_delivery"]


@pytest.mark.parametrize("due", [TODAY - dt.timedelta(weeks=4), TODAY, dt.date(2027, 10, 1)])
def test_a_due_date_from_four_weeks_ago_to_ten_months_ahead_is_accepted(due: dt.date) -> None:
    assert parse_child(unborn(due), today=TODAY).expected_date_of_delivery == due


def test_a_stored_or_arriving_record_whose_due_date_has_passed_still_reads() -> None:
    # the window is a rule of entry: a record typed in pregnancy must still open after the due date
    old = unborn("2026-01-10")
    assert ChildRecord.model_validate(old).unborn
    assert parse_child(old, entry=False, today=TODAY).unborn


@pytest.mark.parametrize(("changes", "where", "message"), [
    ({"household": [{"name": "A B", "parental_responsibility": "yes"}]}, "household.0.parental_responsibility",
     "must be true or false"),
    ({"household": [{"name": "A B", "parental_responsibility": "true"}]}, "household.0.parental_responsibility",
     "must be true or false"),
    ({"household": [{"name": "A B", "parental_responsibility": 1}]}, "household.0.parental_responsibility",
     "must be true or false"),
    ({"protection": {"registered": "no"}}, "protection.registered", "must be true or false"),
    ({"given_names": 42}, "given_names", "must be text"),
    ({"school": 12.5}, "school", "must be text"),
    ({"chi": 1904851231}, "chi", "must be text"),
])
def test_no_type_is_coerced_into_another(changes: dict[str, Any], where: str, message: str) -> None:
    assert message in problems_of(child(**changes))[where]


@pytest.mark.parametrize("character", sorted(HIDDEN_CHARACTERS))
@pytest.mark.parametrize("key", ["given_names", "family_name", "known_as", "school", "named_person"])
def test_bidi_controls_and_zero_width_characters_are_refused_in_names_and_lines(character: str, key: str) -> None:
    message = problems_of(child(**{key: f"Ann{character}ie"}))[key]
    assert f"contains {HIDDEN_CHARACTERS[character]} (U+{ord(character):04X})" in message


def test_a_right_to_left_override_is_named_as_such() -> None:
    assert problems_of(child(given_names="Ann\u202eie"))["given_names"].startswith(
        "contains a right-to-left override (U+202E)")


@pytest.mark.parametrize("character", ["\u202e", "\u200b", "\u2067"])
def test_invisible_characters_are_refused_in_the_address_and_household_too(character: str) -> None:
    assert "address" in problems_of(child(address=f"1 Main St{character}\nLeith"))
    assert "household.0.name" in problems_of(child(household=[{"name": f"Mo{character}rven"}]))


def test_names_in_other_scripts_are_still_welcome() -> None:
    for name in ("Łukasz Wróblewski", "Siobhán Ní Bhriain", "Ἀλέξανδρος", "Дмитрий", "محمد", "דוד"):
        assert parse_child(child(given_names=name)).given_names == name


# --- answers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("answers", "message"), [
    ({"assessment_date": 20240501}, "must be text"),
    ({"child_seen": True}, "is not one of the choices"),
    ({"physical_care_daily_life": 42}, "must be text"),
    ({"physical_care_daily_life": "They said \u202etxet"}, "right-to-left override (U+202E)"),
])
def test_answers_take_no_coercion_and_no_invisible_controls(answers: dict[str, Any], message: str) -> None:
    form = default_catalog().get("neglect-assessment")
    with pytest.raises(AnswersError) as refused:
        validate_draft(form, answers)
    assert message in str(refused.value)


# --- the command line: one line, nothing written ----------------------------------------------------------


def cli(args: list[str], password: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    status = main([*args, "--password-stdin"])
    out, err = capsys.readouterr()
    return status, out, err


HOSTILE_CHILDREN = {
    "duplicate-key": '{"given_names": "A", "family_name": "B", "family_name": "C", "date_of_birth": "2015-01-01"}',
    "huge-integer": '{"given_names": "A", "family_name": "B", "date_of_birth": "2015-01-01", "sex": ' + "7" * 5000
                    + "}",
    "born-1800": '{"given_names": "A", "family_name": "B", "date_of_birth": "1800-01-01"}',
    "due-1990": '{"given_names": "A", "family_name": "B", "expected_date_of_delivery": "1990-01-01"}',
    "yes-is-not-true": '{"given_names": "A", "family_name": "B", "date_of_birth": "2015-01-01", '
                       '"household": [{"name": "C D", "parental_responsibility": "yes"}]}',
    "override": '{"given_names": "A\\u202eB", "family_name": "B", "date_of_birth": "2015-01-01"}',
    "zero-width": '{"given_names": "A", "family_name": "B\\u200b", "date_of_birth": "2015-01-01"}',
}


@pytest.mark.parametrize("name", list(HOSTILE_CHILDREN))
def test_child_add_refuses_hostile_json_in_one_line_and_writes_nothing(
        name: str, team: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "child.json"
    source.write_text(HOSTILE_CHILDREN[name], encoding="utf-8")
    before = team.db.read_bytes(), team.keys.read_bytes()
    status, out, err = cli(["child", "add", "--db", str(team.db), "--as", "prac", "--json", str(source)],
                           team.passwords["prac"], capsys, monkeypatch)
    assert (status, out) == (1, "")
    assert err.count("\n") == 1 and err.startswith("cpassess: ") and "Traceback" not in err
    assert (team.db.read_bytes(), team.keys.read_bytes()) == before


def test_answers_with_a_duplicate_key_are_refused_before_the_database_is_opened(
        team: Team, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "answers.json"
    source.write_text('{"assessment_date": "2024-05-01", "assessment_date": "2024-05-02"}', encoding="utf-8")
    status, _, err = cli(["assessment", "new", "--db", str(team.db), "--as", "prac", "--child", "x", "--form",
                          "neglect-assessment", "--answers", str(source)], team.passwords["prac"], capsys, monkeypatch)
    assert status == 1
    assert err == f"cpassess: {source}: the key 'assessment_date' appears twice in one object\n"


# --- form files ------------------------------------------------------------------------------------------


def form_with_fields(count: int, per_section: int = 200) -> str:
    sections = []
    for start in range(0, count, per_section):
        fields = "".join(f"      - {{id: f{i}, kind: text, label: Field {i}}}\n"
                         for i in range(start, min(count, start + per_section)))
        sections.append(f"  - id: s{start}\n    title: Part\n    fields:\n{fields}")
    return "id: big\nversion: 1\ntitle: Big\nsections:\n" + "".join(sections)


def test_a_form_of_twenty_thousand_fields_is_refused_fast_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "big.v1.yaml"
    path.write_text(form_with_fields(20_000), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(FormDefinitionError) as refused:
        load_definition(path)
    assert time.perf_counter() - started < 3.0
    assert refused.value.lines() == [f"{path}: sections[5].fields[0]: has more than 1000 fields; a form file may "
                                     "hold at most 1000 (line 1023)"]


def test_a_form_of_a_thousand_fields_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "big.v1.yaml"
    path.write_text(form_with_fields(1000), encoding="utf-8")
    assert sum(1 for _ in load_definition(path).fields()) == 1000


def test_a_form_file_of_too_many_values_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    options = "".join(f"          - {{id: o{i}, label: Option}}\n" for i in range(30_000))
    path = tmp_path / "wide.v1.yaml"
    path.write_text("id: wide\nversion: 1\ntitle: Wide\nsections:\n  - id: s\n    title: S\n    fields:\n"
                    f"      - id: c\n        kind: choice\n        label: C\n        options:\n{options}",
                    encoding="utf-8")
    with pytest.raises(FormDefinitionError) as refused:
        load_definition(path)
    [line] = refused.value.lines()
    assert "is too large for a form file: more than 20000 values" in line


def test_a_huge_form_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.v1.yaml"
    with path.open("wb") as stream:  # sparse: 4 GB on paper, nothing on disk
        stream.truncate(4 << 30)
    started = time.perf_counter()
    with pytest.raises(FormDefinitionError) as refused:
        load_definition(path)
    assert time.perf_counter() - started < 1.0
    assert refused.value.lines() == [f"{path}: is too large for a form file (over 2 MB)"]


def test_a_key_with_a_line_break_or_an_override_is_shown_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "odd.v1.yaml"
    path.write_text('id: odd\n"a\\nb\\u202e": 1\n"a\\nb\\u202e": 2\n', encoding="utf-8")
    with pytest.raises(FormDefinitionError) as refused:
        load_definition(path)
    assert refused.value.lines() == [f"{path}: a\\nb\\u202e: the key 'a\\nb\\u202e' appears twice (line 3)"]
