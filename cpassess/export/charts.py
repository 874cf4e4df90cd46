"""The pictures read at meetings (DESIGN §9.2): SHANARRI wheel, Resilience Matrix, neglect domain profile, its change.

Each chart is a vector Drawing (a platypus flowable) in the embedded font, sized for an A4 page with 18 mm
margins. They are often printed in black and white, so every colour comes with a pattern and every mark
with words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Path, Rect, String
from reportlab.lib import colors

from cpassess.export import fonts
from cpassess.export._chart_parts import (
    FAINT,
    INK,
    MUTED,
    PAD,
    PLAIN,
    RULE,
    WHITE,
    GradeScale,
    KeyEntry,
    Pattern,
    Point,
    bar,
    bar_chart,
    diamond,
    fitted,
    key_rows,
    label_block,
    note_drawing,
    note_in_plot,
    on_white,
    patterned,
    strokes,
    swatch,
    text_lines,
    text_width,
    wrap,
)
from cpassess.export.layout import MM
from cpassess.forms.answers import MATRIX_RANGE
from cpassess.forms.computed import DomainProfile, IndicatorRating

# Okabe–Ito based: distinguishable with the common colour-vision differences, calm in colour and in grey.
TONE_COLOURS: dict[str, Any] = {
    "good": colors.HexColor("#5FB49C"),
    "caution": colors.HexColor("#F0B445"),
    "concern": colors.HexColor("#D55E00"),
    "unknown": colors.HexColor("#E3E5E8"),
}
TONE_PATTERNS: dict[str, Pattern] = {
    "good": PLAIN,
    "caution": Pattern(dots=True, spacing=4.2, line_width=0.75, ink=colors.HexColor("#5A4300")),
    "concern": Pattern(angles=(45,), spacing=3.8, line_width=0.9, ink=colors.HexColor("#3D1A00")),
    "unknown": Pattern(angles=(45, -45), spacing=4.5, line_width=0.5, ink=colors.HexColor("#8C9096")),
}
INDICATORS = ("Safe", "Healthy", "Achieving", "Nurtured", "Active", "Respected", "Responsible", "Included")
_WHEEL_KEY = {"good": "Wellbeing needs met", "caution": "Some concerns", "concern": "Significant concerns",
              "unknown": "Not known or not yet rated"}
_PREVIOUS = (colors.HexColor("#BCCCDC"), Pattern(angles=(45,), spacing=3.5, line_width=0.6,
                                                 ink=colors.HexColor("#4E6A86")))
_CURRENT = (colors.HexColor("#2E5E8C"), PLAIN)
# the earlier assessments of a history, oldest (palest, finest hatching) to the latest before this one
_EARLIER_STYLES = (
    (colors.HexColor("#E1E8EF"), Pattern(angles=(-45,), spacing=3.0, line_width=0.5, ink=colors.HexColor("#6B819A"))),
    (colors.HexColor("#CCD7E3"), Pattern(dots=True, spacing=3.6, line_width=0.7, ink=colors.HexColor("#4E6A86"))),
    _PREVIOUS,
)


def _tone(tone: str) -> tuple[Any, Pattern]:
    known = tone if tone in TONE_COLOURS else "unknown"
    return TONE_COLOURS[known], TONE_PATTERNS[known]


def _tone_swatch(tone: str) -> Callable[[float, float], Group]:
    return lambda x, y: swatch(x, y, *_tone(tone))


def _tone_key(words: Mapping[str, str]) -> list[KeyEntry]:
    return [KeyEntry(label, _tone_swatch(tone)) for tone, label in words.items()]


# --- SHANARRI wheel -------------------------------------------------------------------------------------------


def shanarri_wheel(overview: Sequence[IndicatorRating], width: float = 120 * MM, *,
                   centre_label: str = "Wellbeing") -> Drawing:
    """The wellbeing indicators as equal wedges of a wheel, each coloured, patterned and labelled by its rating.

    Wedges run clockwise from the top in the order given; with no ratings at all the eight indicators are drawn
    as not yet rated. `centre_label` (the child's name, or "Wellbeing") is written in the middle.
    """
    fonts.register_fonts()
    ratings = list(overview) or [IndicatorRating(name.lower(), name, None, "Not yet rated", "unknown")
                                 for name in INDICATORS]
    step = 360 / len(ratings)
    middles = [math.radians((index + 0.5) * step) for index in range(len(ratings))]
    labels = _wheel_labels(ratings, width)
    gap = 6.0
    outer = _wheel_radius(middles, [block_width for *_, block_width in labels], width, gap)
    inner = outer * 0.46
    centre = (width / 2, 0.0)
    group = Group()
    for index, rating in enumerate(ratings):
        polygon, outline = _ring_wedge(centre, inner, outer, index * step, (index + 1) * step, gap=2.2)
        group.add(patterned(polygon, *_tone(rating.tone), outline=outline))
    group.add(Circle(*centre, outer + 0.8, fillColor=None, strokeColor=RULE, strokeWidth=0.6))
    for angle, (name, level, block_width) in zip(middles, labels, strict=True):
        group.add(_wedge_label(centre, outer + gap, angle, name, level, block_width))
    _centre_name(group, centre, inner, centre_label, width)
    key, _ = key_rows(_tone_key(_WHEEL_KEY), width, group.getBounds()[1] - 10)
    group.add(key)
    return fitted(group, width)


def _wheel_labels(ratings: Sequence[IndicatorRating], width: float) -> list[tuple[list[str], list[str], float]]:
    """Each wedge's name and level lines, and how wide they are together."""
    # wide enough for the longest single word, so "Responsible" is never split on a narrow wheel
    words = [text_width(word, font, size) for r in ratings
             for text, font, size in ((r.label, fonts.BOLD, 9), (r.level_label, fonts.REGULAR, 8))
             for word in text.split()]
    limit = min(max([width * 0.26, *words]), width * 0.3)
    labels = []
    for r in ratings:
        name, level = wrap(r.label, fonts.BOLD, 9, limit, 2), wrap(r.level_label, fonts.REGULAR, 8, limit, 2)
        block_width = max([text_width(line, fonts.BOLD, 9) for line in name] +
                          [text_width(line, fonts.REGULAR, 8) for line in level])
        labels.append((name, level, block_width))
    return labels


def _wheel_radius(middles: Sequence[float], label_widths: Sequence[float], width: float, gap: float) -> float:
    """As large as leaves room beside the wheel for the labels of the side wedges (and no more than 30%)."""
    room = [(width / 2 - PAD - label) / abs(math.sin(angle)) - gap
            for angle, label in zip(middles, label_widths, strict=True) if abs(math.sin(angle)) > 0.3]
    return max(min([width * 0.3, *room]), 36.0)


def _ring_wedge(centre: Point, inner: float, outer: float, start: float, end: float,
                gap: float) -> tuple[list[Point], Path]:
    """An annular wedge between compass bearings `start` and `end` (degrees, clockwise from the top): as a
    polygon of fine steps, which its pattern is fitted to, and as the outline drawn, two exact arcs (a Bézier
    curve each: the polygon's hundred-odd points per wedge were most of what the wheel cost to draw)."""
    cx, cy = centre

    def ends(radius: float, first: float, last: float) -> tuple[float, float]:
        inset = math.degrees(gap / 2 / radius)
        return first + inset * (1 if first < last else -1), last - inset * (1 if first < last else -1)

    def arc(radius: float, first: float, last: float) -> list[Point]:
        a, b = ends(radius, first, last)
        count = max(4, int(abs(b - a) / 2))
        return [(cx + radius * math.sin(math.radians(a + (b - a) * i / count)),
                 cy + radius * math.cos(math.radians(a + (b - a) * i / count))) for i in range(count + 1)]

    def curve(radius: float, first: float, last: float) -> list[float]:
        a, b = (math.radians(bearing) for bearing in ends(radius, first, last))
        reach = 4 / 3 * math.tan((b - a) / 4) * radius  # a cubic Bézier's control distance for this arc
        x0, y0 = cx + radius * math.sin(a), cy + radius * math.cos(a)
        x3, y3 = cx + radius * math.sin(b), cy + radius * math.cos(b)
        return [x0, y0, x0 + reach * math.cos(a), y0 - reach * math.sin(a),
                x3 - reach * math.cos(b), y3 + reach * math.sin(b), x3, y3]

    outer_arc, inner_arc = curve(outer, start, end), curve(inner, end, start)
    outline = Path(points=[*outer_arc[:2], *outer_arc[2:], *inner_arc[:2], *inner_arc[2:]],
                   operators=[0, 2, 1, 2, 3], strokeColor=None)
    return arc(outer, start, end) + arc(inner, end, start), outline


def _wedge_label(centre: Point, distance: float, angle: float, name: list[str], level: list[str],
                 block_width: float) -> Group:
    """The indicator name (bold) and its level, placed just outside the wedge and growing away from it."""
    across, up = math.sin(angle), math.cos(angle)
    x, y = centre[0] + distance * across, centre[1] + distance * up
    height = 10.5 * len(name) + 9.5 * len(level)
    anchor = "start" if across > 0.3 else "end" if across < -0.3 else "middle"
    if anchor == "middle":
        x += across * block_width / 2
    top = y + height / 2 + up * height / 2
    group = Group()
    strings, below = text_lines(name, x, top, fonts.BOLD, 9, 10.5, anchor)
    strings += text_lines(level, x, below, fonts.REGULAR, 8, 9.5, anchor)[0]
    for string in strings:
        group.add(string)
    return group


def _centre_name(group: Group, centre: Point, radius: float, label: str, width: float) -> None:
    """The child's name in the hole of the wheel, as large as fits (never under 7 pt). A name too long for the
    hole of a small wheel goes above the wheel instead, and the hole says "Wellbeing"."""
    inside = _in_circle(label, centre, radius)
    if inside is None:
        lines = wrap(label, fonts.BOLD, 10, width - 2 * PAD)
        top = group.getBounds()[3] + 8 + 12.5 * len(lines)
        inside = text_lines(lines, width / 2, top, fonts.BOLD, 10, 12.5, "middle")[0]
        inside += _in_circle("Wellbeing", centre, radius) or []
    for string in inside:
        group.add(string)


def _in_circle(label: str, centre: Point, radius: float) -> list[String] | None:
    for size in (10, 9, 8.5, 8, 7.5, 7):
        leading = size * 1.2
        lines = wrap(label, fonts.BOLD, size, radius * 1.7, break_words=False)
        if len(lines) <= 3 and _fits_circle(lines, size, leading, radius - 3):
            top = centre[1] + len(lines) * leading / 2 - (leading - size * 0.78) / 2
            return text_lines(lines, centre[0], top, fonts.BOLD, size, leading, "middle")[0]
    return None


def _fits_circle(lines: list[str], size: float, leading: float, radius: float) -> bool:
    top = len(lines) * leading / 2
    for index, line in enumerate(lines):
        far = max(abs(top - index * leading), abs(top - (index + 1) * leading))
        if far >= radius or text_width(line, fonts.BOLD, size) / 2 > math.sqrt(radius**2 - far**2):
            return False
    return True


# --- Resilience Matrix ----------------------------------------------------------------------------------------

_QUADRANTS = {  # (environment sign, resilience sign) -> words and tint
    (1, 1): ("Resilient child, protective environment", "good"),
    (-1, 1): ("Resilient child, adverse environment", "caution"),
    (1, -1): ("Vulnerable child, protective environment", "caution"),
    (-1, -1): ("Vulnerable child, adverse environment", "concern"),
}


def resilience_matrix(answer: Mapping[str, Any] | None, width: float = 120 * MM) -> Drawing:
    """The Resilience Matrix with the child's place on it and its coordinates in words.

    Horizontal: environment, adversity (-5) to protective (+5); vertical: vulnerability (-5) to resilience (+5).
    If either axis is not yet given the matrix is drawn empty with "Not yet placed on the matrix".
    """
    fonts.register_fonts()
    resilience, environment = _axis_value(answer, "resilience"), _axis_value(answer, "environment")
    tick_size, left = 7.5, PAD + 8.5 * 1.25 + 4
    left += text_width("+5", fonts.REGULAR, tick_size) + 5
    side = width - left - PAD - 2
    unit = side / (2 * MATRIX_RANGE + 1)
    centre = (left + side / 2, side / 2)
    group = Group()
    _matrix_grid(group, left, side, unit, centre, tick_size)
    point = None
    if resilience is not None and environment is not None:
        point = (centre[0] + environment * unit, centre[1] + resilience * unit)
    _quadrant_labels(group, left, side, centre, point)
    if point is not None:
        _marker(group, point, 7.0)
    _axis_titles(group, left, side)
    _matrix_caption(group, left, side, resilience, environment, group.getBounds()[1] - 8)
    return fitted(group, width)


def _axis_value(answer: Mapping[str, Any] | None, key: str) -> int | None:
    value = answer.get(key) if answer is not None else None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MATRIX_RANGE:
        raise ValueError(f"{key} must be a whole number from -{MATRIX_RANGE} to {MATRIX_RANGE}, not {value!r}")
    return value


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def _tint(tone: str) -> Any:
    """A quadrant's ground: a whisper of its tone, so the words and the marker stay the strongest marks."""
    return colors.linearlyInterpolatedColor(WHITE, TONE_COLOURS[tone], 0, 1, 0.13)


def _matrix_grid(group: Group, left: float, side: float, unit: float, centre: Point, tick_size: float) -> None:
    half = side / 2
    for (across, up), (_, tone) in _QUADRANTS.items():
        group.add(Rect(left + (half if across > 0 else 0), half if up > 0 else 0, half, half,
                       fillColor=_tint(tone), strokeColor=None))
    grid: list[tuple[Point, Point]] = []
    ticks: list[tuple[Point, Point]] = []
    for step in range(-MATRIX_RANGE, MATRIX_RANGE + 1):
        x, y = centre[0] + step * unit, centre[1] + step * unit
        if step:
            grid += [((x, 0), (x, side)), ((left, y), (left + side, y))]
            ticks += [((x, centre[1] - 2.5), (x, centre[1] + 2.5)), ((centre[0] - 2.5, y), (centre[0] + 2.5, y))]
        ticks += [((x, 0), (x, -3)), ((left, y), (left - 3, y))]
    group.add(strokes(grid, FAINT, 0.5))
    group.add(strokes(ticks, MUTED, 0.6))
    for step in range(-MATRIX_RANGE, MATRIX_RANGE + 1):
        x, y = centre[0] + step * unit, centre[1] + step * unit
        group.add(String(x, -4 - tick_size * 0.8, _signed(step), fontName=fonts.REGULAR, fontSize=tick_size,
                         fillColor=INK, textAnchor="middle"))
        group.add(String(left - 5, y - tick_size * 0.35, _signed(step), fontName=fonts.REGULAR,
                         fontSize=tick_size, fillColor=INK, textAnchor="end"))
    group.add(Line(centre[0], 0, centre[0], side, strokeColor=MUTED, strokeWidth=1))
    group.add(Line(left, centre[1], left + side, centre[1], strokeColor=MUTED, strokeWidth=1))
    group.add(Rect(left, 0, side, side, fillColor=None, strokeColor=RULE, strokeWidth=0.8))


def _quadrant_labels(group: Group, left: float, side: float, centre: Point, point: Point | None) -> None:
    """Each quadrant named in its outer corner, or by the axis when the child's marker sits in that corner."""
    inset, size, leading = 6.0, 8.5, 10.5
    for (across, up), (words, tone) in _QUADRANTS.items():
        lines = _clauses(words, fonts.BOLD, size, side / 2 - 2 * inset)
        block_width = max(text_width(line, fonts.BOLD, size) for line in lines)
        height = leading * len(lines)
        x = left + side - inset if across > 0 else left + inset
        block_left = x - block_width if across > 0 else x
        corner, by_axis = (side - inset, centre[1] + inset + height) if up > 0 else (inset + height, centre[1] - inset)
        top = corner
        if point is not None and _overlaps((block_left, top - height, block_left + block_width, top), point, 10):
            top = by_axis
        group.add(Rect(block_left - 2, top - height - 1, block_width + 4, height + 2, fillColor=_tint(tone),
                       strokeColor=None))
        for string in text_lines(lines, x, top, fonts.BOLD, size, leading, "end" if across > 0 else "start",
                                 MUTED)[0]:
            group.add(string)


def _clauses(words: str, font: str, size: float, width: float) -> list[str]:
    """One line per clause ("Resilient child," / "adverse environment") where each fits, else plain wrapping."""
    parts = words.replace(", ", ",\n").split("\n")
    if all(text_width(part, font, size) <= width for part in parts):
        return parts
    return wrap(words, font, size, width, 3)


def _overlaps(box: tuple[float, float, float, float], point: Point, reach: float) -> bool:
    x1, y1, x2, y2 = box
    return x1 - reach < point[0] < x2 + reach and y1 - reach < point[1] < y2 + reach


def _marker(group: Group, point: Point, radius: float) -> None:
    """The child's place: a ringed dot that stays clear on grey and in black and white."""
    group.add(Circle(*point, radius, fillColor=WHITE, strokeColor=INK, strokeWidth=1.8))
    group.add(Circle(*point, radius * 0.45, fillColor=INK, strokeColor=None))


def _axis_titles(group: Group, left: float, side: float) -> None:
    size, below = 8.5, -4 - 7.5 * 0.8 - 6 - 8.5  # a line under the tick numbers
    group.add(String(left, below, "← Adversity", fontName=fonts.BOLD, fontSize=size, fillColor=INK))
    right = "Protective environment →"
    if text_width("← Adversity", fonts.BOLD, size) + text_width(right, fonts.BOLD, size) + 10 > side:
        below -= size * 1.3  # too narrow for both on one line
    group.add(String(left + side, below, right, fontName=fonts.BOLD, fontSize=size, fillColor=INK,
                     textAnchor="end"))
    vertical = Group(
        String(0, 0, "← Vulnerability", fontName=fonts.BOLD, fontSize=size, fillColor=INK),
        String(side, 0, "Resilience →", fontName=fonts.BOLD, fontSize=size, fillColor=INK, textAnchor="end"))
    vertical.translate(PAD + size, 0)
    vertical.rotate(90)
    group.add(vertical)


def _matrix_caption(group: Group, left: float, side: float, resilience: int | None, environment: int | None,
                    top: float) -> None:
    if resilience is None or environment is None:
        given = [f"{name} {_signed(value)}" for name, value in (("resilience", resilience),
                                                                   ("environment", environment))
                 if value is not None]
        first, second = "Not yet placed on the matrix", "; ".join(given) + (" given so far" if given else "")
        text_left = left
    else:
        first = f"The child's place: resilience {_signed(resilience)}, environment {_signed(environment)}"
        second = _where(resilience, environment)
        _marker(group, (left + 5, top - 5), 5.0)
        text_left = left + 15
    strings, below = text_lines(wrap(first, fonts.BOLD, 9, side - (text_left - left)), text_left, top,
                                fonts.BOLD, 9, 11.5)
    if second:
        strings += text_lines(wrap(second, fonts.REGULAR, 8.5, side - (text_left - left)), text_left, below - 1,
                              fonts.REGULAR, 8.5, 10.5)[0]
    for string in strings:
        group.add(string)


def _where(resilience: int, environment: int) -> str:
    if resilience and environment:
        return _QUADRANTS[(1 if environment > 0 else -1, 1 if resilience > 0 else -1)][0]
    if not resilience and not environment:
        return "At the centre of the matrix"
    if not resilience:
        return "On the line between resilience and vulnerability"
    return "On the line between a protective environment and adversity"


# --- Neglect domain profile and its change --------------------------------------------------------------------


def _mean_tone(mean: float) -> str:
    return "good" if mean < 2.5 else "caution" if mean < 3.5 else "concern"


def domain_profile_chart(profile: Sequence[DomainProfile], width: float = 170 * MM) -> Drawing:
    """The neglect domain profile: per domain a bar for the mean grade on 1–5, a diamond at the worst grade,
    and the numbers in words ("mean 2.6, worst 4, 2 items at 4–5"); an ungraded domain says "not yet graded".
    """
    fonts.register_fonts()
    if not profile:
        return note_drawing("No neglect domains to show yet.", width)
    scale = GradeScale.across(width)
    rows = [_profile_row(domain, scale) for domain in profile]
    key = [*_tone_key({"good": "mean under 2.5", "caution": "mean 2.5 to 3.4", "concern": "mean 3.5 or more"}),
           KeyEntry("worst grade", lambda x, y: diamond(x + 8, y + 5, 5.5))]
    return bar_chart(rows, scale, width, key)


def _profile_details(domain: DomainProfile) -> list[str]:
    """The domain's numbers as clauses: "mean 2.6", "worst 4", "2 items at 4–5", and what is missing."""
    if domain.mean is not None and domain.worst is not None:
        serious = {0: "none", 1: "1 item"}.get(domain.serious, f"{domain.serious} items")
        parts = [f"mean {domain.mean:.1f}", f"worst {domain.worst}", f"{serious} at 4–5"]
    else:
        parts = [f"{domain.items} item{'s' if domain.items != 1 else ''}"]
    if domain.not_known:
        parts.append(f"{domain.not_known} not known")
    if domain.unanswered > 0:
        parts.append(f"{domain.unanswered} not answered")
    return parts


def _profile_row(domain: DomainProfile, scale: GradeScale) -> tuple[Group, float]:
    strings, below = label_block(domain.title, [(_profile_details(domain), fonts.REGULAR, 8)], scale, -6)
    height = max(-below, 26.0) + 7
    middle = -height / 2
    row = Group()
    if domain.mean is None or domain.worst is None:
        note_in_plot(row, scale, middle - 3, "not yet graded", 8.5)
    else:
        bar(row, scale, domain.mean, middle - 7, 14, *_tone(_mean_tone(domain.mean)))
        row.add(diamond(scale.x(domain.worst), middle, 6))
    for string in strings:
        row.add(string)
    return row, height


def profile_change_chart(previous: Sequence[DomainProfile], current: Sequence[DomainProfile], previous_label: str,
                         current_label: str, width: float = 170 * MM) -> Drawing:
    """How each neglect domain's mean grade changed between two approved assessments, in paired bars."""
    return profile_history_chart([(previous_label, previous)], current, current_label, width)


def profile_history_chart(history: Sequence[tuple[str, Sequence[DomainProfile]]], current: Sequence[DomainProfile],
                          current_label: str, width: float = 170 * MM) -> Drawing:
    """Each neglect domain over time: a bar for its mean grade in each earlier approved assessment (oldest
    first, as `history` lists them) and in this one, a diamond at each worst grade, and the change since the
    latest earlier one in words ("improved by 0.8, worst 4 to 3"): a lower grade is better.

    Domains present in any of them are shown, the current order first."""
    fonts.register_fonts()
    series = [*(profile for _, profile in history), current]
    by_section = [{domain.section_id: domain for domain in profile} for profile in series]
    order = list(dict.fromkeys(domain.section_id for profile in reversed(series) for domain in profile))
    if not order:
        return note_drawing("No neglect domains to compare yet.", width)
    scale = GradeScale.across(width)
    styles = [*_EARLIER_STYLES[-len(history):], _CURRENT] if history else [_CURRENT]
    rows = [_history_row([profiles.get(section) for profiles in by_section], styles, scale) for section in order]
    labels = [label for label, _ in history] + [current_label]
    key = [KeyEntry(label, _swatch_of(style)) for label, style in zip(labels, styles, strict=True)]
    key.append(KeyEntry("worst grade", lambda x, y: diamond(x + 8, y + 5, 5.5)))
    return bar_chart(rows, scale, width, key)


def change_words(previous: DomainProfile | None, current: DomainProfile | None) -> str:
    """The change in a domain's mean grade in words; lower grades are better."""
    if current is None:
        return "not in the latest assessment"
    if current.mean is None:
        return "not yet graded this time"
    if previous is None or previous.mean is None:
        return "new"
    # from the one-decimal means printed by the bars, so the words agree with the numbers a reader subtracts
    change = round(round(current.mean, 1) - round(previous.mean, 1), 1)
    if change == 0:
        return "no change"
    return f"{'improved' if change < 0 else 'worse'} by {abs(change):.1f}"


def _swatch_of(style: tuple[Any, Pattern]) -> Callable[[float, float], Group]:
    return lambda x, y: swatch(x, y, *style)


def _worst_words(previous: DomainProfile | None, current: DomainProfile | None) -> str | None:
    if previous is None or current is None or previous.worst is None or current.worst is None:
        return None
    return f"worst {previous.worst} to {current.worst}" if previous.worst != current.worst else "same worst grade"


def _history_row(profiles: Sequence[DomainProfile | None], styles: Sequence[tuple[Any, Pattern]],
                 scale: GradeScale) -> tuple[Group, float]:
    domain = next(profile for profile in reversed(profiles) if profile is not None)
    previous, current = (profiles[-2] if len(profiles) > 1 else None), profiles[-1]
    clauses = [change_words(previous, current), *filter(None, [_worst_words(previous, current)])]
    strings, below = label_block(domain.title, [(clauses, fonts.BOLD, 8.5)], scale, -6)
    bar_height, step = 10.0, 13.0
    height = max(-below, step * len(profiles) + 4) + 7
    row = Group()
    y = -(height - step * len(profiles)) / 2 - step + 1.5
    for index, (profile, (fill, pattern)) in enumerate(zip(profiles, styles, strict=True)):
        which = "latest" if index == len(profiles) - 1 else "earlier"
        if profile is None or profile.mean is None:
            words = f"{'not part of' if profile is None else 'not graded in'} the {which} assessment"
            note_in_plot(row, scale, y + 2.5, words, 7.5)
        else:
            bar(row, scale, profile.mean, y, bar_height, fill, pattern)
            if profile.worst is not None:
                row.add(diamond(scale.x(profile.worst), y + bar_height / 2, 4.5))
            on_white(row, max(scale.x(profile.mean), scale.left + 2) + 4, y + 2.5, f"{profile.mean:.1f}",
                     fonts.REGULAR, 7.5, INK)
        y -= step
    for string in strings:
        row.add(string)
    return row, height
