"""`cpassess chronology show|add|print` (DESIGN §16): a child's chronology, from the record and added by hand, and
printed on its own as a PDF signed off by whoever prints it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cpassess.cli._common import acting_user, database_options, output_path, print_json, signed_in, write_pdf


def register(commands: Any) -> None:
    db, who = database_options(), acting_user()
    actions = commands.add_parser("chronology", help="a child's chronology of significant events").add_subparsers(
        dest="chronology_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", parents=[db, who], help="the child's chronology, oldest first")
    show.add_argument("--child", required=True, metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=show_chronology)
    add = actions.add_parser("add", parents=[db, who], help="add an event to the child's chronology")
    add.add_argument("--child", required=True, metavar="ID")
    add.add_argument("--date", required=True, help="when it happened (YYYY-MM-DD)")
    add.add_argument("--event", required=True, help="what happened")
    add.add_argument("--source", default="", help="where the information came from")
    add.add_argument("--impact", default="", help="what it meant for the child")
    add.add_argument("--sensitive", action="store_true", help="leave this event out of the family copy")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=add_event)
    printed = actions.add_parser("print", parents=[db, who],
                                 help="write the child's chronology as a PDF certified with your signature")
    printed.add_argument("--child", required=True, metavar="ID")
    printed.add_argument("--out", required=True, type=output_path, metavar="FILE")
    printed.add_argument("--family", action="store_true", help="the family copy: leave out the sensitive events")
    printed.set_defaults(run=print_chronology)


def show_chronology(args: argparse.Namespace) -> int:
    from cpassess.chronology import Chronology

    with signed_in(args) as (session, _):
        events = Chronology(session).events(args.child)
    if args.json:
        print_json([event.as_json() for event in events])
        return 0
    if not events:
        print("No events yet.")
    for event in events:
        flag = "  (sensitive)" if event.sensitive else ""
        source = f" [{event.source}]" if event.source else ""
        print(f"{event.date}  {event.event}{source}{flag}")
        if event.impact:
            print(f"            Impact: {event.impact}")
    return 0


def add_event(args: argparse.Namespace) -> int:
    from cpassess.chronology import Chronology

    data = {"date": args.date, "event": args.event, "source": args.source, "impact": args.impact,
            "sensitive": args.sensitive}
    with signed_in(args) as (session, _):
        event = Chronology(session).add(args.child, data)
    if args.json:
        print_json(event.as_json())
    else:
        print(f"Added to the chronology: {event.date} {event.event}", file=sys.stdout)
    return 0


def print_chronology(args: argparse.Namespace) -> int:
    from cpassess.casework.documents import print_chronology as printed

    with signed_in(args) as (session, _):
        exported = printed(session, args.child, family_copy=args.family)
    write_pdf(args.out, exported.data, exported.warnings)
    copy = "the family copy of " if args.family else ""
    print(f"Wrote {copy}the chronology, certified with your signature, to {args.out}.")
    return 0
