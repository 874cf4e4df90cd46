"""`make screenshots`: every main screen of the app, filled with synthetic demo data, saved as PNGs.

    python -m ui.screenshots screenshots/ [TEXT_SCALE]

TEXT_SCALE (for example 1.5) enlarges the application font, as a user's larger system text would.

Runs offscreen against a fresh demo database in a temporary folder, driving the real window as a user would.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtWidgets import QApplication, QDialog, QWidget

SIZE = QSize(1366, 768)


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not appear in time")
        QCoreApplication.processEvents()
        time.sleep(0.01)


def settle() -> None:
    for _ in range(5):
        QCoreApplication.processEvents()
        time.sleep(0.01)


def shoot(widget: QWidget, folder: Path, name: str) -> None:
    from ui.background import wait_for_background

    settle()
    wait_for_background()  # what follows a screen's first drawing (the caseload's "needs doing") is in it too
    settle()
    widget.grab().save(str(folder / f"{name}.png"))
    print(f"  {name}.png")


def main(folder: Path, text_scale: float = 1.0) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cpassess-shots-") as work:
        os.environ["CPASSESS_HOME"] = str(Path(work) / "home")
        os.environ.setdefault("CPASSESS_KDF_SECONDS", "0.05")
        from cpassess.demo import DEMO_LOGINS, build_demo
        from ui.main_window import MainWindow
        from ui.theme import apply_theme

        database = Path(work) / "demo.db"
        print("building the demo database…")
        build_demo(database, 30)
        QCoreApplication.setOrganizationName("cpassess-screenshots")
        app = QApplication.instance() or QApplication(sys.argv[:1])
        if text_scale != 1.0:
            font = app.font()  # type: ignore[attr-defined]
            font.setPointSizeF(font.pointSizeF() * text_scale)
            app.setFont(font)  # type: ignore[attr-defined]
        apply_theme(app)  # type: ignore[arg-type]

        first_run = MainWindow(Path(work) / "new.db")
        first_run.resize(SIZE)
        first_run.show()
        shoot(first_run, folder, "01-first-run")
        first_run.close()

        window = MainWindow(database)
        window.resize(SIZE)
        window.show()
        shoot(window, folder, "02-unlock")
        lead, practitioner = DEMO_LOGINS[0], DEMO_LOGINS[1]
        _unlock(window, practitioner.username, practitioner.password)
        shoot(window, folder, "03-caseload")
        session = window.session
        assert session is not None
        drafts = [a for a in session.assessments.find() if a.author == practitioner.username]
        for form_id in ("neglect-assessment", "girfec-wellbeing", "core-group-review"):
            assessment = next((a for a in drafts if a.form_id == form_id and a.status.value != "draft"), None)
            assessment = assessment or next(a for a in drafts if a.form_id == form_id)
            window.workspace.open_child(assessment.child_id)
            if form_id == "neglect-assessment":
                shoot(window, folder, "04-child")
            window.workspace.open_assessment(assessment.id)
            screen = window.workspace.current()
            for number, section in enumerate(screen.form.sections, start=1):
                screen.view.show_section(section.id)
                shoot(window, folder, f"05-{form_id}-{number:02d}-{section.id}")
        from ui.screens.child import ChildDialog

        child = session.children.get(drafts[0].child_id)
        dialog = ChildDialog(child.record, window)
        dialog.resize(1000, 680)
        dialog.show()
        shoot(dialog, folder, "06-child-details")
        dialog.close()
        window.workspace.show_settings()
        shoot(window, folder, "07-settings-practitioner")
        window.lock()
        shoot(window, folder, "08-locked")

        _unlock(window, lead.username, lead.password)
        window.workspace.show_review_queue()
        shoot(window, folder, "09-review-queue")
        queue = window.workspace.current()
        if queue.model.rowCount():
            window.workspace.open_assessment(queue.model.row_at(0).assessment_id)
            shoot(window, folder, "10-review")
        approved = next(a for a in session_of(window).assessments.find() if a.status.value == "approved")
        from ui.screens.export import ExportDialog

        export = ExportDialog(window, session_of(window), approved, window)
        export.resize(900, 860)
        export.show()
        wait_until(export.save_button.isEnabled)
        shoot(export, folder, "11-export-preview")
        export.reject()
        window.workspace.show_settings()
        shoot(window, folder, "12-settings-administrator")
        window.close()
    return 0


def session_of(window: object) -> object:
    session = getattr(window, "session", None)
    assert session is not None
    return session


def _unlock(window: object, username: str, password: str) -> None:
    from ui.screens.unlock import UnlockScreen

    screen = window.stack.currentWidget()  # type: ignore[attr-defined]
    assert isinstance(screen, UnlockScreen)
    screen.username.setText(username)
    screen.password.setText(password)
    screen.unlock_button.click()
    wait_until(lambda: window.session is not None and window.workspace is not None)  # type: ignore[attr-defined]
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.reject()
    settle()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"),
                  float(sys.argv[2]) if len(sys.argv) > 2 else 1.0))
