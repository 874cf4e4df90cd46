"""The pictures read at meetings (DESIGN §9.2): built, placed in an A4 PDF and read back with pdftotext."""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from reportlab.graphics.shapes import Drawing, Group, String, mmult, transformPoint
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, Spacer

from cpassess.export import fonts
from cpassess.export.charts import (
    INDICATORS,
    TONE_COLOURS,
    change_words,
    domain_profile_chart,
    profile_change_chart,
    resilience_matrix,
    shanarri_wheel,
)
from cpassess.export.layout import MARGIN, MM
from cpassess.forms.computed import DomainProfile, IndicatorRating

LEVELS = {"good": "Wellbeing needs met", "caution": "Some concerns", "concern": "Significant concerns",
          "unknown": "Not known"}
LONG_TITLE = ("Development, learning and play, including stimulation, education and attendance, guidance and "
              "boundaries, and encouragement and recognition at home, at nursery and at school")


def rating(label: str, tone: str | None) -> IndicatorRating:
    if tone is None:
        return IndicatorRating(label.lower(), label, None, "Not yet rated", "unknown")
    return IndicatorRating(label.lower(), label, f"{tone}_level", LEVELS[tone], tone)


def domain(section_id: str, title: str, grades: Sequence[int], items: int | None = None,
           not_known: int = 0) -> DomainProfile:
    return DomainProfile(
        section_id=section_id, title=title, items=items if items is not None else len(grades) + not_known,
        graded=len(grades), not_known=not_known, worst=max(grades) if grades else None,
        mean=round(sum(grades) / len(grades), 2) if grades else None, serious=sum(g >= 4 for g in grades))


MIXED = [rating(name, tone) for name, tone in zip(
    INDICATORS, ["concern", "good", "caution", "good", "unknown", "caution", None, "concern"], strict=True)]
PROFILE = [
    domain("physical", "Physical care", [2, 3, 4, 4, 2]),
    domain("safety", "Safety and supervision", [1, 2, 1], items=4, not_known=1),
    domain("emotional", "Emotional care and belonging", [5, 5, 4]),
    domain("development", "Development, learning and play", [], items=4),
]
EARLIER = [
    domain("physical", "Physical care", [4, 4, 4, 5, 3]),
    domain("safety", "Safety and supervision", [2, 2, 1, 2]),
    domain("emotional", "Emotional care and belonging", [4, 3, 3]),
    domain("development", "Development, learning and play", [3, 3, 3, 3]),
]


# --- checking a drawing ---------------------------------------------------------------------------------------


def placed_strings(node: object, transform: Sequence[float] = (1, 0, 0, 1, 0, 0)) -> Iterator[tuple[String, tuple]]:
    """Every String in a drawing with the transform that places it on the drawing."""
    if isinstance(node, String):
        yield node, tuple(transform)
    elif isinstance(node, Group):
        inner = mmult(transform, node.transform)
        for child in node.contents:
            yield from placed_strings(child, inner)


def ink_box(string: String, transform: Sequence[float]) -> tuple[float, float, float, float]:
    """The box a line of text inks (cap height above, descenders below), on the drawing."""
    x1, _, x2, _ = string.getBounds()
    size = string.fontSize
    corners = [transformPoint(transform, (x, y)) for x in (x1, x2)
               for y in (string.y - 0.15 * size, string.y + 0.72 * size)]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def check_drawing(drawing: Drawing) -> None:
    """Inside its bounds, every word in our font at 7 pt or more, and no two lines of text touching."""
    x1, y1, x2, y2 = drawing.getBounds()
    assert x1 >= 0 and y1 >= 0 and x2 <= drawing.width and y2 <= drawing.height, (
        drawing.getBounds(), drawing.width, drawing.height)
    strings = list(placed_strings(drawing))
    assert strings
    for string, _ in strings:
        assert string.fontName in {fonts.REGULAR, fonts.BOLD, fonts.ITALIC}, string.fontName
        assert string.fontSize >= 7, (string.text, string.fontSize)
    boxes = [(string.text, ink_box(string, transform)) for string, transform in strings if string.text.strip()]
    for (text_a, a), (text_b, b) in itertools.combinations(boxes, 2):
        apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
        assert apart, f"{text_a!r} {a} overlaps {text_b!r} {b}"


