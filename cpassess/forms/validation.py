"""Submit validation: everything a draft may lack but a submitted assessment must have, reported all at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class SectionCheck:
    """One section measured against the submit check: what is wrong in it, and how much of it is answered."""

    section_id: str
    problems: tuple[Problem, ...]
    answered: int
    questions: int
    has_required: bool

    @property
    def complete(self) -> bool:
        """Nothing wrong, and something said: every required answer when the section has any, else every answer.

        A section of only optional questions (views, a chronology, the matrix) is complete when all are answered,
        so one placed point or one row never earns a tick.
        """
        if self.problems or not self.answered:
            return False
        return self.has_required or self.answered == self.questions


def section_problems(form: FormDefinition, answers: Any, today: dt.date | None = None) -> dict[str, list[Problem]]:
    """The submit check's problems grouped by section id (every section present, most with an empty list).

    Problems that belong to no section (a malformed answers document) are under the key "".
    """
    grouped: dict[str, list[Problem]] = {section.id: [] for section in form.sections}
    for found in validate_submission(form, answers, today):
        grouped.setdefault(found.section_id or "", []).append(found)
    return grouped


def check_sections(form: FormDefinition, answers: Any, today: dt.date | None = None) -> dict[str, SectionCheck]:
    """Every visible section checked exactly as submit would check it; the editor's ticks and messages come from
    this, so the screen and submit never disagree."""
    grouped = section_problems(form, answers, today)
    try:
        clean = validate_draft(form, answers)
    except AnswersError:
        clean = {}
    visibility = Visibility(form, clean)
    checks = {}
    for section in form.sections:
        if not visibility.section(section):
            continue
        fields = [f for f in section.fields if visibility.field(f.id) and not isinstance(f, ComputedField)]
        checks[section.id] = SectionCheck(
            section_id=section.id,
            problems=tuple(grouped.get(section.id, ())),
            answered=sum(1 for f in fields if not is_empty(clean.get(f.id))),
            questions=len(fields),
            has_required=any(f.required for f in fields))
    return checks


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
            if "grade" not in value:  # evidence typed, no level chosen: "not known" is a choice of its own
                yield problem("choose a level for this evidence (or “Not known”)")
                return
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
                if all(is_empty(row.get(column.id)) for column in field.fields):
                    yield problem("this row is empty: fill it in or remove it", row_index)
                    continue
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
