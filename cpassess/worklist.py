"""What needs doing, first on the caseload (DESIGN §16): assessments returned to me, assessments awaiting my review,
and CPPMs and core groups overdue or due soon by the National Guidance timescales."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, NamedTuple

from cpassess.caseload import CaseloadRow
from cpassess.casework import Casework
from cpassess.timescales import Deadline, MeetingDates, Timescales, Urgency, deadlines, load_timescales
from cpassess.workflow import Role, Status

if TYPE_CHECKING:
    from cpassess.session import Session


class Kind(IntEnum):
    """Kinds of work, in the order they are listed."""

    OVERDUE = 0
    RETURNED = 1
    REVIEW = 2
    DUE_SOON = 3


# A sign and a word for each kind, so the list never relies on colour
MARKS = {Kind.OVERDUE: "⚠ Overdue", Kind.RETURNED: "↩ Returned to you", Kind.REVIEW: "✎ Awaiting your review",
         Kind.DUE_SOON: "◷ Due soon"}


class Task(NamedTuple):
    """One line of "needs doing": what, for which child, and what to open (a named tuple: a large caseload has
    thousands of them).

    A meeting's line is put in words only when it is shown (`describe`): a caseload can have thousands due, and
    the list shows six at a time.
    """

    kind: Kind
    child_id: str
    child_name: str
    text: str  # what, for an assessment: its form's title (and from whom)
    assessment_id: str | None = None
    due: dt.date | None = None
    deadline: Deadline | None = None  # what, for a meeting: described as of `as_of`
    as_of: dt.date | None = None

    def describe(self) -> str:
        what = self.text if self.deadline is None else self.deadline.describe(self.as_of or dt.date.today())
        return f"{MARKS[self.kind]}: {what} — {self.child_name}"


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def meeting_dates(row: CaseloadRow) -> MeetingDates:
    return MeetingDates(concern=_day(row.concern_date), registered=row.registered, last_cppm=_day(row.last_cppm),
                        last_core_group=_day(row.last_core_group), next_cppm=_day(row.next_cppm),
                        next_core_group=_day(row.next_core_group))


def meeting_tasks(rows: Iterable[CaseloadRow], today: dt.date,
                  timescales: Timescales | None = None) -> list[Task]:
    """CPPMs and core groups overdue, or due within the timescales' `due_soon_days`."""
    rules = timescales or load_timescales()
    tasks = []
    for row in rows:
        if not (row.next_cppm or row.next_core_group or row.concern_date or row.last_cppm):
            continue  # nothing to count from: most children, skipped cheaply
        for deadline in deadlines(meeting_dates(row), rules):
            urgency = deadline.urgency(today, rules)
            if urgency is not Urgency.LATER:
                kind = Kind.OVERDUE if urgency is Urgency.OVERDUE else Kind.DUE_SOON
                tasks.append(Task(kind, row.child_id, row.name, "", due=deadline.due, deadline=deadline, as_of=today))
    return tasks


def assessment_tasks(session: Session, rows: Sequence[CaseloadRow]) -> list[Task]:
    """Assessments returned to the signed-in user, and (for a team lead) those awaiting their review."""
    me = session.user.username
    names = {row.child_id: row.name for row in rows}
    titles = _form_titles()
    tasks = []
    for assessment in session.assessments.find(status=Status.RETURNED):
        if assessment.author == me:
            tasks.append(Task(Kind.RETURNED, assessment.child_id, names.get(assessment.child_id, ""),
                              titles.get(assessment.form_id, assessment.form_id), assessment.id))
    if session.actor.has(Role.TEAM_LEAD):
        for assessment in Casework.of(session).review_queue():
            author = session.user_named(assessment.author)
            who = author.display_name if author else assessment.author
            tasks.append(Task(Kind.REVIEW, assessment.child_id, names.get(assessment.child_id, ""),
                              f"{titles.get(assessment.form_id, assessment.form_id)} from {who}", assessment.id))
    return tasks


def ordered(tasks: Iterable[Task], today: dt.date) -> list[Task]:
    """Most pressing first: overdue, returned, awaiting review, due soon; soonest date, then name."""
    return sorted(tasks, key=lambda task: (task.kind, task.due or today, task.child_name.casefold()))


def what_needs_doing(session: Session, rows: Sequence[CaseloadRow], today: dt.date | None = None) -> list[Task]:
    """Everything the signed-in user should act on, most pressing first."""
    today = today or dt.date.today()
    return ordered([*meeting_tasks(rows, today), *assessment_tasks(session, rows)], today)


def _form_titles() -> dict[str, str]:
    from cpassess.forms import default_catalog

    catalog = default_catalog()
    return {form_id: catalog.get(form_id).title for form_id in catalog.form_ids()}
