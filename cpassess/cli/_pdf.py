"""`cpassess export-pdf | verify-pdf | authority`: the case-conference PDF and checking its signatures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cpassess.atomic import write_atomic
from cpassess.cli._common import CliError, acting_user, database_options, output_path, print_json, signed_in
from cpassess.paths import trusted_authorities_dir


def register(commands: Any) -> None:
    db, who = database_options(), acting_user()
    export = commands.add_parser("export-pdf", parents=[db, who],
                                 help="write the signed PDF record (or a watermarked draft of unapproved work)")
    export.add_argument("--id", required=True)
    export.add_argument("--out", required=True, type=output_path, metavar="FILE")
    export.add_argument("--family-copy", action="store_true", help="leave out third-party information")
    export.add_argument("--with-comments", action="store_true", help="print review comments (drafts only)")
    export.set_defaults(run=export_pdf)

    verify = commands.add_parser("verify-pdf", help="check every signature of a cpassess PDF")
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.add_argument("--trust", type=Path, action="append", metavar="CERT",
                        help="the team authority certificate (PEM or DER); repeatable")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=verify_pdf)

    authority = commands.add_parser("authority", help="the team signing authority").add_subparsers(
        dest="authority_command", metavar="ACTION", required=True)
    export_cert = authority.add_parser("export", parents=[db, who],
                                       help="write the team authority certificate, for PDF readers' trust lists")
    export_cert.add_argument("--out", required=True, type=output_path, metavar="FILE")
    export_cert.set_defaults(run=export_authority)


def export_pdf(args: argparse.Namespace) -> int:
    from cpassess.casework.documents import export_pdf as export

    with signed_in(args) as (session, _):
        exported = export(session, args.id, family_copy=args.family_copy, include_comments=args.with_comments)
    write_atomic(args.out, exported.data)
    for warning in exported.warnings:
        print(f"cpassess: warning: {warning}", file=sys.stderr)
    kind = "signed record" if exported.signed else "DRAFT (not approved, unsigned)"
    print(f"Wrote the {kind} to {args.out}.")
    return 0


def _load_certificates(paths: list[Path]) -> list[Any]:
    from cpassess.authority import cert_from_der, cert_from_pem

    certificates = []
    for path in paths:
        try:
            raw = path.read_bytes()
            certificates.append(cert_from_pem(raw) if b"-----BEGIN" in raw else cert_from_der(raw))
        except OSError as error:
            raise CliError(f"{path}: cannot be read ({error.strerror})") from None
        except ValueError:
            raise CliError(f"{path}: is not a certificate") from None
    return certificates


def verify_pdf(args: argparse.Namespace) -> int:
    from cpassess.export.verification import verify_pdf as verify
    from cpassess.forms import fingerprint

    trust_paths = args.trust or sorted(trusted_authorities_dir().glob("*.pem"))
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise CliError(f"{args.file}: cannot be read ({error.strerror})") from None
    report = verify(data, _load_certificates(trust_paths))
    if args.json:
        print_json({"ok": report.ok, "problems": list(report.problems), "signatures": [
            {"field": s.field_name, "signer": s.signer_name, "username": s.signer_username,
             "roles": list(s.signer_roles), "time": s.signing_time.isoformat() if s.signing_time else None,
             "certification": s.is_certification, "intact": s.intact, "valid": s.valid, "trusted": s.trusted,
             "covers_whole_document": s.covers_whole_document, "modifications_after": s.modification_level,
             "problems": list(s.problems)} for s in report.signatures],
            "record": None if report.record is None else {"sha256": report.record.sha256,
                                                          "matches": report.record.ok,
                                                          "problem": report.record.problem}})
    else:
        for number, s in enumerate(report.signatures, start=1):
            kind = "certification" if s.is_certification else "approval"
            when = s.signing_time.strftime("%d/%m/%Y %H:%M %Z") if s.signing_time else "unknown time"
            print(f"Signature {number} ({kind}): {s.signer_name} [{', '.join(s.signer_roles)}], {when}")
            print(f"  intact: {_yes(s.intact)}  valid: {_yes(s.valid)}  trusted by the team authority: "
                  f"{_yes(s.trusted)}  covers the whole document: {_yes(s.covers_whole_document)}")
            print(f"  changes after this signature: {s.modification_level}")
            for problem in s.problems:
                print(f"  problem: {problem}")
        if report.record is not None:
            print(f"record: matches the fingerprint {fingerprint(report.record.sha256 or '')}" if report.record.ok
                  else f"record: does NOT match: {report.record.problem}")
        for problem in report.problems:
            print(f"problem: {problem}")
    if not report.ok:
        reasons = [*report.problems, *(p for s in report.signatures for p in s.problems)]
        raise CliError(f"{args.file}: does NOT verify: {reasons[0] if reasons else 'see above'}")
    print(f"{args.file}: all {len(report.signatures)} signatures verify.")
    return 0


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def export_authority(args: argparse.Namespace) -> int:
    from cpassess.authority import cert_to_pem

    with signed_in(args) as (session, _):
        pem = cert_to_pem(session.authority_certificate)
        team = session.team_name
    write_atomic(args.out, pem)
    print(f"Wrote the {team} signing authority certificate to {args.out}. Add it to a PDF reader's trusted "
          "certificates to see cpassess signatures as trusted.")
    return 0
