"""Driving the real window the way a user does: unlocking, clicking, answering modal dialogs, reading what is shown.

Modal dialogs block in `exec()`, so a test arranges beforehand what the user will do in the next one
(`DialogAnswer`), and message boxes are recorded instead of shown (`MessageBoxes`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QPoint, QSize, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)

from cpassess.demo import DEMO_LOGINS
from ui.background import wait_for_background
from ui.main_window import MainWindow
from ui.screens.unlock import UnlockScreen

SIZE = QSize(1366, 768)  # the smallest laptop screen the app is meant for
SLOW_MS = 60_000  # signing, rendering and the key derivation run on a worker thread
LEAD, SAM, EILIDH = DEMO_LOGINS


def open_window(qtbot: Any, database: Path) -> MainWindow:
    """The app's window on `database`, shown, active and the size of a small laptop screen."""
    window = MainWindow(database)
    qtbot.addWidget(window, before_close_func=lambda _: wait_for_background())
    # held until pytest-qt closes and deletes it after the test, as the app holds its window for its whole life:
    # a window whose last Python reference went with the test's frame was deleted then, mid-event
    qtbot.cpassess_windows = [*getattr(qtbot, "cpassess_windows", []), window]
    window.resize(SIZE)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window


def unlock(qtbot: Any, window: MainWindow, username: str, password: str) -> None:
    """Type the username and password on the unlock screen, press Unlock and wait for the caseload."""
    screen = window.stack.currentWidget()
    assert isinstance(screen, UnlockScreen), f"expected the unlock screen, not {type(screen).__name__}"
    screen.username.setText("")
    qtbot.keyClicks(screen.username, username)
    qtbot.keyClicks(screen.password, password)
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.session is not None and window.workspace is not None, timeout=SLOW_MS)
    settle(qtbot)


def settle(qtbot: Any, ms: int = 30) -> None:
    """Let queued events run (layouts, deferred deletes, timers of 0 ms)."""
    qtbot.wait(ms)


# --- finding and using controls ------------------------------------------------------------------------------


def plain(text: str) -> str:
    """A control's text as read aloud: without its mnemonic marker."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def button(root: QWidget, text: str) -> QAbstractButton:
    """The one visible button in `root` whose words are `text` (mnemonic markers and a trailing … ignored)."""
    wanted = text.rstrip("…")
    found = [widget for widget in root.findChildren(QAbstractButton)
             if widget.isVisibleTo(root) and plain(widget.text()).rstrip("…") == wanted]
    assert len(found) == 1, f"expected one button {text!r}, found {[plain(b.text()) for b in found]}"
    return found[0]


def toolbar_button(window: MainWindow, text: str) -> QToolButton:
    toolbar = window.findChild(QToolBar)
    for action in toolbar.actions():
        if plain(action.text()) == text:
            widget = toolbar.widgetForAction(action)
            assert isinstance(widget, QToolButton)
            return widget
    raise AssertionError(f"no tool bar button {text!r}")


def scroll_into_view(widget: QWidget) -> None:
    """Scroll every scroll area holding `widget` so that it is on screen, as a user would before clicking it."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not None and parent.widget().isAncestorOf(widget):
            parent.ensureWidgetVisible(widget)
        parent = parent.parentWidget()
    QApplication.processEvents()


def click(qtbot: Any, widget: QWidget) -> None:
    """Click a control where a user would: on its box and first words, after scrolling it into view."""
    assert widget.isVisible(), f"{widget!r} is not on screen"
    assert widget.isEnabled(), f"{widget!r} is disabled"
    scroll_into_view(widget)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(min(10, widget.width() // 2), widget.height() // 2))


def click_row(qtbot: Any, view: QAbstractItemView, row: int, column: int = 0, double: bool = False) -> None:
    index = view.model().index(row, column)
    view.scrollTo(index)
    centre = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    if double:  # a double click is a click and then a second press that the system marks as a double click
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def type_into(qtbot: Any, widget: QWidget, text: str) -> None:
    """Give `widget` focus (as a click would) and type `text` key by key."""
    scroll_into_view(widget)
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    type_keys(qtbot, widget, text)


def type_keys(qtbot: Any, widget: QWidget, text: str) -> None:
    """Key presses for `text`: a new line is the Return key, and letters beyond ASCII (QTest knows only ASCII keys)
    come as a keyboard layout sends them, a key event carrying the letter."""
    for run in re.findall(r"[\x20-\x7e]+|.", text, flags=re.DOTALL):
        if run == "\n":
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        elif run.isascii() and run.isprintable():
            qtbot.keyClicks(widget, run)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier,
                                                         run))


# --- modal dialogs and message boxes ---------------------------------------------------------------------------


