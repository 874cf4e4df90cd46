"""`cpassess forms ...` (DESIGN §11): list, check, schema, answers-schema; exit 0 or 1 with plain lines."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from answer_filler import SHIPPED_FORMS

from cpassess.cli import main
from cpassess.forms import FormDefinition, answers_schema, default_catalog, forms_directory

SHIPPED_IDS = {"neglect-assessment", "girfec-wellbeing"}

GOOD = """\
id: home-visit
version: 1
title: Home visit
scales:
  - id: grades
    title: Grades
    levels:
      - {id: g1, label: One, tone: good}
      - {id: g2, label: Two, tone: good}
      - {id: g3, label: Three, tone: caution}
      - {id: g4, label: Four, tone: concern}
      - {id: g5, label: Five, tone: concern}
sections:
  - id: about
    title: About the visit
    fields:
      - id: reason
        kind: choice
        label: Reason
        options:
          - {id: concern, label: A concern}
          - {id: other, label: Other}
      - id: reason_other
        kind: text
        label: Other reason
        visible_if: {field: reason, equals: other}
      - id: nutrition
        kind: grade
        label: Nutrition
        scale: grades
        descriptors: [Always, Mostly, Sometimes, Rarely, Never]
      - id: story
        kind: long_text
        label: What we saw
