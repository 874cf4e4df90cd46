"""Spell-check for narrative boxes: pyenchant with a British English Hunspell dictionary, all on this computer
(no text ever leaves it). Misspelt words are underlined; right-click offers suggestions.

The only module that imports enchant. The dictionary loads on a worker thread the first time a narrative box
is shown (about a third of a second); without the library or the dictionary there is simply no spell-check,
and one line in the log says why. A setting turns it off.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QMenu, QPlainTextEdit

from ui.background import run_in_background

log = logging.getLogger(__name__)

LANGUAGE = "en_GB"
PROVIDER = "hunspell"
MAX_SUGGESTIONS = 6
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _checks(word: str) -> bool:
    """Words worth checking: not single letters, not capitals-only abbreviations (CPPM, IRD, GIRFEC)."""
    return len(word) > 1 and not word.isupper()


def _load() -> Any:
    import enchant  # raises ImportError when the C library libenchant is missing

    broker = enchant.Broker()
    broker.set_ordering(LANGUAGE, PROVIDER)
    return broker.request_dict(LANGUAGE)  # DictNotFoundError when no en_GB dictionary is installed


class _Speller(QObject):
    """The one dictionary, loaded once; `ready` fires when it arrives, so open boxes underline their words."""

    ready = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.enabled = True
        self.dictionary: Any = None
        self._state = "not loaded"  # "loading", "ready" or "unavailable"

    def wanted(self) -> bool:
        """Whether a narrative box should check its words (starting the dictionary's load if need be)."""
        if not self.enabled or self._state == "unavailable":
            return False
        if self._state == "not loaded":
            self._state = "loading"
            run_in_background(_load, self._loaded, self._failed)
        return True

    def _loaded(self, dictionary: Any) -> None:
        self.dictionary, self._state = dictionary, "ready"
        log.info("spell-check ready (%s, %s)", LANGUAGE, type(dictionary.provider).__name__)
        self.ready.emit()

    def _failed(self, error: Exception) -> None:
        self._state = "unavailable"
        log.info("spell-check unavailable: %s", type(error).__name__)

    def misspelt(self, word: str) -> bool:
        return (self.enabled and self.dictionary is not None and _checks(word)
                and not self.dictionary.check(word.replace("’", "'")))

    def suggestions(self, word: str) -> list[str]:
        return list(self.dictionary.suggest(word.replace("’", "'"))[:MAX_SUGGESTIONS]) if self.dictionary else []


speller = _Speller()


def set_enabled(enabled: bool) -> None:
    """The user's setting; boxes already open follow at once."""
    speller.enabled = enabled
    speller.ready.emit()


class SpellingHighlighter(QSyntaxHighlighter):
    """A wavy red underline under each word the dictionary does not know."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._format = QTextCharFormat()
        self._format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self._format.setUnderlineColor(QColor("#c0392b"))
        speller.ready.connect(self.rehighlight)

    def highlightBlock(self, text: str) -> None:
        if speller.dictionary is None or not speller.enabled:
            return
        for match in WORD.finditer(text):
            if speller.misspelt(match.group()):
                self.setFormat(match.start(), match.end() - match.start(), self._format)


def check_spelling(edit: QPlainTextEdit) -> SpellingHighlighter | None:
    """Underline misspelt words in a narrative box (unless spell-check is off or unavailable)."""
    if not speller.wanted():
        return None
    return SpellingHighlighter(edit.document())


def context_menu(edit: QPlainTextEdit, position: QPoint) -> QMenu:
    """The box's usual menu with, for a misspelt word under the pointer, its suggestions first."""
    menu = edit.createStandardContextMenu(position)
    cursor = edit.cursorForPosition(position)
    cursor.select(QTextCursor.SelectionType.WordUnderCursor)
    word = cursor.selectedText()
    if edit.isReadOnly() or not WORD.fullmatch(word or "") or not speller.misspelt(word):
        return menu
    first = menu.actions()[0] if menu.actions() else None
    suggestions = speller.suggestions(word)
    for suggestion in suggestions:
        action = menu.addAction(suggestion)
        action.triggered.connect(lambda _=False, text=suggestion: cursor.insertText(text))
        if first is not None:
            menu.insertAction(first, action)
    if not suggestions:
        none = menu.addAction("No spelling suggestions")
        none.setEnabled(False)
        if first is not None:
            menu.insertAction(first, none)
    if first is not None:
        menu.insertSeparator(first)
    return menu
