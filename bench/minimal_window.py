"""The baseline for start-up, the editor and memory: the smallest PySide6 program that shows a window.

Prints a line once the window is shown (what the start-up row times); with --rss, then its peak RSS in MB.
"""

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
window = QLabel("minimal")
window.show()


def shown() -> None:
    print("minimal: shown", flush=True)
    if "--rss" in sys.argv:
        status = Path("/proc/self/status").read_text().splitlines()
        print(next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:")), flush=True)
    app.quit()


QTimer.singleShot(0, shown)
sys.exit(app.exec())
