"""The case-conference PDF (DESIGN §9.1): A4, security marking on every page, "Page X of Y", a cover block
(cpassess.export.cover), every visible section in form order with the practitioner's words as typed
(cpassess.export.paragraphs), charts, and the sign-off page."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.flowables import HRFlowable

from cpassess.dates import uk_date
from cpassess.export import fonts, layout
from cpassess.export._pages import RULE, NumberedCanvasMaker, RecordDocument
from cpassess.export.cover import HEAD_SHADE, SHADE, WITHHELD, ApprovalLineSpace, cover, key_values
from cpassess.export.paragraphs import Text, fitting, paragraphs, styles, typed
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

CELL_PADDING = 13  # reportlab's cell padding, 6 points each side, and a point to spare
MIN_SPLIT = 40  # points: a table row split over a page leaves at least three lines on each
TALL_START = layout.PAGE_HEIGHT / 4  # a repeat's first table or block this tall starts where it is, not kept whole
READABLE_SAMPLE = "the child needs a safe pl"  # about 25 characters of ordinary text: the narrowest readable cell
SECOND_PERSON = re.compile(r"(your|you)\b", re.IGNORECASE)


def withheld_note(note: Mapping[str, Any]) -> str:
    """What the family copy says under a table that lost rows or columns (from the copy's `withheld`)."""
    parts = []
    if note.get("rows"):
        parts.append(f"{note['rows']} row{'s' if note['rows'] != 1 else ''}")
    if note.get("columns"):
        parts.append("the column" + ("s " if len(note["columns"]) > 1 else " ") + ", ".join(note["columns"]))
    return f"Left out of this family copy: {' and '.join(parts)}." if parts else WITHHELD


def _in_order(field: RepeatField, rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Rows as printed: a repeat that starts with a date (a chronology) in date order, undated rows last; any
    other in the order entered."""
    first = field.fields[0] if field.fields else None
    if not isinstance(first, DateField):
        return list(rows)
    return sorted(rows, key=lambda row: (not row.get(first.id), str(row.get(first.id) or "")))


def _record_label(field: Any) -> str | None:
    """The heading a question's answer prints under. A label that speaks to the practitioner ("Your analysis")
    is right on the screen but not in a record: the form's own heading for the record (`record_label`, where a
    form version gives one) replaces it, and without one the answer stands under its section's title."""
    neutral = getattr(field, "record_label", None)
    if neutral:
        return str(neutral)
    return None if SECOND_PERSON.match(field.label) else str(field.label)


def _part_title(section: Section) -> str:
    """ "My World Triangle: My wider world" -> "My wider world": the side's own name."""
    return section.title.split(":", 1)[-1].strip()


def _kept(flowables: list[Flowable]) -> list[Flowable]:
    """`flowables` kept on one page: reportlab groups a run of keep-with-next flowables with the one after it.
    (Not a KeepTogether: a container breaks such a run, so a section heading before it would be left behind.)"""
    for flowable in flowables[:-1]:
        flowable.__dict__["keepWithNext"] = 1  # a chart's Drawing refuses attributes it does not declare
    return flowables


def _ruled() -> HRFlowable:
    rule = HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=0, spaceAfter=4)
    rule.keepWithNext = 1
    return rule


