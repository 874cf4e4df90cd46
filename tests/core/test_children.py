"""Child records (DESIGN §4, §4.1, §4.2): what is accepted, what is refused and why, what only warns."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cpassess.caseload import CaseloadRow, matching
from cpassess.children import ChildRecord, ChildRecordError, parse_child, register_categories
from cpassess.resources import resource_path
from cpassess.search import fold
from cpassess.workflow import NotAllowed
from tests.helpers import Team

BASE: dict[str, Any] = {"given_names": "Callum", "family_name": "Stewart", "date_of_birth": "1985-04-19"}


def child(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


def refusal(data: Any) -> dict[str, str]:
    """The problems a refused record reports, by key path."""
    with pytest.raises(ChildRecordError) as refused:
        parse_child(data)
    return dict(refused.value.problems)


# --- CHI numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("chi", "date_of_birth"), [
    ("1904851231", "1985-04-19"), ("0101011237", "2001-01-01"), ("2902201230", "2020-02-29")])
def test_the_valid_chi_examples_of_the_design_are_accepted_without_warnings(chi: str, date_of_birth: str) -> None:
    record = parse_child(child(chi=chi, date_of_birth=date_of_birth))
    assert record.chi == chi
    assert record.warnings() == []


def test_a_chi_typed_with_spaces_or_dashes_is_stored_as_ten_digits() -> None:
    assert parse_child(child(chi="190485 1231")).chi == "1904851231"
    assert parse_child(child(chi="190-485-1231")).chi == "1904851231"


@pytest.mark.parametrize(("chi", "reason"), [
    ("1904851232", "check digit"),
    ("3201201234", "not a date"),
    ("190485123", "ten digits"),
    ("19048512311", "ten digits"),
    ("19048512a1", "ten digits"),
    ("１９０４８５１２３１", "ten digits"),  # full-width digits are not the ten ASCII digits a CHI is
])
def test_an_invalid_chi_is_refused_with_the_reason(chi: str, reason: str) -> None:
    problems = refusal(child(chi=chi))
    assert list(problems) == ["chi"]
    assert reason in problems["chi"]


def test_a_chi_given_as_a_number_is_refused_because_leading_zeros_would_be_lost() -> None:
    assert "chi" in refusal(child(chi=101011237))


def test_a_blank_chi_means_none() -> None:
    assert parse_child(child(chi="  ")).chi is None


def test_chi_and_date_of_birth_that_disagree_only_warn() -> None:
    record = parse_child(child(chi="1904851231", date_of_birth="1985-04-20"))
    assert record.chi == "1904851231"
    [warning] = record.warnings()
    assert "190485" in warning and "20/04/1985" in warning


def test_chi_sex_digit_that_disagrees_with_the_record_only_warns() -> None:
    record = parse_child(child(chi="1904851231", sex="female"))  # ninth digit 3: male
    [warning] = record.warnings()
    assert "male" in warning and "female" in warning
    assert parse_child(child(chi="1904851231", sex="not_known")).warnings() == []


def test_a_mismatch_warning_does_not_stop_the_child_being_saved(team: Team) -> None:
    with team.session("prac") as session:
        added = session.children.add(child(chi="1904851231", date_of_birth="1985-04-20"))
        stored = session.children.get(added.id)
    assert stored.record.chi == "1904851231"
    assert stored.record.warnings() == added.record.warnings() != []


# --- shape of the record -------------------------------------------------------------------------------------


def test_unknown_keys_are_refused_at_any_depth() -> None:
    problems = refusal(child(favourite_colour="blue", household=[{"name": "Morven Stewart", "shoe_size": 5}]))
    assert problems == {"favourite_colour": "is not a key of a child record",
                        "household.0.shoe_size": "is not a key of a child record"}


@pytest.mark.parametrize("data", [None, [], "a child", 42])
def test_a_record_must_be_an_object(data: Any) -> None:
    assert refusal(data) == {"": "a child record must be a JSON object"}


@pytest.mark.parametrize("key", ["given_names", "family_name"])
def test_names_are_required_and_not_blank(key: str) -> None:
    assert key in refusal({k: v for k, v in BASE.items() if k != key})
    assert key in refusal(child(**{key: "   "}))


@pytest.mark.parametrize("name", ["Line\nbreak", "Tab\there", "Bell\x07", "Nul\x00"])
def test_a_name_is_one_line_of_printable_text(name: str) -> None:
    assert "given_names" in refusal(child(given_names=name))


@pytest.mark.parametrize("date_of_birth", ["19/04/1985", "1985-4-19", "1985-02-30", "", 19850419])
def test_dates_must_be_real_iso_dates(date_of_birth: Any) -> None:
    assert "real date" in refusal(child(date_of_birth=date_of_birth))["date_of_birth"]


def test_a_date_of_birth_in_the_future_is_refused() -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert "future" in refusal(child(date_of_birth=tomorrow))[""]


def test_an_unborn_child_has_an_expected_date_of_delivery_instead() -> None:
    due = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    record = parse_child({"given_names": "Unborn baby", "family_name": "Nowak", "expected_date_of_delivery": due})
    assert record.unborn and record.date_of_birth is None
    assert record.snapshot("c1")["expected_date_of_delivery"] == due
    assert "date_of_birth" not in record.snapshot("c1")


def test_a_child_has_exactly_one_of_date_of_birth_and_expected_date_of_delivery() -> None:
    due = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    assert "either" in refusal(child(expected_date_of_delivery=due))[""]
    assert "either" in refusal({"given_names": "Baby", "family_name": "Nowak"})[""]


def test_an_unborn_child_is_stored_and_listed_as_unborn(team: Team) -> None:
    due = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    with team.session("prac") as session:
        added = session.children.add({"given_names": "Unborn baby", "family_name": "Nowak",
                                      "expected_date_of_delivery": due})
        [row] = session.children.rows()
        stored = session.children.get(added.id)
    assert row.unborn and row.date_of_birth is None
    assert stored.record.expected_date_of_delivery == dt.date.fromisoformat(due)


def test_household_members_take_name_relationship_date_of_birth_and_parental_responsibility() -> None:
    record = parse_child(child(household=[
        {"name": "Morven Stewart", "relationship": "Mother", "date_of_birth": "1990-01-31",
         "parental_responsibility": True},
        {"name": "Kyle Ross", "relationship": "Mother's partner", "parental_responsibility": False}]))
    assert [m.parental_responsibility for m in record.household] == [True, False]
    assert record.household[0].date_of_birth == dt.date(1990, 1, 31)
    assert "household.0.name" in refusal(child(household=[{"relationship": "Mother"}]))


# --- areas of concern ----------------------------------------------------------------------------------------


def test_areas_of_concern_are_the_register_categories_kept_in_the_resources_file() -> None:
    entries = yaml.safe_load(resource_path("resources", "register-categories.yaml").read_text(encoding="utf-8"))
    assert register_categories() == {entry["id"]: entry["label"] for entry in entries}
    assert list(register_categories().values()) == [
        "Domestic abuse", "Neglect", "Parental mental health problems", "Parental alcohol misuse",
        "Parental drug misuse", "Emotional abuse", "Physical abuse", "Sexual abuse", "Child sexual exploitation",
        "Child criminal exploitation", "Child trafficking", "Non-engaging family",
        "Child placing themselves at risk", "Other concern"]


def registered(**changes: Any) -> dict[str, Any]:
    return child(protection={"registered": True, "registered_on": "2024-03-01", "areas_of_concern": ["neglect"],
                             **changes})


def test_every_register_category_is_accepted_as_an_area_of_concern() -> None:
    every = list(register_categories())
    record = parse_child(registered(areas_of_concern=every))
    assert record.protection.areas_of_concern == every


@pytest.mark.parametrize(("areas", "reason"), [
    (["neglect", "poverty"], "unknown area of concern 'poverty'"),
    (["Neglect"], "unknown area of concern 'Neglect'"),  # the id, not the label
    (["neglect", "neglect"], "twice"),
])
def test_areas_of_concern_outside_the_list_are_refused(areas: list[str], reason: str) -> None:
    problems = refusal(registered(areas_of_concern=areas))
    assert reason in problems["protection.areas_of_concern"]


def test_a_child_who_is_not_registered_has_no_registration_details() -> None:
    problems = refusal(child(protection={"registered": False, "areas_of_concern": ["neglect"]}))
    assert "only for a registered child" in problems["protection"]


def test_a_registration_has_a_date_and_at_least_one_area_of_concern() -> None:
    assert parse_child(registered()).protection.registered
    assert "protection" in refusal(registered(registered_on=None))
    assert "protection" in refusal(registered(areas_of_concern=[]))


# --- names in every script ---------------------------------------------------------------------------------

NAMES = [
    ("Дмитрий", "Иванова"),
    ("Ἀλέξανδρος", "Νικολαΐδης"),
    ("Siobhán", "Ní Bhriain"),
    ("Zoë", "Ó Súilleabháin"),
    ("Łukasz", "Wróblewski"),
    ("Seònaid", "Mac an t-Saoir"),
    ("Zoe\u0308", "Decomposed"),  # a decomposed accent is kept exactly as typed, not normalised
]


def test_names_in_cyrillic_greek_irish_and_polish_round_trip_exactly(team: Team) -> None:
    with team.session("prac") as session:
        ids = [session.children.add(child(given_names=given, family_name=family, known_as=given)).id
               for given, family in NAMES]
    with team.session("prac") as session:  # read back after closing, from the file
        stored = [session.children.get(child_id).record for child_id in ids]
        rows = session.children.rows()
    assert [(r.given_names, r.family_name, r.known_as) for r in stored] == [(g, f, g) for g, f in NAMES]
    assert [matching(rows, "дмитрий")[0].name] == ["Иванова, Дмитрий"]
    assert [r.name for r in matching(rows, "ní bhr")] == ["Ní Bhriain, Siobhán"]
    assert [r.name for r in matching(rows, "ἀλέξ")] == ["Νικολαΐδης, Ἀλέξανδρος"]
    # accents, case and punctuation folded on both sides; letters NFKD leaves whole spelt as typed
    assert [r.name for r in matching(rows, "LUKASZ wrob")] == ["Wróblewski, Łukasz"]
    assert [r.name for r in matching(rows, "wróblewski, łukasz")] == ["Wróblewski, Łukasz"]
    assert [r.name for r in matching(rows, "siobhan ni")] == ["Ní Bhriain, Siobhán"]
    assert [r.name for r in matching(rows, "ΑΛΕΞ")] == ["Νικολαΐδης, Ἀλέξανδρος"]
    assert [r.name for r in matching(rows, "saoir")] == [r.name for r in matching(rows, "t-saoir")] == \
        [r.name for r in matching(rows, "tsaoir")] == ["Mac an t-Saoir, Seònaid"]
    assert {r.name for r in matching(rows, "zoe")} == {"Ó Súilleabháin, Zoë", "Decomposed, Zoe\u0308"}
    assert unicodedata.is_normalized("NFD", stored[-1].given_names) and stored[-1].given_names != "Zoë"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), min_size=1, max_size=100)
       .filter(lambda s: s.strip() == s and s.strip() != ""))
def test_any_printable_name_survives_a_json_round_trip(name: str) -> None:
    record = parse_child(child(given_names=name, family_name=name))
    again = ChildRecord.model_validate_json(record.model_dump_json())
    assert (again.given_names, again.family_name) == (name, name)


def test_surrounding_spaces_are_trimmed_from_names() -> None:
    record = parse_child(child(given_names="  Isla ", family_name=" Fraser  "))
    assert (record.given_names, record.family_name) == ("Isla", "Fraser")


# --- the caseload ---------------------------------------------------------------------------------------


def test_a_practitioner_sees_their_own_children_and_a_team_lead_sees_everyone(team: Team) -> None:
    own = team.add_child("prac", child(given_names="Own"))
    theirs = team.add_child("lead", child(given_names="Other"))
    with team.session("prac") as session:
        assert [r.child_id for r in session.children.rows()] == [own]
        with pytest.raises(NotAllowed):
            session.children.get(theirs)
    with team.session("lead2") as session:
        assert {r.child_id for r in session.children.rows()} == {own, theirs}


def test_adding_and_changing_a_child_are_audited_by_id_only(team: Team) -> None:
    child_id = team.add_child("prac")
    with team.session("prac") as session:
        session.children.update(child_id, child(given_names="Callum", known_as="Cal"))
        events = [e for e in session.audit_events() if e.record_id == child_id]
        assert session.children.get(child_id).record.known_as == "Cal"
    assert [(e.action, e.actor, e.detail) for e in events] == [("child.added", "prac", {}),
                                                               ("child.updated", "prac", {})]


def test_a_refused_record_stores_nothing(team: Team) -> None:
    with team.session("prac") as session:
        with pytest.raises(ChildRecordError):
            session.children.add(child(chi="1904851232"))
        assert session.children.rows() == []
        events = len(session.audit_events())
    with team.session("prac") as session:
        assert len(session.audit_events()) == events


def caseload_rows(*names: tuple[str, str]) -> list[CaseloadRow]:
    """Caseload lines for (given names, family name) pairs, keyed by the record's own search text."""
    rows = []
    for number, (given_names, family) in enumerate(names):
        record = parse_child(child(given_names=given_names, family_name=family))
        rows.append(CaseloadRow(str(number), f"{family}, {given_names}", "", "2019-04-19", False, None, False, None,
                                None, None, None, None, "prac", f" {record.search_text()}"))
    return rows


