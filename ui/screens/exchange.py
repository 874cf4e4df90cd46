"""Exchange between laptops in the app: send an assessment on as a package, import one, and the roster.

Every step runs in the background with progress; the result (or the reason for a refusal) is said plainly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from cpassess.assessments import Assessment
from cpassess.atomic import write_atomic
from cpassess.workflow import ROLE_LABELS, Role

if TYPE_CHECKING:
    from cpassess.session import Session
    from ui.main_window import MainWindow

PACKAGE_FILTER = "cpassess packages (*.pkg)"


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


class SendDialog(QDialog):
    def __init__(self, recipients: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Send as a package")
        layout = QVBoxLayout(self)
        text = QLabel("The package is encrypted so that only the person you choose can open it, and signed by you. "
                      "Carry it to their laptop (for example on an encrypted USB stick) and they import it.")
        text.setWordWrap(True)
        layout.addWidget(text)
        label = QLabel("&Send to")
        self.recipient = QComboBox()
        self.recipient.setAccessibleName("Send to")
        for username, name in recipients:
            self.recipient.addItem(f"{name} ({username})", username)
        label.setBuddy(self.recipient)
        layout.addWidget(label)
        layout.addWidget(self.recipient)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("&Choose where to save…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def send_package(window: MainWindow, session: Session, assessment: Assessment) -> None:
    from cpassess.casework.packages import export_package, recipients

    recipients = recipients(session, assessment)
    if not recipients:
        QMessageBox.information(window, "Send as a package", "There is nobody to send this assessment to now: a "
                                "submitted assessment goes to a team lead, a decision back to its author. If a "
                                "colleague is missing, import the latest team roster.")
        return
    dialog = SendDialog(recipients, window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    recipient = dialog.recipient.currentData()
    from ui.team_sync import send_through_server

    if send_through_server(window, session, assessment.id, recipient):  # a team server is set: no file
        return
    path, _ = QFileDialog.getSaveFileName(window, "Save the package", f"for-{recipient}.pkg", PACKAGE_FILTER)
    if not path:
        return

    def work() -> None:
        write_atomic(Path(path), export_package(session, assessment.id, recipient))

    window.run(work, lambda _: QMessageBox.information(
        window, "Package ready", f"Saved {Path(path).name}. Only {recipient} can open it."), "Sealing the package…")


def import_package(window: MainWindow, session: Session) -> None:
    from cpassess.casework.packages import import_package as apply

    path, _ = QFileDialog.getOpenFileName(window, "Import a package", "", PACKAGE_FILTER + ";;All files (*)")
    if not path:
        return

    def done(result: object) -> None:
        QMessageBox.information(window, "Package imported", result.describe())  # type: ignore[attr-defined]
        if window.workspace is not None:
            window.workspace.show_caseload()

    window.run(lambda: apply(session, _read(path)), done, "Checking and importing the package…",
               lambda error: QMessageBox.warning(window, "Package refused", f"Nothing was changed. {error}"))


def export_roster(window: MainWindow, session: Session) -> None:
    from cpassess.exchange import build_roster

    path, _ = QFileDialog.getSaveFileName(window, "Save the team roster", "team-roster.json", "Rosters (*.json)")
    if path:
        window.run(lambda: write_atomic(Path(path), build_roster(session)),
                   lambda _: QMessageBox.information(window, "Roster saved", "Import it on each team laptop "
                                                     "(Settings › Import a team roster)."), "Signing the roster…")


def import_roster(window: MainWindow, session: Session) -> None:
    from cpassess.exchange import import_roster as apply

    path, _ = QFileDialog.getOpenFileName(window, "Import a team roster", "", "Rosters (*.json);;All files (*)")
    if path:
        window.run(lambda: apply(session, _read(path)),
                   lambda count: QMessageBox.information(window, "Roster imported", f"The team now has {count} "
                                                         "members on this laptop."), "Checking the roster…",
                   lambda error: QMessageBox.warning(window, "Roster refused", f"Nothing was changed. {error}"))


class JoinDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Approve a colleague joining from another laptop")
        layout = QVBoxLayout(self)
        text = QLabel("Choose the roles for the new member. Their certificate comes from the team's signing "
                      "authority; the response file also carries the team roster.")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.roles = {role: QCheckBox(ROLE_LABELS[role]) for role in Role}
        self.roles[Role.PRACTITIONER].setChecked(True)
        for box in self.roles.values():
            layout.addWidget(box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("&Approve and save the response…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> list[str]:
        return [role.value for role, box in self.roles.items() if box.isChecked()]


def approve_join(window: MainWindow, session: Session) -> None:
    from cpassess.exchange import approve_join as approve

    request, _ = QFileDialog.getOpenFileName(window, "Open the join request", "", "Join requests (*.json)")
    if not request:
        return
    dialog = JoinDialog(window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    response, _ = QFileDialog.getSaveFileName(window, "Save the response", "join-response.json", "Responses (*.json)")
    if response:
        roles = dialog.chosen()
        window.run(lambda: write_atomic(Path(response), approve(session, _read(request), roles)),
                   lambda _: QMessageBox.information(window, "Approved", "Give the response file back to your "
                                                     "colleague to finish joining."), "Issuing the certificate…")
