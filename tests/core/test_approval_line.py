"""The cover's "Approved by NAME (Team lead) on DATE" (issue 13): a read-only field in the certified revision,
filled in the revision the approval signs, extractable from page 1, and refused by verification whenever it is not
what the approval signature says or was written anywhere but under that signature."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from cpassess.authority import cert_to_der, cert_to_pem, key_to_der
from cpassess.cli import main
from cpassess.export import approval_line, layout, signing
from cpassess.export.document import render
from cpassess.export.signing import PdfSigner, SigningError, approve, certify
from cpassess.export.verification import NOT_COVERED, PdfVerification, verify_pdf
from tests.helpers import LEAD_NAME, MUTOOL_EDITED, MUTOOL_UNCHANGED, SigningTeam, mutool_verdicts, signing_team
from tests.pdf_reading import NEGLECT, pdftotext, record

RECORD = b'{"answers":{}}'


@pytest.fixture(scope="module")
def team() -> SigningTeam:
    return signing_team()


@pytest.fixture(scope="module")
def certified(team: SigningTeam) -> bytes:
    rendered = render(record(NEGLECT, {}, status="Submitted for approval", submitted_at="2026-11-20T16:05:00+00:00"))
    assert rendered.approval_box is not None  # a record for signing leaves room for the line
    return certify(rendered.data, team.author, RECORD, rendered.approval_box)


@pytest.fixture(scope="module")
def approved(certified: bytes, team: SigningTeam) -> bytes:
    return approve(certified, team.lead)


def written(pdf: bytes, folder: Path, name: str = "record.pdf") -> Path:
    path = folder / name
    path.write_bytes(pdf)
    return path


def line_problems(verification: PdfVerification) -> list[str]:
    """The document's problems, leaving out the one about this test's stand-in record.json."""
    return [problem for problem in verification.problems if "record.json" not in problem]


def approval_time(verification: PdfVerification) -> dt.datetime:
    when = verification.signatures[1].signing_time
    assert when is not None
    return when


def test_the_cover_says_who_approved_it_in_what_role_and_when(certified: bytes, approved: bytes, team: SigningTeam,
                                                              tmp_path: Path) -> None:
    awaiting = pdftotext(written(certified, tmp_path, "certified.pdf"), 1)
    cover = pdftotext(written(approved, tmp_path), 1)

    assert approval_line.AWAITING in awaiting and "Approved by" not in awaiting
    verification = verify_pdf(approved, [team.authority.certificate])
    day = approval_time(verification).astimezone(approval_line._UK).date()
    assert f"Approved by {LEAD_NAME} (Team lead) on {day.day} {day:%B %Y}" in cover
    assert approval_line.AWAITING not in cover
    # both signatures intact, and the approval's filling of the line is form filling, which the author allowed
    assert line_problems(verification) == []
    assert not any(check.problems for check in verification.signatures)
    certification, approval = verification.signatures
    assert (certification.modification_level, certification.docmdp_ok) == ("form filling", True)
    assert approval.modification_level == "none" and approval.covers_whole_document


def test_pdfsig_and_mutool_still_find_both_signatures_valid(approved: bytes, tmp_path: Path) -> None:
    path = written(approved, tmp_path)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout

    assert report.count("Signature Validation: Signature is Valid.") == 2, report
    assert "Total document signed" in report.split("Signature #2:")[1]
    assert mutool_verdicts(path) == [MUTOOL_EDITED, MUTOOL_UNCHANGED]


def approve_writing(certified: bytes, lead: PdfSigner, monkeypatch: pytest.MonkeyPatch, line: str) -> bytes:
    """An approval made by a cpassess that writes `line` on the cover instead of what it should."""
    with monkeypatch.context() as patched:
        patched.setattr(signing.approval_line, "approval_text", lambda name, signed_at: line)
        return approve(certified, lead)


def verify_pdf_command(pdf: bytes, team: SigningTeam, folder: Path,
                       capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    ca = folder / "authority.pem"
    ca.write_bytes(cert_to_pem(team.authority.certificate))
    status = main(["verify-pdf", str(written(pdf, folder)), "--trust", str(ca)])
    return status, capsys.readouterr().err


@pytest.mark.parametrize("line", [f"Approved by Morag Lindsay (Team lead) on {dt.date.today():%-d %B %Y}",
                                  f"Approved by {LEAD_NAME} (Administrator) on {dt.date.today():%-d %B %Y}",
                                  f"Approved by {LEAD_NAME} (Team lead) on 1 January 2026"],
                         ids=["another-name", "another-role", "another-day"])
def test_a_line_that_is_not_the_approval_signed_is_refused(certified: bytes, team: SigningTeam, line: str,
                                                           monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    forged = approve_writing(certified, team.lead, monkeypatch, line)

    verification = verify_pdf(forged, [team.authority.certificate])
    assert not any(check.problems for check in verification.signatures)  # the signatures themselves are sound
    (problem,) = line_problems(verification)
    assert problem.startswith(f"the cover says “{line}”, which is not the approval that was signed (by {LEAD_NAME}")
    assert not verification.passes
    status, error = verify_pdf_command(forged, team, tmp_path, capsys)
    assert status == 1
    assert len(error.strip().splitlines()) == 1 and "the cover says" in error


def filled(pdf: bytes, line: str, font: object) -> bytes:
    """`pdf` with an unsigned incremental update setting the cover's line, as an insider could append one."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    assert approval_line.fill(writer, line, font)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_a_line_changed_after_the_approval_is_refused(approved: bytes, team: SigningTeam, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    shown = verify_pdf(approved, [team.authority.certificate])
    day = approval_time(shown).astimezone(approval_line._UK).date()
    edited = filled(approved, f"Approved by Morag Lindsay (Team lead) on {day.day} {day:%B %Y}",
                    team.lead.appearance_font)

    verification = verify_pdf(edited, [team.authority.certificate])
    assert line_problems(verification) == [NOT_COVERED, "the cover's approval line was changed after the approval "
                                                        "was signed"]
    assert "Morag Lindsay" in pdftotext(written(edited, tmp_path), 1)  # what a reader would see, refused
    status, error = verify_pdf_command(edited, team, tmp_path, capsys)
    assert status == 1 and len(error.strip().splitlines()) == 1


