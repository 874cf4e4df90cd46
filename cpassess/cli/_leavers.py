"""`cpassess user remove` (a user leaves the team) and `audit verify --head` (DESIGN §8.7)."""

from __future__ import annotations

import argparse
from typing import Any

from cpassess.cli._common import CliError, signed_in


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
    remove.add_argument("--server", metavar="URL",
                        help="the team server, with your own login or the database owner's (by default the "
                             "address this database syncs with): the leaver's server login is ended too")
    remove.set_defaults(run=remove_user)


def remove_user(args: argparse.Namespace) -> int:
    from cpassess.server import ServerError
    from cpassess.server.leavers import remove_user as remove

    with signed_in(args) as (session, _):
        try:
            removal = remove(session, args.leaver, args.server)
        except ServerError as error:
            raise CliError(str(error)) from None
    print("\n".join(removal.describe()))
    return 0
