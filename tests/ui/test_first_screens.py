"""Set-up and unlock (issue 14): the username rule before the slow key step, no username from another database,
and a recovery-code warning that is never clipped, even at 1.5× text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app_driver import SAM, click, open_window, type_into
from PySide6.QtWidgets import QApplication, QLabel

from cpassess.settings import load_settings, save_settings
from ui.screens.unlock import FirstRunScreen, UnlockScreen


def test_set_up_refuses_a_bad_username_before_making_any_keys(qtbot: Any, app_look: Any, tmp_path: Path) -> None:
    database = tmp_path / "team" / "cpassess.db"
    window = open_window(qtbot, database)
    setup = window.stack.currentWidget()
    assert isinstance(setup, FirstRunScreen)
    asked: list[Any] = []
    setup.setup_requested.connect(lambda *args: asked.append(args))
    type_into(qtbot, setup.display_name, "Morag Lindsay")
    type_into(qtbot, setup.username, "Morag Lindsay")
    type_into(qtbot, setup.password, "a long enough passphrase for a team lead")
    type_into(qtbot, setup.repeat, "a long enough passphrase for a team lead")
    click(qtbot, setup.create_button)
    assert setup.message.isVisible() and "lower-case letters" in setup.message.text()
    assert not asked and not database.exists()  # nothing slow started, nothing written
    assert setup.create_button.isEnabled()


def test_unlock_offers_the_last_username_only_for_its_own_database(qtbot: Any, app_look: Any,
                                                                   demo_db: Path) -> None:
    settings = load_settings()
    settings.last_username, settings.last_database = SAM.username, str(demo_db.with_name("other.db"))
    save_settings(settings)
    window = open_window(qtbot, demo_db)
    screen = window.stack.currentWidget()
    assert isinstance(screen, UnlockScreen) and screen.username.text() == ""
    settings.last_database = str(demo_db)
    save_settings(settings)
    again = open_window(qtbot, demo_db)
    assert again.stack.currentWidget().username.text() == SAM.username


def test_the_recovery_warning_is_never_clipped_at_large_text(qtbot: Any, app_look: Any, tmp_path: Path) -> None:
    from ui.theme import apply_theme

    app = QApplication.instance()
    normal = app.font()
    large = app.font()
    large.setPointSizeF(normal.pointSizeF() * 1.5)
    app.setFont(large)
    apply_theme(app)
    try:
        window = open_window(qtbot, tmp_path / "new" / "cpassess.db")
        setup = window.stack.currentWidget()
        setup.show_recovery_code("7KQ2-M9XD-4TRB-8WNC-P3HF-VJ6L")
        qtbot.wait(50)
        card = setup._recovery_card
        for label in card.findChildren(QLabel):
            if label.wordWrap():
                assert label.height() >= label.heightForWidth(label.width()), label.text()
            else:
                assert label.width() >= label.sizeHint().width(), label.text()
        assert setup.confirm.width() >= setup.confirm.sizeHint().width()
    finally:
        app.setFont(normal)
        apply_theme(app)
