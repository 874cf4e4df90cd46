"""Form versions (DESIGN §5): v1 and v2 side by side, and a draft moved to v2 showing what was dropped and added."""

from __future__ import annotations

from pathlib import Path

import pytest
from answer_filler import fill_every_field

from cpassess.forms import FormCatalog, FormDefinitionError, default_catalog, migrate_answers
from cpassess.forms.loader import load_definition, parse_definition_text

V1 = """\
id: home-visit
version: 1
title: Home visit
sections:
  - id: about
    title: About the visit
    fields:
      - {id: visit_date, kind: date, label: Date of visit, required: true}
      - id: reason
        kind: choice
        label: Reason for the visit
        options:
          - {id: concern, label: A concern}
          - {id: review, label: A review}
          - {id: other, label: Other}
      - {id: notes, kind: text, label: Notes}
      - {id: weather, kind: text, label: The weather}
      - {id: seen, kind: yes_no_unknown, label: Was the child seen}
  - id: care
    title: Care
    fields:
      - {id: story, kind: long_text, label: What we saw, max_length: 500}
"""

# v2: `weather` dropped, `child_views` added, option `review` removed, `notes` now long text, `story` shorter.
V2 = """\
id: home-visit
version: 2
title: Home visit (revised)
sections:
  - id: about
    title: About the visit
    fields:
      - {id: visit_date, kind: date, label: Date of visit, required: true}
      - id: reason
        kind: choice
        label: Reason for the visit
        options:
          - {id: concern, label: A concern}
          - {id: other, label: Other}
      - {id: notes, kind: long_text, label: Notes}
      - {id: seen, kind: yes_no_unknown, label: Was the child seen}
  - id: views
    title: Views
    fields:
      - {id: child_views, kind: long_text, label: The child's views}
  - id: care
    title: Care
    fields:
      - {id: story, kind: long_text, label: What we saw, max_length: 10}
"""


@pytest.fixture
def forms_dir(tmp_path: Path) -> Path:
    (tmp_path / "home-visit.v1.yaml").write_text(V1, encoding="utf-8")
    (tmp_path / "home-visit.v2.yaml").write_text(V2, encoding="utf-8")
    return tmp_path


def test_the_catalog_holds_both_versions_side_by_side(forms_dir: Path) -> None:
    catalog = FormCatalog.from_directory(forms_dir)
    assert catalog.errors == []
    assert catalog.versions("home-visit") == [1, 2]
    assert catalog.get("home-visit").version == 2
    assert catalog.get("home-visit").title == "Home visit (revised)"
    assert catalog.get("home-visit", 1).title == "Home visit"
    assert [form.key for form in catalog] == [("home-visit", 1), ("home-visit", 2)]


def test_asking_for_a_missing_form_or_version_is_a_sentence(forms_dir: Path) -> None:
    catalog = FormCatalog.from_directory(forms_dir)
    with pytest.raises(KeyError, match="there is no form 'home-visit' version 3"):
        catalog.get("home-visit", 3)
    with pytest.raises(KeyError, match="there is no form 'day-visit'"):
        catalog.get("day-visit")


def test_a_file_named_v2_that_says_v1_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "home-visit.v2.yaml"
    path.write_text(V1, encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="the file name says home-visit v2 but the file defines home-v"):
        load_definition(path)
    catalog = FormCatalog.from_directory(tmp_path)
    assert len(catalog) == 0
    assert [error.source for error in catalog.errors] == [str(path)]


def test_moving_a_draft_to_v2_reports_dropped_and_new_and_keeps_the_rest(forms_dir: Path) -> None:
    catalog = FormCatalog.from_directory(forms_dir)
    v1, v2 = catalog.get("home-visit", 1), catalog.get("home-visit", 2)
    answers = {"visit_date": "2025-05-30", "reason": "review", "notes": "Short note", "weather": "Rain",
               "seen": "yes", "story": "Far too long for v2"}
    before = dict(answers)
    migration = migrate_answers(answers, v1, v2)
    assert answers == before, "nothing is applied until the caller stores the result"
    assert migration.target is v2
    assert migration.answers == {"visit_date": "2025-05-30", "seen": "yes", "notes": "Short note"}  # text → long
    dropped = {item.field_id: (item.label, item.reason) for item in migration.dropped}
    assert dropped == {
        "reason": ("Reason for the visit",
                   "the answer no longer fits: 'review' is not one of the choices ('concern' or 'other')"),
        "weather": ("The weather", "version 2 no longer asks this question"),
        "story": ("What we saw", "the answer no longer fits: is longer than the limit of 10 characters"),
    }
    assert [(new.field_id, new.label, new.section_title) for new in migration.new_fields] == [
        ("child_views", "The child's views", "Views")]


def test_answers_that_still_fit_are_all_kept(forms_dir: Path) -> None:
    catalog = FormCatalog.from_directory(forms_dir)
    answers = {"visit_date": "2025-05-30", "reason": "other", "seen": "no", "story": "Short"}
    migration = migrate_answers(answers, catalog.get("home-visit", 1), catalog.get("home-visit"))
    assert migration.answers == answers
    assert migration.dropped == []


def test_an_unknown_key_in_old_answers_is_reported_not_kept(forms_dir: Path) -> None:
    catalog = FormCatalog.from_directory(forms_dir)
    migration = migrate_answers({"ghost": 1}, catalog.get("home-visit", 1), catalog.get("home-visit", 2))
    assert migration.answers == {}
    assert [(item.field_id, item.label) for item in migration.dropped] == [("ghost", "ghost")]


def test_answers_cannot_move_to_a_different_form(forms_dir: Path) -> None:
    v1 = FormCatalog.from_directory(forms_dir).get("home-visit", 1)
    other = parse_definition_text(V1.replace("id: home-visit", "id: day-visit"))
    with pytest.raises(ValueError, match="different form"):
        migrate_answers({}, v1, other)


def test_moving_to_the_same_version_changes_nothing() -> None:
    for form in default_catalog():
        answers = fill_every_field(form)
        migration = migrate_answers(answers, form, form)
        assert migration.answers == answers
        assert migration.dropped == []
        assert migration.new_fields == []
