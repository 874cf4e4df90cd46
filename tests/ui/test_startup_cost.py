"""What the unlock window must open without (bench/README.md, start-up): PySide6 builds every enum class of Qt's
own namespace (about 90, `Qt.Key` alone 471 members) on its first use, a third of a minimal window's whole start,
and the forms engine, the database and the spelling module wait for the first unlock. Checked in a fresh process,
since this one has long loaded them all."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.helpers import Team

# Opens the real window over a database (so the unlock screen), then reports what was loaded.
SHOW_UNLOCK_WINDOW = """
import json, sys
from pathlib import Path
from PySide6 import QtCore
from PySide6.QtWidgets import QApplication
from ui.main_window import MainWindow
from ui.theme import apply_theme

app = QApplication([])
apply_theme(app)
window = MainWindow(Path(sys.argv[1]))
window.show()
app.processEvents()
print(json.dumps({"screen": type(window.stack.currentWidget()).__name__, "qt_namespace": "Qt" in vars(QtCore),
                  "modules": sorted(name for name in sys.modules if name.startswith(("cpassess", "ui")))}))
"""


def test_the_unlock_window_opens_without_qts_namespace_or_the_core_behind_the_lock(team: Team) -> None:
    result = subprocess.run([sys.executable, "-c", SHOW_UNLOCK_WINDOW, str(team.db)], capture_output=True, text=True,
                            timeout=120, check=False, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.splitlines()[-1])
    assert shown["screen"] == "UnlockScreen"
    assert not shown["qt_namespace"], "something on the way to the unlock window uses Qt's namespace (Qt.…)"
    loaded = set(shown["modules"])
    assert {"ui.main_window", "ui.screens.unlock"} <= loaded
    assert not loaded & {"cpassess.forms", "cpassess.session", "cpassess.storage", "ui.spelling", "ui.workspace"}, \
        sorted(loaded)
