"""The signed PDF record of an assessment (DESIGN §9.5, §9.7): rendered from its canonical content, certified at
submission, approved on the same bytes.

Both the full and the family copy are rendered from the content the author signs (the family copy from its
redaction), each carrying its own content as `record.json`, and certified by the author; the team lead's approval
signs exactly those bytes. Their font warnings are worked out once, when they are rendered, and kept with them.
An export of anything not approved is a fresh, unsigned rendering with the DRAFT watermark, so unapproved work can
never produce a PDF that claims approval.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cpassess.assessments import Assessment, StoredDocument
from cpassess.casework.content import assessment_content, display_name
from cpassess.children import register_categories
from cpassess.export.record import Presentation, PrintedComment, PrintRecord, glyph_warnings, print_record
from cpassess.forms import FormDefinition, canonical_json
from cpassess.forms.canonical import family_content
from cpassess.storage import read_stored_json
from cpassess.workflow import STATUS_LABELS, Status

if TYPE_CHECKING:
    from cpassess.export.signing import PdfSigner
    from cpassess.session import Session

log = logging.getLogger(__name__)

FULL, FAMILY = "full", "family"
COPIES = (FULL, FAMILY)
SUPERSEDED_WARNING = "This assessment has been superseded by a corrected version."


@dataclass(frozen=True)
class ExportedPdf:
    data: bytes
    signed: bool
    warnings: list[str]


def copy_contents(form: FormDefinition, content: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The content each copy shows: the whole of it, and the family copy's redaction."""
    return {FULL: dict(content), FAMILY: family_content(form, content)}


_signers: weakref.WeakKeyDictionary[Session, PdfSigner] = weakref.WeakKeyDictionary()


def signer_for(session: Session) -> PdfSigner:
    """The signed-in user's PDF signer, built once per session (it keeps the key and a font cut in memory)."""
    signer = _signers.get(session)
    if signer is None:
        from cpassess.export.signing import PdfSigner

        signer = _signers[session] = PdfSigner(session.signing_key, session.user.certificate,
                                               session.authority_certificate)
    return signer


def _presentation(session: Session, assessment: Assessment, *, draft: bool, status: str,
                  comments: tuple[PrintedComment, ...] = ()) -> Presentation:
    return Presentation(status=status, draft=draft, marking=session.security_marking,
                        audit_head=session.audit_head().short(), audit_database=session.database_id,
                        reviewer=display_name(session, assessment.reviewer), submitted_at=assessment.submitted_at,
                        approved_at=assessment.approved_at, comments=comments,
                        register_labels=register_categories())


def certified_documents(session: Session, assessment: Assessment, form: FormDefinition,
                        content: Mapping[str, Any]) -> dict[str, StoredDocument]:
    """At submission: each copy rendered from its own content and certified by the author with it embedded."""
    from cpassess.export.document import render
    from cpassess.export.signing import certify

    presentation = _presentation(session, assessment, draft=False, status="Submitted for approval")
    documents = {}
    for copy, shown in copy_contents(form, content).items():
        record = print_record(form, shown, presentation)
        rendered = render(record)
        for warning in rendered.warnings():
            log.warning("%s copy of %s: %s", copy, assessment.id, warning.split(":")[0])
        certified = certify(rendered.data, signer_for(session), canonical_json(shown), rendered.approval_box)
        documents[copy] = StoredDocument(certified, tuple(rendered.warnings()))
    return documents


def approved_documents(session: Session, submitted: Mapping[str, bytes]) -> dict[str, bytes]:
    """At approval: the team lead's signature added to exactly the certified bytes."""
    from cpassess.export.signing import approve

    return {copy: approve(data, signer_for(session)) for copy, data in submitted.items()}


