"""The whole journey through the real window, as the people who use it go: set up, add a practitioner, add a child,
fill a neglect assessment through its editors, submit, review, return, resubmit, approve and export.

Widgets are driven with clicks and key presses; a modal dialog is answered with `DialogAnswer`, and message
boxes are recorded by `MessageBoxes` (the confirmation question is answered Yes).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from app_driver import (
    LEAD,
    SAM,
    SLOW_MS,
    DialogAnswer,
    MessageBoxes,
    button,
    click,
    click_row,
    focused,
    open_window,
    settle,
    toolbar_button,
    type_into,
    type_keys,
    unlock,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPlainTextEdit, QWidget

from cpassess.forms import fingerprint
from cpassess.resources import resource_path
from cpassess.session import Session
from cpassess.workflow import Status
from ui.editors.computed import ComputedEditor
from ui.editors.grade import EVIDENCE_HINT, GradeEditor
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

ADMIN = ("morag", "Morag Lindsay", "the lead's long password 1")
PRACTITIONER = ("sam", "Sam Wróblewski", "the practitioner's password 2")
SEEN_ON = dt.date.today() - dt.timedelta(days=3)

# Two grades are given by clicking (with evidence typed for the one that needs it); the other items are loaded with
# set_value, since the editors' own tests cover each of them.
CLICKED_GRADES = {"nutrition_feeding": ("3 Needs met inconsistently", "Lunches often missing at school."),
                  "supervision_carers_present": ("2 Needs mostly met", "")}
OTHER_GRADES = ["hygiene_personal_care", "clothing_footwear", "home_conditions_housing", "health_care",
                "arrangements_carers_absent", "safety_in_home", "safety_outside_online", "warmth_responsiveness",
                "consistency_stability", "acceptance_belonging", "stimulation_play", "education_attendance",
                "guidance_boundaries", "encouragement_recognition"]
DAILY_LIFE = ["physical_care_daily_life", "safety_daily_life", "emotional_daily_life", "development_daily_life"]


# --- steps a user takes ----------------------------------------------------------------------------------------


def screen_of(window: MainWindow) -> QWidget:
    return window.workspace.current()


def wait_for_screen(qtbot: Any, window: MainWindow, kind: type) -> Any:
    qtbot.waitUntil(lambda: window.workspace is not None and isinstance(screen_of(window), kind), timeout=SLOW_MS)
    settle(qtbot)
    return screen_of(window)


def lock_with_ctrl_l(qtbot: Any, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(window.stack.currentWidget(), UnlockScreen))
    assert window.session is None


def row(view: FormView, field_id: str) -> FieldRow:
    return view.row(field_id)


def open_section(qtbot: Any, view: FormView, section_id: str) -> None:
    """Click the section in the section list."""
    number = next(n for n, state in enumerate(view.sections.rows()) if state.section.id == section_id)
    click_row(qtbot, view.section_list, number)
    qtbot.waitUntil(lambda: view.current_section() is not None and view.current_section().id == section_id)


def choose(qtbot: Any, view: FormView, field_id: str, option: str) -> None:
    """Click a question's radio button, check box or rating button by its words."""
    click(qtbot, button(row(view, field_id).editor, option))


def write(qtbot: Any, view: FormView, field_id: str, text: str) -> None:
    """Click into a question's line or text box and type."""
    type_into(qtbot, row(view, field_id).editor.focus_widget(), text)


def section_state(view: FormView, section_id: str) -> str:
    return next(state.describe() for state in view.sections.rows() if state.section.id == section_id)


def first_run(qtbot: Any, window: MainWindow) -> str:
    """Set the database up as its administrator; returns the recovery code shown."""
    setup = window.stack.currentWidget()
    assert isinstance(setup, FirstRunScreen)
    username, name, password = ADMIN
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
    assert not setup.continue_button.isEnabled()  # not before the user says the code is written down
    click(qtbot, setup.confirm)
    click(qtbot, setup.continue_button)
    wait_for_screen(qtbot, window, CaseloadScreen)
    assert window.session is not None
    assert (window.session.user.username, window.session.user.display_name) == (username, name)
    assert not window.findChildren(FirstRunScreen)  # the code is not kept anywhere on screen
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
        write(qtbot, view, "chi", "1904190287")  # a wrong check digit is pointed out as it is typed
        assert row(view, "chi").note.isVisible() and row(view, "chi").note.property("role") == "problem"
        qtbot.keyClick(focused(), Qt.Key.Key_Backspace)
        qtbot.keyClicks(focused(), "6")
        assert not row(view, "chi").note.isVisible()
        click(qtbot, button(dialog, "Save"))

    with DialogAnswer(ChildDialog, fill):
        click(qtbot, button(caseload, "Add child"))
    child_screen = wait_for_screen(qtbot, window, ChildScreen)
    assert child_screen.title.text() == "Eilidh MacLeod (Ellie)"
    assert "CHI 1904190286" in child_screen.details.text() and "19/04/2019" in child_screen.details.text()
    return child_screen