@pytest.mark.parametrize(("typed", "found"), [
    ("campbell, iona", ["Campbell, Iona"]),  # as the caseload shows the name
    ("iona campbell", ["Campbell, Iona"]),
    ("CAMP", ["Campbell, Iona"]),
    ("lukasz", ["Wróblewski, Łukasz"]),  # Ł has no decomposition: folded by hand
    ("Łukasz Wróblewski", ["Wróblewski, Łukasz"]),
    ("o'neill", ["O'Neill, Søren"]),
    ("oneill", ["O'Neill, Søren"]),
    ("neill soren", ["O'Neill, Søren"]),
    ("bjorn", ["Ægirsdóttir, Bjørn"]),
    ("aegirs", ["Ægirsdóttir, Bjørn"]),
    ("strasse", ["Straße, Jürgen"]),
    ("jurgen", ["Straße, Jürgen"]),
    ("mac", ["MacLeod, Eilidh"]),
    ("leod", []),  # a typed word starts a word of the name, it is not found inside one
    ("iona zzz", []),
    ("  ,  ", ["Campbell, Iona", "MacLeod, Eilidh", "O'Neill, Søren", "Straße, Jürgen", "Wróblewski, Łukasz",
               "Ægirsdóttir, Bjørn"]),  # nothing typed but punctuation: everyone
])
def test_search_folds_accents_case_and_punctuation(typed: str, found: list[str]) -> None:
    rows = caseload_rows(("Iona", "Campbell"), ("Eilidh", "MacLeod"), ("Søren", "O'Neill"), ("Jürgen", "Straße"),
                         ("Łukasz", "Wróblewski"), ("Bjørn", "Ægirsdóttir"))
    assert sorted(row.name for row in matching(rows, typed)) == found


def test_the_search_key_is_folded_once_when_the_record_is_stored() -> None:
    record = parse_child(child(given_names="Łukasz", family_name="Mac an t-Saoir", known_as="Łuki"))
    assert record.search_text() == "lukasz mac an t saoir tsaoir luki"
    assert fold("Ἀλέξανδρος ΝΙΚΟΛΑΐΔΗΣ") == "αλεξανδροσ νικολαιδησ"
