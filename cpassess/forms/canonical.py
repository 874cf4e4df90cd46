"""The canonical content of an assessment and its SHA-256: what the author signs and the team lead approves.

Canonical JSON: keys sorted, no insignificant white space, UTF-8, text exactly as typed. Only visible,
non-empty answers count, so hiding a question or clearing a box cannot leave invisible signed content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cpassess.forms.answers import validate_draft
from cpassess.forms.definition import FormDefinition
from cpassess.forms.validation import is_empty
from cpassess.forms.visibility import Visibility


def canonical_answers(form: FormDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that count: validated, visible and not empty."""
    clean = validate_draft(form, dict(answers) if isinstance(answers, Mapping) else answers)
    visibility = Visibility(form, clean)
    return {key: value for key, value in clean.items() if visibility.field(key) and not is_empty(value)}


def canonical_content(form: FormDefinition, answers: Mapping[str, Any],
                      child: Mapping[str, Any] | None = None,
                      about: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The document that is hashed and signed: form id and version, answers, (when given) the child snapshot, and
    `about`: what else the record shows (assessment id, author, start date, the earlier profile it compares with).

    Its canonical JSON is the `record.json` embedded in the signed PDF, and every page of that PDF is rendered
    from it alone, so the words on paper are the words that were signed.
    """
    content: dict[str, Any] = dict(about or {})
    if RESERVED & content.keys():
        raise ValueError(f"`about` may not set {', '.join(sorted(RESERVED & content.keys()))}")
    content.update({"form_id": form.id, "form_version": form.version, "answers": canonical_answers(form, answers)})
    if child is not None:
        content["child"] = dict(child)
    return content


RESERVED = frozenset({"form_id", "form_version", "answers", "child", "copy", "full_content_sha256"})
FAMILY_COPY = "family"


def family_content(form: FormDefinition, content: Mapping[str, Any]) -> dict[str, Any]:
    """The family copy's record (DESIGN §9.4): the same content without the answers marked sensitive, naming
    the full content's hash so the two copies can be matched to one approval."""
    sensitive = {field.id for _, field in form.fields() if field.sensitive}
    redacted = dict(content)
    redacted["answers"] = {key: value for key, value in content["answers"].items() if key not in sensitive}
    redacted["copy"] = FAMILY_COPY
    redacted["full_content_sha256"] = content_sha256(content)
    return redacted


def canonical_json(content: Mapping[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def content_sha256(content: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the canonical JSON of `content`."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def fingerprint(sha256_hex: str) -> str:
    """The short form printed on paper so a printed page can be matched to the record: 4 groups of 4."""
    short = sha256_hex[:16].upper()
    return "-".join(short[i:i + 4] for i in range(0, 16, 4))
