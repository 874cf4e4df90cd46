"""The case-conference PDF (DESIGN §9.1): A4, security marking on every page, "Page X of Y", a cover block,
every visible section in form order with the practitioner's words as typed, charts, and the sign-off page."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from cpassess.dates import uk_date
from cpassess.export import fonts, layout
from cpassess.export.record import PrintRecord, RenderedPdf
from cpassess.forms import Visibility, compute, fingerprint, is_empty
from cpassess.forms.definition import (
    ChoiceField,
    ComputedField,
    DateField,
    FormDefinition,
    GradeField,
    LongTextField,
    MultiChoiceField,
    NumberField,
    RatingField,
    RepeatField,
    ResilienceMatrixField,
    Section,
    TextField,
    YesNoUnknownField,
    options_of,
)

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
RULE = colors.HexColor("#c5ccd6")
SHADE = colors.HexColor("#eef1f5")
WATERMARK = "DRAFT — not approved"
WITHHELD = "Third-party information has been withheld from this family copy."


def withheld_note(note: Mapping[str, Any]) -> str:
    """What the family copy says under a table that lost rows or columns (from the copy's `withheld`)."""
    parts = []
    if note.get("rows"):
        parts.append(f"{note['rows']} row{'s' if note['rows'] != 1 else ''}")
    if note.get("columns"):
        parts.append("the column" + ("s " if len(note["columns"]) > 1 else " ") + ", ".join(note["columns"]))
    return f"Left out of this family copy: {' and '.join(parts)}." if parts else WITHHELD


def _styles() -> dict[str, ParagraphStyle]:
    fonts.register_fonts()
    base = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=10, leading=14, textColor=INK,
                          splitLongWords=True, allowWidows=0, allowOrphans=0)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=fonts.BOLD, fontSize=18, leading=23, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10.5, textColor=MUTED, spaceAfter=10),
        "section": ParagraphStyle("section", parent=base, fontName=fonts.BOLD, fontSize=13.5, leading=18,
                                  spaceBefore=14, spaceAfter=6, textColor=colors.HexColor("#1c3d5a")),
        "label": ParagraphStyle("label", parent=base, fontName=fonts.BOLD, fontSize=10, leading=13, spaceBefore=8,
                                spaceAfter=2),
        "note": ParagraphStyle("note", parent=base, fontName=fonts.ITALIC, fontSize=9, leading=12, textColor=MUTED),
        "unanswered": ParagraphStyle("unanswered", parent=base, fontName=fonts.ITALIC, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontName=fonts.BOLD, fontSize=9, leading=12),
        "cover_key": ParagraphStyle("cover_key", parent=base, fontName=fonts.BOLD, fontSize=9.5, leading=13,
                                    textColor=MUTED),
        "cover_value": ParagraphStyle("cover_value", parent=base, fontSize=9.5, leading=13),
    }


