"""Prefill (DESIGN §5): a repeat that starts with rows from the child's last approved assessment of another form,
such as a core group review starting from the actions of the child's plan. Declared in the form; resolved here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cpassess.forms.answers import validate_draft
from cpassess.forms.definition import FormDefinition, Prefill, RepeatField

# form id -> the answers of the child's last approved assessment of that form, or None when there is none
LastApproved = Callable[[str], Mapping[str, Any] | None]
# the child's chronology, oldest first: rows with the keys of CHRONOLOGY_KEYS
Chronology = Callable[[], Sequence[Mapping[str, Any]]]


def prefills(form: FormDefinition) -> list[tuple[RepeatField, Prefill]]:
    """The repeats of `form` that declare a prefill."""
    return [(field, field.prefill) for _, field in form.fields()
            if isinstance(field, RepeatField) and field.prefill is not None]


def prefilled_answers(form: FormDefinition, last_approved: LastApproved,
                      chronology: Chronology | None = None) -> dict[str, Any]:
    """The answers a new assessment of `form` starts with: every prefilled repeat's rows, copied column by column
    from the earlier assessment's answers or the child's chronology, keeping only values the new column accepts."""
    answers: dict[str, Any] = {}
    for field, prefill in prefills(form):
        rows: Any
        if prefill.source == "chronology":
            rows = chronology() if chronology is not None else []
        else:
            assert prefill.form is not None and prefill.field is not None
            rows = (last_approved(prefill.form) or {}).get(prefill.field)
        if not isinstance(rows, list):
            continue
        copied = []
        for row in rows[: field.max_items]:
            if not isinstance(row, Mapping):
                continue
            new_row = {target: row[source] for target, source in prefill.columns.items() if row.get(source) is not None}
            copied.append({column: value for column, value in new_row.items()
                           if _fits(form, field, column, value)})
        if copied:
            answers[field.id] = copied
    return answers


def _fits(form: FormDefinition, field: RepeatField, column: str, value: Any) -> bool:
    try:
        validate_draft(form, {field.id: [{column: value}]})
    except ValueError:
        return False
    return True
