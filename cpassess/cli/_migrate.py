"""`cpassess assessment migrate`: move a draft to a newer version of its form, after showing what changes."""

from __future__ import annotations

import argparse
from typing import Any

from cpassess.cli._common import casework, print_json, signed_in


def register_migrate(actions: Any, db: argparse.ArgumentParser, who: argparse.ArgumentParser) -> None:
    migrate = actions.add_parser(
        "migrate", parents=[db, who],
        help="move a draft to a newer version of its form (shows what is dropped and new; applies with --yes)")
    migrate.add_argument("--id", required=True)
    migrate.add_argument("--to-version", type=int, metavar="N", help="the version to move to (default: the newest)")
    migrate.add_argument("--yes", action="store_true", help="apply the move; without it nothing is changed")
    migrate.add_argument("--json", action="store_true")
    migrate.set_defaults(run=migrate_assessment)


def migrate_assessment(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, _):
        work = casework(session)
        source_version = session.assessments.get(args.id).form_version
        migration = work.migration(args.id, args.to_version)
        if args.yes:
            work.migrate(args.id, migration.target.version)
    if args.json:
        print_json({"from_version": source_version, "to_version": migration.target.version,
                    "applied": bool(args.yes), "kept": sorted(migration.answers),
                    "dropped": [{"field_id": a.field_id, "label": a.label, "reason": a.reason}
                                for a in migration.dropped],
                    "new": [{"field_id": f.field_id, "label": f.label, "section": f.section_title}
                            for f in migration.new_fields]})
        return 0
    for line in migration.describe():
        print(line)
    if args.yes:
        print(f"Moved {args.id} to version {migration.target.version}.")
    else:
        print("Nothing has been changed. Run the same command with --yes to move the draft.")
    return 0
