"""Drawing pieces shared by the meeting charts: wrapped text, fill patterns, keys, the 1–5 grade bar chart.

Everything is a reportlab.graphics shape in points; the charts compose these and fit the result into a
Drawing of the width asked for. Patterns are drawn as real strokes clipped to the shape, so a black and
white print tells the tones apart without colour.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.graphics.shapes import Drawing, Group, Hatching, Line, Path, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from cpassess.export import fonts

INK = colors.HexColor("#1F2328")
MUTED = colors.HexColor("#4B5259")
RULE = colors.HexColor("#C5CAD0")
FAINT = colors.HexColor("#E6E9EC")
WHITE = colors.white
ELLIPSIS = "…"
PAD = 4.0  # clear space inside every chart's edges
GRADE_WORDS = {1: "met", 2: "mostly met", 3: "inconsistently met", 4: "mostly not met", 5: "not met"}
NARROW_GRADE_WORDS = {**GRADE_WORDS, 3: "sometimes met"}  # for a narrow chart, where "inconsistently" crowds
SCALE_NOTE = "Lower is better: 1 = needs consistently met, 5 = needs seriously and persistently not met."

Point = tuple[float, float]


@dataclass(frozen=True)
class Pattern:
    """How a filled area is marked on top of its colour: lines at angles, dots, or nothing."""

    angles: tuple[float, ...] = ()
    spacing: float = 4.0
    line_width: float = 0.6
    dots: bool = False
    ink: Any = INK


PLAIN = Pattern()


def text_width(text: str, font: str, size: float) -> float:
    return float(stringWidth(text, font, size))


def wrap(text: str, font: str, size: float, width: float, max_lines: int | None = None,
         break_words: bool = True) -> list[str]:
    """Break `text` into lines no wider than `width`, after spaces and hyphens; a word too long for a line is
    broken between letters (or, without `break_words`, left whole for the caller to try a smaller size).

    With `max_lines`, what does not fit ends the last line with an ellipsis.
    """
    lines: list[str] = []
    joiner = " "
    for word in re.findall(r"[^\s-]*-+|[^\s-]+|\s+", text):
        if word.isspace():
            joiner = " "
            continue
        candidate = f"{lines[-1]}{joiner}{word}" if lines else word
        joiner = "" if word.endswith("-") else " "
        if lines and text_width(candidate, font, size) <= width:
            lines[-1] = candidate
        else:
            lines.extend(_broken(word, font, size, width) if break_words else [word])
    if max_lines is not None and len(lines) > max_lines:
        lines = [*lines[:max_lines - 1], _ended(lines[max_lines - 1], font, size, width)]
    return lines or [""]


def _ended(line: str, font: str, size: float, width: float) -> str:
    """The last line that fits, with an ellipsis: cut after a whole word where one fits, else between letters."""
    words = line.split(" ")
    while len(words) > 1 and text_width(" ".join(words) + ELLIPSIS, font, size) > width:
        words.pop()
    line = " ".join(words).rstrip(",;:")
    while line and text_width(line + ELLIPSIS, font, size) > width:
        line = line[:-1].rstrip()
    return line + ELLIPSIS


def _broken(word: str, font: str, size: float, width: float) -> list[str]:
    pieces = []
    while len(word) > 1 and text_width(word, font, size) > width:
        cut = 1
        while cut < len(word) - 1 and text_width(word[:cut + 1], font, size) <= width:
            cut += 1
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]


def text_lines(lines: Sequence[str], x: float, top: float, font: str, size: float, leading: float,
               anchor: str = "start", colour: Any = INK) -> tuple[list[String], float]:
    """Strings for `lines`, the first line's cap height at `top`; returns them and the y under the last line."""
    strings = []
    baseline = top - size * 0.78
    for line in lines:
        strings.append(String(x, baseline, line, fontName=font, fontSize=size, fillColor=colour,
                              textAnchor=anchor))
        baseline -= leading
    return strings, top - leading * len(lines)