def pdf_text(tmp_path: Path, *drawings: Drawing) -> str:
    """Place the drawings on A4 pages with 18 mm margins and read the words back, whitespace collapsed."""
    for drawing in drawings:
        check_drawing(drawing)
    path = tmp_path / "charts.pdf"
    story = [item for drawing in drawings for item in (drawing, Spacer(1, 12))]
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                      bottomMargin=MARGIN, initialFontName=fonts.REGULAR).build(story)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return " ".join(text.split())


def label_column(drawing: Drawing) -> str:
    """The words down the left edge of a chart (domain titles and what is said of them), top to bottom."""
    placed = [(transformPoint(transform, (string.x, string.y)), string.text)
              for string, transform in placed_strings(drawing) if string.textAnchor == "start"]
    left = min(x for (x, _), _ in placed)
    return " ".join(text for (x, y), text in sorted(placed, key=lambda item: -item[0][1]) if abs(x - left) < 0.01)


def fonts_in(tmp_path: Path) -> str:
    return subprocess.run(["pdffonts", str(tmp_path / "charts.pdf")], check=True, capture_output=True,
                          text=True).stdout


# --- SHANARRI wheel -------------------------------------------------------------------------------------------


def test_wheel_names_each_indicator_with_its_level(tmp_path: Path) -> None:
    text = pdf_text(tmp_path, shanarri_wheel(MIXED, centre_label="Siobhán Ní Bhriain"))
    for name in INDICATORS:
        assert name in text
    for words in ("Significant concerns", "Wellbeing needs met", "Some concerns", "Not known", "Not yet rated",
                  "Not known or not yet rated", "Siobhán Ní Bhriain"):
        assert words in text
    assert "Helvetica" not in fonts_in(tmp_path)


@pytest.mark.parametrize("name", ["Дмитрий Иванов", "Ἀλέξανδρος", "Łukasz Wróblewski", "Zoë Ó Súilleabháin"])
def test_wheel_centre_writes_any_name(tmp_path: Path, name: str) -> None:
    text = pdf_text(tmp_path, shanarri_wheel(MIXED, centre_label=name))
    assert name in text


def test_wheel_centre_keeps_a_very_long_name_inside(tmp_path: Path) -> None:
    wheel = shanarri_wheel(MIXED, centre_label="Ἀλέξανδρος Παπαδόπουλος-Κωνσταντινίδης")
    text = pdf_text(tmp_path, wheel)
    # split after its hyphen; pdftotext joins such a line break back up
    assert "Ἀλέξανδρος" in text and "Παπαδόπουλος" in text and "Κωνσταντινίδης" in text


def test_wheel_with_every_indicator_not_known(tmp_path: Path) -> None:
    text = pdf_text(tmp_path, shanarri_wheel([rating(name, "unknown") for name in INDICATORS]))
    assert text.count("Not known") == len(INDICATORS) + 1  # each wedge and the key
    assert "Wellbeing" in text


def test_wheel_with_nothing_rated_still_shows_the_eight_indicators(tmp_path: Path) -> None:
    text = pdf_text(tmp_path, shanarri_wheel([]), shanarri_wheel([rating(name, None) for name in INDICATORS]))
    for name in INDICATORS:
        assert text.count(name) == 2
    assert text.count("Not yet rated") == 2 * len(INDICATORS)


@pytest.mark.parametrize("width", [80 * MM, 120 * MM, 174 * MM])
def test_wheel_fits_any_reasonable_width(tmp_path: Path, width: float) -> None:
    wheel = shanarri_wheel(MIXED, width)
    assert wheel.width == pytest.approx(width)
    assert "Responsible" in pdf_text(tmp_path, wheel)


