"""What goes into a printed assessment: plain data, assembled by the core, rendered by `document`.

`print_record` builds it from the record's canonical content (the `record.json` that signed copies embed) and
nothing else but how it is presented (draft or signed, marking, status line): no repository is read here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cpassess.export.layout import CHRONOLOGY_FORM_ID
from cpassess.forms import DomainProfile, FormDefinition, canonical_json


@dataclass(frozen=True)
class PrintedComment:
    author: str
    where: str
    text: str
    created: str


@dataclass(frozen=True)
class EarlierProfile:
    """The neglect domain profile of one of the child's earlier approved neglect assessments, for the change
    chart (labelled by the date the assessment was made)."""

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
    audit_database: str | None = None  # the id of the database whose audit log `audit_head` is of
    marking: str = "OFFICIAL-SENSITIVE"
    draft: bool = True
    family_copy: bool = False
    comments: Sequence[PrintedComment] = ()
    earlier: Sequence[EarlierProfile] = ()  # oldest first
    register_labels: Mapping[str, str] = field(default_factory=dict)
    record_json: bytes | None = None  # the canonical content this copy shows; embedded when it is certified
    withheld: Mapping[str, Any] = field(default_factory=dict)  # family copy: per table, what was left out

    @property
    def is_chronology(self) -> bool:
        """The child's chronology printed on its own: signed off by whoever printed it, never approved."""
        return self.form.id == CHRONOLOGY_FORM_ID


@dataclass(frozen=True)
class Presentation:
    """How a record is shown, beside what it says: none of this is signed content."""

    status: str
    draft: bool
    marking: str = "OFFICIAL-SENSITIVE"
    audit_head: str | None = None
    audit_database: str | None = None  # the id of the database whose audit log `audit_head` is of
    reviewer: str | None = None
    submitted_at: str | None = None
    approved_at: str | None = None
    comments: Sequence[PrintedComment] = ()
    register_labels: Mapping[str, str] = field(default_factory=dict)


def print_record(form: FormDefinition, content: Mapping[str, Any], presentation: Presentation) -> PrintRecord:
    """The printable record of `content` (full or family copy): every word on the pages comes from it."""
    if content.get("form_id") != form.id or content.get("form_version") != form.version:
        raise ValueError("the content is not of this form version")
    record_json = canonical_json(content)
    author = content.get("author") or {}
    earlier = content.get("earlier") or []
    if isinstance(earlier, Mapping):  # content signed before the change chart showed a history: one profile
        earlier = [earlier]
    return PrintRecord(
        form=form, answers=content["answers"], child=content.get("child") or {},
        assessment_id=str(content.get("assessment_id", "")), status=presentation.status,
        author=str(author.get("name") or author.get("username") or ""),
        content_sha256=hashlib.sha256(record_json).hexdigest(), reviewer=presentation.reviewer,
        created=content.get("started"), submitted_at=presentation.submitted_at,
        approved_at=presentation.approved_at, audit_head=presentation.audit_head,
        audit_database=presentation.audit_database, marking=presentation.marking,
        draft=presentation.draft, family_copy=content.get("copy") == "family", comments=presentation.comments,
        earlier=tuple(EarlierProfile(str(item["label"]), [DomainProfile(**domain) for domain in item["profile"]])
                      for item in earlier),
        register_labels=presentation.register_labels, record_json=record_json,
        withheld=content.get("withheld") or {})


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    missing_characters: list[str]
    # where the cover left room for the approval line (page 1, PDF points), on a record for signing
    approval_box: tuple[float, float, float, float] | None = None

    def warnings(self) -> list[str]:
        return glyph_warnings(self.missing_characters)


def glyph_warnings(missing_characters: Sequence[str]) -> list[str]:
    """The warning for characters the PDF font has no glyph for: none when there are none."""
    if not missing_characters:
        return []
    shown = " ".join(f"{char} (U+{ord(char):04X})" for char in missing_characters[:20])
    return [f"The PDF font has no glyph for {len(missing_characters)} character(s), which print as boxes: {shown}"]
