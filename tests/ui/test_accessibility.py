"""Keyboard and accessibility (DESIGN §12): every control reachable by Tab, mnemonics on buttons, accessible names
equal to the questions, completion said in words, and nothing essential cut off on a 1366×768 screen."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from app_driver import (
    LEAD,
    SAM,
    SIZE,
    DialogAnswer,
    button,
    click,
    open_window,
    plain,
    settle,
    tab_cycle,
    toolbar_button,
    unlock,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextEdit,
    QWidget,
)

from cpassess.casework import Casework
from cpassess.forms import default_catalog
from cpassess.session import Session
from ui.form_view import FieldRow, FormView
from ui.main_window import MainWindow
from ui.screens.assessment import AssessmentScreen, CommentDialog
from ui.screens.caseload import CaseloadScreen
from ui.screens.child import ChildDialog, ChildScreen
from ui.screens.export import ExportDialog
from ui.screens.review import ReviewQueueScreen
from ui.screens.settings import AddUserDialog, SettingsScreen
from ui.screens.unlock import FirstRunScreen, UnlockScreen

INTERACTIVE = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QAbstractItemView, QComboBox, QAbstractSpinBox)
STATES = ("complete", "in progress", "not started", "to fix")


# --- helpers ----------------------------------------------------------------------------------------------------------


def controls(root: QWidget) -> list[QWidget]:
    """The controls in `root` a user can see and use (a table's header and corner are the table's own)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QHeaderView):
            continue
        if type(widget) is QAbstractButton or isinstance(widget.parentWidget(), QLineEdit):
            continue  # a table's corner button; a line edit's own clear button (the Delete key does the same)
        if widget.isVisible() and widget.isEnabled():
            found.append(widget)
    return found


def reached_by_tab(widget: QWidget, cycle: Iterable[QWidget]) -> bool:
    reached = set(cycle)
    if widget in reached or (widget.focusProxy() is not None and widget.focusProxy() in reached):
        return True
    if isinstance(widget, QAbstractButton) and widget.group() is not None:  # one Tab stop; arrows move within
        return any(other in reached for other in widget.group().buttons())
    return False


def describe(widget: QWidget) -> str:
    words = widget.accessibleName() or (widget.text() if isinstance(widget, QAbstractButton | QLineEdit) else "")
    return f"{type(widget).__name__} {plain(words)!r}"


def assert_all_reached_by_tab(qtbot: Any, root: QWidget, start: QWidget) -> list[QWidget]:
    cycle = tab_cycle(qtbot, start)
    missed = [describe(widget) for widget in controls(root) if not reached_by_tab(widget, cycle)]
    assert not missed, f"not reachable with Tab: {missed}"
    return cycle


def signed_in(qtbot: Any, database: Path, login: Any) -> MainWindow:
    window = open_window(qtbot, database)
    unlock(qtbot, window, login.username, login.password)
    return window


def own_draft(window: MainWindow) -> AssessmentScreen:
    draft = next(a for a in window.session.assessments.find()
                 if a.status.value == "draft" and a.form_id == "neglect-assessment")
    window.workspace.open_assessment(draft.id)
    screen = window.workspace.current()
    assert isinstance(screen, AssessmentScreen)
    return screen


def every_row(view: FormView) -> list[FieldRow]:
    return [view.row(field.id) for _, field in view.form.fields()]


# --- every control reachable by Tab ----------------------------------------------------------------------------------