def spans(polygon: Sequence[Point], y: float) -> list[tuple[float, float]]:
    """The inside of `polygon` along the horizontal line at `y`, as (left, right) pairs (even-odd rule)."""
    crossings = []
    for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (y1 < y <= y2) or (y2 < y <= y1):
            crossings.append(x1 + (x2 - x1) * (y - y1) / (y2 - y1))
    crossings.sort()
    return list(zip(crossings[::2], crossings[1::2], strict=True))


def _dots(polygon: Sequence[Point], pattern: Pattern) -> Path | None:
    """The pattern's dots inside `polygon`, as one path of round-capped specks: a dot each, drawn at the cost of
    a line (hundreds of circles, each four Bézier arcs, were half the time of a record's charts)."""
    radius = pattern.line_width
    step = pattern.spacing
    low, high = min(y for _, y in polygon), max(y for _, y in polygon)
    dots = []
    row = math.floor(low / step)
    while row * step <= high:
        y = row * step
        offset = step / 2 if row % 2 else 0.0  # staggered rows read as an even tint
        # a dot must sit wholly inside: test the lines through its top and bottom too
        inside = [spans(polygon, y + dy) for dy in (-radius, 0.0, radius)]
        for left, right in inside[1]:
            column = math.ceil((left + radius - offset) / step)
            while column * step + offset <= right - radius:
                x = column * step + offset
                if all(any(a + radius <= x <= b - radius for a, b in line) for line in inside):
                    dots.append((x, y))
                column += 1
        row += 1
    if not dots:
        return None
    return Path(points=[c for x, y in dots for c in (x, y, x, y + 0.01)], operators=[0, 1] * len(dots),
                strokeColor=pattern.ink, strokeWidth=2 * radius, strokeLineCap=1, fillColor=None)


def patterned(polygon: Sequence[Point], fill: Any, pattern: Pattern, outline: Path | None = None) -> Group:
    """A filled polygon with its pattern drawn on top, clipped to the polygon; `outline`, when given, is the
    same shape drawn exactly (its curves), filled instead of the polygon."""
    if outline is None:
        outline = Polygon([c for point in polygon for c in point], strokeColor=None)
    outline.fillColor = fill
    group = Group(outline)
    if pattern.dots:
        dots = _dots(polygon, pattern)
        if dots is not None:
            group.add(dots)
    elif pattern.angles:
        xy = [c for point in polygon for c in point]
        group.add(Hatching(spacings=pattern.spacing, angles=list(pattern.angles), xyLists=xy,
                           strokeColor=pattern.ink, strokeWidth=pattern.line_width, fillColor=None))
    return group


def strokes(segments: Sequence[tuple[Point, Point]], colour: Any, width: float) -> Path:
    """Straight strokes of one colour and width as one path: drawn as the lines would be, at the cost of one
    shape (a grid of separate lines set the stroke state once per line)."""
    points = [c for (x1, y1), (x2, y2) in segments for c in (x1, y1, x2, y2)]
    return Path(points=points, operators=[0, 1] * len(segments), strokeColor=colour, strokeWidth=width,
                fillColor=None)


def rectangle(x: float, y: float, width: float, height: float) -> list[Point]:
    return [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]


def swatch(x: float, y: float, fill: Any, pattern: Pattern, width: float = 16, height: float = 10) -> Group:
    """A key swatch: the fill and pattern of a series in a small outlined box."""
    group = patterned(rectangle(x, y, width, height), fill, pattern)
    group.add(Rect(x, y, width, height, fillColor=None, strokeColor=MUTED, strokeWidth=0.5))
    return group


def diamond(x: float, y: float, half: float) -> Polygon:
    """The worst-grade marker."""
    return Polygon([x, y - half, x + half, y, x, y + half, x - half, y],
                   fillColor=INK, strokeColor=WHITE, strokeWidth=0.8)


@dataclass(frozen=True)
class KeyEntry:
    """One item of a chart key: a drawn mark (placed at the given x, y of its box) and its words."""

    label: str
    mark: Callable[[float, float], Any]


