"""A repeat: an editable table of rows (carers, contributors, events, actions) with add, remove and reorder."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QContextMenuEvent, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cpassess.forms.definition import (
    ROW_SENSITIVE,
    DateField,
    FormDefinition,
    LongTextField,
    MultiChoiceField,
    NumberField,
    RepeatColumn,
    TextField,
    options_of,
)
from ui.editors.base import SPACING, FieldEditor, note_label, tight
from ui.editors.simple import (
    CHOOSE,
    DateLineEdit,
    DateValidator,
    number_box,
    number_of,
    one_line_edit,
    show_number,
    shown_date,
)
from ui.spelling import check_spelling, context_menu

Index = QModelIndex | QPersistentModelIndex
SHOWN_CHARACTERS = 100  # a cell shows the start of a long answer; its tooltip and editor show all of it
TOOLTIP_CHARACTERS = 2000
ROW_FLAG_TITLE = "Sensitive (not in the family copy)"  # the column of a repeat with `row_sensitivity`
VISIBLE_ROWS = 10  # the table grows with its rows up to this many, then scrolls
CELL_TEXT_LINES = 4  # a long-text cell opens this tall and grows with its text up to CELL_TEXT_MAX_LINES
CELL_TEXT_MAX_LINES = 14
_DISPLAY = Qt.ItemDataRole.DisplayRole
_EDIT = Qt.ItemDataRole.EditRole
_CHECK = Qt.ItemDataRole.CheckStateRole
EDIT_TRIGGERS = (QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.SelectedClicked
                 | QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.AnyKeyPressed)


def _copy(value: Any) -> Any:
    """Rows hold their own lists (a multiple-choice cell), never the caller's."""
    return list(value) if isinstance(value, list) else value


