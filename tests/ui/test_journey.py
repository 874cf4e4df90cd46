"""The whole journey through the real window, as the people who use it would go: set up, add a practitioner, add a
child, fill a neglect assessment through its editors, submit, review, return, resubmit, approve and export."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from app_driver import (
    SLOW_MS,
    DialogAnswer,
    MessageBoxes,
    button,
    click,
    click_row,
    focused,
    open_window,
    plain,
    settle,
    toolbar_button,
    type_into,
    unlock,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QPlainTextEdit, QPushButton, QRadioButton, QWidget

from cpassess.forms import fingerprint
from cpassess.session import Session
from cpassess.workflow import Status
from ui.editors.computed import ComputedEditor
from ui.editors.grade import GradeEditor
from ui.editors.repeat import RepeatEditor
from ui.form_view import FieldRow, FormView
from ui.main_window import MainWindow
from ui.screens.assessment import ApproveDialog, AssessmentScreen, CommentDialog
from ui.screens.caseload import CaseloadScreen
from ui.screens.child import ChildDialog, ChildScreen
from ui.screens.export import ExportDialog
from ui.screens.review import ReviewQueueScreen
from ui.screens.settings import AddUserDialog, SettingsScreen
from ui.screens.unlock import FirstRunScreen, UnlockScreen

LEAD = ("morag", "Morag Lindsay", "the lead's long password 1")
PRACTITIONER = ("sam", "Sam Wróblewski", "the practitioner's password 2")
TODAY = dt.date.today()
SEEN_ON = TODAY - dt.timedelta(days=3)

# The grade items the journey sets by clicking, and the ones loaded with set_value (the editors' own tests cover
# every item; here the point is that clicks and typing reach the stored answer).
CLICKED_GRADES = {"nutrition_feeding": ("3 Needs met inconsistently", "Lunches often missing at school."),
                  "supervision_carers_present": ("2 Needs mostly met", "")}


# --- small steps -------------------------------------------------------------------------------------------------


def screen_of(window: MainWindow) -> QWidget:
    return window.workspace.current()


def lock_with_ctrl_l(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(window.stack.currentWidget(), UnlockScreen))
    assert window.session is None


def row(view: FormView, field_id: str) -> FieldRow:
    return view.row(field_id)


def open_section(qtbot: Any, view: FormView, section_id: str) -> None:
    """Click the section in the section list, as a user would."""
    number = next(n for n, state in enumerate(view.sections.rows()) if state.section.id == section_id)
    click_row(qtbot, view.section_list, number)
    qtbot.waitUntil(lambda: view.current_section() is not None and view.current_section().id == section_id)


def choose(qtbot: Any, view: FormView, field_id: str, option: str) -> None:
    """Click a radio button, check box or rating button of a question by its words."""
    click(qtbot, button(row(view, field_id).editor, option))


def write(qtbot: Any, view: FormView, field_id: str, text: str) -> None:
    """Type into a question's line or text box."""
    type_into(qtbot, row(view, field_id).editor.focus_widget(), text)


def section_state(view: FormView, section_id: str) -> str:
    return next(state.describe() for state in view.sections.rows() if state.section.id == section_id)


def wait_for_screen(qtbot: Any, window: MainWindow, kind: type) -> Any:
    qtbot.waitUntil(lambda: window.workspace is not None and isinstance(screen_of(window), kind), timeout=SLOW_MS)
    settle(qtbot)
    return screen_of(window)


# --- the journey ---------------------------------------------------------------------------------------------------