def test_small_wheel_puts_a_long_name_above_it(tmp_path: Path) -> None:
    wheel = shanarri_wheel(MIXED, 80 * MM, centre_label="Siobhán Ní Bhriain-Montgomery")
    assert "Siobhán Ní Bhriain-Montgomery" in pdf_text(tmp_path, wheel)
    name = next(s for s, _ in placed_strings(wheel) if s.text.startswith("Siobhán"))
    top = max(s.y for s, _ in placed_strings(wheel) if s.text in INDICATORS)
    assert name.y > top


def test_tone_colours_cover_every_tone() -> None:
    assert set(TONE_COLOURS) == {"good", "caution", "concern", "unknown"}
    assert len({colour.hexval() for colour in TONE_COLOURS.values()}) == 4


# --- Resilience Matrix ----------------------------------------------------------------------------------------


def test_matrix_places_the_child_and_says_where(tmp_path: Path) -> None:
    text = pdf_text(tmp_path, resilience_matrix({"resilience": 2, "environment": -3, "resilience_factors": ["x"]}))
    assert "resilience +2, environment -3" in text
    for words in ("Resilient child, protective environment", "Resilient child, adverse environment",
                  "Vulnerable child, protective environment", "Vulnerable child, adverse environment",
                  "Adversity", "Protective environment", "Vulnerability", "Resilience"):
        assert words in text
    assert "Not yet placed" not in text
    for tick in ("-5", "-1", "0", "+1", "+5"):
        assert tick in text.split()


@pytest.mark.parametrize(("resilience", "environment", "where"), [
    (5, 5, "Resilient child, protective environment"),
    (-5, -5, "Vulnerable child, adverse environment"),
    (5, -5, "Resilient child, adverse environment"),
    (-5, 5, "Vulnerable child, protective environment"),
    (0, 0, "At the centre of the matrix"),
    (0, 4, "On the line between resilience and vulnerability"),
])
def test_matrix_extremes_stay_inside(tmp_path: Path, resilience: int, environment: int, where: str) -> None:
    text = pdf_text(tmp_path, resilience_matrix({"resilience": resilience, "environment": environment}))
    signed = {0: "0", 4: "+4", 5: "+5", -5: "-5"}
    assert f"resilience {signed[resilience]}, environment {signed[environment]}" in text
    assert where in text


@pytest.mark.parametrize("answer", [None, {}, {"resilience": None, "environment": None}, {"resilience": 3}])
def test_matrix_not_yet_placed(tmp_path: Path, answer: dict[str, int | None] | None) -> None:
    text = pdf_text(tmp_path, resilience_matrix(answer))
    assert "Not yet placed on the matrix" in text
    assert "The child's place" not in text
    assert "Resilient child, protective environment" in text


@pytest.mark.parametrize("width", [80 * MM, 174 * MM])
def test_matrix_at_other_widths(tmp_path: Path, width: float) -> None:
    matrix = resilience_matrix({"resilience": -4, "environment": 1}, width)
    assert matrix.width == pytest.approx(width)
    text = pdf_text(tmp_path, matrix)
    assert "resilience -4, environment +1" in text and "Vulnerable child, protective environment" in text


def test_matrix_refuses_a_value_off_the_scale() -> None:
    with pytest.raises(ValueError, match="resilience"):
        resilience_matrix({"resilience": 6, "environment": 0})


# --- neglect domain profile -----------------------------------------------------------------------------------


def test_profile_gives_each_domain_its_numbers(tmp_path: Path) -> None:
    chart = domain_profile_chart(PROFILE)
    text = pdf_text(tmp_path, chart)
    assert label_column(chart).startswith(
        "Physical care mean 3.0, worst 4, 2 items at 4–5 "
        "Safety and supervision mean 1.3, worst 2, none at 4–5, 1 not known "
        "Emotional care and belonging mean 4.7, worst 5, 3 items at 4–5 "
        "Development, learning and play 4 items, 4 not answered")
    assert "not yet graded" in text and "mean 1.3, worst 2, none at 4–5, 1 not" in text
    for words in ("met", "mostly met", "inconsistently", "mostly not met", "not met", "worst grade",
                  "lower is better"):
        assert words in text
    assert set("12345") <= set(text.split())


