"""Rendering a PrintRecord and reading the PDF back with poppler (pdftotext, pdfinfo), for the tests of the
record's layout, signatures and approval line."""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from cpassess.children import ChildRecord
from cpassess.demo import sample_answers
from cpassess.export import layout
from cpassess.export.record import PrintRecord, RenderedPdf
from cpassess.forms import default_catalog

NEGLECT = default_catalog().get("neglect-assessment", 1)  # the layout tests read version 1's questions
GIRFEC = default_catalog().get("girfec-wellbeing", 1)


def child(given: str = "Eilidh", family: str = "MacLeod", **more: Any) -> dict[str, Any]:
    """A child as the core prints it: a validated record, dumped as JSON data."""
    data = {"given_names": given, "family_name": family, "date_of_birth": "2019-04-19", **more}
    return ChildRecord.model_validate(data).model_dump(mode="json")


def record(form: Any = NEGLECT, answers: Mapping[str, Any] | None = None, **more: Any) -> PrintRecord:
    """A record as certified at submission (no watermark, which pdftotext would mix into the text) unless told."""
    fields: dict[str, Any] = {"draft": False, "child": child(), "assessment_id": "5b0c6a1e-1111-4c1e-9f00-2f6f1b1a0c11",
                              "status": "Draft", "author": "Sam Wróblewski", "content_sha256": "3f" * 32,
                              "created": "2026-11-02T09:30:00+00:00", "audit_head": "#12 0a1b2c3d4e5f"}
    fields.update(more)
    return PrintRecord(form=form, answers=dict(answers or {}), **fields)


@functools.cache
def complete(form_id: str) -> dict[str, Any]:
    return sample_answers(default_catalog().get(form_id, 1), random.Random(5), "Eilidh", dt.date(2026, 11, 20))


def written(rendered: RenderedPdf, folder: Path, name: str = "out.pdf") -> Path:
    path = folder / name
    path.write_bytes(rendered.data)
    return path


def pdftotext(pdf: Path, page: int | None = None) -> str:
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    return subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert found
    return int(found.group(1))


def words(text: str) -> str:
    return " ".join(text.split())


def lines(pdf: Path, page: int) -> list[tuple[float, float, float, str]]:
    """The text lines of one page as (x0, y0, height, text), top of the page first; the pieces pdftotext makes of
    the diagonal watermark are the only lines both wider and higher than 19 points, and come out as height 99."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    xhtml = "{http://www.w3.org/1999/xhtml}"
    found = []
    for line in ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xml)).iter(f"{xhtml}line"):
        text = " ".join(word.text or "" for word in line.iter(f"{xhtml}word"))
        x0, x1 = float(line.get("xMin", 0)), float(line.get("xMax", 0))
        y0, y1 = float(line.get("yMin", 0)), float(line.get("yMax", 0))
        found.append((x0, y0, 99 if min(x1 - x0, y1 - y0) > 19 else y1 - y0, text))
    return sorted(found, key=lambda item: item[1])


def cover_value(pdf: Path, key: str) -> str:
    first = lines(pdf, 1)
    [(x0, y0, _, _)] = [line for line in first if line[3] == key and line[0] < 100]
    return " ".join(text for x, y, _, text in first if abs(y - y0) < 1 and x > x0 + 80)


def body_lines(pdf: Path, page: int) -> list[str]:
    """The lines of one page between the header and the footer, top first."""
    top, bottom = layout.MARGIN, layout.PAGE_HEIGHT - layout.FOOTER_HEIGHT
    return [text for _, y, _, text in lines(pdf, page) if top < y < bottom]