def key_rows(entries: Sequence[KeyEntry], width: float, top: float, size: float = 8,
             mark_width: float = 16) -> tuple[Group, float]:
    """Key entries flowed into centred rows no wider than `width`; returns the group and the y under it."""
    gap, inner, row_height = 14.0, 5.0, size + 7
    label_limit = width - mark_width - inner
    items = [(entry, wrap(entry.label, fonts.REGULAR, size, label_limit, max_lines=1)[0]) for entry in entries]
    rows: list[list[tuple[KeyEntry, str, float]]] = [[]]
    used = 0.0
    for entry, label in items:
        length = mark_width + inner + text_width(label, fonts.REGULAR, size)
        if rows[-1] and used + gap + length > width:
            rows.append([])
            used = 0.0
        used += (gap if rows[-1] else 0.0) + length
        rows[-1].append((entry, label, length))
    group = Group()
    y = top
    for row in rows:
        total = sum(length for *_, length in row) + gap * (len(row) - 1)
        x = (width - total) / 2
        baseline = y - row_height + 4
        for entry, label, length in row:
            group.add(entry.mark(x, baseline - 1.5))
            group.add(String(x + mark_width + inner, baseline, label, fontName=fonts.REGULAR, fontSize=size,
                             fillColor=INK))
            x += length + gap
        y -= row_height
    return group, y


def fitted(content: Group, width: float, padding: float = 4) -> Drawing:
    """A Drawing `width` wide and just tall enough for `content`, moved up so nothing falls below zero."""
    x1, y1, x2, y2 = content.getBounds()
    if x1 < 0 or x2 > width:
        raise ValueError(f"chart content spans {x1:.1f}..{x2:.1f}, wider than {width:.1f}")
    content.translate(0, padding - y1)
    drawing = Drawing(width, y2 - y1 + 2 * padding)
    drawing.add(content)
    drawing.hAlign = "CENTER"
    drawing.initialFontName = fonts.REGULAR  # else the renderer names Helvetica in the PDF, unused but present
    return drawing


@dataclass(frozen=True)
class GradeScale:
    """The horizontal 1–5 grade scale of the bar charts: a band per grade, bars starting at the band edge."""

    label_width: float
    left: float
    right: float

    @classmethod
    def across(cls, width: float) -> GradeScale:
        label_width = min(width * 0.36, 190.0)
        return cls(label_width, PAD + label_width + 12, width - PAD)

    @property
    def band(self) -> float:
        return (self.right - self.left) / 5

    def x(self, grade: float) -> float:
        return self.left + (grade - 0.5) * self.band


def bar(group: Group, scale: GradeScale, value: float, y: float, height: float, fill: Any, pattern: Pattern) -> None:
    """A horizontal bar from the start of the scale to `value`, outlined so a pale fill still shows on paper."""
    right = max(scale.x(value), scale.left + 2)
    group.add(patterned(rectangle(scale.left, y, right - scale.left, height), fill, pattern))
    group.add(Rect(scale.left, y, right - scale.left, height, fillColor=None, strokeColor=MUTED, strokeWidth=0.5))


def label_block(title: str, details: list[tuple[Sequence[str], str, float]], scale: GradeScale,
                top: float) -> tuple[list[String], float]:
    """The domain title (bold, up to three lines) and its detail lines, in the label column.

    Each detail is a list of clauses joined with commas, a line breaking between clauses where it can.
    """
    strings, below = text_lines(wrap(title, fonts.BOLD, 9, scale.label_width, 3), PAD, top, fonts.BOLD, 9, 11)
    for clauses, font, size in details:
        lines = wrap_clauses(clauses, font, size, scale.label_width)
        more, below = text_lines(lines, PAD, below - 1.5, font, size, size * 1.25,
                                 colour=INK if font == fonts.BOLD else MUTED)
        strings += more
    return strings, below


def wrap_clauses(clauses: Sequence[str], font: str, size: float, width: float) -> list[str]:
    """Clauses joined with ", " into lines no wider than `width`, breaking inside a clause only if it is too long."""
    lines: list[str] = []
    for index, clause in enumerate(clauses):
        text = clause + ("," if index < len(clauses) - 1 else "")
        if lines and text_width(f"{lines[-1]} {text}", font, size) <= width:
            lines[-1] = f"{lines[-1]} {text}"
        else:
            lines.extend(wrap(text, font, size, width))
    return lines


