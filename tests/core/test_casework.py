"""The casework layer (DESIGN §16): one place answers what a user may do, and the core's layers hold.

`allowed_actions` is what the screens and the command line show and refuse from, so its answers are checked
here against the workflow of DESIGN §7; the import-linter contract that keeps the casework layer above the
repositories is checked to fail when a repository reaches up; and `ui/` is searched for rules restated there.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from cpassess.assessments import Assessment
from cpassess.casework import Action, Casework, UserAction, allowed_actions, allowed_user_actions
from cpassess.workflow import Actor, NotAllowed, Role, Status
from tests.helpers import Team

ROOT = Path(__file__).resolve().parents[2]
AUTHOR = Actor("sam", frozenset({Role.PRACTITIONER}))
OTHER_PRACTITIONER = Actor("kim", frozenset({Role.PRACTITIONER}))
LEAD = Actor("morag", frozenset({Role.TEAM_LEAD}))
ADMIN = Actor("ailsa", frozenset({Role.ADMINISTRATOR}))
DRAFT = Assessment(id="a1", child_id="c1", form_id="neglect-assessment", form_version=1, status=Status.DRAFT,
                   author="sam", answers={}, revision=1, created="2026-11-30T09:00:00+00:00",
                   updated="2026-11-30T09:00:00+00:00", supersedes=None, content_sha256=None, submitted_content=None,
                   submitted_at=None, reviewer=None, approved_at=None)


def at(status: Status, reviewer: str | None = None) -> Assessment:
    return replace(DRAFT, status=status, reviewer=reviewer)


CASES = [
    # (who, the assessment, what they may do)
    (AUTHOR, at(Status.DRAFT), {Action.EDIT, Action.SUBMIT, Action.EXPORT}),
    (AUTHOR, at(Status.RETURNED, "morag"), {Action.EDIT, Action.SUBMIT, Action.EXPORT}),
    (AUTHOR, at(Status.SUBMITTED), {Action.SEND, Action.EXPORT}),
    (AUTHOR, at(Status.APPROVED, "morag"), {Action.CORRECT, Action.EXPORT}),
    (AUTHOR, at(Status.SUPERSEDED, "morag"), {Action.EXPORT}),
    (OTHER_PRACTITIONER, at(Status.DRAFT), {Action.EXPORT}),
    (OTHER_PRACTITIONER, at(Status.SUBMITTED), {Action.EXPORT}),
    (LEAD, at(Status.DRAFT), {Action.EXPORT}),
    (LEAD, at(Status.SUBMITTED), {Action.COMMENT, Action.RETURN, Action.APPROVE, Action.EXPORT}),
    (LEAD, at(Status.RETURNED, "morag"), {Action.SEND, Action.EXPORT}),
    (LEAD, at(Status.APPROVED, "morag"), {Action.SEND, Action.CORRECT, Action.EXPORT}),
    (LEAD, at(Status.APPROVED, "someone-else"), {Action.CORRECT, Action.EXPORT}),
    (ADMIN, at(Status.DRAFT), {Action.REASSIGN, Action.EXPORT}),
    (ADMIN, at(Status.SUBMITTED), {Action.EXPORT}),
]


@pytest.mark.parametrize(("actor", "assessment", "expected"), CASES)
def test_allowed_actions_follow_the_workflow(actor: Actor, assessment: Assessment, expected: set[Action]) -> None:
    assert set(allowed_actions(actor, assessment).allowed) == expected


def test_a_team_lead_who_wrote_the_assessment_may_not_review_it() -> None:
    lead_author = Actor("sam", frozenset({Role.PRACTITIONER, Role.TEAM_LEAD}))
    allowed = allowed_actions(lead_author, at(Status.SUBMITTED))
    assert Action.APPROVE not in allowed and Action.RETURN not in allowed
    assert allowed.why_not(Action.APPROVE) == ("You cannot review your own assessment: another team lead must "
                                               "approve it.")


def test_every_refusal_says_why_in_a_sentence_and_require_raises_it() -> None:
    allowed = allowed_actions(OTHER_PRACTITIONER, at(Status.DRAFT))
    for action in set(Action) - set(allowed.allowed):
        reason = allowed.why_not(action)
        assert reason and reason[0].isupper() and reason.endswith("."), (action, reason)
    with pytest.raises(NotAllowed, match="Only the author can change this assessment"):
        allowed.require(Action.EDIT)


def test_migration_is_offered_only_when_a_newer_form_version_is_installed() -> None:
    assert Action.MIGRATE not in allowed_actions(AUTHOR, DRAFT, newest_version=1)
    assert Action.MIGRATE in allowed_actions(AUTHOR, DRAFT, newest_version=2)
    assert Action.MIGRATE not in allowed_actions(AUTHOR, at(Status.SUBMITTED), newest_version=2)


def test_the_screens_offered_follow_the_roles() -> None:
    assert set(allowed_user_actions(AUTHOR).allowed) == set()
    assert set(allowed_user_actions(LEAD).allowed) == {UserAction.REVIEW}
    assert set(allowed_user_actions(Actor("x", frozenset(Role))).allowed) == {UserAction.REVIEW,
                                                                               UserAction.ADMINISTER}


# --- what the record compares with ------------------------------------------------------------------------------


def test_the_change_chart_compares_with_the_last_approved_assessment_never_the_one_corrected(team: Team) -> None:
    from cpassess.casework.content import assessment_content
    from cpassess.demo import sample_answers
    from cpassess.forms import default_catalog

    complete = sample_answers(default_catalog().get("neglect-assessment"), random.Random(3), "Eilidh",
                              dt.date(2026, 11, 20))

    child_id = team.add_child()
    ids = []
    for day in ("2026-03-02", "2026-09-14"):
        with team.session("prac") as session:
            answers = {**complete, "assessment_date": day}
            assessment = Casework.of(session).new(child_id, "neglect-assessment", answers=answers)
            Casework.of(session).submit(assessment.id)
        with team.session("lead") as session:
            Casework.of(session).approve(assessment.id, team.passwords["lead"])
        ids.append(assessment.id)
    with team.session("prac") as session:
        first, second = (session.assessments.get(i) for i in ids)
        assert "earlier" not in assessment_content(session, first)
        [earlier] = assessment_content(session, second)["earlier"]
        assert (earlier["assessment_id"], earlier["label"]) == (first.id, "assessment of 02/03/2026")
        correction = Casework.of(session).start_correction(second.id)
        assert [e["assessment_id"] for e in assessment_content(session, correction)["earlier"]] == [first.id]


# --- the layers inside the core -------------------------------------------------------------------------------


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    linter = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(linter), "--no-cache", "--config", str(tree / "pyproject.toml")], cwd=tree,
                          capture_output=True, text=True, timeout=300, check=False,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)})


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("layers")
    for folder in ("cpassess", "ui"):
        shutil.copytree(ROOT / folder, tree / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_layers_contract_holds_for_the_core_as_it_is(tree_copy: Path) -> None:
    run = lint_imports(tree_copy)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "casework above repositories and export" in run.stdout and "KEPT" in run.stdout


def test_the_layers_contract_fails_when_a_repository_imports_the_casework_layer(tree_copy: Path,
                                                                                 tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(tree_copy, tree)
    repository = tree / "cpassess" / "assessments.py"
    repository.write_text(repository.read_text() + "\n\ndef _reach_up() -> None:\n"
                          "    from cpassess.casework import Casework  # noqa: F401\n")
    run = lint_imports(tree)
    assert run.returncode != 0
    assert "cpassess.assessments is not allowed to import cpassess.casework" in run.stdout


# --- no rule restated in ui/ -----------------------------------------------------------------------------------

# A role or status used to decide something: comparisons with a status, membership tests on roles, `has(`,
# the editable set, or author/reviewer comparisons. Showing a label (ROLE_LABELS, STATUS_LABELS) is display.
RULE_PATTERNS = [
    re.compile(r"\bstatus\s*(==|!=|\bin\b|\bnot in\b)"),
    re.compile(r"\bStatus\.[A-Z]+\b"),
    re.compile(r"\.has\(\s*Role\."),
    re.compile(r"\bRole\.[A-Z_]+\s+(in|not in)\b"),
    re.compile(r"\bEDITABLE\b"),
    re.compile(r"\.(author|reviewer)\s*(==|!=)"),
    re.compile(r"==\s*[\w.]*\.(author|reviewer)\b"),
]


# ui/screenshots.py only picks demo records to photograph; it decides nothing for a user.
NOT_SCREENS = {"screenshots.py"}


def test_no_workflow_rule_is_restated_in_the_ui() -> None:
    found = []
    for path in sorted(p for p in (ROOT / "ui").rglob("*.py") if p.name not in NOT_SCREENS):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if any(pattern.search(code) for pattern in RULE_PATTERNS):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == [], "rules belong in cpassess.casework (allowed_actions):\n" + "\n".join(found)