def fill_about(qtbot: Any, view: FormView) -> None:
    """Date, choice, text (shown by a condition), multiple choice, yes/no radios, long text and a repeat's rows."""
    open_section(qtbot, view, "about")
    assert "not started" in section_state(view, "about")
    write(qtbot, view, "assessment_date", f"{SEEN_ON:%d/%m/%Y}")
    assert not row(view, "assessment_reason_other").isVisible()
    choose(qtbot, view, "assessment_reason", "Other")
    qtbot.waitUntil(row(view, "assessment_reason_other").isVisible)  # the question it asks for appears
    write(qtbot, view, "assessment_reason_other", "Referral from the school nurse")
    choose(qtbot, view, "information_sources", "School or nursery")
    choose(qtbot, view, "information_sources", "Home visit")
    choose(qtbot, view, "child_seen", "Yes")
    qtbot.waitUntil(row(view, "child_seen_alone").isVisible)
    choose(qtbot, view, "child_seen_alone", "No")
    qtbot.waitUntil(row(view, "not_seen_alone_reason").isVisible)
    write(qtbot, view, "not_seen_alone_reason", "Ellie wanted her mum to stay.\nWe will try at school.")

    carers = row(view, "carers_present").editor
    assert isinstance(carers, RepeatEditor)
    click(qtbot, button(carers, "Add carer"))  # a new row, its first cell open for typing
    type_keys(qtbot, focused(), "Morven MacLeod")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # keeps the name and opens the next cell
    type_keys(qtbot, focused(), "Mother")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    combo = focused()
    assert isinstance(combo, QComboBox) and combo.accessibleName() == "Has parental responsibilities"
    combo.setCurrentIndex(combo.findText("Yes"))
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: carers.value() is not None and carers.value()[0]["parental_responsibility"] == "yes")


def fill_grades(qtbot: Any, view: FormView) -> None:
    for field_id, (level, evidence) in CLICKED_GRADES.items():
        open_section(qtbot, view, view.form.section_of(field_id).id)
        editor = row(view, field_id).editor
        assert isinstance(editor, GradeEditor)
        choose(qtbot, view, field_id, level)
        assert button(editor, level).isChecked()
        hint = next(label for label in editor.findChildren(QLabel) if label.text() == EVIDENCE_HINT)
        if evidence:
            assert hint.isVisible()  # from grade 3 the evidence is asked for
            type_into(qtbot, editor.findChildren(QPlainTextEdit)[0], evidence)
        assert not hint.isVisible()
    for field_id in OTHER_GRADES:
        row(view, field_id).editor.set_value({"grade": 2, "evidence": "Seen on three visits."})


def fill_capacity_and_views(qtbot: Any, view: FormView) -> None:
    """Rating buttons, check boxes and a narrative."""
    open_section(qtbot, view, "carers_capacity")
    choose(qtbot, view, "recognition_of_concerns", "Partly shown")
    choose(qtbot, view, "engagement_with_support", "Clearly shown")
    choose(qtbot, view, "response_to_past_help", "Not known")
    choose(qtbot, view, "parenting_pressures", "Mental health")
    choose(qtbot, view, "parenting_pressures", "Housing or money worries")
    open_section(qtbot, view, "views")
    write(qtbot, view, "child_views", "Ellie says she likes her gran's house best.")


def fill_the_rest(qtbot: Any, view: FormView) -> None:
    for field_id in DAILY_LIFE:
        open_section(qtbot, view, view.form.section_of(field_id).id)
        write(qtbot, view, field_id, f"What a day is like for Ellie ({field_id}).")
    open_section(qtbot, view, "analysis")
    write(qtbot, view, "practitioner_analysis", "Ellie's needs are mostly met; mornings are hard.")
    choose(qtbot, view, "overall_concern", "Moderate")
    choose(qtbot, view, "recommendation", "A multi-agency child's plan")


