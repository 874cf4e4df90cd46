"""Text drawn as vector outlines: the glyphs' paths from the embedded font, not text.

The DRAFT watermark is drawn this way, so that copying or extracting the text of a page (pdftotext, a screen
reader, a search) reads the record's words and not the watermark's letters mixed into them.
"""

from __future__ import annotations

import functools
from typing import Any

from fontTools.pens.basePen import BasePen  # type: ignore[import-untyped]
from fontTools.pens.transformPen import TransformPen  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from cpassess.export import fonts


class _PathPen(BasePen):  # type: ignore[misc]
    """A fontTools pen drawing into a reportlab path (fontTools turns TrueType's quadratics into cubics)."""

    def __init__(self, glyphs: Any, path: Any) -> None:
        super().__init__(glyphs)
        self.path = path

    def _moveTo(self, point: tuple[float, float]) -> None:
        self.path.moveTo(*point)

    def _lineTo(self, point: tuple[float, float]) -> None:
        self.path.lineTo(*point)

    def _curveToOne(self, first: tuple[float, float], second: tuple[float, float],
                    end: tuple[float, float]) -> None:
        self.path.curveTo(*first, *second, *end)

    def _closePath(self) -> None:
        self.path.close()


@functools.cache
def _font(name: str) -> Any:
    return TTFont(str(fonts.font_path(name)), lazy=True)


def draw_outlined(canvas: Any, text: str, size: float, name: str = fonts.BOLD) -> None:
    """Fill `text` as outlines, one line centred on the canvas origin, `size` points to the em."""
    font = _font(name)
    glyphs, cmap, metrics = font.getGlyphSet(), font.getBestCmap(), font["hmtx"]
    names = [cmap.get(ord(char), ".notdef") for char in text]
    scale = size / font["head"].unitsPerEm
    x = -sum(metrics[glyph][0] for glyph in names) / 2
    path = canvas.beginPath()
    pen = _PathPen(glyphs, path)
    for glyph in names:
        glyphs[glyph].draw(TransformPen(pen, (scale, 0, 0, scale, x * scale, 0)))
        x += metrics[glyph][0]
    canvas.drawPath(path, stroke=0, fill=1, fillMode=0)  # non-zero winding, as TrueType glyphs are filled
