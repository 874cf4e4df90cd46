"""One assessment on screen: the author's editor (autosave, submit) or the team lead's review (comment, return,
approve). Every rule is the core's; this screen only shows and asks."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cpassess.assessments import Assessment, EditConflict, SubmissionRefused
from cpassess.casework import Action, Casework
from cpassess.forms import AnswersError, Problem, fingerprint, validate_submission
from cpassess.storage import DiskFull
from cpassess.workflow import STATUS_LABELS, NotAllowed
from ui.fault_banner import FaultBanner
from ui.form_view import FormView
from ui.models import Column, RowsModel

if TYPE_CHECKING:
    from cpassess.session import Session
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)
AUTOSAVE_MS = 2000
PREVIEW_WIDTH = 760


@dataclass(frozen=True)
class CommentDraft:
    """A reviewer's comment typed but not sent when the screen locked; offered again, as typed, on unlocking."""

    returning: bool  # the comment that returns the assessment, or one on a section or question
    section_id: str
    field_id: str
    text: str


class CommentDialog(QDialog):
    """A reviewer's comment; `required` for returning an assessment."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None, *, action: str = "&Add comment",
                 text: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Comment")
        self.text.setTabChangesFocus(True)
        label.setBuddy(self.text)
        layout.addWidget(self.text)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(lambda: self.ok.setEnabled(bool(self.text.toPlainText().strip())))
        if text:
            self.text.setPlainText(text)
            self.text.moveCursor(QTextCursor.MoveOperation.End)
        self.resize(520, 260)

    def comment(self) -> str:
        return self.text.toPlainText().strip()


def shown_time(stamp: str | None) -> str:
    """A stored UTC time as the user's local date and time, the UK way."""
    if not stamp:
        return "not recorded"
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%d/%m/%Y at %H:%M")


class ApproveDialog(QDialog):
    """Password re-entry before signing, showing exactly what will be signed: the form, the child, the author,
    when it was submitted, the content fingerprint and (on request) the certified PDF itself.

    `sign_requested(password)` asks the screen to sign; the dialog stays open until `signed()`, so a wrong
    password is put right here (`refused(message)`)."""

    sign_requested = Signal(str)

    def __init__(self, assessment: Assessment, child_name: str, form_title: str, author_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Approve and sign")
        layout = QVBoxLayout(self)
        digest = assessment.content_sha256 or ""
        intro = QLabel("You are approving this assessment exactly as the author submitted it. Your digital "
                       "signature will be added to the PDF the author certified.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        facts = QFormLayout()
        for label, value in (("Form", form_title), ("Child", child_name), ("Author", author_name),
                             ("Submitted", shown_time(assessment.submitted_at)),
                             ("Content fingerprint", fingerprint(digest))):
            shown = QLabel(value)
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setAccessibleName(label)
            facts.addRow(f"{label}:", shown)
        full = QLabel(f"SHA-256 {digest}")
        full.setProperty("role", "help")
        full.setWordWrap(True)
        full.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts.addRow("", full)
        layout.addLayout(facts)
        self.view_pdf = QPushButton("&View the PDF to be signed…")
        layout.addWidget(self.view_pdf, 0, Qt.AlignmentFlag.AlignLeft)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        password_label = QLabel("Type your &password to sign:")
        password_label.setBuddy(self.password)
        layout.addWidget(password_label)
        layout.addWidget(self.password)
        self.message = QLabel()
        self.message.setProperty("role", "problem")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign = self.buttons.addButton("&Approve and sign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign.setEnabled(False)
        self.buttons.accepted.connect(self._sign)
        self.buttons.rejected.connect(self.reject)
        self.password.textChanged.connect(lambda text: self.sign.setEnabled(bool(text)))
        layout.addWidget(self.buttons)
        self.password.setFocus()
        self.resize(600, 360)

    def _sign(self) -> None:
        if self.password.text():
            self.sign_requested.emit(self.password.text())

    # --- BusyIndicator: while the password is checked and the signature made ---

    def start(self, message: str) -> None:
        self.message.setProperty("role", "help")
        self.message.style().polish(self.message)
        self.message.setText(message)
        self.message.show()
        self.buttons.setEnabled(False)
        self.password.setEnabled(False)

    def stop(self) -> None:
        self.buttons.setEnabled(True)
        self.password.setEnabled(True)

    def refused(self, message: str) -> None:
        """The signature was not made (a wrong password): say why and let the user try again."""
        self.message.setProperty("role", "problem")
        self.message.style().polish(self.message)
        self.message.setText(f"⚠ {message}")
        self.message.show()
        self.password.selectAll()
        self.password.setFocus()


class SignedPdfDialog(QDialog):
    """The stored certified PDF, page by page: exactly the bytes the approval signature will cover."""

    def __init__(self, pdf: bytes, parent: QWidget | None = None) -> None:
        from PySide6.QtGui import QPixmap
        from PySide6.QtWidgets import QScrollArea

        from ui.pdf_pages import render_pages

        super().__init__(parent)
        self.setWindowTitle("The PDF to be signed")
        layout = QVBoxLayout(self)
        pages = QWidget()
        pages_layout = QVBoxLayout(pages)
        pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        images = render_pages(pdf, PREVIEW_WIDTH)
        for number, image in enumerate(images, start=1):
            page = QLabel()
            page.setPixmap(QPixmap.fromImage(image))
            page.setAccessibleName(f"Page {number} of {len(images)}")
            pages_layout.addWidget(page)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(pages)
        scroll.setAccessibleName("The PDF to be signed")
        layout.addWidget(QLabel(f"The PDF the author certified: {len(images)} pages."))
        layout.addWidget(scroll, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.resize(PREVIEW_WIDTH + 80, min(860, self.screen().availableGeometry().height() * 9 // 10))


PROBLEM_COLUMNS: list[Column[tuple[Problem, str]]] = [Column("Problem", lambda item: f"⚠ {item[1]}")]


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
        self.view.problems_changed.connect(self._problems_changed)
        self._problems_changed()
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
        confirm = QMessageBox.question(
            self, "Submit for review",
            "Submit this assessment to a team lead? Its content will be frozen and signed with your key; "
            "you can change it again only if it is returned to you.")
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
                               author.display_name if author else self.assessment.author, self)
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

    def _export(self) -> None:
        self.save_if_dirty()
        from ui.screens.export import ExportDialog

        ExportDialog(self.window_, self.session, self.assessment, self).exec()
