"""`cpassess check` beyond the database's own integrity (DESIGN §8.7): every record verified end to end.

Someone who holds the database key can edit any row. What must hold anyway is bound by signatures they cannot
make: for every submitted, approved or superseded assessment, the stored answers are those of the signed content,
the content hashes to the stored hash, the author signed that hash, the stored PDFs carry exactly that content
and are certified by the author, and (once approved) approved by a team lead on the same bytes; and every audit
event that needs a role was signed with a certificate that had it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cpassess.assessments import Assessment
from cpassess.audit import AuditEvent
from cpassess.authority import certificate_identity, verify
from cpassess.casework.binding import SignedContent, content_problems, record_problems, signature_problems
from cpassess.workflow import NotAllowed, Role, Status

if TYPE_CHECKING:
    from cpassess.session import Session

SIGNED = (Status.SUBMITTED, Status.APPROVED, Status.SUPERSEDED)
# The role an audit event's signer must hold (by the certificate that made the signature).
ROLE_FOR_ACTION = {
    "assessment.approved": Role.TEAM_LEAD,
    "assessment.returned": Role.TEAM_LEAD,
    "assessment.reassigned": Role.ADMINISTRATOR,
    "user.added": Role.ADMINISTRATOR,
    "settings.marking_changed": Role.ADMINISTRATOR,
}


def assessment_problems(session: Session, assessment: Assessment) -> list[str]:
    """What does not hold about one signed assessment (empty when it verifies end to end)."""
    try:
        form = session.assessments.form_of(assessment)
    except NotAllowed as error:
        return [str(error)]
    signed = session.assessments.signatures(assessment.id)
    problems, content = content_problems(SignedContent(
        assessment.id, form, signed.submitted_content, signed.content_sha256, signed.author_signature,
        assessment.answers), session.certificates_of(assessment.author))
    if content is None:
        return problems
    digest = str(signed.content_sha256)
    stage = "approved" if assessment.status != Status.SUBMITTED else "submitted"
    documents = session.assessments.documents(assessment.id, stage)
    problems += record_problems(form, content, documents)
    approved = assessment.status != Status.SUBMITTED
    problems += signature_problems(documents, session.authority_certificate, assessment.author, approved=approved,
                                   approver=assessment.reviewer if approved else None,
                                   revoked=session.revocations())
    if approved:
        if not assessment.reviewer or not any(
                verify(cert, bytes.fromhex(digest), signed.approval_signature) and _has_role(cert, Role.TEAM_LEAD)
                for cert in session.certificates_of(assessment.reviewer)):
            problems.append("the team lead's approval signature on the content hash does not verify")
        submitted = session.assessments.documents(assessment.id, "submitted")
        if any(not documents.get(copy, b"").startswith(pdf) for copy, pdf in submitted.items()):
            problems.append("the approved PDFs are not the certified PDFs with an approval added")
    return problems


def _has_role(certificate: object, role: Role) -> bool:
    try:
        return role.value in certificate_identity(certificate).roles  # type: ignore[arg-type]
    except ValueError:
        return False


def event_problems(session: Session, events: list[AuditEvent]) -> list[str]:
    """Audit events signed by someone whose certificate did not give them the role the action needs."""
    problems = []
    for event in events:
        role = ROLE_FOR_ACTION.get(event.action)
        if role is None:
            continue
        signers = [cert for cert in session.certificates_of(event.actor)
                   if verify(cert, bytes.fromhex(event.hash), event.signature)]
        if signers and not any(_has_role(cert, role) for cert in signers):
            problems.append(f"audit event {event.seq} ({event.action} of {event.record_type} {event.record_id}) "
                            f"was signed by {event.actor}, who is not a {role.value.replace('_', ' ')}")
    return problems


def record_check(session: Session) -> list[str]:
    """Every signed assessment and every role-bound audit event, one line per problem naming what disagrees."""
    problems = []
    for status in SIGNED:
        for assessment in session.assessments.find(status=status):
            problems += [f"assessment {assessment.id}: {problem}" for problem in
                         assessment_problems(session, assessment)]
    problems += [f"audit: {problem}" for problem in event_problems(session, session.audit_events())]
    return problems
