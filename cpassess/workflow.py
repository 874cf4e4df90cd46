"""Who may do what to an assessment, and when (DESIGN §7). The UI and CLI only reflect these rules."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    SUPERSEDED = "superseded"


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    TEAM_LEAD = "team_lead"
    ADMINISTRATOR = "administrator"


ROLE_LABELS = {Role.PRACTITIONER: "Practitioner", Role.TEAM_LEAD: "Team lead", Role.ADMINISTRATOR: "Administrator"}
STATUS_LABELS = {Status.DRAFT: "Draft", Status.SUBMITTED: "Submitted for review",
                 Status.RETURNED: "Returned for changes", Status.APPROVED: "Approved",
                 Status.SUPERSEDED: "Superseded"}
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


class NotAllowed(Exception):
    """The rules do not let this user do this now; the message says why."""


@dataclass(frozen=True)
class Actor:
    username: str
    roles: frozenset[Role]

    def has(self, role: Role) -> bool:
        return role in self.roles


def check_can_edit(actor: Actor, status: Status, author: str) -> None:
    """Only the author edits, and only a draft or an assessment returned for changes."""
    if status not in EDITABLE:
        raise NotAllowed(f"This assessment is {STATUS_LABELS[status].lower()} and can no longer be changed.")
    if actor.username != author:
        raise NotAllowed("Only the author can change this assessment (an administrator can reassign it).")


check_can_submit = check_can_edit


def check_can_review(actor: Actor, status: Status, author: str) -> None:
    """Only a team lead who is not the author returns or approves, and only a submitted assessment."""
    if not actor.has(Role.TEAM_LEAD):
        raise NotAllowed("Only a team lead can review assessments.")
    if actor.username == author:
        raise NotAllowed("You cannot review your own assessment: another team lead must approve it.")
    if status != Status.SUBMITTED:
        raise NotAllowed(f"Only a submitted assessment can be reviewed; this one is {STATUS_LABELS[status].lower()}.")


def check_can_correct(actor: Actor, status: Status, author: str) -> None:
    """A correction of an approved assessment starts a new linked version; the approved one never changes."""
    if status != Status.APPROVED:
        raise NotAllowed("Only an approved assessment can be corrected; a draft can simply be edited.")
    if actor.username != author and not actor.has(Role.TEAM_LEAD):
        raise NotAllowed("Only the author or a team lead can start a correction.")


def check_can_reassign(actor: Actor, status: Status) -> None:
    if not actor.has(Role.ADMINISTRATOR):
        raise NotAllowed("Only an administrator can reassign an assessment.")
    if status not in EDITABLE:
        raise NotAllowed("Only a draft or returned assessment can be reassigned.")


def check_can_edit_child(actor: Actor, owner: str) -> None:
    """The child's practitioner, a team lead or an administrator changes a child's details."""
    if owner != actor.username and not (actor.has(Role.TEAM_LEAD) or actor.has(Role.ADMINISTRATOR)):
        raise NotAllowed("Only the child's practitioner or a team lead can change the child's details.")


def check_can_write_assessments(actor: Actor) -> None:
    if not (actor.has(Role.PRACTITIONER) or actor.has(Role.TEAM_LEAD)):
        raise NotAllowed("Only practitioners and team leads write assessments.")


def check_is_administrator(actor: Actor) -> None:
    if not actor.has(Role.ADMINISTRATOR):
        raise NotAllowed("Only an administrator can do this.")


def parse_roles(values: Collection[str]) -> frozenset[Role]:
    try:
        return frozenset(Role(value) for value in values)
    except ValueError:
        raise NotAllowed(f"Roles are {', '.join(r.value for r in Role)}.") from None
