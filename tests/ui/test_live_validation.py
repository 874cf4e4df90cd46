"""Live validation (issue 14): the core's submit check runs as answers change, problems appear and clear without
submitting, and a section is ticked only when the core finds nothing wrong in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from app_driver import click, type_into
from PySide6.QtWidgets import QLabel, QRadioButton

from cpassess.casework import Casework
from cpassess.forms import default_catalog, validate_submission
from ui import form_view
from ui.form_view import FormView


def tomorrow() -> str:
    """As typed; worked out when the test runs (a run that passes midnight would find "tomorrow" is today)."""
    return (dt.date.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")


@pytest.fixture
def view(qtbot: Any) -> FormView:
    form = default_catalog().get("neglect-assessment")
    view = FormView(form, {})
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    return view


def state(view: FormView, section_id: str) -> str:
    return next(s.describe() for s in view.sections.rows() if s.section.id == section_id).split("\n")[1]


def test_a_wrong_answer_shows_its_problem_as_typed_and_clears_when_put_right(qtbot: Any, view: FormView) -> None:
    date = view.row("assessment_date")
    type_into(qtbot, date.editor.focus_widget(), tomorrow())
    qtbot.waitUntil(lambda: date.problem.isVisible())  # no submit: the check follows the typing
    assert "future" in date.problem.text()
    assert "to fix" in state(view, "about")
    assert not view.row("assessment_reason").problem.isVisible()  # unanswered questions wait for a submit attempt
    date.editor.set_value(dt.date.today().isoformat())
    date.editor.changed.emit()
    qtbot.waitUntil(lambda: not date.problem.isVisible())
    assert "in progress" in state(view, "about")


def test_after_a_submit_attempt_each_problem_clears_as_it_is_answered(qtbot: Any, view: FormView) -> None:
    view.show_problems(validate_submission(view.form, view.answers()))
    reason = view.row("assessment_reason")
    assert reason.problem.isVisible() and "an answer is needed" in reason.problem.text()
    before = len(view.shown_problems())
    click(qtbot, next(b for b in reason.editor.findChildren(QRadioButton) if b.isVisible()))
    qtbot.waitUntil(lambda: not reason.problem.isVisible())
    assert len(view.shown_problems()) < before
    assert view.shown_problems() == validate_submission(view.form, view.answers())  # the same as submit says


def test_evidence_without_a_level_is_a_problem_until_a_level_is_chosen(qtbot: Any, view: FormView) -> None:
    view.show_section("physical_care")
    grade = view.row("nutrition_feeding")
    type_into(qtbot, grade.editor._evidence, "Lunchbox empty")
    qtbot.waitUntil(lambda: grade.problem.isVisible())
    assert "choose a level" in grade.problem.text()
    click(qtbot, grade.editor._buttons[1])
    qtbot.waitUntil(lambda: not grade.problem.isVisible())


def test_one_empty_row_never_earns_a_tick(qtbot: Any) -> None:
    form = default_catalog().get("girfec-wellbeing")
    view = FormView(form, {"chronology_events": [{}]})
    qtbot.addWidget(view)
    assert "complete" not in state(view, "chronology")
    view.show_problems(validate_submission(form, view.answers()))
    assert "to fix" in state(view, "chronology")


def test_a_slow_check_runs_off_the_ui_thread_and_its_result_still_arrives(qtbot: Any, view: FormView,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(form_view, "SLOW_CHECK_SECONDS", -1.0)
    view.check_now()  # measured as slow: the next checks go to a worker
    assert view._check_in_background
    date = view.row("assessment_date")
    type_into(qtbot, date.editor.focus_widget(), tomorrow())
    qtbot.waitUntil(lambda: date.problem.isVisible())


def test_after_a_failed_submit_the_count_follows_the_answers_and_looks_like_a_problem(
        qtbot: Any, app_look: Any, demo_db: Any) -> None:
    from app_driver import SAM, open_window, unlock

    from ui.screens.assessment import AssessmentScreen

    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    draft = Casework.of(window.session).new(window.session.children.rows()[0].child_id, "neglect-assessment")
    window.workspace.open_assessment(draft.id)
    screen = window.workspace.current()
    assert isinstance(screen, AssessmentScreen) and not screen.problem_count.isVisible()
    click(qtbot, screen.submit_button)
    assert screen.problem_count.isVisible() and screen.problem_list.isVisible()
    assert screen.problem_count.property("role") == "problem" != screen.saved.property("role")
    before = screen.problem_model.rowCount()
    assert screen.problem_count.text().startswith(f"⚠ {before} problems")
    date = screen.view.row("assessment_date")
    type_into(qtbot, date.editor.focus_widget(), dt.date.today().strftime("%d/%m/%Y"))
    qtbot.waitUntil(lambda: screen.problem_model.rowCount() == before - 1)  # no second submit needed
    assert screen.problem_count.text().startswith(f"⚠ {before - 1} problems")
    assert not date.problem.isVisible()


def test_disabled_controls_and_review_mode_look_different(qtbot: Any, app_look: Any) -> None:
    from PySide6.QtGui import QPalette

    palette = app_look.palette()
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        assert palette.color(QPalette.ColorGroup.Disabled, role) != palette.color(QPalette.ColorGroup.Active, role)
    assert "QPushButton:disabled" in app_look.styleSheet() and "dashed" in app_look.styleSheet()
    form = default_catalog().get("neglect-assessment")
    review = FormView(form, {}, read_only=True, commentable=True)
    qtbot.addWidget(review)
    notices = [label.text() for label in review.findChildren(QLabel) if label.property("role") == "read-only"]
    assert notices and "Read only" in notices[0]  # said in words
    assert review.row("assessment_date").property("role") == "answer-read-only"
