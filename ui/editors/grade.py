"""A graded item: five labelled levels and "Not known", this item's own descriptor for each, and the evidence."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFocusEvent, QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cpassess.forms.definition import FormDefinition
from ui.editors.base import SPACING, FieldEditor, note_label, restyle, tight
from ui.editors.simple import GrowingTextEdit, clear_button, uncheck

EVIDENCE_HINT = "Evidence is needed for this grade"
NOT_KNOWN = "Not known"
NOT_KNOWN_DESCRIPTOR = ("There is not yet enough information to grade this item. Say in the evidence what is "
                        "missing and how you will find out.")
PROMPT = "Choose a level to see what it looks like for this item."
_LEFT = {QEvent.Type.Leave, QEvent.Type.FocusOut}
# Focus that the user moved (not focus a window hands its first control when it opens) previews a level.
_USER_FOCUS = {Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason, Qt.FocusReason.ShortcutFocusReason,
               Qt.FocusReason.MouseFocusReason}


class GradeEditor(FieldEditor):
    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        levels = form.scale(field.scale).levels
        self._levels = [(f"{number} {level.label}", descriptor)
                        for number, (level, descriptor) in enumerate(zip(levels, field.descriptors, strict=True),
                                                                      start=1)]
        self._levels.append((NOT_KNOWN, NOT_KNOWN_DESCRIPTOR))

        self._choices = QWidget(self)
        self._describe(self._choices)
        column = tight(QVBoxLayout(self._choices), 2)
        self._group = QButtonGroup(self)
        self._buttons: list[QRadioButton] = []
        for number, (text, descriptor) in enumerate(self._levels):
            button = QRadioButton(text, self._choices)
            button.setAccessibleDescription(descriptor)
            button.installEventFilter(self)
            self._group.addButton(button, number)
            self._buttons.append(button)
            column.addWidget(button)
        self._guard(self._buttons)
        self._clear = clear_button(self)
        column.addSpacing(SPACING // 2)
        column.addWidget(self._clear, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)

        self._panel = QFrame(self)
        self._panel.setProperty("role", "card")
        self._panel.setFrameShape(QFrame.Shape.StyledPanel)
        self._panel.setMinimumWidth(self.fontMetrics().averageCharWidth() * 28)
        self._panel.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._heading = QLabel(self._panel)
        bold = QFont(self._heading.font())
        bold.setBold(True)
        self._heading.setFont(bold)
        self._heading.setWordWrap(True)
        self._descriptor = QLabel(self._panel)
        self._descriptor.setWordWrap(True)
        self._descriptor.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        panel = QVBoxLayout(self._panel)
        panel.setContentsMargins(2 * SPACING, SPACING + 2, 2 * SPACING, SPACING + 2)
        panel.setSpacing(4)
        panel.addWidget(self._heading)
        panel.addWidget(self._descriptor, 1)

        self._evidence_label = QLabel(field.evidence_label, self)
        self._evidence_label.setProperty("role", "field-label")
        self._evidence = GrowingTextEdit(self, min_lines=3, max_lines=15)
        self._evidence.setAccessibleName(f"{field.evidence_label}: {field.label}")
        self._evidence_label.setBuddy(self._evidence)
        self._hint = note_label(EVIDENCE_HINT, role="hint", parent=self)
        self._hint.hide()

        top = tight(QHBoxLayout(), 2 * SPACING)
        top.addWidget(self._choices, 0)
        top.addWidget(self._panel, 1, Qt.AlignmentFlag.AlignTop)
        layout = tight(QVBoxLayout(self))
        layout.addLayout(top)
        layout.addSpacing(SPACING // 2)
        layout.addWidget(self._evidence_label)
        layout.addWidget(self._evidence)
        layout.addWidget(self._hint)

        self._group.idToggled.connect(self._toggled)
        self._clear.clicked.connect(self._clear_grade)
        self._evidence.textChanged.connect(self._evidence_changed)
        self._show_descriptor(None)

    # --- the answer ---

    def _chosen(self) -> int | None:
        """Index into the levels (the last is "Not known"), or None when nothing is chosen."""
        checked = self._group.checkedId()
        return checked if checked >= 0 else None

    def value(self) -> dict[str, Any] | None:
        chosen = self._chosen()
        evidence = self._evidence.text()
        if chosen is None and not evidence.strip():
            return None
        grade = chosen + 1 if chosen is not None and chosen < len(self._levels) - 1 else None
        return {"grade": grade, "evidence": evidence}

    def _show(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        grade = value.get("grade")
        if not value:
            uncheck(self._group)
        elif isinstance(grade, int) and 1 <= grade < len(self._levels):
            self._buttons[grade - 1].setChecked(True)
        else:  # an answer with no grade is "not known"
            self._buttons[-1].setChecked(True)
        self._evidence.setPlainText(value.get("evidence") or "")
        self._update()

    # --- reactions ---

    def _toggled(self, _number: int, checked: bool) -> None:
        if checked:
            self._update()
            self._notify()

    def _clear_grade(self) -> None:
        uncheck(self._group)
        self._update()
        self._buttons[0].setFocus()
        self._notify()

    def _evidence_changed(self) -> None:
        self._update()
        self._notify()

    def _update(self) -> None:
        value = self.value()
        grade = value["grade"] if value else None
        threshold = self.field.evidence_required_from
        needs_evidence = threshold is not None and grade is not None and grade >= threshold
        self._hint.setVisible(needs_evidence and not self._evidence.text().strip())
        self._clear.setEnabled(self._chosen() is not None and not self.is_read_only())
        self._show_descriptor(self._chosen())

    def _show_descriptor(self, index: int | None) -> None:
        if index is None:
            self._heading.hide()
            self._descriptor.setText(PROMPT)
            restyle(self._descriptor, "help")
        else:
            heading, descriptor = self._levels[index]
            chosen = self._chosen()
            self._heading.setText(heading if chosen in (None, index) else f"{heading} (not chosen)")
            self._heading.show()
            self._descriptor.setText(descriptor)
            restyle(self._descriptor, "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Pointing at or tabbing to a level previews its descriptor; leaving it shows the chosen level again."""
        if watched in self._buttons:
            focused = isinstance(event, QFocusEvent) and event.gotFocus() and event.reason() in _USER_FOCUS
            if event.type() == QEvent.Type.Enter or focused:
                self._show_descriptor(self._buttons.index(watched))  # type: ignore[arg-type]
            elif event.type() in _LEFT:
                self._show_descriptor(self._chosen())
        return False

    # --- review mode and focus ---

    def _apply_read_only(self, read_only: bool) -> None:
        self._evidence.setReadOnly(read_only)
        self._clear.setVisible(not read_only)
        self._update()

    def focus_widget(self) -> QWidget:
        checked = self._group.checkedButton()
        return checked if checked is not None else self._buttons[0]
