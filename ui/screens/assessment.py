"""One assessment on screen: the author's editor (autosave, submit) or the team lead's review (comment, return,
approve). Every rule is the core's; this screen only shows and asks."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cpassess.assessments import Assessment, EditConflict, SubmissionRefused
from cpassess.casework import Action, Casework
from cpassess.forms import AnswersError, Problem, default_catalog, fingerprint, validate_submission
from cpassess.forms.cross_field import FormWarning
from cpassess.storage import DiskFull
from cpassess.workflow import ROLE_LABELS, STATUS_LABELS, NotAllowed
from ui.fault_banner import FaultBanner
from ui.form_view import FormView
from ui.models import Column, RowsModel
from ui.screens.review_dialogs import ApproveDialog, CommentDialog, SignedPdfDialog, warning_lines

if TYPE_CHECKING:
    from cpassess.session import Session
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
AUTOSAVE_MS = 2000


@dataclass(frozen=True)
class CommentDraft:
    """A reviewer's comment typed but not sent when the screen locked; offered again, as typed, on unlocking."""

    returning: bool  # the comment that returns the assessment, or one on a section or question
    section_id: str
    field_id: str
    text: str


PROBLEM_COLUMNS: list[Column[tuple[Problem, str]]] = [Column("Problem", lambda item: f"⚠ {item[1]}")]
WARNING_COLUMNS: list[Column[tuple[FormWarning, str]]] = [Column("Worth a second look", lambda item: f"△ {item[1]}")]



