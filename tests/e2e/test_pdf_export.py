"""The case-conference PDF from the command line (DESIGN §9), read back the way a meeting chair and an IT officer would:
poppler's pdftotext, pdffonts and pdfsig, pyHanko through `cpassess verify-pdf`, and the page geometry itself.

The module's set-up builds two team databases with the command line alone (init, users, children, both forms answered
in full with long narratives, submitted, approved, corrected) and exports PDFs at every stage; the tests read them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import math
import random
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader

from cpassess.authority import cert_from_pem, cert_to_der, create_authority, issue_certificate, key_to_der
from cpassess.demo import sample_answers
from cpassess.export import layout
from cpassess.export.verification import verify_pdf
from cpassess.forms import FormDefinition, Visibility, compute, default_catalog, fingerprint
from cpassess.forms.definition import (
    ComputedField,
    GradeField,
    LongTextField,
    RatingField,
    RepeatField,
    TextField,
    options_of,
)
from cpassess.workflow import STATUS_LABELS, Status
from tests.helpers import Cli, CliRun

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdfsig", "pdffonts", "pdfinfo", "certutil")),
    reason="poppler-utils and libnss3-tools are needed to read the PDFs back",
)

LEAD_PW = "lead's long password 1"
PRAC_PW = "practitioner password 2"
LEAD_NAME = "Morag Lindsay"
PRAC_NAME = "Sam Wróblewski"
TEAM = "North East Children and Families"
NEGLECT = "neglect-assessment"
GIRFEC = "girfec-wellbeing"
MARKING = "OFFICIAL-SENSITIVE"
WATERMARK = "DRAFT — not approved"
WITHHELD = "Third-party information has been withheld from this family copy."
CHANGE = "Change since the last approved neglect assessment"
TOLERANCE = 0.5  # points: how far two word boxes may touch, or a word may reach past a margin

CHILD = {"given_names": "Łukasz", "family_name": "Wróblewski", "date_of_birth": "2016-05-14", "sex": "male",
         "address": "3 Mill Road\nStornoway", "school": "Lochview Academy", "named_person": "Ms Gillies",
         "household": [{"name": "Anna Wróblewska", "relationship": "Mother", "parental_responsibility": True}]}
# One child for each script of DESIGN §9.3 besides the main one, and one the font cannot draw.
NAMED_CHILDREN = {
    "irish": ("Siobhán", "Ní Bhriain"),
    "gaelic": ("Zoë", "Ó Súilleabháin"),
    "greek": ("Ἀλέξανδρος", "Παπαδόπουλος"),
    "cyrillic": ("Дмитрий", "Иванов"),
}
CJK_CHILD = ("小明", "王")

CANARIES = {
    NEGLECT: {"information_sources_other": "Canaryfinch the neighbour at number fourteen",
              "parenting_pressures_other": "Canarywren debts from online betting"},
    GIRFEC: {"agency_views": "Canarylinnet police intelligence says the uncle visits at night",
             "chronology_events": "Canarysiskin arrest of the uncle in March"},
}


# --- answers a practitioner would write ----------------------------------------------------------------------


def narrative(key: str, name: str, paragraphs: int = 3, limit: int = 20000) -> str:
    """Several paragraphs of practice writing, with line breaks inside them, markup characters and accents.

    `key` is printed in the text (as words, so that a narrow table column can wrap it) to tell the answers apart.
    """
    key = re.sub(r"[_.]", " ", key)
    pool = [
        f"[{key}] {name} was seen at home on a wet Tuesday & talked about school, friends and \"the new flat\" "
        "<upstairs>.\nHis mother said mornings are the hardest time since her shifts changed; Gran helps when she "
        "can.",
        f"The health visitor's note says the last two appointments were kept, and attendance is up from 78% to 91% "
        f"since the breakfast club place started.\nA line of its own for {key}.",
        f"What {name} wants most is for things to stay calm at home, and to keep seeing Zoë Ó Súilleabháin, his best "
        "friend, after school. He drew his family and put the dog, Bràn, in the middle of the picture.",
        "The flat was cold on the day of the visit: the meter had run out on the Sunday and there was no money to "
        "top it up until Thursday, when the family's Universal Credit payment arrived.",
    ]
    text = "\n\n".join(pool[i % len(pool)] for i in range(paragraphs))
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def answers_for(form: FormDefinition, seed: int, *, grade_shift: int = 0) -> dict[str, Any]:
    """Complete answers: long multi-paragraph narratives everywhere, and canaries in every sensitive field."""
    answers = sample_answers(form, random.Random(seed), "Łukasz", dt.date.today())
    for _, question in form.fields():
        long = question.id in ("practitioner_analysis", "needs_and_risks", "resilience_analysis")
        if isinstance(question, LongTextField):
            answers[question.id] = narrative(question.id, "Łukasz", 14 if long else 3, question.max_length)
        elif isinstance(question, GradeField):
            grade = answers[question.id]["grade"]
            if grade is not None:
                grade = min(5, max(1, grade + grade_shift))
            answers[question.id] = {"grade": grade, "evidence": narrative(question.id, "Łukasz", 2)}
        elif isinstance(question, RepeatField):
            for number, row in enumerate(answers[question.id]):
                for column in question.fields:
                    if isinstance(column, LongTextField):
                        row[column.id] = narrative(f"{question.id}.{number}.{column.id}", "Łukasz", 2,
                                                   column.max_length)
    canaries = CANARIES[form.id]
    if form.id == NEGLECT:
        answers["information_sources"] = ["home_visit", "school_nursery", "other"]
        answers["parenting_pressures"] = ["alcohol_misuse", "other"]
        answers["information_sources_other"] = canaries["information_sources_other"]
        answers["parenting_pressures_other"] = canaries["parenting_pressures_other"]
    else:
        answers["agency_views"] += "\n\n" + canaries["agency_views"]
        answers["chronology_events"][0]["event"] = canaries["chronology_events"]
        if form.field("chronology_events").row_sensitivity:  # from v2 a marked row, not the whole table, is withheld
            answers["chronology_events"][0]["sensitive"] = True
    return answers


# --- the module's team, built with the command line alone ------------------------------------------------------


@dataclass
class Desk:
    """The command line against one database, as the practitioner ("prac") and the team lead ("lead")."""

    cli: Cli
    db: Path
    folder: Path

    def prac(self, *args: str | Path, passwords: tuple[str, ...] = ()) -> CliRun:
        return self.cli.ok(*args, "--db", self.db, "--as", "prac", passwords=(PRAC_PW, *passwords))

    def lead(self, *args: str | Path, passwords: tuple[str, ...] = ()) -> CliRun:
        return self.cli.ok(*args, "--db", self.db, "--as", "lead", passwords=(LEAD_PW, *passwords))

    def json_file(self, name: str, data: Any) -> Path:
        path = self.folder / "in" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    def add_child(self, data: Mapping[str, Any]) -> str:
        child_file = self.json_file(f"child-{data['family_name']}.json", data)
        return self.prac("child", "add", "--json", child_file).stdout.strip()

    def new(self, child_id: str, form_id: str, answers: Mapping[str, Any] | None = None) -> str:
        extra: list[str | Path] = []
        if answers is not None:
            extra = ["--answers", self.json_file(f"answers-{child_id}-{form_id}.json", answers)]
        return self.prac("assessment", "new", "--child", child_id, "--form", form_id, *extra).stdout.strip()

    def submit(self, assessment_id: str) -> None:
        self.prac("assessment", "submit", "--id", assessment_id)

    def approve(self, assessment_id: str) -> None:
        self.lead("assessment", "approve", "--id", assessment_id, passwords=(LEAD_PW,))

    def export(self, name: str, assessment_id: str, *flags: str) -> CliRun:
        return self.lead("export-pdf", "--id", assessment_id, "--out", self.folder / f"{name}.pdf", *flags)


@dataclass
class Scenario:
    folder: Path
    authority: Path
    answers: dict[str, dict[str, Any]]  # by form id, as approved first
    corrected_answers: dict[str, Any]
    exports: dict[str, CliRun] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # assessment ids by form id, as approved first

    def pdf(self, name: str) -> Path:
        return self.folder / f"{name}.pdf"


@pytest.fixture(scope="module")
def scenario(module_cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    folder = tmp_path_factory.mktemp("pdf-export")
    catalog = default_catalog()
    answers = {NEGLECT: answers_for(catalog.get(NEGLECT), 11), GIRFEC: answers_for(catalog.get(GIRFEC), 12)}
    scenario = Scenario(folder, folder / "team.pem", answers, answers_for(catalog.get(NEGLECT), 11, grade_shift=-2))
    # the children named in other scripts get a database of their own, so that it can be built at the same time
    names_cli = type(module_cli)({**module_cli.env, "CPASSESS_HOME": str(tmp_path_factory.mktemp("names-home"))})
    with ThreadPoolExecutor(max_workers=1) as pool:
        named = pool.submit(export_named_children, Desk(names_cli, folder / "names" / "team.db", folder))
        build_the_team(Desk(module_cli, folder / "data" / "team.db", folder), scenario)
        scenario.exports.update(named.result())
    return scenario


def open_database(desk: Desk) -> None:
    desk.cli.ok("init", "--db", desk.db, "--user", "lead", "--name", LEAD_NAME, "--team", TEAM, passwords=(LEAD_PW,))
    desk.lead("user", "add", "--user", "prac", "--name", PRAC_NAME, "--role", "practitioner", passwords=(PRAC_PW,))


def build_the_team(desk: Desk, scenario: Scenario) -> None:
    """Both forms approved for Łukasz, then a correction of the neglect assessment taken through to approval."""
    open_database(desk)
    desk.lead("authority", "export", "--out", scenario.authority)
    exports = scenario.exports
    child_id = desk.add_child(CHILD)
    ids = scenario.ids = {form_id: desk.new(child_id, form_id, scenario.answers[form_id])
                          for form_id in (NEGLECT, GIRFEC)}
    for form_id, assessment_id in ids.items():
        desk.submit(assessment_id)
        desk.approve(assessment_id)
        exports[form_id] = desk.export(form_id, assessment_id)
        exports[f"{form_id}-family"] = desk.export(f"{form_id}-family", assessment_id, "--family-copy")

    # exported at every stage: a draft, submitted but not approved, approved (the original is then superseded)
    correction = desk.prac("assessment", "correct", "--id", ids[NEGLECT]).stdout.strip()
    desk.prac("assessment", "update", "--id", correction, "--answers",
              desk.json_file("corrected.json", scenario.corrected_answers))
    exports["draft"] = desk.export("draft", correction)
    desk.submit(correction)
    exports["submitted"] = desk.export("submitted", correction)
    desk.approve(correction)
    exports["corrected"] = desk.export("corrected", correction)
    exports["superseded"] = desk.export("superseded", ids[NEGLECT])


def export_named_children(desk: Desk) -> dict[str, CliRun]:
    """A draft wellbeing assessment of each child named in another script, exported; the one whose name the font
    cannot draw is also taken through to approval and exported as the signed record."""
    open_database(desk)
    exports = {}
    for key, (given, family) in [*NAMED_CHILDREN.items(), ("cjk", CJK_CHILD)]:
        child_id = desk.add_child({"given_names": given, "family_name": family, "date_of_birth": "2018-09-30"})
        answers = answers_for(default_catalog().get(GIRFEC), 13) if key == "cjk" else None
        assessment_id = desk.new(child_id, GIRFEC, answers)
        exports[key] = desk.export(key, assessment_id)
    desk.submit(assessment_id)
    desk.approve(assessment_id)
    exports["cjk-approved"] = desk.export("cjk-approved", assessment_id)
    return exports


APPROVED = [NEGLECT, f"{NEGLECT}-family", GIRFEC, f"{GIRFEC}-family", "corrected"]
UNAPPROVED = ["draft", "submitted"]


# --- reading PDFs back -----------------------------------------------------------------------------------------


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, check=False)


@functools.cache  # each PDF is written once, by the module's set-up
def page_count(pdf: Path) -> int:
    info = run("pdfinfo", pdf)
    assert info.returncode == 0, info.stderr
    found = re.search(r"^Pages:\s+(\d+)$", info.stdout, re.MULTILINE)
    assert found, info.stdout
    return int(found.group(1))


@functools.cache  # each PDF is written once, by the module's set-up
def page_texts(pdf: Path) -> list[str]:
    """pdftotext of each page on its own (-f N -l N)."""
    texts = []
    for page in range(1, page_count(pdf) + 1):
        result = run("pdftotext", "-f", str(page), "-l", str(page), pdf, "-")
        assert result.returncode == 0, result.stderr
        texts.append(result.stdout)
    return texts


def words(text: str) -> str:
    """Text as one line of words: pdftotext re-wraps lines, so only the sequence of words is compared."""
    return " ".join(text.split())


# the header and footer lines; pdftotext may put the page number on the footer's line
FOOTER = r".* · record [0-9A-F]{4}(-[0-9A-F]{4}){3}"
CHILD_FOOTER = r"(DRAFT — NOT APPROVED )?.*, (born|expected) \d\d/\d\d/\d{4}"
FURNITURE = re.compile(rf"^({re.escape(MARKING)}|(({FOOTER}|{CHILD_FOOTER}) ?)?(Page \d+ of \d+)?)$")


@functools.cache  # each PDF is written once, by the module's set-up
def body_words(pdf: Path) -> str:
    """The words of the whole document without the page headers and footers, so narratives read on across pages."""
    lines = [line for text in page_texts(pdf) for line in text.splitlines() if not FURNITURE.match(line.strip())]
    return words("\n".join(lines))


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Line:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def x0(self) -> float:
        return min(word.x0 for word in self.words)

    @property
    def x1(self) -> float:
        return max(word.x1 for word in self.words)

    @property
    def y0(self) -> float:
        return min(word.y0 for word in self.words)


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: tuple[Line, ...]

    @property
    def words(self) -> list[Word]:
        return [word for line in self.lines for word in line.words]


@functools.cache  # each PDF is written once, by the module's set-up
def pages(pdf: Path) -> list[Page]:
    """Every page's lines and words with their boxes (pdftotext -bbox-layout; y grows downwards)."""
    result = run("pdftotext", "-bbox-layout", pdf, "-")
    assert result.returncode == 0, result.stderr
    xhtml = "{http://www.w3.org/1999/xhtml}"
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", result.stdout))
    found = []
    for page in root.iter(f"{xhtml}page"):
        lines = tuple(
            Line(tuple(Word(float(w.get("xMin", 0)), float(w.get("yMin", 0)), float(w.get("xMax", 0)),
                            float(w.get("yMax", 0)), w.text or "") for w in line.iter(f"{xhtml}word")))
            for line in page.iter(f"{xhtml}line"))
        found.append(Page(float(page.get("width", 0)), float(page.get("height", 0)), lines))
    return found


