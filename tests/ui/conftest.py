"""Fixtures for the desktop app's tests: a demo database and the app's look. None is autouse (the editors' tests
do not need them); the shared set-up (settings folder, fast key derivation, offscreen) is tests/conftest.py's."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cpassess.keyslots import KdfParams
from cpassess.paths import slot_file_for

DEMO_CHILDREN = 8
FAST_KDF = KdfParams(time_cost=1, memory_kib=65536, parallelism=1)  # as tests/conftest.py: the smallest allowed


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database (`cpassess.demo`, logins in DEMO_LOGINS) built once per run: about 5 s of signing."""
    from cpassess.demo import build_demo

    folder = tmp_path_factory.mktemp("demo-template")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CPASSESS_HOME", str(tmp_path_factory.mktemp("demo-template-home")))
        build_demo(folder / "demo.db", DEMO_CHILDREN, kdf=FAST_KDF)
    return folder / "demo.db"


@pytest.fixture
def demo_db(tmp_path: Path, _demo_template: Path) -> Path:
    """This test's own copy of the demo database and its key file, never opened before."""
    folder = tmp_path / "demo"
    folder.mkdir()
    for source in (_demo_template, slot_file_for(_demo_template)):
        shutil.copy2(source, folder / source.name)
    return folder / _demo_template.name


@pytest.fixture
def app_look(qapp: Any, tmp_path: Path) -> Iterator[Any]:
    """The app's theme, as users see it, and window settings (QSettings) kept in this test's folder; undone after."""
    from PySide6.QtCore import QSettings

    from ui.theme import apply_theme

    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    apply_theme(qapp)
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setStyle(style)
