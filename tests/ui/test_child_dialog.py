"""The add-child dialog and the child screen (issue 14): nothing half-typed is thrown away without asking,
mnemonics on Save and Cancel, messages that go when put right, warnings that look different from errors, and the
household on the child screen."""

from __future__ import annotations

from typing import Any

import pytest
from app_driver import MessageBoxes, type_into
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from ui.screens.child import ChildDialog


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> MessageBoxes:
    """Message boxes answered "Discard" unless a test says otherwise (closing at the end asks too)."""
    return MessageBoxes(answer=QMessageBox.StandardButton.Discard).install(monkeypatch)


@pytest.fixture
def dialog(qtbot: Any, app_look: Any, boxes: MessageBoxes) -> ChildDialog:
    dialog = ChildDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def write(qtbot: Any, dialog: ChildDialog, field_id: str, text: str) -> None:
    type_into(qtbot, dialog.view.row(field_id).editor.focus_widget(), text)


def test_escape_asks_before_throwing_away_what_was_typed(qtbot: Any, dialog: ChildDialog,
                                                         boxes: MessageBoxes) -> None:
    boxes.answer = QMessageBox.StandardButton.Cancel
    write(qtbot, dialog, "given_names", "Seònaid")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert boxes.of("question") == ["Discard the details you have typed?"]
    assert dialog.isVisible()  # kept: the user said Cancel
    boxes.answer = QMessageBox.StandardButton.Discard
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_an_untouched_dialog_closes_without_asking(qtbot: Any, dialog: ChildDialog, boxes: MessageBoxes) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and not boxes.shown


def test_save_and_cancel_have_mnemonics(dialog: ChildDialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box.button(QDialogButtonBox.StandardButton.Save).text() == "&Save"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "&Cancel"


def test_the_message_goes_when_the_record_is_put_right(qtbot: Any, dialog: ChildDialog) -> None:
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)
    assert dialog.feedback.isVisible() and dialog.isVisible()
    write(qtbot, dialog, "given_names", "Iona")
    write(qtbot, dialog, "family_name", "Campbell")
    write(qtbot, dialog, "date_of_birth", "01/05/2019")
    qtbot.waitUntil(lambda: not dialog.feedback.isVisible())


def test_a_chi_that_disagrees_with_the_birthday_warns_in_its_own_style(qtbot: Any, dialog: ChildDialog) -> None:
    write(qtbot, dialog, "date_of_birth", "19/04/2019")
    write(qtbot, dialog, "chi", "1904851231")  # valid, but for someone born in 1985
    note = dialog.view.row("chi").note
    assert note.isVisible() and note.property("role") == "warning" and note.text().startswith("△")
    dialog.view.row("chi").editor.focus_widget().clear()
    write(qtbot, dialog, "chi", "1904851232")  # a wrong check digit blocks
    assert note.property("role") == "problem" and note.text().startswith("⚠")


def test_the_child_screen_lists_the_household(qtbot: Any, app_look: Any, demo_db: Any) -> None:
    from app_driver import SAM, open_window, unlock

    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    child = next(c for c in (window.session.children.get(r.child_id) for r in window.session.children.rows())
                 if c.record.household)
    window.workspace.open_child(child.id)
    shown = window.workspace.current().household.text()
    for person in child.record.household:
        assert person.name in shown
    assert "parental responsibility" in shown
    authors = {window.workspace.current().model.data(window.workspace.current().model.index(row, 2))
               for row in range(window.workspace.current().model.rowCount())}
    usernames = {user.username for user in window.session.users()}
    assert authors and not authors & usernames  # people's names, not their usernames