def test_profile_with_one_domain_and_a_very_long_title(tmp_path: Path) -> None:
    one = domain_profile_chart([domain("physical", "Physical care", [1])])
    long = domain_profile_chart([domain("development", LONG_TITLE, [3, 4, 2, 5])])
    text = pdf_text(tmp_path, one, long)
    assert "mean 1.0, worst 1, none at 4–5" in text
    assert "Development, learning and play, including" in text and "…" in text
    assert "1 item at 4–5" not in text and "2 items at 4–5" in text


@pytest.mark.parametrize("width", [120 * MM, 174 * MM])
def test_bar_charts_at_other_widths(tmp_path: Path, width: float) -> None:
    profile = domain_profile_chart([*PROFILE, domain("long", LONG_TITLE, [2, 2])], width)
    change = profile_change_chart(EARLIER, PROFILE, "Approved 12 March 2024 by the team lead", "3 October 2024", width)
    text = pdf_text(tmp_path, profile, change)
    assert "mean 4.7, worst 5, 3 items at 4–5" in text and "worse by 1.4" in text
    assert "inconsistently" in text or "sometimes" in text


def test_profile_with_no_domains(tmp_path: Path) -> None:
    assert "No neglect domains to show yet." in pdf_text(tmp_path, domain_profile_chart([]))


# --- change since the last approved assessment ----------------------------------------------------------------


def test_change_reads_the_right_way_round(tmp_path: Path) -> None:
    current = [*PROFILE[:3], domain("development", "Development, learning and play", [3, 3, 3, 3]),
               domain("new", "A domain added since", [2])]
    chart = profile_change_chart(EARLIER, current, "Approved 12 March 2024", "Approved 3 October 2024")
    text = pdf_text(tmp_path, chart)
    assert label_column(chart).startswith(
        "Physical care improved by 1.0, worst 5 to 4 "  # 4.0 -> 3.0: lower is better; the worst grade too
        "Safety and supervision improved by 0.5, same worst grade "  # 1.8 -> 1.3, as the bars print them
        "Emotional care and belonging worse by 1.4, worst 4 to 5 "  # 3.3 -> 4.7
        "Development, learning and play no change, same worst grade "
        "A domain added since new")
    for words in ("4.0", "3.0", "1.8", "1.3", "improved by 1.0", "worse by 1.4", "no change",
                  "Approved 12 March 2024", "Approved 3 October 2024"):
        assert words in text


def test_change_with_domains_missing_on_either_side(tmp_path: Path) -> None:
    current = [domain("physical", "Physical care", [2]), domain("development", "Development, learning and play", [])]
    earlier = [domain("physical", "Physical care", []), domain("old", "A domain no longer used", [3])]
    chart = profile_change_chart(earlier, current, "2023", "2024")
    text = pdf_text(tmp_path, chart)
    assert label_column(chart).startswith("Physical care new Development, learning and play not yet graded this time "
                                          "A domain no longer used not in the latest assessment")
    for words in ("not part of the earlier assessment", "not graded in the earlier assessment",
                  "not graded in the latest assessment", "not part of the latest assessment", "2023", "2024"):
        assert words in text


def test_change_with_nothing_to_compare(tmp_path: Path) -> None:
    assert "No neglect domains to compare yet." in pdf_text(tmp_path, profile_change_chart([], [], "a", "b"))


def test_change_words() -> None:
    before, after = domain("d", "D", [3]), domain("d", "D", [2, 3])
    assert change_words(before, after) == "improved by 0.5"
    assert change_words(after, before) == "worse by 0.5"
    assert change_words(before, before) == "no change"
    assert change_words(None, after) == "new"
    assert change_words(after, None) == "not in the latest assessment"