def overlapping(page_words: Iterable[Word]) -> list[tuple[Word, Word]]:
    """Pairs of words whose boxes overlap by more than the tolerance (a sweep down the page)."""
    ordered = sorted(page_words, key=lambda word: word.y0)
    clashes = []
    for index, first in enumerate(ordered):
        for second in ordered[index + 1:]:
            if second.y0 >= first.y1 - TOLERANCE:
                break
            if first.x0 < second.x1 - TOLERANCE and second.x0 < first.x1 - TOLERANCE:
                clashes.append((first, second))
    return clashes


def watermark(page: Page) -> str:
    """The large diagonal text across the middle of the page, which pdftotext gives in pieces, read left to right.

    Its pieces are the words whose boxes are over 19 points both wide and high (the body text is 10 points high, the
    title 18, and the charts' upright axis labels narrow), centred on the diagonal through the middle of the page.
    """
    slope = math.tan(math.radians(52))
    pieces = []
    for word in page.words:
        if min(word.x1 - word.x0, word.y1 - word.y0) > 19:
            x, y = (word.x0 + word.x1) / 2 - page.width / 2, page.height / 2 - (word.y0 + word.y1) / 2
            assert abs(y - slope * x) / math.hypot(1, slope) < 30, f"a large word off the diagonal: {word}"
            pieces.append(word)
    return "".join(word.text for word in sorted(pieces, key=lambda word: word.x0))


