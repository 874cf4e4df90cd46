"""A read-only summary worked out in the core from other answers (the domain profile, wellbeing at a glance)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from cpassess.forms import DomainProfile, IndicatorRating, compute
from cpassess.forms.definition import FormDefinition
from ui.editors.base import SPACING, FieldEditor, note_label, tight

PROFILE_HEADINGS = ("Area of care", "Items graded", "Average grade", "Highest grade", "Graded 4 or 5", "Not known")
OVERVIEW_HEADINGS = ("Wellbeing indicator", "Rating")
# A marker beside a rating's words (never instead of them): its shape differs by tone as well as its colour.
TONE_MARKS = {"good": ("●", "#24703a"), "caution": ("◆", "#9a6700"), "concern": ("▲", "#a8321e"),
              "unknown": ("○", "#5f6b7a")}
NOTHING = "Nothing to summarise yet."
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _profile_rows(profiles: list[DomainProfile]) -> list[list[str]]:
    return [[profile.title, f"{profile.graded} of {profile.items}", _number(profile.mean),
             "—" if profile.worst is None else str(profile.worst), str(profile.serious), str(profile.not_known)]
            for profile in profiles]


def _overview_rows(ratings: list[IndicatorRating]) -> list[list[str]]:
    rows = []
    for rating in ratings:
        mark, colour = TONE_MARKS.get(rating.tone, TONE_MARKS["unknown"])
        level = f'<span style="color:{colour}">{mark}</span>&nbsp;{_escape(rating.level_label)}'
        rows.append([_escape(rating.label), level])
    return rows


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Summary(QFrame):
    """The summary's card; it takes Tab focus (so it can be reached and read) and then shows a focus frame."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.hasFocus():
            painter = QPainter(self)
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.DashLine))
            painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
            painter.end()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()


class ComputedEditor(FieldEditor):
    """Shows what the core computes for this field; it has no answer of its own."""

    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        self._frame = _Summary(self)
        self._describe(self._frame)
        self._grid = QGridLayout(self._frame)
        self._grid.setContentsMargins(2 * SPACING, SPACING, 2 * SPACING, SPACING)
        self._grid.setHorizontalSpacing(2 * SPACING)
        self._grid.setVerticalSpacing(4)
        self._nothing = note_label(NOTHING, parent=self)
        layout = tight(QVBoxLayout(self))
        layout.addWidget(self._frame)
        layout.addWidget(self._nothing)
        self._cells: list[list[QLabel]] = []
        self._shape: tuple[int, int] | None = None
        self.refresh({})

    def value(self) -> None:
        return None

    def _show(self, value: Any) -> None:
        """A computed field is never stored: there is nothing to show from an answer."""

    def refresh(self, answers: Mapping[str, Any]) -> None:
        results = compute(self.form, self.field, answers)
        if results and isinstance(results[0], DomainProfile):
            headings, rows = PROFILE_HEADINGS, _profile_rows(results)
        elif results and isinstance(results[0], IndicatorRating):
            headings, rows = OVERVIEW_HEADINGS, _overview_rows(results)
        else:
            headings, rows = (), []
        self._nothing.setVisible(not rows)
        self._frame.setVisible(bool(rows))
        shape = (len(headings), len(rows))
        if shape != self._shape:
            self._build(headings, len(rows))
        for labels, row in zip(self._cells, rows, strict=True):
            for label, text in zip(labels, row, strict=True):
                label.setText(text)
        self._shape = shape

    def _build(self, headings: tuple[str, ...], rows: int) -> None:
        for index in reversed(range(self._grid.count())):
            item = self._grid.takeAt(index)
            if item.widget() is not None:
                item.widget().deleteLater()
        numbers = headings == PROFILE_HEADINGS  # every column after the first holds a number
        bold = QFont(self.font())
        bold.setBold(True)
        for column, heading in enumerate(headings):
            label = QLabel(heading, self._frame)
            label.setFont(bold)
            label.setWordWrap(True)
            label.setAlignment(_RIGHT if numbers and column else _LEFT)
            self._grid.addWidget(label, 0, column)
        self._cells = []
        for row in range(rows):
            labels = []
            for column in range(len(headings)):
                label = QLabel(self._frame)
                label.setTextFormat(Qt.TextFormat.PlainText if numbers else Qt.TextFormat.RichText)
                label.setAlignment(_RIGHT if numbers and column else _LEFT)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self._grid.addWidget(label, row + 1, column)
                labels.append(label)
            self._cells.append(labels)
        self._grid.setColumnStretch(0 if numbers else 1, 1)

    def _apply_read_only(self, read_only: bool) -> None:
        """Always read-only."""

    def focus_widget(self) -> QWidget:
        return self._frame
