"""The Resilience Matrix: the child's place on two axes, clicked or moved with the arrow keys, and four lists."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cpassess.forms.answers import MATRIX_RANGE
from cpassess.forms.definition import FormDefinition
from ui.editors.base import SPACING, FieldEditor, note_label, tight
from ui.editors.simple import GrowingTextEdit, clear_button

FACTOR_LISTS = (
    ("resilience_factors", "Resilience"),
    ("vulnerability_factors", "Vulnerability"),
    ("protective_factors", "Protective environment"),
    ("adversity_factors", "Adversity"),
)
# (resilience sign, environment sign) -> the quadrant in words, as shown in the picture and in the text under it
QUADRANTS = {
    (1, -1): "Resilient child in adversity",
    (1, 1): "Resilient child in a protective environment",
    (-1, -1): "Vulnerable child in adversity",
    (-1, 1): "Vulnerable child in a protective environment",
}
INSTRUCTIONS = "Click the matrix to place the child, or focus it and use the arrow keys."
_STEPS = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (1, 0), Qt.Key.Key_Down: (-1, 0)}


def _clamp(number: int) -> int:
    return max(-MATRIX_RANGE, min(MATRIX_RANGE, number))


def signed(number: int) -> str:
    return "0" if number == 0 else f"+{number}" if number > 0 else f"−{-number}"


def position_words(resilience: int | None, environment: int | None) -> str:
    """The position as a sentence, so it never rests on the picture alone."""
    if resilience is None and environment is None:
        return "Not placed on the matrix yet."
    parts = [f"Resilience {signed(resilience) if resilience is not None else 'not placed'}",
             f"environment {signed(environment) if environment is not None else 'not placed'}"]
    text = ", ".join(parts)
    if resilience and environment:
        text += f": {QUADRANTS[(1 if resilience > 0 else -1, 1 if environment > 0 else -1)].lower()}"
    return text + "."


class MatrixCanvas(QWidget):
    """The two axes, the four quadrants named in words, and the child's place as a marker."""

    moved = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.resilience: int | None = None
        self.environment: int | None = None
        self.read_only = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        side = max(300, self.fontMetrics().lineSpacing() * 20)
        self.setFixedSize(side, side)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def sizeHint(self) -> QSize:
        return self.size()

    # --- geometry ---

    def plot(self) -> QRectF:
        """The square the axes span, inside room for the axis names."""
        line = self.fontMetrics().lineSpacing()
        return QRectF(self.rect()).adjusted(line * 1.6, line * 1.6, -line * 1.6, -line * 1.6)

    def point_at(self, resilience: int, environment: int) -> QPoint:
        plot = self.plot()
        x = plot.left() + (environment + MATRIX_RANGE) / (2 * MATRIX_RANGE) * plot.width()
        y = plot.bottom() - (resilience + MATRIX_RANGE) / (2 * MATRIX_RANGE) * plot.height()
        return QPointF(x, y).toPoint()

    def _nearest(self, position: QPointF) -> tuple[int, int]:
        plot = self.plot()
        environment = round((position.x() - plot.left()) / plot.width() * 2 * MATRIX_RANGE - MATRIX_RANGE)
        resilience = round((plot.bottom() - position.y()) / plot.height() * 2 * MATRIX_RANGE - MATRIX_RANGE)
        return _clamp(resilience), _clamp(environment)

    def place(self, resilience: int | None, environment: int | None) -> None:
        if (resilience, environment) != (self.resilience, self.environment):
            self.resilience, self.environment = resilience, environment
            self.update()
            self.moved.emit()

    # --- input ---

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self.read_only:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.place(*self._nearest(event.position()))
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and not self.read_only:
            self.place(*self._nearest(event.position()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if self.read_only or key not in (*_STEPS, Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.place(None, None)
        elif self.resilience is None or self.environment is None:
            self.place(self.resilience or 0, self.environment or 0)  # the first arrow places the child at the centre
        else:
            up, right = _STEPS[key]
            self.place(_clamp(self.resilience + up), _clamp(self.environment + right))
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    # --- painting ---

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        ink = palette.color(QPalette.ColorRole.WindowText)
        muted = QColor(ink)
        muted.setAlpha(150)
        faint = QColor(ink)
        faint.setAlpha(28)
        plot = self.plot()
        painter.fillRect(plot, palette.color(QPalette.ColorRole.Base))

        painter.setPen(QPen(faint, 1))
        for step in range(-MATRIX_RANGE, MATRIX_RANGE + 1):
            a, b = self.point_at(MATRIX_RANGE, step), self.point_at(-MATRIX_RANGE, step)
            painter.drawLine(a, b)
            a, b = self.point_at(step, -MATRIX_RANGE), self.point_at(step, MATRIX_RANGE)
            painter.drawLine(a, b)
        painter.setPen(QPen(muted, 1.5))
        painter.drawRect(plot)
        painter.drawLine(self.point_at(MATRIX_RANGE, 0), self.point_at(-MATRIX_RANGE, 0))
        painter.drawLine(self.point_at(0, -MATRIX_RANGE), self.point_at(0, MATRIX_RANGE))

        self._paint_words(painter, plot, ink, muted)
        self._paint_marker(painter, palette)
        if self.hasFocus():
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        painter.end()

    def _paint_words(self, painter: QPainter, plot: QRectF, ink: QColor, muted: QColor) -> None:
        line = self.fontMetrics().lineSpacing()
        centre = Qt.AlignmentFlag.AlignCenter
        painter.setPen(ink)
        painter.drawText(QRectF(0, 0, self.width(), plot.top()), centre, f"Resilience ({signed(MATRIX_RANGE)})")
        painter.drawText(QRectF(0, plot.bottom(), self.width(), self.height() - plot.bottom()), centre,
                         f"Vulnerability ({signed(-MATRIX_RANGE)})")
        for angle, x, text in ((-90, plot.left() / 2, f"Adversity ({signed(-MATRIX_RANGE)})"),
                               (90, plot.right() + (self.width() - plot.right()) / 2,
                                f"Protective environment ({signed(MATRIX_RANGE)})")):
            painter.save()
            painter.translate(x, plot.center().y())
            painter.rotate(angle)
            painter.drawText(QRectF(-plot.height() / 2, -line, plot.height(), 2 * line), centre, text)
            painter.restore()
        painter.setPen(muted)
        half_w, half_h = plot.width() / 2, plot.height() / 2
        for (up, right), name in QUADRANTS.items():
            left = plot.left() + (half_w if right > 0 else 0)
            top = plot.top() + (0 if up > 0 else half_h)
            box = QRectF(left, top, half_w, half_h).adjusted(SPACING, SPACING, -SPACING, -SPACING)
            painter.drawText(box, int(centre) | int(Qt.TextFlag.TextWordWrap), name)

    def _paint_marker(self, painter: QPainter, palette: QPalette) -> None:
        if self.resilience is None or self.environment is None:
            return
        centre = QPointF(self.point_at(self.resilience, self.environment))
        radius = self.fontMetrics().height() * 0.45
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Base), 3))
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
        painter.drawEllipse(centre, radius, radius)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.WindowText), 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, radius + 2, radius + 2)


