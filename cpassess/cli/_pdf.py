"""`cpassess export-pdf | verify-pdf | authority`: the case-conference PDF and checking its signatures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cpassess.atomic import write_atomic
from cpassess.cli._common import (
    CliError,
    acting_user,
    database_options,
    database_path,
    output_path,
    print_json,
    signed_in,
    write_pdf,
)


def register(commands: Any) -> None:
    db, who = database_options(), acting_user()
    export = commands.add_parser("export-pdf", parents=[db, who],
                                 help="write the signed PDF record (or a watermarked draft of unapproved work)")
    export.add_argument("--id", required=True)
    export.add_argument("--out", required=True, type=output_path, metavar="FILE")
    export.add_argument("--family-copy", action="store_true", help="leave out third-party information")
    export.add_argument("--with-comments", action="store_true", help="print review comments (drafts only)")
    export.set_defaults(run=export_pdf)

    verify = commands.add_parser(
        "verify-pdf", parents=[db],
        help="check every signature of a cpassess PDF against the team authority you trust",
        description="Trusts only the authorities given with --trust, the authority of the database given with "
                    "--db (with --as), or, when neither is given, those added with 'cpassess authority trust'.")
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.add_argument("--trust", type=Path, action="append", metavar="CERT",
                        help="a team authority certificate (PEM or DER) to trust for this check; repeatable")
    verify.add_argument("--as", dest="username", metavar="USER", help="with --db: your username in that database")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=verify_pdf)

    authority = commands.add_parser("authority", help="the team signing authority, and whom verify-pdf trusts"
                                    ).add_subparsers(dest="authority_command", metavar="ACTION", required=True)
    export_cert = authority.add_parser("export", parents=[db, who],
                                       help="write the team authority certificate, for PDF readers' trust lists")
    export_cert.add_argument("--out", required=True, type=output_path, metavar="FILE")
    export_cert.set_defaults(run=export_authority)
    trust = authority.add_parser("trust", help="trust a team authority certificate for verify-pdf "
                                               "(shows its fingerprint and asks)")
    trust.add_argument("file", type=Path, metavar="FILE")
    trust.add_argument("--yes", action="store_true", help="do not ask (compare the fingerprint yourself first)")
    trust.set_defaults(run=trust_authority)
    listing = authority.add_parser("list", help="the team authorities verify-pdf trusts")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=list_authorities)
    forget = authority.add_parser("forget", help="stop trusting a team authority")
    forget.add_argument("fingerprint", metavar="FINGERPRINT", help="its SHA-256 fingerprint, as authority list shows")
    forget.set_defaults(run=forget_authority)


def export_pdf(args: argparse.Namespace) -> int:
    from cpassess.casework.documents import export_pdf as export

    with signed_in(args) as (session, _):
        exported = export(session, args.id, family_copy=args.family_copy, include_comments=args.with_comments)
    write_pdf(args.out, exported.data, exported.warnings)
    kind = "signed record" if exported.signed else "DRAFT (not approved, unsigned)"
    print(f"Wrote the {kind} to {args.out}.")
    return 0


def _trusted_for(args: argparse.Namespace, pdf: bytes) -> tuple[list[Any], dict[int, Any], str, list[str]]:
    """The authorities to trust, the revocations known, where the trust came from (DESIGN §9.7), and (with
    `--db`) whether that database's audit log holds the head printed in the PDF (DESIGN §8.7)."""
    from cpassess.trust import TrustError, load_certificate, trusted_authorities

    try:
        certificates = [load_certificate(path) for path in args.trust or []]
    except TrustError as error:
        raise CliError(str(error)) from None
    sources = ["--trust"] if certificates else []
    revoked: dict[int, Any] = {}
    head_problems: list[str] = []
    if getattr(args, "sub_db", None) or getattr(args, "db", None):
        if not args.username:
            raise CliError("--db needs --as USER: the database is unlocked to read its team authority")
        from cpassess.export.embedded import printed_audit_head

        printed = printed_audit_head(pdf)
        with signed_in(args) as (session, _):
            certificates.append(session.authority_certificate)
            revoked = session.revocations()
            # the head printed is of the laptop that rendered the record: another laptop's log cannot hold it
            if printed is not None and printed[0] == session.database_id.lower():
                head_problems = session.check_head(printed[1], printed[2], source="printed in this PDF")
        sources.append(f"the database {database_path(args)}")
    elif args.username:
        raise CliError("--as is only for use with --db")
    if not sources:
        certificates = [entry.certificate for entry in trusted_authorities()]
        sources.append("your trusted authorities (cpassess authority list)")
        if not certificates:
            raise CliError("no team authority to check against: give --trust CERT or --db PATH --as USER, or add "
                           "one with cpassess authority trust FILE")
    return certificates, revoked, " and ".join(sources), head_problems


