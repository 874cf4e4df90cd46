"""The core never loads Qt (DESIGN §3, STYLE 1): every module of `cpassess` imported in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# `cpassess.__main__` runs the command line when imported, so it is imported with a harmless argument list.
PROBE = """
import importlib, json, pkgutil, sys
import cpassess

names = []
for module in pkgutil.walk_packages(cpassess.__path__, "cpassess."):
    if module.name == "cpassess.__main__":
        sys.argv = ["cpassess", "--version"]
        try:
            importlib.import_module(module.name)
        except SystemExit:
            pass
    else:
        importlib.import_module(module.name)
    names.append(module.name)
loaded = sorted(name for name in sys.modules
                if name.split(".")[0] in ("PySide6", "shiboken6", "ui") or name == "ui")
print(json.dumps({"imported": names, "loaded": loaded}))
"""


def test_importing_every_core_module_loads_no_qt_and_no_ui() -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, env=env,
                            check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["loaded"] == [], f"the core loaded {report['loaded']}"
    imported = set(report["imported"])
    assert {"cpassess.forms.loader", "cpassess.forms.answers", "cpassess.chi", "cpassess.cli._forms"} <= imported
    assert len(imported) >= 15


def test_the_probe_would_notice_qt() -> None:
    # The same check, with Qt deliberately imported, must fail: otherwise the test above proves nothing.
    probe = "import sys, PySide6.QtCore; print('PySide6' in sys.modules, 'shiboken6' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
