"""Settings: your password and idle lock; for administrators the team's users, the security marking, the
team authority certificate, and backups."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cpassess.atomic import write_atomic
from cpassess.casework import UserAction, allowed_user_actions
from cpassess.session import UserAccount
from cpassess.workflow import ROLE_LABELS, Role
from ui.models import Column, RowsModel
from ui.screens.team_server import TeamServerBox
from ui.screens.unlock import password_feedback

if TYPE_CHECKING:
    from cpassess.session import Session
    from ui.main_window import MainWindow

USER_COLUMNS: list[Column[UserAccount]] = [
    Column("Name", lambda u: u.display_name),
    Column("Username", lambda u: u.username),
    Column("Roles", lambda u: ", ".join(ROLE_LABELS[r] for r in sorted(u.roles))),
    Column("Account", lambda u: "Active" if u.active else "Closed"),
]


def _left(widget: QWidget) -> QHBoxLayout:
    """A control at its natural size, not stretched across the form."""
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    return row


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class AddUserDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a user")
        form = QFormLayout(self)
        self.display_name = QLineEdit()
        self.username = QLineEdit()
        self.practitioner = QCheckBox("Practitioner")
        self.practitioner.setChecked(True)
        self.team_lead = QCheckBox("Team lead")
        self.administrator = QCheckBox("Administrator")
        self.password = _password_field("First password")
        self.strength = QLabel()
        self.strength.setProperty("role", "help")
        for label, widget in (("Full &name", self.display_name), ("&Username", self.username)):
            widget.setAccessibleName(label.replace("&", ""))
            form.addRow(label, widget)
        roles = QHBoxLayout()
        for box in (self.practitioner, self.team_lead, self.administrator):
            roles.addWidget(box)
        form.addRow("Roles", roles)
        form.addRow("&First password", self.password)
        form.addRow("", self.strength)
        note = QLabel("Give the first password to the new user in person; they should change it when they first "
                      "sign in (Settings › Change password).")
        note.setWordWrap(True)
        note.setProperty("role", "help")
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("&Add user", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.password.textChanged.connect(lambda text: self.strength.setText(password_feedback(text)[1]))

    def roles(self) -> list[str]:
        chosen = [(self.practitioner, Role.PRACTITIONER), (self.team_lead, Role.TEAM_LEAD),
                  (self.administrator, Role.ADMINISTRATOR)]
        return [role.value for box, role in chosen if box.isChecked()]


class SettingsScreen(QScrollArea):
    def __init__(self, window: MainWindow, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.session = session
        self.setWidgetResizable(True)
        outer = QWidget()
        row = QHBoxLayout(outer)
        body = QWidget()
        body.setMaximumWidth(920)
        row.addWidget(body, 1)
        row.addStretch(0)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(18, 14, 18, 14)
        title = QLabel("Settings")
        title.setProperty("role", "title")
        layout.addWidget(title)
        layout.addWidget(self._password_box())
        layout.addWidget(self._lock_box())
        layout.addWidget(self._roster_box())
        layout.addWidget(self._authority_box())
        layout.addWidget(TeamServerBox(window, session))
        if UserAction.ADMINISTER in allowed_user_actions(session.actor):
            layout.addWidget(self._users_box())
            layout.addWidget(self._team_box())
        layout.addStretch(1)
        self.setWidget(outer)

    def _password_box(self) -> QGroupBox:
        box = QGroupBox("Change your password")
        form = QFormLayout(box)
        self.old_password = _password_field("Current password")
        self.new_password = _password_field("New password")
        self.repeat_password = _password_field("Repeat the new password")
        self.password_strength = QLabel()
        self.password_strength.setProperty("role", "help")
        form.addRow("C&urrent password", self.old_password)
        form.addRow("&New password", self.new_password)
        form.addRow("Re&peat new password", self.repeat_password)
        form.addRow("", self.password_strength)
        change = QPushButton("C&hange password")
        change.clicked.connect(self._change_password)
        form.addRow("", _left(change))
        self.new_password.textChanged.connect(lambda t: self.password_strength.setText(password_feedback(t)[1]))
        return box

    def _change_password(self) -> None:
        old, new = self.old_password.text(), self.new_password.text()
        if new != self.repeat_password.text():
            QMessageBox.warning(self, "Password", "The two new passwords are not the same.")
            return

        def changed(_: object) -> None:
            for field in (self.old_password, self.new_password, self.repeat_password):
                field.clear()
            QMessageBox.information(self, "Password", "Your password has been changed.")

        self.window_.run(lambda: self.session.change_password(old, new), changed, "Changing your password…")

    def _lock_box(self) -> QGroupBox:
        box = QGroupBox("Locking")
        form = QFormLayout(box)
        self.idle = QSpinBox()
        self.idle.setRange(1, 60)
        self.idle.setSuffix(" minutes")
        self.idle.setValue(self.window_.settings.idle_lock_minutes)
        self.idle.setAccessibleName("Lock after this long without use")
        self.idle.valueChanged.connect(self.window_.set_idle_minutes)
        label = QLabel("&Lock after")
        label.setBuddy(self.idle)
        form.addRow(label, _left(self.idle))
        hint = QLabel("cpassess also locks when you press Ctrl+L. Locking hides every record until you unlock.")
        hint.setProperty("role", "help")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.spell_check = QCheckBox("Chec&k spelling in narrative boxes (British English; the dictionary is on "
                                     "this computer and no text is sent anywhere)")
        self.spell_check.setChecked(self.window_.settings.spell_check)
        self.spell_check.toggled.connect(self.window_.set_spell_check)
        form.addRow(self.spell_check)
        return box

    def _roster_box(self) -> QGroupBox:
        from ui.screens import exchange

        box = QGroupBox("Team roster")
        form = QFormLayout(box)
        hint = QLabel("The roster tells this laptop whose packages and signatures to trust. Import the latest one "
                      "your administrator gives you when the team changes.")
        hint.setProperty("role", "help")
        hint.setWordWrap(True)
        form.addRow(hint)
        button = QPushButton("Import a team r&oster…")
        button.clicked.connect(lambda: exchange.import_roster(self.window_, self.session))
        form.addRow("", _left(button))
        return box

    def _users_box(self) -> QGroupBox:
        box = QGroupBox("Users")
        layout = QVBoxLayout(box)
        self.users: RowsModel[UserAccount] = RowsModel(USER_COLUMNS, self)
        self.users.set_rows(self.session.users())
        table = QTableView()
        table.setModel(self.users)
        table.setAccessibleName("Users")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.setMinimumHeight(150)
        table.setTabKeyNavigation(False)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.users_table = table
        layout.addWidget(table)
        add = QPushButton("&Add user…")
        add.clicked.connect(self._add_user)
        self.remove_user_button = QPushButton("Remove u&ser…")
        self.remove_user_button.setAccessibleName("Remove the selected user from the team")
        self.remove_user_button.clicked.connect(self._remove_user)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.remove_user_button)
        row.addWidget(add)
        layout.addLayout(row)
        return box

    def _remove_user(self) -> None:
        """Close the selected account, revoke and re-key; with a team server set, end their login there too
        (the core's `remove_user`, as `cpassess user remove`)."""
        from cpassess.server.leavers import Removal, remove_user

        selected = self.users_table.selectionModel().selectedRows()
        if not selected:
            QMessageBox.information(self, "Remove user", "Select the user who is leaving the team first.")
            return
        user = self.users.row_at(selected[0].row())
        if self.window_.team_sync is not None and self.window_.team_sync.running:  # it has the database open too
            QMessageBox.information(self, "Remove user", "A sync with the team server is under way; remove the user "
                                    "when it has finished (a few seconds).")
            return
        answer = QMessageBox.question(
            self, "Remove user", f"Remove {user.display_name} ({user.username}) from the team? Their account is "
            "closed and their certificate revoked for good; this laptop's database is re-keyed.")
        if answer != QMessageBox.StandardButton.Yes:
            return

        def removed(removal: Removal) -> None:
            self.users.set_rows(self.session.users())
            QMessageBox.information(self, "User removed", "\n".join(removal.describe()))

        self.window_.run(lambda: remove_user(self.session, user.username), removed, "Removing the user…")

    def _add_user(self) -> None:
        dialog = AddUserDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        username, name, roles, password = (dialog.username.text().strip(), dialog.display_name.text().strip(),
                                           dialog.roles(), dialog.password.text())
        self.window_.run(lambda: self.session.add_user(username, name, roles, password),
                         lambda _: self.users.set_rows(self.session.users()), "Adding the user…")

    def _authority_box(self) -> QGroupBox:
        box = QGroupBox("Team signing authority")
        form = QFormLayout(box)
        self.authority_fingerprint = QLabel(self.session.authority_fingerprint)
        self.authority_fingerprint.setWordWrap(True)
        self.authority_fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.authority_fingerprint.setAccessibleName("SHA-256 fingerprint of the team signing authority")
        form.addRow("SHA-256 fingerprint", self.authority_fingerprint)
        hint = QLabel("Anyone checking a PDF with cpassess verify-pdf or authority trust sees this fingerprint; "
                      "it must be exactly the same.")
        hint.setWordWrap(True)
        form.addRow(hint)
        return box

    def _team_box(self) -> QGroupBox:
        box = QGroupBox("Team")
        form = QFormLayout(box)
        self.marking = QLineEdit(self.session.security_marking)
        self.marking.setAccessibleName("Security marking printed on every page")
        save_marking = QPushButton("Sa&ve marking")
        save_marking.clicked.connect(self._save_marking)
        row = QHBoxLayout()
        row.addWidget(self.marking, 1)
        row.addWidget(save_marking)
        marking_label = QLabel("Security &marking")
        marking_label.setBuddy(self.marking)  # without a buddy the label shows the "&" instead of a mnemonic
        form.addRow(marking_label, row)
        certificate = QPushButton("&Export the team authority certificate…")
        certificate.clicked.connect(self._export_certificate)
        form.addRow("Signatures", _left(certificate))
        backup = QPushButton("Make a &backup…")
        backup.clicked.connect(self._backup)
        form.addRow("Backup", _left(backup))
        from ui.screens import exchange

        roster = QPushButton("Export the team &roster…")
        roster.clicked.connect(lambda: exchange.export_roster(self.window_, self.session))
        join = QPushButton("Approve a &join request…")
        join.clicked.connect(lambda: exchange.approve_join(self.window_, self.session))
        row = QHBoxLayout()
        row.addWidget(roster)
        row.addWidget(join)
        row.addStretch(1)
        form.addRow("Other laptops", row)
        return box

    def _save_marking(self) -> None:
        try:
            self.session.set_security_marking(self.marking.text())
        except Exception as error:
            self.window_.show_error(error)
            return
        self.marking.setText(self.session.security_marking)

    def _export_certificate(self) -> None:
        from cpassess.authority import cert_to_pem

        path, _ = QFileDialog.getSaveFileName(self, "Save the team authority certificate",
                                              "team-signing-authority.pem", "Certificates (*.pem)")
        if path:
            write_atomic(Path(path), cert_to_pem(self.session.authority_certificate))
            QMessageBox.information(self, "Certificate saved",
                                    "Saved. Add it to a PDF reader's trusted certificates to see cpassess signatures "
                                    "as trusted.")

    def _backup(self) -> None:
        from cpassess.backup import make_backup

        path, _ = QFileDialog.getSaveFileName(self, "Save a backup", "cpassess-backup.zip", "Backups (*.zip)")
        if path:
            self.window_.run(lambda: make_backup(self.session, Path(path)),
                             lambda info: QMessageBox.information(self, "Backup", f"Backup written to {info.path}."),
                             "Writing the backup…")
