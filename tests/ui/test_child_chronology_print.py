"""The child screen's "Print chronology…" (DESIGN §16): the family copy, certified by whoever prints it, saved
where they choose."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from cpassess.chronology import Chronology
from cpassess.export.embedded import embedded_record
from cpassess.export.verification import verify_pdf
from ui.screens.child import ChildScreen

if TYPE_CHECKING:
    from conftest import Team


class Window:
    """The main window as the child screen uses it: slow work run at once, errors raised."""

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None], message: str,
            on_error: Callable[[Exception], None] | None = None) -> None:
        on_done(work())

    def show_error(self, error: Exception) -> None:
        raise error


def test_print_chronology_saves_the_family_copy_signed_by_the_user(qtbot: Any, team: Team, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "chronology-family-copy.pdf"
    monkeypatch.setattr(QMessageBox, "exec", lambda box: 0)
    monkeypatch.setattr(QMessageBox, "clickedButton",
                        lambda box: next(b for b in box.buttons() if b.text() == "&Family copy"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(path), "PDF documents (*.pdf)"))
    with team.session("prac") as session:
        child = session.children.add({"given_names": "Ava", "family_name": "Nowak", "date_of_birth": "2021-06-02"})
        Chronology(session).add(child.id, {"date": "2025-01-20", "event": "Moved to a new flat.", "source": "Housing"})
        Chronology(session).add(child.id, {"date": "2024-11-02", "event": "Police called to the home.",
                                           "sensitive": True})
        screen = ChildScreen(Window(), session, child)  # type: ignore[arg-type]
        qtbot.addWidget(screen)
        button = next(b for b in screen.findChildren(QPushButton) if b.text() == "&Print chronology…")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        authority = session.authority_certificate

    data = path.read_bytes()
    assert verify_pdf(data, [authority]).passes
    record = embedded_record(data) or b""
    assert b"Moved to a new flat." in record and b"Police" not in record and b'"copy":"family"' in record
