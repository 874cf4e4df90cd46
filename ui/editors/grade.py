"""A graded item: five labelled levels and "Not known", each beside this item's own descriptor, and the evidence.

All descriptors are on screen at once, so a practitioner can compare the levels before choosing one. Evidence
typed before a level is chosen is kept without a grade (not as "not known"); the core's check says a level is
missing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QRadioButton, QVBoxLayout, QWidget

from cpassess.forms.definition import FormDefinition
from ui.editors.base import SPACING, FieldEditor, note_label, restyle, tight
from ui.editors.simple import GrowingTextEdit, clear_button, uncheck

EVIDENCE_HINT = "Evidence is needed for this grade"
NOT_KNOWN = "Not known"
NOT_KNOWN_DESCRIPTOR = ("There is not yet enough information to grade this item. Say in the evidence what is "
                        "missing and how you will find out.")


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
        grid = QGridLayout(self._choices)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(2 * SPACING)
        grid.setVerticalSpacing(SPACING)
        grid.setColumnStretch(1, 1)
        self._group = QButtonGroup(self)
        self._buttons: list[QRadioButton] = []
        self._descriptors: list[QLabel] = []
        for number, (text, descriptor) in enumerate(self._levels):
            button = QRadioButton(text, self._choices)
            button.setAccessibleDescription(descriptor)
            self._group.addButton(button, number)
            self._buttons.append(button)
            words = note_label(descriptor, parent=self._choices)
            words.installEventFilter(self)  # clicking the words chooses their level, as clicking the button does
            self._descriptors.append(words)
            grid.addWidget(button, number, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(words, number, 1, Qt.AlignmentFlag.AlignTop)
        self._guard(self._buttons)
        self._clear = clear_button(self)

        self._evidence_label = QLabel(field.evidence_label, self)
        self._evidence_label.setProperty("role", "field-label")
        self._evidence = GrowingTextEdit(self, min_lines=3, max_lines=15)
        self._evidence.setAccessibleName(f"{field.evidence_label}: {field.label}")
        self._evidence_label.setBuddy(self._evidence)
        self._hint = note_label(EVIDENCE_HINT, role="hint", parent=self)
        self._hint.hide()

        clear_row = tight(QHBoxLayout())
        clear_row.addWidget(self._clear)
        clear_row.addStretch(1)
        layout = tight(QVBoxLayout(self))
        layout.addWidget(self._choices)
        layout.addLayout(clear_row)
        layout.addSpacing(SPACING // 2)
        layout.addWidget(self._evidence_label)
        layout.addWidget(self._evidence)
        layout.addWidget(self._hint)

        self._group.idToggled.connect(self._toggled)
        self._clear.clicked.connect(self._clear_grade)
        self._evidence.edited.connect(self._evidence_changed)
        self._update()

    # --- the answer ---

    def _chosen(self) -> int | None:
        """Index into the levels (the last is "Not known"), or None when nothing is chosen."""
        checked = self._group.checkedId()
        return checked if checked >= 0 else None

    def value(self) -> dict[str, Any] | None:
        chosen = self._chosen()
        evidence = self._evidence.text()
        if chosen is None:  # evidence without a level has no grade key at all: it is not "not known"
            return {"evidence": evidence} if evidence.strip() else None
        grade = chosen + 1 if chosen < len(self._levels) - 1 else None
        return {"grade": grade, "evidence": evidence}

    def _show(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        grade = value.get("grade")
        if "grade" not in value:
            uncheck(self._group)
        elif isinstance(grade, int) and 1 <= grade < len(self._levels):
            self._buttons[grade - 1].setChecked(True)
        else:
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
        chosen = self._chosen()
        grade = chosen + 1 if chosen is not None and chosen < len(self._levels) - 1 else None
        threshold = self.field.evidence_required_from
        needs_evidence = threshold is not None and grade is not None and grade >= threshold
        self._hint.setVisible(needs_evidence and not self._evidence.text().strip())
        self._clear.setEnabled(chosen is not None and not self.is_read_only())
        for number, words in enumerate(self._descriptors):
            restyle(words, "chosen" if number == chosen else "help")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and watched in self._descriptors:
            button = self._buttons[self._descriptors.index(watched)]  # type: ignore[arg-type]
            if not self.is_read_only():
                button.setChecked(True)
                button.setFocus(Qt.FocusReason.MouseFocusReason)
        return False

    # --- review mode and focus ---

    def _apply_read_only(self, read_only: bool) -> None:
        self._evidence.setReadOnly(read_only)
        self._clear.setVisible(not read_only)
        self._update()

    def focus_widget(self) -> QWidget:
        checked = self._group.checkedButton()
        return checked if checked is not None else self._buttons[0]
