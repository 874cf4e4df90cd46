"""Whether signed PDFs belong to exactly the content they travel with (DESIGN §9.7).

Each copy must carry, inside its certified revision, the `record.json` of that copy of the content (the family
copy: the redaction of the same content), be certified by the assessment's author and, once approved, carry one
approval by a team lead who is not the author, signed on those same bytes. Every answer is a list of sentences
(empty when all is well), so the importer, the approval and `cpassess check` say the same things.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography import x509

from cpassess.casework.documents import COPIES, copy_contents
from cpassess.export import layout
from cpassess.forms import FormDefinition, canonical_json
from cpassess.workflow import Role


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
