"""The desktop app and the team server: sync on unlock, within seconds of a NOTIFY, the state in the tool bar,
never while locked; with no server set, nothing of it appears."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from laptops import Laptops
from PySide6.QtCore import Qt

from cpassess.server.sync import set_server
from tests.helpers import Team
from ui.background import wait_for_background
from ui.main_window import MainWindow
from ui.screens.unlock import UnlockScreen

SLOW_MS = 30_000


def unlocked_window(qtbot: Any, team: Team, username: str) -> MainWindow:
    window = MainWindow(team.db)
    qtbot.addWidget(window, before_close_func=lambda _: wait_for_background())
    window.show()
    screen = window.stack.currentWidget()
    assert isinstance(screen, UnlockScreen)
    screen.username.setText(username)
    screen.password.setText(team.passwords[username])
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.session is not None and window.team_sync is not None, timeout=SLOW_MS)
    return window


@pytest.fixture
def laptops(team: Team, tmp_path: Path, server_url: str) -> Laptops:
    return Laptops(team, tmp_path, server_url)


def test_a_team_lead_with_the_app_open_gets_a_submission_within_seconds(qtbot: Any, laptops: Laptops) -> None:
    with laptops.lead.session("lead") as session:
        set_server(session, laptops.urls["lead"])
    window = unlocked_window(qtbot, laptops.lead, "lead")
    label = window.team_sync.label
    qtbot.waitUntil(lambda: label.text().startswith("Synced "), timeout=SLOW_MS)  # synced on unlock
    assessment_id = laptops.submit()
    with qtbot.waitSignal(window.team_sync.synced, timeout=SLOW_MS,
                          check_params_cb=lambda report: report.imported == 1):
        laptops.sync("prac")  # the server tells the listening window; no timer is involved
    assert window.statusBar().currentMessage() == "From the team server: 1 imported, 0 refused."
    assert window.session is not None
    assert window.session.assessments.get(assessment_id).status == "submitted"
    window.lock()
    assert window.team_sync is None
    assert "Synced" not in " ".join(w.text() for w in window.findChildren(type(label)) if w.isVisible())


def test_with_no_server_set_the_app_shows_and_does_nothing(qtbot: Any, laptops: Laptops) -> None:
    window = unlocked_window(qtbot, laptops.prac, "prac")
    assert window.team_sync.label.text() == ""
    assert window.team_sync.timer.isActive() is False
    assert window.team_sync._listener is None
    from ui.team_sync import send_through_server

    assert window.session is not None
    assert send_through_server(window, window.session, "any-assessment", "lead") is False  # the file dialog, as before


def test_the_server_address_is_set_in_settings_and_an_unsafe_one_refused(qtbot: Any, laptops: Laptops) -> None:
    from ui.screens.team_server import TeamServerBox

    window = unlocked_window(qtbot, laptops.prac, "prac")
    window.workspace.show_settings()
    box = window.findChild(TeamServerBox)
    assert box is not None and not box.sync_button.isEnabled()
    box.address.setText("postgresql://server.council.example/team?sslmode=disable")
    qtbot.mouseClick(box.findChildren(type(box.sync_button))[0], Qt.MouseButton.LeftButton)  # Use this address
    assert "must be encrypted" in box.problem.text()
    assert window.team_sync.label.text() == ""
    box.address.setText(laptops.urls["prac"])
    with qtbot.waitSignal(window.team_sync.synced, timeout=SLOW_MS):
        box.save()
    assert box.problem.text() == "Saved." and box.sync_button.isEnabled()
    qtbot.waitUntil(lambda: window.team_sync.label.text().startswith("Synced "), timeout=SLOW_MS)


def test_with_a_server_set_sending_needs_no_file_and_syncs_at_once(qtbot: Any, laptops: Laptops) -> None:
    from ui.team_sync import send_through_server

    _, assessment_id = laptops.prac.submitted()
    with laptops.prac.session("prac") as session:
        set_server(session, laptops.urls["prac"])
    window = unlocked_window(qtbot, laptops.prac, "prac")
    qtbot.waitUntil(lambda: window.team_sync.label.text().startswith("Synced "), timeout=SLOW_MS)
    assert window.session is not None
    with qtbot.waitSignal(window.team_sync.synced, timeout=SLOW_MS, check_params_cb=lambda report: report.sent == 1):
        assert send_through_server(window, window.session, assessment_id, "lead")
    assert counts_on_lead(laptops) == 1


def counts_on_lead(laptops: Laptops) -> int:
    return laptops.sync("lead").imported


def test_removing_a_user_in_settings_ends_their_server_login_too(
        qtbot: Any, laptops: Laptops, monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg
    from PySide6.QtWidgets import QMessageBox

    from ui.screens.settings import SettingsScreen

    with laptops.lead.session("lead") as session:
        set_server(session, laptops.urls["lead"])
    window = unlocked_window(qtbot, laptops.lead, "lead")
    qtbot.waitUntil(lambda: window.team_sync.label.text().startswith("Synced "), timeout=SLOW_MS)
    window.workspace.show_settings()
    settings = window.findChild(SettingsScreen)
    assert settings is not None
    row = [user.username for user in settings.users.rows()].index("lead2")
    settings.users_table.selectRow(row)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *_: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: shown.append(text))
    qtbot.mouseClick(settings.remove_user_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=SLOW_MS)
    assert shown[0].startswith("Removed lead2: account closed")
    assert "lead2 can no longer log in to the team server" in shown[0]
    assert [user.active for user in settings.users.rows() if user.username == "lead2"] == [False]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(laptops.urls["lead2"]).close()
