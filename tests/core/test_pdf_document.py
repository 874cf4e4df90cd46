"""The case-conference PDF as rendered from a PrintRecord (DESIGN §9.1–9.4), read back with poppler's pdftotext,
pdfinfo and pdffonts. No database: each test builds the record it needs and renders it directly."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from cpassess.export import layout
from cpassess.export.document import render
from cpassess.export.record import EarlierProfile, PrintedComment, RenderedPdf
from cpassess.forms import FIELD_KINDS, DomainProfile, parse_definition_text
from tests.pdf_reading import (
    GIRFEC,
    NEGLECT,
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

pytestmark = pytest.mark.skipif(not all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdffonts")),
                                reason="poppler-utils is needed to read the PDFs back")

WATERMARK = "DRAFT — not approved"
CHANGE = "Change since the last approved neglect assessment"
# DESIGN §9.3: these must come back from pdftotext exactly as typed
NAMES = [("Łukasz", "Wróblewski"), ("Siobhán", "Ní Bhriain"), ("Zoë", "Ó Súilleabháin"), ("Ἀλέξανδρος", "Νικολαΐδης"),
         ("Дмитрий", "Иванов")]


@pytest.fixture(scope="module")
def full_girfec(tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderedPdf, Path]:
    rendered = render(record(GIRFEC, complete("girfec-wellbeing"), draft=False, status="Submitted for approval",
                             submitted_at="2026-11-20T16:05:00+00:00"))
    return rendered, written(rendered, tmp_path_factory.mktemp("girfec"))


# --- pages ------------------------------------------------------------------------------------------------------


def test_every_page_is_numbered_of_the_total_and_marked_top_and_bottom(full_girfec: tuple[RenderedPdf, Path]) -> None:
    rendered, pdf = full_girfec
    total = page_count(pdf)
    assert rendered.pages == total > 5

    for page in range(1, total + 1):
        text = pdftotext(pdf, page)
        assert re.findall(r"Page (\d+) of (\d+)", text) == [(str(page), str(total))]
        marks = [y for _, y, _, line in lines(pdf, page) if line == "OFFICIAL-SENSITIVE"]
        assert len(marks) == 2 and marks[0] < layout.MARGIN and marks[1] > layout.PAGE_HEIGHT - layout.FOOTER_HEIGHT
        # the footer ties a printed page to the record: form, version and the content fingerprint
        assert "Wellbeing assessment (GIRFEC National Practice Model) (v1) · record 3F3F-3F3F-3F3F-3F3F" in text


def test_the_marking_is_configurable_and_printed_in_capitals(tmp_path: Path) -> None:
    pdf = written(render(record(marking="Official-Sensitive: Personal")), tmp_path)

    for page in range(1, page_count(pdf) + 1):
        assert pdftotext(pdf, page).count("OFFICIAL-SENSITIVE: PERSONAL") == 2
    assert "Official-Sensitive: Personal" not in pdftotext(pdf)


# --- the practitioner's words -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "family"), NAMES, ids=[family for _, family in NAMES])
def test_names_in_every_script_of_the_design_come_out_exactly(tmp_path: Path, given: str, family: str) -> None:
    rendered = render(record(child=child(given, family, known_as=given, address=f"{given}'s gran\n{family} Road")))
    pdf = written(rendered, tmp_path)

    assert rendered.warnings() == []
    assert cover_value(pdf, "Child") == f"{given} {family}"
    assert cover_value(pdf, "Known as") == given
    assert f"{given}'s gran" in pdftotext(pdf, 1)


def test_characters_the_font_cannot_draw_are_listed_not_printed_silently(tmp_path: Path) -> None:
    answers = {"child_views": "她说她很开心 — she says she is happy ☺"}
    rendered = render(record(answers=answers, child=child("小明", "王", known_as="Ming")))

    assert rendered.missing_characters == ["小", "明", "王", "她", "说", "很", "开", "心"]  # first seen first
    [warning] = rendered.warnings()
    assert warning.startswith("The PDF font has no glyph for 8 character(s), which print as boxes:")
    assert "小 (U+5C0F)" in warning and "心 (U+5FC3)" in warning
    assert "☺" not in warning and "—" not in warning  # the font has these
    assert "she says she is happy ☺" in pdftotext(written(rendered, tmp_path))


def test_narratives_are_printed_exactly_as_typed(tmp_path: Path) -> None:
    typed = ("First line <b>not bold</b> & \"quoted\" 'text' 50% of the time.\r\nSecond line after a break.\n\n"
             "Next paragraph with\ta tab and  two spaces; a URL https://example.org/a?b=c&d=e.\n\n\n"
             "Last paragraph: Łukasz said «не знаю» and Ἀλέξανδρος laughed.")
    pdf = written(render(record(answers={"carers_capacity_narrative": typed})), tmp_path)
    text = pdftotext(pdf)

    assert words(typed) in words(text)
    assert "<b>not bold</b>" in text  # markup typed by the user is text, not formatting
    # each typed line starts a line of its own
    for line in ("Second line after a break.", "Next paragraph with", "Last paragraph: Łukasz said"):
        assert re.search(rf"^{re.escape(line)}", text, re.MULTILINE), line


def test_hidden_questions_are_not_printed(tmp_path: Path) -> None:
    answers = {"child_seen": "yes", "child_not_seen_reason": "Hiddenfinch reason", "child_seen_alone": "yes",
               "assessment_reason": "initial_concern", "assessment_reason_other": "Hiddenwren reason"}
    text = pdftotext(written(render(record(answers=answers)), tmp_path))

    assert "Was the child seen alone?" in text
    assert "Hiddenfinch" not in text and "Why the child was not seen" not in text
    assert "Hiddenwren" not in text


def test_unanswered_questions_say_so(tmp_path: Path) -> None:
    text = words(pdftotext(written(render(record(answers={})), tmp_path)))

    assert "The child's views Not answered" in text
    assert "Nutrition and feeding Not known" in text or "Nutrition and feeding Not answered" in text


# --- every kind of question has a printed form ----------------------------------------------------------------------

EVERY_KIND = """
id: every-kind
version: 3
title: "Every kind of question"
scales:
  - id: grades
    title: "Grades"
    levels:
      - {id: g1, label: "Level one words", tone: good}
      - {id: g2, label: "Level two words", tone: good}
      - {id: g3, label: "Level three words", tone: caution}
      - {id: g4, label: "Level four words", tone: concern}
      - {id: g5, label: "Level five words", tone: concern}
  - id: wellbeing
    title: "Wellbeing"
    levels:
      - {id: met, label: "Needs met", tone: good}
      - {id: some, label: "Some worries here", tone: caution}
