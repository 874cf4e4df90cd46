"""`cpassess server ...` and `cpassess sync`: the team server (DESIGN §15)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cpassess.cli._common import CliError, acting_user, database_options, print_json, signed_in


def register(commands: Any) -> None:
    db, who = database_options(), acting_user()
    url = argparse.ArgumentParser(add_help=False)
    url.add_argument("--url", required=True, metavar="URL",
                     help="the server as postgresql://LOGIN@HOST/DATABASE, with a login that may create roles")
    server = commands.add_parser("server", help="set up the team server (administrators)").add_subparsers(
        dest="server_command", metavar="ACTION", required=True)
    init = server.add_parser("init", parents=[db, who, url],
                             help="create the schema and a login for every member; prints the logins once")
    init.add_argument("--json", action="store_true")
    init.set_defaults(run=init_server)
    add = server.add_parser("add-member", parents=[db, who, url], help="give one more member a login")
    add.add_argument("--user", required=True)
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=add_member)
    remove = server.add_parser("remove-member", parents=[db, who, url],
                               help="end a member's login and delete what waits for them")
    remove.add_argument("--user", required=True)
    remove.set_defaults(run=remove_member)
    sync = commands.add_parser("sync", parents=[db, who],
                               help="send the outbox to the team server and import what waits for you")
    sync.add_argument("--server", metavar="URL", help="the team server (remembered in the database for next time)")
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(run=run_sync)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    from cpassess.server import ServerError

    try:
        yield
    except ServerError as error:
        raise CliError(str(error)) from None


def _show_logins(args: argparse.Namespace, logins: list[Any]) -> None:
    from cpassess.server.connection import member_url

    rows = [{"username": login.username, "role": login.role, "password": login.password,
             "url": member_url(args.url, login.role, login.password)} for login in logins]
    if args.json:
        print_json(rows)
        return
    for row in rows:
        print(f"{row['username']}: {row['url']}")
    if rows:
        print("Each address holds that member's password and is shown only now: give it to them privately, for "
              "cpassess sync --server.")


def init_server(args: argparse.Namespace) -> int:
    from cpassess.server.admin import init_server as initialise

    with _one_line_errors(), signed_in(args) as (session, _):
        logins = initialise(session, args.url)
    if not args.json:
        print(f"The team server is ready; {len(logins)} new member login(s).")
    _show_logins(args, logins)
    return 0


def add_member(args: argparse.Namespace) -> int:
    from cpassess.server.admin import add_member as add

    with _one_line_errors(), signed_in(args) as (session, _):
        login = add(session, args.url, args.user)
    _show_logins(args, [login])
    return 0


def remove_member(args: argparse.Namespace) -> int:
    from cpassess.server.admin import remove_member as remove

    with _one_line_errors(), signed_in(args) as (session, _):
        deleted = remove(session, args.url, args.user)
    print(f"{args.user} can no longer log in to the team server; {deleted} package(s) waiting for them deleted.")
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from cpassess.server.sync import sync

    with _one_line_errors(), signed_in(args) as (session, _):
        report = sync(session, args.server)
    if args.json:
        print_json(asdict(report))
    else:
        print("\n".join(report.describe()))
    return 0
