"""Opening an assessment is not an edit: nothing says "Saving soon…", and nothing is written, until the user types
(the spelling underline arriving in the narrative boxes once had it marked unsaved)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cpassess.casework import Casework
from cpassess.demo import sample_answers
from cpassess.forms import default_catalog
from tests.helpers import Team
from ui import spelling
from ui.main_window import MainWindow
from ui.screens.assessment import AssessmentScreen


@pytest.mark.parametrize("form_id", ["neglect-assessment", "girfec-wellbeing", "core-group-review"])
def test_opening_a_full_draft_marks_nothing_unsaved(qtbot: Any, team: Team, form_id: str) -> None:
    import random

    child_id = team.add_child()
    session = team.session("prac")
    try:
        form = default_catalog().get(form_id)
        answers = sample_answers(form, random.Random(7), "Skye", dt.date.today(), complete=True)
        draft = Casework.of(session).new(child_id, form_id, answers=answers)
        revision = session.assessments.get(draft.id).revision
        window = MainWindow(team.db)
        qtbot.addWidget(window)
        screen = AssessmentScreen(window, session, draft, "Skye Fraser")
        qtbot.addWidget(screen)
        screen.show()
        qtbot.waitUntil(lambda: spelling.speller.dictionary is not None, timeout=10_000)
        qtbot.wait(300)  # the live check, and every narrative box re-marking its words as the dictionary came
        spelling.set_enabled(True)  # the setting turned on again: every open box re-marks its words once more
        qtbot.wait(100)
        assert not screen.dirty
        assert "Saving soon" not in screen.saved.text()
        screen.save_if_dirty()
        assert session.assessments.get(draft.id).revision == revision
    finally:
        session.close()


def test_a_narrative_box_reports_an_edit_only_when_its_text_changes(qtbot: Any) -> None:
    """Re-marking words (as the spelling underline does when its dictionary arrives) is a format change that Qt
    reports as `textChanged`; `edited`, which every narrative editor listens to, stays silent."""
    from PySide6.QtGui import QSyntaxHighlighter, QTextCharFormat

    from ui.editors.simple import GrowingTextEdit

    class Underline(QSyntaxHighlighter):
        on = False

        def highlightBlock(self, text: str) -> None:
            if self.on:
                underline = QTextCharFormat()
                underline.setFontUnderline(True)
                self.setFormat(0, len(text), underline)

    box = GrowingTextEdit()
    qtbot.addWidget(box)
    box.setPlainText("Kacper was seen at home.")
    marker = Underline(box.document())
    changes: list[str] = []
    box.textChanged.connect(lambda: changes.append("text changed"))
    box.edited.connect(lambda: changes.append("edited"))
    marker.on = True
    marker.rehighlight()
    assert changes and set(changes) == {"text changed"}  # Qt calls it a change; it is not an edit
    changes.clear()
    box.insertPlainText(" Again.")
    assert "edited" in changes
