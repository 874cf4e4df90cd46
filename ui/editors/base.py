"""What every field editor offers the form page: `value()`, `set_value()`, a `changed` signal, review mode."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLayout, QWidget

from cpassess.forms.definition import FormDefinition

SPACING = 6

# In review mode only Tab and Shift+Tab reach buttons and lists: every other key could change an answer.
_NAVIGATION_KEYS = {Qt.Key.Key_Tab, Qt.Key.Key_Backtab}
_BLOCKED_MOUSE = {QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
                  QEvent.Type.Wheel}


class FieldEditor(QWidget):
    """One question's editor. It does not draw the label: the form page puts label, help and problems around it.

    Subclasses implement `value()` and `_show(value)`; internal widgets call `_notify()` when the user changes
    something, which emits `changed` except while `set_value()` is loading an answer.
    """

    changed = Signal()

    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.form = form
        self._loading = False
        self._read_only = False
        self._blocker = _InputBlocker(self)

    def value(self) -> Any:
        """The answer as JSON-ready data, or None when the question is unanswered."""
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        """Show an answer (None clears) without emitting `changed`."""
        self._loading = True
        try:
            self._show(value)
        finally:
            self._loading = False

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def set_read_only(self, read_only: bool) -> None:
        """Review mode: the answer stays readable and focusable, but cannot be changed."""
        self._read_only = read_only
        self._blocker.active = read_only
        self._apply_read_only(read_only)

    def is_read_only(self) -> bool:
        return self._read_only

    def _apply_read_only(self, read_only: bool) -> None:
        raise NotImplementedError

    def focus_widget(self) -> QWidget:
        """The control to focus when the user jumps here from a list of problems."""
        return self

    def refresh(self, answers: Mapping[str, Any]) -> None:
        """Other answers changed; only editors that summarise them need to do anything."""

    def _notify(self, *_: Any) -> None:
        if not self._loading:
            self.changed.emit()

    def _describe(self, widget: QWidget) -> None:
        """Name a primary control after the question, for screen readers (the visible label is the page's)."""
        widget.setAccessibleName(self.field.label)
        widget.setAccessibleDescription(self.field.help)

    def _guard(self, widgets: Iterable[QWidget]) -> None:
        """Buttons, check boxes and combo boxes have no read-only state of their own: filter their input instead."""
        for widget in widgets:
            widget.installEventFilter(self._blocker)


class _InputBlocker(QObject):
    """Swallows clicks, wheel turns and keys that would change a control, while leaving Tab to move focus."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.active = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.active:
            return False
        if event.type() in _BLOCKED_MOUSE:
            return True
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and isinstance(event, QKeyEvent):
            return Qt.Key(event.key()) not in _NAVIGATION_KEYS
        return False


def tight[L: QLayout](layout: L, spacing: int = SPACING) -> L:
    """Editors sit inside the page's own margins: no margins of their own, and one spacing throughout."""
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    return layout


def note_label(text: str = "", role: str = "help", parent: QWidget | None = None) -> QLabel:
    """A small wrapped line of text under a control (a hint, a character count); styled by the theme's role."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setProperty("role", role)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if role == "hint":  # a hint must stand out by more than the theme's colour
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label




def restyle(label: QLabel, role: str) -> None:
    """Change a label's theme role and have the style sheet look at it again."""
    label.setProperty("role", role)
    label.style().unpolish(label)
    label.style().polish(label)
