"""Submit validation: everything a draft may lack but a submitted assessment must have, reported all at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from cpassess.forms.answers import AnswersError, Problem, validate_draft
from cpassess.forms.conditions import evaluate
from cpassess.forms.definition import (
    ComputedField,
    DateField,
    FormDefinition,
    GradeField,
    RepeatColumn,
    RepeatField,
    ResilienceMatrixField,
    Section,
)
from cpassess.forms.visibility import Visibility


def is_empty(value: Any) -> bool:
    """An answer that says nothing: missing, blank text, an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not value
    return False


def validate_submission(form: FormDefinition, answers: Any, today: dt.date | None = None) -> list[Problem]:
    """Every problem that stops these answers being submitted; an empty list means they can be."""
    try:
        clean = validate_draft(form, answers)
    except AnswersError as error:
        return error.problems
    today = today or dt.date.today()
    visibility = Visibility(form, clean)
    shown = visibility.visible_answers()  # a hidden answer constrains nothing, not even a later date
    problems: list[Problem] = []
    for section in form.sections:
        for field in section.fields:
            if visibility.field(field.id) and not isinstance(field, ComputedField):
                problems.extend(_field_problems(form, section, field, shown, today))
    return problems


def _field_problems(form: FormDefinition, section: Section, field: Any, answers: Mapping[str, Any],
                    today: dt.date) -> Iterator[Problem]:
    value = answers.get(field.id)

    def problem(message: str, row: int | None = None, column: str | None = None) -> Problem:
        return Problem(section.id, field.id, message, row, column)

    if is_empty(value) and (field.required or (
            field.required_if is not None and evaluate(field.required_if, answers.get))):
        yield problem("an answer is needed")
        return
    match field:
        case GradeField() if isinstance(value, Mapping):
            grade, evidence = value.get("grade"), value.get("evidence", "")
            threshold = field.evidence_required_from
            if threshold is not None and isinstance(grade, int) and grade >= threshold and is_empty(evidence):
                yield problem(f"evidence is needed for a grade of {threshold} or higher")
        case DateField() if isinstance(value, str):
            yield from (problem(message) for message in _date_problems(form, field, value, answers, today))
        case RepeatField() if isinstance(value, list) or value is None:
            rows = value or []  # an unanswered table has no rows, and min_items still applies
            if len(rows) < field.min_items:
                yield problem(f"at least {field.min_items} {field.item_label.lower()}"
                              f"{'s are' if field.min_items > 1 else ' is'} needed")
            for row_index, row in enumerate(rows):
                for column in field.fields:
                    for message in _column_problems(form, column, row.get(column.id), answers, today):
                        yield problem(message, row_index, column.id)
        case ResilienceMatrixField() if isinstance(value, Mapping) and field.required:
            if value.get("resilience") is None or value.get("environment") is None:
                yield problem("place the child on both axes of the matrix")


def _column_problems(form: FormDefinition, column: RepeatColumn, value: Any, answers: Mapping[str, Any],
                     today: dt.date) -> Iterator[str]:
    if column.required and is_empty(value):
        yield "an answer is needed"
    elif isinstance(column, DateField) and isinstance(value, str):
        yield from _date_problems(form, column, value, answers, today)


def _date_problems(form: FormDefinition, field: DateField, value: str, answers: Mapping[str, Any],
                   today: dt.date) -> Iterator[str]:
    day = dt.date.fromisoformat(value)
    if field.not_future and day > today:
        yield "cannot be in the future"
    if field.minimum is not None and day < field.minimum:
        yield f"cannot be before {field.minimum:%d/%m/%Y}"
    if field.maximum is not None and day > field.maximum:
        yield f"cannot be after {field.maximum:%d/%m/%Y}"
    other = answers.get(field.not_before) if field.not_before is not None else None
    if isinstance(other, str) and field.not_before is not None and day < dt.date.fromisoformat(other):
        label = form.field(field.not_before).label
        yield f"cannot be before {label.lower()} ({dt.date.fromisoformat(other):%d/%m/%Y})"