def first_run(qtbot: Any, window: MainWindow) -> str:
    setup = window.stack.currentWidget()
    assert isinstance(setup, FirstRunScreen)
    username, name, password = LEAD
    type_into(qtbot, setup.display_name, name)
    type_into(qtbot, setup.username, username)
    setup.team.clear()
    type_into(qtbot, setup.team, "North East Children and Families")
    type_into(qtbot, setup.password, password)
    type_into(qtbot, setup.repeat, password[:-1] + "X")
    click(qtbot, setup.create_button)
    assert setup.message.isVisible() and "not the same" in setup.message.text()
    setup.repeat.clear()
    type_into(qtbot, setup.repeat, password)
    click(qtbot, setup.create_button)
    qtbot.waitUntil(lambda: bool(setup.code.text()), timeout=SLOW_MS)
    code = setup.code.text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4})+", code), code
    assert setup.code.isVisible() and not setup.create_button.isVisible()
    assert not setup.password.text() and not setup.repeat.text()
    assert not setup.continue_button.isEnabled()  # not until the user says the code is written down
    click(qtbot, setup.confirm)
    click(qtbot, setup.continue_button)
    wait_for_screen(qtbot, window, CaseloadScreen)
    assert window.session is not None and window.session.user.username == username
    assert window.session.user.display_name == name
    return code


def add_practitioner(qtbot: Any, window: MainWindow) -> None:
    username, name, password = PRACTITIONER
    click(qtbot, toolbar_button(window, "Settings"))
    settings = wait_for_screen(qtbot, window, SettingsScreen)
    assert settings.users.rowCount() == 1

    def fill(dialog: AddUserDialog) -> None:
        type_into(qtbot, dialog.display_name, name)
        type_into(qtbot, dialog.username, username)
        assert dialog.practitioner.isChecked() and not dialog.team_lead.isChecked()
        type_into(qtbot, dialog.password, password)
        click(qtbot, button(dialog, "Add user"))

    with DialogAnswer(AddUserDialog, fill):
        click(qtbot, button(settings, "Add user…"))
    qtbot.waitUntil(lambda: settings.users.rowCount() == 2, timeout=SLOW_MS)
    added = next(user for user in settings.users.rows() if user.username == username)
    assert added.display_name == name and [role.value for role in added.roles] == ["practitioner"]


def add_child(qtbot: Any, window: MainWindow) -> ChildScreen:
    caseload = screen_of(window)
    assert isinstance(caseload, CaseloadScreen) and caseload.model.rowCount() == 0

    def fill(dialog: ChildDialog) -> None:
        view = dialog.view
        write(qtbot, view, "given_names", "Eilidh")
        write(qtbot, view, "family_name", "MacLeod")
        write(qtbot, view, "known_as", "Ellie")
        assert row(view, "born").editor.value() == "born"
        write(qtbot, view, "date_of_birth", "19/04/2019")
        choose(qtbot, view, "sex", "Female")
        write(qtbot, view, "chi", "1904190287")  # a wrong check digit is shown at once
        assert row(view, "chi").problem.isVisible()
        chi = row(view, "chi").editor.focus_widget()
        qtbot.keyClick(chi, Qt.Key.Key_Backspace)
        qtbot.keyClicks(chi, "6")
        assert not row(view, "chi").problem.isVisible()
        click(qtbot, button(dialog, "Save"))

    with DialogAnswer(ChildDialog, fill):
        click(qtbot, button(caseload, "Add child"))
    child_screen = wait_for_screen(qtbot, window, ChildScreen)
    assert child_screen.title.text() == "Eilidh MacLeod (Ellie)"
    assert "CHI 1904190286" in child_screen.details.text() and "19/04/2019" in child_screen.details.text()
    return child_screen


def fill_about(qtbot: Any, view: FormView) -> None:
    open_section(qtbot, view, "about")
    assert "not started" in section_state(view, "about")
    write(qtbot, view, "assessment_date", f"{SEEN_ON:%d/%m/%Y}")
    choose(qtbot, view, "assessment_reason", "Other")
    qtbot.waitUntil(row(view, "assessment_reason_other").isVisible)  # the question it asks for appears
    write(qtbot, view, "assessment_reason_other", "Referral from the school nurse")
    choose(qtbot, view, "information_sources", "Home visit")
    choose(qtbot, view, "information_sources", "School or nursery")
    assert not row(view, "child_seen_alone").isVisible()
    choose(qtbot, view, "child_seen", "Yes")
    qtbot.waitUntil(lambda: row(view, "child_seen_alone").isVisible())
    choose(qtbot, view, "child_seen_alone", "No")
    qtbot.waitUntil(lambda: row(view, "not_seen_alone_reason").isVisible())
    write(qtbot, view, "not_seen_alone_reason", "Ellie wanted her mum to stay.\nWe will try again at school.")
    carers = row(view, "carers_present").editor
    assert isinstance(carers, RepeatEditor)
    click(qtbot, button(carers, "Add carer"))
    qtbot.waitUntil(lambda: carers.view.indexWidget(carers.model.index(0, 0)) is not None or focused() is not None)
    qtbot.keyClicks(focused(), "Morven MacLeod")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # commits the name and moves on to the next cell
    qtbot.keyClicks(focused(), "Mother")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: carers.value() is not None and carers.value()[0]["relationship"] == "Mother")


