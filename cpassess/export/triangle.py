"""The My World Triangle (GIRFEC National Practice Model) as a compact picture for the meeting (DESIGN §9.2).

The child at the centre, a side for each part of their world, and a mark per item along it: a plus in a circle
for a strength, a minus in a square for a pressure, a hollow circle for not known or not applicable, with the
counts in words, so a black and white copy reads the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, Rect, String

from cpassess.export import fonts
from cpassess.export._chart_parts import FAINT, INK, MUTED, PAD, WHITE, KeyEntry, Point, fitted, key_rows, wrap
from cpassess.export.charts import TONE_COLOURS
from cpassess.export.layout import MM


def world_triangle(sides: Sequence[tuple[str, Sequence[str]]], centre_label: str, width: float = 170 * MM) -> Drawing:
    """The My World Triangle: the child at the centre, one side per part of the child's world, and on each side
    a mark per item: a plus in a circle for a strength, a minus in a square for a pressure, a hollow circle for
    not known or not applicable; the counts are written out beside each side, so no colour has to be read.

    `sides` are (title, tones of its items in order): left, right, then the base, as the triangle is drawn in
    the National Practice Model."""
    group = Group()
    side = 66 * MM
    height = side * math.sqrt(3) / 2
    centre_x, base = width / 2, PAD + 70
    top = (centre_x, base + height)
    left, right = (centre_x - side / 2, base), (centre_x + side / 2, base)
    group.add(Polygon([*left, *top, *right], fillColor=FAINT, strokeColor=MUTED, strokeWidth=1))
    names = wrap(centre_label, fonts.BOLD, 10, side * 0.45, max_lines=2)
    for index, name in enumerate(names):
        group.add(String(centre_x, base + height / 3 - 4 - 12 * (index - (len(names) - 1) / 2), name,
                         fontName=fonts.BOLD, fontSize=10, fillColor=INK, textAnchor="middle"))
    ends = [(left, top), (top, right), (right, left)]
    for (title, tones), (start, end), place in zip(sides, ends, ("left", "right", "base"), strict=False):
        _triangle_side(group, title, tones, start, end, place, width)
    key, _ = key_rows(world_triangle_key(), width, base - 50)
    group.add(key)
    return fitted(group, width)


def _triangle_side(group: Group, title: str, tones: Sequence[str], start: Point, end: Point, place: str,
                   width: float) -> None:
    """One side's marks along it, just outside the triangle, and its title and counts in words beyond them."""
    count = len(tones)
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    normal = (-dy / length, dx / length)  # out of the triangle, whose sides run clockwise
    for index, tone in enumerate(tones):
        t = (index + 1) / (count + 1)
        x = start[0] + dx * t + normal[0] * 9
        y = start[1] + dy * t + normal[1] * 9
        _item_mark(group, x, y, tone)
    strengths, pressures = tones.count("good"), tones.count("concern")
    others = count - strengths - pressures
    counts = f"{strengths} strength{'s' * (strengths != 1)}, {pressures} pressure{'s' * (pressures != 1)}"
    if others:
        counts += f", {others} not known or not applicable"
    middle = (start[0] + dx / 2, start[1] + dy / 2)
    room = (width - 66 * MM) / 2 - 14 * MM
    title_lines = wrap(title, fonts.BOLD, 9, room if place != "base" else 120 * MM)
    count_lines = wrap(counts, fonts.REGULAR, 8.5, room if place != "base" else 120 * MM)
    if place == "base":
        x, anchor, y = middle[0], "middle", middle[1] - 24
    else:
        x = middle[0] + normal[0] * 36
        anchor = "end" if place == "left" else "start"
        y = middle[1] + 6 * (len(title_lines) + len(count_lines)) - 9
    for line in title_lines:
        group.add(String(x, y, line, fontName=fonts.BOLD, fontSize=9, fillColor=INK, textAnchor=anchor))
        y -= 11
    for line in count_lines:
        group.add(String(x, y, line, fontName=fonts.REGULAR, fontSize=8.5, fillColor=MUTED, textAnchor=anchor))
        y -= 10.5


def _item_mark(group: Group, x: float, y: float, tone: str) -> None:
    radius = 4.6
    if tone == "good":
        group.add(Circle(x, y, radius, fillColor=TONE_COLOURS["good"], strokeColor=INK, strokeWidth=0.6))
        group.add(Line(x - 2.6, y, x + 2.6, y, strokeColor=INK, strokeWidth=1.2))
        group.add(Line(x, y - 2.6, x, y + 2.6, strokeColor=INK, strokeWidth=1.2))
    elif tone == "concern":
        group.add(Rect(x - radius, y - radius, 2 * radius, 2 * radius, fillColor=TONE_COLOURS["concern"],
                       strokeColor=INK, strokeWidth=0.6))
        group.add(Line(x - 2.6, y, x + 2.6, y, strokeColor=WHITE, strokeWidth=1.4))
    else:
        group.add(Circle(x, y, radius - 0.6, fillColor=WHITE, strokeColor=MUTED, strokeWidth=0.8))


def world_triangle_key() -> list[KeyEntry]:
    return [KeyEntry("Strength", lambda x, y: _key_mark(x, y, "good")),
            KeyEntry("Pressure", lambda x, y: _key_mark(x, y, "concern")),
            KeyEntry("Not known or not applicable", lambda x, y: _key_mark(x, y, "unknown"))]


def _key_mark(x: float, y: float, tone: str) -> Group:
    group = Group()
    _item_mark(group, x + 5, y + 5, tone)
    return group