"""

def changed(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


# (name, broken file, the key path or line the output must name, words the message must hold)
BROKEN = [
    ("duplicate-field-id", changed("      - id: story\n", "      - id: reason\n"),
     "sections[0].fields[3].id", "the field id 'reason' is already used at sections[0].fields[0]"),
    ("visible-if-missing-field", changed("{field: reason, equals: other}", "{field: reasons, equals: other}"),
     "sections[0].fields[1].visible_if", "refers to 'reasons', which is not a field of this form"),
    ("visible-if-value-not-an-option", changed("{field: reason, equals: other}", "{field: reason, equals: others}"),
     "sections[0].fields[1].visible_if", "'others' is not an option of 'reason'"),
    ("grade-four-descriptors", changed("[Always, Mostly, Sometimes, Rarely, Never]", "[Always, Mostly, Rarely, Never]"),
     "sections[0].fields[2].descriptors", "a grade needs five descriptors"),
    ("wrong-kind", changed("kind: long_text", "kind: narrative"), "sections[0].fields[3]", "a field needs a 'kind'"),
    ("missing-kind", changed("        kind: long_text\n", ""), "sections[0].fields[3]", "a field needs a 'kind'"),
    ("unknown-key", changed("        label: What we saw\n", "        label: What we saw\n        lable: Typo\n"),
     "sections[0].fields[3].lable", "is not a key this format knows"),
    ("duplicate-yaml-key",
     changed("        label: What we saw\n", "        label: What we saw\n        label: Again\n"),
     "sections[0].fields[3].label", "the key 'label' appears twice (line 35)"),
    ("yaml-alias", changed("label: Reason\n", "label: &why Reason\n").replace("label: What we saw", "label: *why"),
     "sections[0].fields[3].label", "aliases (*name) are not allowed in form files (line 34)"),
    ("yaml-syntax-error", changed("        label: Other reason\n", "        label: Other: [reason\n"),
     "line 25, column", "mapping values are not allowed here"),
]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "home-visit.v1.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


# --- forms list ------------------------------------------------------------------------------------------------

def test_forms_list_shows_every_shipped_form_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["forms", "list"], capsys)
    assert status == 0, out + err
    listed = {(line.split()[0], line.split()[1]): line for line in out.splitlines()}
    assert set(listed) == {(form.id, f"v{form.version}") for form in default_catalog()}
    assert {form_id for form_id, _ in listed} >= SHIPPED_IDS
    assert set(listed) >= {("neglect-assessment", "v1"), ("neglect-assessment", "v2"), ("girfec-wellbeing", "v1"),
                           ("girfec-wellbeing", "v2"), ("core-group-review", "v1")}
    for form in default_catalog():
        assert listed[(form.id, f"v{form.version}")].endswith(form.title)


def test_forms_list_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["forms", "list", "--json"], capsys)
    assert status == 0
    listed = json.loads(out)
    assert {item["id"] for item in listed} >= SHIPPED_IDS
    assert all(set(item) == {"id", "version", "title"} for item in listed)


def test_forms_list_names_a_broken_file_in_the_forms_folder(
        tmp_path: Path, good_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "home-visit.v2.yaml").write_text(GOOD.replace("version: 1", "version: 2").replace(
        "kind: long_text", "kind: narrative"), encoding="utf-8")
    monkeypatch.setenv("CPASSESS_FORMS_DIR", str(tmp_path))
    assert forms_directory() == tmp_path
    status, out, _ = run(["forms", "list"], capsys)
    assert status == 1
    assert out.splitlines()[0].split()[:2] == ["home-visit", "v1"]
    assert f"cpassess: not loaded: {tmp_path / 'home-visit.v2.yaml'}: sections[0].fields[3]: " in out


def test_forms_list_with_no_forms_is_one_error_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CPASSESS_FORMS_DIR", str(tmp_path / "empty"))
    status, out, err = run(["forms", "list"], capsys)
    assert status == 1
    assert out == ""
    assert err == f"cpassess: no form definitions found in {tmp_path / 'empty'}\n"


# --- forms check -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_each_shipped_form_passes_forms_check(shipped_form: FormDefinition, capsys: pytest.CaptureFixture[str]) -> None:
    path = forms_directory() / f"{shipped_form.id}.v{shipped_form.version}.yaml"
    status, out, err = run(["forms", "check", str(path)], capsys)
    assert status == 0, out + err
    fields = sum(1 for _ in shipped_form.fields())
    assert out == (f"{path}: ok ({shipped_form.id} v{shipped_form.version}, {len(shipped_form.sections)} sections, "
                   f"{fields} fields)\n")


def test_the_good_file_used_below_passes(good_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["forms", "check", str(good_file)], capsys)
    assert (status, out) == (0, f"{good_file}: ok (home-visit v1, 1 sections, 4 fields)\n")


@pytest.mark.parametrize(("name", "text", "where", "message"), BROKEN, ids=[case[0] for case in BROKEN])
def test_forms_check_names_file_key_path_and_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, where: str, message: str) -> None:
    path = tmp_path / "home-visit.v1.yaml"
    path.write_text(text, encoding="utf-8")
    status, out, err = run(["forms", "check", str(path)], capsys)
    assert status == 1
    assert err == ""
    lines = out.splitlines()
    assert lines, "a refused file must say why"
    assert all(line.startswith(f"{path}: ") for line in lines), lines
    separator = " " if where.startswith("line") else ": "
    expected = f"{path}: {where}{separator}"
    assert any(line.startswith(expected) and message in line for line in lines), lines


def test_forms_check_reports_each_file_and_fails_if_any_fails(
        tmp_path: Path, good_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.v1.yaml"
    bad.write_text(GOOD.replace("id: home-visit", "id: bad").replace("kind: long_text", "kind: essay"),
                   encoding="utf-8")
    missing = tmp_path / "missing.v1.yaml"
    status, out, _ = run(["forms", "check", str(good_file), str(bad), str(missing)], capsys)
    assert status == 1
    assert out.splitlines() == [
        f"{good_file}: ok (home-visit v1, 1 sections, 4 fields)",
        f"{bad}: sections[0].fields[3]: a field needs a 'kind': one of text, long_text, date, number, choice, "
        "multi_choice, yes_no_unknown, grade, rating, repeat, resilience_matrix, computed",
        f"{missing}: cannot be read (No such file or directory)",
    ]


def test_forms_check_lists_every_problem_of_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.replace("      - id: story\n", "      - id: reason\n").replace(
        "[Always, Mostly, Sometimes, Rarely, Never]", "[Always]").replace("equals: other", "equals: others")
    path = tmp_path / "home-visit.v1.yaml"
    path.write_text(text, encoding="utf-8")
    status, out, _ = run(["forms", "check", str(path)], capsys)
    assert status == 1
    paths = {line.split(": ")[1] for line in out.splitlines()}
    assert paths == {"sections[0].fields[3].id", "sections[0].fields[1].visible_if",
                     "sections[0].fields[2].descriptors"}


def test_forms_check_refuses_a_file_whose_name_disagrees(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "home-visit.v2.yaml"
    path.write_text(GOOD, encoding="utf-8")
    status, out, _ = run(["forms", "check", str(path)], capsys)
    assert (status, out) == (1, f"{path}: the file name says home-visit v2 but the file defines home-visit v1\n")


# --- schemas ---------------------------------------------------------------------------------------------------

def test_forms_schema_prints_the_definition_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["forms", "schema"], capsys)
    assert status == 0
    schema = json.loads(out)
    assert schema["$id"] == "urn:cpassess:form-definition"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"id", "version", "title", "sections"} <= set(schema["required"])


@pytest.mark.parametrize("shipped_form", SHIPPED_FORMS)
def test_forms_answers_schema_prints_that_forms_schema(
        shipped_form: FormDefinition, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["forms", "answers-schema", shipped_form.id, "--version", str(shipped_form.version)], capsys)
    assert status == 0
    assert json.loads(out) == json.loads(json.dumps(answers_schema(shipped_form)))
    assert json.loads(out)["$id"] == f"urn:cpassess:answers:{shipped_form.id}:v{shipped_form.version}"
    status, out, _ = run(["forms", "answers-schema", shipped_form.id], capsys)  # the newest without --version
    assert status == 0
    newest = default_catalog().newest_version(shipped_form.id)
    assert json.loads(out)["$id"] == f"urn:cpassess:answers:{shipped_form.id}:v{newest}"


@pytest.mark.parametrize(("args", "error"), [
    (["nope"], "cpassess: there is no form 'nope'\n"),
    (["girfec-wellbeing", "--version", "99"], "cpassess: there is no form 'girfec-wellbeing' version 99\n"),
])
def test_forms_answers_schema_of_an_unknown_form_is_one_error_line(
        args: list[str], error: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["forms", "answers-schema", *args], capsys)
    assert (status, out, err) == (1, "", error)


# --- as a user runs it -------------------------------------------------------------------------------------------

def installed_command() -> list[str]:
    script = Path(sys.executable).with_name("cpassess")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cpassess"]


def test_the_installed_command_lists_both_forms() -> None:
    result = subprocess.run([*installed_command(), "forms", "list"], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert {line.split()[0] for line in result.stdout.splitlines()} >= SHIPPED_IDS


def test_python_m_cpassess_checks_the_shipped_forms() -> None:
    paths = [str(forms_directory() / f"{form.id}.v{form.version}.yaml") for form in default_catalog()]
    result = subprocess.run([sys.executable, "-m", "cpassess", "forms", "check", *paths], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split(": ")[1][:2] for line in result.stdout.splitlines()] == ["ok"] * len(paths)


def test_a_broken_file_fails_in_a_real_process_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "home-visit.v1.yaml"
    path.write_text(GOOD.replace("kind: long_text", "kind: narrative").replace("label: Reason\n",
                                                                              "label: Reason\n        label: Why\n"),
                    encoding="utf-8")
    result = subprocess.run([*installed_command(), "forms", "check", str(path)], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.fullmatch(rf"{re.escape(str(path))}: sections\[0\]\.fields\[0\]\.label: the key 'label' appears "
                        r"twice \(line 20\)\n", result.stdout), result.stdout


def test_a_value_yaml_cannot_read_fails_in_a_real_process_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "home-visit.v1.yaml"
    path.write_text(GOOD + "      - {id: when, kind: date, label: When, minimum: 2025-02-29}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "cpassess", "forms", "check", str(path)], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith(f"{path}: line 35, column ")
    assert "cannot be read" in result.stdout