sections:
  - id: about
    title: "About"
    fields:
      - {id: name, kind: text, label: "Short answer"}
      - {id: story, kind: long_text, label: "Narrative answer"}
      - {id: when, kind: date, label: "Date answer"}
      - {id: count, kind: number, label: "Number answer", unit: "visits"}
      - id: pick
        kind: choice
        label: "Choice answer"
        options: [{id: a, label: "Option Alpha"}, {id: b, label: "Option Beta"}]
      - id: picks
        kind: multi_choice
        label: "Multiple choice answer"
        options: [{id: a, label: "Option Gamma"}, {id: b, label: "Option Delta"}, {id: c, label: "Option Epsilon"}]
      - {id: seen, kind: yes_no_unknown, label: "Yes, no or not known"}
      - {id: rated, kind: rating, label: "Rating answer", scale: wellbeing}
      - id: rows
        kind: repeat
        label: "Repeated rows"
        fields:
          - {id: who, kind: text, label: "Who column"}
          - {id: on, kind: date, label: "When column"}
          - {id: status, kind: yes_no_unknown, label: "Status column"}
      - {id: matrix, kind: resilience_matrix, label: "Matrix answer"}
  - id: care
    title: "Care domain"
    fields:
      - id: feeding
        kind: grade
        label: "Graded item"
        scale: grades
        descriptors: ["Descriptor one", "Descriptor two", "Descriptor three", "Descriptor four", "Descriptor five"]
  - id: summary
    title: "Summary"
    fields:
      - {id: profile, kind: computed, label: "Computed answer", function: neglect_profile, sources: [care]}
