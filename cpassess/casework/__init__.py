"""The casework layer (DESIGN §16): the one owner of every transition of an assessment and of what a user may do.

`Casework.of(session)` submits, returns, approves, corrects, migrates; `allowed_actions` answers which of those a
user may do now; `packages` moves assessments between laptops; `check` verifies every signed record end to end.
Below it: the repositories (assessments, caseload, audit) and export, a pure render-and-sign step.
"""

from cpassess.casework.actions import (
    Action,
    Allowed,
    ChildAction,
    UserAction,
    allowed_actions,
    allowed_child_actions,
    allowed_user_actions,
)
from cpassess.casework.errors import user_errors
from cpassess.casework.transitions import Casework

__all__ = ["Action", "Allowed", "Casework", "ChildAction", "UserAction", "allowed_actions", "allowed_child_actions",
           "allowed_user_actions", "user_errors"]