def test_the_caseload_and_the_tool_bar_are_reachable_by_tab(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = signed_in(qtbot, demo_db, SAM)
    caseload = window.workspace.current()
    assert isinstance(caseload, CaseloadScreen)
    caseload.search.setText("a")  # its clear button shows
    cycle = assert_all_reached_by_tab(qtbot, window, caseload.search)
    assert toolbar_button(window, "Settings") in cycle and toolbar_button(window, "Lock") in cycle
    assert caseload.table in cycle and caseload.add_button in cycle


def test_the_child_dialog_is_reachable_by_tab_on_every_page(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    window = signed_in(qtbot, demo_db, SAM)
    caseload = window.workspace.current()

    def walk(dialog: ChildDialog) -> int:
        pages = 0
        for number, state in enumerate(dialog.view.sections.rows()):
            dialog.view.section_list.setCurrentIndex(dialog.view.sections.index(number, 0))
            assert dialog.view.current_section() == state.section
            settle(qtbot)
            assert_all_reached_by_tab(qtbot, dialog, dialog.view.section_list)
            pages += 1
        dialog.reject()
        return pages

    with DialogAnswer(ChildDialog, walk) as answer:
        click(qtbot, button(caseload, "Add child"))
    assert answer.result == 4


@pytest.mark.parametrize("section_id", ["about", "physical_care", "carers_capacity", "analysis"])
def test_an_assessment_section_is_reachable_by_tab(qtbot: Any, app_look: Any, demo_db: Path,
                                                    section_id: str) -> None:
    window = signed_in(qtbot, demo_db, SAM)
    screen = own_draft(window)
    screen.view.show_section(section_id)
    carers = screen.view.row("carers_present").editor
    if section_id == "about" and carers.model.rowCount() < 2:
        carers.add_row()
        carers.add_row()
    if section_id == "about":
        carers.view.setCurrentIndex(carers.model.index(1, 0))  # Move up and Move down are both on offer
    settle(qtbot)
    cycle = assert_all_reached_by_tab(qtbot, window, screen.view.section_list)
    fields = [row for row in every_row(screen.view) if row.isVisible()]
    assert fields and all(any(row.isAncestorOf(widget) for widget in cycle) for row in fields)


# --- screen readers: names and mnemonics ---------------------------------------------------------------------------


@pytest.mark.parametrize("form_id", ["neglect-assessment", "girfec-wellbeing"])
def test_each_questions_control_is_named_after_the_question(qtbot: Any, form_id: str) -> None:
    view = FormView(default_catalog().get(form_id), {})
    qtbot.addWidget(view)
    for row in every_row(view):
        focus = row.editor.focus_widget()
        named = [widget for widget in (focus, *ancestors(focus, up_to=row.editor)) if widget.accessibleName()]
        assert named and named[0].accessibleName() == row.field.label, row.field.id
        assert row.label.text().removesuffix(" *") == row.field.label  # what is read is what is shown


def test_the_child_dialogs_controls_are_named_after_the_questions(qtbot: Any) -> None:
    dialog = ChildDialog(None)
    qtbot.addWidget(dialog)
    for row in every_row(dialog.view):
        focus = row.editor.focus_widget()
        named = [widget for widget in (focus, *ancestors(focus, up_to=row.editor)) if widget.accessibleName()]
        assert named and named[0].accessibleName() == row.field.label, row.field.id


def ancestors(widget: QWidget, up_to: QWidget) -> list[QWidget]:
    found = []
    parent = widget.parentWidget()
    while parent is not None and parent is not up_to.parentWidget():
        found.append(parent)
        parent = parent.parentWidget()
    return found


def mnemonic(text: str) -> str | None:
    match = re.search(r"&([^&])", text.replace("&&", ""))
    return match[1].lower() if match else None


def chrome_buttons(root: QWidget) -> list[QPushButton]:
    """The screen's own visible push buttons: not the answers' editors, not Qt's standard dialog buttons."""
    found = []
    for widget in root.findChildren(QPushButton):
        if not widget.isVisible() or any(isinstance(parent, FieldRow) for parent in ancestors(widget, up_to=root)):
            continue
        box = widget.parentWidget()
        if isinstance(box, QDialogButtonBox) and box.standardButton(widget) != QDialogButtonBox.StandardButton.NoButton:
            continue
        found.append(widget)
    return found


def assert_mnemonics(root: QWidget, where: str) -> None:
    buttons = chrome_buttons(root)
    assert buttons, where
    missing = [plain(b.text()) for b in buttons if mnemonic(b.text()) is None]
    assert not missing, f"{where}: buttons without a mnemonic: {missing}"
    letters = [mnemonic(b.text()) for b in buttons]
    clashes = sorted({plain(b.text()) for b in buttons if letters.count(mnemonic(b.text())) > 1})
    assert not clashes, f"{where}: buttons sharing a mnemonic: {clashes}"
    shown_ampersands = [label.text() for label in root.findChildren(QLabel) if label.isVisible()
                        and mnemonic(label.text()) and label.textFormat() != Qt.TextFormat.RichText
                        and label.buddy() is None]
    assert not shown_ampersands, f"{where}: labels with a mnemonic but no control to go to: {shown_ampersands}"


def main_screens(qtbot: Any, database: Path, first_run_at: Path) -> Any:
    """Every main screen in turn, shown in a 1366×768 window: yields (name, window)."""
    setup = open_window(qtbot, first_run_at)
    assert isinstance(setup.stack.currentWidget(), FirstRunScreen)
    yield "first run", setup
    setup.close()
    window = open_window(qtbot, database)
    assert isinstance(window.stack.currentWidget(), UnlockScreen)
    yield "unlock", window
    unlock(qtbot, window, SAM.username, SAM.password)
    yield "caseload", window
    screen = own_draft(window)
    yield "assessment", window
    screen.view.show_section("physical_care")
    yield "assessment: grades", window
    window.workspace.open_child(screen.assessment.child_id)
    assert isinstance(window.workspace.current(), ChildScreen)
    yield "child", window
    window.lock()
    unlock(qtbot, window, LEAD.username, LEAD.password)
    click(qtbot, toolbar_button(window, "Review queue"))
    queue = window.workspace.current()
    assert isinstance(queue, ReviewQueueScreen)
    yield "review queue", window
    window.workspace.open_assessment(queue.model.row_at(0).assessment_id)
    assert window.workspace.current().reviewing
    yield "review", window
    click(qtbot, toolbar_button(window, "Settings"))
    assert isinstance(window.workspace.current(), SettingsScreen)
    yield "settings", window


def test_buttons_on_the_main_screens_have_their_own_mnemonics(qtbot: Any, app_look: Any, demo_db: Path,
                                                              tmp_path: Path) -> None:
    seen = []
    for name, window in main_screens(qtbot, demo_db, tmp_path / "new.db"):
        settle(qtbot)
        assert_mnemonics(window.stack.currentWidget(), name)
        seen.append(name)
    assert len(seen) == 9


def test_the_offer_to_carry_on_does_not_clash_with_the_caseload(qtbot: Any, app_look: Any, demo_db: Path) -> None:
    with Session.unlock(demo_db, SAM.username, SAM.password) as session:
        draft = next(a for a in session.assessments.find() if a.status.value == "draft")
        session.assessments.mark_editing(draft.id)
    window = signed_in(qtbot, demo_db, SAM)
    assert window.workspace.banner.isVisible()
    assert_mnemonics(window.workspace, "caseload with the offer to carry on")
    window.workspace.open_child(draft.child_id)
    assert_mnemonics(window.workspace, "child with the offer to carry on")


@pytest.mark.parametrize("kind", [AddUserDialog, CommentDialog, ExportDialog])
def test_dialog_buttons_have_mnemonics(qtbot: Any, app_look: Any, demo_db: Path, kind: type[QDialog]) -> None:
    window = signed_in(qtbot, demo_db, LEAD)
    if kind is AddUserDialog:
        click(qtbot, toolbar_button(window, "Settings"))
        opener = button(window.workspace.current(), "Add user…")
    else:
        queue_screen = (click(qtbot, toolbar_button(window, "Review queue")), window.workspace.current())[1]
        window.workspace.open_assessment(queue_screen.model.row_at(0).assessment_id)
        review = window.workspace.current()
        opener = review.comment_button if kind is CommentDialog else review.export_button

    def check(dialog: QDialog) -> None:
        settle(qtbot)
        assert_mnemonics(dialog, kind.__name__)
        dialog.reject()

    with DialogAnswer(kind, check):
        click(qtbot, opener)


# --- completion in words ----------------------------------------------------------------------------------------------


def test_the_section_list_says_how_far_each_section_has_got_in_words(qtbot: Any, app_look: Any, demo_db: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    window = signed_in(qtbot, demo_db, SAM)
    session = window.session
    draft = next(a for a in session.assessments.find() if a.status.value == "draft")
    fresh = Casework.of(session).new(draft.child_id, "neglect-assessment")
    window.workspace.open_assessment(fresh.id)
    screen = window.workspace.current()
    view, sections = screen.view, screen.view.sections

    def said() -> dict[str, str]:
        states = {}
        for number in range(sections.rowCount()):
            index = sections.index(number, 0)
            words = sections.data(index, Qt.ItemDataRole.DisplayRole)
            assert sections.data(index, Qt.ItemDataRole.AccessibleTextRole) == words
            for role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole,
                         Qt.ItemDataRole.DecorationRole):
                assert sections.data(index, role) is None  # no colour or icon carries the meaning
            _, state = words.split("\n")
            assert sum(word in state for word in STATES) == 1, state
            states[sections.row_at(number).section.id] = state
        return states

    assert all("not started" in state for state in said().values())
    view.row("assessment_date").editor.set_value("2026-01-05")
    view.row("assessment_reason").editor.set_value("initial_concern")
    view.refresh()
    assert "in progress" in said()["about"]
    view.row("child_seen").editor.set_value("no")
    view.row("child_not_seen_reason").editor.set_value("Ellie was at her gran's.")
    view.refresh()
    assert "complete" in said()["about"] and "not started" in said()["physical_care"]
    screen.dirty = True
    click(qtbot, screen.submit_button)
    states = said()
    assert "to fix" in states["physical_care"] and "complete" in states["about"]
    assert screen.problem_list.isVisible()
    problems = screen.problem_model
    assert problems.rowCount() > 0
    shown = [problems.data(problems.index(number, 0)) for number in range(problems.rowCount())]
    assert all(text.startswith("⚠ ") for text in shown), shown  # a sign and words, not only a colour


# --- a small laptop screen ------------------------------------------------------------------------------------------


def clipped(root: QWidget) -> list[str]:
    """Labels and buttons narrower than their words, and pages that need sideways scrolling."""
    problems = []
    for label in root.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap() and label.pixmap().isNull() \
                and label.sizeHint().width() > label.width():
            problems.append(f"label {label.text()[:50]!r}: {label.sizeHint().width()} > {label.width()}")
    for control in root.findChildren(QAbstractButton):
        if control.isVisible() and control.text() and control.sizeHint().width() > control.width():
            problems.append(f"button {plain(control.text())!r}: {control.sizeHint().width()} > {control.width()}")
    for area in root.findChildren(QScrollArea):
        if area.isVisible() and area.horizontalScrollBar().maximum() > 0:
            problems.append(f"{type(area).__name__} scrolls sideways by {area.horizontalScrollBar().maximum()}")
    return problems


def test_nothing_essential_is_cut_off_at_1366_by_768(qtbot: Any, app_look: Any, demo_db: Path,
                                                     tmp_path: Path) -> None:
    shots = tmp_path / "screens"
    shots.mkdir()
    found = {}
    for name, window in main_screens(qtbot, demo_db, tmp_path / "new.db"):
        settle(qtbot, 50)
        assert window.size() == SIZE, f"{name}: the window will not fit: {window.size()}"
        window.grab().save(str(shots / f"{name.replace(':', '').replace(' ', '-')}.png"))
        pages = [window]
        screen = window.workspace.current() if window.workspace is not None else None
        if isinstance(screen, AssessmentScreen):
            pages = []
            for state in screen.view.sections.rows():
                screen.view.show_section(state.section.id)
                settle(qtbot, 20)
                pages.append(window)
                found.update({f"{name} / {state.section.id}: {problem}": None for problem in clipped(window)})
            continue
        for page in pages:
            found.update({f"{name}: {problem}": None for problem in clipped(page)})
    assert not found, "\n".join(found)


# The window at its first start and the larger dialogs, on a 1366×768 screen (Qt's offscreen platform can be told
# the screen's size, but only when the application starts: hence a process of its own).
FIRST_START = textwrap.dedent("""
    import json
    import sys
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.screens.child import ChildDialog
    from ui.screens.export import ExportDialog
    from ui.theme import apply_theme

    app = QApplication(sys.argv[:1])
    apply_theme(app)
    ExportDialog.make = lambda self: None  # only its size matters here, not a PDF
    window = MainWindow(Path(sys.argv[1]))
    window.show()
    shown = {"screen": app.primaryScreen().availableGeometry().getRect(), "window": window.geometry().getRect()}
    for name, dialog in (("child dialog", ChildDialog(None, window)), ("export", ExportDialog(window, None, None,
                                                                                              window))):
        dialog.show()
        app.processEvents()
        shown[name] = dialog.geometry().getRect()
    print(json.dumps(shown))
""")
SCREEN = {"screens": [{"name": "laptop", "x": 0, "y": 0, "width": SIZE.width(), "height": SIZE.height(),
                       "logicalDpiX": 96, "logicalDpiY": 96, "dpr": 1}]}
TITLE_AND_PANEL = 64  # room a desktop takes for a window's title bar and its own panel


def test_the_window_and_dialogs_open_within_a_1366_by_768_screen(tmp_path: Path) -> None:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps(SCREEN), encoding="utf-8")
    script = tmp_path / "first_start.py"
    script.write_text(FIRST_START, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "new.db")], capture_output=True, text=True,
                          env=env, timeout=120, check=False, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown.pop("screen") == [0, 0, SIZE.width(), SIZE.height()]
    too_big = {name: (width, height) for name, (_, _, width, height) in shown.items()
               if width > SIZE.width() or height + TITLE_AND_PANEL > SIZE.height()}
    assert not too_big, f"taller or wider than the screen leaves room for: {too_big}"