"""
EVERY_KIND_ANSWERS = {
    "name": "Marram grass", "story": "A story\nover two lines.", "when": "2026-02-03", "count": 7, "pick": "b",
    "picks": ["a", "c"], "seen": "unknown", "rated": "some",
    "rows": [{"who": "Aunt Morven", "on": "2026-01-31", "status": "no"}, {"who": "Uncle Rab"}],
    "matrix": {"resilience": 2, "environment": -3, "resilience_factors": ["Loves football"],
               "vulnerability_factors": [], "protective_factors": ["Gran nearby"], "adversity_factors": ["Debt"]},
    "feeding": {"grade": 4, "evidence": "Empty cupboards on two visits."},
}
PRINTED = {  # what each kind prints after its label
    "text": ["Short answer Marram grass"],
    "long_text": ["Narrative answer A story over two lines."],
    "date": ["Date answer 03/02/2026"],
    "number": ["Number answer 7 visits"],
    "choice": ["Choice answer Option Beta"],
    "multi_choice": ["Multiple choice answer Option Gamma; Option Epsilon"],
    "yes_no_unknown": ["Yes, no or not known Not known"],
    "rating": ["Rating answer Some worries here"],
    "repeat": ["Who column When column Status column", "Aunt Morven 31/01/2026 No", "Uncle Rab — —"],
    "resilience_matrix": ["Matrix answer", "Loves football", "Gran nearby", "Debt", "None recorded"],
    "grade": ["Graded item Grade 4 — Level four words What this looks like: Descriptor four",
              "Empty cupboards on two visits."],
    "computed": ["Computed answer", "Care domain 1 4.0 4 1 0"],
}


def test_every_kind_of_question_prints_its_answer(tmp_path: Path) -> None:
    form = parse_definition_text(EVERY_KIND)
    assert {field.kind for _, field in form.fields()} == set(FIELD_KINDS) == set(PRINTED)

    text = words(pdftotext(written(render(record(form, EVERY_KIND_ANSWERS)), tmp_path)))

    for kind, expected in PRINTED.items():
        for sentence in expected:
            assert sentence in text, f"{kind}: {sentence!r}"


# --- tables ----------------------------------------------------------------------------------------------------------


def test_table_columns_are_wide_enough_for_their_longest_word(tmp_path: Path) -> None:
    """A child's plan has seven columns: dates, names and the indicator must not break in the middle."""
    answers = dict(complete("girfec-wellbeing"))
    answers["plan_actions"] = [
        {"indicator": "responsible", "need": "Routine " * 30, "action": "Breakfast club place", "outcome": "Fed",
         "responsible_person": "Christopher Macpherson-Fitzgerald", "by_when": "2026-12-24",
         "progress_measure": "Attendance"},
        {"indicator": "respected", "need": "Views heard", "action": "Advocacy", "outcome": "Heard",
         "responsible_person": "Named person", "by_when": "2027-01-31", "progress_measure": "Child says so"}]
    text = words(pdftotext(written(render(record(GIRFEC, answers)), tmp_path)))

    for word in ("24/12/2026", "31/01/2027", "Christopher", "Macpherson-Fitzgerald", "Responsible", "Respected",
                 "Wellbeing indicator", "Who is responsible", "By when"):
        assert word in text, word


def test_a_long_table_starts_under_its_section_title(tmp_path: Path) -> None:
    """Kept whole with its label, a table longer than a page used to jump to the next page, leaving its section
    title alone on an empty one."""
    answers = dict(complete("girfec-wellbeing"))
    answers["plan_actions"] = [{"indicator": "safe", "need": f"Need {n}: " + "a safe place to sleep, " * 12,
                                "action": "Action " * 20, "outcome": "Outcome", "responsible_person": "Lead",
                                "by_when": "2026-12-24", "progress_measure": "Measure " * 15} for n in range(12)]
    pdf = written(render(record(GIRFEC, answers)), tmp_path)

    [title_page] = [page for page in range(1, page_count(pdf) + 1)
                    if re.search(r"^Child's plan$", pdftotext(pdf, page), re.MULTILINE)]
    on_title_page = pdftotext(pdf, title_page)
    assert "Need 0:" in on_title_page and "Wellbeing" in on_title_page
    for page in range(title_page + 1, page_count(pdf)):  # the header row repeats on every page of the table
        if "Need " in pdftotext(pdf, page):
            assert "Desired outcome" in words(pdftotext(pdf, page))


# --- the family copy, drafts and the sign-off ------------------------------------------------------------------------


def test_the_family_copy_leaves_out_sensitive_questions(tmp_path: Path) -> None:
    answers = {**complete("girfec-wellbeing"), "agency_views": "Canarylinnet police intelligence"}
    full = words(pdftotext(written(render(record(GIRFEC, answers)), tmp_path, "full.pdf")))
    family = words(pdftotext(written(render(record(GIRFEC, answers, family_copy=True)), tmp_path, "family.pdf")))

    assert "Canarylinnet" in full and "Canarylinnet" not in family
    assert "Significant events" in full and "Significant events" not in family
    assert "Third-party information has been withheld from this family copy." in family
    assert family.count("Some information in this section has been withheld from the family copy.") == 2
    assert "withheld" not in full
    assert "The child's views" in family  # the rest is there


def test_a_draft_carries_the_watermark_on_every_page_and_no_signatures(tmp_path: Path) -> None:
    pdf = written(render(record(GIRFEC, complete("girfec-wellbeing"), draft=True)), tmp_path)
    total = page_count(pdf)
    reader = PdfReader(pdf)

    for page in range(1, total + 1):
        # drawn on every page, as outlines: nothing of it mixes into the extracted text
        assert b"/FormXob.DraftWatermark Do" in reader.pages[page - 1].get_contents().get_data(), page
        assert not [text for _, _, height, text in lines(pdf, page) if height == 99], page
        text = pdftotext(pdf, page)
        assert "DRAFT — NOT APPROVED Eilidh MacLeod, born 19/04/2019" in text, page  # the footer says it in words
        assert WATERMARK not in text and "RA FT" not in text, page
    last = pdftotext(pdf, total)
    assert "This copy is a draft and has not been approved." in last
    assert last.count("Not signed: this copy is a draft") == 2
    assert cover_value(pdf, "Approval") == "Not approved" and cover_value(pdf, "Submitted") == "—"
    # the body reads as typed, in whole words, with the watermark across it
    assert words(complete("girfec-wellbeing")["getting_in_the_way"].split("\n")[0]) in words(pdftotext(pdf))


