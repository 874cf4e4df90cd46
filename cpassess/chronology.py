"""The child's chronology (DESIGN §16): one per child, sorted by date.

Two kinds of event: those seeded from the record every time it is read (assessments submitted and approved,
registration, the next CPPM and core group), so they can never drift from it, and those a practitioner adds
(date, event, source, impact, sensitive or not), stored and audited. A form's repeat can start from it (a prefill
with `source: chronology`), and it prints on its own as a signed-off PDF (`CHRONOLOGY_FORM`, printed by
cpassess.casework.documents.print_chronology).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from cpassess import audit
from cpassess.dates import utc_now
from cpassess.export.layout import CHRONOLOGY_FORM_ID
from cpassess.forms import FormDefinition, default_catalog
from cpassess.workflow import Status, check_can_edit_child

if TYPE_CHECKING:
    from cpassess.session import Session

FROM_THE_RECORD = "The child's record"
Origin = Literal["record", "practitioner"]


# The chronology as a printed record lays out like a form of one table: the same cover, table, footer, family copy
# (rows marked sensitive withheld, with the count) and signature as an assessment.
CHRONOLOGY_FORM = FormDefinition.model_validate({
    "id": CHRONOLOGY_FORM_ID, "version": 1, "title": "The child's chronology of significant events",
    "sections": [{"id": "chronology", "title": "Significant events, oldest first", "fields": [{
        "id": "events", "kind": "repeat", "label": "Events", "item_label": "Event", "row_sensitivity": True,
        "max_items": 500, "fields": [
            {"id": "date", "kind": "date", "label": "Date"},
            {"id": "event", "kind": "long_text", "label": "What happened"},
            {"id": "source", "kind": "text", "label": "Source of information"},
            {"id": "impact", "kind": "long_text", "label": "Impact on the child"}]}]}]})


class ChronologyEventRefused(ValueError):
    """An event that cannot be added, with a sentence saying why."""


@dataclass(frozen=True)
class ChronologyEvent:
    date: str  # ISO date
    event: str
    source: str
    impact: str
    sensitive: bool
    origin: Origin
    event_id: str | None = None
    added_by: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"date": self.date, "event": self.event, "source": self.source, "impact": self.impact,
                "sensitive": self.sensitive, "origin": self.origin, "id": self.event_id, "added_by": self.added_by}

    def prefill_row(self) -> dict[str, Any]:
        """The keys a form's chronology prefill maps from (CHRONOLOGY_KEYS)."""
        return {"date": self.date, "event": self.event, "source": self.source, "impact": self.impact,
                "sensitive": self.sensitive}


Narrative = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000,
                                             pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
OneLine = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


class NewEvent(BaseModel):
    """What a practitioner adds: a past date, what happened, and optionally where it came from and what it meant."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    date: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    event: Narrative
    source: OneLine = ""
    impact: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000,
                                             pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")] = ""
    sensitive: bool = False


def parse_event(data: Any, today: dt.date | None = None) -> NewEvent:
    """A new event, or ChronologyEventRefused with one sentence."""
    if not isinstance(data, dict):
        raise ChronologyEventRefused("An event must be an object with date, event, and optionally source, impact "
                                     "and sensitive.")
    try:
        event = NewEvent.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the event"
        message = {"missing": "is needed", "extra_forbidden": "is not part of an event",
                   "string_too_short": "cannot be empty", "string_pattern_mismatch": "is not in the right form "
                   "(a date is YYYY-MM-DD; text is a line without control characters)"}.get(
            first["type"], first["msg"][:1].lower() + first["msg"][1:])
        raise ChronologyEventRefused(f"The event's {where} {message}.") from None
    try:
        day = dt.date.fromisoformat(event.date)
    except ValueError:
        raise ChronologyEventRefused(f"The event's date {event.date} is not a real date.") from None
    if day > (today or dt.date.today()):
        raise ChronologyEventRefused("An event in the chronology has happened: its date cannot be in the future.")
    return event


class Chronology:
    """The chronologies of the children the signed-in user can see."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def events(self, child_id: str) -> list[ChronologyEvent]:
        """Every event of the child's chronology, oldest first (events of one day: the record's first)."""
        events = self._from_record(child_id) + self._added(child_id)
        return sorted(events, key=lambda e: (e.date, e.origin != "record"))

    def prefill_rows(self, child_id: str, today: dt.date | None = None) -> list[dict[str, Any]]:
        """The events that have happened, as rows for a form's chronology (planned meetings left out)."""
        cutoff = (today or dt.date.today()).isoformat()
        return [event.prefill_row() for event in self.events(child_id) if event.date <= cutoff]

    def add(self, child_id: str, data: Any, today: dt.date | None = None) -> ChronologyEvent:
        """Add a practitioner's event to the child's chronology (audited)."""
        session = self._session
        child = session.children.get(child_id)
        check_can_edit_child(session.actor, child.owner)
        event = parse_event(data, today)
        event_id = str(uuid.uuid4())
        with session.db.write() as connection:
            connection.execute(
                "INSERT INTO chronology_events (id, child_id, event_date, event, source, impact, sensitive, "
                "added_by, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (event_id, child_id, event.date, event.event, event.source, event.impact, int(event.sensitive),
                 session.user.username, utc_now()))
            audit.append(connection, session.signing_key, session.user.username, "chronology.added", "child",
                         child_id, {"event": event_id, "date": event.date})
        return ChronologyEvent(event.date, event.event, event.source, event.impact, event.sensitive,
                               "practitioner", event_id, session.user.username)

    def _added(self, child_id: str) -> list[ChronologyEvent]:
        rows = self._session.db.query("SELECT * FROM chronology_events WHERE child_id = ? ORDER BY event_date, added",
                                      (child_id,))
        return [ChronologyEvent(row["event_date"], row["event"], row["source"], row["impact"], bool(row["sensitive"]),
                                "practitioner", row["id"], row["added_by"]) for row in rows]

    def _from_record(self, child_id: str) -> list[ChronologyEvent]:
        session = self._session
        record = session.children.get(child_id).record
        events: list[ChronologyEvent] = []

        def seeded(date: str, text: str) -> None:
            events.append(ChronologyEvent(date[:10], text, FROM_THE_RECORD, "", False, "record"))

        catalog = default_catalog()
        for assessment in session.assessments.find(child_id=child_id):
            try:
                title = catalog.get(assessment.form_id, assessment.form_version).title
            except KeyError:
                title = assessment.form_id
            if assessment.submitted_at:
                seeded(assessment.submitted_at, f"{title} submitted for review by {assessment.author}.")
            if assessment.approved_at:
                state = " (since corrected)" if assessment.status == Status.SUPERSEDED else ""
                seeded(assessment.approved_at, f"{title} approved by {assessment.reviewer}{state}.")
        protection = record.protection
        if protection.registered and protection.registered_on:
            seeded(str(protection.registered_on), "Name placed on the child protection register.")
        if record.next_cppm:
            seeded(str(record.next_cppm), "Child protection planning meeting (planned).")
        if record.next_core_group:
            seeded(str(record.next_core_group), "Core group meeting (planned).")
        return events


