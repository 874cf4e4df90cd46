"""The settings screen shows the team authority's fingerprint (DESIGN §9.7), for every user, exactly as
`verify-pdf` and `authority list` print it, so a meeting chair can compare the two."""

from __future__ import annotations

import re
from typing import Any

from app_driver import click, open_window, settle, toolbar_button, unlock

from tests.helpers import Team
from ui.screens.settings import SettingsScreen


def test_every_user_sees_the_team_authority_fingerprint(qtbot: Any, app_look: Any, team: Team) -> None:
    window = open_window(qtbot, team.db)
    unlock(qtbot, window, "prac", team.passwords["prac"])
    click(qtbot, toolbar_button(window, "Settings"))
    settle(qtbot)
    settings = window.workspace.current()
    assert isinstance(settings, SettingsScreen)

    shown = settings.authority_fingerprint.text()

    assert window.session is not None
    assert shown == window.session.authority_fingerprint
    assert re.fullmatch(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}", shown)
    assert settings.authority_fingerprint.isVisible()