def _table_style(commands: list[tuple[Any, ...]]) -> TableStyle:
    """reportlab starts every table cell in Helvetica, a base-14 font that is never embedded: start in ours."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR), *commands])


def _text(value: str) -> str:
    """Markup for text exactly as typed: escaped, line breaks kept, runs of spaces kept."""
    value = escape(value.replace("\t", "    "))
    value = re.sub(r"  +", lambda m: " " + "&nbsp;" * (len(m.group()) - 1), value)
    return value.replace("\r\n", "\n").replace("\n", "<br/>")


def _paragraphs(value: str, style: ParagraphStyle) -> list[Flowable]:
    """A narrative as one Paragraph per typed paragraph, so long text flows across pages."""
    blocks = re.split(r"\n[ \t]*\n", value.replace("\r\n", "\n"))
    out: list[Flowable] = []
    for index, block in enumerate(blocks):
        if index:
            out.append(Spacer(1, 5))
        out.append(Paragraph(_text(block), style))
    return out


class _NumberedCanvasMaker:
    """A canvas that waits for the last page, then writes the marking, "Page X of Y" and the footer on all."""

    def __init__(self, record: PrintRecord) -> None:
        self.record = record

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from reportlab.pdfgen.canvas import Canvas

        record = self.record

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
                    _decorate(self, record, self._pageNumber, total)
                    super().showPage()
                super().save()

        return NumberedCanvas(*args, **kwargs)


def _decorate(canvas: Any, record: PrintRecord, page: int, total: int) -> None:
    """Drawn over each finished page once the page count is known: the DRAFT watermark (on top, translucent, so
    no shaded table can hide it), the marking, the footer with the fingerprint, and "Page X of Y"."""
    width, height = layout.PAGE_WIDTH, layout.PAGE_HEIGHT
    marking = record.marking.upper()
    if record.draft:
        _draw_watermark(canvas)
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setFont(fonts.BOLD, 10)
    canvas.drawCentredString(width / 2, height - layout.MARGIN + 6, marking)
    canvas.drawCentredString(width / 2, 6 * layout.MM, marking)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(layout.MARGIN, height - layout.MARGIN, width - layout.MARGIN, height - layout.MARGIN)
    canvas.line(layout.MARGIN, layout.FOOTER_HEIGHT, width - layout.MARGIN, layout.FOOTER_HEIGHT)
    canvas.setFont(fonts.REGULAR, 8)
    canvas.setFillColor(MUTED)
    copy = "Family copy · " if record.family_copy else ""
    footer = f"{copy}{record.form.title} (v{record.form.version}) · record {fingerprint(record.content_sha256)}"
    canvas.drawString(layout.MARGIN, layout.FOOTER_HEIGHT - 11, footer)
    canvas.drawRightString(width - layout.MARGIN, layout.FOOTER_HEIGHT - 11, f"Page {page} of {total}")
    canvas.restoreState()


def _draw_watermark(canvas: Any) -> None:
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.78, 0.2, 0.16, alpha=0.13))
    canvas.setFont(fonts.BOLD, 54)
    canvas.translate(layout.PAGE_WIDTH / 2, layout.PAGE_HEIGHT / 2)
    canvas.rotate(52)
    canvas.drawCentredString(0, -18, WATERMARK)
    canvas.restoreState()


def _draw_signature_boxes(canvas: Any, document: Any) -> None:
    record: PrintRecord = document.record
    canvas.saveState()
    for box, label in ((layout.AUTHOR_BOX, "Author — certified on submission"),
                       (layout.APPROVAL_BOX, "Team lead — approval")):
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


class _Document(BaseDocTemplate):  # type: ignore[misc]
    def __init__(self, buffer: io.BytesIO, record: PrintRecord) -> None:
        super().__init__(buffer, pagesize=(layout.PAGE_WIDTH, layout.PAGE_HEIGHT), leftMargin=layout.MARGIN,
                         rightMargin=layout.MARGIN, topMargin=layout.MARGIN + 4, bottomMargin=layout.FOOTER_HEIGHT,
                         title=f"{record.form.title}", author=record.author, subject="Child protection assessment",
                         keywords=layout.record_keywords(record.content_sha256, record.audit_head),
                         creator="cpassess", invariant=True,
                         # else reportlab opens every page in Helvetica, a base-14 font that is never embedded
                         initialFontName=fonts.REGULAR)
        self.record = record
        body_height = layout.PAGE_HEIGHT - layout.MARGIN - 10 - layout.FOOTER_HEIGHT - 6
        content = Frame(layout.MARGIN, layout.FOOTER_HEIGHT + 6, layout.PAGE_WIDTH - 2 * layout.MARGIN, body_height,
                        id="content", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        signoff = Frame(layout.MARGIN, layout.SIGNOFF_FRAME_BOTTOM, layout.PAGE_WIDTH - 2 * layout.MARGIN,
                        layout.PAGE_HEIGHT - layout.MARGIN - 10 - layout.SIGNOFF_FRAME_BOTTOM, id="signoff",
                        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("content", [content]),
                               PageTemplate("signoff", [signoff], onPage=_draw_signature_boxes)])


class _Builder:
    def __init__(self, record: PrintRecord) -> None:
        self.record = record
        self.form: FormDefinition = record.form
        self.styles = _styles()
        self.visibility = Visibility(record.form, record.answers)
        self.texts: list[str] = []  # every string printed, for the font coverage check
        self.width = layout.PAGE_WIDTH - 2 * layout.MARGIN

    def missing_characters(self) -> list[str]:
        """What the font cannot draw of everything the story printed (call after `story`)."""
        child = self.record.child
        names = [str(child.get(key) or "") for key in ("given_names", "family_name", "known_as", "address")]
        return fonts.missing_characters([*self.texts, *names])

    def p(self, text: str, style: str = "body") -> Paragraph:
        self.texts.append(text)
        return Paragraph(_text(text), self.styles[style])

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [*self.cover()]
        for section in self.form.sections:
            if self.visibility.section(section):
                story.extend(self.section(section))
        if self.record.comments:
            story.extend(self.comments())
        story.extend(self.signoff())
        return story

    # --- cover ---------------------------------------------------------------------------------------------

    def cover(self) -> Iterator[Flowable]:
        record, child = self.record, self.record.child
        yield self.p(record.form.title, "title")
        state = record.status if record.draft else "signed record"
        subtitle = f"Version {record.form.version} of this form · {state}"
        if record.family_copy:
            subtitle += " · family copy"
        yield self.p(subtitle, "subtitle")
        if record.family_copy:
            yield self.p(WITHHELD, "note")
            yield Spacer(1, 6)
        name = f"{child.get('given_names', '')} {child.get('family_name', '')}".strip()
        if child.get("known_as"):
            name += f" (known as {child['known_as']})"
        born = (f"{uk_date(child.get('date_of_birth'))}" if child.get("date_of_birth") else
                f"Unborn: expected {uk_date(child.get('expected_date_of_delivery'))}")
        protection = child.get("protection") or {}
        if protection.get("registered"):
            areas = ", ".join(self.record.register_labels.get(a, a) for a in protection.get("areas_of_concern", []))
            register = f"Registered since {uk_date(protection.get('registered_on'))}" + (f": {areas}" if areas else "")
        else:
            register = "Not on the Child Protection Register"
        meetings = "; ".join(f"{label} {uk_date(child.get(key))}" for label, key in
                             (("next CPPM", "next_cppm"), ("next core group", "next_core_group")) if child.get(key))
        child_rows = [("Child", name), ("Date of birth", born), ("CHI number", child.get("chi") or "Not recorded"),
                      ("Address", child.get("address") or ""), ("School or nursery", child.get("school") or ""),
                      ("Named person", child.get("named_person") or ""),
                      ("Lead professional", child.get("lead_professional") or ""),
                      ("Child protection status", register), ("Purpose", meetings)]
        assessment_rows = [("Assessment", f"{record.form.title}, version {record.form.version}"),
                           ("Record", f"{record.assessment_id} · fingerprint {fingerprint(record.content_sha256)}"),
                           ("Author", record.author), ("Started", uk_date(record.created))]
        if record.draft:
            assessment_rows += [("Reviewer", record.reviewer or "—"), ("Status", record.status),
                                ("Submitted", uk_date(record.submitted_at) or "—"),
                                ("Approved", uk_date(record.approved_at) or "—")]
        else:
            # these bytes are certified at submission and approved unchanged, so they say how approval is shown
            assessment_rows += [("Submitted", f"{uk_date(record.submitted_at)}, certified by the author"),
                                ("Approval", "By the team lead's digital signature on the sign-off page (last "
                                             "page). Without that signature this is not an approved record.")]
        yield self.key_values([*child_rows, ("", ""), *assessment_rows])

    def key_values(self, rows: Sequence[tuple[str, str]]) -> Table:
        data = [[self.p(key, "cover_key"), self.p(value, "cover_value")] for key, value in rows if key or value]
        table = Table(data, colWidths=[44 * layout.MM, self.width - 44 * layout.MM], hAlign="LEFT")
        table.setStyle(_table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                                   ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.white),
                                   ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
        return table

    # --- sections and fields -------------------------------------------------------------------------------

    def section(self, section: Section) -> Iterator[Flowable]:
        yield CondPageBreak(60 * layout.MM)
        yield self.p(section.title, "section")
        yield HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=0, spaceAfter=4)
        withheld = False
        for field in section.fields:
            if not self.visibility.field(field.id):
                continue
            if self.record.family_copy and field.sensitive:
                withheld = True
                continue
            yield from self.field(field)
            if self.record.family_copy and field.id in self.record.withheld:
                yield self.p(withheld_note(self.record.withheld[field.id]), "note")
        if withheld:
            yield Spacer(1, 4)
            yield self.p("Some information in this section has been withheld from the family copy.", "note")

    def field(self, field: Any) -> Iterator[Flowable]:
        value = self.record.answers.get(field.id)
        label = self.p(field.label, "label")
        if isinstance(field, ComputedField):
            first, *rest = self.computed(field)
            yield KeepTogether([label, first])
            yield from rest
            return
        if isinstance(field, RepeatField) and not is_empty(value):
            # A table can run over pages: start it where its label, header and first row fit, rather than keep it
            # whole with its label, which moves a long table to a new page and leaves this one (and its section
            # title) empty.
            yield CondPageBreak(35 * layout.MM)
            yield label
            yield from self.value(field, value)
            return
        if isinstance(field, ResilienceMatrixField) or (isinstance(field, LongTextField)
                                                                       and not is_empty(value)):
            first, *rest = self.value(field, value)
            yield KeepTogether([label, first])
            yield from rest
            return
        yield KeepTogether([label, *self.value(field, value)])

    def value(self, field: Any, value: Any) -> Iterator[Flowable]:
        if value is None or (is_empty(value) and not isinstance(field, GradeField)):
            yield self.p("Not answered", "unanswered")
            return
        match field:
            case TextField() | LongTextField():
                self.texts.append(value)
                yield from _paragraphs(value, self.styles["body"])
            case DateField():
                yield self.p(uk_date(value))
            case NumberField():
                yield self.p(f"{value} {field.unit}".strip())
            case ChoiceField() | YesNoUnknownField() | RatingField():
                yield self.p(self.option_label(field, value))
            case MultiChoiceField():
                yield self.p("; ".join(self.option_label(field, v) for v in value))
            case GradeField():
                yield from self.grade(field, value)
            case RepeatField():
                yield self.repeat(field, value)
            case ResilienceMatrixField():
                yield from self.matrix(value)

    def option_label(self, field: Any, value: str) -> str:
        options = options_of(field, self.form) or ()
        return next((option.label for option in options if option.id == value), value)

    def grade(self, field: GradeField, value: Mapping[str, Any]) -> Iterator[Flowable]:
        grade = value.get("grade")
        if grade is None:
            yield self.p("Not known")
        else:
            level = self.form.scale(field.scale).levels[grade - 1].label
            yield self.p(f"Grade {grade} — {level}")
            yield self.p(f"What this looks like: {field.descriptors[grade - 1]}", "note")
        evidence = value.get("evidence") or ""
        if evidence.strip():
            yield Spacer(1, 3)
            yield self.p(field.evidence_label, "cover_key")
            self.texts.append(evidence)
            yield from _paragraphs(evidence, self.styles["body"])

    def repeat(self, field: RepeatField, rows: Sequence[Mapping[str, Any]]) -> Flowable:
        columns = [c for c in field.fields if not (self.record.family_copy and c.sensitive)]
        header = [self.p(column.label, "cell_head") for column in columns]
        body = [[self.p(self.cell(column, row.get(column.id)), "cell") for column in columns] for row in rows]
        texts = [[column.label, *(self.cell(column, row.get(column.id)) for row in rows)] for column in columns]
        weights = [3 if isinstance(c, LongTextField) else 1 for c in columns]
        table = Table([header, *body], colWidths=self.column_widths(texts, weights), repeatRows=1, splitInRow=1,
                      hAlign="LEFT")
        table.setStyle(_table_style([("GRID", (0, 0), (-1, -1), 0.4, RULE), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 3),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        return table

    def column_widths(self, texts: Sequence[Sequence[str]], weights: Sequence[int]) -> list[float]:
        """Widths for columns of (header, *cells) texts: each as wide as its longest word, so that dates and names
        never break in the middle, and the rest of the width shared out by `weights`. When the page is too narrow
        for every longest word, the narrative columns (the heavier weights) give way first: they wrap anyway."""
        padding = 13  # reportlab's cell padding, 6 points each side, and a point to spare
        head, body = self.styles["cell_head"], self.styles["cell"]
        floors = []
        for header, *cells in texts:
            widest = [stringWidth(word, head.fontName, head.fontSize) for word in header.split()]
            widest += [stringWidth(word, body.fontName, body.fontSize) for text in cells for word in text.split()]
            floors.append(min(max(widest, default=0) + padding, self.width / 3))
        fixed = [False] * len(weights)
        if sum(floors) > self.width:
            narrow = min(weights)
            fixed = [weight == narrow for weight in weights]
            if sum(floor for floor, f in zip(floors, fixed, strict=True) if f) >= self.width or all(fixed):
                return [self.width * floor / sum(floors) for floor in floors]
        # columns whose share is below their floor get the floor; the others split what is left by weight
        while True:
            spare = self.width - sum(floor for floor, f in zip(floors, fixed, strict=True) if f)
            free = sum(w for w, f in zip(weights, fixed, strict=True) if not f)
            widths = [floor if f else spare * w / free for floor, w, f in zip(floors, weights, fixed, strict=True)]
            short = [i for i, width in enumerate(widths) if not fixed[i] and width < floors[i]]
            if not short or sum(floors) > self.width:
                return widths
            for i in short:
                fixed[i] = True

    def cell(self, column: Any, value: Any) -> str:
        if value is None or is_empty(value):
            return "—"
        match column:
            case DateField():
                return uk_date(value)
            case ChoiceField() | YesNoUnknownField() | RatingField():
                return self.option_label(column, value)
            case MultiChoiceField():
                return "; ".join(self.option_label(column, v) for v in value)
        return str(value)

    def matrix(self, value: Mapping[str, Any]) -> Iterator[Flowable]:
        from cpassess.export.charts import resilience_matrix

        yield resilience_matrix(value)
        lists = [("Resilience", "resilience_factors"), ("Vulnerability", "vulnerability_factors"),
                 ("Protective environment", "protective_factors"), ("Adversity", "adversity_factors")]
        cells = []
        for title, key in lists:
            items = value.get(key) or []
            self.texts.extend(items)
            text = "<br/>".join("• " + _text(item) for item in items) or "None recorded"
            cells.append([Paragraph(f"<b>{title}</b>", self.styles["cell"]), Paragraph(text, self.styles["cell"])])
        table = Table([[cells[0], cells[1]], [cells[2], cells[3]]], colWidths=[self.width / 2] * 2, hAlign="LEFT")
        table.setStyle(_table_style([("GRID", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        yield table

    def computed(self, field: ComputedField) -> Iterator[Flowable]:
        from cpassess.export import charts

        summary = compute(self.form, field, self.record.answers)
        if field.function == "neglect_profile":
            yield charts.domain_profile_chart(summary)
            rows = [["Domain", "Items", "Mean", "Worst", "At 4–5", "Not known"]]
            rows += [[d.title, str(d.items), f"{d.mean:.1f}" if d.mean is not None else "—",
                      str(d.worst) if d.worst is not None else "—", str(d.serious), str(d.not_known)]
                     for d in summary]
            yield self.simple_table(rows, [0.46, 0.1, 0.11, 0.11, 0.11, 0.11])
            if self.record.earlier is not None:
                # the heading stays with its chart rather than at the foot of a page
                yield KeepTogether([
                    self.p(f"Change since the last approved neglect assessment ({self.record.earlier.label})",
                           "label"),
                    charts.profile_change_chart(self.record.earlier.profile, summary, self.record.earlier.label,
                                                "This assessment")])
        elif field.function == "shanarri_overview":
            child = self.record.child
            centre = child.get("known_as") or child.get("given_names") or "Wellbeing"
            yield charts.shanarri_wheel(summary, centre_label=centre)
            yield self.simple_table([["Wellbeing indicator", "Rating"]] +
                                    [[item.label, item.level_label] for item in summary], [0.5, 0.5])

    def simple_table(self, rows: list[list[str]], fractions: list[float]) -> Table:
        data = [[self.p(cell, "cell_head" if r == 0 else "cell") for cell in row] for r, row in enumerate(rows)]
        table = Table(data, colWidths=[self.width * f for f in fractions], repeatRows=1, hAlign="LEFT")
        table.setStyle(_table_style([("GRID", (0, 0), (-1, -1), 0.4, RULE), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return table

    # --- comments and sign-off -----------------------------------------------------------------------------

    def comments(self) -> Iterator[Flowable]:
        yield CondPageBreak(50 * layout.MM)
        yield self.p("Review comments", "section")
        for comment in self.record.comments:
            yield self.p(f"{comment.author} on {comment.where}, {uk_date(comment.created)}", "label")
            self.texts.append(comment.text)
            yield from _paragraphs(comment.text, self.styles["body"])

    def signoff(self) -> Iterator[Flowable]:
        record = self.record
        yield NextPageTemplate("signoff")
        yield PageBreak()
        yield self.p("Sign-off", "section")
        yield HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=0, spaceAfter=6)
        if record.draft:
            yield self.p("This copy is a draft and has not been approved. It must not be relied on as the record "
                         "of the assessment.")
        else:
            yield self.p("The author certified this document when submitting it. It becomes the approved record "
                         "only when it carries the team lead's approval signature in the box below. Any change "
                         "made after signing breaks the signatures: check them with a PDF reader that trusts the "
                         "team's signing authority, or with cpassess verify-pdf.")
        yield Spacer(1, 8)
        yield self.key_values([
            ("Content SHA-256", record.content_sha256),
            ("Fingerprint", f"{fingerprint(record.content_sha256)} (printed in every page footer)"),
            ("Audit chain head", record.audit_head or "—"),
            ("Author", record.author),
        ])


def render(record: PrintRecord) -> RenderedPdf:
    """Lay out and write the PDF for `record`."""
    builder = _Builder(record)
    story = builder.story()
    buffer = io.BytesIO()
    document = _Document(buffer, record)
    document.build(story, canvasmaker=_NumberedCanvasMaker(record))
    return RenderedPdf(buffer.getvalue(), document.page, builder.missing_characters())


def missing_characters(record: PrintRecord) -> list[str]:
    """The characters of `record` the embedded font cannot draw, as `render` reports them, without laying it out
    (for a signed record rendered earlier)."""
    builder = _Builder(record)
    builder.story()
    return builder.missing_characters()