class ResilienceMatrixEditor(FieldEditor):
    def __init__(self, field: Any, form: FormDefinition, parent: QWidget | None = None) -> None:
        super().__init__(field, form, parent)
        self.canvas = MatrixCanvas(self)
        self._describe(self.canvas)
        self._position = QLabel(self)
        self._position.setWordWrap(True)
        self._position.setProperty("role", "field-label")
        self._instructions = note_label(INSTRUCTIONS, parent=self)
        self._clear = clear_button(self)
        self._clear.setToolTip("Take the child off the matrix")
        side = tight(QVBoxLayout())
        side.addWidget(self._position)
        side.addWidget(self._instructions)
        side.addWidget(self._clear, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        top = tight(QHBoxLayout(), 2 * SPACING)
        top.addWidget(self.canvas, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(side, 1)

        lists = tight(QGridLayout())
        lists.setHorizontalSpacing(2 * SPACING)
        lists.setVerticalSpacing(4)
        self._lists: dict[str, GrowingTextEdit] = {}
        for number, (key, title) in enumerate(FACTOR_LISTS):
            label = QLabel(title, self)
            label.setProperty("role", "field-label")
            edit = GrowingTextEdit(self, min_lines=3, max_lines=10)
            edit.setPlaceholderText("One factor per line")
            edit.setAccessibleName(f"{title} factors")
            edit.setAccessibleDescription("One factor per line")
            label.setBuddy(edit)
            edit.edited.connect(self._notify)
            row, column = divmod(number, 2)
            lists.addWidget(label, 2 * row, column)
            lists.addWidget(edit, 2 * row + 1, column)
            self._lists[key] = edit
        layout = tight(QVBoxLayout(self), 2 * SPACING)
        layout.addLayout(top)
        layout.addLayout(lists)

        self.canvas.moved.connect(self._moved)
        self._clear.clicked.connect(self._clear_position)
        self._update()

    def value(self) -> dict[str, Any] | None:
        factors = {key: [line.strip().replace("\t", " ") for line in edit.text().splitlines() if line.strip()]
                   for key, edit in self._lists.items()}
        resilience, environment = self.canvas.resilience, self.canvas.environment
        if resilience is None and environment is None and not any(factors.values()):
            return None
        return {"resilience": resilience, "environment": environment, **factors}

    def _show(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        self.canvas.place(value.get("resilience"), value.get("environment"))
        for key, edit in self._lists.items():
            edit.setPlainText("\n".join(value.get(key) or []))
        self._update()

    def _moved(self) -> None:
        self._update()
        self._notify()

    def _clear_position(self) -> None:
        self.canvas.place(None, None)
        self.canvas.setFocus()

    def _update(self) -> None:
        words = position_words(self.canvas.resilience, self.canvas.environment)
        self._position.setText(words)
        self.canvas.setToolTip(words)
        placed = self.canvas.resilience is not None or self.canvas.environment is not None
        self._clear.setEnabled(placed and not self.is_read_only())

    def _apply_read_only(self, read_only: bool) -> None:
        self.canvas.read_only = read_only
        self.canvas.setCursor(Qt.CursorShape.ArrowCursor if read_only else Qt.CursorShape.CrossCursor)
        self._instructions.setVisible(not read_only)
        self._clear.setVisible(not read_only)
        for edit in self._lists.values():
            edit.setReadOnly(read_only)
        self._update()

    def focus_widget(self) -> QWidget:
        return self.canvas
