"""The caseload: children with where their assessments stand and their next meetings; search as you type."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cpassess.caseload import CaseloadRow, matching
from cpassess.dates import uk_date
from cpassess.workflow import STATUS_LABELS, Status
from cpassess.worklist import Task, ordered
from ui.models import Column, RowsModel


def _status(row: CaseloadRow) -> str:
    return STATUS_LABELS[Status(row.latest_status)] if row.latest_status else "No assessment yet"


def _born(row: CaseloadRow) -> str:
    return "Unborn" if row.unborn else uk_date(row.date_of_birth)


def _meeting(day: str | None, label: str, row: CaseloadRow) -> str:
    if not day:
        return ""
    return f"{uk_date(day)} (overdue)" if label in row.overdue() else uk_date(day)


CASELOAD_COLUMNS: list[Column[CaseloadRow]] = [
    Column("Name", lambda r: r.name + (f" ({r.known_as})" if r.known_as else ""), lambda r: r.name),
    Column("Date of birth", _born, lambda r: r.date_of_birth or ""),
    Column("CHI", lambda r: r.chi or ""),
    Column("Register", lambda r: "Registered" if r.registered else ""),
    Column("Latest assessment", _status),
    Column("Next CPPM", lambda r: _meeting(r.next_cppm, "CPPM", r), lambda r: r.next_cppm or ""),
    Column("Next core group", lambda r: _meeting(r.next_core_group, "core group", r),
           lambda r: r.next_core_group or ""),
]


TASK_COLUMNS: list[Column[Task]] = [Column("Needs doing", Task.describe)]
SHOWN_TASKS = 6  # the list shows this many lines, then scrolls


class CaseloadScreen(QWidget):
    open_child = Signal(str)
    open_assessment = Signal(str)
    add_child = Signal()
    on_screen = Signal()  # once, just after the children were first drawn: what can wait for them starts then

    def __init__(self, rows: list[CaseloadRow], tasks: list[Task] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all = rows  # every child in the order shown (the core's: by name), so a search only filters
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        header = QHBoxLayout()
        title = QLabel("Caseload")
        title.setProperty("role", "title")
        header.addWidget(title)
        header.addStretch(1)
        self.count = QLabel()
        self.count.setProperty("role", "subtitle")
        header.addWidget(self.count)
        layout.addLayout(header)
        self.tasks: RowsModel[Task] = RowsModel(TASK_COLUMNS, self)
        self.task_list = QListView()
        self.task_list.setModel(self.tasks)
        self.task_list.setUniformItemSizes(True)  # one line each: no laying out of thousands of tasks to show six
        self.task_list.setAccessibleName("Needs doing")
        self.task_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.task_list.activated.connect(self._open_task)
        self.task_title = QLabel()
        self.task_title.setProperty("role", "field-label")
        self.task_title.setBuddy(self.task_list)
        layout.addWidget(self.task_title)
        layout.addWidget(self.task_list)
        self.add_tasks(tasks or [])
        tools = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name, known as or CHI number")
        self.search.setAccessibleName("Search the caseload")
        self.search.setClearButtonEnabled(True)
        tools.addWidget(self.search, 1)
        self.add_button = QPushButton("&Add child")
        self.open_button = QPushButton("&Open")
        tools.addWidget(self.add_button)
        tools.addWidget(self.open_button)
        layout.addLayout(tools)
        self.model: RowsModel[CaseloadRow] = RowsModel(CASELOAD_COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Children")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # size columns from a screenful of rows, not all 10,000 (most of the time of showing a large caseload)
        self.table.horizontalHeader().setResizeContentsPrecision(40)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.viewport().installEventFilter(self)
        layout.addWidget(self.table, 1)
        self.no_match = QLabel()
        self.no_match.setProperty("role", "subtitle")
        self.no_match.hide()
        layout.addWidget(self.no_match)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._open_first)
        self.table.activated.connect(self._open_index)
        self.open_button.clicked.connect(self._open_selected)
        self.add_button.clicked.connect(self.add_child)
        QShortcut(QKeySequence("Ctrl+F"), self, self.search.setFocus)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # as the rows come: no sorting of them here
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._order_all)
        self.filter("")
        for column in range(1, len(CASELOAD_COLUMNS)):
            self.table.resizeColumnToContents(column)
        self.search.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self.table.viewport():
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self.on_screen.emit)  # after this drawing, not inside it
        return False

    def all_rows(self) -> list[CaseloadRow]:
        """Every child on the caseload, in the order shown."""
        return list(self._all)

    def filter(self, text: str) -> None:
        rows = matching(self._all, text)
        self.model.set_rows(rows)
        total = len(self._all)
        searching = bool(text.strip())
        self.count.setText(f"{len(rows)} of {total} children" if searching else f"{total} children")
        self.no_match.setText(f"No children match “{text.strip()}”." if searching else "No children yet.")
        self.no_match.setVisible(not rows)
        if rows:
            self.table.selectRow(0)

    def add_tasks(self, tasks: list[Task]) -> None:
        """More of what needs doing (meetings due arrive from a worker once the caseload is on screen)."""
        self.tasks.set_rows(ordered([*self.tasks.rows(), *tasks], dt.date.today()))
        count = self.tasks.rowCount()
        lines = min(max(count, 1), SHOWN_TASKS)
        self.task_list.setFixedHeight(lines * (self.task_list.sizeHintForRow(0) if count else 20)
                                      + 2 * self.task_list.frameWidth())
        self.task_title.setText(f"&Needs doing ({count})")
        self.task_title.setVisible(bool(count))
        self.task_list.setVisible(bool(count))

    def _open_task(self, index: QModelIndex) -> None:
        if index.isValid():
            task = self.tasks.row_at(index.row())
            if task.assessment_id:
                self.open_assessment.emit(task.assessment_id)
            else:
                self.open_child.emit(task.child_id)

    def _order_all(self, column: int, order: Qt.SortOrder) -> None:
        self._all = self.model.ordered(self._all, column, order)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_child.emit(self.model.row_at(index.row()).child_id)

    def _open_selected(self) -> None:
        self._open_index(self.table.currentIndex())

    def _open_first(self) -> None:
        if self.model.rowCount():
            self.open_child.emit(self.model.row_at(max(self.table.currentIndex().row(), 0)).child_id)
