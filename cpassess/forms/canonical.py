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
                      child: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The document that is hashed and signed: form id and version, answers and (when given) the child snapshot."""
    content: dict[str, Any] = {
        "form_id": form.id,
        "form_version": form.version,
        "answers": canonical_answers(form, answers),
    }
    if child is not None:
        content["child"] = dict(child)
    return content


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
