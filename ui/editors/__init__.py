"""One editor per field kind behind one registry (DESIGN §12, STYLE point 4)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from cpassess.forms.definition import FIELD_KINDS, FormDefinition, FormField
from ui.editors.base import FieldEditor
from ui.editors.computed import ComputedEditor
from ui.editors.grade import GradeEditor
from ui.editors.matrix import ResilienceMatrixEditor
from ui.editors.repeat import RepeatEditor
from ui.editors.simple import (
    ChoiceEditor,
    DateEditor,
    LongTextEditor,
    MultiChoiceEditor,
    NumberEditor,
    RatingEditor,
    TextEditor,
    YesNoUnknownEditor,
)

__all__ = ["EDITOR_FACTORIES", "FieldEditor", "editor_for"]

EditorFactory = Callable[[FormField, FormDefinition, QWidget | None], FieldEditor]

EDITOR_FACTORIES: dict[str, EditorFactory] = {
    "text": TextEditor,
    "long_text": LongTextEditor,
    "date": DateEditor,
    "number": NumberEditor,
    "choice": ChoiceEditor,
    "multi_choice": MultiChoiceEditor,
    "yes_no_unknown": YesNoUnknownEditor,
    "grade": GradeEditor,
    "rating": RatingEditor,
    "repeat": RepeatEditor,
    "resilience_matrix": ResilienceMatrixEditor,
    "computed": ComputedEditor,
}


def editor_for(field: FormField, form: FormDefinition, parent: QWidget | None = None) -> FieldEditor:
    """The editor for one field of `form`; a kind with no editor is a KeyError naming the field and the kind."""
    kind = getattr(field, "kind", None)
    factory = EDITOR_FACTORIES.get(kind)  # type: ignore[arg-type]
    if factory is None:
        raise KeyError(f"no editor for field {getattr(field, 'id', '?')!r} of kind {kind!r}; "
                       f"the kinds with editors are: {', '.join(FIELD_KINDS)}")
    return factory(field, form, parent)
