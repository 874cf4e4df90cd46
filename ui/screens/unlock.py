"""The first screens: unlock an existing database, or set up a new one (first run) with a recovery code."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cpassess.passwords import password_problem, password_strength


def _card(title: str, subtitle: str, *, must_read: bool = False) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame()
    card.setProperty("role", "card")
    card.setMaximumWidth(card.fontMetrics().averageCharWidth() * 68)  # wider with larger text
    layout = QVBoxLayout(card)
    layout.setContentsMargins(28, 24, 28, 24)
    layout.setSpacing(10)
    heading = QLabel(title)
    heading.setProperty("role", "title")
    layout.addWidget(heading)
    explanation = QLabel(subtitle)
    explanation.setProperty("role", "field-label" if must_read else "subtitle")
    explanation.setWordWrap(True)
    layout.addWidget(explanation)
    return card, layout


def _feedback(layout: QVBoxLayout) -> tuple[QLabel, QProgressBar]:
    """A hidden problem message and a hidden busy bar, shown while and after the work runs."""
    message = QLabel()
    message.setProperty("role", "problem")
    message.setWordWrap(True)
    message.hide()
    layout.addWidget(message)
    progress = QProgressBar()
    progress.setRange(0, 0)
    progress.setTextVisible(False)
    progress.setMaximumHeight(6)
    progress.hide()
    layout.addWidget(progress)
    return message, progress


def _centred(*cards: QFrame) -> QVBoxLayout:
    """Cards in the middle of the screen, each as wide as the column (so wrapped text gets its full height)."""
    outer = QVBoxLayout()
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    for card in cards:
        row.addWidget(card, 3)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return outer


class UnlockScreen(QWidget):
    """Username and password; the window does the unlocking in the background and reports back."""

    unlock_requested = Signal(str, str)

    def __init__(self, database: Path, username: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card, layout = _card("Unlock cpassess", f"Database: {database}")
        form = QFormLayout()
        self.username = QLineEdit(username)
        self.username.setAccessibleName("Username")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        layout.addLayout(form)
        self.message, self.progress = _feedback(layout)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setProperty("role", "primary")
        self.unlock_button.setDefault(True)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)
        self.setLayout(_centred(card))
        self.unlock_button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.username.returnPressed.connect(self.password.setFocus)
        (self.password if username else self.username).setFocus()

    def _submit(self) -> None:
        if not self.username.text().strip() or not self.password.text():
            self.show_problem("Type your username and password.")
            return
        self.set_busy(True)
        self.unlock_requested.emit(self.username.text().strip(), self.password.text())

    def set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.username, self.password, self.unlock_button):
            widget.setEnabled(not busy)
        if busy:
            self.message.hide()

    def show_problem(self, text: str) -> None:
        self.set_busy(False)
        self.message.setText(text)
        self.message.show()
        self.password.clear()
        self.password.setFocus()


def password_feedback(password: str) -> tuple[bool, str]:
    """Whether a new password is acceptable, and a sentence about its strength (the core's rules)."""
    return password_problem(password) is None, password_strength(password)


class FirstRunScreen(QWidget):
    """Set up a new database: the administrator's name and password; then the recovery code, shown once."""

    setup_requested = Signal(str, str, str, str)  # username, display name, password, team name
    finished = Signal()

    def __init__(self, database: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        card, layout = _card("Set up cpassess",
                             "This creates an encrypted database on this computer. You will be its administrator "
                             f"and team lead. Database: {database}")
        form = QFormLayout()
        self.display_name = QLineEdit()
        self.username = QLineEdit()
        self.team = QLineEdit("Children and Families Team")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        rows = (("Your &full name", self.display_name), ("&Username", self.username), ("&Team name", self.team),
                ("&Password", self.password), ("&Repeat password", self.repeat))
        for label, widget in rows:
            widget.setAccessibleName(label.replace("&", ""))
            form.addRow(label, widget)
        layout.addLayout(form)
        self.strength = QLabel()
        self.strength.setProperty("role", "help")
        self.strength.setWordWrap(True)
        layout.addWidget(self.strength)
        self.message, self.progress = _feedback(layout)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.create_button = QPushButton("&Create database")
        self.create_button.setProperty("role", "primary")
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        self._form_card = card
        self._recovery_card, recovery_layout = _card(
            "Your recovery code",
            "Write this code down and keep it somewhere locked. It is shown only once. With it an administrator "
            "can set a new password if one is forgotten; without it a forgotten password cannot be recovered.",
            must_read=True)
        from PySide6.QtCore import Qt  # here, not at the top: the unlock window opens without Qt's namespace
        from PySide6.QtGui import QFont

        self.code = QLabel()
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        code_font = QFont("monospace")
        code_font.setStyleHint(QFont.StyleHint.Monospace)
        code_font.setPointSizeF(self.font().pointSizeF() * 1.4)
        self.code.setFont(code_font)
        self.code.setAccessibleName("Recovery code")
        recovery_layout.addWidget(self.code)
        self.confirm = QCheckBox("&I have written it down and will keep it safe")
        recovery_layout.addWidget(self.confirm)
        row = QHBoxLayout()
        row.addStretch(1)
        self.continue_button = QPushButton("C&ontinue")
        self.continue_button.setProperty("role", "primary")
        self.continue_button.setEnabled(False)
        row.addWidget(self.continue_button)
        recovery_layout.addLayout(row)
        self._recovery_card.hide()
        self.setLayout(_centred(card, self._recovery_card))
        self.password.textChanged.connect(self._show_strength)
        self.create_button.clicked.connect(self._submit)
        self.confirm.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._finish)
        self.display_name.setFocus()

    def _show_strength(self, text: str) -> None:
        self.strength.setText(password_feedback(text)[1] if text else "")

    def _submit(self) -> None:
        problems = []
        if not self.display_name.text().strip():
            problems.append("Type your full name.")
        username = self.username.text().strip()
        if not username:
            problems.append("Choose a username (lower-case letters and digits).")
        else:
            from cpassess.session import check_username  # the core's rule, before the slow key step
            from cpassess.workflow import NotAllowed

            try:
                check_username(username)
            except NotAllowed as error:
                problems.append(str(error))
        ok, sentence = password_feedback(self.password.text())
        if not ok:
            problems.append(sentence)
        elif self.password.text() != self.repeat.text():
            problems.append("The two passwords are not the same.")
        if problems:
            self.show_problem(" ".join(problems))
            return
        self.set_busy(True)
        self.setup_requested.emit(self.username.text().strip(), self.display_name.text().strip(),
                                  self.password.text(), self.team.text().strip() or "Team")

    def set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.create_button.setEnabled(not busy)
        if busy:
            self.message.hide()

    def show_problem(self, text: str) -> None:
        self.set_busy(False)
        self.message.setText(text)
        self.message.show()

    def show_recovery_code(self, code: str) -> None:
        self.set_busy(False)
        self.password.clear()
        self.repeat.clear()
        self._form_card.hide()
        self.code.setText(code)
        self._recovery_card.show()
        self.confirm.setFocus()

    def _finish(self) -> None:
        self.code.clear()
        self.finished.emit()
