"""Child protection timescales (DESIGN §16): when the next CPPM and core group are due for a child, from the
National Guidance's rules kept as data in `resources/timescales.yaml`.

Working days are Scottish: weekends and Scotland's bank holidays (the `holidays` library) do not count.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import os
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

import holidays
from pydantic import BaseModel, ConfigDict, Field

from cpassess.forms._yaml import read_yaml
from cpassess.resources import resource_path


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    basis: str


class CalendarDaysRule(_Rule):
    calendar_days: int = Field(ge=1, le=366)


class WorkingDaysRule(_Rule):
    working_days: int = Field(ge=1, le=260)


class MonthsRule(_Rule):
    months: int = Field(ge=1, le=24)


class Timescales(BaseModel):
    """The rules as the data file gives them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due_soon_days: int = Field(ge=0, le=90)
    initial_cppm: CalendarDaysRule
    first_core_group: WorkingDaysRule
    review_cppm: MonthsRule


def timescales_file() -> Path:
    """The timescales in use: `CPASSESS_TIMESCALES` when set (a local authority's own), else the shipped ones."""
    override = os.environ.get("CPASSESS_TIMESCALES")
    return Path(override) if override else resource_path("resources", "timescales.yaml")


@functools.cache
def _load(path: Path) -> Timescales:
    return Timescales.model_validate(read_yaml(path.read_text(encoding="utf-8")))


def load_timescales() -> Timescales:
    return _load(timescales_file())


@functools.cache
def _scottish_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="SCT", years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a Scottish bank holiday."""
    return day.weekday() < 5 and day not in _scottish_holidays(day.year)


@functools.lru_cache(maxsize=4096)  # a caseload's meetings fall on a few hundred distinct days
def add_working_days(start: dt.date, count: int) -> dt.date:
    """The date `count` Scottish working days after `start` (the start day itself does not count)."""
    day = start
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later; a day the month lacks (31 August + 6 months) becomes its last day."""
    year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last_day))


class Urgency(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due soon"
    LATER = "later"


class Deadline(NamedTuple):
    """A meeting a child's plan needs: what, by when, and why (the rule, or that it is already booked).

    Named tuples, this and the meeting dates below, not frozen dataclasses: a team lead's caseload works out
    thousands of them at unlock, and a frozen dataclass takes several times as long to build.
    """

    what: str
    due: dt.date
    basis: str
    booked: bool

    def urgency(self, today: dt.date, timescales: Timescales | None = None) -> Urgency:
        soon = (timescales or load_timescales()).due_soon_days
        if self.due < today:
            return Urgency.OVERDUE
        return Urgency.DUE_SOON if (self.due - today).days <= soon else Urgency.LATER

    def describe(self, today: dt.date) -> str:
        """In words, never by colour alone: "Review CPPM overdue by 3 days (6 months from the last CPPM)"."""
        days = (self.due - today).days
        if days < 0:
            when = f"overdue by {-days} day{'s' if days != -1 else ''}"
        elif days == 0:
            when = "due today"
        else:
            when = f"due in {days} day{'s' if days != 1 else ''} ({self.due:%d/%m/%Y})"
        return f"{self.what} {when} ({'booked' if self.booked else self.basis})"


class MeetingDates(NamedTuple):
    """What the child's record says about their meetings (ISO dates or None)."""

    concern: dt.date | None = None  # the concern / IRD that started child protection work
    registered: bool = False
    last_cppm: dt.date | None = None
    last_core_group: dt.date | None = None
    next_cppm: dt.date | None = None
    next_core_group: dt.date | None = None


def deadlines(dates: MeetingDates, timescales: Timescales | None = None) -> list[Deadline]:
    """The next CPPM and core group a child needs, booked or required by the timescales, soonest first."""
    rules = timescales or load_timescales()
    found: list[Deadline] = []
    if dates.next_cppm is not None:
        found.append(Deadline("CPPM", dates.next_cppm, "", booked=True))
    elif dates.last_cppm is None and dates.concern is not None:
        rule = rules.initial_cppm
        found.append(Deadline(rule.label, dates.concern + dt.timedelta(days=rule.calendar_days), rule.basis, False))
    elif dates.registered and dates.last_cppm is not None:
        review = rules.review_cppm
        found.append(Deadline(review.label, add_months(dates.last_cppm, review.months), review.basis, False))
    if dates.next_core_group is not None:
        found.append(Deadline("Core group", dates.next_core_group, "", booked=True))
    elif (dates.registered and dates.last_cppm is not None
          and (dates.last_core_group is None or dates.last_core_group < dates.last_cppm)):
        first = rules.first_core_group
        found.append(Deadline(first.label, add_working_days(dates.last_cppm, first.working_days), first.basis, False))
    return sorted(found, key=lambda deadline: deadline.due)
