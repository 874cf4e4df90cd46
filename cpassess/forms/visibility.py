"""Which sections and fields are shown for a given set of answers (`visible_if`, evaluated in one place)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cpassess.forms.conditions import evaluate
from cpassess.forms.definition import FormDefinition, Section


class Visibility:
    """Visibility of every field for one set of answers; a hidden field reads as unanswered in conditions."""

    def __init__(self, form: FormDefinition, answers: Mapping[str, Any]) -> None:
        self._form = form
        self._answers = answers
        self._sections = {field.id: section for section, field in form.fields()}
        self._fields = {field.id: field for _, field in form.fields()}
        self._memo: dict[str, bool] = {}

    def _value_of(self, field_id: str) -> Any:
        return self._answers.get(field_id) if self.field(field_id) else None

    def section(self, section: Section) -> bool:
        return section.visible_if is None or evaluate(section.visible_if, self._value_of)

    def field(self, field_id: str) -> bool:
        if field_id not in self._memo:
            if field_id not in self._fields:
                return False
            self._memo[field_id] = False  # definitions are checked acyclic; this only guards hand-made ones
            condition = self._fields[field_id].visible_if
            self._memo[field_id] = self.section(self._sections[field_id]) and (
                condition is None or evaluate(condition, self._value_of))
        return self._memo[field_id]

    def visible_answers(self) -> dict[str, Any]:
        return {key: value for key, value in self._answers.items() if self.field(key)}
