"""Spell-check in narrative boxes (issue 14): a local en_GB Hunspell dictionary, underlines and suggestions, off by
a setting, and quietly absent when the dictionary is missing."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from PySide6.QtGui import QTextCharFormat

from cpassess.forms import default_catalog
from ui import spelling
from ui.editors import editor_for

NEGLECT = default_catalog().get("neglect-assessment")
enchant = pytest.importorskip("enchant", reason="pyenchant and libenchant are installed by `make`")


@pytest.fixture
def speller(monkeypatch: pytest.MonkeyPatch) -> spelling._Speller:
    fresh = spelling._Speller()
    monkeypatch.setattr(spelling, "speller", fresh)
    return fresh


def underlined(box: Any) -> list[str]:
    """The words drawn with the spelling underline."""
    words = []
    block = box.document().firstBlock()
    while block.isValid():
        for format_range in block.layout().formats():
            if format_range.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline:
                words.append(block.text()[format_range.start:format_range.start + format_range.length])
        block = block.next()
    return words


_KEPT: list[Any] = []  # the editors a test made, alive until the next test starts


@pytest.fixture(autouse=True)
def _fresh_editors() -> None:
    _KEPT.clear()


def narrative(qtbot: Any) -> Any:
    editor = editor_for(NEGLECT.field("practitioner_analysis"), NEGLECT)
    qtbot.addWidget(editor)
    _KEPT.append(editor)
    return editor.focus_widget()


def test_misspelt_words_are_underlined_with_british_spelling(qtbot: Any, speller: spelling._Speller) -> None:
    box = narrative(qtbot)
    qtbot.waitUntil(lambda: speller.dictionary is not None, timeout=10_000)
    assert "Hunspell" in type(speller.dictionary.provider).__name__ or "unspell" in str(speller.dictionary.provider)
    box.setPlainText("The colour of the kitchen was recieved badly by the CPPM and the IRD.")
    qtbot.waitUntil(lambda: underlined(box) == ["recieved"])  # British "colour" and abbreviations pass


def test_right_click_offers_suggestions_that_replace_the_word(qtbot: Any, speller: spelling._Speller) -> None:
    box = narrative(qtbot)
    qtbot.waitUntil(lambda: speller.dictionary is not None, timeout=10_000)
    box.setPlainText("Mum said the hous was cold")
    position = box.cursorRect(box.document().find("hous")).center()
    menu = spelling.context_menu(box, position)
    offered = [action.text() for action in menu.actions()]
    separator = next(n for n, action in enumerate(menu.actions()) if action.isSeparator())
    assert "house" in offered[:separator]  # the suggestions come first, above the usual Cut, Copy, Paste
    menu.actions()[offered.index("house")].trigger()
    assert box.toPlainText() == "Mum said the house was cold"
    assert underlined(box) == []


def test_read_only_text_is_not_spell_checked(qtbot: Any, speller: spelling._Speller) -> None:
    """An approved record's narrative is read, not typed: a name the dictionary does not know is not a mistake."""
    editor = editor_for(NEGLECT.field("practitioner_analysis"), NEGLECT)
    qtbot.addWidget(editor)
    _KEPT.append(editor)
    box = editor.focus_widget()
    qtbot.waitUntil(lambda: speller.dictionary is not None, timeout=10_000)
    box.setPlainText("Kacper recieved the letter")
    qtbot.waitUntil(lambda: underlined(box) == ["Kacper", "recieved"])
    edits: list[bool] = []
    box.edited.connect(lambda: edits.append(True))
    editor.set_read_only(True)
    assert underlined(box) == [] and not edits  # the underlines go, and that is not an edit
    speller.ready.emit()  # the dictionary arriving (or the setting changing) does not bring them back
    assert underlined(box) == []
    editor.set_read_only(False)
    qtbot.waitUntil(lambda: underlined(box) == ["Kacper", "recieved"])


def test_the_setting_turns_it_off(qtbot: Any, speller: spelling._Speller) -> None:
    box = narrative(qtbot)
    qtbot.waitUntil(lambda: speller.dictionary is not None, timeout=10_000)
    box.setPlainText("a recieved letter")
    qtbot.waitUntil(lambda: underlined(box) == ["recieved"])
    spelling.set_enabled(False)
    assert underlined(box) == []
    assert spelling.context_menu(box, box.cursorRect(box.document().find("recieved")).center()).actions()[0].text() \
        != "received"
    assert spelling.check_spelling(box) is None  # boxes opened now do not check at all


def test_without_a_dictionary_there_is_no_spell_check_and_one_log_line(
        qtbot: Any, speller: spelling._Speller, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def missing() -> None:
        raise enchant.errors.DictNotFoundError("Dictionary for language 'en_GB' could not be found")

    monkeypatch.setattr(spelling, "_load", missing)
    with caplog.at_level(logging.INFO, logger="ui.spelling"):
        box = narrative(qtbot)
        qtbot.waitUntil(lambda: speller._state == "unavailable")
        narrative(qtbot)
    box.setPlainText("a recieved letter")
    assert underlined(box) == []
    assert [r.getMessage() for r in caplog.records] == ["spell-check unavailable: DictNotFoundError"]
