"""The cover of a record (issue 13): the child (names, birth or expected delivery, CHI, address, school, named
person, lead professional, protection status), the household and who holds parental responsibility, the
assessment (form, date, reason, author, reviewer, status) and, on a record for signing, the room for the approval
line that the team lead's approval signature fills (cpassess.export.approval_line)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer, Table

from cpassess.dates import uk_date
from cpassess.export import approval_line, fonts, layout
from cpassess.export.record import PrintRecord
from cpassess.forms import fingerprint

if TYPE_CHECKING:
    from cpassess.export.document import _Builder

HEAD_SHADE = colors.HexColor("#dde3ea")
SHADE = colors.HexColor("#eef1f5")
WITHHELD = "Third-party information has been withheld from this family copy."
APPROVAL_SHOWN = ("Filled in by the team lead's digital signature on the sign-off page (last page). Without that "
                  "signature this is not an approved record.")
KEY_WIDTH = 44 * layout.MM
_CELL_PADDING = 12

Value = str | list[Flowable]


class ApprovalLineSpace(Flowable):  # type: ignore[misc]
    """Room for the approval line, one line of the cover's values tall; where it was drawn on page 1 (`box`,
    in PDF points) is where certification puts the field."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.width, self.height = width, approval_line.HEIGHT
        self.box: approval_line.Box | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        self.box = (x, y, x + self.width, y + self.height)


def cover(builder: _Builder) -> Iterator[Flowable]:
    """The cover's flowables, set by `builder` (which keeps the approval line's space, on a record for signing)."""
    record = builder.record
    title = builder.p(record.form.title, "title")
    title.outline_title = "The child"
    yield title
    state = record.status if record.draft else "signed record"
    subtitle = f"Version {record.form.version} of this form · {state}"
    if record.is_chronology:
        subtitle = "Printed from the child's record and signed by whoever printed it"
    if record.family_copy:
        subtitle += " · family copy"
    yield builder.p(subtitle, "subtitle")
    if record.family_copy:
        yield builder.p(WITHHELD, "note")
        yield Spacer(1, 6)
    yield key_values(builder, child_rows(record), "The child")
    members = household(builder)
    if members is not None:
        yield Spacer(1, 6)
        yield members
    yield Spacer(1, 6)
    if record.is_chronology:
        yield key_values(builder, chronology_rows(record), "This print")
    else:
        yield key_values(builder, assessment_rows(builder), "The assessment")


def child_rows(record: PrintRecord) -> list[tuple[str, Value]]:
    child, answers = record.child, record.answers
    name = f"{child.get('given_names', '')} {child.get('family_name', '')}".strip()
    born = (("Date of birth", uk_date(child["date_of_birth"])) if child.get("date_of_birth") else
            ("Expected delivery", f"{uk_date(child.get('expected_date_of_delivery'))} (unborn)"))
    protection = child.get("protection") or {}
    if protection.get("registered"):
        areas = ", ".join(record.register_labels.get(a, a) for a in protection.get("areas_of_concern", []))
        register = f"Registered since {uk_date(protection.get('registered_on'))}" + (f": {areas}" if areas else "")
    else:
        register = "Not on the Child Protection Register"
    meetings = "; ".join(f"{label} {uk_date(child.get(key))}" for label, key in
                         (("Next CPPM", "next_cppm"), ("next core group", "next_core_group")) if child.get(key))
    # the child's record first; the plan's own answer where the record has none (the form asks for it)
    named_person = child.get("named_person") or str(answers.get("named_person") or "") or "Not recorded"
    lead = child.get("lead_professional") or str(answers.get("lead_professional") or "") or "Not recorded"
    return [("Child", name), ("Known as", child.get("known_as") or ""), born,
            ("CHI number", child.get("chi") or "Not recorded"), ("Address", child.get("address") or ""),
            ("School or nursery", child.get("school") or ""), ("Named person", named_person),
            ("Lead professional", lead), ("Child protection status", register), ("Meetings", meetings)]


def household(builder: _Builder) -> Table | None:
    members = builder.record.child.get("household") or []
    if not members:
        return None
    responsibility = {True: "Yes", False: "No", None: "Not known"}
    rows = [["Household", "Relationship to the child", "Parental responsibility"]]
    rows += [[str(m.get("name") or ""), str(m.get("relationship") or "") or "—",
              responsibility[m.get("parental_responsibility")]] for m in members]
    return builder.simple_table(rows, [0.42, 0.33, 0.25])


def assessment_rows(builder: _Builder) -> list[tuple[str, Value]]:
    record, answers = builder.record, builder.record.answers
    rows: list[tuple[str, Value]] = [("Assessment", f"{record.form.title}, version {record.form.version}")]
    if answers.get("assessment_date"):
        rows.append(("Date of assessment", uk_date(answers["assessment_date"])))
    if answers.get("reason"):
        reason = builder.answer_text("reason")
        if answers.get("reason") == "other" and answers.get("reason_other"):
            reason += f": {answers['reason_other']}"
        rows.append(("Reason", reason))
    rows += [("Record", f"{record.assessment_id} · fingerprint {fingerprint(record.content_sha256)}"),
             ("Author", record.author), ("Started", uk_date(record.created)),
             ("Reviewer", record.reviewer or ("Not yet assigned" if record.draft
                                              else "The team lead who signs the approval below"))]
    if record.draft:
        rows += [("Status", record.status), ("Submitted", uk_date(record.submitted_at) or "—"),
                 ("Approval", f"Approved {uk_date(record.approved_at)}" if record.approved_at else "Not approved")]
    else:
        # these bytes are certified at submission; the approval signs the line left for it here
        space = builder.approval_line = ApprovalLineSpace(builder.width - KEY_WIDTH - _CELL_PADDING)
        rows += [("Status", "Certified by the author at submission; approved only with the approval below"),
                 ("Submitted", f"{uk_date(record.submitted_at)}, certified by the author"),
                 ("Approval", [space, builder.p(APPROVAL_SHOWN, "note", space.width)])]
    return rows


def chronology_rows(record: PrintRecord) -> list[tuple[str, Value]]:
    """What the chronology printed on its own says about itself: who printed it, when, and how many events."""
    events = len(record.answers.get("events") or [])
    withheld = (record.withheld.get("events") or {}).get("rows", 0)
    count = f"{events}" + (f" ({withheld} more withheld from this family copy)" if withheld else "")
    return [("Printed by", f"{record.author}, who certified it with their digital signature"),
            ("Printed on", uk_date(record.created)), ("Events", count),
            ("Record", f"fingerprint {fingerprint(record.content_sha256)}")]


def key_values(builder: _Builder, rows: Sequence[tuple[str, Value]], heading: str | None = None) -> Table:
    """Label beside value, on a shaded ground; a row without a value is left out."""
    value_width = builder.width - KEY_WIDTH - _CELL_PADDING
    data: list[list[Any]] = [[builder.p(key, "cover_key", KEY_WIDTH - _CELL_PADDING),
                              value if isinstance(value, list) else builder.p(value, "cover_value", value_width)]
                             for key, value in rows if value]
    commands: list[tuple[Any, ...]] = []
    if heading:
        data.insert(0, [builder.p(heading, "cell_head"), ""])
        commands += [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), HEAD_SHADE)]
    table = Table(data, colWidths=[KEY_WIDTH, builder.width - KEY_WIDTH], hAlign="LEFT")
    table.setStyle(fonts.table_style([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                                        ("LINEBELOW", (0, 0), (-1, -2), 0.4, colors.white),
                                        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                                        *commands]))
    return table
