"""Everything shown while unlocked: one screen at a time (caseload, child, assessment, review, settings).

Screens are rebuilt from the core each time they are shown, and all of them are thrown away on lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from cpassess.casework import Casework
from cpassess.forms import default_catalog
from cpassess.workflow import NotAllowed
from ui.screens.assessment import AssessmentScreen, CommentDraft
from ui.screens.caseload import CaseloadScreen
from ui.screens.child import ChildDialog, ChildScreen
from ui.screens.review import QueueRow, ReviewQueueScreen
from ui.screens.settings import SettingsScreen
from ui.stack import show_only

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from cpassess.session import Session
    from ui.main_window import MainWindow


@dataclass(frozen=True)
class Place:
    """Where the user was when the screen locked: which screen, which record, which section, and a comment being
    typed. Held in memory only while locked, and used only if the same user unlocks."""

    screen: str  # "caseload", "child", "assessment", "review", "settings"
    record_id: str = ""
    section_id: str = ""
    comment: CommentDraft | None = None


class Workspace(QWidget):
    def __init__(self, window: MainWindow, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.session = session
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.banner = QFrame()
        self.banner.setProperty("role", "card")
        banner_layout = QHBoxLayout(self.banner)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        banner_layout.addWidget(self.banner_text, 1)
        self.banner_open = QPushButton("Open &it")  # not Alt+O: the caseload's and the child's Open use it
        self.banner_dismiss = QPushButton("Dis&miss")
        banner_layout.addWidget(self.banner_open)
        banner_layout.addWidget(self.banner_dismiss)
        self.banner.hide()
        layout.addWidget(self.banner)
        layout.addWidget(self.stack)
        self.show_caseload()

    def _show(self, screen: QWidget) -> None:
        self.save_open_work()
        self.banner.hide()  # the offer is for the screen it appeared on; the draft stays in the caseload
        show_only(self.stack, screen)

    def current(self) -> QWidget | None:
        return self.stack.currentWidget()

    def save_open_work(self, closing: bool = False) -> None:
        screen = self.stack.currentWidget()
        if isinstance(screen, AssessmentScreen):
            screen.save_open_work(closing)

    # --- where the user is, kept across a lock ------------------------------------------------------------

    def place(self) -> Place:
        screen = self.stack.currentWidget()
        if isinstance(screen, AssessmentScreen):
            section = screen.view.current_section()
            return Place("assessment", screen.assessment.id, section.id if section else "", screen.unsent_comment())
        if isinstance(screen, ChildScreen):
            return Place("child", screen.child.id)
        if isinstance(screen, ReviewQueueScreen):
            return Place("review")
        if isinstance(screen, SettingsScreen):
            return Place("settings")
        return Place("caseload")

    def resume(self, place: Place) -> None:
        """Go back to a place (after unlocking); a record that is no longer there leaves the caseload showing."""
        match place.screen:
            case "child":
                self.open_child(place.record_id)
            case "review":
                self.show_review_queue()
            case "settings":
                self.show_settings()
            case "assessment":
                self.open_assessment(place.record_id)
                screen = self.current()
                if isinstance(screen, AssessmentScreen) and screen.assessment.id == place.record_id:
                    if place.section_id:
                        screen.view.show_section(place.section_id)
                    comment = place.comment
                    if comment is not None:  # once the window is back on screen: the dialog is modal
                        QTimer.singleShot(0, lambda: screen.resume_comment(comment))

    # --- screens -------------------------------------------------------------------------------------------

    def show_caseload(self) -> None:
        rows = self.session.children.rows()
        screen = CaseloadScreen(rows, parent=self.stack)
        screen.open_child.connect(self.open_child)
        screen.open_assessment.connect(self.open_assessment)
        screen.add_child.connect(self.add_child)
        # what needs doing follows once the children are on screen: a team lead's caseload can have thousands of
        # meetings to count from, and the list of children comes first
        # (a method, not a closure over the screen: a slot that holds its own sender is a cycle through C++)
        screen.on_screen.connect(self._add_tasks)
        self._show(screen)

    def _add_tasks(self) -> None:
        """Assessments returned or awaiting review, then meetings due: those are worked out from the rows alone
        (no database) on a worker, since a large caseload has thousands of meetings to count from."""
        import datetime as dt

        from shiboken6 import isValid

        from cpassess.worklist import assessment_tasks, meeting_tasks
        from ui.background import run_in_background

        screen = self.current()
        if self.window_.workspace is not self or not isinstance(screen, CaseloadScreen):
            return  # locked, or moved on, before the caseload was drawn
        rows = screen.all_rows()
        screen.add_tasks(assessment_tasks(self.session, rows))
        today = dt.date.today()
        run_in_background(lambda: meeting_tasks(rows, today), lambda tasks: isValid(screen) and screen.add_tasks(tasks),
                          lambda error: log.warning("meetings due could not be worked out: %s", type(error).__name__))

    def add_child(self) -> None:
        dialog = ChildDialog(None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.record is not None:
            try:
                child = self.session.children.add(dialog.record)
            except Exception as error:
                self.window_.show_error(error)
                return
            self.open_child(child.id)

    def open_child(self, child_id: str) -> None:
        try:
            child = self.session.children.get(child_id)
        except NotAllowed as error:
            self.window_.show_error(error)
            return
        screen = ChildScreen(self.window_, self.session, child)
        screen.open_assessment.connect(self.open_assessment)
        self._show(screen)

    def open_assessment(self, assessment_id: str) -> None:
        try:
            assessment = self.session.assessments.get(assessment_id)
            child = self.session.children.get(assessment.child_id)
            # made inside the stack: moving the built screen into it would restyle every widget again
            screen = AssessmentScreen(self.window_, self.session, assessment, child.record.full_name, self.stack)
        except NotAllowed as error:
            self.window_.show_error(error)
            return
        screen.finished.connect(lambda: self.open_child(assessment.child_id))
        self._show(screen)

    def show_review_queue(self) -> None:
        rows = []
        for assessment in Casework.of(self.session).review_queue():
            child = self.session.children.get(assessment.child_id)
            author = self.session.user_named(assessment.author)
            try:
                title = default_catalog().get(assessment.form_id, assessment.form_version).title
            except KeyError:
                title = f"{assessment.form_id} v{assessment.form_version}"
            rows.append(QueueRow(assessment.id, child.record.full_name, title,
                                 author.display_name if author else assessment.author, assessment.submitted_at or "",
                                 assessment.content_sha256 or ""))
        screen = ReviewQueueScreen(rows)
        screen.open_assessment.connect(self.open_assessment)
        self._show(screen)

    def import_package(self) -> None:
        from ui.screens.exchange import import_package

        import_package(self.window_, self.session)

    def show_settings(self) -> None:
        self._show(SettingsScreen(self.window_, self.session))

    def offer_interrupted_edit(self) -> None:
        """After a crash (or a lock) offer the draft that was open, saved up to its last autosave."""
        assessment = self.session.assessments.interrupted_edit()
        if assessment is None:
            return
        child = self.session.children.get(assessment.child_id)
        try:
            title = default_catalog().get(assessment.form_id, assessment.form_version).title
        except KeyError:
            title = "assessment"
        self.banner_text.setText(f"You were working on the {title} draft for {child.record.full_name} when "
                                 "cpassess last stopped. Everything up to its last autosave is kept.")

        def open_it() -> None:
            self.banner.hide()
            self.open_assessment(assessment.id)

        def dismiss() -> None:
            self.banner.hide()
            self.session.assessments.clear_editing()

        self.banner_open.clicked.connect(open_it)
        self.banner_dismiss.clicked.connect(dismiss)
        self.banner.show()
        self.banner_open.setFocus()
