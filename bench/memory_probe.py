"""Peak resident memory (MB) of the app with a caseload open: unlock, caseload shown, then read VmHWM."""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication

from ui.main_window import MainWindow
from ui.theme import apply_theme


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


database, username, password = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
app = QApplication(sys.argv[:1])
apply_theme(app)
window = MainWindow(database)
window.resize(1366, 768)
window.show()
screen = window.stack.currentWidget()
screen.username.setText(username)
screen.password.setText(password)
screen.unlock_button.click()
deadline = time.monotonic() + 120
while window.workspace is None and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
for _ in range(20):
    app.processEvents()
print(f"{peak_rss_mb():.1f}")
window.close()
