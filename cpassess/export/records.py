"""The signed PDF record of an assessment (DESIGN §9.5): certified at submission, approved on the same bytes.

Both the full and the family copy are rendered and certified by the author when the assessment is submitted,
and counter-signed by the team lead when it is approved; all four documents are stored in the database. An
export of anything not approved is a fresh, unsigned rendering with the DRAFT watermark, so unapproved work
can never produce a PDF that claims approval.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cpassess.assessments import Assessment
from cpassess.children import register_categories
from cpassess.dates import uk_date
from cpassess.export.record import EarlierProfile, PrintedComment, PrintRecord, RenderedPdf, glyph_warnings
from cpassess.forms import canonical_content, compute
from cpassess.forms import content_sha256 as content_sha256_of
from cpassess.forms.definition import ComputedField
from cpassess.workflow import STATUS_LABELS, Status

if TYPE_CHECKING:
    from cpassess.export.signing import PdfSigner
    from cpassess.session import Session

log = logging.getLogger(__name__)

COPIES = ("full", "family")


@dataclass(frozen=True)
class ExportedPdf:
    data: bytes
    signed: bool
    warnings: list[str]


def _display_name(session: Session, username: str | None) -> str | None:
    if username is None:
        return None
    user = session.user_named(username)
    return user.display_name if user else username


def _earlier_profile(session: Session, assessment: Assessment) -> EarlierProfile | None:
    """The child's most recent approved assessment of the same form before this one, as a domain profile."""
    candidates = [a for a in session.assessments.find(child_id=assessment.child_id)
                  if a.form_id == assessment.form_id and a.id != assessment.id and a.approved_at
                  and a.status in (Status.APPROVED, Status.SUPERSEDED)
                  and (assessment.approved_at is None or a.approved_at < assessment.approved_at)]
    if not candidates:
        return None
    earlier = max(candidates, key=lambda a: a.approved_at or "")
    form = session.assessments.form_of(earlier)
    for _, field in form.fields():
        if isinstance(field, ComputedField) and field.function == "neglect_profile":
            return EarlierProfile(f"approved {uk_date(earlier.approved_at)}", compute(form, field, earlier.answers))
    return None


def print_record(session: Session, assessment: Assessment, *, draft: bool, family_copy: bool = False,
                 include_comments: bool = False, content_sha256: str | None = None,
                 status: str | None = None) -> PrintRecord:
    """Gather everything one PDF of this assessment shows."""
    form = session.assessments.form_of(assessment)
    child = session.children.get(assessment.child_id)
    comments: list[PrintedComment] = []
    if include_comments:
        for comment in session.assessments.comments(assessment.id):
            where = "the assessment"
            if comment.field_id:
                where = f"“{form.field(comment.field_id).label}”"
            elif comment.section_id:
                where = f"the section “{next(s.title for s in form.sections if s.id == comment.section_id)}”"
            comments.append(PrintedComment(_display_name(session, comment.author) or comment.author, where,
                                           comment.text, comment.created))
    # a draft's fingerprint is the hash of what it says now; it matches a record only once submitted
    digest = content_sha256 or assessment.content_sha256 or content_sha256_of(
        canonical_content(form, assessment.answers, child.record.snapshot(child.id)))
    return PrintRecord(
        form=form, answers=assessment.answers, child=child.record.model_dump(mode="json"),
        assessment_id=assessment.id, status=status or STATUS_LABELS[assessment.status],
        author=_display_name(session, assessment.author) or assessment.author,
        reviewer=_display_name(session, assessment.reviewer), created=assessment.created,
        submitted_at=assessment.submitted_at, approved_at=assessment.approved_at, content_sha256=digest,
        audit_head=session.audit_head().short(), marking=session.security_marking, draft=draft,
        family_copy=family_copy, comments=comments, earlier=_earlier_profile(session, assessment),
        register_labels=register_categories())


def signer_for(session: Session) -> PdfSigner:
    """The signed-in user's PDF signer, built once per session (the key stays loaded in memory)."""
    if session.pdf_signer is None:
        from cpassess.export.signing import PdfSigner

        session.pdf_signer = PdfSigner(session.signing_key, session.user.certificate, session.authority_certificate)
    signer: PdfSigner = session.pdf_signer
    return signer


def certified_documents(session: Session, assessment: Assessment, content_sha256: str) -> dict[str, bytes]:
    """At submission: render the full and family copies and certify both as the author."""
    from cpassess.export.document import render
    from cpassess.export.signing import certify

    documents = {}
    for copy in COPIES:
        record = print_record(session, assessment, draft=False, family_copy=copy == "family",
                              content_sha256=content_sha256, status="Submitted for approval")
        rendered = render(record)
        for warning in rendered.warnings():
            log.warning("%s copy of %s: %s", copy, assessment.id, warning.split(":")[0])
        documents[copy] = certify(rendered.data, signer_for(session))
    return documents


def approved_documents(session: Session, submitted: Mapping[str, bytes]) -> dict[str, bytes]:
    """At approval: the team lead's signature added to exactly the certified bytes."""
    from cpassess.export.signing import approve

    return {copy: approve(data, signer_for(session)) for copy, data in submitted.items()}


def export_pdf(session: Session, assessment_id: str, *, family_copy: bool = False,
               include_comments: bool = False) -> ExportedPdf:
    """The approved, signed record when there is one; otherwise a watermarked draft that claims nothing."""
    assessment = session.assessments.get(assessment_id)
    copy = "family" if family_copy else "full"
    if assessment.status in (Status.APPROVED, Status.SUPERSEDED):
        stored = session.assessments.document(assessment_id, copy, "approved")
        if stored is not None:
            from cpassess.export.document import missing_characters

            warnings = []
            if assessment.status == Status.SUPERSEDED:
                warnings.append("This assessment has been superseded by a corrected version.")
            # rendered at submission, when its font warnings went only to the log: the signed copy must say so too
            warnings += glyph_warnings(missing_characters(print_record(session, assessment, draft=False,
                                                                       family_copy=family_copy)))
            return ExportedPdf(stored, True, warnings)
    from cpassess.export.document import render

    rendered: RenderedPdf = render(print_record(session, assessment, draft=True, family_copy=family_copy,
                                                include_comments=include_comments))
    return ExportedPdf(rendered.data, False, rendered.warnings())
