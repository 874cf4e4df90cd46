"""The pages a record is laid out on (DESIGN §9.1): A4 frames, and what is drawn on every page once the count is
known: the marking top and bottom, the footer (the child, the form, the record's fingerprint, "Page X of Y" and
DRAFT), the watermark, the outline entries, and the sign-off page's signature boxes."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any

from reportlab.lib import colors
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from cpassess.dates import uk_date
from cpassess.export import fonts, layout, outlines
from cpassess.export.record import PrintRecord
from cpassess.forms import fingerprint

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
RULE = colors.HexColor("#c5ccd6")
WATERMARK = "DRAFT — not approved"
FOOTER_DRAFT = "DRAFT — NOT APPROVED"
DRAFT_INK = colors.HexColor("#a3261c")


class NumberedCanvasMaker:
    """A canvas that waits for the last page, then writes the marking, "Page X of Y", the footer and the outline
    entries on all (a bookmark can only point at a page once that page is being written)."""

    def __init__(self, record: PrintRecord, bookmarks: dict[int, list[tuple[str, float]]]) -> None:
        self.record = record
        self.bookmarks = bookmarks  # page number -> (section title, top of its heading), filled while laying out

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from reportlab.pdfgen.canvas import Canvas

        record, bookmarks = self.record, self.bookmarks

        class NumberedCanvas(Canvas):  # type: ignore[misc]
            def __init__(self, *a: Any, **k: Any) -> None:
                super().__init__(*a, **k)
                self._saved: list[dict[str, Any]] = []

            def showPage(self) -> None:
                self._saved.append(dict(self.__dict__))
                self._startPage()

            def save(self) -> None:
                total = len(self._saved)
                for state in self._saved:
                    self.__dict__.update(state)
                    if record.draft and self._pageNumber == 1:
                        _define_watermark(self)
                    _decorate(self, record, self._pageNumber, total)
                    for index, (title, top) in enumerate(bookmarks.get(self._pageNumber, [])):
                        key = f"section-{self._pageNumber}-{index}"
                        self.bookmarkPage(key, fit="XYZ", left=0, top=top + 4)
                        self.addOutlineEntry(title, key, level=0)
                    super().showPage()
                super().save()

        return NumberedCanvas(*args, **kwargs)


def child_line(child: Mapping[str, Any]) -> str:
    """The child as every page footer names them: name and date of birth, or the expected date of delivery."""
    name = f"{child.get('given_names', '')} {child.get('family_name', '')}".strip()
    if child.get("date_of_birth"):
        return f"{name}, born {uk_date(child['date_of_birth'])}"
    if child.get("expected_date_of_delivery"):
        return f"{name}, expected {uk_date(child['expected_date_of_delivery'])}"
    return name


def _decorate(canvas: Any, record: PrintRecord, page: int, total: int) -> None:
    """Drawn over each finished page once the page count is known: the DRAFT watermark (on top, translucent, so
    no shaded table can hide it), the marking, and the footer: the child, the form, the content fingerprint,
    "Page X of Y" and, on a draft, DRAFT in words a pale photocopy keeps."""
    width, height = layout.PAGE_WIDTH, layout.PAGE_HEIGHT
    marking = record.marking.upper()
    if record.draft:
        canvas.saveState()
        canvas.setFillAlpha(0.13)  # set on the page: a form's own resources cannot carry reportlab's alpha state
        canvas.doForm(_WATERMARK_FORM)
        canvas.restoreState()
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setFont(fonts.BOLD, 10)
    canvas.drawCentredString(width / 2, height - layout.MARGIN + 6, marking)
    canvas.drawCentredString(width / 2, layout.MARKING_BASELINE, marking)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(layout.MARGIN, height - layout.MARGIN, width - layout.MARGIN, height - layout.MARGIN)
    canvas.line(layout.MARGIN, layout.FOOTER_HEIGHT, width - layout.MARGIN, layout.FOOTER_HEIGHT)
    first, second = layout.FOOTER_HEIGHT - 10, layout.FOOTER_HEIGHT - 20
    x = layout.MARGIN
    if record.draft:
        canvas.setFont(fonts.BOLD, 8)
        canvas.setFillColor(DRAFT_INK)
        canvas.drawString(x, first, FOOTER_DRAFT)
        x += stringWidth(FOOTER_DRAFT + "  ", fonts.BOLD, 8)
    canvas.setFont(fonts.BOLD, 8)
    canvas.setFillColor(INK)
    canvas.drawString(x, first, child_line(record.child))
    canvas.drawRightString(width - layout.MARGIN, first, f"Page {page} of {total}")
    canvas.setFont(fonts.REGULAR, 8)
    canvas.setFillColor(MUTED)
    copy = "Family copy · " if record.family_copy else ""
    footer = f"{copy}{record.form.title} (v{record.form.version}) · record {fingerprint(record.content_sha256)}"
    canvas.drawString(layout.MARGIN, second, footer)
    canvas.restoreState()


_WATERMARK_FORM = "DraftWatermark"


def _define_watermark(canvas: Any) -> None:
    """The watermark once per document, as glyph outlines in a form every page draws: no text to extract."""
    canvas.beginForm(_WATERMARK_FORM, lowerx=0, lowery=0, upperx=layout.PAGE_WIDTH, uppery=layout.PAGE_HEIGHT)
    canvas.saveState()
    canvas.setFillColorRGB(0.78, 0.2, 0.16)
    canvas.translate(layout.PAGE_WIDTH / 2, layout.PAGE_HEIGHT / 2)
    canvas.rotate(52)
    outlines.draw_outlined(canvas, WATERMARK, 54)
    canvas.restoreState()
    canvas.endForm()


def _draw_signature_boxes(canvas: Any, document: Any) -> None:
    record: PrintRecord = document.record
    canvas.saveState()
    boxes = ([(layout.AUTHOR_BOX, "Printed and certified by")] if record.is_chronology else
             [(layout.AUTHOR_BOX, "Author — certified on submission"), (layout.APPROVAL_BOX, "Team lead — approval")])
    for box, label in boxes:
        x1, y1, x2, y2 = box
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.8)
        canvas.rect(x1, y1, x2 - x1, y2 - y1)
        canvas.setFont(fonts.BOLD, 9.5)
        canvas.setFillColor(INK)
        canvas.drawString(x1, y2 + layout.BOX_LABEL_GAP - 2, label)
        if record.draft:
            canvas.setFont(fonts.ITALIC, 9)
            canvas.setFillColor(MUTED)
            canvas.drawCentredString((x1 + x2) / 2, (y1 + y2) / 2 - 3, "Not signed: this copy is a draft")
    canvas.restoreState()


def _timestamp(iso: str) -> TimeStamp:
    when = dt.datetime.fromisoformat(iso).astimezone(dt.UTC)
    stamp = TimeStamp(invariant=True)
    stamp.t = when.timestamp()
    stamp.lt = when.utctimetuple()
    stamp.YMDhms = tuple(stamp.lt)[:6]
    return stamp


class RecordDocument(BaseDocTemplate):  # type: ignore[misc]
    def __init__(self, buffer: io.BytesIO, record: PrintRecord) -> None:
        child = child_line(record.child)
        super().__init__(buffer, pagesize=(layout.PAGE_WIDTH, layout.PAGE_HEIGHT), leftMargin=layout.MARGIN,
                         rightMargin=layout.MARGIN, topMargin=layout.MARGIN + 4, bottomMargin=layout.FOOTER_HEIGHT,
                         title=f"{record.form.title}: {child}", author=record.author,
                         subject="The child's chronology" if record.is_chronology else "Child protection assessment",
                         lang="en-GB", keywords=layout.record_keywords(
                             record.content_sha256, record.audit_head, record.audit_database,
                             layout.CHRONOLOGY_FORM_ID if record.is_chronology else None),
                         creator="cpassess", invariant=True,
                         # else reportlab opens every page in Helvetica, a base-14 font that is never embedded
                         initialFontName=fonts.REGULAR)
        self.record = record
        self.bookmarks: dict[int, list[tuple[str, float]]] = {}
        body_height = layout.PAGE_HEIGHT - layout.MARGIN - 10 - layout.FOOTER_HEIGHT - 6
        content = Frame(layout.MARGIN, layout.FOOTER_HEIGHT + 6, layout.PAGE_WIDTH - 2 * layout.MARGIN, body_height,
                        id="content", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        signoff = Frame(layout.MARGIN, layout.SIGNOFF_FRAME_BOTTOM, layout.PAGE_WIDTH - 2 * layout.MARGIN,
                        layout.PAGE_HEIGHT - layout.MARGIN - 10 - layout.SIGNOFF_FRAME_BOTTOM, id="signoff",
                        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("content", [content]),
                               PageTemplate("signoff", [signoff], onPage=_draw_signature_boxes)])

    def _makeCanvas(self, *args: Any, **kwargs: Any) -> Any:
        canvas = super()._makeCanvas(*args, **kwargs)
        made = self.record.submitted_at or self.record.created
        if made:  # the true date, yet still a function of what is printed: invariant mode would say 2000-01-01
            canvas._doc._timeStamp = _timestamp(made)
        return canvas

    def afterFlowable(self, flowable: Flowable) -> None:
        title = getattr(flowable, "outline_title", None)
        if title:
            self.bookmarks.setdefault(self.page, []).append((title, self.frame._y + flowable.height))
