"""Child protection timescales (DESIGN §16) and what needs doing on the caseload: rules from data, Scottish working
days, returned and waiting assessments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cpassess.casework import Casework
from cpassess.timescales import (
    MeetingDates,
    Urgency,
    add_months,
    add_working_days,
    deadlines,
    is_working_day,
    load_timescales,
    timescales_file,
)
from cpassess.worklist import Kind, what_needs_doing

MONDAY = dt.date(2026, 3, 2)


def test_scottish_working_days_skip_weekends_and_scottish_bank_holidays() -> None:
    assert is_working_day(MONDAY) and not is_working_day(MONDAY + dt.timedelta(days=5))  # a Saturday
    assert not is_working_day(dt.date(2026, 1, 2))  # 2 January: a bank holiday in Scotland, not in England
    assert not is_working_day(dt.date(2026, 11, 30))  # St Andrew's Day
    assert is_working_day(dt.date(2026, 4, 6))  # Easter Monday is not a Scottish bank holiday
    assert add_working_days(MONDAY, 15) == dt.date(2026, 3, 23)  # three whole weeks
    # from Thursday 24 December: Christmas, the weekend and Boxing Day observed (28th) do not count ...
    assert add_working_days(dt.date(2026, 12, 24), 3) == dt.date(2026, 12, 31)
    # ... nor do New Year's Day and Scotland's 2 January holiday (a Saturday, so Monday 4th instead)
    assert add_working_days(dt.date(2026, 12, 24), 4) == dt.date(2027, 1, 5)


def test_months_keep_the_day_or_take_the_last_of_a_short_month() -> None:
    assert add_months(dt.date(2026, 3, 15), 6) == dt.date(2026, 9, 15)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)


def test_the_rules_come_from_the_data_file() -> None:
    rules = load_timescales()
    assert timescales_file().name == "timescales.yaml"
    assert (rules.initial_cppm.calendar_days, rules.first_core_group.working_days, rules.review_cppm.months,
            rules.due_soon_days) == (28, 15, 6, 14)


def test_an_authority_may_use_its_own_timescales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "timescales.yaml"
    own.write_text(timescales_file().read_text(encoding="utf-8").replace("calendar_days: 28", "calendar_days: 21"),
                   encoding="utf-8")
    monkeypatch.setenv("CPASSESS_TIMESCALES", str(own))
    [initial] = deadlines(MeetingDates(concern=MONDAY))
    assert initial.due == MONDAY + dt.timedelta(days=21)


def test_the_initial_cppm_is_due_28_days_after_the_concern() -> None:
    [initial] = deadlines(MeetingDates(concern=MONDAY))
    assert (initial.what, initial.due, initial.booked) == ("Initial CPPM", MONDAY + dt.timedelta(days=28), False)
    assert initial.urgency(MONDAY) is Urgency.LATER
    assert initial.urgency(MONDAY + dt.timedelta(days=14)) is Urgency.DUE_SOON
    assert initial.urgency(MONDAY + dt.timedelta(days=29)) is Urgency.OVERDUE
    assert initial.describe(MONDAY + dt.timedelta(days=30)) == (
        "Initial CPPM overdue by 2 days (28 days from the concern or IRD)")


def test_after_registration_the_first_core_group_and_the_review_cppm() -> None:
    first, review = deadlines(MeetingDates(registered=True, last_cppm=MONDAY))  # soonest first
    assert (first.what, first.due) == ("First core group", dt.date(2026, 3, 23))
    assert (review.what, review.due) == ("Review CPPM", dt.date(2026, 9, 2))
    held = deadlines(MeetingDates(registered=True, last_cppm=MONDAY, last_core_group=dt.date(2026, 3, 20)))
    assert [d.what for d in held] == ["Review CPPM"]  # a core group since the CPPM: no "first" one is due


def test_a_booked_meeting_is_the_deadline() -> None:
    booked = deadlines(MeetingDates(registered=True, last_cppm=MONDAY, next_cppm=dt.date(2026, 8, 1),
                                    next_core_group=dt.date(2026, 3, 16)))
    assert [(d.what, d.due, d.booked) for d in booked] == [("Core group", dt.date(2026, 3, 16), True),
                                                           ("CPPM", dt.date(2026, 8, 1), True)]
    assert "booked" in booked[0].describe(MONDAY)


def test_what_needs_doing_leads_with_overdue_then_returned_then_review(submitted_team: object) -> None:
    team = submitted_team
    child_id = team.add_child("prac", {"given_names": "Iona", "family_name": "Campbell", "date_of_birth": "2019-05-01",
                                       "concern_date": (dt.date.today() - dt.timedelta(days=40)).isoformat()})
    with team.session("lead") as lead:
        Casework.of(lead).return_for_changes(team.assessment_id, "Please add the school's view.", None)
    with team.session("prac") as prac:
        tasks = what_needs_doing(prac, prac.children.rows())
        kinds = [task.kind for task in tasks]
        assert kinds[:2] == [Kind.OVERDUE, Kind.RETURNED]
        overdue = tasks[0]
        assert overdue.child_id == child_id and overdue.describe().startswith("⚠ Overdue: Initial CPPM overdue by")
        assert "Campbell, Iona" in overdue.describe()
        assert tasks[1].assessment_id == team.assessment_id and tasks[1].describe().startswith("↩ Returned to you")
        Casework.of(prac).save_draft(team.assessment_id, prac.assessments.get(team.assessment_id).answers)
        Casework.of(prac).submit(team.assessment_id)
    with team.session("lead") as lead:
        waiting = [task for task in what_needs_doing(lead, lead.children.rows()) if task.kind is Kind.REVIEW]
        assert [task.assessment_id for task in waiting] == [team.assessment_id]
        assert "from Sam Wróblewski" in waiting[0].describe()  # the author's name, not their username
