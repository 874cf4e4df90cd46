"""The record laid out for the meeting (issue 13), read back with pdftotext and pypdf: plans as blocks, headings
kept with what follows, tables that repeat their header only after a page break, the chronology in date order,
the footer, the cover, the outline and the document's metadata."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from cpassess.export.document import render
from tests.pdf_reading import (
    GIRFEC,
    NEGLECT,
    body_lines,
    child,
    complete,
    cover_value,
    lines,
    page_count,
    pdftotext,
    record,
    words,
    written,
)

PLAN = [
    {"indicator": "healthy", "need": "Ava needs to get to her dental and asthma appointments. Two were missed this "
                                      "year because the letters went to the old address.",
     "action": "Health visitor to book the next asthma review with mum and send reminders by text the day before.",
     "outcome": "Ava's asthma is checked every six months and she has an up-to-date inhaler at home and at "
                "nursery.",
     "responsible_person": "Health visitor, Leith Community Treatment Centre", "by_when": "2026-12-18",
     "progress_measure": "The clinic letter confirms the appointment was kept."},
    {"indicator": "safe", "need": "Mum's partner has been drinking heavily at weekends and Ava has seen arguments.",
     "action": "Referral to the family support service; mum to agree a safety plan for weekends with the social "
                "worker, including who Ava stays with if there is drinking in the house.",
     "outcome": "Ava is cared for by a sober adult at all times.",
     "responsible_person": "Social worker (lead professional)", "by_when": "2026-12-04",
     "progress_measure": "Mum and Ava's gran both say the plan is being followed; no further police calls."},
    {"indicator": "achieving", "need": "Ava's nursery attendance dropped to 62% this term.",
     "action": "Nursery to offer a breakfast place and phone mum by 10am on any day Ava does not arrive.",
     "outcome": "Ava attends nursery most days and enjoys being there.",
     "responsible_person": "Head of Castlehill Nursery", "by_when": "2027-01-30",
     "progress_measure": "Attendance above 90% for the four weeks before the review."},
]
TITLES = {form.id: {section.title for section in form.sections} | {"Sign-off", "Review comments"}
          for form in (GIRFEC, NEGLECT)}


def plan_answers(actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {**complete("girfec-wellbeing"), "plan_actions": actions, "assessment_date": "2026-11-10"}


# --- the child's plan ------------------------------------------------------------------------------------------------


def test_a_plan_of_three_actions_is_three_readable_blocks_on_at_most_two_pages(tmp_path: Path) -> None:
    pdf = written(render(record(GIRFEC, plan_answers(PLAN))), tmp_path)
    texts = [pdftotext(pdf, page) for page in range(1, page_count(pdf) + 1)]

    plan_pages = [n for n, text in enumerate(texts) if re.search(r"Action \d of 3", text)]
    assert len(plan_pages) <= 2 and plan_pages == list(range(plan_pages[0], plan_pages[-1] + 1))
    plan = words(" ".join(texts[n] for n in plan_pages))
    for number, action in enumerate(PLAN, start=1):
        assert f"Action {number} of 3" in plan
        for key in ("need", "action", "outcome", "progress_measure", "responsible_person"):
            assert words(action[key]) in plan, key  # every word whole, none split at a line end
    # each value is set beside its label, in one column wide enough to read (not one word a line)
    need = [text for _, _, _, text in lines(pdf, plan_pages[0] + 1) if text.startswith("Ava needs to get")]
    assert need and len(need[0]) > 60


def test_no_word_is_split_in_the_middle_and_a_word_too_long_for_the_line_still_prints(tmp_path: Path) -> None:
    long_word = "https://example.org/" + "a" * 120
    actions = [{**PLAN[0], "need": f"See {long_word} for the letter. Responsibilities are shared."}]
    text = pdftotext(written(render(record(GIRFEC, plan_answers(actions))), tmp_path))

    assert "Responsibilities" in text and "Responsi-" not in text
    assert long_word in text.replace("\n", "")  # broken over lines rather than run off the page


def test_a_narrow_repeat_stays_a_table(tmp_path: Path) -> None:
    answers = {**complete("girfec-wellbeing"), "contributors": [
        {"name": "Morag Lindsay", "agency": "Social work", "role": "Team lead"},
        {"name": "Ava", "agency": "The child", "role": "—"}]}
    text = words(pdftotext(written(render(record(GIRFEC, answers)), tmp_path)))

    assert "Name Agency or relationship to the child Role" in text
    assert "Morag Lindsay Social work Team lead" in text


# --- tables and the chronology ---------------------------------------------------------------------------------------


def chronology(days: list[int], sentences: int) -> list[dict[str, Any]]:
    sentence = "Police attended after a neighbour heard shouting; the children were in bed. "
    return [{"event_date": (dt.date(2026, 1, 1) + dt.timedelta(days=day)).isoformat(),
             "event": f"Event of day {day}. " + sentence * sentences, "source": "Police Scotland",
             "impact": "Ava was frightened and did not want to go to nursery. " * (sentences // 2)} for day in days]


@pytest.mark.parametrize("sentences", [2, 14, 30])
def test_the_chronology_is_in_date_order_and_repeats_its_header_only_at_the_top_of_a_page(
        tmp_path: Path, sentences: int) -> None:
    answers = {**complete("girfec-wellbeing"), "chronology_events": chronology([40, 3, 200, 17, 90], sentences)}
    pdf = written(render(record(GIRFEC, answers)), tmp_path)

    order = [int(day) for day in re.findall(r"Event of day (\d+)\.", words(pdftotext(pdf)))]
    assert order == [3, 17, 40, 90, 200]
    for page in range(1, page_count(pdf) + 1):
        body = body_lines(pdf, page)
        headers = [n for n, text in enumerate(body) if text.startswith("Date What happened")]
        assert len(headers) <= 1, page
        if headers:  # under the table's label, or at the top of a page the table continues on
            assert headers[0] == 0 or body[headers[0] - 1] in ("Significant events",), (page, body[:3])


# --- headings --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", [GIRFEC, NEGLECT], ids=lambda form: form.id)
@pytest.mark.parametrize("extra_lines", [0, 9, 23, 37])
def test_no_page_ends_with_a_heading(tmp_path: Path, form: Any, extra_lines: int) -> None:
    """Wherever the page breaks fall (moved by a longer first narrative), no section heading or question is
    the last thing on a page."""
    answers = dict(complete(form.id))
    first_narrative = next(field.id for _, field in form.fields() if field.kind == "long_text")
    answers[first_narrative] = "\n".join(f"Line {n} of what was said." for n in range(extra_lines)) or "Said."
    labels = {field.label for _, field in form.fields()} - {"Safe", "Healthy", "Achieving", "Nurtured", "Active",
                                                             "Respected", "Responsible", "Included"}
    pdf = written(render(record(form, answers)), tmp_path)

    for page in range(1, page_count(pdf)):
        body = body_lines(pdf, page)
        assert body[-1] not in TITLES[form.id] | labels, (page, body[-3:])


# --- the footer, the cover and the document --------------------------------------------------------------------------


def test_every_footer_names_the_child_and_an_unborn_child_by_the_expected_date(tmp_path: Path) -> None:
    unborn = child("Unborn baby", "Nowak", date_of_birth=None, expected_date_of_delivery="2027-02-14")
    pdf = written(render(record(NEGLECT, complete("neglect-assessment"), child=unborn)), tmp_path)

    for page in range(1, page_count(pdf) + 1):
        assert "Unborn baby Nowak, expected 14/02/2027" in pdftotext(pdf, page), page
        assert "DRAFT" not in pdftotext(pdf, page)  # a record for signing is not a draft
    assert cover_value(pdf, "Expected delivery") == "14/02/2027 (unborn)"


def test_the_cover_gives_the_child_household_and_assessment(tmp_path: Path) -> None:
    family = child(known_as="Ellie", address="12 Mill Road\nLeith", school="Braeside Primary",
                   named_person="Mrs Duncan", household=[
                       {"name": "Fiona MacLeod", "relationship": "Mother", "parental_responsibility": True},
                       {"name": "Dean Baird", "relationship": "Mother's partner", "parental_responsibility": False}])
    answers = {**plan_answers(PLAN), "lead_professional": "Kirsty Ross, social worker", "reason": "before_cppm"}
    pdf = written(render(record(GIRFEC, answers, child=family, reviewer="Morag Lindsay",
                                submitted_at="2026-11-20T16:05:00+00:00")), tmp_path)
    cover = words(pdftotext(pdf, 1))

    assert cover_value(pdf, "Lead professional") == "Kirsty Ross, social worker"  # from the plan: none on record
    assert cover_value(pdf, "Named person") == "Mrs Duncan"
    assert cover_value(pdf, "Known as") == "Ellie"
    assert cover_value(pdf, "Reviewer") == "Morag Lindsay"
    assert cover_value(pdf, "Date of assessment") == "10/11/2026"
    assert "Preparing for a child protection planning meeting (CPPM)" in cover
    assert "Fiona MacLeod Mother Yes" in cover and "Dean Baird Mother's partner No" in cover
    assert "Filled in by the team lead's digital signature on the sign-off page" in cover
    # the child's record wins over the form's answer when it has one
    led = written(render(record(GIRFEC, answers, child={**family, "lead_professional": "Iain Gillies"})), tmp_path,
                  "led.pdf")
    assert cover_value(led, "Lead professional") == "Iain Gillies"


def test_the_outline_has_one_entry_per_visible_section_and_the_document_says_its_language_and_date(
        tmp_path: Path) -> None:
    answers = complete("girfec-wellbeing")
    pdf = written(render(record(GIRFEC, answers, submitted_at="2026-11-20T16:05:00+00:00")), tmp_path)
    reader = PdfReader(pdf)

    entries = [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline]
    visible = [section.title for section in GIRFEC.sections]  # every section of a full record is shown
    assert [title for title, _ in entries] == ["The child", *visible, "Sign-off"]
    for title, page in entries:
        assert title in pdftotext(pdf, page), title
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata is not None
    assert reader.metadata.creation_date == dt.datetime(2026, 11, 20, 16, 5, tzinfo=dt.UTC)
    assert reader.metadata.title == "Wellbeing assessment (GIRFEC National Practice Model): Eilidh MacLeod, born " \
                                    "19/04/2019"
    assert reader.metadata.author == "Sam Wróblewski"
    # a pure function of what it shows: the same record renders to the same bytes
    assert render(record(GIRFEC, answers, submitted_at="2026-11-20T16:05:00+00:00")).data == pdf.read_bytes()


# --- the My World Triangle -------------------------------------------------------------------------------------------


def test_the_my_world_triangle_is_a_picture_and_one_table_of_notes_per_side(tmp_path: Path) -> None:
    answers = dict(complete("girfec-wellbeing"))
    grow = [field.id for field in GIRFEC.sections[3].fields if field.kind == "rating"]
    for index, rating in enumerate(grow):
        answers[rating] = "strength" if index < 4 else "pressure"
        answers[f"{rating}_note"] = f"Note {index} on growing."
    pdf = written(render(record(GIRFEC, answers)), tmp_path)
    text = words(pdftotext(pdf))

    assert text.count("The child's world at a glance") == 1
    assert "4 strengths, 3 pressures" in text  # the counts in words beside the side
    assert "My wider world" in text and "How I grow and develop" in text
    assert "Strength Pressure Not known or not applicable" in text  # the key: marks by shape as well as colour
    assert text.count("Item Rating Note") == 3
    assert "Being healthy Strength Note 0 on growing." in text
    assert "Being healthy: note" not in text  # one row per item, not label and value pairs


# --- the change chart ------------------------------------------------------------------------------------------------


def test_the_change_chart_shows_each_earlier_assessment_with_mean_and_worst(tmp_path: Path) -> None:
    from cpassess.export.record import EarlierProfile
    from cpassess.forms import DomainProfile

    def profile(mean: float, worst: int) -> list[DomainProfile]:
        return [DomainProfile("physical_care", "Physical care", 5, 5, 0, worst, mean, 2)]

    answers = dict(complete("neglect-assessment"))
    for key, value in answers.items():
        if isinstance(value, dict) and "grade" in value:
            answers[key] = {"grade": 2, "evidence": "Seen."}
    earlier = (EarlierProfile("assessment of 03/02/2026", profile(4.2, 5)),
               EarlierProfile("assessment of 12/06/2026", profile(3.4, 4)))
    text = words(pdftotext(written(render(record(NEGLECT, answers, earlier=earlier)), tmp_path)))

    assert "Change since the last approved neglect assessment (assessment of 12/06/2026)" in text
    assert "assessment of 03/02/2026 assessment of 12/06/2026 This assessment worst grade" in text  # the key
    assert "improved by 1.4, worst 4 to 2" in text
    assert re.search(r"Physical care 4\.2 improved by 1\.4, worst 4 to 2 3\.4 2\.0", text)  # a bar each, oldest first


def test_a_question_that_speaks_to_the_practitioner_is_not_a_heading_in_the_record(tmp_path: Path) -> None:
    answers = {**complete("neglect-assessment"), "practitioner_analysis": "Canarylinnet: the worries are real."}
    text = words(pdftotext(written(render(record(NEGLECT, answers)), tmp_path)))

    assert "Your analysis" not in text
    assert "Analysis and recommendation" in text and "Canarylinnet: the worries are real." in text


def test_every_table_column_is_readable_or_holds_its_whole_cells_on_a_line() -> None:
    """No column narrower than about 25 characters unless every cell fits it whole (a date); else blocks."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from cpassess.export.document import CELL_PADDING, READABLE_SAMPLE, _Builder
    from cpassess.forms.definition import RepeatField

    answers = {**complete("girfec-wellbeing"), "chronology_events": chronology([4, 9], 6)}
    builder = _Builder(record(GIRFEC, answers))
    readable = stringWidth(READABLE_SAMPLE, builder.styles["cell"].fontName, builder.styles["cell"].fontSize)
    for field_id in ("contributors", "chronology_events", "plan_actions"):
        field = GIRFEC.field(field_id)
        assert isinstance(field, RepeatField)
        texts = [[column.label, *(builder.cell(column, row.get(column.id)) for row in answers[field_id])]
                 for column in field.fields]
        widths = builder.column_widths(texts, [3 if column.kind == "long_text" else 1 for column in field.fields])
        if field_id == "plan_actions":
            assert widths is None  # seven columns: one block per action instead
            continue
        assert widths is not None and sum(widths) <= builder.width + 0.01
        for width, (_, *cells) in zip(widths, texts, strict=True):
            whole = max(stringWidth(cell, builder.styles["cell"].fontName, builder.styles["cell"].fontSize)
                        for cell in cells)
            assert width - CELL_PADDING >= min(readable, whole) - 0.01, field_id