def print_chronology(session: Session, child_id: str, *, family_copy: bool = False) -> ExportedPdf:
    """The child's chronology on its own (DESIGN §16), sorted by date, rendered from its content like an
    assessment and certified by the user printing it (the family copy without the rows marked sensitive, saying
    how many were left out); audited."""
    from cpassess import audit
    from cpassess.chronology import CHRONOLOGY_FORM, Chronology
    from cpassess.dates import utc_now
    from cpassess.export.document import render
    from cpassess.export.signing import certify
    from cpassess.forms.canonical import canonical_content

    child = session.children.get(child_id)
    printed_at = utc_now()
    about = {"author": {"username": session.user.username, "name": session.user.display_name},
             "started": printed_at}
    events = [event.prefill_row() for event in Chronology(session).events(child_id)]
    content = canonical_content(CHRONOLOGY_FORM, {"events": events}, child.record.snapshot(child.id), about)
    copy = FAMILY if family_copy else FULL
    shown = copy_contents(CHRONOLOGY_FORM, content)[copy]
    presentation = Presentation(status="Printed", draft=False, marking=session.security_marking,
                                audit_head=session.audit_head().short(), audit_database=session.database_id,
                                submitted_at=printed_at, register_labels=register_categories())
    record = print_record(CHRONOLOGY_FORM, shown, presentation)
    rendered = render(record)
    signed = certify(rendered.data, signer_for(session), canonical_json(shown), approval=False)
    with session.db.write() as connection:
        audit.append(connection, session.signing_key, session.user.username, "chronology.printed", "child",
                     child_id, {"copy": copy, "content_sha256": record.content_sha256,
                                "events": len(shown["answers"].get("events") or [])})
    return ExportedPdf(signed, True, rendered.warnings())


def _comments(session: Session, assessment: Assessment, form: FormDefinition) -> tuple[PrintedComment, ...]:
    printed = []
    for comment in session.assessments.comments(assessment.id):
        where = "the assessment"
        if comment.field_id:
            where = f"“{form.field(comment.field_id).label}”"
        elif comment.section_id:
            where = f"the section “{next(s.title for s in form.sections if s.id == comment.section_id)}”"
        printed.append(PrintedComment(display_name(session, comment.author) or comment.author, where, comment.text,
                                      comment.created))
    return tuple(printed)


def print_record_of(session: Session, assessment: Assessment, *, draft: bool, copy: str = FULL,
                    include_comments: bool = False) -> PrintRecord:
    """The printable record of an assessment as it stands: what was submitted while it waits for review, the
    answers as they are otherwise."""
    form = session.assessments.form_of(assessment)
    frozen = session.assessments.signatures(assessment.id).submitted_content
    if frozen and assessment.status == Status.SUBMITTED:
        content = read_stored_json(frozen, "the submitted content of this assessment")
    else:
        content = assessment_content(session, assessment)
    comments = _comments(session, assessment, form) if include_comments else ()
    status = STATUS_LABELS[assessment.status] if draft else "Submitted for approval"
    presentation = _presentation(session, assessment, draft=draft, status=status, comments=comments)
    return print_record(form, copy_contents(form, content)[copy], presentation)


def export_pdf(session: Session, assessment_id: str, *, family_copy: bool = False,
               include_comments: bool = False) -> ExportedPdf:
    """The approved, signed record when there is one; otherwise a watermarked draft that claims nothing."""
    assessment = session.assessments.get(assessment_id)
    copy = FAMILY if family_copy else FULL
    if assessment.status in (Status.APPROVED, Status.SUPERSEDED):
        stored = session.assessments.stored_document(assessment_id, copy, "approved")
        if stored is not None:
            warnings = [SUPERSEDED_WARNING] if assessment.status == Status.SUPERSEDED else []
            return ExportedPdf(stored.pdf, True, [*warnings, *stored.warnings])
    from cpassess.export.document import render

    rendered = render(print_record_of(session, assessment, draft=True, copy=copy, include_comments=include_comments))
    return ExportedPdf(rendered.data, False, glyph_warnings(rendered.missing_characters))
