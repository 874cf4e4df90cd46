"""The practitioner's words set as typed (DESIGN §9.1): escaped, line breaks and runs of spaces kept, one paragraph
per typed paragraph so long text flows across pages, a word broken only when it is wider than its line, and each
paragraph laid out once per width."""

from __future__ import annotations

import re
import weakref
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaFrag

from cpassess.export import fonts, layout
from cpassess.export._pages import INK, MUTED

TEXT_WIDTH = layout.PAGE_WIDTH - 2 * layout.MARGIN


def styles() -> dict[str, ParagraphStyle]:
    fonts.register_fonts()
    base = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=10, leading=14, textColor=INK,
                          splitLongWords=False, allowWidows=0, allowOrphans=0)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=fonts.BOLD, fontSize=18, leading=23, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10.5, textColor=MUTED, spaceAfter=10),
        "section": ParagraphStyle("section", parent=base, fontName=fonts.BOLD, fontSize=13.5, leading=18,
                                  spaceBefore=14, spaceAfter=6, textColor=colors.HexColor("#1c3d5a"),
                                  keepWithNext=1),
        "label": ParagraphStyle("label", parent=base, fontName=fonts.BOLD, fontSize=10, leading=13, spaceBefore=8,
                                spaceAfter=2, keepWithNext=1),
        "label_loose": ParagraphStyle("label_loose", parent=base, fontName=fonts.BOLD, fontSize=10, leading=13,
                                      spaceBefore=8, spaceAfter=2),
        "block_head": ParagraphStyle("block_head", parent=base, fontName=fonts.BOLD, fontSize=9.5, leading=13),
        "note": ParagraphStyle("note", parent=base, fontName=fonts.ITALIC, fontSize=9, leading=12, textColor=MUTED),
        "unanswered": ParagraphStyle("unanswered", parent=base, fontName=fonts.ITALIC, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName=fonts.BOLD, fontSize=9, leading=12),
        "cover_key": ParagraphStyle("cover_key", parent=base, fontName=fonts.BOLD, fontSize=9.5, leading=13,
                                    textColor=MUTED),
        "cover_value": ParagraphStyle("cover_value", parent=base, fontSize=9.5, leading=13),
    }


def typed(value: str) -> str:
    """Markup for text exactly as typed: escaped, line breaks kept, runs of spaces kept."""
    value = escape(value.replace("\t", "    "))
    value = re.sub(r"  +", lambda m: " " + "&nbsp;" * (len(m.group()) - 1), value)
    return value.replace("\r\n", "\n").replace("\n", "<br/>")


def fitting(text: str, style: ParagraphStyle, width: float | None) -> ParagraphStyle:
    """`style`, allowed to break a word in the middle only when the word is wider than the line (a pasted
    address or reference): the rest wrap between words. Only words long enough that they might not fit, even in
    the widest glyphs, are measured."""
    if width is None:
        return style
    surely_fits = width / (style.fontSize * fonts.WIDEST_GLYPH)
    if all(len(word) <= surely_fits or stringWidth(word, style.fontName, style.fontSize) <= width
           for word in text.split()):
        return style
    return _splitting(style)


_MARKUP = re.compile(r"[<&]")  # a tag or an entity: text without either is one run in its style


class Text(Paragraph):  # type: ignore[misc]
    """A paragraph that lays its lines out once per width: reportlab measures each one again whenever it is
    wrapped (a table's cells when sizing rows, when drawing, and a kept-together group before it is placed).

    Text without markup is not parsed: reportlab's parser (an HTML parser per paragraph) would return one run of
    it in the style, which is made here from the style's run, kept once per style.
    """

    def __init__(self, text: str | None, style: ParagraphStyle, **paragraph: Any) -> None:
        if text is None or paragraph or _MARKUP.search(text):  # marked up, or reportlab splitting one
            super().__init__(text, style, **paragraph)
            return
        plain = cleanBlockQuotedText(text)
        super().__init__(plain, style, frags=[_run_of(style).clone(text=plain)])

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        # a copy made when splitting keeps the width but not the lines: then it is laid out afresh
        done = self.__dict__.get("_wrapped_at")
        if done is None or done[0] != available_width or done[1] is not self.__dict__.get("blPara"):
            width, height = super().wrap(available_width, available_height)
            if "blPara" not in self.__dict__:  # too narrow to set anything: nothing to keep
                return width, height
            self._wrapped_at = (available_width, self.blPara)
        return self.width, self.height


_RUNS: weakref.WeakKeyDictionary[ParagraphStyle, ParaFrag] = weakref.WeakKeyDictionary()


def _run_of(style: ParagraphStyle) -> ParaFrag:
    """The run reportlab's parser makes for plain text in `style` (its font, size, colour and the rest)."""
    run = _RUNS.get(style)
    if run is None:
        run = _RUNS[style] = Paragraph("x", style).frags[0]
    return run


def _splitting(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-split", parent=style, splitLongWords=True)


def paragraphs(value: str, style: ParagraphStyle, width: float | None = None) -> list[Flowable]:
    """A narrative as one Paragraph per typed paragraph, so long text flows across pages. `width` is the line it
    is set in (None: the whole text width)."""
    blocks = re.split(r"\n[ \t]*\n", value.replace("\r\n", "\n"))
    out: list[Flowable] = []
    for index, block in enumerate(blocks):
        if index:
            out.append(Spacer(1, 5))
        out.append(Text(typed(block), fitting(block, style, width or TEXT_WIDTH)))
    return out
