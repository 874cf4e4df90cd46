"""The look: Fusion with a calm palette and one style sheet. Sizes are relative, so the system font size rules."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = "#1c5d8c"
INK = "#1f2933"
MUTED = "#5f6b7a"
PROBLEM = "#a8321e"
SUCCESS = "#24703a"
SURFACE = "#f6f7f9"
DISABLED = "#8a939e"  # greyed text: still readable (3:1 on its background), clearly not active

_STYLE_SHEET = """
QWidget#Sidebar {{ background: #eef1f5; border-right: 1px solid #d5dbe3; }}
QLabel[role="title"] {{ font-size: {title}pt; font-weight: 600; color: {INK}; }}
QLabel[role="subtitle"] {{ color: {MUTED}; }}
QLabel[role="section"] {{ font-size: {section}pt; font-weight: 600; color: {ACCENT}; }}
QLabel[role="field-label"] {{ font-weight: 600; color: {INK}; }}
QLabel[role="help"] {{ color: {MUTED}; }}
QLabel[role="problem"] {{ color: {PROBLEM}; font-weight: 600; }}
QLabel[role="warning"] {{ color: #7a5200; background: #fff7e0; border-left: 3px solid #d9a400; padding: 2px 6px; }}
QLabel[role="comment"] {{ background: #fff4d6; border: 1px solid #e6c76a; border-radius: 4px; padding: 6px; }}
QLabel[role="saved"] {{ color: {SUCCESS}; }}
QLabel[role="chosen"] {{ color: {INK}; font-weight: 600; }}
QLabel[role="read-only"] {{ background: #e8ecf1; border: 1px solid #c5ccd6; border-radius: 4px; padding: 6px;
    color: {INK}; }}
QPushButton:disabled, QToolButton:disabled {{ color: {DISABLED}; background: #eceef1; border: 1px dashed #c5ccd6;
    border-radius: 4px; padding: 4px 10px; }}
QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"], QTextEdit[readOnly="true"] {{ background: #eef1f5; }}
QLineEdit:disabled, QPlainTextEdit:disabled, QComboBox:disabled, QSpinBox:disabled, QDoubleSpinBox:disabled {{
    color: {DISABLED}; background: #eceef1; }}
QLabel[role="badge"] {{ border: 1px solid #c5ccd6; border-radius: 8px; padding: 1px 8px; color: {INK}; }}
QFrame[role="answer-read-only"] {{ background: #f1f3f6; border-left: 3px solid #c5ccd6; padding-left: 6px; }}
QFrame[role="card"] {{ background: white; border: 1px solid #d5dbe3; border-radius: 6px; }}
QPushButton[role="primary"] {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT};
    border-radius: 4px; padding: 5px 14px; font-weight: 600; }}
QPushButton[role="primary"]:disabled {{ background: #9fb6c9; border-color: #9fb6c9; }}
QPushButton[role="primary"]:focus {{ border: 2px solid #0b2f4a; }}
QTableView {{ gridline-color: #e3e7ec; selection-background-color: #cfe0ef; selection-color: {INK}; }}
QHeaderView::section {{ background: #eef1f5; border: none; border-bottom: 1px solid #d5dbe3; padding: 4px 6px;
    font-weight: 600; }}
QListWidget#SectionList::item, QListView#SectionList::item {{ padding: 5px 6px; }}
QRadioButton::indicator, QCheckBox::indicator {{ width: {indicator}px; height: {indicator}px; }}
"""


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(SURFACE))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(INK))
    palette.setColor(QPalette.ColorRole.Base, QColor("white"))
    palette.setColor(QPalette.ColorRole.Text, QColor(INK))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("white"))
    palette.setColor(QPalette.ColorRole.Button, QColor("#eef1f5"))
    palette.setColor(QPalette.ColorRole.ButtonText, QColor(INK))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, QColor("#eceef1"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, QColor("#eceef1"))
    app.setPalette(palette)
    app.setStyleSheet(style_sheet(app.font().pointSizeF()))


def style_sheet(base_points: float) -> str:
    """The style sheet, with headings sized from the system font (style sheets cannot scale by percentage)."""
    base = base_points if base_points > 0 else 10.0
    # radio and check box indicators grow with the text (Fusion's are a fixed 13 px otherwise)
    return _STYLE_SHEET.format(title=round(base * 1.5, 1), section=round(base * 1.25, 1), indicator=round(base * 1.35),
                               INK=INK, MUTED=MUTED,
                               ACCENT=ACCENT, PROBLEM=PROBLEM, SUCCESS=SUCCESS,
                               DISABLED=DISABLED)
