"""`cpassess user remove` (a user leaves the team) and `audit verify --head` (DESIGN §8.7)."""

from __future__ import annotations

import argparse
from typing import Any

from cpassess.cli._common import signed_in


def audit_head_argument(text: str) -> tuple[int, str]:
    """argparse type for --head SEQ:HASH."""
    from cpassess.audit import parse_head

    try:
        return parse_head(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register_remove(user_actions: Any, db: argparse.ArgumentParser, who: argparse.ArgumentParser) -> None:
    remove = user_actions.add_parser("remove", parents=[db, who],
                                     help="remove a user: close the account, revoke, re-key (administrators)")
    remove.add_argument("--user", dest="leaver", required=True, metavar="USER")
    remove.set_defaults(run=remove_user)


def remove_user(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, _):
        serials = session.remove_user(args.leaver)
    print(f"Removed {args.leaver}: account closed, {len(serials)} certificate(s) revoked, the database re-keyed "
          "and every remaining key slot re-sealed. Export a new team roster and import it on every laptop.")
    return 0
