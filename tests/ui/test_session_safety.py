"""Session safety (DESIGN §8.3): locking after idle time or on Ctrl+L leaves nothing personal anywhere in the window,
closes the session, and saves what was typed; one window per database; a wrong password is refused plainly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from app_driver import (
    EILIDH,
    LEAD,
    SAM,
    SLOW_MS,
    DialogAnswer,
    button,
    click,
    focused,
    open_window,
    settle,
    texts_in,
    type_into,
    type_keys,
    unlock,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QToolBar

from cpassess.caseload import Child
from cpassess.casework import Casework
from cpassess.keyslots import UNLOCK_REFUSED_MESSAGE
from cpassess.session import Session
from cpassess.storage import StorageError
from ui.main_window import MainWindow
from ui.screens.assessment import AssessmentScreen, CommentDialog
from ui.screens.caseload import CaseloadScreen
from ui.screens.child import ChildDialog, ChildScreen
from ui.screens.export import ExportDialog
from ui.screens.unlock import UnlockScreen

NARRATIVE = "practitioner_analysis"
TYPED = " Typed just before the screen locked."


def personal(window: MainWindow, child: Child) -> list[str]:
    """What identifies the open child (names, CHI, address, school) and the name of every child on the caseload."""
    record = child.record
    words = [record.given_names, record.family_name, record.full_name, record.known_as, record.chi,
             (record.address or "").split("\n")[0], record.school]
    words += [row.name for row in window.session.children.rows()]
    return [word for word in words if word and len(word) >= 4]  # long enough not to match by chance


def everything_shown(window: MainWindow) -> str:
    """All text held by the window and by any other open window or dialog."""
    texts = texts_in(window)
    for top in QApplication.topLevelWidgets():
        if top is not window and top.isVisible():
            texts += texts_in(top)
    return "\n".join(texts)


def open_draft(qtbot: Any, window: MainWindow) -> tuple[AssessmentScreen, Child]:
    """Sam opens a draft of theirs; returns its screen and the child."""
    session = window.session
    draft = next(a for a in session.assessments.find() if a.status.value == "draft" and a.author == SAM.username)
    child = session.children.get(draft.child_id)
    window.workspace.open_child(child.id)
    window.workspace.open_assessment(draft.id)
    screen = window.workspace.current()
    assert isinstance(screen, AssessmentScreen) and screen.editable
    screen.view.show_section(screen.form.section_of(NARRATIVE).id)
    settle(qtbot)
    return screen, child


def assert_locked(window: MainWindow, session: Session, secrets: list[str]) -> None:
    assert window.session is None and window.workspace is None
    assert isinstance(window.stack.currentWidget(), UnlockScreen)
    assert not window.findChild(QToolBar).isVisible()
    shown = everything_shown(window)
    leaked = [word for word in secrets if word in shown]
    assert not leaked, f"still held by the window after locking: {leaked}"
    with pytest.raises(StorageError):
        session.db.connection  # noqa: B018 - the connection is closed
    assert not any(session.database_key_for_backup()), "the database key is still in memory"


def test_idle_lock_saves_what_was_typed_and_leaves_nothing_of_the_child(qtbot: Any, app_look: Any,
                                                                          demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    screen, child = open_draft(qtbot, window)
    session, secrets = window.session, personal(window, child)
    assert child.record.family_name in everything_shown(window)  # what the check looks for can be found
    text_box = screen.view.row(NARRATIVE).editor.focus_widget()
    before = text_box.toPlainText()
    text_box.moveCursor(QTextCursor.MoveOperation.End)
    assert window.idle_timer.isActive()
    window.idle_timer.setInterval(200)
    window.idle_timer.start()
    type_into(qtbot, text_box, TYPED)  # less than the 2 s autosave delay before the lock
    qtbot.waitUntil(lambda: window.session is None, timeout=5000)
    settle(qtbot)
    assert_locked(window, session, secrets)
    with Session.unlock(demo_db, SAM.username, SAM.password) as reopened:  # the window let go of the database
        assert reopened.assessments.get(screen.assessment.id).answers[NARRATIVE] == before + TYPED


def test_activity_keeps_the_window_unlocked(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    window.idle_timer.setInterval(400)
    window.idle_timer.start()
    search = window.workspace.current().search
    assert focused() is search
    for _ in range(8):  # 1.2 s of typing, a key every 150 ms, through the window as the keyboard's keys come
        QTest.keyClick(window.windowHandle(), Qt.Key.Key_A)
        qtbot.wait(150)
        assert window.session is not None
    assert search.text() == "a" * 8
    qtbot.waitUntil(lambda: window.session is None, timeout=3000)


def test_typing_in_a_dialog_keeps_the_window_unlocked(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    """Input in a dialog (a window of its own) counts as activity, as in the main window."""
    from PySide6.QtWidgets import QInputDialog

    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    window.idle_timer.setInterval(400)
    window.idle_timer.start()
    dialog = QInputDialog(window)
    dialog.setLabelText("Anything")
    dialog.show()
    qtbot.waitActive(dialog)
    for _ in range(8):  # 1.2 s of typing into the dialog, a key every 150 ms
        QTest.keyClick(dialog.windowHandle(), Qt.Key.Key_A)
        qtbot.wait(150)
        assert window.session is not None
    assert dialog.textValue() == "a" * 8
    dialog.close()
    qtbot.waitUntil(lambda: window.session is None, timeout=3000)


def test_ctrl_l_locks_and_the_password_box_is_ready(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    _, child = open_draft(qtbot, window)
    session, secrets = window.session, personal(window, child)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.session is None, timeout=5000)
    settle(qtbot)
    assert_locked(window, session, secrets)
    screen = window.stack.currentWidget()
    assert screen.username.text() == SAM.username and not screen.password.text()
    assert focused() is screen.password  # back to work by typing the password
    type_keys(qtbot, screen.password, SAM.password)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session is not None, timeout=SLOW_MS)


def test_locking_with_a_dialog_open_closes_the_dialog(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    _, child = open_draft(qtbot, window)
    window.workspace.open_child(child.id)
    child_screen = window.workspace.current()
    assert isinstance(child_screen, ChildScreen)
    session, secrets = window.session, personal(window, child)

    def walk_away(dialog: ChildDialog) -> None:
        assert child.record.family_name in "\n".join(texts_in(dialog))
        window.idle_timer.setInterval(100)
        window.idle_timer.start()
        qtbot.waitUntil(lambda: window.session is None, timeout=5000)
        settle(qtbot)

    with DialogAnswer(ChildDialog, walk_away):
        click(qtbot, button(child_screen, "Change details…"))
    settle(qtbot)
    assert not [top for top in QApplication.topLevelWidgets() if isinstance(top, QDialog) and top.isVisible()]
    assert_locked(window, session, secrets)
    with Session.unlock(demo_db, SAM.username, SAM.password) as reopened:
        assert reopened.children.get(child.id).record == child.record  # nothing half-saved


def test_locking_while_the_pdf_preview_is_being_made(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    screen, child = open_draft(qtbot, window)
    session, secrets = window.session, personal(window, child)

    def lock_at_once(dialog: ExportDialog) -> None:
        assert not dialog.save_button.isEnabled()  # still making the PDF
        window.idle_timer.setInterval(1)
        window.idle_timer.start()
        qtbot.waitUntil(lambda: window.session is None, timeout=5000)
        settle(qtbot, 200)

    with DialogAnswer(ExportDialog, lock_at_once):
        click(qtbot, screen.export_button)
    settle(qtbot, 200)
    assert not [top for top in QApplication.topLevelWidgets() if isinstance(top, QDialog) and top.isVisible()]
    assert_locked(window, session, secrets)


def test_a_second_window_on_the_same_database_says_it_is_already_open(qtbot: Any, app_look: Any,
                                                                       demo_db: Path) -> None:
    first = open_window(qtbot, demo_db)
    unlock(qtbot, first, SAM.username, SAM.password)
    second = open_window(qtbot, demo_db)
    screen = second.stack.currentWidget()
    assert isinstance(screen, UnlockScreen)
    screen.username.clear()
    type_keys(qtbot, screen.username, LEAD.username)
    type_keys(qtbot, screen.password, LEAD.password)
    click(qtbot, screen.unlock_button)
    qtbot.waitUntil(screen.message.isVisible, timeout=SLOW_MS)
    assert "already open" in screen.message.text()
    assert second.session is None and not screen.password.text()
    assert first.session is not None and first.workspace.current() is not None  # the first window carries on
    first.lock()  # once the first window is locked, the second one opens
    type_keys(qtbot, screen.password, LEAD.password)
    click(qtbot, screen.unlock_button)
    qtbot.waitUntil(lambda: second.session is not None, timeout=SLOW_MS)
    assert second.session.user.username == LEAD.username


@pytest.mark.parametrize(("username", "password"), [(SAM.username, "not sam's password"),
                                                    ("nobody", "a password for no one")],
                         ids=["wrong password", "unknown user"])
def test_a_wrong_password_is_refused_plainly_and_cleared(qtbot: Any, app_look: Any, demo_db: Path,
                                                         username: str, password: str) -> None:
    window = open_window(qtbot, demo_db)
    screen = window.stack.currentWidget()
    assert isinstance(screen, UnlockScreen)
    screen.username.clear()
    type_keys(qtbot, screen.username, username)
    type_keys(qtbot, screen.password, password)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(screen.message.isVisible, timeout=SLOW_MS)
    assert screen.message.text() == UNLOCK_REFUSED_MESSAGE  # the same either way: no hint which was wrong
    assert not screen.password.text() and focused() is screen.password
    assert screen.unlock_button.isEnabled() and window.session is None
    assert screen.username.text() == username  # only the password has to be typed again
    type_keys(qtbot, screen.password, EILIDH.password if username == "nobody" else SAM.password)
    if username == "nobody":
        screen.username.clear()
        type_keys(qtbot, screen.username, EILIDH.username)
    click(qtbot, screen.unlock_button)
    qtbot.waitUntil(lambda: window.session is not None, timeout=SLOW_MS)


# --- locking keeps your place (issue 14) ----------------------------------------------------------------------------


def test_unlocking_after_a_lock_returns_to_the_same_section_of_the_same_draft(qtbot: Any, app_look: Any,
                                                                            demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    screen, _ = open_draft(qtbot, window)
    draft_id, section_id = screen.assessment.id, screen.view.current_section().id
    assert section_id != screen.form.sections[0].id  # not where an assessment opens anyway
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.session is None, timeout=5000)
    unlock(qtbot, window, SAM.username, SAM.password)
    back = window.workspace.current()
    assert isinstance(back, AssessmentScreen) and back.assessment.id == draft_id
    assert back.view.current_section().id == section_id
    assert not window.workspace.banner.isVisible()  # a lock is not a crash: no "when cpassess last stopped"


def test_a_half_typed_review_comment_survives_the_idle_lock(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, LEAD.username, LEAD.password)
    queued = Casework.of(window.session).review_queue()
    assert queued, "the demo has an assessment waiting for review"
    window.workspace.open_assessment(queued[0].id)
    screen = window.workspace.current()
    assert isinstance(screen, AssessmentScreen) and screen.reviewing
    section = screen.form.sections[1]
    screen.view.show_section(section.id)
    words = "Please add what the school told you about"

    def walk_away(dialog: CommentDialog) -> None:
        type_keys(qtbot, dialog.text, words)
        window.idle_timer.setInterval(100)
        window.idle_timer.start()
        qtbot.waitUntil(lambda: window.session is None, timeout=5000)
        settle(qtbot)

    with DialogAnswer(CommentDialog, walk_away):
        click(qtbot, screen.return_button)
    assert not [top for top in QApplication.topLevelWidgets() if isinstance(top, QDialog) and top.isVisible()]
    assert isinstance(window.stack.currentWidget(), UnlockScreen)

    def still_there(dialog: CommentDialog) -> str:
        text = dialog.text.toPlainText()
        dialog.reject()
        return text

    with DialogAnswer(CommentDialog, still_there) as comment:
        unlock(qtbot, window, LEAD.username, LEAD.password)
    assert comment.result == words
    back = window.workspace.current()
    assert isinstance(back, AssessmentScreen) and back.assessment.id == queued[0].id
    assert back.view.current_section().id == section.id
    assert window.session.assessments.get(queued[0].id).status.value == "submitted"  # nothing was sent


def test_another_user_unlocking_starts_at_the_caseload(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    open_draft(qtbot, window)
    window.lock()
    unlock(qtbot, window, LEAD.username, LEAD.password)
    assert isinstance(window.workspace.current(), CaseloadScreen)


def test_nothing_of_a_session_outlives_its_lock(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    """After a lock, no session, caseload row or task is left in memory, however many times the window was
    unlocked: background jobs, the casework layer and the team-server status each used to keep theirs."""
    import gc

    from cpassess.caseload import CaseloadRow
    from cpassess.worklist import Task
    from ui.screens.caseload import CaseloadScreen as Caseload

    def alive() -> list[str]:  # of these kinds, counting what earlier tests on this worker may hold
        gc.collect()
        return [type(o).__name__ for o in gc.get_objects() if isinstance(o, (Session, CaseloadRow, Task))]

    before = len(alive())
    window = open_window(qtbot, demo_db)
    for _ in range(3):
        unlock(qtbot, window, LEAD.username, LEAD.password)
        screen = window.workspace.current()
        assert isinstance(screen, Caseload)
        qtbot.waitUntil(lambda s=screen: s.tasks.rowCount() > 0)  # the jobs of "needs doing" have reported
        del screen
        window.lock()

        def nothing_left() -> bool:  # once the jobs still running at the lock have reported and screens gone
            settle(qtbot)
            QApplication.sendPostedEvents(None, 52)  # QEvent.DeferredDelete: what the idle event loop does
            return len(alive()) <= before

        try:
            qtbot.waitUntil(nothing_left, timeout=5000)
        except Exception:  # pytest-qt raises its own TimeoutError
            left = alive()
            held = {f"frame {r.f_code.co_qualname} ({r.f_code.co_filename.rsplit('/', 1)[-1]}:{r.f_lineno})"
                    if type(r).__name__ == "frame" else type(r).__name__
                    for o in gc.get_objects() if isinstance(o, Session) for r in gc.get_referrers(o)}
            raise AssertionError(f"{len(left) - before} left after the lock: {sorted(set(left))}; sessions held by "
                                 f"{sorted(held)}") from None