class RepeatRowsModel(QAbstractTableModel):
    """The rows of one repeat answer: one column per sub-field, each row a dict holding every column's key.

    With `row_flag` (the form's `row_sensitivity_label`) a last column holds each row's family-copy flag as a
    check box; a row gets the flag's key only once it is ticked or unticked."""

    def __init__(self, columns: list[RepeatColumn], form: FormDefinition, parent: QObject | None = None,
                 row_flag: str | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._labels = {column.id: {option.id: option.label for option in options_of(column, form) or ()}
                        for column in self._columns}
        self._rows: list[dict[str, Any]] = []
        self._row_flag = row_flag
        self.read_only = False

    @property
    def flag_column(self) -> int | None:
        """The column of the rows' sensitive flag, if the form asks for one."""
        return len(self._columns) if self._row_flag is not None else None

    def _is_flag(self, index: Index) -> bool:
        return index.column() == self.flag_column

    # --- the answer ---

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        # a row's own keys beyond the columns (the family-copy flag of `row_sensitivity`) are kept as they are
        self._rows = [{**{key: value for key, value in row.items() if key == ROW_SENSITIVE},
                       **{column.id: _copy(row.get(column.id)) for column in self._columns}} for row in rows]
        self.endResetModel()

    def rows(self) -> list[dict[str, Any]]:
        return [{key: _copy(value) for key, value in row.items()} for row in self._rows]

    def column(self, index: Index) -> RepeatColumn:
        return self._columns[index.column()]

    def cell(self, index: Index) -> Any:
        return self._rows[index.row()][self._columns[index.column()].id]

    def _blank(self) -> dict[str, Any]:
        return dict.fromkeys(column.id for column in self._columns)

    # --- Qt's model interface ---

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns) + (self._row_flag is not None)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        if self._is_flag(index):
            return self._flag_data(self._rows[index.row()].get(ROW_SENSITIVE) is True, role)
        value = self.cell(index)
        if role == _DISPLAY:
            return self._text(self.column(index), value)
        if role == _EDIT:
            return value
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, str) and len(value) > SHOWN_CHARACTERS // 2:
            return value[:TOOLTIP_CHARACTERS]
        return None

    def _flag_data(self, flagged: bool, role: int) -> Any:
        if role == _CHECK:
            return Qt.CheckState.Checked if flagged else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole:  # the box's state in words, for screen readers
            return "Sensitive: not in the family copy" if flagged else "Not sensitive"
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._row_flag
        return None

    def _text(self, column: RepeatColumn, value: Any) -> str | None:
        if value is None:
            return None
        labels = self._labels[column.id]
        match column:
            case DateField():
                return shown_date(value)
            case NumberField():
                return f"{value:g} {column.unit}".strip()
            case MultiChoiceField():
                return ", ".join(labels.get(item, item) for item in value)
            case LongTextField():
                flat = " ".join(str(value).split())
                return flat if len(flat) <= SHOWN_CHARACTERS else flat[:SHOWN_CHARACTERS - 1] + "…"
        return labels.get(value, value) if labels else str(value)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and section == self.flag_column:
            return ROW_FLAG_TITLE if role == _DISPLAY else self._row_flag if role == Qt.ItemDataRole.ToolTipRole \
                else None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            column = self._columns[section]
            if role == _DISPLAY:
                return column.label
            if role == Qt.ItemDataRole.ToolTipRole:
                return column.help or None
        elif orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows) and role == _DISPLAY:
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.read_only:
            return flags
        # the flag is a check box (Space or a click), never a cell editor that typing could open
        return flags | (Qt.ItemFlag.ItemIsUserCheckable if self._is_flag(index) else Qt.ItemFlag.ItemIsEditable)

    def setData(self, index: Index, value: Any, role: int = _EDIT) -> bool:
        if not index.isValid() or self.read_only:
            return False
        if self._is_flag(index):
            if role != _CHECK:
                return False
            self._rows[index.row()][ROW_SENSITIVE] = Qt.CheckState(value) == Qt.CheckState.Checked
            self.dataChanged.emit(index, index, [_CHECK, Qt.ItemDataRole.AccessibleTextRole])
            return True
        if role != _EDIT:
            return False
        if isinstance(value, str | list) and not (value.strip() if isinstance(value, str) else value):
            value = None
        if self.cell(index) == value:
            return True
        self._rows[index.row()][self._columns[index.column()].id] = value
        self.dataChanged.emit(index, index, [_DISPLAY, _EDIT, Qt.ItemDataRole.ToolTipRole])
        return True

    def insertRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or count < 1 or not 0 <= row <= len(self._rows):
            return False
        self.beginInsertRows(QModelIndex(), row, row + count - 1)
        self._rows[row:row] = [self._blank() for _ in range(count)]
        self.endInsertRows()
        return True

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or count < 1 or row < 0 or row + count > len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._rows[row:row + count]
        self.endRemoveRows()
        return True

    def moveRows(self, source_parent: Index, source_row: int, count: int, destination_parent: Index,
                 destination: int) -> bool:
        last = source_row + count - 1
        if (source_parent.isValid() or destination_parent.isValid() or count < 1 or source_row < 0
                or last >= len(self._rows) or not 0 <= destination <= len(self._rows)
                or source_row <= destination <= last + 1):
            return False
        self.beginMoveRows(QModelIndex(), source_row, last, QModelIndex(), destination)
        moving = self._rows[source_row:last + 1]
        del self._rows[source_row:last + 1]
        at = destination if destination < source_row else destination - count
        self._rows[at:at] = moving
        self.endMoveRows()
        return True


