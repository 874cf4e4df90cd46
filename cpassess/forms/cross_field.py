"""Cross-field warnings (DESIGN §5): combinations of answers that deserve a second look, declared in the form.

They are shown to the author and the reviewer beside the submit problems, never instead of them: a warning does
not stop an assessment being submitted, because the practitioner may have good reason for the combination.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cpassess.forms.answers import AnswersError, validate_draft
from cpassess.forms.conditions import evaluate
from cpassess.forms.definition import FormDefinition
from cpassess.forms.visibility import Visibility


@dataclass(frozen=True)
class FormWarning:
    warning_id: str
    message: str
    field_ids: tuple[str, ...]

    def describe(self, form: FormDefinition) -> str:
        """The message, with the questions it is about in the words the user sees."""
        labels = []
        for field_id in self.field_ids:
            try:
                labels.append(form.field(field_id).label)
            except KeyError:
                continue
        return f"{self.message} ({'; '.join(labels)})" if labels else self.message


def cross_field_warnings(form: FormDefinition, answers: Mapping[str, Any]) -> list[FormWarning]:
    """The form's warnings whose condition holds for the visible answers (none for answers that do not parse:
    those have problems to put right first)."""
    try:
        clean = validate_draft(form, dict(answers))
    except AnswersError:
        return []
    shown = Visibility(form, clean).visible_answers()
    return [FormWarning(warning.id, warning.message, tuple(warning.fields)) for warning in form.warnings
            if evaluate(warning.when, shown.get)]