def fill_grades(qtbot: Any, view: FormView, answers: dict[str, Any]) -> None:
    for field_id, (level, evidence) in CLICKED_GRADES.items():
        open_section(qtbot, view, view.form.section_of(field_id).id)
        editor = row(view, field_id).editor
        assert isinstance(editor, GradeEditor)
        choose(qtbot, view, field_id, level)
        assert button(editor, level).isChecked()
        if evidence:
            hint = [label for label in editor.findChildren(QLabel) if label.text() == "Evidence is needed for this grade"]
            assert hint and hint[0].isVisible()  # grade 3 asks for evidence
            type_into(qtbot, editor.findChildren(QPlainTextEdit)[0], evidence)
            assert not hint[0].isVisible()
    for field_id, value in answers.items():
        if row(view, field_id).field.kind == "grade" and field_id not in CLICKED_GRADES:
            row(view, field_id).editor.set_value(value)


def fill_daily_life(qtbot: Any, view: FormView) -> None:
    for field_id in ("physical_care_daily_life", "safety_daily_life", "emotional_daily_life",
                     "development_daily_life"):
        open_section(qtbot, view, view.form.section_of(field_id).id)
        write(qtbot, view, field_id, f"Ellie's day ({field_id.split('_')[0]}).")


def fill_capacity_and_views(qtbot: Any, view: FormView) -> None:
    open_section(qtbot, view, "carers_capacity")
    choose(qtbot, view, "recognition_of_concerns", "Partly shown")
    choose(qtbot, view, "engagement_with_support", "Clearly shown")
    choose(qtbot, view, "response_to_past_help", "Not known")
    choose(qtbot, view, "parenting_pressures", "Mental health")
    choose(qtbot, view, "parenting_pressures", "Housing or money worries")
    open_section(qtbot, view, "views")
    write(qtbot, view, "child_views", "Ellie says she likes her gran's house best.")


def fill_analysis(qtbot: Any, view: FormView) -> None:
    open_section(qtbot, view, "analysis")
    profile = row(view, "domain_profile").editor
    assert isinstance(profile, ComputedEditor)
    shown = [label.text() for label in profile.findChildren(QLabel)]
    assert "Physical care" in " ".join(shown)
    write(qtbot, view, "practitioner_analysis", "Ellie's needs are mostly met; mornings are hard.")
    choose(qtbot, view, "overall_concern", "Moderate")
    choose(qtbot, view, "recommendation", "A multi-agency child's plan")


def submit(qtbot: Any, window: MainWindow, screen: AssessmentScreen, boxes: MessageBoxes) -> None:
    questions = len(boxes.of("question"))
    click(qtbot, screen.submit_button)
    assert len(boxes.of("question")) == questions + 1, "submitting asks for confirmation first"
    wait_for_screen(qtbot, window, ChildScreen)
    assert any("Submitted for review" in text for text in boxes.of("information"))


