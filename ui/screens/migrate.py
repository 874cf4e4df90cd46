"""Moving a draft to a newer version of its form: what would be dropped and what is new, shown before anything
changes. The diff is the core's (`Casework.migration`), the same the command line prints."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from cpassess.forms import Migration
from cpassess.forms.versions import DroppedAnswer, NewField
from ui.models import Column, RowsModel

DROPPED_COLUMNS: list[Column[DroppedAnswer]] = [Column("Answer dropped", lambda a: f"✕ {a.label}: {a.reason}")]
NEW_COLUMNS: list[Column[NewField]] = [Column("New question", lambda f: f"+ {f.label} (in “{f.section_title}”)")]


def _titled_list[T](layout: QVBoxLayout, rows: list[T], columns: list[Column[T]], name: str, title: str,
                    parent: QWidget) -> QListView:
    """A title (its buddy the list) and the list, shown only when it holds something, with room by how much."""
    label = QLabel(title, parent)
    label.setProperty("role", "field-label")
    label.setWordWrap(True)
    layout.addWidget(label)
    model: RowsModel[T] = RowsModel(columns, parent)
    model.set_rows(rows)
    view = QListView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setWordWrap(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if rows:
        view.setCurrentIndex(model.index(0, 0))
    view.setVisible(bool(rows))
    label.setBuddy(view)
    layout.addWidget(view, 1 + min(len(rows), 10))
    return view


class MigrationDialog(QDialog):
    """The answers a move would drop (with why) and the questions it would add; accepted only by "Move to
    version N". Cancel leaves the draft as it is."""

    def __init__(self, migration: Migration, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        version = migration.target.version
        self.setWindowTitle(f"Move to version {version}")
        layout = QVBoxLayout(self)
        intro = QLabel(f"{migration.summary()} Answers are matched question by question. Nothing changes until "
                       f"you choose “Move to version {version}”; after it, this draft uses version {version} of "
                       "the form.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.dropped = _titled_list(
            layout, migration.dropped, DROPPED_COLUMNS, "Answers that will be dropped",
            f"&Answers that will be dropped ({len(migration.dropped)}):" if migration.dropped
            else "No answer will be dropped: every answer given is kept.", self)
        self.new_fields = _titled_list(
            layout, migration.new_fields, NEW_COLUMNS, "New questions",
            f"&New questions to answer ({len(migration.new_fields)}):" if migration.new_fields
            else f"Version {version} asks no new question.", self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.move_button = self.buttons.addButton(f"&Move to version {version}",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.move_button.setAutoDefault(False)  # Return never moves the draft: only the button itself does
        cancel.setDefault(True)
        cancel.setFocus()
        self.resize(720, 560)

