"""Showing one screen at a time: the previous screen is destroyed, not hidden, so nothing it showed lingers."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QWidget


def show_only(stack: QStackedWidget, screen: QWidget) -> None:
    """Make `screen` the stack's only page, keeping the control it chose to start in focused.

    `screen` may have been made inside the stack already (cheaper under the style sheet); so may a screen whose
    construction failed, which goes with the others.
    """
    for old in stack.children():
        if isinstance(old, QWidget) and old is not screen:
            stack.removeWidget(old)
            old.deleteLater()
    chosen = screen.focusWidget()  # adding the screen to the stack forgets the focus it chose
    stack.addWidget(screen)
    stack.setCurrentWidget(screen)
    if chosen is not None:
        chosen.setFocus()