def cover_value(pdf: Path, key: str) -> str:
    """The value beside `key` in the cover block on page 1."""
    first = pages(pdf)[0]
    [label] = [line for line in first.lines if line.text == key and line.x0 < 100]
    values = [line.text for line in first.lines if abs(line.y0 - label.y0) < 1 and line.x0 > label.x1]
    assert values, f"no value beside {key!r}"
    return " ".join(values)


def printed_answers(form: FormDefinition, answers: Mapping[str, Any], *,
                    family_copy: bool = False) -> tuple[list[str], list[str]]:
    """The practitioner's words the PDF must show: (texts printed in the flow, texts of table cells)."""
    visibility = Visibility(form, answers)
    flowing, cells = [], []
    for section, question in form.fields():
        if (not visibility.section(section) or not visibility.field(question.id) or question.id not in answers
                or (family_copy and question.sensitive)):
            continue
        value = answers[question.id]
        if isinstance(question, LongTextField | TextField):
            flowing.append(value)
        elif isinstance(question, GradeField) and value["evidence"]:
            flowing.append(value["evidence"])
        elif isinstance(question, RepeatField):
            # the family copy leaves out sensitive columns and the rows marked sensitive (from version 2)
            rows = [row for row in value if not (family_copy and row.get("sensitive") is True)]
            cells += [str(row[column.id]) for row in rows for column in question.fields
                      if isinstance(column, LongTextField | TextField) and row.get(column.id)
                      and not (family_copy and column.sensitive)]
    return flowing, cells


