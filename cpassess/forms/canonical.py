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
from cpassess.forms.definition import ROW_SENSITIVE, FormDefinition, RepeatField
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


RESERVED = frozenset({"form_id", "form_version", "answers", "child", "copy", "full_content_sha256", "withheld"})
FAMILY_COPY = "family"


def family_content(form: FormDefinition, content: Mapping[str, Any]) -> dict[str, Any]:
    """The family copy's record (DESIGN §9.4): the same content without the answers marked sensitive, without the
    sensitive columns and the rows marked sensitive of a table, naming the full content's hash so the two copies
    can be matched to one approval. `withheld` says, for each table that lost something, what was left out, so
    the copy can say so where the table is printed."""
    sensitive = {field.id for _, field in form.fields() if field.sensitive}
    answers: dict[str, Any] = {}
    withheld: dict[str, dict[str, Any]] = {}
    for key, value in content["answers"].items():
        if key in sensitive:
            continue
        field = _repeat(form, key)
        if field is not None and isinstance(value, list):
            answers[key], note = _redacted_rows(field, value)
            if note:
                withheld[key] = note
        else:
            answers[key] = value
    redacted = dict(content)
    redacted["answers"] = answers
    if withheld:
        redacted["withheld"] = withheld
    redacted["copy"] = FAMILY_COPY
    redacted["full_content_sha256"] = content_sha256(content)
    return redacted


def _repeat(form: FormDefinition, field_id: str) -> RepeatField | None:
    try:
        field = form.field(field_id)
    except KeyError:
        return None
    return field if isinstance(field, RepeatField) else None


def _redacted_rows(field: RepeatField, rows: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    """The rows the family sees (the sensitive flag itself dropped) and what was left out."""
    hidden = {column.id for column in field.withheld_columns()}
    if field.row_sensitivity:
        hidden.add(ROW_SENSITIVE)
    kept = [{column: cell for column, cell in row.items() if column not in hidden} for row in rows
            if not (field.row_sensitivity and isinstance(row, Mapping) and row.get(ROW_SENSITIVE) is True)]
    note: dict[str, Any] = {}
    if len(kept) < len(rows):
        note["rows"] = len(rows) - len(kept)
    shown_columns = [column.label for column in field.withheld_columns()
                     if any(isinstance(row, Mapping) and not is_empty(row.get(column.id)) for row in rows)]
    if shown_columns:
        note["columns"] = shown_columns
    return kept, note


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
