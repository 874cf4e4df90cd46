"""The approval line on the cover: "Approved by NAME (Team lead) on D Month YYYY" (issue 13, DESIGN §9.7).

The cover belongs to the author's certified revision, made before any approval exists, so the line is a read-only
text field there, holding "Awaiting ..." until the team lead approves. The approval fills it in the same
incremental revision its signature covers (DocMDP level 2 allows form filling), so the words printed on page 1
are signed by the approver. Verification derives the line from the approval signature (the signer's certificate
and signing time) and refuses a document whose line says anything else, was filled before or after that
signature, or comes from a revision between the certification and the approval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils import layout as box_layout
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.stamp import TextStamp, TextStampStyle

from cpassess.export import layout
from cpassess.workflow import ROLE_LABELS, Role

AWAITING = "Awaiting the team lead's approval signature"
APPROVER_ROLE = ROLE_LABELS[Role.TEAM_LEAD]
# every character an approval line can hold besides the approver's name, for the signer's font cut
CHARACTERS = (f"{AWAITING} Approved by () on {APPROVER_ROLE} 0123456789 January February March April May June July "
              "August September October November December")
FONT_SIZE = 9.5
HEIGHT = 14.0  # points: one line of the cover's values, with room for descenders
_SMALLEST = 6.0
_UK = ZoneInfo("Europe/London")
# the field is read-only (bit 1) and printed (annotation flag 4); no viewer regenerates it from the value
_READ_ONLY, _PRINT = 1, 4

Box = tuple[float, float, float, float]

CHANGED_BEFORE = "the cover's approval line was filled in before the approval was signed"
BETWEEN = "something was added to the document between the author's certification and the approval"


def approval_text(name: str, signed_at: dt.datetime) -> str:
    """The line as the approval signature makes it: the day is the UK date of the signing time."""
    day = signed_at.astimezone(_UK).date()
    return f"Approved by {name} ({APPROVER_ROLE}) on {day.day} {day:%B %Y}"


def add_field(writer: IncrementalPdfFileWriter, box: Box, font: object) -> None:
    """At certification: the empty approval line, a read-only text field on the cover at `box` (page 1),
    showing AWAITING in `font` (a pyHanko font engine factory)."""
    page_ref = writer.find_page_for_modification(0)[0]  # type: ignore[no-untyped-call]
    # pyHanko lays out in whole points; half a point either way does not show
    box = (round(box[0]), round(box[1]), round(box[2]), round(box[3]))
    number = generic.NumberObject
    field = generic.DictionaryObject({  # type: ignore[no-untyped-call]
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/FT"): pdf_name("/Tx"), pdf_name("/T"): generic.TextStringObject(layout.APPROVAL_LINE_FIELD),
        pdf_name("/Ff"): number(_READ_ONLY), pdf_name("/F"): number(_PRINT),  # type: ignore[no-untyped-call]
        pdf_name("/Rect"): generic.ArrayObject(number(value) for value in box),  # type: ignore[no-untyped-call]
        pdf_name("/P"): page_ref, pdf_name("/DA"): generic.pdf_string(f"/F1 {FONT_SIZE:g} Tf 0 g"),
    })
    _show(writer, field, AWAITING, box, font)
    field_ref = writer.add_object(field)
    writer.register_annotation(page_ref, field_ref)  # type: ignore[no-untyped-call]
    form = writer.root["/AcroForm"]
    form["/Fields"].append(field_ref)
    writer.update_container(form)


def fill(writer: IncrementalPdfFileWriter, text: str, font: object) -> bool:
    """At approval, in the revision the approval signs: the line set to `text`. False when the document was
    certified without an approval line."""
    field = _field(writer.root)
    if field is None:
        return False
    box: Box = tuple(round(float(value)) for value in field["/Rect"])  # type: ignore[assignment]
    _show(writer, field, text, box, font)
    writer.update_container(field)
    return True


def _show(writer: IncrementalPdfFileWriter, field: generic.DictionaryObject, text: str, box: Box,
          font: object) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth  # not needed to verify a PDF, which imports this module

    from cpassess.export import fonts

    fonts.register_fonts()  # an approval is made without rendering anything in this process
    width, height = box[2] - box[0], box[3] - box[1]
    natural = stringWidth(text, fonts.REGULAR, FONT_SIZE)
    size = max(_SMALLEST, FONT_SIZE * min(1.0, (width - 1) / natural)) if natural else FONT_SIZE
    # set flush left in the room the cover left, at the cover's own size: pyHanko's text boxes have margins and
    # shrink what does not fit, which the size above already avoids
    flush = box_layout.SimpleBoxLayoutRule(
        x_align=box_layout.AxisAlignment.ALIGN_MIN, y_align=box_layout.AxisAlignment.ALIGN_MAX,
        margins=box_layout.Margins(left=0, right=0, top=0, bottom=0))
    style = TextStampStyle(
        stamp_text="%(line)s", border_width=0,
        text_box_style=TextBoxStyle(font=font, font_size=size, leading=round(size),  # type: ignore[arg-type]
                                    text_color=(0.12, 0.16, 0.2), box_layout_rule=flush),
        inner_content_layout=flush,
    )
    stamp = TextStamp(writer, style, text_params={"line": text},
                      box=box_layout.BoxConstraints(width=width, height=height))
    field[pdf_name("/V")] = generic.TextStringObject(text)
    field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): stamp.register()})  # type: ignore[no-untyped-call]


def _field(root: generic.DictionaryObject) -> generic.DictionaryObject | None:
    try:
        fields = root["/AcroForm"]["/Fields"]
    except KeyError:
        return None
    for reference in fields:
        field = reference.get_object()
        if str(field.get("/T", "")) == layout.APPROVAL_LINE_FIELD and field.get("/FT") == "/Tx":
            found: generic.DictionaryObject = field
            return found
    return None


def _value(root: generic.DictionaryObject) -> str | None:
    field = _field(root)
    return None if field is None else str(field.get("/V", ""))


def problems(reader: PdfFileReader, signatures: Sequence[EmbeddedPdfSignature],
             approval: tuple[int, str, dt.datetime | None] | None) -> list[str]:
    """What is wrong with the approval line of a document whose first signature is the certification, given
    the approval signature (its index in `signatures`, the signer's name, the signing time) if there is one."""
    certified = signatures[0].signed_revision
    at_certification = _value(reader.get_historical_root(certified))
    latest = _value(reader.root)
    if at_certification is None:  # certified before the cover had the line: it claims nothing
        return [] if latest is None else ["an approval line was added to the cover after the author certified it"]
    if at_certification != AWAITING:
        return [CHANGED_BEFORE]
    if approval is None:
        return [] if latest == AWAITING else ["the cover's approval line was filled in without an approval signature"]
    index, name, signed_at = approval
    revision = signatures[index].signed_revision
    if revision != certified + 1:
        return [BETWEEN]
    shown = _value(reader.get_historical_root(revision))
    if signed_at is None or shown != approval_text(name, signed_at):
        return [f"the cover says “{shown}”, which is not the approval that was signed"
                + (f" (by {name} on {approval_text(name, signed_at).rsplit(' on ', 1)[1]})" if signed_at else "")]
    if latest != shown:
        return ["the cover's approval line was changed after the approval was signed"]
    return []
