"""The team lead's review queue: submitted assessments waiting for someone other than their author."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cpassess.dates import uk_date
from cpassess.forms import fingerprint
from ui.models import Column, RowsModel


@dataclass(frozen=True)
class QueueRow:
    assessment_id: str
    child_name: str
    form_title: str
    author: str
    submitted_at: str
    content_sha256: str


QUEUE_COLUMNS: list[Column[QueueRow]] = [
    Column("Child", lambda r: r.child_name),
    Column("Assessment", lambda r: r.form_title),
    Column("Author", lambda r: r.author),
    Column("Submitted", lambda r: uk_date(r.submitted_at), lambda r: r.submitted_at),
    Column("Fingerprint", lambda r: fingerprint(r.content_sha256)),
]


class ReviewQueueScreen(QWidget):
    open_assessment = Signal(str)

    def __init__(self, rows: list[QueueRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        header = QHBoxLayout()
        title = QLabel("Review queue")
        title.setProperty("role", "title")
        header.addWidget(title, 1)
        self.open_button = QPushButton("&Open for review")
        self.open_button.setProperty("role", "primary")
        header.addWidget(self.open_button)
        layout.addLayout(header)
        explanation = QLabel("Assessments submitted for your approval. You cannot review your own.")
        explanation.setProperty("role", "subtitle")
        layout.addWidget(explanation)
        self.model: RowsModel[QueueRow] = RowsModel(QUEUE_COLUMNS, self)
        self.model.set_rows(rows)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Assessments waiting for review")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in range(len(QUEUE_COLUMNS)):  # child, author and date keep their width; the title takes the rest
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == 1
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # oldest first, and the arrow says so
        self.table.setTabKeyNavigation(False)
        layout.addWidget(self.table, 1)
        self.empty = QLabel("Nothing is waiting for review.")
        self.empty.setProperty("role", "subtitle")
        self.empty.setVisible(not rows)
        layout.addWidget(self.empty)
        self.table.activated.connect(self._open_index)
        self.open_button.clicked.connect(lambda: self._open_index(self.table.currentIndex()))
        self.open_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)
        self.table.setFocus()

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_assessment.emit(self.model.row_at(index.row()).assessment_id)
