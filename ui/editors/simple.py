"""Editors for the one-value kinds: text, long text, date, number, choice, multiple choice, yes/no, rating."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from PySide6.QtCore import QDate, QMimeData, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFontMetricsF,
    QIcon,
    QKeyEvent,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QValidator,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QBoxLayout,
    QButtonGroup,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cpassess.forms.definition import FormDefinition, options_of
from ui.editors.base import SPACING, FieldEditor, note_label, restyle, tight
from ui.spelling import check_spelling, context_menu

DATE_HINT = "Type a date as dd/mm/yyyy"
NOT_ANSWERED = "Not answered"
CHOOSE = "— choose —"
UNBOUNDED = 1_000_000_000  # a spin box needs bounds; this is far beyond any count or measure on these forms
COUNT_FROM = 0.9  # the character count appears once a narrative reaches this share of its limit

_ONE_LINE_BREAKS = re.compile(r"\r\n|[\x00-\x1f\x7f]")
_NARRATIVE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DIGITS = re.compile(r"^(\d{2})(\d{2})(\d{4}|\d{2})$")


# --- typed dates -------------------------------------------------------------------------------------------


def parse_typed_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """A date as people in the UK type it: 21/11/2026, 21/11/26, 21.11.2026, 21-11-2026, 21112026 or 2026-11-21."""
    text = text.strip()
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := (_DMY.match(text) or _DIGITS.match(text)):
        day, month = int(match[1]), int(match[2])
        year = int(match[3])
        if len(match[3]) == 2:  # 26 is 2026; 85 is 1985 (a carer's birth year), not sixty years ahead
            this_year = (today or dt.date.today()).year
            year += 2000 if 2000 + year <= this_year + 10 else 1900
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def shown_date(iso: str | None) -> str:
    """An ISO date as the app shows it (dd/mm/yyyy); anything else unchanged, so nothing is hidden."""
    if not iso:
        return ""
    try:
        return f"{dt.date.fromisoformat(iso):%d/%m/%Y}"
    except ValueError:
        return iso


class DateLineEdit(QLineEdit):
    """A line edit for a typed UK date; tidies what was typed to dd/mm/yyyy when editing finishes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("dd/mm/yyyy")
        self.setMaxLength(40)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 4 * SPACING)
        self.editingFinished.connect(self.tidy)

    def iso(self) -> str | None:
        day = parse_typed_date(self.text())
        return day.isoformat() if day else None

    def set_iso(self, value: str | None) -> None:
        self.setText(shown_date(value))

    def is_acceptable(self) -> bool:
        return not self.text().strip() or self.iso() is not None

    def tidy(self) -> None:
        iso = self.iso()
        if iso is not None and self.text() != shown_date(iso):
            self.setText(shown_date(iso))


class DateValidator(QValidator):
    """Lets a cell editor refuse to commit a half-typed date (Tab and Enter wait until it parses)."""

    def validate(self, text: str, pos: int) -> object:
        acceptable = not text.strip() or parse_typed_date(text) is not None
        return QValidator.State.Acceptable if acceptable else QValidator.State.Intermediate, text, pos


class OneLineValidator(QValidator):
    """Line breaks and other control characters, typed or pasted, become spaces (a one-line answer)."""

    def validate(self, text: str, pos: int) -> object:
        clean = _ONE_LINE_BREAKS.sub(" ", text)
        if clean != text:
            pos = len(_ONE_LINE_BREAKS.sub(" ", text[:pos]))
        return QValidator.State.Acceptable, clean, pos


def one_line_edit(max_length: int, parent: QWidget | None = None) -> QLineEdit:
    line = QLineEdit(parent)
    line.setMaxLength(max_length)
    line.setValidator(OneLineValidator(line))
    return line


# --- a plain-text box that grows with what is written ---------------------------------------------------------


