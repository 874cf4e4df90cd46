"""What a user may do now (DESIGN §7, §16): the one place the UI and the command line ask.

`allowed_actions(actor, assessment)` runs every rule of `cpassess.workflow` for one assessment and keeps, for each
action refused, the sentence that says why; screens show buttons from `allowed`, and a refused command prints the
reason. The transitions in `cpassess.casework` check through `require`, so a rule is written once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from cpassess.assessments import Assessment
from cpassess.caseload import Child
from cpassess.workflow import (
    Actor,
    NotAllowed,
    Role,
    Status,
    check_can_correct,
    check_can_edit,
    check_can_edit_child,
    check_can_reassign,
    check_can_review,
    check_can_submit,
    check_can_write_assessments,
    check_is_administrator,
)


class Action(StrEnum):
    EDIT = "edit"  # change the answers of a draft or returned assessment
    SUBMIT = "submit"
    MIGRATE = "migrate"  # move a draft to a newer version of its form
    COMMENT = "comment"  # a reviewer's comment
    RETURN = "return"
    APPROVE = "approve"
    CORRECT = "correct"  # start a correction of an approved assessment
    REASSIGN = "reassign"
    SEND = "send"  # export the package that moves it on (a submission or a decision)
    EXPORT = "export"  # a PDF: the signed record once approved, a watermarked draft before


class UserAction(StrEnum):
    """What a signed-in user may do beyond any one record: the screens and menus they are offered."""

    REVIEW = "review"  # the review queue
    ADMINISTER = "administer"  # users, the team authority, the security marking, joining colleagues


class ChildAction(StrEnum):
    EDIT = "edit"
    NEW_ASSESSMENT = "new_assessment"


@dataclass(frozen=True)
class Allowed:
    """The actions open to one user on one record, and why each of the others is not."""

    allowed: frozenset[StrEnum]
    refused: Mapping[StrEnum, str]

    def __contains__(self, action: object) -> bool:
        return action in self.allowed

    def why_not(self, action: StrEnum) -> str | None:
        return None if action in self.allowed else self.refused.get(action, "That is not possible now.")

    def require(self, action: StrEnum) -> None:
        """NotAllowed with the reason, unless `action` is allowed."""
        reason = self.why_not(action)
        if reason is not None:
            raise NotAllowed(reason)


def _judge(rules: Iterable[tuple[StrEnum, Callable[[], None]]]) -> Allowed:
    allowed, refused = set(), {}
    for action, rule in rules:
        try:
            rule()
        except NotAllowed as error:
            refused[action] = str(error)
        else:
            allowed.add(action)
    return Allowed(frozenset(allowed), refused)


def _check_may_comment(actor: Actor, assessment: Assessment) -> None:
    check_can_review(actor, assessment.status, assessment.author)


def _check_may_send(actor: Actor, assessment: Assessment) -> None:
    if assessment.status == Status.SUBMITTED and assessment.author == actor.username:
        return
    if assessment.status in (Status.RETURNED, Status.APPROVED) and assessment.reviewer == actor.username:
        return
    raise NotAllowed("Only a submitted assessment (sent by its author) or a decision (sent back by its reviewer) "
                     "can be sent.")


def _check_may_migrate(actor: Actor, assessment: Assessment, newest_version: int | None) -> None:
    check_can_edit(actor, assessment.status, assessment.author)
    if newest_version is None or newest_version <= assessment.form_version:
        raise NotAllowed("This assessment already uses the newest version of its form.")


def allowed_actions(actor: Actor, assessment: Assessment, *, newest_version: int | None = None) -> Allowed:
    """Everything `actor` may do to `assessment` now. `newest_version`: the newest installed version of its form
    (migration is offered only when there is a newer one)."""
    return _judge([
        (Action.EDIT, lambda: check_can_edit(actor, assessment.status, assessment.author)),
        (Action.SUBMIT, lambda: check_can_submit(actor, assessment.status, assessment.author)),
        (Action.MIGRATE, lambda: _check_may_migrate(actor, assessment, newest_version)),
        (Action.COMMENT, lambda: _check_may_comment(actor, assessment)),
        (Action.RETURN, lambda: check_can_review(actor, assessment.status, assessment.author)),
        (Action.APPROVE, lambda: check_can_review(actor, assessment.status, assessment.author)),
        (Action.CORRECT, lambda: check_can_correct(actor, assessment.status, assessment.author)),
        (Action.REASSIGN, lambda: check_can_reassign(actor, assessment.status)),
        (Action.SEND, lambda: _check_may_send(actor, assessment)),
        (Action.EXPORT, lambda: None),
    ])


def _check_is_team_lead(actor: Actor) -> None:
    if not actor.has(Role.TEAM_LEAD):
        raise NotAllowed("Only team leads review assessments.")


def allowed_user_actions(actor: Actor) -> Allowed:
    """The screens and menus `actor` is offered."""
    return _judge([
        (UserAction.REVIEW, lambda: _check_is_team_lead(actor)),
        (UserAction.ADMINISTER, lambda: check_is_administrator(actor)),
    ])


def allowed_child_actions(actor: Actor, child: Child) -> Allowed:
    """What `actor` may do with a child's record they can see."""
    return _judge([
        (ChildAction.EDIT, lambda: check_can_edit_child(actor, child.owner)),
        (ChildAction.NEW_ASSESSMENT, lambda: check_can_write_assessments(actor)),
    ])


def may_receive_submission(user_roles: frozenset[Role], username: str, author: str, active: bool) -> bool:
    """A submission goes to an active team lead other than its author."""
    return active and Role.TEAM_LEAD in user_roles and username != author

