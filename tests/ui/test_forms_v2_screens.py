"""Forms version 2 in the app (issue 15): moving a draft to a newer version after seeing what changes, and the
form's cross-field warnings shown beside the questions and before submitting (never blocking)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from app_driver import SAM, DialogAnswer, button, click, open_window, unlock
from PySide6.QtWidgets import QPushButton

from cpassess.casework import Action, Casework
from cpassess.demo import sample_answers
from cpassess.forms import default_catalog
from ui.main_window import MainWindow
from ui.screens.assessment import AssessmentScreen
from ui.screens.migrate import MigrationDialog

NEGLECT_V1 = default_catalog().get("neglect-assessment", 1)


def open_v1_draft(qtbot: Any, demo_db: Path) -> tuple[MainWindow, AssessmentScreen]:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    child_id = window.session.children.rows()[0].child_id
    answers = sample_answers(NEGLECT_V1, random.Random(3), "Ava", dt.date.today())
    draft = Casework.of(window.session).new(child_id, NEGLECT_V1.id, 1, answers)
    window.workspace.open_assessment(draft.id)
    screen = window.workspace.current()
    assert isinstance(screen, AssessmentScreen)
    return window, screen


def shown(dialog: MigrationDialog) -> list[str]:
    texts = []
    for view in (dialog.dropped, dialog.new_fields):
        model = view.model()
        texts += [str(model.data(model.index(row, 0))) for row in range(model.rowCount())]
    return texts


def test_a_v1_draft_shows_what_moving_drops_and_adds_and_cancel_changes_nothing(qtbot: Any, app_look: Any,
                                                                              demo_db: Path) -> None:
    window, screen = open_v1_draft(qtbot, demo_db)
    assert Action.MIGRATE in screen.allowed
    expected = Casework.of(window.session).migration(screen.assessment.id)  # what the command line prints
    with DialogAnswer(MigrationDialog, lambda dialog: (shown(dialog), dialog.reject())) as answer:
        click(qtbot, button(screen, "Move to version 2…"))
    texts, _ = answer.result
    assert any("Recognition of the concerns" in text and "no longer asks" in text for text in texts)
    assert any("Is the child at risk of significant harm?" in text for text in texts)
    assert len(texts) == len(expected.dropped) + len(expected.new_fields)
    current = window.workspace.current()
    assert current is screen and screen.form.version == 1
    assert window.session.assessments.get(screen.assessment.id).form_version == 1  # cancel changed nothing
    assert not any(e.action == "assessment.migrated" for e in window.session.audit_events())


def test_moving_applies_the_diff_reopens_on_version_2_and_is_audited(qtbot: Any, app_look: Any,
                                                                     demo_db: Path) -> None:
    window, screen = open_v1_draft(qtbot, demo_db)
    assessment_id = screen.assessment.id
    before = window.session.assessments.get(assessment_id).answers
    with DialogAnswer(MigrationDialog, lambda dialog: click(qtbot, dialog.move_button)):
        click(qtbot, button(screen, "Move to version 2…"))
    moved = window.workspace.current()
    assert isinstance(moved, AssessmentScreen) and moved is not screen
    assert moved.form.version == 2 and "version 2 of this form" in moved.subtitle.text()
    stored = window.session.assessments.get(assessment_id)
    assert stored.form_version == 2
    assert "recognition_of_concerns" in before and "recognition_of_concerns" not in stored.answers
    assert stored.answers["nutrition_feeding"] == before["nutrition_feeding"]  # kept by question
    assert [e.detail["to"] for e in window.session.audit_events() if e.action == "assessment.migrated"] == [2]
    assert not [b for b in moved.findChildren(QPushButton) if "Move to version" in b.text().replace("&", "")]


def test_a_draft_on_the_newest_version_is_not_offered_a_move(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    draft = Casework.of(window.session).new(window.session.children.rows()[0].child_id, "neglect-assessment")
    window.workspace.open_assessment(draft.id)
    screen = window.workspace.current()
    assert Action.MIGRATE not in screen.allowed
    assert not any("Move to version" in b.text().replace("&", "") for b in screen.findChildren(QPushButton))