def test_a_line_filled_in_without_an_approval_is_refused(certified: bytes, team: SigningTeam) -> None:
    edited = filled(certified, f"Approved by {LEAD_NAME} (Team lead) on 1 December 2026", team.lead.appearance_font)

    verification = verify_pdf(edited, [team.authority.certificate])
    assert line_problems(verification) == [NOT_COVERED, "the cover's approval line was filled in without an "
                                                        "approval signature"]
    with pytest.raises(SigningError):  # and cpassess will not approve it
        approve(edited, team.lead)


def test_a_line_filled_in_between_certification_and_approval_is_refused(certified: bytes, team: SigningTeam) -> None:
    """Filled by an unsigned update, then approved outside cpassess (which refuses such a file) with a lead's key:
    the line was not written under the approval signature, even if it says the right thing."""
    today = dt.datetime.now(dt.UTC).astimezone(approval_line._UK).date()
    edited = filled(certified, f"Approved by {LEAD_NAME} (Team lead) on {today.day} {today:%B %Y}",
                    team.lead.appearance_font)
    signing_cert = asn1_x509.Certificate.load(cert_to_der(team.lead_certificate))
    signer = signers.SimpleSigner(
        signing_cert=signing_cert, signing_key=asn1_keys.PrivateKeyInfo.load(key_to_der(team.lead_key)),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [asn1_x509.Certificate.load(cert_to_der(team.authority.certificate))]))
    countersigned = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(edited)),
                                     signers.PdfSignatureMetadata(field_name=layout.APPROVAL_FIELD),
                                     signer=signer).getvalue()

    verification = verify_pdf(countersigned, [team.authority.certificate])
    assert approval_line.BETWEEN in line_problems(verification)
    assert not verification.passes


def test_a_record_certified_without_the_line_claims_nothing_and_still_verifies(team: SigningTeam) -> None:
    rendered = render(record(NEGLECT, {}, status="Submitted for approval"))
    approved = approve(certify(rendered.data, team.author, RECORD), team.lead)

    assert line_problems(verify_pdf(approved, [team.authority.certificate])) == []