def profile_row(view: FormView, title: str) -> list[str]:
    """One domain's row of the computed domain profile, as shown."""
    editor = row(view, "domain_profile").editor
    assert isinstance(editor, ComputedEditor)
    grid = editor.findChild(QGridLayout)
    rows = [[grid.itemAtPosition(number, column).widget().text() for column in range(grid.columnCount())]
            for number in range(1, grid.rowCount()) if grid.itemAtPosition(number, 0) is not None]
    return next(shown for shown in rows if shown[0] == title)


def submit(qtbot: Any, window: MainWindow, screen: AssessmentScreen, boxes: MessageBoxes) -> None:
    """Submit, confirm, and wait while the PDF is rendered and signed in the background."""
    from ui.screens.exchange import SendDialog

    asked = len(boxes.of("question"))
    with DialogAnswer(SendDialog, lambda dialog: dialog.reject()):  # "send it as a package now?" is answered yes
        click(qtbot, screen.submit_button)
        wait_for_screen(qtbot, window, ChildScreen)
    assert len(boxes.of("question")) == asked + 2, "submitting asks first, then offers the next step"
    said = boxes.of("question")[-1]
    assert "Submitted for review" in said and "Next: send it to your team lead" in said


def comment_with(qtbot: Any, text: str) -> Any:
    def act(dialog: CommentDialog) -> None:
        assert not dialog.ok.isEnabled()  # an empty comment cannot be sent
        type_into(qtbot, dialog.text, text)
        click(qtbot, dialog.ok)

    return act


# --- the journey ---------------------------------------------------------------------------------------------------


