"""Starting the desktop app: one QApplication, the theme, the main window."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from cpassess.paths import default_database

log = logging.getLogger(__name__)


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(database: Path | None, *, self_test: bool = False) -> int:
    """Show the window and run until it closes; `self_test` shows the unlock window and exits 0."""
    if not _has_display():
        print("cpassess: no graphical display was found, so the desktop app cannot open here. "
              "Use the command line (cpassess --help), or run it from a desktop session.", file=sys.stderr)
        return 1
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    QCoreApplication.setOrganizationName("cpassess")
    QCoreApplication.setApplicationName("cpassess")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)  # type: ignore[arg-type]
    window = MainWindow(database or default_database())
    window.show()
    if self_test:
        def shown() -> None:
            screen = type(window.stack.currentWidget()).__name__
            print(f"cpassess: self-test: {screen} shown", flush=True)
            window.close()
            app.quit()

        QTimer.singleShot(0, shown)
    code = app.exec()
    log.info("window closed")
    return int(code)