def test_the_whole_journey_from_first_run_to_a_signed_export(qtbot: Any, app_look: Any, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    boxes = MessageBoxes().install(monkeypatch)
    database = tmp_path / "team" / "cpassess.db"
    window = open_window(qtbot, database)

    # The administrator sets the database up and adds a practitioner.
    recovery_code = first_run(qtbot, window)
    add_practitioner(qtbot, window)
    lock_with_ctrl_l(qtbot, window)

    # The practitioner adds a child and starts a neglect assessment.
    unlock(qtbot, window, PRACTITIONER[0], PRACTITIONER[2])
    child_screen = add_child(qtbot, window)
    click(qtbot, button(child_screen, "New: Neglect"))
    screen = wait_for_screen(qtbot, window, AssessmentScreen)
    assert screen.editable and screen.assessment.status == Status.DRAFT
    view = screen.view
    assert all("not started" in state.describe() for state in view.sections.rows())

    from cpassess.demo import sample_answers

    sample = sample_answers(view.form, __import__("random").Random(3), "Ellie", TODAY)
    fill_about(qtbot, view)
    fill_grades(qtbot, view, sample)
    fill_capacity_and_views(qtbot, view)
    settle(qtbot, 200)
    assert "complete" in section_state(view, "about")
    assert "in progress" in section_state(view, "physical_care")

    # Submitting too early lists every problem; choosing one jumps to its question.
    click(qtbot, screen.submit_button)
    assert screen.problem_list.isVisible()
    problems = [text for text in screen.problem_model.rows()]
    assert any(problem.field_id == "practitioner_analysis" for problem, _ in problems)
    assert "to fix" in section_state(view, "analysis")
    number = next(n for n, (problem, _) in enumerate(problems) if problem.field_id == "practitioner_analysis")
    click_row(qtbot, screen.problem_list, number)
    qtbot.waitUntil(lambda: focused() is row(view, "practitioner_analysis").editor.focus_widget())
    assert view.current_section().id == "analysis"
    assert row(view, "practitioner_analysis").problem.isVisible()
    assert not boxes.of("question"), "nothing is submitted while there are problems"

    fill_daily_life(qtbot, view)
    fill_analysis(qtbot, view)
    submit(qtbot, window, screen, boxes)
    assessment_id = screen.assessment.id
    lock_with_ctrl_l(qtbot, window)

    # The team lead returns it with a comment on a question.
    unlock(qtbot, window, LEAD[0], LEAD[2])
    click(qtbot, toolbar_button(window, "Review queue"))
    queue = wait_for_screen(qtbot, window, ReviewQueueScreen)
    assert queue.model.rowCount() == 1 and queue.model.row_at(0).child_name == "Eilidh MacLeod"
    click_row(qtbot, queue.table, 0)
    click(qtbot, queue.open_button)
    review = wait_for_screen(qtbot, window, AssessmentScreen)
    assert review.reviewing and not review.editable
    open_section(qtbot, review.view, "physical_care")

    def comment(text: str) -> Any:
        def act(dialog: CommentDialog) -> None:
            assert not dialog.ok.isEnabled()  # an empty comment cannot be sent
            type_into(qtbot, dialog.text, text)
            click(qtbot, dialog.ok)

        return act

    field_comment = "Say where the lunch information came from."
    with DialogAnswer(CommentDialog, comment(field_comment)):
        click(qtbot, button(row(review.view, "nutrition_feeding"), "Comment…"))
    assert field_comment in [plain(label.text()).removeprefix("Reviewer: ")
                             for label in row(review.view, "nutrition_feeding").findChildren(QLabel)]
    section_comment = "Please add what the health visitor said about appointments."
    with DialogAnswer(CommentDialog, comment(section_comment)):
        click(qtbot, review.return_button)
    wait_for_screen(qtbot, window, ChildScreen)
    lock_with_ctrl_l(qtbot, window)

    # The practitioner sees both comments beside the section and the question, puts it right and resubmits.
    unlock(qtbot, window, PRACTITIONER[0], PRACTITIONER[2])
    caseload = screen_of(window)
    click_row(qtbot, caseload.table, 0)
    click(qtbot, caseload.open_button)
    child_screen = wait_for_screen(qtbot, window, ChildScreen)
    assert child_screen.model.row_at(0).status == Status.RETURNED
    click_row(qtbot, child_screen.table, 0, double=True)
    screen = wait_for_screen(qtbot, window, AssessmentScreen)
    view = screen.view
    assert screen.editable and screen.assessment.status == Status.RETURNED
    assert "2 comments" in section_state(view, "physical_care")
    open_section(qtbot, view, "physical_care")
    page = view.stack.currentWidget()
    on_page = [label.text() for label in page.findChildren(QLabel) if label.isVisible()]
    assert f"Reviewer, on this section: {section_comment}" in on_page
    beside = [label.text() for label in row(view, "nutrition_feeding").findChildren(QLabel) if label.isVisible()]
    assert f"Reviewer: {field_comment}" in beside
    evidence = row(view, "nutrition_feeding").editor.findChildren(QPlainTextEdit)[0]
    evidence.moveCursor(evidence.textCursor().MoveOperation.End)
    type_into(qtbot, evidence, " School office, 12 May.")
    submit(qtbot, window, screen, boxes)
    lock_with_ctrl_l(qtbot, window)

    # The team lead approves: the dialog shows the content fingerprint and asks for the password again.
    unlock(qtbot, window, LEAD[0], LEAD[2])
    click(qtbot, toolbar_button(window, "Review queue"))
    queue = wait_for_screen(qtbot, window, ReviewQueueScreen)
    click_row(qtbot, queue.table, 0, double=True)
    review = wait_for_screen(qtbot, window, AssessmentScreen)
    digest = review.assessment.content_sha256
    assert digest

    def sign(dialog: ApproveDialog) -> str:
        shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
        type_into(qtbot, dialog.password, LEAD[2])
        click(qtbot, dialog.sign)
        return shown

    with DialogAnswer(ApproveDialog, sign) as approval:
        click(qtbot, review.approve_button)
    assert fingerprint(digest) in approval.result and digest in approval.result
    wait_for_screen(qtbot, window, ChildScreen)
    assert any("Approved and signed" in text for text in boxes.of("information"))

    # Export: the preview shows the pages of the signed record, and saving writes that PDF where the user chose.
    child_screen = screen_of(window)
    click_row(qtbot, child_screen.table, 0, double=True)
    approved = wait_for_screen(qtbot, window, AssessmentScreen)
    assert approved.assessment.status == Status.APPROVED and not approved.editable and not approved.reviewing
    target = tmp_path / "chosen" / "ellie.pdf"
    target.parent.mkdir()
    monkeypatch.setattr("ui.screens.export.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))

    def preview(dialog: ExportDialog) -> dict[str, Any]:
        qtbot.waitUntil(dialog.save_button.isEnabled, timeout=SLOW_MS)
        pages = [label for label in dialog.pages.findChildren(QLabel) if label.pixmap() and not label.pixmap().isNull()]
        seen = {"state": dialog.state.text(), "pages": len(pages),
                "names": [label.accessibleName() for label in pages]}
        click(qtbot, dialog.save_button)
        seen["after save"] = dialog.state.text()
        dialog.reject()
        return seen

    with DialogAnswer(ExportDialog, preview) as export:
        click(qtbot, approved.export_button)
    seen = export.result
    assert "signed, approved record" in seen["state"]
    assert seen["pages"] >= 2 and seen["names"][0] == f"Page 1 of {seen['pages']}"
    assert str(target) in seen["after save"]
    with window_session(window) as session:
        stored = session.assessments.document(assessment_id, "full", "approved")
    assert target.read_bytes() == stored
    assert not boxes.of("warning") and not boxes.of("critical"), boxes.shown

    # The recovery code shown once at set-up is the real one.
    window.close()
    with Session.recover(database, recovery_code, LEAD[0], "a brand new password 4") as recovered:
        assert recovered.user.username == LEAD[0]


class window_session:  # noqa: N801 - used like a function in a with statement
    """The window's open session, for reading what was stored (it stays open: the window owns it)."""

    def __init__(self, window: MainWindow) -> None:
        self.session = window.session

    def __enter__(self) -> Session:
        assert self.session is not None
        return self.session

    def __exit__(self, *exc: object) -> None:
        pass


def test_silence_unused() -> None:
    assert QCheckBox and QPushButton and QRadioButton