def test_a_record_for_signing_has_no_watermark_and_leaves_the_boxes_empty(
        full_girfec: tuple[RenderedPdf, Path]) -> None:
    _, pdf = full_girfec
    total = page_count(pdf)

    for page in range(1, total + 1):
        assert not [text for _, _, height, text in lines(pdf, page) if height == 99], page
    last = pdftotext(pdf, total)
    assert "Not signed" not in last and "Approved by" not in last
    assert "Author — certified on submission" in last and "Team lead — approval" in last
    assert "Content SHA-256 " + "3f" * 32 in words(last)
    assert "Audit chain head #12 0a1b2c3d4e5f" in words(last)
    # the sign-off text stays above the two signature boxes
    box_top = layout.PAGE_HEIGHT - layout.AUTHOR_BOX[3]
    labels = [y for _, y, _, text in lines(pdf, total) if text.startswith("Author — certified")]
    body = [y + h for _, y, h, text in lines(pdf, total) if layout.MARGIN < y < labels[0] - 1]
    assert labels and max(body) < labels[0] < box_top


def test_review_comments_are_printed_when_asked_for(tmp_path: Path) -> None:
    comments = [PrintedComment("Morag Lindsay", "“The child's views”", "Please add what she said.\nThanks.",
                               "2026-11-18T10:00:00+00:00")]
    text = words(pdftotext(written(render(record(comments=comments)), tmp_path)))

    assert "Review comments" in text
    assert "Morag Lindsay on “The child's views”, 18/11/2026" in text
    assert "Please add what she said. Thanks." in text


# --- charts --------------------------------------------------------------------------------------------------------


def test_the_change_section_appears_only_with_an_earlier_approved_profile(tmp_path: Path) -> None:
    answers = complete("neglect-assessment")
    earlier = EarlierProfile("approved 01/06/2026", [
        DomainProfile("physical_care", "Physical care", 5, 5, 0, 5, 4.2, 4),
        DomainProfile("safety_supervision", "Safety and supervision", 4, 4, 0, 4, 3.0, 1)])
    base = record(NEGLECT, answers)
    without = words(pdftotext(written(render(base), tmp_path, "without.pdf")))
    with_earlier = words(pdftotext(written(render(replace(base, earlier=(earlier,))), tmp_path, "with.pdf")))

    assert CHANGE not in without
    assert f"{CHANGE} (approved 01/06/2026)" in with_earlier
    assert "This assessment" in with_earlier
    assert with_earlier.count("Physical care") > without.count("Physical care")


def test_the_change_heading_is_never_left_at_the_foot_of_a_page(tmp_path: Path) -> None:
    """Wherever the page breaks fall (moved here by a longer or shorter narrative before it), the heading of the
    change chart is on the same page as the chart's legend."""
    earlier = EarlierProfile("approved 01/06/2026", [DomainProfile("physical_care", "Physical care", 5, 5, 0, 5,
                                                                   4.2, 4)])
    answers = {key: value for key, value in complete("neglect-assessment").items() if key != "child_views"}
    for lines_before in range(0, 57, 7):  # steps shorter than the chart, over a whole page
        answers["carers_views"] = "\n".join(f"Line {n} of what the carers said." for n in range(lines_before))
        pdf = written(render(record(NEGLECT, answers, earlier=(earlier,))), tmp_path, f"change-{lines_before}.pdf")
        [page] = [page for page in pdftotext(pdf).split("\f") if CHANGE in page]  # pdftotext ends pages with \f
        assert "This assessment" in page, f"{lines_before} lines before: the heading is alone"


# --- fonts ---------------------------------------------------------------------------------------------------------


def test_only_the_embedded_truetype_font_is_used(full_girfec: tuple[RenderedPdf, Path]) -> None:
    _, pdf = full_girfec
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]

    assert 2 <= len(rows) <= 3  # regular, bold and, when something is in italics, italic
    for row in rows:
        name, kind, _encoding, embedded, subset, _unicode = row.split()[:6]
        assert re.fullmatch(r"[A-Z]{6}\+DejaVuSans(-Bold|-Oblique)?", name), row
        assert (kind, embedded, subset) == ("TrueType", "yes", "yes"), row
