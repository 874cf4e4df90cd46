"""Summaries computed from answers, named in definitions by `computed` fields and shared by screen and PDF."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cpassess.forms.definition import ComputedField, FormDefinition, GradeField, RatingField, Section
from cpassess.forms.visibility import Visibility

SERIOUS_FROM = 4


@dataclass(frozen=True)
class DomainProfile:
    """One neglect domain: how its graded items came out."""

    section_id: str
    title: str
    items: int
    graded: int
    not_known: int
    worst: int | None
    mean: float | None
    serious: int  # items graded 4 or 5

    @property
    def unanswered(self) -> int:
        return self.items - self.graded - self.not_known


@dataclass(frozen=True)
class IndicatorRating:
    """One wellbeing indicator (SHANARRI) with its rating level, or None when not yet rated."""

    field_id: str
    label: str
    level_id: str | None
    level_label: str
    tone: str


def neglect_profile(form: FormDefinition, answers: Mapping[str, Any], sources: Sequence[str]) -> list[DomainProfile]:
    """Per domain (a source section): worst grade, mean grade and how many items are at 4 or 5."""
    visibility = Visibility(form, answers)
    sections = [section for section in form.sections if section.id in sources]
    return [_domain(section, answers, visibility) for section in sections if visibility.section(section)]


def _domain(section: Section, answers: Mapping[str, Any], visibility: Visibility) -> DomainProfile:
    items = [field for field in section.fields if isinstance(field, GradeField) and visibility.field(field.id)]
    grades: list[int] = []
    not_known = 0
    for field in items:
        value = answers.get(field.id)
        if not isinstance(value, Mapping):
            continue
        grade = value.get("grade")
        if isinstance(grade, int):
            grades.append(grade)
        elif "grade" in value:  # None is "not known"; no key at all is not graded yet
            not_known += 1
    return DomainProfile(
        section_id=section.id,
        title=section.title,
        items=len(items),
        graded=len(grades),
        not_known=not_known,
        worst=max(grades) if grades else None,
        mean=round(sum(grades) / len(grades), 2) if grades else None,
        serious=sum(1 for grade in grades if grade >= SERIOUS_FROM),
    )


def shanarri_overview(form: FormDefinition, answers: Mapping[str, Any],
                      sources: Sequence[str]) -> list[IndicatorRating]:
    """Each wellbeing indicator (a source rating field) with its level, label and tone."""
    visibility = Visibility(form, answers)
    overview = []
    for field_id in sources:
        field = form.field(field_id)
        if not isinstance(field, RatingField) or not visibility.field(field_id):
            continue
        levels = {level.id: level for level in form.scale(field.scale).levels}
        level = levels.get(answers.get(field_id))  # type: ignore[arg-type]
        overview.append(IndicatorRating(
            field_id=field_id,
            label=field.label,
            level_id=level.id if level else None,
            level_label=level.label if level else "Not yet rated",
            tone=level.tone if level else "unknown",
        ))
    return overview


Computation = Callable[[FormDefinition, Mapping[str, Any], Sequence[str]], list[Any]]

COMPUTATIONS: dict[str, Computation] = {
    "neglect_profile": neglect_profile,
    "shanarri_overview": shanarri_overview,
}


def compute(form: FormDefinition, field: ComputedField, answers: Mapping[str, Any]) -> list[Any]:
    """The value of a computed field for these answers."""
    return COMPUTATIONS[field.function](form, answers, field.sources)