@dataclass
class DialogAnswer:
    """What the user will do in the next dialog of `kind` once it is shown: `act(dialog)` (which must close it).

    Use it around the click that opens the dialog: `with DialogAnswer(ChildDialog, fill): click(...)`.
    Whatever `act` returns is kept in `result`; an exception in it rejects the dialog and fails the test.
    """

    kind: type[QDialog]
    act: Callable[[Any], Any]
    timeout: float = SLOW_MS / 1000
    result: Any = None
    shown: bool = False
    error: BaseException | None = None
    _timer: QTimer = field(default_factory=QTimer)

    def __enter__(self) -> DialogAnswer:
        self._deadline = time.monotonic() + self.timeout
        self._window = QApplication.activeWindow()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        return self

    def _poll(self) -> None:
        dialog = next((widget for widget in QApplication.topLevelWidgets()
                       if isinstance(widget, self.kind) and widget.isVisible()), None)
        if dialog is None:
            if time.monotonic() > self._deadline:
                self._timer.stop()
                self.error = AssertionError(f"no {self.kind.__name__} was shown")
            return
        self._timer.stop()
        self.shown = True
        try:
            self.result = self.act(dialog)
        except BaseException as error:
            self.error = error
            if shiboken6.isValid(dialog):
                dialog.reject()
        else:
            if shiboken6.isValid(dialog) and dialog.isVisible():
                self.error = AssertionError(f"the {self.kind.__name__} was left open")
                dialog.reject()

    def __exit__(self, *exc: object) -> None:
        self._timer.stop()
        if self._window is not None and self._window.isVisible():
            # a window manager gives the window back its activation when a dialog closes; offscreen has none
            self._window.activateWindow()
            QTest.qWaitForWindowActive(self._window)
        if self.error is not None:
            raise self.error
        assert self.shown, f"no {self.kind.__name__} was shown"


@dataclass
class MessageBoxes:
    """QMessageBox's static functions replaced: each call is recorded, and a question gets `answer`."""

    answer: QMessageBox.StandardButton = QMessageBox.StandardButton.Yes
    shown: list[tuple[str, str, str]] = field(default_factory=list)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> MessageBoxes:
        for kind in ("information", "warning", "critical", "question"):
            monkeypatch.setattr(QMessageBox, kind, self._recorder(kind))
        return self

    def _recorder(self, kind: str) -> Callable[..., QMessageBox.StandardButton]:
        def record(_parent: Any, title: str, text: str, *_: Any, **__: Any) -> QMessageBox.StandardButton:
            self.shown.append((kind, title, text))
            return self.answer if kind == "question" else QMessageBox.StandardButton.Ok

        return record

    def of(self, kind: str) -> list[str]:
        return [text for shown_kind, _, text in self.shown if shown_kind == kind]


# --- what is on screen ---------------------------------------------------------------------------------------------

_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole,
          Qt.ItemDataRole.EditRole)


def model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> Iterator[str]:
    parent = parent or QModelIndex()
    for column in range(model.columnCount(parent)):
        for orientation in (Qt.Orientation.Horizontal,):
            yield str(model.headerData(column, orientation, Qt.ItemDataRole.DisplayRole) or "")
    for row in range(model.rowCount(parent)):
        for column in range(model.columnCount(parent)):
            index = model.index(row, column, parent)
            for role in _ROLES:
                value = model.data(index, role)
                if value is not None:
                    yield str(value)
            if model.rowCount(index) > 0:
                yield from model_texts(model, index)


def texts_in(root: QWidget) -> list[str]:
    """Every piece of text `root` and its descendants hold, shown or not: labels, fields, buttons, names, models."""
    texts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        texts += [widget.windowTitle(), widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()]
        match widget:
            case QLabel() | QAbstractButton():
                texts.append(widget.text())
            case QLineEdit():
                texts += [widget.text(), widget.placeholderText()]
            case QPlainTextEdit() | QTextEdit():
                texts.append(widget.toPlainText())
            case QComboBox():
                texts += [widget.itemText(i) for i in range(widget.count())]
            case QAbstractItemView() if widget.model() is not None:
                texts += list(model_texts(widget.model()))
    for model in root.findChildren(QAbstractItemModel):
        texts += list(model_texts(model))
    return [text for text in texts if text]


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def tab_cycle(qtbot: Any, start: QWidget, limit: int = 400) -> list[QWidget]:
    """Press Tab from `start` until focus comes back to it: every control a keyboard user reaches, in order."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: focused() is start, timeout=2000)
    reached = [start]
    for _ in range(limit):
        QTest.keyClick(focused(), Qt.Key.Key_Tab)
        now = focused()
        assert now is not None, "focus was lost on Tab"
        if now is start:
            return reached
        reached.append(now)
    raise AssertionError(f"Tab did not come back to {start!r} within {limit} presses")
