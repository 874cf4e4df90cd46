"""Fixtures for the desktop app's tests: the app's look. It is not autouse (the editors' tests do not need it); the
shared set-up (settings folder, fast key derivation, offscreen, the demo database) is tests/conftest.py's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


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
