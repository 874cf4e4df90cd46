"""The dialogs of an assessment's review: a reviewer's comment, approval (password re-entry, showing what will be
signed and the form's warnings) and the certified PDF that the approval signature will cover."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cpassess.assessments import Assessment
from cpassess.forms import fingerprint

PREVIEW_WIDTH = 760


def warning_lines(warnings: list[str]) -> str:
    """The form's warnings as lines for a confirmation: each marked, none of them blocking."""
    return "\n".join(f"△ {warning}" for warning in warnings)


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
                 parent: QWidget | None = None, warnings: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Approve and sign")
        layout = QVBoxLayout(self)
        digest = assessment.content_sha256 or ""
        intro = QLabel("You are approving this assessment exactly as the author submitted it. Your digital "
                       "signature will be added to the PDF the author certified.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.warnings = QLabel(f"The form asks for a second look at (it does not stop approval):\n"
                               f"{warning_lines(warnings)}" if warnings else "")
        self.warnings.setProperty("role", "warning")
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName("Worth a second look")
        self.warnings.setVisible(bool(warnings))
        layout.addWidget(self.warnings)
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
        # tall enough for its wrapped words at this width (a larger system font, a long list of warnings)
        layout.activate()
        self.resize(600, max(360, layout.totalHeightForWidth(600) if layout.hasHeightForWidth()
                             else layout.sizeHint().height()))

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