def pdfsig(pdf: Path, nss: Path | None = None) -> tuple[str, list[dict[str, Any]]]:
    """pdfsig's report: its whole output, and per signature the field, the two verdicts and whole-document cover.

    pdfsig exits 0 even when a signature is broken, so only what it prints counts.
    """
    result = run("pdfsig", *(["-nssdir", f"sql:{nss}"] if nss else []), pdf)
    blocks = []
    for block in re.split(r"^Signature #\d+:$", result.stdout, flags=re.MULTILINE)[1:]:
        def value(label: str, text: str = block) -> str:
            found = re.search(rf"^\s*- {label}: (.*)$", text, flags=re.MULTILINE)
            return found.group(1).strip() if found else ""

        blocks.append({"field": value("Signature Field Name"), "signer": value("Signer Certificate Common Name"),
                       "signature": value("Signature Validation"), "certificate": value("Certificate Validation"),
                       "whole": "- Total document signed" in block})
    return result.stdout + result.stderr, blocks


@pytest.fixture(scope="module")
def nss_store(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NSS database trusting the team authority, as a meeting chair's PDF reader would."""
    store = tmp_path_factory.mktemp("nss")
    subprocess.run(["certutil", "-N", "-d", f"sql:{store}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{store}", "-n", "cpassess team authority", "-t", "C,C,C",
                    "-i", str(scenario.authority)], check=True, capture_output=True)
    return store


# --- 1. an approved assessment carries two valid signatures -----------------------------------------------------


def test_verify_pdf_passes_an_approved_assessment_exported_from_the_command_line(scenario: Scenario,
                                                                                cli: Cli) -> None:
    verified = cli.ok("verify-pdf", scenario.pdf(NEGLECT), "--trust", scenario.authority)

    assert verified.stdout.strip().endswith("all 2 signatures verify.")
    assert f"Signature 1 (certification): {PRAC_NAME} [practitioner]" in verified.stdout
    assert f"Signature 2 (approval): {LEAD_NAME} [administrator, team_lead]" in verified.stdout
    assert verified.stdout.count("intact: yes  valid: yes  trusted by the team authority: yes") == 2
    assert "covers the whole document: yes" in verified.stdout.splitlines()[-6]
    assert "Result: APPROVED" in verified.stdout
    assert re.search(r"^record: matches the fingerprint [0-9A-F]{4}(-[0-9A-F]{4}){3}$", verified.stdout, re.M)


@pytest.mark.parametrize("form_id", [NEGLECT, GIRFEC])
def test_the_record_inside_the_pdf_is_the_approved_content_and_its_fingerprint(scenario: Scenario, cli: Cli,
                                                                              form_id: str) -> None:
    """DESIGN §9.7: pypdf (not ours) finds record.json; it hashes to the content hash the database holds for the
    approval and to the fingerprint printed on every page."""
    import pypdf

    attachments = pypdf.PdfReader(scenario.pdf(form_id)).attachments
    assert list(attachments) == ["record.json"]
    [record] = attachments["record.json"]
    shown = cli.ok("assessment", "show", "--db", scenario.folder / "data" / "team.db", "--as", "lead", "--id",
                   scenario.ids[form_id], "--json", passwords=(LEAD_PW,))
    digest = json.loads(shown.stdout)["content_sha256"]
    assert hashlib.sha256(record).hexdigest() == digest
    content = json.loads(record)
    assert content["assessment_id"] == scenario.ids[form_id] and content["form_id"] == form_id
    assert content["answers"]["assessment_date"] == scenario.answers[form_id]["assessment_date"]
    printed = fingerprint(digest)
    texts = page_texts(scenario.pdf(form_id))
    assert all(f"record {printed}" in " ".join(text.split()) for text in texts), printed


def test_the_family_copys_record_is_the_redacted_content_naming_the_full_one(scenario: Scenario) -> None:
    import pypdf

    [full] = pypdf.PdfReader(scenario.pdf(GIRFEC)).attachments["record.json"]
    [family] = pypdf.PdfReader(scenario.pdf(f"{GIRFEC}-family")).attachments["record.json"]
    full_content, family_content = json.loads(full), json.loads(family)
    sensitive = {f.id for _, f in default_catalog().get(GIRFEC).fields() if f.sensitive}
    assert family_content["copy"] == "family"
    assert family_content["full_content_sha256"] == hashlib.sha256(full).hexdigest()
    assert set(family_content["answers"]) == set(full_content["answers"]) - sensitive
    assert sensitive & set(full_content["answers"]), "the sample answers fill some sensitive field"
    assert all(f"record {fingerprint(hashlib.sha256(family).hexdigest())}" in " ".join(text.split())
               for text in page_texts(scenario.pdf(f"{GIRFEC}-family")))


@pytest.mark.parametrize("name", APPROVED)
def test_an_approved_assessment_exports_as_the_signed_record(scenario: Scenario, name: str) -> None:
    assert "Wrote the signed record" in scenario.exports[name].stdout

    report = verify_pdf(scenario.pdf(name).read_bytes(), [cert_from_pem(scenario.authority.read_bytes())])

    assert report.ok, report
    certification, approval = report.signatures
    assert (certification.field_name, approval.field_name) == (layout.AUTHOR_FIELD, layout.APPROVAL_FIELD)
    assert certification.is_certification and not approval.is_certification
    assert (certification.signer_name, certification.signer_username) == (PRAC_NAME, "prac")
    assert (approval.signer_name, approval.signer_username) == (LEAD_NAME, "lead")
    assert "team_lead" in approval.signer_roles
    assert all(check.intact and check.valid and check.trusted for check in report.signatures)
    assert approval.covers_whole_document and not certification.covers_whole_document
    assert certification.docmdp_ok is True


@pytest.mark.parametrize("name", [NEGLECT, f"{GIRFEC}-family"])
def test_pdfsig_finds_two_valid_signatures_trusted_through_the_team_authority(scenario: Scenario, nss_store: Path,
                                                                             tmp_path: Path, name: str) -> None:
    _, trusting = pdfsig(scenario.pdf(name), nss_store)
    empty = tmp_path / "nss-empty"
    empty.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{empty}", "--empty-password"], check=True, capture_output=True)
    _, untrusting = pdfsig(scenario.pdf(name), empty)

    assert [block["field"] for block in trusting] == [layout.AUTHOR_FIELD, layout.APPROVAL_FIELD]
    assert [block["signer"] for block in trusting] == [PRAC_NAME, LEAD_NAME]
    assert [block["signature"] for block in trusting] == ["Signature is Valid."] * 2
    assert [block["certificate"] for block in trusting] == ["Certificate is Trusted."] * 2
    assert [block["whole"] for block in trusting] == [False, True]  # the approval covers the whole document
    # trust comes from the team authority and nothing else
    assert [block["signature"] for block in untrusting] == ["Signature is Valid."] * 2
    assert all(block["certificate"] != "Certificate is Trusted." for block in untrusting)


# --- 2. the words on the page -------------------------------------------------------------------------------------


@pytest.mark.parametrize("form_id", [NEGLECT, GIRFEC])
def test_every_answer_is_printed_word_for_word_in_the_full_copy(scenario: Scenario, form_id: str) -> None:
    form = default_catalog().get(form_id)
    answers = scenario.answers[form_id]
    printed = body_words(scenario.pdf(form_id))
    flowing, cells = printed_answers(form, answers)
    assert len(flowing) > 20 and cells

    missing = [text for text in flowing if words(text) not in printed]
    assert not missing, f"not printed word for word: {[text[:60] for text in missing]}"
    # every paragraph of the long narratives, in order
    analysis_field = "practitioner_analysis" if form_id == NEGLECT else "needs_and_risks"
    paragraphs = [words(paragraph) for paragraph in answers[analysis_field].split("\n\n")]
    assert len(paragraphs) == 14
    assert all(paragraph in printed for paragraph in paragraphs)
    assert words(answers[analysis_field]) in printed  # and in their order
    # table cells: no word lost to clipping or to a column too narrow for it
    shortfall = Counter(word for cell in cells for word in cell.split()) - Counter(printed.split())
    assert not shortfall, f"words of table rows missing: {dict(shortfall)}"


@pytest.mark.parametrize("name", [*APPROVED, *UNAPPROVED])
def test_every_page_carries_the_marking_and_its_page_number(scenario: Scenario, name: str) -> None:
    texts = page_texts(scenario.pdf(name))
    total = len(texts)
    assert total >= 6

    for number, text in enumerate(texts, start=1):
        assert text.count(MARKING) >= 2, f"page {number}: the marking is not at the top and the bottom"
        assert re.findall(r"Page (\d+) of (\d+)", text) == [(str(number), str(total))], f"page {number}"
    for page in pages(scenario.pdf(name)):
        marks = [word for word in page.words if word.text == MARKING]
        assert min(word.y0 for word in marks) < layout.MARGIN  # top of the page
        assert max(word.y1 for word in marks) > page.height - layout.FOOTER_HEIGHT  # bottom of the page


@pytest.mark.parametrize("name", [NEGLECT, f"{NEGLECT}-family", GIRFEC, "draft"])
def test_the_childs_name_comes_out_exactly(scenario: Scenario, name: str) -> None:
    assert cover_value(scenario.pdf(name), "Child") == "Łukasz Wróblewski"
    assert "Łukasz Wróblewski" in page_texts(scenario.pdf(name))[0]


@pytest.mark.parametrize("key", NAMED_CHILDREN)
def test_a_name_in_any_script_of_the_design_comes_out_exactly(scenario: Scenario, key: str) -> None:
    given, family = NAMED_CHILDREN[key]
    pdf = scenario.pdf(key)

    assert cover_value(pdf, "Child") == f"{given} {family}"
    assert f"{given} {family}" in page_texts(pdf)[0]
    assert "warning" not in scenario.exports[key].stderr
    # the wheel's centre carries the given name too
    assert sum(text.count(given) for text in page_texts(pdf)) >= 2


@pytest.mark.parametrize("form_id", [NEGLECT, GIRFEC])
def test_the_family_copy_leaves_out_every_sensitive_answer_and_says_so(scenario: Scenario, form_id: str) -> None:
    form = default_catalog().get(form_id)
    answers = scenario.answers[form_id]
    full, family = body_words(scenario.pdf(form_id)), body_words(scenario.pdf(f"{form_id}-family"))
    sensitive = [question for _, question in form.fields() if question.sensitive]
    assert sensitive

    for canary in CANARIES[form_id].values():
        assert words(canary) in full
        assert canary.split()[0] not in family
    for question in sensitive:
        assert words(question.label) in full, question.label
        assert words(question.label) not in family, question.label
    if form_id == NEGLECT:  # the pressures themselves, not only the "other" box
        labels = [option.label for option in options_of(form.field("parenting_pressures"), form) or ()
                  if option.id in answers["parenting_pressures"] and option.id != "other"]
        assert labels
        assert all(label in full for label in labels)
        assert not any(label in family for label in labels)
    assert WITHHELD in family and WITHHELD not in full
    assert "Some information in this section has been withheld from the family copy." in family
    family_pages = page_texts(scenario.pdf(f"{form_id}-family"))
    assert all(re.search(r"^Family copy · ", text, re.MULTILINE) for text in family_pages)  # every footer
    assert not any("Family copy" in text for text in page_texts(scenario.pdf(form_id)))
    # everything else is still there, word for word
    flowing, cells = printed_answers(form, answers, family_copy=True)
    assert all(words(text) in family for text in flowing)
    assert not Counter(word for cell in cells for word in cell.split()) - Counter(family.split())


# --- 3. any change after signing is caught --------------------------------------------------------------------


def byte_ranges(pdf: bytes) -> list[tuple[int, int, int, int]]:
    found = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    return [(int(a), int(b), int(c), int(d)) for a, b, c, d in found]


def flip_a_byte_of_page_content(pdf: bytes) -> bytes:
    """One bit changed inside a content stream that both signatures cover."""
    _, before_first_signature, _, _ = byte_ranges(pdf)[0]
    start = pdf.index(b"stream", before_first_signature // 2)
    offset = pdf.index(b"\n", start) + 40
    assert offset < before_first_signature
    return pdf[:offset] + bytes([pdf[offset] ^ 0x01]) + pdf[offset + 1:]


def truncate(pdf: bytes) -> bytes:
    """The file cut short in the middle of the approval's revision, as an interrupted copy leaves it."""
    _, _, resume, _ = byte_ranges(pdf)[-1]
    return pdf[:resume + (len(pdf) - resume) // 2]


def append_revision(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def add_a_sticky_note(writer: IncrementalPdfFileWriter) -> None:
    page, _ = writer.find_page_for_modification(0)
    note = generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
        generic.pdf_name("/Rect"): generic.ArrayObject(map(generic.FloatObject, (60, 700, 80, 720))),
        generic.pdf_name("/Contents"): generic.TextStringObject("Grade 4 should read grade 2."),
    })
    writer.register_annotation(page, writer.add_object(note))


def change_the_title(writer: IncrementalPdfFileWriter) -> None:
    writer.set_info(generic.DictionaryObject({generic.pdf_name("/Title"): generic.TextStringObject("Edited")}))


def countersign_from_another_authority(pdf: bytes) -> bytes:
    """A third signature by a "team lead" of another authority that borrows the team's very name."""
    impostor = create_authority(TEAM)
    key, certificate = issue_certificate(impostor, "lead", LEAD_NAME, ["team_lead"])
    signing_cert = asn1_x509.Certificate.load(cert_to_der(certificate))
    signer = signers.SimpleSigner(
        signing_cert=signing_cert, signing_key=asn1_keys.PrivateKeyInfo.load(key_to_der(key)),
        cert_registry=SimpleCertificateStore.from_certs(
            [signing_cert, asn1_x509.Certificate.load(cert_to_der(impostor.certificate))]))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    signed: bytes = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Countersignature"),
                                     signer=signer).getvalue()
    return signed


TAMPERING = {
    "byte flipped": (flip_a_byte_of_page_content, "the signed content has been altered since it was signed"),
    "truncated": (truncate, "not a readable PDF"),
    "note added": (lambda pdf: append_revision(pdf, add_a_sticky_note),
                   "the last signature does not cover the whole document: something was added after signing"),
    "signed by another authority": (countersign_from_another_authority,
                                    "the signer's certificate was not issued by the team authority"),
}


@pytest.mark.parametrize("tampering", TAMPERING)
def test_verify_pdf_refuses_a_changed_pdf_and_says_why(scenario: Scenario, cli: Cli, tmp_path: Path,
                                                       tampering: str) -> None:
    change, reason = TAMPERING[tampering]
    approved = scenario.pdf(NEGLECT).read_bytes()
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(change(approved))
    assert tampered.read_bytes() != approved

    refused = cli.refused("verify-pdf", tampered, "--trust", scenario.authority)

    assert refused.stderr == f"cpassess: {tampered}: does NOT verify: {reason}\n"  # one line, and the reason
    if tampering == "byte flipped":  # poppler agrees, though it exits 0
        output, blocks = pdfsig(tampered)
        assert len(blocks) == 2, output
        assert all(block["signature"] != "Signature is Valid." for block in blocks)


@pytest.mark.parametrize("change", [add_a_sticky_note, change_the_title])
def test_any_revision_appended_after_approval_is_found(scenario: Scenario,
                                                      change: Callable[[IncrementalPdfFileWriter], None]) -> None:
    tampered = append_revision(scenario.pdf(GIRFEC).read_bytes(), change)

    report = verify_pdf(tampered, [cert_from_pem(scenario.authority.read_bytes())])

    assert not report.ok
    assert report.problems == ("the last signature does not cover the whole document: something was added after "
                               "signing",)
    assert all(check.intact and check.valid and check.trusted for check in report.signatures)


# --- 4. the page layout ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", APPROVED)
def test_no_words_overlap_and_all_stay_inside_the_margins(scenario: Scenario, name: str) -> None:
    for number, page in enumerate(pages(scenario.pdf(name)), start=1):
        assert (round(page.width), round(page.height)) == (595, 842)  # A4
        clashes = overlapping(page.words)
        assert not clashes, f"page {number}: overlapping words {clashes[:3]}"
        outside = [word for word in page.words
                   if word.x0 < layout.MARGIN - TOLERANCE or word.x1 > page.width - layout.MARGIN + TOLERANCE
                   or word.y0 < 0 or word.y1 > page.height]
        assert not outside, f"page {number}: words outside the margins {outside[:3]}"


@pytest.mark.parametrize("name", APPROVED)
def test_no_page_is_left_half_empty_before_the_sign_off(scenario: Scenario, name: str) -> None:
    """A section title alone on a page, or a long table moved whole to the next one, shows as a blank page."""
    laid_out = pages(scenario.pdf(name))
    body_height = laid_out[0].height - layout.MARGIN - layout.FOOTER_HEIGHT
    for number, page in enumerate(laid_out[:-2], start=1):  # the sign-off page always starts a page of its own
        body = [word for word in page.words if layout.MARGIN < word.y0 < page.height - layout.FOOTER_HEIGHT]
        lowest = max(word.y1 for word in body)
        assert lowest - layout.MARGIN > body_height / 2, f"page {number} is more than half empty"


# --- 5. anything not approved is a watermarked, unsigned draft ---------------------------------------------------


@pytest.mark.parametrize("name", UNAPPROVED)
def test_unapproved_work_exports_as_an_unsigned_draft_that_claims_no_approval(scenario: Scenario, cli: Cli,
                                                                              name: str) -> None:
    pdf = scenario.pdf(name)
    assert "Wrote the DRAFT (not approved, unsigned)" in scenario.exports[name].stdout
    texts = page_texts(pdf)

    reader = PdfReader(pdf)
    for number, page in enumerate(pages(pdf), start=1):
        # the watermark is drawn on every page as outlines (nothing of it in the text), and the footer says DRAFT
        assert b"/FormXob.DraftWatermark Do" in reader.pages[number - 1].get_contents().get_data(), f"page {number}"
        assert not watermark(page), f"page {number}"
        assert "DRAFT — NOT APPROVED" in texts[number - 1], f"page {number}"
    assert "This copy is a draft and has not been approved." in texts[-1]
    assert texts[-1].count("Not signed: this copy is a draft") == 2
    assert not any("Approved by" in text for text in texts)
    assert cover_value(pdf, "Approval") == "Not approved"
    refused = cli.refused("verify-pdf", pdf, "--trust", scenario.authority)
    assert refused.error_line.endswith("does NOT verify: no signatures")
    output, blocks = pdfsig(pdf)
    assert not blocks
    assert "does not contain any signatures" in output


def test_a_draft_and_a_submitted_copy_show_their_state(scenario: Scenario) -> None:
    assert cover_value(scenario.pdf("draft"), "Status") == STATUS_LABELS[Status.DRAFT]
    assert cover_value(scenario.pdf("submitted"), "Status") == STATUS_LABELS[Status.SUBMITTED]
    assert cover_value(scenario.pdf("draft"), "Submitted") == "—"
    assert cover_value(scenario.pdf("submitted"), "Submitted") != "—"


def test_approved_pdfs_carry_no_watermark_and_both_signature_boxes(scenario: Scenario) -> None:
    for name in APPROVED:
        texts = page_texts(scenario.pdf(name))
        assert not any(watermark(page) for page in pages(scenario.pdf(name))), name
        assert "Approved by the team lead" in texts[-1] and "Certified by the author on submission" in texts[-1]
        # the cover records the submission it certifies
        assert re.match(r"\d\d/\d\d/\d{4} \d\d:\d\d\b", cover_value(scenario.pdf(name), "Submitted")), name


def test_a_superseded_record_still_exports_as_signed_with_a_warning(scenario: Scenario) -> None:
    exported = scenario.exports["superseded"]
    assert "Wrote the signed record" in exported.stdout
    assert "cpassess: warning: This assessment has been superseded by a corrected version." in exported.stderr
    # the stored record, byte for byte: exporting again never re-renders or re-signs it
    assert scenario.pdf("superseded").read_bytes() == scenario.pdf(NEGLECT).read_bytes()


# --- 6. fonts ---------------------------------------------------------------------------------------------------------


BASE_14 = re.compile(r"Helvetica|Times|Courier|Symbol|ZapfDingbats")
# name, type, encoding, embedded, subset, unicode map, object number and generation
FONT_ROW = re.compile(r"^(\S+)\s+(.+?)\s+\S+\s+(yes|no)\s+(yes|no)\s+(?:yes|no)\s+\d+\s+\d+$")


@pytest.mark.parametrize("name", [NEGLECT, GIRFEC, "draft", "greek"])
def test_every_font_is_an_embedded_truetype_subset(scenario: Scenario, name: str) -> None:
    listing = run("pdffonts", scenario.pdf(name))
    assert listing.returncode == 0, listing.stderr
    rows = listing.stdout.splitlines()[2:]
    assert rows

    for row in rows:
        columns = FONT_ROW.match(row)
        assert columns, row
        font, kind, embedded, subset = columns.groups()
        assert not BASE_14.search(font), row
        assert kind in ("TrueType", "CID TrueType"), row
        assert (embedded, subset) == ("yes", "yes"), row
        assert re.match(r"[A-Z]{6}\+", font), row


@pytest.mark.parametrize("name", ["cjk", "cjk-approved"])
def test_a_name_the_font_cannot_draw_gives_a_warning_listing_its_characters(scenario: Scenario, name: str) -> None:
    """For a draft, and for the signed record too (rendered at submission, exported long after)."""
    stderr = scenario.exports[name].stderr
    [warning] = [line for line in stderr.splitlines() if line.startswith("cpassess: warning:")]

    assert "no glyph for 3 character(s)" in warning
    for character in "小明王":
        assert f"{character} (U+{ord(character):04X})" in warning
    for key in NAMED_CHILDREN:
        assert "warning" not in scenario.exports[key].stderr


# --- 7. the pictures -------------------------------------------------------------------------------------------


def test_the_girfec_wheel_names_every_indicator_with_its_level(scenario: Scenario) -> None:
    form = default_catalog().get(GIRFEC)
    answers = scenario.answers[GIRFEC]
    [summary] = [question for _, question in form.fields() if isinstance(question, ComputedField)]
    expected = {}
    for source in summary.sources:
        question = form.field(source)
        assert isinstance(question, RatingField)
        levels = {option.id: option.label for option in options_of(question, form) or ()}
        expected[question.label] = levels[answers[source]]

    [page] = [page for page in pages(scenario.pdf(GIRFEC)) if any(line.text == "Wellbeing at a glance"
                                                                   for line in page.lines)]
    top = next(line.y0 for line in page.lines if line.text == "Wellbeing at a glance")
    bottom = next(line.y0 for line in page.lines if line.text == "Wellbeing indicator" and line.y0 > top)
    wheel = [line for line in page.lines if top < line.y0 < bottom]
    shown = {}
    for line in wheel:
        if line.text in expected:
            below = [other for other in wheel if 4 < other.y0 - line.y0 < 16
                     and (abs(other.x0 - line.x0) < 2 or abs(other.x1 - line.x1) < 2)]
            shown[line.text] = below[0].text if below else None
    assert shown == expected
    assert "Łukasz" in {line.text for line in wheel}  # the centre


def test_the_neglect_domain_profile_lists_every_domain(scenario: Scenario) -> None:
    form = default_catalog().get(NEGLECT)
    [profile_field] = [question for _, question in form.fields() if isinstance(question, ComputedField)]
    profile = compute(form, profile_field, scenario.answers[NEGLECT])
    printed = body_words(scenario.pdf(NEGLECT))
    assert len(profile) == 4

    assert "Domain Items Mean Worst At 4–5 Not known" in printed
    for domain in profile:
        mean = f"{domain.mean:.1f}" if domain.mean is not None else "—"
        worst = str(domain.worst) if domain.worst is not None else "—"
        assert f"{domain.title} {domain.items} {mean} {worst} {domain.serious} {domain.not_known}" in printed
        assert printed.count(domain.title) >= 3  # its section, the bar chart and the table
    assert CHANGE not in printed  # nothing earlier to compare with


def test_a_correction_is_not_compared_with_the_version_it_corrects(scenario: Scenario) -> None:
    """A correction replaces what it corrects: the change chart would set the same assessment against itself.
    (The history across several approved assessments is tested in tests/core/test_change_history.py.)"""
    printed = body_words(scenario.pdf("corrected"))
    form = default_catalog().get(NEGLECT)
    [profile_field] = [question for _, question in form.fields() if isinstance(question, ComputedField)]

    assert CHANGE not in printed
    for domain in compute(form, profile_field, scenario.corrected_answers):
        assert printed.count(domain.title) >= 3  # its section, the chart and the table
