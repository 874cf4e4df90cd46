"""At 1.5x text a table is as tall as its rows: never cut short with a scrollbar of its own (a one-line row is as
tall as its number in the row header, which is taller than its cells at that size)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from cpassess.forms import default_catalog
from ui.editors import editor_for
from ui.theme import apply_theme

NEGLECT = default_catalog().get("neglect-assessment")
LONG = ("Mum has not been able to keep the kitchen safe for the baby, and the health visitor has seen this on two "
        "visits a week apart. ") * 2


@pytest.fixture
def large_text(app_look: Any) -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    normal = app.font()
    large = app.font()
    large.setPointSizeF(normal.pointSizeF() * 1.5)
    app.setFont(large)
    apply_theme(app)
    yield
    app.setFont(normal)
    apply_theme(app)


def test_a_table_at_large_text_shows_every_row_without_scrolling(qtbot: Any, large_text: None) -> None:
    field = next(question for _, question in NEGLECT.fields() if question.id == "risks_and_protection")
    editor = editor_for(field, NEGLECT)
    qtbot.addWidget(editor)
    editor.set_value([{"risk": LONG, "protective_factors": LONG, "likelihood": "high"},
                      {"risk": "Short", "protective_factors": "Short", "likelihood": "low"}])
    view = editor.view
    for width in (1300, 700, 500):  # narrower: the long row wraps onto more lines
        editor.resize(width, 600)
        editor.show()
        qtbot.wait(30)
        rows = sum(view.rowHeight(row) for row in range(view.model().rowCount()))
        assert view.verticalScrollBar().maximum() == 0, f"cut short at {width} px"
        assert view.height() >= view.horizontalHeader().height() + rows + 2 * view.frameWidth()
