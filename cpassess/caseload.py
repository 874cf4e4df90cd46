"""The children on a caseload: adding, changing, finding (search as you type) and listing them."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from cpassess import audit
from cpassess.children import ChildRecord, parse_child
from cpassess.dates import utc_now
from cpassess.search import fold
from cpassess.storage import read_stored_json
from cpassess.workflow import NotAllowed, Role, check_can_edit_child

if TYPE_CHECKING:
    from cpassess.session import Session


@dataclass(frozen=True)
class Child:
    id: str
    record: ChildRecord
    owner: str
    created: str
    updated: str
    revision: int = 1  # goes up with every change, on whichever laptop: an import never takes an older copy


@dataclass(frozen=True)
class ChildConflict:
    """A copy of a child's details that arrived in a package but was not taken, because the copy here is as new
    or newer and differs: both are kept, for someone to reconcile."""

    id: int
    child_id: str
    theirs: ChildRecord
    their_revision: int
    sender: str
    received: str

    def differences(self, ours: ChildRecord) -> list[tuple[str, Any, Any]]:
        """(field, ours, theirs) for every top-level detail that differs."""
        mine, other = ours.model_dump(mode="json"), self.theirs.model_dump(mode="json")
        return [(key, mine.get(key), other.get(key)) for key in sorted(set(mine) | set(other))
                if mine.get(key) != other.get(key)]


class CaseloadRow(NamedTuple):
    """One line of the caseload list: the child and where their assessments stand.

    A named tuple, not a dataclass: a caseload makes 10,000 of them at unlock, and a frozen dataclass takes
    several times as long to build.
    """

    child_id: str
    name: str
    known_as: str
    date_of_birth: str | None
    unborn: bool
    chi: str | None
    registered: bool
    next_cppm: str | None
    next_core_group: str | None
    latest_status: str | None
    latest_form: str | None
    latest_updated: str | None
    owner: str
    search: str  # the folded search key (cpassess.search) with a space before every word, the first included
    concern_date: str | None = None
    last_cppm: str | None = None
    last_core_group: str | None = None

    def overdue(self, today: dt.date | None = None) -> list[str]:
        """Meetings whose date has passed without a new date being set."""
        today = today or dt.date.today()
        return [label for label, day in (("CPPM", self.next_cppm), ("core group", self.next_core_group))
                if day and dt.date.fromisoformat(day) < today]


def _record_json(record: ChildRecord) -> str:
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def store_child_from_package(connection: Any, child_id: str, record: ChildRecord, revision: int, sender: str) -> str:
    """Take a child's details from a package inside the caller's transaction: a new child, or a newer revision of
    one held here, is stored; an older or concurrent copy that differs is kept as a conflict. Returns what was
    done: 'added', 'updated', 'unchanged' or 'conflict'."""
    now = utc_now()
    local = connection.execute("SELECT record, revision FROM children WHERE id = ?", (child_id,)).fetchone()
    if local is None:
        connection.execute(
            "INSERT INTO children (id, record, search, owner, created, updated, revision) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (child_id, _record_json(record), record.search_text(), sender, now, now, revision))
        return "added"
    if revision > local[1]:
        connection.execute("UPDATE children SET record = ?, search = ?, updated = ?, revision = ? WHERE id = ?",
                           (_record_json(record), record.search_text(), now, revision, child_id))
        return "updated"
    if read_stored_json(local[0], f"the record of child {child_id}") == record.model_dump(mode="json"):
        return "unchanged"
    connection.execute("INSERT INTO child_conflicts (child_id, theirs, their_revision, sender, received) "
                       "VALUES (?, ?, ?, ?, ?)", (child_id, _record_json(record), revision, sender, now))
    return "conflict"


class Caseload:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, data: ChildRecord | dict[str, Any]) -> Child:
        """A new child; returns it with its new id."""
        record = data if isinstance(data, ChildRecord) else parse_child(data)
        child_id = str(uuid.uuid4())
        now = utc_now()
        session = self._session
        with session.db.write() as connection:
            connection.execute(
                "INSERT INTO children (id, record, search, owner, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                (child_id, _record_json(record), record.search_text(), session.user.username, now, now))
            audit.append(connection, session.signing_key, session.user.username, "child.added", "child", child_id)
        return Child(child_id, record, session.user.username, now, now)

    def add_many(self, records: list[ChildRecord]) -> list[Child]:
        """Several children in one transaction (imports and large demo databases)."""
        session = self._session
        now = utc_now()
        added = [Child(str(uuid.uuid4()), record, session.user.username, now, now) for record in records]
        with session.db.write() as connection:
            connection.executemany(
                "INSERT INTO children (id, record, search, owner, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                [(c.id, _record_json(c.record), c.record.search_text(), c.owner, now, now) for c in added])
            for child in added:
                audit.append(connection, session.signing_key, session.user.username, "child.added", "child", child.id)
        return added

    def update(self, child_id: str, data: ChildRecord | dict[str, Any]) -> Child:
        record = data if isinstance(data, ChildRecord) else parse_child(data)
        existing = self.get(child_id)
        check_can_edit_child(self._session.actor, existing.owner)
        now = utc_now()
        session = self._session
        with session.db.write() as connection:
            cursor = connection.execute("UPDATE children SET record = ?, search = ?, updated = ?, "
                                        "revision = revision + 1 WHERE id = ? AND revision = ?",
                                        (_record_json(record), record.search_text(), now, child_id, existing.revision))
            if cursor.rowcount != 1:
                raise NotAllowed("The child's details were changed somewhere else since you opened them; reopen them.")
            audit.append(connection, session.signing_key, session.user.username, "child.updated", "child", child_id)
        return Child(child_id, record, existing.owner, existing.created, now, existing.revision + 1)

    def get(self, child_id: str) -> Child:
        row = self._session.db.query_one("SELECT * FROM children WHERE id = ?", (child_id,))
        if row is None or not self._may_see(row["owner"], child_id):
            raise NotAllowed(f"There is no child with the id {child_id} on your caseload.")
        return Child(row["id"], ChildRecord.model_validate(
            read_stored_json(row["record"], f"the record of child {row['id']}")), row["owner"], row["created"],
                     row["updated"], row["revision"])

    def conflicts(self, child_id: str) -> list[ChildConflict]:
        """Copies of this child's details that arrived in packages and were kept aside (oldest first)."""
        self.get(child_id)
        rows = self._session.db.query("SELECT * FROM child_conflicts WHERE child_id = ? ORDER BY id", (child_id,))
        return [ChildConflict(row["id"], row["child_id"], ChildRecord.model_validate(
            read_stored_json(row["theirs"], f"a kept copy of child {child_id}")), row["their_revision"],
            row["sender"], row["received"]) for row in rows]

    def _may_see(self, owner: str, child_id: str) -> bool:
        actor = self._session.actor
        if actor.has(Role.TEAM_LEAD) or actor.has(Role.ADMINISTRATOR) or owner == actor.username:
            return True
        return self._session.db.query_one("SELECT 1 FROM assessments WHERE child_id = ? AND author = ?",
                                          (child_id, actor.username)) is not None

    def rows(self) -> list[CaseloadRow]:
        """The caseload: a practitioner's own children, or the whole team's for a team lead, sorted by name.

        One query reads only the columns the list shows (kept beside each record by the schema), not the records;
        text is joined here, not in SQL (each string SQLite makes is costly under cipher_memory_security).
        """
        actor = self._session.actor
        everyone = actor.has(Role.TEAM_LEAD) or actor.has(Role.ADMINISTRATOR)
        sql = """
            SELECT c.id, c.family_name, c.given_names, c.known_as, c.date_of_birth, c.chi, c.registered,
                   c.next_cppm, c.next_core_group, a.status, a.form_id, a.updated, c.owner, c.search,
                   c.concern_date, c.last_cppm, c.last_core_group
            FROM children c
            LEFT JOIN assessments a ON a.rowid = (
                SELECT rowid FROM assessments WHERE child_id = c.id ORDER BY updated DESC LIMIT 1)
        """
        parameters: tuple[str, ...] = ()
        if not everyone:
            sql += " WHERE c.owner = ? OR EXISTS (SELECT 1 FROM assessments WHERE child_id = c.id AND author = ?)"
            parameters = (actor.username, actor.username)
        rows = [CaseloadRow(child_id, f"{family}, {given}", known_as or "", born, born is None, chi, bool(registered),
                            cppm, core_group, status, form, updated, owner, f" {search}", concern, last_cppm,
                            last_core_group)
                for (child_id, family, given, known_as, born, chi, registered, cppm, core_group, status, form, updated,
                     owner, search, concern, last_cppm, last_core_group) in self._session.db.query(sql, parameters)]
        rows.sort(key=lambda r: r.name.casefold())
        return rows


def matching(rows: list[CaseloadRow], text: str) -> list[CaseloadRow]:
    """Search as you type: every word typed must start a word of the name, known-as or CHI, whatever the accents,
    case and punctuation of either ("campbell, iona" finds Iona Campbell, "lukasz" finds Łukasz)."""
    found = rows
    for word in fold(text).split():  # each word narrows what the last one found
        start = f" {word}"
        found = [row for row in found if start in row.search]
    return found
