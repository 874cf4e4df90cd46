"""An administrator gives a draft to a colleague to finish (a leaver's work): the button is there only where
`allowed_actions` allows it, the choice names people, and the new author can edit it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app_driver import EILIDH, LEAD, SAM, DialogAnswer, button, click, open_window, settle, unlock
from PySide6.QtWidgets import QAbstractButton, QInputDialog

from cpassess.session import Session
from cpassess.workflow import Status
from ui.screens.assessment import AssessmentScreen


def sams_draft(database: Path) -> str:
    with Session.unlock(database, SAM.username, SAM.password) as session:
        return next(a.id for a in session.assessments.find(status=Status.DRAFT) if a.author == SAM.username)


def labels(screen: AssessmentScreen) -> list[str]:
    return [widget.text() for widget in screen.findChildren(QAbstractButton) if widget.isVisibleTo(screen)]


def test_an_administrator_gives_a_draft_to_a_colleague(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    draft = sams_draft(demo_db)
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, LEAD.username, LEAD.password)
    window.workspace.open_assessment(draft)
    screen = window.workspace.current()
    assert isinstance(screen, AssessmentScreen) and not screen.editable  # Sam's: the administrator reads it

    def choose(dialog: QInputDialog) -> list[str]:
        offered = dialog.comboBoxItems()
        assert dialog.labelText() == "Who finishes this assessment, started by Sam Wróblewski?"
        dialog.setTextValue(next(name for name in offered if name.startswith(EILIDH.display_name)))
        dialog.accept()
        return offered

    with DialogAnswer(QInputDialog, choose) as answer:
        click(qtbot, button(screen, "Give to a colleague"))
        qtbot.waitUntil(lambda: answer.result is not None)
    assert not any(name.startswith(SAM.display_name) for name in answer.result)  # not to its author
    assert f"{EILIDH.display_name} (Practitioner)" in answer.result
    settle(qtbot)
    assert "Given to Eilidh Ní Bhriain" in window.statusBar().currentMessage()
    window.close()
    with Session.unlock(demo_db, EILIDH.username, EILIDH.password) as session:
        assert session.assessments.get(draft).author == EILIDH.username
        assert any(e.action == "assessment.reassigned" and e.detail == {"from": SAM.username, "to": EILIDH.username}
                   for e in session.audit_events())


def test_only_an_administrator_sees_the_button_and_only_on_a_draft_or_returned(qtbot: Any, app_look: Any,
                                                                               demo_db: Path) -> None:
    draft = sams_draft(demo_db)
    with Session.unlock(demo_db, LEAD.username, LEAD.password) as session:
        submitted = next(a.id for a in session.assessments.find(status=Status.SUBMITTED))
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    window.workspace.open_assessment(draft)
    assert "&Give to a colleague…" not in labels(window.workspace.current())  # the author: a practitioner
    window.lock()
    settle(qtbot)
    unlock(qtbot, window, LEAD.username, LEAD.password)
    window.workspace.open_assessment(submitted)
    assert "&Give to a colleague…" not in labels(window.workspace.current())  # submitted: it stays its author's