class GrowingTextEdit(QPlainTextEdit):
    """Plain text only; as tall as its text between `min_lines` and `max_lines`, then it scrolls; Tab moves on.

    `edited` fires when the text changes. Qt's `textChanged` also fires when only formats change (the spelling
    underline arriving with its dictionary), which is not an edit and must not mark an assessment unsaved."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None, min_lines: int = 4, max_lines: int = 20) -> None:
        super().__init__(parent)
        self._min_lines, self._max_lines = min_lines, max_lines
        self._text = ""  # as last reported by `edited`
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.textChanged.connect(self.updateGeometry)
        self.textChanged.connect(self._maybe_edited)
        self.spelling = check_spelling(self)

    def setReadOnly(self, read_only: bool) -> None:
        """Read-only text (an approved record, someone else's draft) is not spell-checked: its reader cannot change
        it, and names the dictionary does not know were underlined as mistakes."""
        super().setReadOnly(read_only)
        if self.spelling is not None:
            self.spelling.setDocument(None if read_only else self.document())  # None also clears the underlines

    def _maybe_edited(self) -> None:
        text = self.text()
        if text != self._text:
            self._text = text
            self.edited.emit()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        context_menu(self, event.pos()).exec(event.globalPos())

    def text(self) -> str:
        # toPlainText() would turn no-break spaces into spaces; an answer must come back exactly as it was.
        return self.document().toRawText().replace("\u2029", "\n")

    def _wrapped_lines(self) -> int:
        """Lines the text takes at the current width (the plain-text layout only lays out what is on screen)."""
        metrics = QFontMetricsF(self.font())
        width = max(1.0, self.viewport().width() - 2 * self.document().documentMargin() - 2)
        lines = 0
        for paragraph in self.toPlainText().split("\n"):
            if lines > self._max_lines:
                break
            bounds = metrics.boundingRect(QRectF(0, 0, width, 1e6), int(Qt.TextFlag.TextWordWrap), paragraph or " ")
            lines += max(1, round(bounds.height() / metrics.lineSpacing()))
        return lines

    def _height_for(self, lines: int) -> int:
        margins = self.contentsMargins()  # the frame is inside these for a scroll area
        document = math.ceil(2 * self.document().documentMargin())
        text = math.ceil(lines * QFontMetricsF(self.font()).lineSpacing())
        return text + document + margins.top() + margins.bottom() + 1

    def sizeHint(self) -> QSize:
        lines = max(self._min_lines, min(self._max_lines, self._wrapped_lines()))
        return QSize(super().sizeHint().width(), self._height_for(lines))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 20, self._height_for(self._min_lines))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the text wraps onto more or fewer lines

    def insertFromMimeData(self, source: QMimeData) -> None:
        # Pasting from a word processor brings plain words only, without stray control characters.
        if source.hasText():
            self.insertPlainText(_NARRATIVE_CONTROL.sub(" ", source.text()))


# --- text ------------------------------------------------------------------------------------------------------


class TextEditor(FieldEditor):
    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        self._line = one_line_edit(field.max_length, self)
        self._line.setMinimumWidth(self.fontMetrics().averageCharWidth() * min(30, field.max_length + 2))
        self._describe(self._line)
        self._line.textChanged.connect(self._notify)
        tight(QVBoxLayout(self)).addWidget(self._line)

    def value(self) -> str | None:
        text = self._line.text()
        return text if text.strip() else None

    def _show(self, value: Any) -> None:
        self._line.setText(value or "")

    def _apply_read_only(self, read_only: bool) -> None:
        self._line.setReadOnly(read_only)

    def focus_widget(self) -> QWidget:
        return self._line


class LongTextEditor(FieldEditor):
    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        self._edit = GrowingTextEdit(self)
        self._describe(self._edit)
        self._count = note_label(parent=self)
        self._count.hide()
        self._edit.edited.connect(self._text_changed)
        layout = tight(QVBoxLayout(self), 2)
        layout.addWidget(self._edit)
        layout.addWidget(self._count, 0, Qt.AlignmentFlag.AlignRight)

    def value(self) -> str | None:
        text = self._edit.text()
        return text if text.strip() else None

    def _show(self, value: Any) -> None:
        self._edit.setPlainText(value or "")

    def _text_changed(self) -> None:
        length, limit = len(self._edit.text()), self.field.max_length
        self._count.setVisible(length >= COUNT_FROM * limit)
        text = f"{length:,} of {limit:,} characters"
        if length > limit:
            text += f": {length - limit:,} over the limit"
        self._count.setText(text)
        restyle(self._count, "problem" if length > limit else "help")
        self._notify()

    def _apply_read_only(self, read_only: bool) -> None:
        self._edit.setReadOnly(read_only)
        if read_only:  # readable from the keyboard as well as the mouse
            self._edit.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                               | Qt.TextInteractionFlag.TextSelectableByKeyboard)

    def focus_widget(self) -> QWidget:
        return self._edit


# --- date ------------------------------------------------------------------------------------------------------


def _calendar_icon(widget: QWidget) -> QIcon:
    side = widget.fontMetrics().height()
    ratio = widget.devicePixelRatioF()
    pixmap = QPixmap(int(side * ratio), int(side * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    ink = widget.palette().color(QPalette.ColorRole.ButtonText)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(ink, max(1.0, side / 14)))
    body = QRect(1, 2, side - 2, side - 3)
    painter.drawRoundedRect(body, 2, 2)
    painter.fillRect(QRect(body.left(), body.top(), body.width(), max(2, side // 5)), ink)
    cell = (body.width() - 2) / 4
    for row in range(2):
        for column in range(3):
            x = body.left() + cell * (column + 0.75)
            y = body.top() + side * 0.42 + row * cell * 1.1
            painter.fillRect(int(x), int(y), max(1, int(cell * 0.6)), max(1, int(cell * 0.6)), ink)
    painter.end()
    return QIcon(pixmap)


class CalendarPopup(QFrame):
    """A month calendar that drops down under the date; picking a day (click or Enter) closes it."""

    picked = Signal(QDate)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget(self)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setAccessibleName("Calendar")
        self.calendar.clicked.connect(self._pick)
        self.calendar.activated.connect(self._pick)
        tight(QVBoxLayout(self)).addWidget(self.calendar)

    def _pick(self, date: QDate) -> None:
        self.hide()
        self.picked.emit(date)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
        else:
            super().keyPressEvent(event)


class DateEditor(FieldEditor):
    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        self._line = DateLineEdit(self)
        self._describe(self._line)
        self._button = QToolButton(self)
        self._button.setIcon(_calendar_icon(self._button))
        self._button.setAccessibleName("Choose date")
        self._button.setToolTip("Choose date")
        self._popup = CalendarPopup(self)
        self._hint = note_label(DATE_HINT, role="hint", parent=self)
        self._hint.hide()
        self._line.textChanged.connect(self._text_changed)
        self._line.editingFinished.connect(self._check)
        self._button.clicked.connect(self.open_calendar)
        self._popup.picked.connect(self._picked)
        row = tight(QHBoxLayout())
        row.addWidget(self._line)
        row.addWidget(self._button)
        row.addStretch(1)
        layout = tight(QVBoxLayout(self), 2)
        layout.addLayout(row)
        layout.addWidget(self._hint)

    def value(self) -> str | None:
        return self._line.iso()

    def _show(self, value: Any) -> None:
        self._line.set_iso(value)
        self._hint.setVisible(not self._line.is_acceptable())

    def _text_changed(self) -> None:
        if self._line.is_acceptable():
            self._hint.hide()
        self._notify()

    def _check(self) -> None:
        self._hint.setVisible(not self._line.is_acceptable())

    def open_calendar(self) -> None:
        calendar = self._popup.calendar
        field = self.field
        if field.minimum is not None:
            calendar.setMinimumDate(QDate(field.minimum))
        if field.maximum is not None or field.not_future:
            latest = [day for day in (field.maximum, dt.date.today() if field.not_future else None) if day]
            calendar.setMaximumDate(QDate(min(latest)))
        current = self.value()
        calendar.setSelectedDate(QDate(dt.date.fromisoformat(current)) if current else QDate.currentDate())
        self._popup.adjustSize()
        below = self._button.mapToGlobal(QPoint(self._button.width() - self._popup.width(), self._button.height()))
        self._popup.move(below)
        self._popup.show()
        calendar.setFocus()

    def _picked(self, date: QDate) -> None:
        self._line.set_iso(date.toPython().isoformat())
        self._line.setFocus()

    def _apply_read_only(self, read_only: bool) -> None:
        self._line.setReadOnly(read_only)
        self._button.setVisible(not read_only)

    def focus_widget(self) -> QWidget:
        return self._line


# --- number ----------------------------------------------------------------------------------------------------


def number_box(field: Any, parent: QWidget | None = None) -> QSpinBox | QDoubleSpinBox:
    """A spin box within the field's bounds whose lowest step reads "Not answered" (no answer)."""
    box: QSpinBox | QDoubleSpinBox
    if field.integer:
        box = QSpinBox(parent)
        low = math.ceil(field.minimum) if field.minimum is not None else -UNBOUNDED
        high = math.floor(field.maximum) if field.maximum is not None else UNBOUNDED
        box.setRange(low - 1, high)
    else:
        box = QDoubleSpinBox(parent)
        box.setDecimals(2)
        low = field.minimum if field.minimum is not None else -UNBOUNDED
        box.setRange(low - 1, field.maximum if field.maximum is not None else UNBOUNDED)
    box.setSpecialValueText(NOT_ANSWERED)
    if field.unit:
        box.setSuffix(f" {field.unit}")
    box.setAccelerated(True)
    box.setValue(box.minimum())
    return box


def number_of(box: QSpinBox | QDoubleSpinBox) -> int | float | None:
    if box.value() == box.minimum():
        return None
    return box.value() if isinstance(box, QSpinBox) else round(box.value(), box.decimals())


def show_number(box: QSpinBox | QDoubleSpinBox, value: Any) -> None:
    box.setValue(box.minimum() if value is None else value)


def clear_button(editor: FieldEditor) -> QToolButton:
    """A small "Clear" beside an answer that otherwise cannot be taken back (a radio, a spin box)."""
    button = QToolButton(editor)
    button.setText("Clear")
    button.setAccessibleName(f"Clear the answer to: {editor.field.label}")
    button.setToolTip("Remove this answer")
    button.setEnabled(False)
    return button


class NumberEditor(FieldEditor):
    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        self._box = number_box(field, self)
        self._describe(self._box)
        self._clear = clear_button(self)
        self._box.valueChanged.connect(self._value_changed)
        self._clear.clicked.connect(lambda: self._box.setValue(self._box.minimum()))
        layout = tight(QHBoxLayout(self))
        layout.addWidget(self._box)
        layout.addWidget(self._clear)
        layout.addStretch(1)

    def value(self) -> int | float | None:
        return number_of(self._box)

    def _show(self, value: Any) -> None:
        show_number(self._box, value)

    def _value_changed(self) -> None:
        self._clear.setEnabled(self.value() is not None and not self.is_read_only())
        self._notify()

    def _apply_read_only(self, read_only: bool) -> None:
        self._box.setReadOnly(read_only)
        self._box.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons if read_only
                                   else QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        self._clear.setVisible(not read_only)

    def focus_widget(self) -> QWidget:
        return self._box


# --- one choice from a list ------------------------------------------------------------------------------------

RADIO_UP_TO = 5
ROW_UP_TO = 40  # radios sit in one row when all their labels together are this short


class ChoiceEditor(FieldEditor):
    """Radio buttons for a few options (with a Clear button), otherwise a combo box whose first entry means none."""

    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        self._options = options_of(field, form) or ()
        display = getattr(field, "display", "radio")
        self._radio = display == "radio" or (display == "auto" and len(self._options) <= RADIO_UP_TO)
        layout = tight(QVBoxLayout(self))
        self._buttons: list[QRadioButton] = []
        self._combo: QComboBox | None = None
        if self._radio:
            self._build_radios(layout)
        else:
            combo = self._combo = QComboBox(self)
            combo.addItem(CHOOSE, None)
            for option in self._options:
                combo.addItem(option.label, option.id)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            self._describe(combo)
            self._guard([combo])
            combo.currentIndexChanged.connect(self._notify)
            layout.addWidget(combo, 0, Qt.AlignmentFlag.AlignLeft)

    def _build_radios(self, layout: QVBoxLayout) -> None:
        self._box = QWidget(self)
        self._describe(self._box)
        in_a_row = sum(len(option.label) for option in self._options) <= ROW_UP_TO
        radios: QBoxLayout = tight(QHBoxLayout(self._box) if in_a_row else QVBoxLayout(self._box),
                                   3 * SPACING if in_a_row else SPACING)
        self._group = QButtonGroup(self)
        for number, option in enumerate(self._options):
            button = QRadioButton(option.label, self._box)
            button.setAccessibleDescription(self.field.help)
            self._group.addButton(button, number)
            self._buttons.append(button)
            radios.addWidget(button)
        self._clear = clear_button(self)
        self._guard(self._buttons)
        self._group.buttonToggled.connect(self._toggled)
        self._clear.clicked.connect(self._clear_choice)
        if in_a_row:
            radios.addWidget(self._clear)
            radios.addStretch(1)
            layout.addWidget(self._box)
        else:
            layout.addWidget(self._box)
            layout.addWidget(self._clear, 0, Qt.AlignmentFlag.AlignLeft)

    def _toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:  # each switch unchecks one radio and checks another: tell the page once
            self._clear.setEnabled(not self.is_read_only())
            self._notify()

    def _clear_choice(self) -> None:
        uncheck(self._group)
        self._clear.setEnabled(False)
        self.focus_widget().setFocus()
        self._notify()

    def value(self) -> str | None:
        if self._combo is not None:
            return self._combo.currentData()
        checked = self._group.checkedId()
        return self._options[checked].id if checked >= 0 else None

    def _show(self, value: Any) -> None:
        ids = [option.id for option in self._options]
        index = ids.index(value) if value in ids else -1
        if self._combo is not None:
            self._combo.setCurrentIndex(index + 1)
        elif index >= 0:
            self._buttons[index].setChecked(True)
        else:
            uncheck(self._group)
            self._clear.setEnabled(False)

    def _apply_read_only(self, read_only: bool) -> None:
        if self._radio:
            self._clear.setVisible(not read_only)
            self._clear.setEnabled(not read_only and self.value() is not None)

    def focus_widget(self) -> QWidget:
        if self._combo is not None:
            return self._combo
        checked = self._group.checkedButton()
        return checked if checked is not None else self._buttons[0]


def uncheck(group: QButtonGroup) -> None:
    """Leave an exclusive group with nothing checked (Qt otherwise keeps one checked)."""
    group.setExclusive(False)
    for button in group.buttons():
        button.setChecked(False)
    group.setExclusive(True)


class YesNoUnknownEditor(ChoiceEditor):
    """Yes / No / Not known as three radios in a row, with Clear."""


# --- several choices -------------------------------------------------------------------------------------------

TWO_COLUMNS_FROM = 7


class MultiChoiceEditor(FieldEditor):
    """Check boxes in one column (two when there are many); the answer keeps the order things were ticked in."""

    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        self._describe(self)
        options = options_of(field, form) or ()
        columns = 2 if len(options) >= TWO_COLUMNS_FROM else 1
        per_column = math.ceil(len(options) / columns)
        grid = tight(QGridLayout(self))
        grid.setHorizontalSpacing(4 * SPACING)
        self._boxes: dict[str, QCheckBox] = {}
        self._order: list[str] = []
        for number, option in enumerate(options):
            box = QCheckBox(option.label, self)
            box.setAccessibleDescription(field.help)
            box.toggled.connect(lambda checked, option_id=option.id: self._toggled(option_id, checked))
            self._boxes[option.id] = box
            grid.addWidget(box, number % per_column, number // per_column)
        grid.setColumnStretch(columns, 1)
        self._guard(self._boxes.values())

    def _toggled(self, option_id: str, checked: bool) -> None:
        if checked and option_id not in self._order:
            self._order.append(option_id)
        elif not checked and option_id in self._order:
            self._order.remove(option_id)
        self._notify()

    def value(self) -> list[str] | None:
        return list(self._order) or None

    def _show(self, value: Any) -> None:
        wanted = [option_id for option_id in (value or []) if option_id in self._boxes]
        for option_id, box in self._boxes.items():
            box.setChecked(option_id in wanted)
        self._order = wanted

    def _apply_read_only(self, read_only: bool) -> None:
        """The check boxes' input is filtered; nothing else to do."""

    def focus_widget(self) -> QWidget:
        return next(iter(self._boxes.values()))


# --- a level from a named scale --------------------------------------------------------------------------------


def _check_icon(widget: QWidget) -> QIcon:
    """A tick shown on the chosen level, so the choice never rests on shading or colour alone."""
    side = widget.fontMetrics().height()
    ratio = widget.devicePixelRatioF()
    icon = QIcon()
    for state in (QIcon.State.Off, QIcon.State.On):
        pixmap = QPixmap(int(side * ratio), int(side * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        if state == QIcon.State.On:
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            ink = widget.palette().color(QPalette.ColorRole.ButtonText)
            painter.setPen(QPen(QColor(ink), max(1.5, side / 8), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawPolyline([QPoint(int(side * 0.2), int(side * 0.55)), QPoint(int(side * 0.42), int(side * 0.78)),
                                  QPoint(int(side * 0.82), int(side * 0.25))])
            painter.end()
        for mode in (QIcon.Mode.Normal, QIcon.Mode.Active, QIcon.Mode.Selected):
            icon.addPixmap(pixmap, mode, state)
    return icon


class FlowLayout(QLayout):
    """Lays widgets out in a row and wraps them onto further rows when the row is too narrow."""

    def __init__(self, parent: QWidget | None = None, spacing: int = SPACING) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        hints = [item.sizeHint() for item in self._items]
        width = sum(hint.width() for hint in hints) + self._gap * max(0, len(hints) - 1)
        return QSize(width, max((hint.height() for hint in hints), default=0))

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, move: bool) -> int:
        x, y, line_height = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, line_height = rect.x(), y + line_height + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y()


class RatingEditor(FieldEditor):
    """The scale's levels as a row of toggle buttons, each showing its label; clicking the chosen one clears it."""

    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        self._levels = form.scale(field.scale).levels
        self._describe(self)
        flow = FlowLayout(self, spacing=4)
        self._group = QButtonGroup(self)
        self._group.setExclusive(False)  # so that the chosen level can be clicked again to clear it
        icon = _check_icon(self)
        self._buttons: list[QPushButton] = []
        for number, level in enumerate(self._levels):
            button = QPushButton(icon, level.label, self)
            button.setCheckable(True)
            button.setProperty("tone", level.tone)
            button.setToolTip(f"{level.label}: {level.description}" if level.description else level.label)
            button.setAccessibleDescription(level.description)
            self._group.addButton(button, number)
            self._buttons.append(button)
            flow.addWidget(button)
        self._guard(self._buttons)
        self._switching = False
        self._group.idToggled.connect(self._toggled)

    def _toggled(self, number: int, checked: bool) -> None:
        if self._switching:
            return
        if checked:
            self._switching = True
            for other, button in enumerate(self._buttons):
                if other != number:
                    button.setChecked(False)
            self._switching = False
        self._notify()

    def value(self) -> str | None:
        return next((level.id for level, button in zip(self._levels, self._buttons, strict=True)
                     if button.isChecked()), None)

    def _show(self, value: Any) -> None:
        self._switching = True
        for level, button in zip(self._levels, self._buttons, strict=True):
            button.setChecked(level.id == value)
        self._switching = False

    def _apply_read_only(self, read_only: bool) -> None:
        """The buttons' input is filtered; nothing else to do."""

    def focus_widget(self) -> QWidget:
        return next((button for button in self._buttons if button.isChecked()), self._buttons[0])
