"""Whether signed PDFs belong to exactly the content they travel with (DESIGN §9.7).

Each copy must carry, inside its certified revision, the `record.json` of that copy of the content (the family
copy: the redaction of the same content), be certified by the assessment's author and, once approved, carry one
approval by a team lead who is not the author, signed on those same bytes. Every answer is a list of sentences
(empty when all is well), so the importer, the approval and `cpassess check` say the same things.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509

from cpassess.authority import verify
from cpassess.casework.documents import COPIES, copy_contents
from cpassess.export import layout
from cpassess.forms import FormDefinition, canonical_json
from cpassess.forms.canonical import canonical_answers
from cpassess.workflow import Role


@dataclass(frozen=True)
class SignedContent:
    """The content an author signed at submission, as stored (or carried in a package) beside its hash, the
    author's signature on that hash, and the answers a reviewer reads."""

    assessment_id: str
    form: FormDefinition
    submitted: str | None
    content_sha256: str | None
    author_signature: bytes | None
    answers: Any
    child_id: str | None = None  # checked when given (a package names the child beside the content)


def content_problems(signed: SignedContent, author_certificates: Iterable[x509.Certificate]) -> (
        tuple[list[str], dict[str, Any] | None]):
    """What does not hold of signed content: it hashes to its hash, the author signed that hash, and it is this
    assessment and form version with exactly these answers. Returns the problems and the content (None when it
    could not be trusted far enough to read)."""
    if not signed.submitted or not signed.content_sha256:
        return ["it has no submitted content"], None
    digest = hashlib.sha256(signed.submitted.encode("utf-8")).hexdigest()
    if digest != signed.content_sha256:
        return ["the submitted content does not hash to the content hash stored with it"], None
    if not signed.author_signature or not any(verify(cert, bytes.fromhex(digest), signed.author_signature)
                                              for cert in author_certificates):
        return ["the author's signature on the submitted content does not verify"], None
    try:
        content = json.loads(signed.submitted)
    except ValueError:
        return ["the submitted content cannot be read"], None
    if not isinstance(content, dict):
        return ["the submitted content cannot be read"], None
    problems = []
    if canonical_json(content) != signed.submitted.encode("utf-8"):
        problems.append("the submitted content is not in canonical form")
    form = signed.form
    if (content.get("assessment_id") != signed.assessment_id or content.get("form_id") != form.id
            or content.get("form_version") != form.version
            or (signed.child_id is not None and (content.get("child") or {}).get("id") != signed.child_id)):
        problems.append("the submitted content is of another assessment, child or form version")
    try:
        answers_match = isinstance(signed.answers, dict) and (
            content.get("answers") == canonical_answers(form, signed.answers))
    except ValueError:
        answers_match = False
    if not answers_match:
        problems.append("the stored answers are not the answers that were signed")
    return problems, content


def record_problems(form: FormDefinition, content: Mapping[str, Any], documents: Mapping[str, bytes]) -> list[str]:
    """Each copy's embedded record against the content (cheap: no signature is checked)."""
    from cpassess.export.embedded import check_record

    problems = [f"the {copy} copy is missing" for copy in COPIES if copy not in documents]
    problems += [f"an unexpected document '{copy}'" for copy in documents if copy not in COPIES]
    expected = {copy: canonical_json(shown) for copy, shown in copy_contents(form, content).items()}
    for copy, pdf in documents.items():
        if copy not in expected:
            continue
        record = check_record(pdf)
        if record.problem:
            problems.append(f"the {copy} copy: {record.problem}")
        elif record.record_json != expected[copy]:
            differs = _what_differs(record.record_json, expected[copy])
            problems.append(f"the {copy} copy shows other content than this assessment's ({differs})")
    return problems


def _what_differs(found: bytes | None, expected: bytes) -> str:
    try:
        shown, wanted = json.loads(found or b"{}"), json.loads(expected)
    except ValueError:
        return "its record.json cannot be read"
    keys = sorted(key for key in set(shown) | set(wanted) if shown.get(key) != wanted.get(key))
    return "differs in " + ", ".join(keys) if keys else "differs"


def signature_problems(documents: Mapping[str, bytes], authority: x509.Certificate, author: str, *,
                       approved: bool, approver: str | None = None,
                       revoked: Mapping[int, datetime] | None = None) -> list[str]:
    """Every signature of each copy checked against the team authority (and the revocations known here): the
    author's certification, and (when `approved`) one approval by a team lead other than the author (`approver`,
    when known)."""
    from cpassess.export.verification import verify_pdf

    problems = []
    for copy, pdf in documents.items():
        report = verify_pdf(pdf, [authority], revoked=revoked)
        signatures = report.signatures
        found = [*report.problems, *(problem for check in signatures for problem in check.problems)]
        problems += [f"the {copy} copy: {problem}" for problem in found]
        if not signatures or not signatures[0].is_certification or signatures[0].signer_username != author:
            problems.append(f"the {copy} copy is not certified by its author, {author}")
        approvals = [check for check in signatures[1:] if check.field_name == layout.APPROVAL_FIELD]
        if not approved:
            if len(signatures) != 1:
                problems.append(f"the {copy} copy carries signatures beyond the author's certification")
            continue
        if len(signatures) != 2 or len(approvals) != 1:
            problems.append(f"the {copy} copy is certified but NOT approved")
            continue
        approval = approvals[0]
        if Role.TEAM_LEAD not in approval.signer_roles:
            problems.append(f"the {copy} copy's approval was not signed by a team lead")
        if approval.signer_username == author:
            problems.append(f"the {copy} copy was approved by its own author")
        if approver is not None and approval.signer_username != approver:
            problems.append(f"the {copy} copy was approved by {approval.signer_username or 'someone else'}, "
                            f"not by the reviewer {approver}")
    return problems
