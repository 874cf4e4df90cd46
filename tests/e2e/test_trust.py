"""Whom verify-pdf trusts (DESIGN §9.7), from the command line on a fresh machine.

Two databases share a team name (and signer names): a PDF approved in the second must not verify against the
first's authority, whether or not the second was ever opened on this machine, unless the second's authority is
trusted explicitly. Each test has a settings folder of its own (a fresh machine); the databases are made once.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from cpassess.authority import cert_from_pem
from cpassess.trust import fingerprint
from tests.helpers import MUTOOL_EDITED, MUTOOL_UNCHANGED, Cli, Team, make_team, mutool_verdicts

FINGERPRINT = re.compile(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}")
NOT_FROM_AUTHORITY = "the signer's certificate was not issued by the team authority"


@dataclass(frozen=True)
class Machines:
    first: Team  # the database the user works in
    second: Team  # another database under the same team name, with the same user names
    pdf: Path  # approved in the second
    second_authority: Path
    first_authority: Path

    def fingerprint_of(self, pem: Path) -> str:
        return fingerprint(cert_from_pem(pem.read_bytes()))


@pytest.fixture(scope="module")
def machines(module_cli: Cli, tmp_path_factory: pytest.TempPathFactory, _approved_template: Team) -> Machines:

    folder = tmp_path_factory.mktemp("trust")
    second = _approved_template.copy_to(folder / "second")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CPASSESS_HOME", str(folder / "home-of-first"))
        first = make_team(folder / "first")
    pdf = folder / "approved-in-second.pdf"
    module_cli.ok("export-pdf", "--db", second.db, "--as", "lead", "--id", second.assessment_id, "--out", pdf,
                  passwords=(second.passwords["lead"],))
    authorities = []
    for name, team in (("second", second), ("first", first)):
        pem = folder / f"{name}-authority.pem"
        module_cli.ok("authority", "export", "--db", team.db, "--as", "lead", "--out", pem,
                      passwords=(team.passwords["lead"],))
        authorities.append(pem)
    return Machines(first, second, pdf, *authorities)


def test_a_pdf_of_another_team_of_the_same_name_does_not_verify_against_this_teams_authority(
        machines: Machines, cli: Cli) -> None:
    refused = cli.refused("verify-pdf", machines.pdf, "--db", machines.first.db, "--as", "lead",
                          passwords=(machines.first.passwords["lead"],))

    assert refused.error_line == f"cpassess: {machines.pdf}: does NOT verify: {NOT_FROM_AUTHORITY}"
    assert "trusted by the team authority: NO" in refused.stdout


def test_with_nothing_trusted_verify_pdf_trusts_nothing(machines: Machines, cli: Cli) -> None:
    refused = cli.refused("verify-pdf", machines.pdf)

    assert "no team authority to check against" in refused.error_line
    assert "No team authorities are trusted" in cli.ok("authority", "list").stdout


def test_opening_the_other_database_adds_no_trust(machines: Machines, cli: Cli, tmp_path: Path) -> None:
    second = machines.second.copy_to(tmp_path / "opened")
    cli.ok("assessment", "list", "--db", second.db, "--as", "lead", passwords=(second.passwords["lead"],))

    assert "no team authority to check against" in cli.refused("verify-pdf", machines.pdf).error_line
    cli.refused("verify-pdf", machines.pdf, "--db", machines.first.db, "--as", "lead",
                passwords=(machines.first.passwords["lead"],))
    assert cli.ok("authority", "list", "--json").stdout.strip() == "[]"


def test_the_database_that_signed_it_verifies_it_and_names_its_authority(machines: Machines, cli: Cli) -> None:
    verified = cli.ok("verify-pdf", machines.pdf, "--db", machines.second.db, "--as", "lead",
                      passwords=(machines.second.passwords["lead"],))

    expected = machines.fingerprint_of(machines.second_authority)
    assert f"SHA-256 fingerprint: {expected}" in verified.stdout
    assert "North East Children and Families signing authority" in verified.stdout
    assert verified.stdout.count("state: good:") == 2
    assert "Result: APPROVED" in verified.stdout


def test_trusting_an_authority_shows_its_fingerprint_and_asks(machines: Machines, cli: Cli) -> None:
    expected = machines.fingerprint_of(machines.second_authority)

    declined = cli.refused("authority", "trust", machines.second_authority, stdin="n\n")
    assert expected in declined.stdout and "[y/N]" in declined.stdout
    assert declined.error_line == "cpassess: not trusted: nothing was changed"
    assert cli.refused("authority", "trust", machines.second_authority, stdin="").returncode == 1
    cli.refused("verify-pdf", machines.pdf)

    accepted = cli.ok("authority", "trust", machines.second_authority, stdin="y\n")
    assert expected in accepted.stdout
    listed = cli.ok("authority", "list").stdout
    assert listed.strip() == f"{expected}  North East Children and Families signing authority"

    verified = cli.ok("verify-pdf", machines.pdf)
    assert f"SHA-256 fingerprint: {expected}" in verified.stdout
    assert "trusted from your trusted authorities" in verified.stdout

    # trusting the first team as well does not make the second's PDF verify against the first's authority
    cli.ok("authority", "trust", machines.first_authority, "--yes")
    assert len(FINGERPRINT.findall(cli.ok("authority", "list").stdout)) == 2
    cli.refused("verify-pdf", machines.pdf, "--trust", machines.first_authority)

    forgotten = cli.ok("authority", "forget", expected.replace(":", "").lower())
    assert "No longer trusted" in forgotten.stdout
    assert cli.refused("verify-pdf", machines.pdf).error_line.endswith(NOT_FROM_AUTHORITY)
    assert "no trusted authority has the fingerprint" in cli.refused("authority", "forget", expected).error_line


def test_a_members_certificate_or_a_non_certificate_cannot_be_trusted(machines: Machines, cli: Cli,
                                                                     tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")

    assert cli.refused("authority", "trust", junk, "--yes").error_line.endswith("is not a certificate")
    assert "not a SHA-256 fingerprint" in cli.refused("authority", "forget", "12:34").error_line
    assert cli.ok("authority", "list", "--json").stdout.strip() == "[]"


def test_a_certificate_dropped_into_the_trust_folder_by_hand_is_not_trusted(machines: Machines, cli: Cli) -> None:
    from cpassess.paths import trust_store_dir

    folder = trust_store_dir()
    folder.mkdir(parents=True)
    (folder / "team.pem").write_bytes(machines.second_authority.read_bytes())

    assert "no team authority to check against" in cli.refused("verify-pdf", machines.pdf).error_line


def test_an_approved_pdf_cut_back_to_its_certified_revision_is_not_approved(machines: Machines, cli: Cli,
                                                                          tmp_path: Path) -> None:
    approved = machines.pdf.read_bytes()
    certification = next(iter(PdfFileReader(io.BytesIO(approved)).embedded_signatures))
    _, _, start, length = (int(value) for value in certification.sig_object["/ByteRange"])
    certified = tmp_path / "certified-only.pdf"
    certified.write_bytes(approved[: start + length])

    refused = cli.refused("verify-pdf", certified, "--trust", machines.second_authority)

    assert "certified but NOT approved" in refused.error_line
    assert "Signature 1 (certification)" in refused.stdout and "Signature 2" not in refused.stdout
    assert "state: good: certified by Sam Wróblewski, the author" in refused.stdout
    as_json = cli.refused("verify-pdf", certified, "--trust", machines.second_authority, "--json")
    assert '"approved": false' in as_json.stdout


def test_anything_appended_after_the_approval_is_refused(machines: Machines, cli: Cli, tmp_path: Path) -> None:
    extended = tmp_path / "extended.pdf"
    extended.write_bytes(machines.pdf.read_bytes() + b"\n% a comment added later\n")

    refused = cli.refused("verify-pdf", extended, "--trust", machines.second_authority)

    assert "does NOT verify" in refused.error_line


def test_pdfsig_and_mutool_find_two_valid_signatures_on_the_exported_record(machines: Machines,
                                                                            tmp_path: Path) -> None:
    pdfsig = subprocess.run(["pdfsig", str(machines.pdf)], check=False, capture_output=True, text=True)

    assert pdfsig.stdout.count("- Signature Validation: Signature is Valid.") == 2, pdfsig.stdout
    assert mutool_verdicts(machines.pdf) == [MUTOOL_EDITED, MUTOOL_UNCHANGED]
