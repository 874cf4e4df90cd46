"""Forms version 2 in the app (issue 15): moving a draft to a newer version after seeing what changes, and the
form's cross-field warnings shown beside the questions and before submitting (never blocking)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from app_driver import SAM, DialogAnswer, MessageBoxes, button, click, open_window, unlock
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPushButton

from cpassess.casework import Action, Casework
from cpassess.demo import sample_answers
from cpassess.forms import default_catalog, validate_submission
from ui.form_view import FormView
from ui.main_window import MainWindow
from ui.screens.assessment import AssessmentScreen
from ui.screens.migrate import MigrationDialog
from ui.screens.review_dialogs import ApproveDialog

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


# --- the form's cross-field warnings ------------------------------------------------------------------------------

NEGLECT = default_catalog().get("neglect-assessment")
HIGH_BUT_NO_ACTION = "The overall level of concern is high, but no further action is recommended."


def worrying_answers() -> dict[str, Any]:
    """Complete v2 answers, submittable, with high concern and no further action (the form warns, it does not
    refuse)."""
    answers = sample_answers(NEGLECT, random.Random(5), "Ava", dt.date.today())
    return {**answers, "overall_concern": "high", "recommendation": "no_further_action", "significant_harm": "no"}


def test_a_warning_appears_beside_its_questions_as_answers_change_and_blocks_nothing(qtbot: Any) -> None:
    answers = worrying_answers()
    assert not validate_submission(NEGLECT, answers)  # nothing to put right: a warning is not a problem
    view = FormView(NEGLECT, {**answers, "recommendation": "cppm"})
    qtbot.addWidget(view)
    view.show()
    analysis = NEGLECT.section_of("recommendation").id
    view.show_section(analysis)
    concern, recommendation = view.row("overall_concern"), view.row("recommendation")
    assert view.warnings() == [] and concern.warning is None
    recommendation.editor.set_value("no_further_action")
    recommendation.editor.changed.emit()  # as a click on the option would
    qtbot.waitUntil(lambda: bool(view.warnings()))
    for row in (concern, recommendation):
        assert row.warning is not None and row.warning.isVisible()
        assert row.warning.text().startswith(f"△ {HIGH_BUT_NO_ACTION}")  # a symbol, not only a colour
        assert row.warning.property("role") == "warning" and not row.problem.isVisible()
    assert not view.row("significant_harm").warning  # only the questions the warning is about
    section = next(state for state in view.sections.rows() if state.section.id == analysis)
    assert "△ 1 to check" in section.describe()
    assert view.shown_problems() == []
    recommendation.editor.set_value("cppm")
    recommendation.editor.changed.emit()
    qtbot.waitUntil(lambda: not view.warnings())
    assert not concern.warning.isVisible() and not recommendation.warning.isVisible()


def test_the_author_sees_the_warnings_listed_and_again_before_submitting(qtbot: Any, app_look: Any, demo_db: Path,
                                                                         monkeypatch: Any) -> None:
    boxes = MessageBoxes(answer=QMessageBox.StandardButton.No).install(monkeypatch)
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    draft = Casework.of(window.session).new(window.session.children.rows()[0].child_id, NEGLECT.id,
                                            answers=worrying_answers())
    window.workspace.open_assessment(draft.id)
    screen = window.workspace.current()
    assert isinstance(screen, AssessmentScreen)
    assert screen.warning_list.isVisible() and not screen.problem_list.isVisible()
    listed = screen.warning_model.data(screen.warning_model.index(0, 0))
    assert listed.startswith(f"△ {HIGH_BUT_NO_ACTION}") and "(Overall level of concern; Recommendation)" in listed
    screen.warning_list.setCurrentIndex(screen.warning_model.index(0, 0))
    screen.warning_list.activated.emit(screen.warning_model.index(0, 0))  # Return on the line jumps to the question
    assert screen.view.current_section().id == NEGLECT.section_of("overall_concern").id
    click(qtbot, screen.submit_button)
    [question] = boxes.of("question")  # asked, not refused: the author may have good reason
    assert f"△ {HIGH_BUT_NO_ACTION}" in question and "does not stop you submitting" in question
    assert window.session.assessments.get(draft.id).status.value == "draft"  # they answered No


def test_the_reviewer_sees_the_warnings_beside_the_answers_and_in_the_approval(qtbot: Any, app_look: Any,
                                                                               team: Any) -> None:
    child_id = team.add_child()
    with team.session("prac") as session:
        submitted = Casework.of(session).new(child_id, NEGLECT.id, answers=worrying_answers())
        Casework.of(session).submit(submitted.id)
    window = open_window(qtbot, team.db)
    unlock(qtbot, window, "lead", team.passwords["lead"])
    window.workspace.open_assessment(submitted.id)
    review = window.workspace.current()
    assert isinstance(review, AssessmentScreen) and review.reviewing
    assert review.warning_list.isVisible()
    assert review.view.row("recommendation").warning.text().startswith(f"△ {HIGH_BUT_NO_ACTION}")

    def read(dialog: ApproveDialog) -> str:
        text = dialog.warnings.text() if dialog.warnings.isVisible() else ""
        dialog.reject()
        return text

    with DialogAnswer(ApproveDialog, read) as approval:
        click(qtbot, review.approve_button)
    assert f"△ {HIGH_BUT_NO_ACTION}" in approval.result and "does not stop approval" in approval.result


def test_return_in_the_move_dialog_cancels_and_its_lists_are_named_for_screen_readers(qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from cpassess.forms import migrate_answers

    answers = sample_answers(NEGLECT_V1, random.Random(3), "Ava", dt.date.today())
    migration = migrate_answers(answers, NEGLECT_V1, default_catalog().get("neglect-assessment"))
    dialog = MigrationDialog(migration)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.dropped.accessibleName() == "Answers that will be dropped"
    assert dialog.new_fields.accessibleName() == "New questions"
    assert dialog.dropped.model().rowCount() == len(migration.dropped) > 0
    assert migration.summary() in " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert not dialog.move_button.isDefault() and not dialog.move_button.autoDefault()
    dialog.dropped.setFocus()  # reading the list, as a keyboard user does before deciding
    with qtbot.waitSignal(dialog.finished, timeout=1000):
        qtbot.keyClick(dialog.dropped, Qt.Key.Key_Return)  # the default is Cancel: only the button moves the draft
    assert dialog.result() == QDialog.DialogCode.Rejected
