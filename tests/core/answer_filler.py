"""Helpers for the forms tests: the shipped forms as a parameter list, and a practitioner who answers everything.

A plain module rather than conftest fixtures, so the forms tests need nothing from the database set-up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cpassess.forms import FormDefinition, default_catalog

# Submit rules that look at "today" are always given this date, so the tests never depend on the clock.
TODAY = dt.date(2025, 6, 2)

SHIPPED_FORMS = [pytest.param(form, id=f"{form.id}-v{form.version}") for form in default_catalog()]


def _date_for(field: Any, base: dt.date) -> dt.date:
    day = base + dt.timedelta(days=7) if field.not_before else base
    if field.minimum is not None and day < field.minimum:
        day = field.minimum
    if field.maximum is not None and day > field.maximum:
        day = field.maximum
    return day


def _number_for(field: Any) -> int | float:
    wanted: float = 3 if field.integer else 2.5
    if field.minimum is not None:
        wanted = max(wanted, field.minimum)
    if field.maximum is not None:
        wanted = min(wanted, field.maximum)
    return int(wanted) if field.integer else wanted


def answer_for(form: FormDefinition, field: Any, base: dt.date) -> Any:
    """A valid, non-empty answer to one field (None for a computed field, which is never answered)."""
    match field.kind:
        case "text":
            return f"Answer to {field.id}: Siobhán Ní Bhriain"[: field.max_length]
        case "long_text":
            return (f"What we saw for {field.id}.\nŁukasz said\tthat Дмитрий and Ἀλέξανδρος visit "
                    "every week.")[: field.max_length]
        case "date":
            return _date_for(field, base).isoformat()
        case "number":
            return _number_for(field)
        case "choice":
            return field.options[-1].id
        case "multi_choice":
            return [option.id for option in field.options]
        case "yes_no_unknown":
            return "yes"
        case "grade":
            return {"grade": 4, "evidence": f"Seen on three home visits ({field.id}); the school agrees."}
        case "rating":
            return form.scale(field.scale).levels[0].id
        case "resilience_matrix":
            return {
                "resilience": 2,
                "environment": -1,
                "resilience_factors": ["Good friendships at school"],
                "vulnerability_factors": ["Frequent moves of home"],
                "protective_factors": ["A grandmother who visits every day"],
                "adversity_factors": ["Money worries"],
            }
        case "repeat":
            rows = max(1, field.min_items)
            flag = {"sensitive": False} if field.row_sensitivity else {}
            return [{**{column.id: answer_for(form, column, base) for column in field.fields}, **flag}
                    for _ in range(rows)]
        case "computed":
            return None
    raise AssertionError(f"the test filler does not know the kind {field.kind!r}")


def fill_every_field(form: FormDefinition) -> dict[str, Any]:
    """Answers to every question: grades with evidence, dates in the past (not_before respected), full rows."""
    base = TODAY - dt.timedelta(days=30)
    answers = {field.id: answer_for(form, field, base) for _, field in form.fields()}
    return {key: value for key, value in answers.items() if value is not None}