class _Builder:
    def __init__(self, record: PrintRecord) -> None:
        self.record = record
        self.form: FormDefinition = record.form
        self.styles = styles()
        self.visibility = Visibility(record.form, record.answers)
        self.texts: list[str] = []  # every string printed, for the font coverage check
        self.width = layout.PAGE_WIDTH - 2 * layout.MARGIN
        self.approval_line: ApprovalLineSpace | None = None  # on a record for signing, set by the cover

    def missing_characters(self) -> list[str]:
        """What the font cannot draw of everything the story printed (call after `story`)."""
        child = self.record.child
        names = [str(child.get(key) or "") for key in ("given_names", "family_name", "known_as", "address")]
        return fonts.missing_characters([*self.texts, *names])

    def heading(self, title: str) -> Paragraph:
        """A section heading, with its entry in the PDF's outline (see RecordDocument.afterFlowable)."""
        heading = self.p(title, "section")
        heading.outline_title = title
        return heading

    def p(self, text: str, style: str = "body", width: float | None = None) -> Paragraph:
        """`text` as typed in one paragraph set `width` wide (None: the whole text width)."""
        self.texts.append(text)
        return Text(typed(text), fitting(text, self.styles[style], width or self.width))

    def story(self) -> list[Flowable]:
        story: list[Flowable] = [*cover(self), PageBreak()]
        for section in self.form.sections:
            if self.visibility.section(section):
                story.extend(self.section(section))
        if self.record.comments:
            story.extend(self.comments())
        story.extend(self.signoff())
        return story

    def answer_text(self, field_id: str) -> str:
        """The printed form of one top-level answer (an option's label rather than its id)."""
        try:
            field = self.form.field(field_id)
        except KeyError:
            return str(self.record.answers.get(field_id))
        return self.cell(field, self.record.answers.get(field_id))

    # --- sections and fields -------------------------------------------------------------------------------

    def section(self, section: Section) -> Iterator[Flowable]:
        # a section does not start in the last lines of a page; its heading keeps with what follows it
        yield CondPageBreak(30 * layout.MM)
        yield self.heading(section.title)
        yield _ruled()
        withheld = False
        rated = self.rated_items(section)
        if rated:
            yield from self.world_part(section, rated)
        for field in section.fields:
            if not self.visibility.field(field.id) or field.id in rated or field.id in rated.values():
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

    # --- the My World Triangle -------------------------------------------------------------------------------------

    def rated_items(self, section: Section) -> dict[str, str]:
        """A part of the child's world as the triangle asks about it: rated items each with its note (rating id
        -> note id), when the whole section is made of them (besides a summary); else empty."""
        shown = [f for f in section.fields if self.visibility.field(f.id)
                 and not (self.record.family_copy and f.sensitive)]
        ids = {f.id for f in shown}
        ratings = [f for f in shown if isinstance(f, RatingField)]
        if len(ratings) < 3 or any(f"{f.id}_note" not in ids for f in ratings):
            return {}
        return {f.id: f"{f.id}_note" for f in ratings}

    def world_sections(self) -> list[tuple[Section, dict[str, str]]]:
        return [(section, rated) for section in self.form.sections
                if self.visibility.section(section) and (rated := self.rated_items(section))]

    def world_part(self, section: Section, rated: Mapping[str, str]) -> Iterator[Flowable]:
        """The picture of the whole triangle under the first of its parts, then this part's items as one table:
        item, strength or pressure, and the note."""
        from cpassess.export.triangle import world_triangle

        parts = self.world_sections()
        if parts and parts[0][0] is section and len(parts) >= 3:
            child = self.record.child
            centre = child.get("known_as") or child.get("given_names") or "The child"
            sides = [(_part_title(part), [self.tone(rating_id) for rating_id in items])
                     for part, items in parts[:3]]
            self.texts.extend(title for title, _ in sides)
            yield from _kept([self.p("The child's world at a glance", "label"),
                              world_triangle(sides, centre)])
        rows = [["Item", "Rating", "Note"]]
        for rating_id, note_id in rated.items():
            rating = self.form.field(rating_id)
            rows.append([rating.label, self.cell(rating, self.record.answers.get(rating_id)),
                         str(self.record.answers.get(note_id) or "—")])
        yield self.simple_table(rows, [0.34, 0.16, 0.5])

    def tone(self, rating_id: str) -> str:
        """The tone of the level answered for a rating ("unknown" when unanswered)."""
        field = self.form.field(rating_id)
        value = self.record.answers.get(rating_id)
        if not isinstance(field, RatingField) or value is None:
            return "unknown"
        return next((level.tone for level in self.form.scale(field.scale).levels if level.id == value), "unknown")

    def field(self, field: Any) -> Iterator[Flowable]:
        """The question's label, kept with the start of its answer (see `_kept`): all of a short answer, the
        first paragraph of a narrative, the first row or block of a repeat, a chart and its table."""
        value = self.record.answers.get(field.id)
        heading = _record_label(field)
        if heading is None:  # the answer stands under its section's title
            yield from self.value(field, value)
            return
        label = self.p(heading, "label")
        if isinstance(field, ComputedField):
            yield label
            yield from self.computed(field)
        elif isinstance(field, RepeatField) and value and not is_empty(value):
            parts = self.repeat(field, value)
            if parts[0].wrap(self.width, layout.PAGE_HEIGHT)[1] > TALL_START:
                # kept whole with its label, a tall table or block (an action of a plan) that does not fit would
                # move to the next page and leave this one half empty: start it here, splitting inside its rows
                yield CondPageBreak(MIN_SPLIT + 3 * self.styles["label"].leading)
                label = self.p(heading, "label_loose")
            yield label
            yield from parts
        elif isinstance(field, ResilienceMatrixField) or (isinstance(field, LongTextField) and not is_empty(value)):
            yield label
            yield from self.value(field, value)
        else:
            yield from _kept([label, *self.value(field, value)])

    def value(self, field: Any, value: Any) -> Iterator[Flowable]:
        if value is None or (is_empty(value) and not isinstance(field, GradeField)):
            yield self.p("Not answered", "unanswered")
            return
        match field:
            case TextField() | LongTextField():
                self.texts.append(value)
                yield from paragraphs(value, self.styles["body"])
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
                yield from self.repeat(field, value)
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
            yield from paragraphs(evidence, self.styles["body"])

    def repeat(self, field: RepeatField, rows: Sequence[Mapping[str, Any]]) -> list[Flowable]:
        """A repeat as a table when every column can be given room to read (a date, a name, a sentence), else as
        one block per row: label beside value."""
        rows = _in_order(field, rows)
        columns = self.columns(field)
        texts = [[column.label, *(self.cell(column, row.get(column.id)) for row in rows)] for column in columns]
        weights = [3 if isinstance(c, LongTextField) else 1 for c in columns]
        widths = self.column_widths(texts, weights)
        if widths is None:
            return self.blocks(field, rows)
        header = [self.p(column.label, "cell_head", width - CELL_PADDING)
                  for column, width in zip(columns, widths, strict=True)]
        body = [[self.cell_flowables(column, row.get(column.id), width - CELL_PADDING)
                 for column, width in zip(columns, widths, strict=True)] for row in rows]
        return [self.splittable([header, *body], widths, [
            ("GRID", (0, 0), (-1, -1), 0.4, RULE), ("BACKGROUND", (0, 0), (-1, 0), SHADE)])]

    def columns(self, field: RepeatField) -> list[Any]:
        """The columns this copy prints: the family copy leaves out the sensitive ones."""
        return [c for c in field.fields if not (self.record.family_copy and c.sensitive)]

    def blocks(self, field: RepeatField, rows: Sequence[Mapping[str, Any]]) -> list[Flowable]:
        """One block per row of a wide repeat (a child's plan: one per action), its columns as label and value."""
        key_width = 40 * layout.MM
        value_width = self.width - key_width
        out: list[Flowable] = []
        for number, row in enumerate(rows, start=1):
            head = self.p(f"{field.item_label} {number} of {len(rows)}", "block_head")
            data: list[list[Any]] = [[head, ""]]
            data += [[self.p(column.label, "cover_key", key_width - CELL_PADDING),
                      self.cell_flowables(column, row.get(column.id), value_width - CELL_PADDING)]
                     for column in self.columns(field)]
            if number > 1:
                out.append(Spacer(1, 8))
            out.append(self.splittable(data, [key_width, value_width], [
                ("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), HEAD_SHADE),
                ("BACKGROUND", (0, 1), (0, -1), SHADE), ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("LINEBELOW", (0, 1), (-1, -2), 0.4, RULE)]))
        return out

    def splittable(self, data: list[list[Any]], widths: Sequence[float], commands: list[tuple[Any, ...]]) -> Table:
        """A table whose first row is its header, repeated only after a page break.

        reportlab's default is to split between rows first: a long row that does not fit leaves the rest of the
        page empty, and the remainder of the table is split again into that leftover space, so its header came
        back in the middle of the page before every long row. Split inside the row that does not fit instead,
        and never into a sliver of less than three lines."""
        table = Table(data, colWidths=list(widths), repeatRows=1, splitByRow=0, splitInRow=MIN_SPLIT,
                      hAlign="LEFT")
        table.setStyle(fonts.table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 3),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 4), *commands]))
        return table

    def cell_flowables(self, column: Any, value: Any, width: float) -> list[Flowable]:
        text = self.cell(column, value)
        self.texts.append(text)
        if isinstance(column, LongTextField) and not is_empty(value):
            return paragraphs(text, self.styles["cell"], width)
        return [Text(typed(text), fitting(text, self.styles["cell"], width))]

    def column_widths(self, texts: Sequence[Sequence[str]], weights: Sequence[int]) -> list[float] | None:
        """Widths for columns of (header, *cells) texts, or None when they cannot all be given room to read.

        A column whose every cell fits on one line narrower than about 25 characters (a date, a short name)
        is as wide as its widest cell; every other column is at least 25 characters wide and shares the rest of
        the width by `weights` (narratives are the heavier)."""
        head, body = self.styles["cell_head"], self.styles["cell"]
        readable = stringWidth(READABLE_SAMPLE, body.fontName, body.fontSize) + CELL_PADDING
        natural = []
        for header, *cells in texts:
            widest = [stringWidth(word, head.fontName, head.fontSize) for word in header.split()]
            widest += [stringWidth(text, body.fontName, body.fontSize) for text in cells]
            natural.append(max(widest, default=0) + CELL_PADDING)
        fixed = {i: width for i, width in enumerate(natural) if width <= readable}
        while True:
            free = [i for i in range(len(natural)) if i not in fixed]
            spare = self.width - sum(fixed.values())
            if spare < readable * len(free) - 0.01:
                return None
            if not free:
                return [width * self.width / sum(natural) for width in natural]
            share = {i: spare * weights[i] / sum(weights[j] for j in free) for i in free}
            narrow = {i: readable for i in free if share[i] < readable}
            wide = {i: natural[i] for i in free if share[i] > natural[i]}
            if not narrow and not wide:
                return [fixed[i] if i in fixed else share[i] for i in range(len(natural))]
            fixed.update(narrow or wide)

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
            text = "<br/>".join("• " + typed(item) for item in items) or "None recorded"
            cells.append([Text(f"<b>{title}</b>", self.styles["cell"]), Text(text, self.styles["cell"])])
        table = Table([[cells[0], cells[1]], [cells[2], cells[3]]], colWidths=[self.width / 2] * 2, hAlign="LEFT")
        table.setStyle(fonts.table_style([("GRID", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        yield table

    def computed(self, field: ComputedField) -> Iterator[Flowable]:
        from cpassess.export import charts

        summary = compute(self.form, field, self.record.answers)
        if field.function == "neglect_profile":
            chart = charts.domain_profile_chart(summary)
            rows = [["Domain", "Items", "Mean", "Worst", "At 4–5", "Not known"]]
            rows += [[d.title, str(d.items), f"{d.mean:.1f}" if d.mean is not None else "—",
                      str(d.worst) if d.worst is not None else "—", str(d.serious), str(d.not_known)]
                     for d in summary]
            # the chart keeps with its label; the table follows it, with its own header row
            yield chart
            yield self.simple_table(rows, [0.46, 0.1, 0.11, 0.11, 0.11, 0.11])
            if self.record.earlier:
                # the heading stays with its chart rather than at the foot of a page
                latest = self.record.earlier[-1]
                yield self.p(f"Change since the last approved neglect assessment ({latest.label})", "label")
                self.texts.extend(earlier.label for earlier in self.record.earlier)
                yield charts.profile_history_chart([(e.label, e.profile) for e in self.record.earlier], summary,
                                                   "This assessment")
        elif field.function == "shanarri_overview":
            child = self.record.child
            centre = child.get("known_as") or child.get("given_names") or "Wellbeing"
            yield charts.shanarri_wheel(summary, centre_label=centre)
            yield self.simple_table([["Wellbeing indicator", "Rating"]] +
                                    [[item.label, item.level_label] for item in summary], [0.5, 0.5])

    def simple_table(self, rows: list[list[str]], fractions: list[float]) -> Table:
        widths = [self.width * f for f in fractions]
        data = [[self.p(cell, "cell_head" if r == 0 else "cell", width - CELL_PADDING)
                 for cell, width in zip(row, widths, strict=True)] for r, row in enumerate(rows)]
        return self.splittable(data, widths, [("GRID", (0, 0), (-1, -1), 0.4, RULE),
                                              ("BACKGROUND", (0, 0), (-1, 0), SHADE)])

    # --- comments and sign-off -----------------------------------------------------------------------------

    def comments(self) -> Iterator[Flowable]:
        yield CondPageBreak(50 * layout.MM)
        yield self.heading("Review comments")
        for comment in self.record.comments:
            yield self.p(f"{comment.author} on {comment.where}, {uk_date(comment.created)}", "label")
            self.texts.append(comment.text)
            yield from paragraphs(comment.text, self.styles["body"])

    def signoff(self) -> Iterator[Flowable]:
        record = self.record
        yield NextPageTemplate("signoff")
        yield PageBreak()
        yield self.heading("Sign-off")
        yield HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=0, spaceAfter=6)
        if record.draft:
            yield self.p("This copy is a draft and has not been approved. It must not be relied on as the record "
                         "of the assessment.")
        elif record.is_chronology:
            yield self.p(f"{record.author} printed this chronology from the child's record and certified it with "
                         "their digital signature in the box below. Any change made after signing breaks the "
                         "signature: check it with a PDF reader that trusts the team's signing authority, or with "
                         "cpassess verify-pdf.")
        else:
            yield self.p("The author certified this document when submitting it. It becomes the approved record "
                         "only when it carries the team lead's approval signature in the box below. Any change "
                         "made after signing breaks the signatures: check them with a PDF reader that trusts the "
                         "team's signing authority, or with cpassess verify-pdf.")
        yield Spacer(1, 8)
        yield key_values(self, [
            ("Content SHA-256", record.content_sha256),
            ("Fingerprint", f"{fingerprint(record.content_sha256)} (printed in every page footer)"),
            ("Audit chain head", record.audit_head or "—"),
            ("Printed by" if record.is_chronology else "Author", record.author),
        ])


def render(record: PrintRecord) -> RenderedPdf:
    """Lay out and write the PDF for `record`."""
    builder = _Builder(record)
    story = builder.story()
    buffer = io.BytesIO()
    document = RecordDocument(buffer, record)
    ascii85, rl_config.useA85 = rl_config.useA85, 0  # binary streams: reportlab's pure-Python ASCII85 is slow
    try:
        document.build(story, canvasmaker=NumberedCanvasMaker(record, document.bookmarks))
    finally:
        rl_config.useA85 = ascii85
    line = builder.approval_line
    return RenderedPdf(buffer.getvalue(), document.page, builder.missing_characters(),
                       line.box if line is not None else None)


def missing_characters(record: PrintRecord) -> list[str]:
    """The characters of `record` the embedded font cannot draw, as `render` reports them, without laying it out
    (for a signed record rendered earlier)."""
    builder = _Builder(record)
    builder.story()
    return builder.missing_characters()
