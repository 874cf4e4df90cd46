"""`cpassess init | user | child | assessment | audit | check`: the record-keeping commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cpassess.cli._common import (
    CliError,
    Passwords,
    acting_user,
    casework,
    database_options,
    database_path,
    output_path,
    print_json,
    read_json_file,
    signed_in,
)
from cpassess.cli._leavers import audit_head_argument, register_remove
from cpassess.cli._migrate import register_migrate
from cpassess.workflow import ROLE_LABELS, STATUS_LABELS, Role, Status


def register(commands: Any) -> None:
    db, who = database_options(), acting_user()

    init = commands.add_parser("init", parents=[db], help="create a new database and its first user")
    init.add_argument("--user", required=True, help="the first user's username (administrator and team lead)")
    init.add_argument("--name", required=True, help="the first user's full name")
    init.add_argument("--team", default="Team", help="the team's name, used in its signing authority")
    init.set_defaults(run=init_database)

    user = commands.add_parser("user", help="users and passwords").add_subparsers(
        dest="user_command", metavar="ACTION", required=True)
    add = user.add_parser("add", parents=[db, who], help="add a user (administrators)")
    add.add_argument("--user", dest="new_username", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", action="append", required=True, choices=[r.value for r in Role],
                     help="repeat for several roles")
    add.set_defaults(run=add_user)
    listing = user.add_parser("list", parents=[db, who], help="list users")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=list_users)
    password = user.add_parser("password", parents=[db, who], help="change your password")
    password.set_defaults(run=change_password)
    recover = user.add_parser("recover", parents=[db], help="set a new password with the recovery code")
    recover.add_argument("--user", dest="username", required=True)
    recover.set_defaults(run=recover_user)
    register_remove(user, db, who)

    child = commands.add_parser("child", help="children").add_subparsers(
        dest="child_command", metavar="ACTION", required=True)
    child_add = child.add_parser("add", parents=[db, who], help="add a child from a JSON file; prints the id")
    child_add.add_argument("--json", dest="json_file", required=True, type=Path, metavar="FILE")
    child_add.set_defaults(run=add_child)
    child_list = child.add_parser("list", parents=[db, who], help="the caseload")
    child_list.add_argument("--json", action="store_true")
    child_list.add_argument("--search", default="")
    child_list.set_defaults(run=list_children)

    _register_assessment(commands.add_parser("assessment", help="assessments and their review").add_subparsers(
        dest="assessment_command", metavar="ACTION", required=True), db, who)

    audit_verify = commands.add_parser("audit", help="the audit log").add_subparsers(
        dest="audit_command", metavar="ACTION", required=True).add_parser(
        "verify", parents=[db, who], help="check the hash chain and every signature")
    audit_verify.add_argument("--head", type=audit_head_argument, metavar="SEQ:HASH",
                              help="also check the log against a head printed in a PDF or a backup")
    audit_verify.set_defaults(run=verify_audit)

    check = commands.add_parser("check", parents=[db, who], help="integrity checks and audit verification")
    check.add_argument("--verbose", action="store_true", help="after the verdict, list every problem found")
    check.set_defaults(run=check_database)


def _register_assessment(actions: Any, db: argparse.ArgumentParser, who: argparse.ArgumentParser) -> None:
    new = actions.add_parser("new", parents=[db, who], help="start an assessment; prints its id")
    new.add_argument("--child", required=True)
    new.add_argument("--form", required=True, metavar="FORM_ID")
    new.add_argument("--form-version", type=int)
    new.add_argument("--answers", type=Path, metavar="FILE")
    new.set_defaults(run=new_assessment)
    for name, run, text in (("update", update_assessment, "replace a draft's answers"),
                            ("submit", submit_assessment, "submit for review (full validation)"),
                            ("approve", approve_assessment, "approve and sign (team leads)"),
                            ("correct", correct_assessment, "start a correction of an approved assessment")):
        action = actions.add_parser(name, parents=[db, who], help=text)
        action.add_argument("--id", required=True)
        if name == "update":
            action.add_argument("--answers", type=Path, required=True, metavar="FILE")
        action.set_defaults(run=run)
    reassign = actions.add_parser("reassign", parents=[db, who],
                                  help="hand a draft or returned assessment to another user (administrators)")
    reassign.add_argument("--id", required=True)
    reassign.add_argument("--to", required=True, metavar="USER", dest="new_author")
    reassign.set_defaults(run=reassign_assessment)
    returned = actions.add_parser("return", parents=[db, who], help="return for changes with a comment")
    returned.add_argument("--id", required=True)
    returned.add_argument("--comment", required=True)
    returned.add_argument("--section", help="section id the comment is about")
    returned.add_argument("--field", help="field id the comment is about")
    returned.set_defaults(run=return_assessment)
    listing = actions.add_parser("list", parents=[db, who], help="list assessments you can see")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--status", choices=[s.value for s in Status])
    listing.set_defaults(run=list_assessments)
    show = actions.add_parser("show", parents=[db, who], help="one assessment")
    show.add_argument("--id", required=True)
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=show_assessment)
    register_migrate(actions, db, who)


# --- users ---------------------------------------------------------------------------------------------------


def init_database(args: argparse.Namespace) -> int:
    from cpassess.session import Session

    passwords = Passwords(args.password_stdin)
    path = database_path(args)
    password = passwords.new(f"New password for {args.user}: ")
    session, recovery_code = Session.initialise(path, args.user, args.name, password, team_name=args.team)
    session.close()
    print(f"Created {path} with {args.user} as administrator and team lead.")
    print(f"Recovery code (shown once; write it down and keep it locked away): {recovery_code}")
    return 0


def add_user(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, passwords):
        password = passwords.new(f"First password for {args.new_username}: ")
        user = session.add_user(args.new_username, args.name, args.role, password)
    print(f"Added {user.username} ({', '.join(ROLE_LABELS[r] for r in sorted(user.roles))}).")
    return 0


def list_users(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, _):
        users = session.users()
    if args.json:
        print_json([{"username": u.username, "display_name": u.display_name, "roles": sorted(u.roles),
                     "active": u.active} for u in users])
    else:
        for u in users:
            print(f"{u.username:<20} {u.display_name:<30} {', '.join(ROLE_LABELS[r] for r in sorted(u.roles))}")
    return 0


def change_password(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, passwords):
        new = passwords.new("New password: ")
        session.change_password(passwords.sign_in, new)
    print("Password changed.")
    return 0


def recover_user(args: argparse.Namespace) -> int:
    from cpassess.session import Session

    passwords = Passwords(args.password_stdin)
    code = passwords.read("Recovery code: ")
    new = passwords.new(f"New password for {args.username}: ")
    Session.recover(database_path(args), code, args.username, new).close()
    print(f"New password set for {args.username}; they have a new signing certificate.")
    return 0


# --- children ------------------------------------------------------------------------------------------------


def add_child(args: argparse.Namespace) -> int:
    data = read_json_file(args.json_file)
    with signed_in(args) as (session, _):
        child = session.children.add(data)
    for warning in child.record.warnings():
        print(f"cpassess: warning: {warning}", file=sys.stderr)
    print(child.id)
    return 0


def list_children(args: argparse.Namespace) -> int:
    from cpassess.caseload import matching

    with signed_in(args) as (session, _):
        rows = matching(session.children.rows(), args.search)
    if args.json:
        print_json([{"id": r.child_id, "name": r.name, "date_of_birth": r.date_of_birth, "unborn": r.unborn,
                     "chi": r.chi, "registered": r.registered, "latest_status": r.latest_status,
                     "next_cppm": r.next_cppm, "next_core_group": r.next_core_group} for r in rows])
    else:
        for r in rows:
            status = STATUS_LABELS[Status(r.latest_status)] if r.latest_status else "no assessment"
            print(f"{r.child_id}  {r.name:<32} {r.date_of_birth or 'unborn':<10}  {status}")
    return 0


# --- assessments ---------------------------------------------------------------------------------------------


def _answers(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    data = read_json_file(path)
    if not isinstance(data, dict):
        raise CliError(f"{path}: the answers must be a JSON object keyed by field id")
    return data


def new_assessment(args: argparse.Namespace) -> int:
    answers = _answers(args.answers)
    with signed_in(args) as (session, _):
        assessment = casework(session).new(args.child, args.form, args.form_version, answers)
    print(assessment.id)
    return 0


def update_assessment(args: argparse.Namespace) -> int:
    answers = _answers(args.answers)
    with signed_in(args) as (session, _):
        assessment = casework(session).save_draft(args.id, answers)
    print(f"Saved {assessment.id} (revision {assessment.revision}).")
    return 0


def submit_assessment(args: argparse.Namespace) -> int:
    from cpassess.assessments import SubmissionRefused

    with signed_in(args) as (session, _):
        try:
            assessment = casework(session).submit(args.id)
        except SubmissionRefused as refused:
            for problem in refused.problems:
                print(f"  {problem.describe(refused.form)}", file=sys.stderr)
            raise CliError(f"not submitted: {len(refused.problems)} problem(s) to put right (listed above)") from None
        for warning in casework(session).warnings(assessment.id):
            print(f"cpassess: warning: {warning}", file=sys.stderr)
    print(f"Submitted {assessment.id}; content SHA-256 {assessment.content_sha256}.")
    return 0


def return_assessment(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, _):
        assessment = casework(session).return_for_changes(args.id, args.comment, args.section, args.field)
    print(f"Returned {assessment.id} to {assessment.author} for changes.")
    return 0


def approve_assessment(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, passwords):
        password = passwords.read("Password again, to sign the approval: ")
        assessment = casework(session).approve(args.id, password)
    print(f"Approved {assessment.id}; signed content SHA-256 {assessment.content_sha256}.")
    return 0


def correct_assessment(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, _):
        correction = casework(session).start_correction(args.id)
    print(correction.id)
    return 0


def reassign_assessment(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, _):
        before = session.assessments.without_answers(args.id).author
        casework(session).reassign(args.id, args.new_author)
    print(f"Assessment {args.id} is now {args.new_author}'s to edit (it was {before}'s).")
    return 0


def list_assessments(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, _):
        found = session.assessments.find(status=Status(args.status) if args.status else None)
    if args.json:
        print_json([a.summary() for a in found])
    else:
        for a in found:
            print(f"{a.id}  {a.form_id} v{a.form_version:<3} {STATUS_LABELS[a.status]:<22} {a.author}")
    return 0


def show_assessment(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, _):
        assessment = session.assessments.get(args.id)
        comments = session.assessments.comments(args.id)
    if args.json:
        print_json({**assessment.summary(), "answers": assessment.answers, "content_sha256": assessment.content_sha256,
                    "comments": [{"author": c.author, "section_id": c.section_id, "field_id": c.field_id,
                                  "text": c.text, "created": c.created} for c in comments]})
    else:
        for key, value in assessment.summary().items():
            print(f"{key:<14} {value if value is not None else ''}")
        print(f"{'answers':<14} {len(assessment.answers)} questions answered")
        for c in comments:
            print(f"comment        {c.author} on {c.field_id or c.section_id or 'the assessment'}: {c.text}")
    return 0


# --- checks --------------------------------------------------------------------------------------------------


def verify_audit(args: argparse.Namespace) -> int:
    with signed_in(args) as (session, _):
        report = session.verify_audit()
        problems = session.check_head(*args.head) if args.head else report.problems
    if problems:
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        raise CliError(f"the audit log does not verify: {problems[0]}")
    reached = f"; it holds event {args.head[0]} with the hash given" if args.head else ""
    print(f"Audit log verified: {report.checked} events, head {report.head.short()}{reached}.")
    return 0


def check_database(args: argparse.Namespace) -> int:
    from cpassess.casework.check import record_check
    from cpassess.storage import DamagedDatabase

    try:
        with signed_in(args) as (session, _):
            problems = session.check()
            if not problems:
                problems = record_check(session)
            head = session.audit_head() if not problems else None
    except DamagedDatabase as error:  # too damaged to sign in: this is the check's verdict, with what to do
        what = str(error).split(" could not be read")[0]
        raise CliError(f"the database is damaged: {what[:1].lower()}{what[1:]} could not be read. Restore it from "
                       "a backup (cpassess restore); nothing was changed.") from None
    if problems or head is None:
        more = "; `cpassess check --verbose` lists them all" if len(problems) > 1 and not args.verbose else ""
        print(f"cpassess: the database has {len(problems)} problem(s), the first: {problems[0]}{more}",
              file=sys.stderr)
        if args.verbose:
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"All checks passed: encryption, structure, audit log (head {head.short()}) and every signed record "
          "against its signatures.")
    return 0


# --- backup, restore and demo ------------------------------------------------------------------------------


def register_maintenance(commands: Any) -> None:
    db, who = database_options(), acting_user()
    backup = commands.add_parser("backup", parents=[db, who], help="write an encrypted, signed backup")
    backup.add_argument("--out", required=True, type=output_path, metavar="FILE")
    backup.set_defaults(run=backup_database)
    restore = commands.add_parser("restore", parents=[db], help="restore a backup after checking it")
    restore.add_argument("--from", dest="backup_file", required=True, type=Path, metavar="FILE")
    restore.add_argument("--as", dest="username", required=True, metavar="USER",
                         help="a user of the backed-up database (their password unlocks the backup for checking)")
    restore.set_defaults(run=restore_database)
    demo = commands.add_parser("demo", parents=[db], help="create a database of synthetic demo data")
    demo.add_argument("--children", type=int, default=30, help="how many children (default 30)")
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(run=create_demo)


def backup_database(args: argparse.Namespace) -> int:
    from cpassess.backup import make_backup

    with signed_in(args) as (session, _):
        info = make_backup(session, args.out)
    print(f"Backup written to {info.path} (audit head {info.audit_head.short()}).")
    return 0


def restore_database(args: argparse.Namespace) -> int:
    from cpassess.backup import restore_backup

    password = Passwords(args.password_stdin).read(f"Password for {args.username} (in the backup): ")
    info = restore_backup(args.backup_file, database_path(args), args.username, password)
    print(f"Restored {info.path} from a backup made {info.created} by {info.made_by} "
          f"(audit head {info.audit_head.short()}). The replaced files were kept beside it.")
    return 0


def create_demo(args: argparse.Namespace) -> int:
    from cpassess.demo import build_demo

    if args.children < 1 or args.children > 200_000:
        raise CliError("--children must be between 1 and 200000")
    path = database_path(args)
    logins = build_demo(path, args.children, seed=args.seed)
    print(f"Demo database created at {path} with {args.children} synthetic children. Logins:")
    for login in logins:
        print(f"  {login.username:<8} {login.password:<30} {login.display_name} ({login.role})")
    return 0
