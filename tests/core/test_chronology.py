"""The child's chronology (DESIGN §16): seeded from the record, curated by the practitioner, offered to the GIRFEC
chronology question, on the command line, and printed in the family copy less what is sensitive."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cpassess.casework import Casework
from cpassess.chronology import FROM_THE_RECORD, Chronology, ChronologyEventRefused
from cpassess.export.document import render
from cpassess.export.record import Presentation, print_record
from cpassess.forms import default_catalog
from cpassess.forms.canonical import canonical_content, family_content
from cpassess.workflow import NotAllowed
from tests.helpers import CHILD, Cli, Team

REGISTERED = {**CHILD, "protection": {"registered": True, "registered_on": "2025-02-03",
                                      "areas_of_concern": ["neglect"]}, "next_core_group": "2099-01-10"}


def test_events_come_from_the_record_and_the_practitioner_in_date_order(approved_team: Team) -> None:
    with approved_team.session("prac") as session:
        child_id = session.children.add(REGISTERED).id
        chronology = Chronology(session)
        chronology.add(child_id, {"date": "2025-01-20", "event": "Moved to a new flat.", "source": "Housing"})
        chronology.add(child_id, {"date": "2024-05-01", "event": "Police attended the home.",
                                  "source": "Police Scotland", "impact": "Frightened; slept badly.",
                                  "sensitive": True})
        events = chronology.events(child_id)
        assert [(e.date, e.event, e.origin) for e in events] == [
            ("2024-05-01", "Police attended the home.", "practitioner"),
            ("2025-01-20", "Moved to a new flat.", "practitioner"),
            ("2025-02-03", "Name placed on the child protection register.", "record"),
            ("2099-01-10", "Core group meeting (planned).", "record")]
        assert events[0].sensitive and events[0].added_by == "prac"
        assert all(e.source == FROM_THE_RECORD for e in events if e.origin == "record")
        assert [row["date"] for row in chronology.prefill_rows(child_id)] == ["2024-05-01", "2025-01-20",
                                                                            "2025-02-03"]
        assert any(event.action == "chronology.added" and event.record_id == child_id
                   for event in session.audit_events())

        approved = Chronology(session).events(approved_team.child_id)
        texts = [e.event for e in approved]
        assert any(text.endswith("submitted for review by prac.") for text in texts)
        assert any(text.endswith("approved by lead.") for text in texts)


@pytest.mark.parametrize(("data", "words"), [
    ({"date": "2999-01-01", "event": "Later"}, "cannot be in the future"),
    ({"date": "2024-02-30", "event": "No such day"}, "not a real date"),
    ({"date": "2024-02-03", "event": "   "}, "event cannot be empty"),
    ({"date": "2024-02-03"}, "event is needed"),
    ({"date": "2024-02-03", "event": "x", "colour": "red"}, "colour is not part of an event"),
    ({"date": "2024-02-03", "event": "x", "sensitive": "yes"}, "sensitive"),
])
def test_a_bad_event_is_one_sentence_and_nothing_is_stored(team: Team, data: dict[str, object], words: str) -> None:
    child_id = team.add_child()
    with team.session("prac") as session:
        with pytest.raises(ChronologyEventRefused, match=words) as refused:
            Chronology(session).add(child_id, data)
        assert "\n" not in str(refused.value)
        assert Chronology(session).events(child_id) == []


def test_only_the_childs_practitioner_or_a_team_lead_adds_events(team: Team) -> None:
    child_id = team.add_child("lead")
    with team.session("prac") as session, pytest.raises(NotAllowed):
        Chronology(session).add(child_id, {"date": "2024-02-03", "event": "Seen at school."})


def test_a_new_girfec_assessment_offers_the_childs_chronology(team: Team) -> None:
    child_id = team.add_child()
    with team.session("prac") as session:
        Chronology(session).add(child_id, {"date": "2024-05-01", "event": "Police attended the home.",
                                           "source": "Police Scotland", "sensitive": True})
        Chronology(session).add(child_id, {"date": "2024-06-01", "event": "Started nursery."})
        draft = Casework.of(session).new(child_id, "girfec-wellbeing")
        v1 = Casework.of(session).new(child_id, "girfec-wellbeing", 1)
    rows = draft.answers["chronology_events"]
    assert [(r["event_date"], r["event"], r["sensitive"]) for r in rows] == [
        ("2024-05-01", "Police attended the home.", True), ("2024-06-01", "Started nursery.", False)]
    assert "chronology_events" not in v1.answers  # version 1 declares no prefill


def test_the_command_line_adds_and_shows_the_chronology(team: Team, cli: Cli) -> None:
    child_id = team.add_child()
    common = ("--db", team.db, "--as", "prac", "--child", child_id)
    password = (team.passwords["prac"],)
    added = json.loads(cli.ok("chronology", "add", *common, "--date", "2024-05-01", "--event", "Started nursery.",
                              "--source", "Nursery", "--sensitive", "--json", passwords=password).stdout)
    assert added["event"] == "Started nursery." and added["sensitive"] is True
    shown = cli.ok("chronology", "show", *common, passwords=password).stdout
    assert "2024-05-01  Started nursery. [Nursery]  (sensitive)" in shown
    listed = json.loads(cli.ok("chronology", "show", *common, "--json", passwords=password).stdout)
    assert [e["event"] for e in listed] == ["Started nursery."]
    refused = cli.refused("chronology", "add", *common, "--date", "2999-01-01", "--event", "Later",
                          passwords=password)
    assert "cannot be in the future" in refused.error_line


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is needed to read the PDF back")
def test_the_family_copy_pdf_prints_the_chronology_without_sensitive_rows_and_says_so(tmp_path: Path) -> None:
    from answer_filler import fill_every_field

    form = default_catalog().get("girfec-wellbeing", 2)
    answers = fill_every_field(form)
    answers["chronology_events"] = [
        {"event_date": "2024-03-01", "event": "Started nursery happily.", "source": "Nursery records"},
        {"event_date": "2024-09-10", "event": "Police called to the flat.", "source": "Police Scotland",
         "sensitive": True}]
    content = canonical_content(form, answers, about={"assessment_id": "a1", "started": "2026-11-02T09:30:00+00:00",
                                                      "author": {"username": "prac", "name": "Sam"}})
    presentation = Presentation(status="Submitted", draft=False)
    pdfs = {copy: tmp_path / f"{copy}.pdf" for copy in ("full", "family")}
    pdfs["full"].write_bytes(render(print_record(form, content, presentation)).data)
    pdfs["family"].write_bytes(render(print_record(form, family_content(form, content), presentation)).data)
    text = {copy: " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                          check=True).stdout.split()) for copy, path in pdfs.items()}
    assert "Police called to the flat." in text["full"] and "Police Scotland" in text["full"]
    assert "Started nursery happily." in text["family"]
    assert "Police called to the flat." not in text["family"] and "Police Scotland" not in text["family"]
    assert "Nursery records" not in text["family"]
    assert "Left out of this family copy: 1 row and the column Source of information." in text["family"]


def test_dates_are_checked_against_today_given(team: Team) -> None:
    child_id = team.add_child()
    with team.session("prac") as session:
        event = Chronology(session).add(child_id, {"date": "2024-05-02", "event": "Seen."}, today=dt.date(2024, 5, 2))
        assert event.date == "2024-05-02"
