"""Thin table models over immutable core rows (STYLE point 6): a declarative column list and `set_rows()`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex

# data() is asked about a dozen roles for every cell painted, a thousand calls per repaint of a full table: the
# roles it answers are looked up once here (a PySide6 enum member costs an attribute lookup through shiboken).
_TEXT_ROLES = frozenset({Qt.ItemDataRole.DisplayRole.value, Qt.ItemDataRole.AccessibleTextRole.value})
_TOOLTIP_ROLE = Qt.ItemDataRole.ToolTipRole.value
_SORT_ROLE = Qt.ItemDataRole.UserRole.value
_ANSWERED_ROLES = _TEXT_ROLES | {_TOOLTIP_ROLE, _SORT_ROLE}


@dataclass(frozen=True)
class Column[Row]:
    title: str
    text: Callable[[Row], str]
    sort_key: Callable[[Row], Any] | None = None
    tooltip: Callable[[Row], str] | None = None


class RowsModel[Row](QAbstractTableModel):
    """Rows of core data shown through columns; sorting by a column's key; read-only."""

    def __init__(self, columns: Sequence[Column[Row]], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def rows(self) -> list[Row]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        number = index.row()
        if not 0 <= number < len(self._rows):
            return None
        row, column = self._rows[number], self._columns[index.column()]
        if role in _TEXT_ROLES:
            return column.text(row)
        if role == _TOOLTIP_ROLE:
            return None if column.tooltip is None else column.tooltip(row)
        return (column.sort_key or column.text)(row)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self._columns):
            return self._columns[section].title
        return None

    def ordered(self, rows: Sequence[Row], column: int,
                order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> list[Row]:
        """`rows` in the order sorting by `column` shows them (empty values last in either order)."""
        if not 0 <= column < len(self._columns):
            return list(rows)
        return [rows[old] for old in self._order(rows, column, order)]

    def _order(self, rows: Sequence[Row], column: int, order: Qt.SortOrder) -> list[int]:
        key = self._columns[column].sort_key or self._columns[column].text
        keys = [_sortable(key(row)) for row in rows]
        moved = sorted(range(len(keys)), key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)
        moved.sort(key=lambda old: keys[old][0])  # empty values last in either order (the sort is stable)
        return moved

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self.layoutAboutToBeChanged.emit()
        moved = self._order(self._rows, column, order)
        self._rows = [self._rows[old] for old in moved]
        # the view's selection and current row follow their rows (Qt's contract for a layout change)
        new_row = {old: new for new, old in enumerate(moved)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(persistent, [self.index(new_row[index.row()], index.column())
                                                    for index in persistent])
        self.layoutChanged.emit()


def _sortable(value: Any) -> tuple[int, Any]:
    if value is None or value == "":
        return (1, "")
    return (0, value.casefold() if isinstance(value, str) else value)