class AssessmentScreen(QWidget):
    finished = Signal()  # submitted, returned or approved: the caller refreshes its lists

    def __init__(self, window: MainWindow, session: Session, assessment: Assessment, child_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.session = session
        self.assessment = assessment
        self.child_name = child_name
        self.form = session.assessments.form_of(assessment)
        self.casework = Casework.of(session)
        self.allowed = self.casework.allowed(assessment)
        self.editable = Action.EDIT in self.allowed
        self.reviewing = Action.APPROVE in self.allowed
        self.dirty = False
        self._open_comment: tuple[CommentDialog, CommentDraft] | None = None  # the comment dialog, while open
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addLayout(self._header())
        self.fault_banner = FaultBanner(self)
        layout.addWidget(self.fault_banner)
        self.view = FormView(self.form, assessment.answers, read_only=not self.editable, commentable=self.reviewing,
                             parent=self)
        layout.addWidget(self.view, 1)
        self.problem_model: RowsModel[tuple[Problem, str]] = RowsModel(PROBLEM_COLUMNS, self)
        self.problem_list = QListView()
        self.problem_list.setModel(self.problem_model)
        self.problem_list.setAccessibleName("Problems to put right")
        self.problem_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problem_list.setMaximumHeight(150)
        self.problem_list.activated.connect(self._jump_to_problem)
        self.problem_list.clicked.connect(self._jump_to_problem)
        self.problem_list.hide()
        layout.addWidget(self.problem_list)
        self.warning_model: RowsModel[tuple[FormWarning, str]] = RowsModel(WARNING_COLUMNS, self)
        self.warning_list = QListView()
        self.warning_list.setModel(self.warning_model)
        self.warning_list.setAccessibleName("Worth a second look (does not stop submitting)")
        self.warning_list.setToolTip("Combinations of answers the form asks you to check; they do not stop you "
                                     "submitting")
        self.warning_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.warning_list.setWordWrap(True)
        self.warning_list.activated.connect(self._jump_to_warning)
        self.warning_list.clicked.connect(self._jump_to_warning)
        self.warning_title = QLabel("△ Worth a second look (these do not stop you submitting):")
        self.warning_title.setProperty("role", "warning")
        self.warning_title.setBuddy(self.warning_list)
        for widget in (self.warning_title, self.warning_list):
            widget.hide()
            layout.addWidget(widget)
        self.view.problems_changed.connect(self._problems_changed)
        self.view.warnings_changed.connect(self._warnings_changed)
        self._problems_changed()
        self._warnings_changed()
        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self.save)
        self.view.changed.connect(self._changed)
        self.view.section_changed.connect(self.save_if_dirty)
        self.view.comment_requested.connect(self._comment)
        self._show_comments()
        if self.editable:
            session.assessments.mark_editing(assessment.id)

    def _header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        titles = QVBoxLayout()
        title = QLabel(f"{self.form.title}")
        title.setProperty("role", "title")
        title.setWordWrap(True)
        titles.addWidget(title)
        status = STATUS_LABELS[self.assessment.status]
        self.subtitle = QLabel(f"{self.child_name} · version {self.form.version} of this form · {status}")
        self.subtitle.setProperty("role", "subtitle")
        titles.addWidget(self.subtitle)
        header.addLayout(titles, 1)
        self.problem_count = QLabel("")
        self.problem_count.setProperty("role", "problem")
        self.problem_count.setAccessibleName("Problems to put right")
        self.problem_count.hide()
        header.addWidget(self.problem_count)
        self.saved = QLabel("")
        self.saved.setProperty("role", "saved")
        self.saved.setAccessibleName("Save state")
        header.addWidget(self.saved)
        self.export_button = QPushButton("E&xport PDF…")
        self.export_button.clicked.connect(self._export)
        header.addWidget(self.export_button)
        from ui.screens.exchange import send_package

        if Action.SEND in self.allowed:
            send = QPushButton("Send as &package…")
            send.setToolTip("For a colleague on another laptop: an encrypted file only they can open")
            send.clicked.connect(lambda: send_package(self.window_, self.session, self.assessment))
            header.addWidget(send)
        if Action.MIGRATE in self.allowed:
            newest = default_catalog().newest_version(self.form.id)
            self.migrate_button = QPushButton(f"Mo&ve to version {newest}…")
            self.migrate_button.setToolTip(f"This draft uses version {self.form.version} of the form; see what "
                                           f"moving it to version {newest} drops and adds before deciding")
            self.migrate_button.clicked.connect(self.migrate)
            header.addWidget(self.migrate_button)
        if self.editable:
            self.submit_button = QPushButton("&Submit for review…")
            self.submit_button.setProperty("role", "primary")
            self.submit_button.clicked.connect(self.submit)
            header.addWidget(self.submit_button)
            self.saved.setText("All changes saved")
        if self.reviewing:
            self.comment_button = QPushButton("Co&mment on section…")
            self.comment_button.clicked.connect(lambda: self._comment(self._current_section_id(), ""))
            self.return_button = QPushButton("&Return for changes…")
            self.approve_button = QPushButton("&Approve…")
            self.approve_button.setProperty("role", "primary")
            self.return_button.clicked.connect(lambda _checked=False: self.return_for_changes())
            self.approve_button.clicked.connect(self.approve)
            for button in (self.comment_button, self.return_button, self.approve_button):
                header.addWidget(button)
        if Action.REASSIGN in self.allowed:
            self.hand_button = QPushButton("&Give to a colleague…")
            self.hand_button.setToolTip("Give this assessment to a colleague to finish, for example when the person "
                                        "who started it has left the team")
            self.hand_button.clicked.connect(self._reassign)
            header.addWidget(self.hand_button)
        if Action.CORRECT in self.allowed:
            correct = QPushButton("Start a &correction")
            correct.clicked.connect(self._start_correction)
            header.addWidget(correct)
        return header

    # --- editing and autosave ------------------------------------------------------------------------------

    def _changed(self) -> None:
        if not self.editable:
            return
        self.dirty = True
        self.saved.setText("Saving soon…")
        if not self.autosave.isActive():
            # counted from the first unsaved change, so steady typing is still saved every ~2 s
            self.autosave.start()

    def save_if_dirty(self) -> None:
        if self.dirty:
            self.save()

    def save(self) -> bool:
        """Store the answers now (draft validation only). True when everything typed is saved."""
        self.autosave.stop()
        if not self.editable or not self.dirty:
            return True
        try:
            self.assessment = self.casework.save_draft(self.assessment.id, self.view.answers(),
                                                                  revision=self.assessment.revision)
        except EditConflict as error:
            self.saved.setText("Not saved")
            QMessageBox.warning(self, "Not saved", str(error))
            return False
        except AnswersError as error:
            self.saved.setText("Not saved: see the problems below")
            self._list_problems(error.problems)
            return False
        except DiskFull as error:
            self.saved.setText("Not saved: the disk is full")
            self.fault_banner.show_message(str(error))
            return False
        except Exception as error:
            self.saved.setText("Not saved")
            self.window_.show_error(error)
            return False
        self.dirty = False
        self.fault_banner.clear()
        self.saved.setText(f"Saved {dt.datetime.now():%H:%M}")
        return True

    def save_open_work(self, closing: bool = False) -> None:
        self.save_if_dirty()
        if closing and self.editable and not self.dirty:
            self.session.assessments.clear_editing()

    # --- a newer version of the form ------------------------------------------------------------------------

    def migrate(self) -> None:
        """Show what moving to the newest version drops and adds; move only if the user says so."""
        from ui.screens.migrate import MigrationDialog

        if not self.save():
            return
        try:
            migration = self.casework.migration(self.assessment.id)
        except NotAllowed as error:
            self.window_.show_error(error)
            return
        if MigrationDialog(migration, self).exec() != QDialog.DialogCode.Accepted:
            return
        try:
            moved = self.casework.migrate(self.assessment.id, migration.target.version)
        except (NotAllowed, EditConflict) as error:
            self.window_.show_error(error)
            return
        section_id = self._current_section_id()
        self.window_.workspace.open_assessment(moved.id)  # the editor is built from the new version's form
        screen = self.window_.workspace.current()
        if isinstance(screen, AssessmentScreen):
            screen.view.show_section(section_id)  # the same section, if the new version still has it

    # --- submit --------------------------------------------------------------------------------------------

    def _list_problems(self, problems: list[Problem]) -> None:
        self.view.show_problems(problems)

    def _problems_changed(self) -> None:
        """The core's live check (or a submit attempt) changed what is wrong: list it and count it."""
        problems = self.view.shown_problems() if self.editable else []
        self.problem_model.set_rows([(problem, problem.describe(self.form)) for problem in problems])
        self.problem_list.setVisible(bool(problems))
        count = len(problems)
        self.problem_count.setText(f"⚠ {count} problem{'s' if count > 1 else ''} to put right" if count else "")
        self.problem_count.setVisible(bool(count))

    def _warnings_changed(self) -> None:
        """The form's cross-field warnings (the core's, for the answers on screen): listed, never blocking."""
        warnings = self.view.warnings()
        self.warning_model.set_rows([(warning, warning.describe(self.form)) for warning in warnings])
        self.warning_title.setVisible(bool(warnings))
        self.warning_list.setVisible(bool(warnings))
        if warnings:  # room for each warning to wrap onto a second line, up to three warnings
            lines = min(2 * len(warnings), 6)
            self.warning_list.setFixedHeight(self.warning_list.fontMetrics().lineSpacing() * lines
                                             + 2 * self.warning_list.frameWidth() + 6)

    def _jump_to_warning(self, index: QModelIndex) -> None:
        if index.isValid():
            warning, _ = self.warning_model.row_at(index.row())
            if warning.field_ids:
                self.view.focus_field(warning.field_ids[0])

    def _jump_to_problem(self, index: QModelIndex) -> None:
        if index.isValid():
            problem, _ = self.problem_model.row_at(index.row())
            if problem.field_id:
                self.view.focus_field(problem.field_id)

    def submit(self) -> None:
        if not self.save():
            return
        problems = validate_submission(self.form, self.assessment.answers)
        self._list_problems(problems)
        if problems:
            self.problem_list.setFocus()
            self.problem_list.setCurrentIndex(self.problem_model.index(0, 0))
            return
        warnings = self.casework.warnings(self.assessment.id)  # the saved answers, as they will be submitted
        second_look = (f"The form asks you to check {'this' if len(warnings) == 1 else 'these'} first (it does "
                       f"not stop you submitting):\n{warning_lines(warnings)}\n\n") if warnings else ""
        confirm = QMessageBox.question(
            self, "Submit for review",
            f"{second_look}Submit this assessment to a team lead? Its content will be frozen and signed with your "
            "key; you can change it again only if it is returned to you.")
        if confirm != QMessageBox.StandardButton.Yes:
            return
        assessment_id = self.assessment.id

        def submitted(assessment: Assessment) -> None:
            from cpassess.casework.packages import recipients
            from ui.screens.exchange import send_package

            self.session.assessments.clear_editing()
            self.assessment = assessment
            leads = recipients(self.session, assessment)
            done = (f"Submitted for review and signed by you. Content fingerprint "
                    f"{fingerprint(assessment.content_sha256 or '')}.")
            if not leads:
                QMessageBox.information(self, "Submitted", f"{done}\n\nNext: a team lead reviews it. A team lead "
                                        "who signs in on this laptop finds it in their review queue.")
            else:
                names = ", ".join(name for _, name in leads)
                answer = QMessageBox.question(
                    self, "Submitted",
                    f"{done}\n\nNext: send it to your team lead ({names}). If they review on this laptop it is "
                    "already in their review queue; if they use their own, send it as a package that only they "
                    "can open.\n\nSend it as a package now?")
                if answer == QMessageBox.StandardButton.Yes:
                    send_package(self.window_, self.session, assessment)
            self.finished.emit()

        def refused(error: Exception) -> None:
            if isinstance(error, SubmissionRefused):
                self._list_problems(error.problems)
            else:
                self.window_.show_error(error)

        self.window_.run(lambda: self.casework.submit(assessment_id), submitted,
                         "Checking, rendering and signing the PDF…", refused)

    # --- review --------------------------------------------------------------------------------------------

    def _current_section_id(self) -> str:
        section = self.view.current_section()
        return section.id if section else self.form.sections[0].id

    def _ask(self, dialog: CommentDialog, returning: bool, section_id: str, field_id: str = "") -> bool:
        """Show a comment dialog; while it is open, locking keeps what is typed in it (unsent_comment)."""
        self._open_comment = (dialog, CommentDraft(returning, section_id, field_id, ""))
        dialog.addAction(self.window_.lock_action)  # Ctrl+L locks from the dialog too, keeping what is typed
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            self._open_comment = None

    def unsent_comment(self) -> CommentDraft | None:
        """The comment being typed right now, if any (asked when the screen locks)."""
        if self._open_comment is None:
            return None
        dialog, draft = self._open_comment
        text = dialog.text.toPlainText()
        return CommentDraft(draft.returning, draft.section_id, draft.field_id, text) if text.strip() else None

    def resume_comment(self, draft: CommentDraft) -> None:
        """Open the comment dialog again with the words typed before the lock."""
        if not self.reviewing:
            return
        self.view.show_section(draft.section_id)
        if draft.returning:
            self.return_for_changes(draft.text)
        else:
            self._comment(draft.section_id, draft.field_id, draft.text)

    def _comment(self, section_id: str, field_id: str, text: str = "") -> None:
        where = self.form.field(field_id).label if field_id else next(
            s.title for s in self.form.sections if s.id == section_id)
        dialog = CommentDialog("Comment", f"Your comment on “{where}”:", self, text=text)
        if not self._ask(dialog, False, section_id, field_id):
            return
        try:
            self.casework.add_comment(self.assessment.id, dialog.comment(), section_id or None,
                                                 field_id or None)
        except NotAllowed as error:
            self.window_.show_error(error)
            return
        self._show_comments()

    def _show_comments(self) -> None:
        comments: dict[str, list[str]] = {}
        for comment in self.session.assessments.comments(self.assessment.id):
            if not comment.resolved:
                key = comment.field_id or f"section:{comment.section_id or self.form.sections[0].id}"
                comments.setdefault(key, []).append(comment.text)
        self.view.show_comments(comments)

    def return_for_changes(self, text: str = "") -> None:
        dialog = CommentDialog("Return for changes",
                               "Say what needs to change. The author will see this beside the section "
                               f"“{self.view.current_section().title if self.view.current_section() else ''}”.",
                               self, action="&Return to the author", text=text)
        if not self._ask(dialog, True, self._current_section_id()):
            return
        section_id, comment, assessment_id = self._current_section_id(), dialog.comment(), self.assessment.id
        author = self.session.user_named(self.assessment.author)
        name = author.display_name if author else self.assessment.author

        def returned(_: Assessment) -> None:
            QMessageBox.information(self, "Returned", f"Returned to {name} with your comment. They can change it and "
                                    "submit it again. If they work on their own laptop, send them the decision with "
                                    "“Send as package…” on this assessment.")
            self.finished.emit()

        # read on the UI thread: the worker must not touch widgets
        self.window_.run(lambda: self.casework.return_for_changes(assessment_id, comment, section_id),
                         returned, "Returning the assessment…")

    def approve(self) -> None:
        from ui.background import run_in_background
        from ui.main_window import explain

        author = self.session.user_named(self.assessment.author)
        dialog = ApproveDialog(self.assessment, self.child_name, self.form.title,
                               author.display_name if author else self.assessment.author, self,
                               self.casework.warnings(self.assessment.id))
        dialog.view_pdf.clicked.connect(lambda: self._view_signed_pdf(dialog))
        assessment_id = self.assessment.id

        def approved(_: Assessment) -> None:
            dialog.accept()
            QMessageBox.information(self, "Approved", "Approved and signed. The signed PDF is now the record.")
            self.finished.emit()

        def refused(error: Exception) -> None:
            if isinstance(error, NotAllowed):
                dialog.refused(explain(error))  # a wrong password: the dialog stays open to try again
            else:
                dialog.reject()
                self.window_.show_error(error)

        def sign(password: str) -> None:
            run_in_background(lambda: self.casework.approve(assessment_id, password), approved, refused,
                              dialog, "Checking your password and signing…")

        dialog.sign_requested.connect(sign)
        dialog.exec()

    def _view_signed_pdf(self, parent: QWidget) -> None:
        pdf = self.session.assessments.document(self.assessment.id, "full", "submitted")
        if pdf is None:
            QMessageBox.warning(parent, "The PDF to be signed", "The certified PDF is not stored with this "
                                "assessment, so it cannot be approved here.")
            return
        SignedPdfDialog(pdf, parent).exec()

    def _start_correction(self) -> None:
        try:
            correction = self.casework.start_correction(self.assessment.id)
        except NotAllowed as error:
            self.window_.show_error(error)
            return
        self.window_.workspace.open_assessment(correction.id)

    def _reassign(self) -> None:
        """An administrator hands the draft (or returned assessment) to another active user."""
        from PySide6.QtWidgets import QInputDialog, QMessageBox

        author = self.session.user_named(self.assessment.author)
        started_by = author.display_name if author else self.assessment.author
        colleagues = [user for user in self.session.users() if user.active and user.username != self.assessment.author]
        if not colleagues:
            QMessageBox.information(self, "Give to a colleague", "There is no one else on the team to hand it to.")
            return
        names = [f"{user.display_name} ({', '.join(ROLE_LABELS[role] for role in sorted(user.roles))})"
                 for user in colleagues]
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Give to a colleague")
        dialog.setLabelText(f"Who finishes this assessment, started by {started_by}?")
        dialog.setComboBoxItems(names)
        dialog.setOkButtonText("Give it to them")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        chosen = colleagues[names.index(dialog.textValue())]
        try:
            self.casework.reassign(self.assessment.id, chosen.username)
        except NotAllowed as error:
            self.window_.show_error(error)
            return
        self.window_.statusBar().showMessage(f"Given to {chosen.display_name}: it is theirs to edit now.", 10000)
        self.window_.workspace.open_assessment(self.assessment.id)

    def _export(self) -> None:
        self.save_if_dirty()
        from ui.screens.export import ExportDialog

        ExportDialog(self.window_, self.session, self.assessment, self).exec()