class _ChecksEditor(QFrame):
    """A cell editor for a multiple-choice column: a check box per option; leaving it commits."""

    left = Signal()

    def __init__(self, options: list[tuple[str, str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING, 4, SPACING, 4)
        layout.setSpacing(2)
        self.boxes: dict[str, QCheckBox] = {}
        self.ticked: list[str] = []  # in the order they were ticked, as the multiple-choice editor keeps them
        for option_id, label in options:
            box = self.boxes[option_id] = QCheckBox(label, self)
            box.installEventFilter(self)
            box.toggled.connect(lambda checked, option_id=option_id: self._toggled(option_id, checked))
            layout.addWidget(box)
        self.setFocusProxy(next(iter(self.boxes.values())))

    def set_ticked(self, ticked: list[str]) -> None:
        for option_id, box in self.boxes.items():
            box.setChecked(option_id in ticked)
        self.ticked = [option_id for option_id in ticked if option_id in self.boxes]

    def _toggled(self, option_id: str, checked: bool) -> None:
        if checked and option_id not in self.ticked:
            self.ticked.append(option_id)
        elif not checked and option_id in self.ticked:
            self.ticked.remove(option_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            focused = QApplication.focusWidget()  # already the widget that took focus
            if focused is None or (focused is not self and not self.isAncestorOf(focused)):
                self.left.emit()
        return False


class _CellText(QPlainTextEdit):
    """A long-text cell's editor: Return is a new line; Tab and Shift+Tab end the edit and move to the next or
    previous cell (Qt's text edits would otherwise move focus out of the table, and the next words were lost)."""

    tabbed = Signal(bool)  # forward?

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.spelling = check_spelling(self)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        context_menu(self, event.pos()).exec(event.globalPos())

    def focusNextPrevChild(self, next: bool) -> bool:
        self.tabbed.emit(next)
        return True


class _CellDelegate(QStyledItemDelegate):
    """The editor each column needs: a line, a date, a number, a list of choices or a few lines of text."""

    def __init__(self, form: FormDefinition, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._form = form
        self._growing: tuple[QPersistentModelIndex, QPlainTextEdit] | None = None  # the open long-text cell

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        column: Any = index.model().column(index)  # type: ignore[attr-defined]
        editor: QWidget
        match column:
            case TextField():
                editor = one_line_edit(column.max_length, parent)
            case LongTextField():
                editor = _CellText(parent)
                editor.tabbed.connect(lambda forward: self._move_on(editor, forward))
                cell = QPersistentModelIndex(index)
                self._growing = (cell, editor)
                # the row grows with the text, so the editor is never clipped and nothing typed is hidden
                editor.document().documentLayout().documentSizeChanged.connect(
                    lambda *_: self.sizeHintChanged.emit(QModelIndex(cell)))
            case DateField():
                editor = DateLineEdit(parent)
                editor.setValidator(DateValidator(editor))
            case NumberField():
                editor = number_box(column, parent)
            case MultiChoiceField():
                options = [(item.id, item.label) for item in options_of(column, self._form) or ()]
                editor = _ChecksEditor(options, parent)
                editor.left.connect(lambda: self._finish(editor))
            case _:
                editor = QComboBox(parent)
                editor.addItem(CHOOSE, None)
                for item in options_of(column, self._form) or ():
                    editor.addItem(item.label, item.id)
        editor.setAccessibleName(column.label)
        editor.setAccessibleDescription(column.help)
        editor.setAutoFillBackground(True)
        return editor

    def destroyEditor(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if self._growing is not None and self._growing[1] is editor:
            cell = QModelIndex(self._growing[0])
            self._growing = None
            self.sizeHintChanged.emit(cell)
        super().destroyEditor(editor, index)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        size = super().sizeHint(option, index)
        if self._growing is not None and self._growing[0] == index:
            editor = self._growing[1]
            lines = min(max(round(editor.document().size().height()), CELL_TEXT_LINES), CELL_TEXT_MAX_LINES)
            size.setHeight(max(size.height(), self._text_height(editor, lines)))
        return size

    @staticmethod
    def _text_height(editor: QPlainTextEdit, lines: int) -> int:
        return editor.fontMetrics().lineSpacing() * lines + 2 * (SPACING + editor.frameWidth())

    def _move_on(self, editor: QWidget, forward: bool) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.EditNextItem if forward
                              else QAbstractItemDelegate.EndEditHint.EditPreviousItem)

    def _finish(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.model().cell(index)  # type: ignore[attr-defined]
        match editor:
            case DateLineEdit():
                editor.set_iso(value)
            case QPlainTextEdit():
                editor.setPlainText(value or "")
            case _ChecksEditor():
                editor.set_ticked(value or [])
            case QComboBox():
                found = editor.findData(value) if value is not None else -1
                editor.setCurrentIndex(max(0, found))
            case QSpinBox() | QDoubleSpinBox():
                show_number(editor, value)
            case _:
                editor.setText(value or "")  # type: ignore[attr-defined]

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        value: Any
        match editor:
            case DateLineEdit():
                if not editor.is_acceptable():
                    return  # a date that does not parse never replaces the one that was there
                value = editor.iso()
            case QPlainTextEdit():
                value = editor.document().toRawText().replace("\u2029", "\n")
            case _ChecksEditor():
                value = list(editor.ticked)
            case QComboBox():
                value = editor.currentData()
            case QSpinBox() | QDoubleSpinBox():
                value = number_of(editor)
            case _:
                value = editor.text()  # type: ignore[attr-defined]
        model.setData(index, value, _EDIT)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: Index) -> None:
        rect = option.rect  # type: ignore[attr-defined]
        if isinstance(editor, QPlainTextEdit):  # the row has grown to hold the text (sizeHint)
            rect.setHeight(max(rect.height(), self._text_height(editor, CELL_TEXT_LINES)))
        elif isinstance(editor, _ChecksEditor):
            rect.setHeight(max(rect.height(), editor.sizeHint().height()))
        editor.setGeometry(rect)


class _TableView(QTableView):
    """Tab and Shift+Tab move cell to cell and row to row, in and out of editing; past the last cell (or before the
    first) they leave the table for the next question. They never reach a button, so fast typing never presses
    one, and a new row comes only from "Add"."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setTabKeyNavigation(True)
        self.setEditTriggers(EDIT_TRIGGERS)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def _flag_column(self) -> int | None:
        return getattr(self.model(), "flag_column", None)

    def _at_edge(self, forward: bool) -> bool:
        model, current = self.model(), self.currentIndex()
        if not current.isValid() or not model.rowCount():
            return True
        if forward:
            last_typed = model.columnCount() - 1 - (self._flag_column() is not None)
            return current.row() == model.rowCount() - 1 and current.column() >= last_typed
        return current.row() == 0 and current.column() == 0

    def moveCursor(self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        # Qt wraps from the last cell to the first; here Tab there leaves the table instead (an unmoved cursor)
        forward = action == QAbstractItemView.CursorAction.MoveNext
        if action not in (QAbstractItemView.CursorAction.MoveNext, QAbstractItemView.CursorAction.MovePrevious):
            return super().moveCursor(action, modifiers)
        if self._at_edge(forward):
            return QModelIndex()
        index = super().moveCursor(action, modifiers)
        if index.isValid() and index.column() == self._flag_column():
            # Tab passes over the sensitive box (the arrow keys reach it), so a fast typist's space never ticks it
            model = self.model()
            index = model.index(index.row() + 1, 0) if forward else model.index(index.row(), index.column() - 1)
        return index

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        leaving = {QAbstractItemDelegate.EndEditHint.EditNextItem: True,
                   QAbstractItemDelegate.EndEditHint.EditPreviousItem: False}
        forward = leaving.get(hint)
        if forward is not None and self._at_edge(forward):
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self._leave_typing(forward)
            return
        super().closeEditor(editor, hint)

    def focusNextPrevChild(self, next: bool) -> bool:
        if self._at_edge(next):  # not typing in a cell: the next control in Tab order, buttons included
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)

    def _leave_typing(self, forward: bool) -> None:
        """Out of the last cell while typing: forward to the next control that is not a button (the next words
        must not press one: the next question, or the section list after a page's last table)."""
        if not forward:
            QWidget.focusNextPrevChild(self, False)
            return
        owner = self.parentWidget()
        widget = self.nextInFocusChain()
        while widget is not None and widget is not self:
            outside = widget is not owner and not owner.isAncestorOf(widget)
            if (outside and not isinstance(widget, QAbstractButton) and widget.isVisible() and widget.isEnabled()
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return
            widget = widget.nextInFocusChain()


class RepeatEditor(FieldEditor):
    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        item = field.item_label
        item = item[:1].lower() + item[1:] if item[1:2].islower() or len(item) == 1 else item
        # The buttons are made before the table, so they come before it in Tab order (and sit above it): Tab out of
        # the last cell goes on to the next question.
        self._add = QPushButton(f"&Add {item}", self)
        self._remove = QPushButton("&Remove", self)
        self._up = QPushButton("Move &up", self)
        self._down = QPushButton("Move &down", self)
        self._remove.setAccessibleName(f"Remove the selected {item}")
        self.model = RepeatRowsModel(field.fields, form, self,
                                     field.row_sensitivity_label if field.row_sensitivity else None)
        self.view = _TableView(self)
        self.view.setModel(self.model)
        self.view.setItemDelegate(_CellDelegate(form, self.view))
        self._describe(self.view)
        header = self.view.horizontalHeader()
        header.setMinimumSectionSize(self.fontMetrics().averageCharWidth() * 10)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag(Qt.TextFlag.TextWordWrap.value))
        for number, column in enumerate(field.fields):
            wide = isinstance(column, TextField | LongTextField | MultiChoiceField)
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Stretch if wide
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        flag = self.model.flag_column
        if flag is not None:  # the title wraps to a narrow column of check boxes
            header.setSectionResizeMode(flag, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(flag, self.fontMetrics().horizontalAdvance("not in the family") + 4 * SPACING)
        self._empty = note_label("Nothing added yet.", parent=self)
        buttons = tight(QHBoxLayout())
        for button in (self._add, self._remove, self._up, self._down):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = tight(QVBoxLayout(self))
        layout.addLayout(buttons)
        layout.addWidget(self.view)
        layout.addWidget(self._empty)
        if flag is not None:
            layout.addWidget(note_label("A ticked row is left out of the family copy. From a row's last cell the "
                                        "right arrow reaches its box and Space ticks it.", parent=self))

        self._add.clicked.connect(self.add_row)
        self._remove.clicked.connect(self.remove_row)
        self._up.clicked.connect(lambda: self._move(-1))
        self._down.clicked.connect(lambda: self._move(+1))
        for signal in (self.model.dataChanged, self.model.rowsInserted, self.model.rowsRemoved, self.model.rowsMoved):
            signal.connect(self._rows_changed)
        self.model.modelReset.connect(self._update)
        self.view.selectionModel().currentChanged.connect(self._update)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit)
        header.sectionResized.connect(lambda *_: self._fit_timer.start())  # wrapped text takes more or fewer lines
        self._update()

    # --- the answer ---

    def value(self) -> list[dict[str, Any]] | None:
        return self.model.rows() or None

    def _show(self, value: Any) -> None:
        self.model.set_rows([row for row in value or [] if isinstance(row, dict)])

    # --- the buttons ---

    def _current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def add_row(self) -> None:
        row = self.model.rowCount()
        if row >= self.field.max_items or not self.model.insertRows(row, 1):
            return
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self.view.setFocus()
        self.view.edit(index)

    def remove_row(self) -> None:
        row = self._current_row()
        if row < 0:
            return
        self.model.removeRows(row, 1)
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1), 0))
            self.view.setFocus()
        else:
            self._add.setFocus()

    def _move(self, step: int) -> None:
        row, column = self._current_row(), max(0, self.view.currentIndex().column())
        target = row + step
        if row < 0 or not 0 <= target < self.model.rowCount():
            return
        self.model.moveRows(QModelIndex(), row, 1, QModelIndex(), target + 1 if step > 0 else target)
        self.view.setCurrentIndex(self.model.index(target, column))

    def _rows_changed(self, *_: Any) -> None:
        self._update()
        self._notify()

    def _update(self, *_: Any) -> None:
        self._update_buttons()
        self._fit()

    def _update_buttons(self) -> None:
        rows, row = self.model.rowCount(), self._current_row()
        editable = not self.is_read_only()
        self._add.setEnabled(editable and rows < self.field.max_items)
        self._add.setToolTip("" if rows < self.field.max_items else f"No more than {self.field.max_items} allowed")
        self._remove.setEnabled(editable and row >= 0)
        self._up.setEnabled(editable and row > 0)
        self._down.setEnabled(editable and 0 <= row < rows - 1)
        self._empty.setVisible(rows == 0)

    def _fit(self) -> None:
        """As tall as its rows (up to VISIBLE_ROWS), so a short table does not leave a tall empty box."""
        view = self.view
        rows = self.model.rowCount()
        numbers = view.verticalHeader()
        default = numbers.defaultSectionSize()
        # a row is as tall as its cells or its number in the row header, whichever is taller (the number is, for a
        # one-line row at 1.5x text: counting only the cells cut the table short, with a scrollbar of its own)
        heights = [max(default, view.sizeHintForRow(row), numbers.sectionSizeHint(row)) for row in range(rows)]
        body = sum(heights[:VISIBLE_ROWS]) if heights else default
        scrollbar = view.horizontalScrollBar()
        extra = scrollbar.sizeHint().height() if scrollbar.isVisible() else 0
        header = view.horizontalHeader()
        header.setFixedHeight(self._header_height())
        view.setFixedHeight(header.height() + body + 2 * view.frameWidth() + extra)

    def _header_height(self) -> int:
        """Tall enough for the longest column title wrapped to its column's width (measured bold, to be safe)."""
        header = self.view.horizontalHeader()
        font = QFont(header.font())
        font.setBold(True)
        metrics = QFontMetrics(font)
        margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        tallest = metrics.height()
        for section in range(self.model.columnCount()):
            width = max(1, header.sectionSize(section) - 4 * margin - 2 * SPACING)
            title = self.model.headerData(section, Qt.Orientation.Horizontal)
            bounds = metrics.boundingRect(QRect(0, 0, width, 0), int(Qt.TextFlag.TextWordWrap), title)
            tallest = max(tallest, bounds.height())
        return tallest + 2 * margin + SPACING + 4

    # --- review mode and focus ---

    def _apply_read_only(self, read_only: bool) -> None:
        self.model.read_only = read_only
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only
                                  else EDIT_TRIGGERS)
        for button in (self._add, self._remove, self._up, self._down):
            button.setVisible(not read_only)
        self._update_buttons()  # the rows and so the table's height are as they were: no second fit on opening

    def focus_widget(self) -> QWidget:
        return self.view
