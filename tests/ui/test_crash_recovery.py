"""Crash recovery (DESIGN §12): killing the app while someone types loses at most what was typed in the last ~2 s
(the autosave delay), and the next start offers the draft that was open."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from app_driver import SAM, SLOW_MS, click, open_window, settle, unlock
from PySide6.QtWidgets import QPlainTextEdit

from cpassess.session import Session
from cpassess.storage import AlreadyOpen
from ui.screens.assessment import AssessmentScreen

FIELD = "physical_care_daily_life"
BEFORE_PAUSE = " Seen at home on Tuesday."
AFTER_PAUSE = " Then the kill came"
PAUSE_SECONDS = 3.0  # a pause in typing longer than the "about 2 s" autosave delay the design promises

# The real window in its own process: unlock, open the draft, type, pause longer than the autosave delay, type
# more, say so, and wait to be killed. Keys go through the window, as a keyboard's do.
DRIVER = textwrap.dedent("""
    import sys
    import time
    from pathlib import Path

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    database, username, assessment_id, field_id, first, second, pause = sys.argv[1:8]
    password = sys.stdin.readline().rstrip("\\n")
    app = QApplication(sys.argv[:1])
    window = MainWindow(Path(database))
    window.resize(1366, 768)
    window.show()
    window.activateWindow()


    def run_for(seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)


    def wait_for(condition, seconds=60):
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                sys.exit("timed out")
            run_for(0.01)


    def type_slowly(text):
        for character in text:
            QTest.keyClick(window.windowHandle(), character)
            run_for(0.02)


    wait_for(window.isActiveWindow)
    screen = window.stack.currentWidget()
    screen.username.setText(username)
    screen.password.setText(password)
    screen.unlock_button.click()
    wait_for(lambda: window.workspace is not None)
    window.workspace.open_assessment(assessment_id)
    editor = window.workspace.current().view
    editor.focus_field(field_id)
    box = editor.row(field_id).editor.focus_widget()
    box.moveCursor(QTextCursor.MoveOperation.End)
    wait_for(box.hasFocus)
    print("editing", flush=True)
    type_slowly(first)
    run_for(float(pause))
    type_slowly(second)
    print("typed", flush=True)
    run_for(120)
    print("not killed", flush=True)
""")


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        process.kill()
        raise AssertionError(f"the app said nothing for {timeout} s; stderr: {process.stderr.read()[-2000:]}")
    return process.stdout.readline().strip()


@pytest.fixture
def draft(demo_db: Path) -> tuple[str, str, str]:
    """Sam's draft neglect assessment: its id, its child's name and the narrative it holds now."""
    with Session.unlock(demo_db, SAM.username, SAM.password) as session:
        assessment = next(a for a in session.assessments.find()
                          if a.status.value == "draft" and a.form_id == "neglect-assessment")
        assert session.assessments.interrupted_edit() is None
        name = session.children.get(assessment.child_id).record.full_name
        return assessment.id, name, assessment.answers.get(FIELD, "")


def test_killed_while_typing_keeps_all_but_the_last_seconds_and_offers_the_draft(
        qtbot: Any, app_look: Any, demo_db: Path, tmp_path: Path, draft: tuple[str, str, str]) -> None:
    assessment_id, child_name, before = draft
    script = tmp_path / "drive_the_app.py"
    script.write_text(DRIVER, encoding="utf-8")
    command = [sys.executable, str(script), str(demo_db), SAM.username, assessment_id, FIELD, BEFORE_PAUSE,
               AFTER_PAUSE, str(PAUSE_SECONDS)]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env, cwd=Path(__file__).parents[2]) as app:
        try:
            assert app.stdin is not None
            app.stdin.write(SAM.password + "\n")
            app.stdin.close()
            assert read_line(app, SLOW_MS / 1000) == "editing"
            with pytest.raises(AlreadyOpen):  # one running app per database, across processes too
                Session.unlock(demo_db, SAM.username, SAM.password)
            assert read_line(app, 30) == "typed"
            app.send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
        finally:
            app.kill()
            app.wait(10)
    assert app.returncode == -signal.SIGKILL

    with Session.unlock(demo_db, SAM.username, SAM.password) as session:
        saved = session.assessments.get(assessment_id).answers[FIELD]
        interrupted = session.assessments.interrupted_edit()
        problems = session.check()
    # everything typed before the pause is there; what came in the last moments before the kill may not be
    assert saved in (before + BEFORE_PAUSE, before + BEFORE_PAUSE + AFTER_PAUSE)
    assert time.monotonic() - killed_at < 30
    assert interrupted is not None and interrupted.id == assessment_id
    assert problems == []

    # The next start offers the draft, and opening it shows what was saved.
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    workspace = window.workspace
    assert workspace.banner.isVisible()
    assert child_name in workspace.banner_text.text()
    assert "last autosave" in workspace.banner_text.text()
    click(qtbot, workspace.banner_open)
    qtbot.waitUntil(lambda: isinstance(workspace.current(), AssessmentScreen))
    screen = workspace.current()
    assert screen.assessment.id == assessment_id and screen.editable
    assert not workspace.banner.isVisible()
    box = screen.view.row(FIELD).editor.focus_widget()
    assert isinstance(box, QPlainTextEdit) and box.toPlainText() == saved


def mark_as_open(database: Path) -> str:
    """Leave a draft marked as open, as a crash does; returns its id."""
    with Session.unlock(database, SAM.username, SAM.password) as session:
        assessment = next(a for a in session.assessments.find() if a.status.value == "draft")
        session.assessments.mark_editing(assessment.id)
        return assessment.id


def test_the_offer_can_be_dismissed_and_is_not_made_again(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    mark_as_open(demo_db)
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    assert window.workspace.banner.isVisible()
    click(qtbot, window.workspace.banner_dismiss)
    assert not window.workspace.banner.isVisible()
    window.lock()
    unlock(qtbot, window, SAM.username, SAM.password)
    settle(qtbot)
    assert not window.workspace.banner.isVisible()


def test_closing_the_window_properly_leaves_nothing_to_offer(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    assessment_id = mark_as_open(demo_db)
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    click(qtbot, window.workspace.banner_open)
    qtbot.waitUntil(lambda: isinstance(window.workspace.current(), AssessmentScreen))
    window.close()  # saves and says the draft was closed
    with Session.unlock(demo_db, SAM.username, SAM.password) as session:
        assert session.assessments.interrupted_edit() is None
        assert session.assessments.get(assessment_id).status.value == "draft"


def test_another_users_draft_is_not_offered(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    from app_driver import LEAD

    mark_as_open(demo_db)
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, LEAD.username, LEAD.password)
    settle(qtbot)
    assert not window.workspace.banner.isVisible()