def version_one_forms_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The journey fills in the questions of neglect-assessment version 1: install only the version 1 forms, so
    "New: Neglect" starts one (from version 2 the carers are assessed one by one, in a table)."""
    folder.mkdir()
    for source in resource_path("forms").glob("*.v1.yaml"):
        shutil.copy2(source, folder / source.name)
    monkeypatch.setenv("CPASSESS_FORMS_DIR", str(folder))


def test_from_first_run_to_an_approved_signed_export(qtbot: Any, app_look: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    version_one_forms_only(tmp_path / "forms", monkeypatch)
    boxes = MessageBoxes().install(monkeypatch)
    database = tmp_path / "team" / "cpassess.db"
    window = open_window(qtbot, database)

    # The administrator (also the team lead) sets the database up and adds a practitioner.
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
    fill_about(qtbot, view)
    fill_grades(qtbot, view)
    fill_capacity_and_views(qtbot, view)
    qtbot.waitUntil(lambda: "complete" in section_state(view, "about")  # the list follows edits within 150 ms
                    and "in progress" in section_state(view, "physical_care"))
    qtbot.waitUntil(lambda: profile_row(view, "Physical care")[1] == "5 of 5")
    assert profile_row(view, "Physical care") == ["Physical care", "5 of 5", "2.2", "3", "0", "0"]

    # Submitting too early lists every problem; choosing one jumps to its question and puts the cursor there.
    click(qtbot, screen.submit_button)
    assert not boxes.of("question"), "nothing is submitted while there are problems"
    assert screen.problem_list.isVisible()
    problems = [problem for problem, _ in screen.problem_model.rows()]
    assert {problem.field_id for problem in problems} >= {*DAILY_LIFE, "practitioner_analysis", "recommendation"}
    assert "to fix" in section_state(view, "analysis")
    click_row(qtbot, screen.problem_list, [p.field_id for p in problems].index("practitioner_analysis"))
    qtbot.waitUntil(lambda: focused() is row(view, "practitioner_analysis").editor.focus_widget())
    assert view.current_section().id == "analysis"
    assert row(view, "practitioner_analysis").problem.isVisible()

    fill_the_rest(qtbot, view)
    submit(qtbot, window, screen, boxes)
    assessment_id = screen.assessment.id
    stored = window.session.assessments.get(assessment_id)
    assert stored.status == Status.SUBMITTED
    answers = stored.answers
    assert answers["assessment_date"] == SEEN_ON.isoformat()
    assert (answers["assessment_reason"], answers["assessment_reason_other"]) == (
        "other", "Referral from the school nurse")
    assert answers["information_sources"] == ["school_nursery", "home_visit"]  # in the order ticked
    assert (answers["child_seen"], answers["child_seen_alone"]) == ("yes", "no")
    assert answers["not_seen_alone_reason"] == "Ellie wanted her mum to stay.\nWe will try at school."
    assert answers["carers_present"] == [{"name": "Morven MacLeod", "relationship": "Mother",
                                          "parental_responsibility": "yes"}]
    assert answers["nutrition_feeding"] == {"grade": 3, "evidence": "Lunches often missing at school."}
    assert answers["supervision_carers_present"] == {"grade": 2, "evidence": ""}
    assert answers["recognition_of_concerns"] == "partly_shown"
    assert answers["response_to_past_help"] == "not_known"
    assert answers["parenting_pressures"] == ["mental_health", "housing_money_worries"]
    assert (answers["overall_concern"], answers["recommendation"]) == ("moderate", "childs_plan")
    assert "domain_profile" not in answers
    lock_with_ctrl_l(qtbot, window)

    # The team lead comments on a question and returns the assessment with a comment on its section.
    unlock(qtbot, window, ADMIN[0], ADMIN[2])
    click(qtbot, toolbar_button(window, "Review queue"))
    queue = wait_for_screen(qtbot, window, ReviewQueueScreen)
    assert queue.model.rowCount() == 1 and queue.model.row_at(0).child_name == "Eilidh MacLeod"
    assert queue.model.row_at(0).author == PRACTITIONER[1]
    click_row(qtbot, queue.table, 0)
    click(qtbot, queue.open_button)
    review = wait_for_screen(qtbot, window, AssessmentScreen)
    assert review.reviewing and not review.editable
    open_section(qtbot, review.view, "physical_care")
    field_comment = "Say who told you about the lunches."
    with DialogAnswer(CommentDialog, comment_with(qtbot, field_comment)):
        click(qtbot, button(row(review.view, "nutrition_feeding"), "Comment…"))
    section_comment = "Please add what the health visitor said about appointments."
    with DialogAnswer(CommentDialog, comment_with(qtbot, section_comment)):
        click(qtbot, review.return_button)
    wait_for_screen(qtbot, window, ChildScreen)
    lock_with_ctrl_l(qtbot, window)

    # The practitioner sees both comments where they belong, puts it right and submits again.
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
    on_page = [label.text() for label in view.stack.currentWidget().findChildren(QLabel) if label.isVisible()]
    assert f"Reviewer, on this section: {section_comment}" in on_page
    beside = [label.text() for label in row(view, "nutrition_feeding").findChildren(QLabel) if label.isVisible()]
    assert f"Reviewer: {field_comment}" in beside
    evidence = row(view, "nutrition_feeding").editor.findChildren(QPlainTextEdit)[0]
    evidence.moveCursor(QTextCursor.MoveOperation.End)
    type_into(qtbot, evidence, " The school office told me.")
    submit(qtbot, window, screen, boxes)
    resubmitted = window.session.assessments.get(assessment_id)
    assert resubmitted.answers["nutrition_feeding"]["evidence"].endswith("The school office told me.")
    lock_with_ctrl_l(qtbot, window)

    # The team lead approves: the dialog shows the content fingerprint and takes the password again.
    unlock(qtbot, window, ADMIN[0], ADMIN[2])
    click(qtbot, toolbar_button(window, "Review queue"))
    queue = wait_for_screen(qtbot, window, ReviewQueueScreen)
    click_row(qtbot, queue.table, 0, double=True)
    review = wait_for_screen(qtbot, window, AssessmentScreen)
    digest = review.assessment.content_sha256
    assert digest == resubmitted.content_sha256

    def sign(dialog: ApproveDialog) -> str:
        shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
        type_into(qtbot, dialog.password, ADMIN[2])
        click(qtbot, dialog.sign)
        # it closes once the signature is made (and goes with the screen that opened it)
        qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=SLOW_MS)
        return shown

    with DialogAnswer(ApproveDialog, sign) as approval:
        click(qtbot, review.approve_button)
    assert fingerprint(digest) in approval.result and digest in approval.result
    wait_for_screen(qtbot, window, ChildScreen)
    assert any("Approved and signed" in text for text in boxes.of("information"))
    assert window.session.assessments.get(assessment_id).status == Status.APPROVED

    # Export: the preview shows the signed record's pages, and saving writes exactly that record.
    click_row(qtbot, screen_of(window).table, 0, double=True)
    approved = wait_for_screen(qtbot, window, AssessmentScreen)
    assert not approved.editable and not approved.reviewing
    target = tmp_path / "chosen" / "ellie.pdf"
    target.parent.mkdir()
    monkeypatch.setattr("ui.screens.export.QFileDialog.getSaveFileName", lambda *_, **__: (str(target), ""))

    def preview(dialog: ExportDialog) -> dict[str, Any]:
        qtbot.waitUntil(dialog.save_button.isEnabled, timeout=SLOW_MS)
        pages = [label for label in dialog.pages.findChildren(QLabel)
                 if label.pixmap() is not None and not label.pixmap().isNull()]
        seen = {"state": dialog.state.text(), "pages": [label.accessibleName() for label in pages]}
        click(qtbot, dialog.save_button)
        seen["saved"] = dialog.state.text()
        dialog.reject()
        return seen

    with DialogAnswer(ExportDialog, preview) as export:
        click(qtbot, approved.export_button)
    pages = export.result["pages"]
    assert "signed, approved record" in export.result["state"] and f"{len(pages)} pages" in export.result["state"]
    assert len(pages) >= 2 and pages[0] == f"Page 1 of {len(pages)}"
    assert str(target) in export.result["saved"]
    assert target.read_bytes() == window.session.assessments.document(assessment_id, "full", "approved")
    assert not boxes.of("warning") and not boxes.of("critical"), boxes.shown

    # The recovery code shown once at set-up is the real one.
    window.close()
    with Session.recover(database, recovery_code, ADMIN[0], "a brand new password 4") as recovered:
        assert recovered.user.username == ADMIN[0]


# --- smaller journeys -----------------------------------------------------------------------------------------------


def test_first_run_refuses_a_short_password_and_creates_nothing(qtbot: Any, app_look: Any, tmp_path: Path) -> None:
    database = tmp_path / "cpassess.db"
    window = open_window(qtbot, database)
    setup = window.stack.currentWidget()
    assert isinstance(setup, FirstRunScreen)
    click(qtbot, setup.create_button)
    assert "full name" in setup.message.text() and "username" in setup.message.text()
    type_into(qtbot, setup.display_name, "Morag Lindsay")
    type_into(qtbot, setup.username, "morag")
    type_into(qtbot, setup.password, "short")
    type_into(qtbot, setup.repeat, "short")
    assert "at least 10 characters" in setup.strength.text().lower()  # said while typing
    click(qtbot, setup.create_button)
    assert setup.message.isVisible() and "at least 10 characters" in setup.message.text().lower()
    settle(qtbot, 100)
    assert not database.exists() and window.session is None


def test_the_caseload_searches_as_you_type_and_enter_opens_the_child(qtbot: Any, app_look: Any,
                                                                      demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    caseload = screen_of(window)
    assert isinstance(caseload, CaseloadScreen)
    everyone = caseload.model.rows()
    assert focused() is caseload.search  # typing straight after unlocking searches
    wanted = next(child for child in everyone if child.chi)
    type_keys(qtbot, caseload.search, wanted.chi[:6])
    shown = caseload.model.rows()
    assert wanted in shown and len(shown) < len(everyone)
    assert caseload.count.text() == f"{len(shown)} of {len(everyone)} children"
    qtbot.keyClick(caseload.search, Qt.Key.Key_Return)
    child_screen = wait_for_screen(qtbot, window, ChildScreen)
    assert child_screen.child.id == shown[0].child_id


def test_a_wrong_password_at_approval_signs_nothing(qtbot: Any, app_look: Any, demo_db: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    boxes = MessageBoxes().install(monkeypatch)
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, LEAD.username, LEAD.password)
    click(qtbot, toolbar_button(window, "Review queue"))
    queue = wait_for_screen(qtbot, window, ReviewQueueScreen)
    waiting = queue.model.row_at(0).assessment_id
    click_row(qtbot, queue.table, 0, double=True)
    review = wait_for_screen(qtbot, window, AssessmentScreen)

    def wrong_password(dialog: ApproveDialog) -> str:
        shown = " ".join(label.text() for label in dialog.findChildren(QLabel))
        type_into(qtbot, dialog.password, "not my password at all")
        click(qtbot, dialog.sign)
        qtbot.waitUntil(lambda: "password is not right" in dialog.message.text(), timeout=SLOW_MS)
        assert dialog.isVisible() and dialog.message.isVisible()  # kept open to try again
        assert dialog.password.hasFocus() and dialog.sign.isEnabled()
        dialog.reject()
        return shown

    with DialogAnswer(ApproveDialog, wrong_password) as approval:
        click(qtbot, review.approve_button)
    stored = window.session.assessments.get(waiting)
    author = window.session.user_named(stored.author)
    for fact in (review.form.title, review.child_name, author.display_name, fingerprint(stored.content_sha256)):
        assert fact in approval.result, fact
    assert not boxes.of("warning")
    assert screen_of(window) is review and review.approve_button.isEnabled()
    assert window.session.assessments.get(waiting).status == Status.SUBMITTED
    assert not boxes.of("information")


def test_returning_needs_a_comment_and_cancelling_changes_nothing(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, LEAD.username, LEAD.password)
    click(qtbot, toolbar_button(window, "Review queue"))
    queue = wait_for_screen(qtbot, window, ReviewQueueScreen)
    waiting = queue.model.row_at(0).assessment_id
    click_row(qtbot, queue.table, 0, double=True)
    review = wait_for_screen(qtbot, window, AssessmentScreen)

    def blank_then_cancel(dialog: CommentDialog) -> bool:
        type_into(qtbot, dialog.text, "   \n ")
        enabled = dialog.ok.isEnabled()
        click(qtbot, button(dialog, "Cancel"))
        return enabled

    with DialogAnswer(CommentDialog, blank_then_cancel) as answer:
        click(qtbot, review.return_button)
    assert answer.result is False, "a blank comment cannot return an assessment"
    assert screen_of(window) is review
    assert window.session.assessments.get(waiting).status == Status.SUBMITTED
    assert window.session.assessments.comments(waiting) == []


def test_a_problem_chosen_with_the_keyboard_jumps_to_its_question(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, SAM.username, SAM.password)
    draft = next(a for a in window.session.assessments.find() if a.status.value == "draft")
    window.workspace.open_assessment(draft.id)
    screen = wait_for_screen(qtbot, window, AssessmentScreen)
    screen.submit_button.setFocus()
    qtbot.keyClick(screen.submit_button, Qt.Key.Key_Space)
    assert screen.problem_list.isVisible() and focused() is screen.problem_list  # the list is where focus goes
    problems = [problem for problem, _ in screen.problem_model.rows()]
    target = next(number for number, problem in enumerate(problems) if problem.field_id
                  and screen.form.section_of(problem.field_id).id != screen.view.current_section().id)
    for _ in range(target):
        qtbot.keyClick(screen.problem_list, Qt.Key.Key_Down)
    qtbot.keyClick(screen.problem_list, Qt.Key.Key_Return)
    wanted = problems[target].field_id
    qtbot.waitUntil(lambda: focused() is row(screen.view, wanted).editor.focus_widget())
    assert screen.view.current_section().id == screen.form.section_of(wanted).id


def test_the_approval_dialog_shows_the_exact_certified_pdf(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    from ui.screens.assessment import SignedPdfDialog

    window = open_window(qtbot, demo_db)
    unlock(qtbot, window, LEAD.username, LEAD.password)
    click(qtbot, toolbar_button(window, "Review queue"))
    queue = wait_for_screen(qtbot, window, ReviewQueueScreen)
    click_row(qtbot, queue.table, 0, double=True)
    review = wait_for_screen(qtbot, window, AssessmentScreen)
    stored = window.session.assessments.document(review.assessment.id, "full", "submitted")
    assert stored

    def pages(viewer: SignedPdfDialog) -> int:
        count = sum(1 for label in viewer.findChildren(QLabel) if label.pixmap() and not label.pixmap().isNull())
        viewer.reject()
        return count

    def look(dialog: ApproveDialog) -> int:
        with DialogAnswer(SignedPdfDialog, pages) as viewer:
            click(qtbot, dialog.view_pdf)
        dialog.reject()
        return viewer.result

    with DialogAnswer(ApproveDialog, look) as approval:
        click(qtbot, review.approve_button)
    from ui.pdf_pages import render_pages

    assert approval.result == len(render_pages(stored, 200)) > 0  # every page of the stored certified PDF
