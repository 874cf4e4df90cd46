"""A full disk in the editor (issue 12): the autosave says so in a bar that does not block typing, what was typed
stays in the editor, and the next save that fits stores it and takes the bar away."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox, QPlainTextEdit

from cpassess.casework import Casework
from cpassess.storage.faults import DISK_FULL_MESSAGE
from tests.helpers import Team
from ui.main_window import MainWindow
from ui.screens.assessment import AssessmentScreen

FIELD = "physical_care_daily_life"
TYPED = "Seen at home on Tuesday; the kitchen was bare. " * 300


def test_a_full_disk_shows_a_banner_keeps_the_typing_and_saves_when_there_is_room(
        qtbot: Any, team: Team, monkeypatch: Any) -> None:
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **_: boxes.append(str(args[2])))
    child_id = team.add_child()
    session = team.session("prac")
    try:
        draft = Casework.of(session).new(child_id, "neglect-assessment", answers={"assessment_date": "2024-05-01"})
        window = MainWindow(team.db)
        qtbot.addWidget(window)
        screen = AssessmentScreen(window, session, draft, "Eilidh MacLeod")
        qtbot.addWidget(screen)
        screen.show()
        editor = screen.view.row(FIELD).editor
        [text_box] = [w for w in [editor, *editor.findChildren(QPlainTextEdit)] if isinstance(w, QPlainTextEdit)]
        connection = session.db.connection
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")  # to SQLite, the disk is now full

        text_box.setPlainText(TYPED)
        assert screen.save() is False
        assert screen.fault_banner.isVisible()
        assert DISK_FULL_MESSAGE in screen.fault_banner.message.text()
        assert screen.saved.text() == "Not saved: the disk is full"
        assert boxes == [] and QApplication.activeModalWidget() is None  # nothing blocks the user
        assert text_box.toPlainText() == TYPED and screen.dirty
        assert session.assessments.get(draft.id).answers == {"assessment_date": "2024-05-01"}

        text_box.moveCursor(text_box.textCursor().MoveOperation.End)
        text_box.insertPlainText(" More typed while the bar was up.")
        connection.execute("PRAGMA max_page_count = 1073741823")  # space freed
        assert screen.save() is True
        assert not screen.fault_banner.isVisible()
        assert session.assessments.get(draft.id).answers[FIELD] == TYPED + " More typed while the bar was up."
    finally:
        session.close()
