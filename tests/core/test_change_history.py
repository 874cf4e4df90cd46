"""The change chart's history in the canonical content (issue 13): every earlier approved neglect assessment of
the child, in the order they were made, labelled by their assessment date, corrections replacing what they
corrected."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cpassess.casework import Casework
from cpassess.casework.content import assessment_content
from tests.helpers import Team, complete_answers

NEGLECT = "neglect-assessment"


def graded(day: dt.date, grade: int) -> dict[str, Any]:
    """A complete neglect assessment made on `day` with every graded item at `grade`."""
    answers = complete_answers(NEGLECT)
    for key, value in answers.items():
        if isinstance(value, dict) and "grade" in value:
            answers[key] = {"grade": grade, "evidence": "Seen on the visit and confirmed by the nursery."}
    answers["assessment_date"] = day.isoformat()
    for key in ("review_date", "next_review"):
        if key in answers:
            answers[key] = (day + dt.timedelta(days=90)).isoformat()
    return answers


def earlier_in(team: Team, assessment_id: str) -> list[tuple[str, float]]:
    with team.session("prac") as session:
        content = assessment_content(session, session.assessments.get(assessment_id))
    return [(item["label"], item["profile"][0]["mean"]) for item in content.get("earlier", [])]


def test_the_history_is_every_earlier_approved_assessment_in_the_order_made(team: Team) -> None:
    child_id = team.add_child()
    today = dt.date.today()
    made = [today - dt.timedelta(days=days) for days in (300, 200, 100)]
    with team.session("prac") as session:
        ids = [Casework.of(session).new(child_id, NEGLECT, answers=graded(day, grade)).id
               for day, grade in zip(made, (5, 4, 3), strict=True)]
        for assessment_id in (ids[1], ids[0]):  # the older one approved later: it still comes first
            Casework.of(session).submit(assessment_id)
    with team.session("lead") as session:
        for assessment_id in (ids[1], ids[0]):
            Casework.of(session).approve(assessment_id, team.passwords["lead"])

    assert earlier_in(team, ids[2]) == [(f"assessment of {made[0]:%d/%m/%Y}", 5.0),
                                        (f"assessment of {made[1]:%d/%m/%Y}", 4.0)]
    assert earlier_in(team, ids[0]) == []  # nothing approved was made before the first

    # a correction of the second, approved, replaces it in the history, and never compares with what it corrects
    with team.session("lead") as session:
        correction = Casework.of(session).start_correction(ids[1])
        Casework.of(session).reassign(correction.id, "prac")
    with team.session("prac") as session:
        Casework.of(session).save_draft(correction.id, graded(made[1], 2))
        Casework.of(session).submit(correction.id)
    assert earlier_in(team, correction.id) == [(f"assessment of {made[0]:%d/%m/%Y}", 5.0)]
    with team.session("lead") as session:
        Casework.of(session).approve(correction.id, team.passwords["lead"])

    assert earlier_in(team, ids[2]) == [(f"assessment of {made[0]:%d/%m/%Y}", 5.0),
                                        (f"assessment of {made[1]:%d/%m/%Y}", 2.0)]
