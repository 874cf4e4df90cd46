"""The baseline for start-up: the smallest PySide6 program that shows a window, timed the same way."""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
window = QLabel("minimal")
window.show()


def shown() -> None:
    print("minimal: shown", flush=True)
    app.quit()


QTimer.singleShot(0, shown)
sys.exit(app.exec())
