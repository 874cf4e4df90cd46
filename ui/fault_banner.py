"""A bar across the top of a screen for a fault the user can put right (a full disk): it says what happened and
stays until the next save works, without stopping the user typing (a message box would)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class FaultBanner(QFrame):
    """Hidden until `show_message`; `clear()` hides it again. Never takes the keyboard focus from the editor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "fault")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Problem saving")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message, 1)
        self.dismiss = QPushButton("&Hide")
        self.dismiss.setToolTip("Hide this message; the next save tries again")
        self.dismiss.clicked.connect(self.hide)
        layout.addWidget(self.dismiss)
        self.hide()

    def show_message(self, text: str) -> None:
        """Show `text` (prefixed with a warning sign, so the meaning is not carried by colour alone)."""
        self.message.setText(f"⚠ {text} What you typed is still here and is saved when there is room.")
        self.setAccessibleDescription(self.message.text())
        self.show()

    def clear(self) -> None:
        self.message.setText("")
        self.hide()
