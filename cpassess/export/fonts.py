"""The embedded Unicode font (DESIGN §9.3): DejaVu Sans, subset into every PDF.

reportlab's built-in fonts garble anything beyond Latin-1; DejaVu covers Latin, Greek (with polytonic
accents) and Cyrillic. Text the font cannot draw is reported, never printed silently as boxes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import TableStyle

from cpassess.resources import resource_path

REGULAR = "CPSans"
BOLD = "CPSans-Bold"
ITALIC = "CPSans-Oblique"
WIDEST_GLYPH = 1.74  # ems: DejaVu Sans's widest advance (1,735 units of 1,000), for a bound without measuring
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf"}


def table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """reportlab starts every table cell in Helvetica, a base-14 font that is never embedded: start in ours."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR), *commands])


def font_path(name: str = REGULAR) -> Path:
    return resource_path("resources", "fonts", _FILES[name])


@functools.cache
def register_fonts() -> None:
    """Register the three faces with reportlab (once per process)."""
    for name in _FILES:
        pdfmetrics.registerFont(TTFont(name, str(font_path(name))))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


@functools.cache
def _covered() -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(REGULAR)
    return frozenset(font.face.charToGlyph)


def missing_characters(texts: Iterable[str]) -> list[str]:
    """Characters in `texts` the font has no glyph for (line breaks and tabs aside), in first-seen order."""
    covered = _covered()
    missing: dict[str, None] = {}
    for text in texts:
        for char in text:
            if ord(char) not in covered and char not in "\n\r\t":
                missing.setdefault(char)
    return list(missing)
