"""What goes into a printed assessment: plain data, assembled by the core, rendered by `document`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cpassess.forms import DomainProfile, FormDefinition


@dataclass(frozen=True)
class PrintedComment:
    author: str
    where: str
    text: str
    created: str


@dataclass(frozen=True)
class EarlierProfile:
    """The neglect domain profile of the child's previous approved neglect assessment, for the change chart."""

    label: str
    profile: Sequence[DomainProfile]


@dataclass(frozen=True)
class PrintRecord:
    """Everything one PDF shows. `draft` puts the DRAFT watermark on every page; `family_copy` leaves out
    sensitive fields. Dates are ISO strings as stored."""

    form: FormDefinition
    answers: Mapping[str, Any]
    child: Mapping[str, Any]
    assessment_id: str
    status: str
    author: str
    content_sha256: str
    reviewer: str | None = None
    created: str | None = None
    submitted_at: str | None = None
    approved_at: str | None = None
    audit_head: str | None = None
    marking: str = "OFFICIAL-SENSITIVE"
    draft: bool = True
    family_copy: bool = False
    comments: Sequence[PrintedComment] = ()
    earlier: EarlierProfile | None = None
    register_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    missing_characters: list[str]

    def warnings(self) -> list[str]:
        return glyph_warnings(self.missing_characters)


def glyph_warnings(missing_characters: Sequence[str]) -> list[str]:
    """The warning for characters the PDF font has no glyph for: none when there are none."""
    if not missing_characters:
        return []
    shown = " ".join(f"{char} (U+{ord(char):04X})" for char in missing_characters[:20])
    return [f"The PDF font has no glyph for {len(missing_characters)} character(s), which print as boxes: {shown}"]
