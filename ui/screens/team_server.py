"""The team server box in Settings: the server's address for this database, and "Sync now"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton

from cpassess.server import outbox

if TYPE_CHECKING:
    from cpassess.session import Session
    from ui.main_window import MainWindow


class TeamServerBox(QGroupBox):
    def __init__(self, window: MainWindow, session: Session) -> None:
        super().__init__("Team server")
        self.window_ = window
        self.session = session
        form = QFormLayout(self)
        hint = QLabel("With a team server, packages go to the team lead and come back without files to carry. "
                      "Your administrator gives you its address. It holds only sealed packages; without one, "
                      "cpassess works exactly as before.")
        hint.setProperty("role", "help")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.address = QLineEdit(outbox.server_url(session) or "")
        self.address.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)  # the address may hold a password
        self.address.setPlaceholderText("postgresql://…")
        self.address.setAccessibleName("Team server address")
        label = QLabel("Server a&ddress")
        label.setBuddy(self.address)
        form.addRow(label, self.address)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setProperty("role", "help")
        form.addRow("", self.problem)
        buttons = QHBoxLayout()
        save = QPushButton("Use &this address")
        save.clicked.connect(self.save)
        self.sync_button = QPushButton("S&ync now")
        self.sync_button.clicked.connect(self.sync_now)
        self.sync_button.setEnabled(outbox.server_url(session) is not None)
        buttons.addWidget(save)
        buttons.addWidget(self.sync_button)
        buttons.addStretch(1)
        form.addRow("", buttons)

    def save(self) -> None:
        from cpassess.server import ServerError
        from cpassess.server.sync import set_server

        try:
            set_server(self.session, self.address.text().strip() or None)
        except ServerError as error:
            self.problem.setText(str(error))
            return
        self.problem.setText("Saved." if self.address.text().strip() else "No team server: nothing is synced.")
        self.sync_button.setEnabled(bool(self.address.text().strip()))
        team_sync = getattr(self.window_, "team_sync", None)
        if team_sync is not None:
            team_sync.resume()

    def sync_now(self) -> None:
        team_sync = getattr(self.window_, "team_sync", None)
        if team_sync is not None:
            team_sync.sync_now()
