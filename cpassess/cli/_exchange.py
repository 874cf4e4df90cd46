"""`cpassess package ...`: moving assessments between laptops, the team roster, joining from a new laptop."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cpassess.atomic import write_atomic
from cpassess.cli._common import (
    CliError,
    Passwords,
    acting_user,
    database_options,
    database_path,
    output_path,
    signed_in,
)
from cpassess.workflow import Role

MAX_FILE = 512 * 1024 * 1024


def register(commands: Any) -> None:
    db, who = database_options(), acting_user()
    package = commands.add_parser("package", help="exchange packages between laptops (offline)").add_subparsers(
        dest="package_command", metavar="ACTION", required=True)
    export = package.add_parser("export", parents=[db, who],
                                help="write the package that sends an assessment on (submission or decision)")
    export.add_argument("--id", required=True)
    export.add_argument("--to", required=True, metavar="USER", help="the recipient's username")
    export.add_argument("--out", required=True, type=output_path, metavar="FILE")
    export.set_defaults(run=export_package)
    imported = package.add_parser("import", parents=[db, who], help="check and import a package")
    imported.add_argument("--file", required=True, type=Path)
    imported.set_defaults(run=import_package)

    roster = package.add_parser("roster", help="the team roster").add_subparsers(
        dest="roster_command", metavar="ACTION", required=True)
    roster_export = roster.add_parser("export", parents=[db, who], help="write the signed roster (administrators)")
    roster_export.add_argument("--out", required=True, type=output_path, metavar="FILE")
    roster_export.set_defaults(run=export_roster)
    roster_import = roster.add_parser("import", parents=[db, who], help="import a roster from the administrator")
    roster_import.add_argument("--file", required=True, type=Path)
    roster_import.set_defaults(run=import_roster)

    join = package.add_parser("join", help="join the team from a new laptop").add_subparsers(
        dest="join_command", metavar="STEP", required=True)
    request = join.add_parser("request", parents=[db], help="1. on the new laptop: make your key and a request")
    request.add_argument("--user", required=True)
    request.add_argument("--name", required=True)
    request.add_argument("--out", required=True, type=output_path, metavar="FILE")
    request.set_defaults(run=join_request)
    approve = join.add_parser("approve", parents=[db, who], help="2. the administrator certifies the request")
    approve.add_argument("--request", required=True, type=Path, metavar="FILE")
    approve.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    approve.add_argument("--out", required=True, type=output_path, metavar="FILE")
    approve.set_defaults(run=join_approve)
    complete = join.add_parser("complete", parents=[db], help="3. on the new laptop: finish with the response")
    complete.add_argument("--user", required=True)
    complete.add_argument("--response", required=True, type=Path, metavar="FILE")
    complete.set_defaults(run=join_complete)


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE + 1)
    except OSError as error:
        raise CliError(f"{path}: cannot be read ({error.strerror})") from None
    if len(data) > MAX_FILE:
        raise CliError(f"{path}: is too large")
    return data


def export_package(args: argparse.Namespace) -> int:
    from cpassess.casework.packages import export_package as export

    with signed_in(args) as (session, _):
        data = export(session, args.id, args.to)
    write_atomic(args.out, data)
    print(f"Wrote the package for {args.to} to {args.out} (encrypted; only {args.to} can open it).")
    return 0


def import_package(args: argparse.Namespace) -> int:
    from cpassess.casework.packages import import_package as apply

    data = _read(args.file)
    with signed_in(args) as (session, _):
        result = apply(session, data)
    print(result.describe())
    return 0


def export_roster(args: argparse.Namespace) -> int:
    from cpassess.exchange import build_roster

    with signed_in(args) as (session, _):
        data = build_roster(session)
    write_atomic(args.out, data)
    print(f"Wrote the team roster to {args.out}.")
    return 0


def import_roster(args: argparse.Namespace) -> int:
    from cpassess.exchange import import_roster as apply

    data = _read(args.file)
    with signed_in(args) as (session, _):
        members = apply(session, data)
    print(f"Imported the team roster: {members} members.")
    return 0


def join_request(args: argparse.Namespace) -> int:
    from cpassess.exchange import request_to_join
    from cpassess.session import kdf_for_new_slots

    password = Passwords(args.password_stdin).new(f"New password for {args.user}: ")
    data = request_to_join(database_path(args), args.user, args.name, password, kdf_for_new_slots())
    write_atomic(args.out, data)
    print(f"Wrote the join request to {args.out}. Give it to your administrator; you will get a response file back.")
    return 0


def join_approve(args: argparse.Namespace) -> int:
    from cpassess.exchange import approve_join

    data = _read(args.request)
    with signed_in(args) as (session, _):
        response = approve_join(session, data, args.role)
    write_atomic(args.out, response)
    print(f"Wrote the join response to {args.out}. Give it back to the new member.")
    return 0


def join_complete(args: argparse.Namespace) -> int:
    from cpassess.exchange import complete_join

    password = Passwords(args.password_stdin).read(f"Password for {args.user}: ")
    complete_join(database_path(args), args.user, password, _read(args.response))
    print(f"Joined the team. Unlock {database_path(args)} as {args.user}.")
    return 0
