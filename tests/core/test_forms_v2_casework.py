"""Forms version 2 through the casework layer: a v1 draft moved to v2 from the command line, a core group review
that starts from the child's approved plan, and the family copy's PDF of a v2 GIRFEC assessment."""

from __future__ import annotations

import json
import random

from answer_filler import TODAY, fill_every_field

from cpassess.casework import Casework
from cpassess.demo import sample_answers
from cpassess.forms import default_catalog
from tests.helpers import CHILD, Cli, Team


def v1_draft(team: Team) -> tuple[str, str]:
    child_id = team.add_child()
    form = default_catalog().get("neglect-assessment", 1)
    with team.session("prac") as session:
        draft = Casework.of(session).new(child_id, form.id, 1, fill_every_field(form))
    return child_id, draft.id


def test_a_v1_draft_moves_to_v2_on_the_command_line_only_with_yes(team: Team, cli: Cli) -> None:
    _, draft_id = v1_draft(team)
    common = ("--db", team.db, "--as", "prac", "--id", draft_id)
    shown = cli.ok("assessment", "migrate", *common, passwords=(team.passwords["prac"],)).stdout
    assert "from neglect-assessment version 1 to version 2" in shown
    assert "  dropped  recognition_of_concerns: Recognition of the concerns (version 2 no longer asks" in shown
    assert "  new      carer_capacity: Each carer's capacity and willingness to change" in shown
    assert "  new      significant_harm: Is the child at risk of significant harm?" in shown
    assert "Nothing has been changed" in shown
    with team.session("prac") as session:
        assert session.assessments.get(draft_id).form_version == 1

    applied = json.loads(cli.ok("assessment", "migrate", *common, "--to-version", "2", "--yes", "--json",
                                passwords=(team.passwords["prac"],)).stdout)
    assert applied["applied"] and applied["to_version"] == 2
    assert {"recognition_of_concerns", "engagement_with_support", "response_to_past_help"} <= {
        d["field_id"] for d in applied["dropped"]}
    with team.session("prac") as session:
        moved = session.assessments.get(draft_id)
        assert moved.form_version == 2
        assert "recognition_of_concerns" not in moved.answers
        assert moved.answers["nutrition_feeding"]["grade"] == 4  # kept by field id
        assert any(event.action == "assessment.migrated" and event.detail["to"] == 2
                   for event in session.audit_events())

    again = cli.refused("assessment", "migrate", *common, passwords=(team.passwords["prac"],))
    assert "already uses the newest version" in again.error_line


def test_a_core_group_review_starts_with_the_actions_of_the_approved_plan(team: Team) -> None:
    child_id = team.add_child()
    girfec = default_catalog().get("girfec-wellbeing")
    answers = sample_answers(girfec, random.Random(3), "Eilidh", TODAY)
    answers["plan_actions"] = [
        {"indicator": "safe", "need": "A safe place to sleep", "action": "Provide a cot and show safe sleeping",
         "responsible_person": "Health visitor", "by_when": answers["assessment_date"]},
        {"indicator": "achieving", "need": "Regular nursery", "action": "Nursery place five mornings a week",
         "responsible_person": "Named person"}]
    with team.session("prac") as session:
        casework = Casework.of(session)
        plan = casework.new(child_id, girfec.id, answers=answers)
        casework.submit(plan.id)
        before = casework.new(child_id, "core-group-review")  # nothing approved yet: nothing to copy
        assert "action_progress" not in before.answers
    with team.session("lead") as session:
        Casework.of(session).approve(plan.id, team.passwords["lead"])
    with team.session("prac") as session:
        review = Casework.of(session).new(child_id, "core-group-review")
        other_child = Casework.of(session).new(session.children.add(dict(CHILD, given_names="Iona")).id,
                                               "core-group-review")
    rows = review.answers["action_progress"]
    assert [row["action"] for row in rows] == ["Provide a cot and show safe sleeping",
                                              "Nursery place five mornings a week"]
    answered = {key: value for key, value in rows[0].items() if value is not None}
    assert answered == {"indicator": "safe", "need": "A safe place to sleep",
                       "action": "Provide a cot and show safe sleeping", "responsible_person": "Health visitor",
                       "by_when": answers["assessment_date"]}
    assert all(row["progress"] is None for row in rows)  # the group records progress itself
    assert "action_progress" not in other_child.answers


def test_a_warning_is_reported_after_submission_and_does_not_stop_it(team: Team, cli: Cli) -> None:
    child_id = team.add_child()
    form = default_catalog().get("neglect-assessment")
    answers = {**fill_every_field(form), "overall_concern": "high", "recommendation": "no_further_action",
               "significant_harm": "no"}
    with team.session("prac") as session:
        draft = Casework.of(session).new(child_id, form.id, answers=answers)
        assert [w.split(" (")[0] for w in Casework.of(session).warnings(draft.id)] == [
            "The overall level of concern is high, but no further action is recommended. Check that this is what "
            "you mean, and explain it in the reasons."]
    submitted = cli.ok("assessment", "submit", "--db", team.db, "--as", "prac", "--id", draft.id,
                       passwords=(team.passwords["prac"],))
    assert submitted.stdout.startswith(f"Submitted {draft.id}")
    assert "cpassess: warning: The overall level of concern is high" in submitted.stderr