def bar_chart(rows: list[tuple[Group, float]], scale: GradeScale, width: float, key: list[KeyEntry]) -> Drawing:
    """Stack rows downwards over the grade grid, then the grade axis, the key and the scale note."""
    content, grid = Group(), Group()
    y = 0.0
    for row, height in rows:
        row.translate(0, y)
        content.add(row)
        y -= height
        content.add(Line(PAD, y, width - PAD, y, strokeColor=FAINT, strokeWidth=0.6))
    for grade in range(1, 6):
        grid.add(Line(scale.x(grade), 0, scale.x(grade), y, strokeColor=RULE, strokeWidth=0.5,
                      strokeDashArray=[2, 2]))
    grid.add(Line(scale.left, 0, scale.left, y, strokeColor=MUTED, strokeWidth=0.8))
    group = Group(grid, content)
    grade_axis(group, scale, y)
    bottom = group.getBounds()[1] - 10
    key_group, below = key_rows(key, width, bottom)
    group.add(key_group)
    for string in text_lines(wrap(SCALE_NOTE, fonts.REGULAR, 7.5, width - 2 * PAD), width / 2, below - 2,
                             fonts.REGULAR, 7.5, 9.5, "middle", MUTED)[0]:
        group.add(string)
    return fitted(group, width)


def grade_axis(group: Group, scale: GradeScale, y: float) -> None:
    """The grade axis under the rows: 1 to 5 with their short words, and "Grade (lower is better)"."""
    group.add(Line(scale.left, y, scale.right, y, strokeColor=MUTED, strokeWidth=0.8))
    group.add(String(PAD, y - 12, "Grade", fontName=fonts.BOLD, fontSize=8.5, fillColor=INK))
    group.add(String(PAD, y - 22.5, "(lower is better)", fontName=fonts.REGULAR, fontSize=7.5, fillColor=MUTED))
    roomy = all(text_width(word, fonts.REGULAR, 7.5) <= scale.band - 2
                for words in GRADE_WORDS.values() for word in words.split())
    for grade, words in (GRADE_WORDS if roomy else NARROW_GRADE_WORDS).items():
        x = scale.x(grade)
        group.add(Line(x, y, x, y - 3, strokeColor=MUTED, strokeWidth=0.6))
        group.add(String(x, y - 12, str(grade), fontName=fonts.BOLD, fontSize=8.5, fillColor=INK,
                         textAnchor="middle"))
        for string in text_lines(wrap(words, fonts.REGULAR, 7.5, scale.band - 1, break_words=False), x, y - 15,
                                 fonts.REGULAR, 7.5, 9, "middle", MUTED)[0]:
            group.add(string)


def on_white(group: Group, x: float, baseline: float, text: str, font: str, size: float, colour: Any) -> None:
    """Words on a white ground, so the grid lines do not run through them."""
    group.add(Rect(x - 2, baseline - size * 0.3, text_width(text, font, size) + 4, size * 1.3,
                   fillColor=WHITE, strokeColor=None))
    group.add(String(x, baseline, text, fontName=font, fontSize=size, fillColor=colour))


def note_in_plot(group: Group, scale: GradeScale, baseline: float, text: str, size: float) -> None:
    """Words in place of a bar."""
    on_white(group, scale.left + 6, baseline, text, fonts.ITALIC, size, MUTED)


def note_drawing(text: str, width: float) -> Drawing:
    """A framed line of words standing in for a chart that has nothing to show."""
    group = Group(Rect(PAD, 0, width - 2 * PAD, 28, fillColor=None, strokeColor=RULE, strokeWidth=0.6),
                  String(width / 2, 10.5, text, fontName=fonts.ITALIC, fontSize=9, fillColor=MUTED,
                         textAnchor="middle"))
    return fitted(group, width)