def verify_pdf(args: argparse.Namespace) -> int:
    from cpassess.export.verification import verify_pdf as verify
    from cpassess.forms import fingerprint
    from cpassess.trust import authority_name

    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise CliError(f"{args.file}: cannot be read ({error.strerror})") from None
    trusted, revoked, source, head_problems = _trusted_for(args, data)
    report = verify(data, trusted, revoked=revoked)
    used = report.authority
    if args.json:
        print_json({"ok": report.passes, "approved": report.approved, "verdict": report.verdict,
                    "problems": list(report.failures), "trusted_from": source, "audit_log": head_problems,
                    "authority": None if used is None else {"name": authority_name(used),
                                                            "fingerprint_sha256": report.authority_fingerprint},
                    "signatures": [
            {"field": s.field_name, "kind": s.kind, "signer": s.signer_name, "username": s.signer_username,
             "roles": list(s.signer_roles), "time": s.signing_time.isoformat() if s.signing_time else None,
             "certification": s.is_certification, "intact": s.intact, "valid": s.valid, "trusted": s.trusted,
             "covers_whole_document": s.covers_whole_document, "modifications_after": s.modification_level,
             "state": s.state, "problems": list(s.problems)} for s in report.signatures],
            "record": None if report.record is None else {"sha256": report.record.sha256,
                                                          "matches": report.record.ok,
                                                          "problem": report.record.problem}})
    else:
        if used is not None:
            print(f"Team authority: {authority_name(used)}, trusted from {source}")
            print(f"  SHA-256 fingerprint: {report.authority_fingerprint}")
        else:
            print(f"Team authority: none of the {len(trusted)} trusted from {source} issued the author's "
                  "certificate")
        for number, s in enumerate(report.signatures, start=1):
            when = s.signing_time.strftime("%d/%m/%Y %H:%M %Z") if s.signing_time else "unknown time"
            print(f"Signature {number} ({s.kind}): {s.signer_name} [{', '.join(s.signer_roles)}], {when}")
            print(f"  intact: {_yes(s.intact)}  valid: {_yes(s.valid)}  trusted by the team authority: "
                  f"{_yes(s.trusted)}  covers the whole document: {_yes(s.covers_whole_document)}")
            print(f"  changes after this signature: {s.modification_level}")
            print(f"  state: {s.state}")
            for problem in s.problems[1:]:
                print(f"  problem: {problem}")
        if report.record is not None:
            print(f"record: matches the fingerprint {fingerprint(report.record.sha256 or '')}" if report.record.ok
                  else f"record: does NOT match: {report.record.problem}")
        for problem in report.problems:
            print(f"problem: {problem}")
        for problem in head_problems:
            print(f"audit log: {problem}")
        print(f"Result: {report.verdict}")
    if not report.passes:
        raise CliError(f"{args.file}: {report.verdict}")
    if head_problems:
        raise CliError(f"{args.file}: the signatures verify, but the database's audit log does not: "
                       f"{head_problems[0]}")
    print(f"{args.file}: all {len(report.signatures)} signatures verify.")
    return 0


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def export_authority(args: argparse.Namespace) -> int:
    from cpassess.authority import cert_to_pem

    with signed_in(args) as (session, _):
        pem = cert_to_pem(session.authority_certificate)
        team, fingerprint = session.team_name, session.authority_fingerprint
    write_atomic(args.out, pem)
    print(f"Wrote the {team} signing authority certificate to {args.out}. Add it to a PDF reader's trusted "
          "certificates to see cpassess signatures as trusted.")
    print(f"SHA-256 fingerprint: {fingerprint}")
    return 0


def trust_authority(args: argparse.Namespace) -> int:
    from cpassess.trust import TrustError, authority_name, check_is_authority, fingerprint, load_certificate, trust

    try:
        certificate = load_certificate(args.file)
        check_is_authority(certificate)
    except TrustError as error:
        raise CliError(str(error)) from None
    print(f"Authority: {authority_name(certificate)}")
    print(f"SHA-256 fingerprint: {fingerprint(certificate)}")
    if not args.yes:
        print("Compare this fingerprint with the one your team administrator gave you (their settings screen "
              "shows it).")
        print("Trust PDFs signed by this authority? [y/N] ", end="", flush=True)
        answer = sys.stdin.readline().strip().lower()
        if answer not in {"y", "yes"}:
            raise CliError("not trusted: nothing was changed")
    entry = trust(certificate)
    print(f"Trusted: verify-pdf now accepts signatures from {entry.name} ({entry.fingerprint}).")
    return 0


def list_authorities(args: argparse.Namespace) -> int:
    from cpassess.trust import trusted_authorities

    entries = trusted_authorities()
    if args.json:
        print_json([{"name": entry.name, "fingerprint_sha256": entry.fingerprint,
                     "valid_until": entry.certificate.not_valid_after_utc.isoformat()} for entry in entries])
        return 0
    if not entries:
        print("No team authorities are trusted yet (add one with cpassess authority trust FILE).")
    for entry in entries:
        print(f"{entry.fingerprint}  {entry.name}")
    return 0


def forget_authority(args: argparse.Namespace) -> int:
    from cpassess.trust import TrustError, forget

    try:
        entry = forget(args.fingerprint)
    except TrustError as error:
        raise CliError(str(error)) from None
    print(f"No longer trusted: {entry.name} ({entry.fingerprint}).")
    return 0
