"""Issue 13's "how it will be checked", on the fullest demo GIRFEC and neglect records as the app stores them:
pdftotext of each page (no page ends with a section heading, the chronology in date order, the child's name in
every footer, "Approved by" and the lead professional on the cover, DRAFT intact in every footer of a draft, a
plan of up to three actions on at most two pages) and pypdf (one outline entry per visible section, /Lang)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_database
from pypdf import PdfReader

from cpassess.casework.content import assessment_content
from cpassess.casework.documents import export_pdf
from cpassess.demo import DEMO_LOGINS
from cpassess.export._pages import FOOTER_DRAFT, child_line
from cpassess.export.approval_line import APPROVER_ROLE
from cpassess.forms import FormDefinition, Visibility
from cpassess.session import Session
from cpassess.workflow import Status
from tests.pdf_reading import body_lines, cover_value, lines, page_count, pdftotext

LEAD = DEMO_LOGINS[0]
DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


@dataclass(frozen=True)
class Printed:
    pdf: Path
    form: FormDefinition
    answers: dict[str, Any]
    child: dict[str, Any]


@pytest.fixture(scope="module")
def printed(_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Printed]]:
    """The fullest approved GIRFEC and neglect records, as exported, and the fullest unapproved one as a draft."""
    folder = tmp_path_factory.mktemp("demo-records")
    database = copy_database(_demo_template, folder)
    found: dict[str, Printed] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CPASSESS_HOME", str(folder / "home"))
        with Session.unlock(database, LEAD.username, LEAD.password) as session:
            everything = session.assessments.find()
            choices = {form_id: [a for a in everything if a.form_id == form_id and a.status == Status.APPROVED]
                       for form_id in ("girfec-wellbeing", "neglect-assessment")}
            choices["draft"] = [a for a in everything if a.status in (Status.DRAFT, Status.RETURNED)]
            for name, candidates in choices.items():
                assessment = max(candidates, key=lambda a: len(json.dumps(a.answers)))
                exported = export_pdf(session, assessment.id)
                assert exported.signed == (name != "draft")
                path = folder / f"{name}.pdf"
                path.write_bytes(exported.data)
                content = assessment_content(session, assessment)
                found[name] = Printed(path, session.assessments.form_of(assessment), content["answers"],
                                      content["child"])
    yield found


@pytest.mark.parametrize("name", ["girfec-wellbeing", "neglect-assessment", "draft"])
def test_every_page_names_the_child_and_none_ends_with_a_heading(printed: dict[str, Printed], name: str) -> None:
    record = printed[name]
    titles = {section.title for section in record.form.sections} | {"Sign-off", "Review comments"}
    for page in range(1, page_count(record.pdf) + 1):
        text = pdftotext(record.pdf, page)
        assert child_line(record.child) in text, page
        body = body_lines(record.pdf, page)
        assert body and body[-1] not in titles, (page, body[-1:])
        if name == "draft":  # DRAFT in words in every footer, extracting whole
            assert f"{FOOTER_DRAFT} {child_line(record.child)}" in text, page
            assert {match.group() for match in re.finditer(r"D ?R ?A ?F ?T", text)} == {"DRAFT"}, page


@pytest.mark.parametrize("name", ["girfec-wellbeing", "neglect-assessment"])
def test_the_cover_says_who_approved_it_and_who_the_lead_professional_is(printed: dict[str, Printed],
                                                                         name: str) -> None:
    record = printed[name]
    cover = " ".join(pdftotext(record.pdf, 1).split())
    assert f"Approved by {LEAD.display_name} ({APPROVER_ROLE}) on " in cover
    assert cover_value(record.pdf, "Lead professional") not in ("", "Not recorded")


@pytest.mark.parametrize("name", ["girfec-wellbeing", "neglect-assessment", "draft"])
def test_the_outline_has_one_entry_per_visible_section_and_the_language(printed: dict[str, Printed],
                                                                        name: str) -> None:
    record = printed[name]
    reader = PdfReader(record.pdf)
    visibility = Visibility(record.form, record.answers)
    visible = [section.title for section in record.form.sections if visibility.section(section)]
    entries = [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline]
    assert [title for title, _ in entries if title not in ("Review comments",)] == ["The child", *visible,
                                                                                   "Sign-off"]
    for title, page in entries:
        assert title in pdftotext(record.pdf, page), title
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_the_chronology_ascends_and_a_short_plan_takes_at_most_two_pages(printed: dict[str, Printed]) -> None:
    record = printed["girfec-wellbeing"]
    pages = page_count(record.pdf)
    texts = [pdftotext(record.pdf, page) for page in range(1, pages + 1)]
    start = next(page for page, text in enumerate(texts, start=1) if "Chronology of significant events" in text)
    dates = []
    for page in range(start, pages + 1):
        page_lines = lines(record.pdf, page)
        heading = next((y for _, y, _, text in page_lines if text == "Chronology of significant events"), 0)
        after = next((y for _, y, _, text in page_lines if y > heading and text == "Views"), None)
        dates += [f"{m[3]}-{m[2]}-{m[1]}" for x, y, _, text in page_lines
                  if (m := DATE.match(text)) and x < 100 and y > heading and (after is None or y < after)]
        if after is not None:
            break
    assert len(dates) >= 2 and dates == sorted(dates)
    actions = len(record.answers.get("plan_actions") or [])
    spanned = [page for page, text in enumerate(texts, start=1) if re.search(r"Action \d+ of \d+", text)]
    assert spanned
    if actions <= 3:
        assert spanned[-1] - spanned[0] + 1 <= 2
