"""Signed case-conference PDFs (§9.5, §9.6): certify, approve, verify, checked by pyHanko and by poppler's pdfsig."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from cpassess.authority import Authority, cert_to_der, cert_to_pem, create_authority, issue_certificate, key_to_der
from cpassess.export import fonts, layout
from cpassess.export.embedded import NO_RECORD, RecordCheck
from cpassess.export.signing import APPROVAL_HEADING, AUTHOR_HEADING, PdfSigner, SigningError, approve, certify
from cpassess.export.verification import (
    NO_AUTHORITY,
    NOT_APPROVED,
    NOT_CERTIFIED,
    NOT_COVERED,
    NOT_READABLE,
    TWO_AUTHORITIES,
    PdfVerification,
    verify_pdf,
)
from cpassess.trust import fingerprint
from tests.helpers import (
    AUTHOR_NAME,
    LEAD_NAME,
    MUTOOL_EDITED,
    MUTOOL_UNCHANGED,
    SigningTeam,
    mutool_verdicts,
    signing_team,
)

GRADE_LINE = "Home conditions: graded 3 of 5"
LAST_PAGE_LINES = ("Sign-off", "The assessment of Ἀλέξανδρος was discussed with the family on 12 November.", GRADE_LINE)
PAGES = 3
SIGNED_AT = re.compile(r"Signed \d{2}/\d{2}/\d{4} \d{2}:\d{2} \([+-]\d{2}:\d{2}\)")
ALTERED = "the signed content has been altered since it was signed"


@pytest.fixture(scope="module")
def team() -> SigningTeam:
    return signing_team()


# the canonical content the pages show, embedded as record.json when certified (DESIGN §9.7)
RECORD = b'{"answers":{},"form_id":"example","form_version":1}'


@pytest.fixture(scope="module")
def impostor_authority() -> Authority:
    """Another authority under the very same name: only its key tells it apart."""
    return create_authority("Leith Children and Families")


@pytest.fixture(scope="module")
def rendered() -> bytes:
    """A small A4 assessment with uncompressed page content, its sign-off text above the signature boxes."""
    fonts.register_fonts()
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=A4, pageCompression=0)
    document.setKeywords(layout.record_keywords(hashlib.sha256(RECORD).hexdigest()))
    for page in range(1, PAGES + 1):
        document.setFont(fonts.REGULAR, 11)
        lines = LAST_PAGE_LINES if page == PAGES else (f"Section {page}", f"Notes on page {page} for {AUTHOR_NAME}.")
        for number, line in enumerate(lines):
            document.drawString(layout.MARGIN, layout.PAGE_HEIGHT - layout.MARGIN - 40 - 18 * number, line)
        document.drawString(layout.MARGIN, layout.FOOTER_HEIGHT, f"Page {page} of {PAGES}")
        document.showPage()
    document.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def certified(rendered: bytes, team: SigningTeam) -> bytes:
    return certify(rendered, team.author, RECORD)


@pytest.fixture(scope="module")
def approved(certified: bytes, team: SigningTeam) -> bytes:
    return approve(certified, team.lead)


def all_problems(verification: PdfVerification) -> list[str]:
    return [*verification.problems, *(p for check in verification.signatures for p in check.problems)]


def test_certified_then_approved_pdf_verifies(rendered: bytes, certified: bytes, approved: bytes,
                                              team: SigningTeam) -> None:
    assert certified.startswith(rendered)
    assert approved.startswith(certified)  # the approval covers exactly the bytes the author submitted

    verification = verify_pdf(approved, [team.authority.certificate])

    assert verification.ok, all_problems(verification)
    certification, approval = verification.signatures
    assert certification.is_certification and not approval.is_certification
    assert (certification.field_name, approval.field_name) == (layout.AUTHOR_FIELD, layout.APPROVAL_FIELD)
    assert (certification.signer_name, certification.signer_username) == (AUTHOR_NAME, "zoe")
    assert (approval.signer_name, approval.signer_roles) == (LEAD_NAME, ("administrator", "team_lead"))
    assert all(check.intact and check.valid and check.trusted for check in verification.signatures)
    assert all(check.signing_time is not None and check.signing_time.tzinfo for check in verification.signatures)
    assert approval.covers_whole_document and not certification.covers_whole_document
    assert (certification.modification_level, certification.docmdp_ok) == ("form filling", True)
    assert approval.modification_level == "none"


def test_a_certified_pdf_awaiting_approval_verifies(certified: bytes, team: SigningTeam) -> None:
    verification = verify_pdf(certified, [team.authority.certificate])

    assert verification.ok, all_problems(verification)
    (certification,) = verification.signatures
    assert certification.is_certification and certification.covers_whole_document


def test_signature_boxes_show_who_signed_when_without_hiding_the_page(approved: bytes, tmp_path: Path) -> None:
    path = tmp_path / "approved.pdf"
    path.write_bytes(approved)

    everything = pdftotext(path)
    last_page = pdftotext(path, page=PAGES)

    assert "Notes on page 1 for Zoë Ó Súilleabháin." in everything
    for line in (*LAST_PAGE_LINES, f"Page {PAGES} of {PAGES}"):
        assert line in last_page
    for text in (AUTHOR_HEADING, APPROVAL_HEADING, AUTHOR_NAME, LEAD_NAME, "Practitioner", "Administrator, Team lead"):
        assert text in last_page
    assert len(SIGNED_AT.findall(last_page)) == 2


def test_approving_needs_a_certified_pdf_with_an_empty_approval_box(
    rendered: bytes, certified: bytes, approved: bytes, team: SigningTeam
) -> None:
    with pytest.raises(SigningError, match="no empty approval box"):
        approve(rendered, team.lead)
    with pytest.raises(SigningError, match="no empty approval box"):
        approve(approved, team.lead)
    with pytest.raises(SigningError, match="already has signature fields"):
        certify(certified, team.author, RECORD)
    with pytest.raises(SigningError, match="not a readable PDF"):
        certify(b"%PDF-1.7 but nothing more", team.author, RECORD)
    with pytest.raises(SigningError, match="does not check out"):
        approve(flip(certified, content_offset(certified)), team.lead)


def test_only_another_team_lead_can_approve(rendered: bytes, certified: bytes, team: SigningTeam) -> None:
    with pytest.raises(SigningError, match="Only a team lead"):
        approve(certified, team.author)
    with pytest.raises(SigningError, match="your own assessment"):
        approve(certify(rendered, team.lead, RECORD), team.lead)


def test_a_signer_needs_the_key_of_a_certificate_from_the_authority(team: SigningTeam,
                                                                    impostor_authority: Authority) -> None:
    other_key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(SigningError, match="does not belong"):
        PdfSigner(other_key, team.author_certificate, team.authority.certificate)
    with pytest.raises(SigningError, match="not issued by the team"):
        PdfSigner(team.author_key, team.author_certificate, impostor_authority.certificate)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda pdf: flip(pdf, signed_offset(pdf, len(pdf) // 2)), id="byte in the middle"),
        pytest.param(lambda pdf: flip(pdf, content_offset(pdf)), id="byte in a content stream"),
        pytest.param(lambda pdf: pdf[: len(pdf) - 300], id="truncated"),
        pytest.param(lambda pdf: pdf[: len(pdf) // 2], id="cut in half"),
    ],
)
def test_a_damaged_pdf_fails(approved: bytes, team: SigningTeam, tamper: Callable[[bytes], bytes]) -> None:
    verification = verify_pdf(tamper(approved), [team.authority.certificate])

    assert not verification.ok
    assert set(all_problems(verification)) & {ALTERED, NOT_READABLE}


def test_a_changed_grade_breaks_both_signatures(approved: bytes, team: SigningTeam) -> None:
    verification = verify_pdf(flip(approved, content_offset(approved)), [team.authority.certificate])

    assert not verification.ok
    assert [check.intact for check in verification.signatures] == [False, False]
    assert all(ALTERED in check.problems for check in verification.signatures)


def test_a_changed_signature_value_fails(approved: bytes, team: SigningTeam) -> None:
    verification = verify_pdf(change_signature_value(approved), [team.authority.certificate])

    assert not verification.ok
    approval = verification.signatures[-1]
    assert approval.intact and not approval.valid and not approval.trusted
    assert approval.problems == ("the signature does not match the signer's certificate",)


def test_anything_added_after_approval_fails(approved: bytes, team: SigningTeam) -> None:
    info_changed = IncrementalPdfFileWriter(io.BytesIO(approved))
    info_changed.set_info(generic.DictionaryObject({generic.pdf_name("/Title"): generic.TextStringObject("Edited")}))

    covered_up = IncrementalPdfFileWriter(io.BytesIO(approved))
    page, _ = covered_up.find_page_for_modification(-1)
    white_box = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Square"),
            generic.pdf_name("/Rect"): generic.ArrayObject(map(generic.FloatObject, (40, 650, 400, 800))),
            generic.pdf_name("/IC"): generic.ArrayObject(map(generic.FloatObject, (1, 1, 1))),
        }
    )
    covered_up.register_annotation(page, covered_up.add_object(white_box))

    for writer in (info_changed, covered_up):
        verification = verify_pdf(write(writer), [team.authority.certificate])
        assert not verification.ok
        assert NOT_COVERED in verification.problems
        assert all(check.intact and check.valid and check.trusted for check in verification.signatures)


def test_content_changed_after_certification_fails_even_when_signed_by_a_team_member(
    approved: bytes, team: SigningTeam
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(approved))
    cover = writer.add_object(generic.StreamObject(stream_data=b"q 1 1 1 rg 40 650 400 150 re f Q"))
    writer.add_stream_to_page(PAGES - 1, cover)
    tampered = sign_with_pyhanko(writer, team.author_key, team.author_certificate, team.authority, "Later")

    verification = verify_pdf(tampered, [team.authority.certificate])

    assert not verification.ok
    certification = verification.signatures[0]
    assert certification.intact and certification.trusted and certification.docmdp_ok is False
    assert any("changed after the author certified it" in problem for problem in certification.problems)
    assert verification.signatures[-1].covers_whole_document


def test_an_approval_the_author_signed_fails(certified: bytes, team: SigningTeam) -> None:
    signed = sign_with_pyhanko(IncrementalPdfFileWriter(io.BytesIO(certified)), team.author_key,
                               team.author_certificate, team.authority, layout.APPROVAL_FIELD)

    verification = verify_pdf(signed, [team.authority.certificate])

    assert verification.problems == ("the author approved their own assessment",)
    assert verification.signatures[1].problems == ("the approval was not signed by a team lead",)
    assert all(check.trusted for check in verification.signatures)


def test_a_signature_from_another_authority_fails(approved: bytes, team: SigningTeam,
                                                  impostor_authority: Authority) -> None:
    key, certificate = issue_certificate(impostor_authority, "dima", LEAD_NAME, ["team_lead"])
    signed = sign_with_pyhanko(IncrementalPdfFileWriter(io.BytesIO(approved)), key, certificate, impostor_authority,
                               "Countersignature")

    verification = verify_pdf(signed, [team.authority.certificate])

    assert not verification.ok
    assert [check.trusted for check in verification.signatures] == [True, True, False]
    impostor = verification.signatures[2]
    assert impostor.intact and impostor.valid and impostor.covers_whole_document
    assert impostor.problems == ("the signer's certificate was not issued by the team authority",)


def test_trust_needs_the_team_authority(approved: bytes, impostor_authority: Authority) -> None:
    for trusted, problem in (([], NO_AUTHORITY), ([impostor_authority.certificate], "not issued by the team")):
        verification = verify_pdf(approved, trusted)
        assert not verification.ok
        for check in verification.signatures:
            assert check.intact and check.valid and not check.trusted
            assert any(problem in sentence for sentence in check.problems)


def test_an_uncertified_signed_pdf_fails(rendered: bytes, team: SigningTeam) -> None:
    signed = sign_with_pyhanko(IncrementalPdfFileWriter(io.BytesIO(rendered)), team.author_key,
                               team.author_certificate, team.authority, layout.AUTHOR_FIELD)

    verification = verify_pdf(signed, [team.authority.certificate])

    assert verification.problems == (NOT_CERTIFIED,)
    assert verification.record_problems == (NO_RECORD,)
    assert verification.signatures[0].trusted


@pytest.mark.parametrize("data", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF\n", bytes(range(256)) * 8])
def test_anything_but_a_pdf_is_reported_not_raised(data: bytes, team: SigningTeam) -> None:
    assert verify_pdf(data, [team.authority.certificate]) == PdfVerification(signatures=(), problems=(NOT_READABLE,))


def test_an_unsigned_pdf_has_no_signatures(rendered: bytes, team: SigningTeam) -> None:
    verification = verify_pdf(rendered, [team.authority.certificate])

    assert not verification.ok
    assert verification.problems == ("no signatures",)


# --- what a meeting chair is told, and signatures as of their signing time (§9.7) ----------------------------


def test_only_an_approved_record_passes_and_a_certified_one_says_not_approved(
    certified: bytes, approved: bytes, team: SigningTeam
) -> None:
    certified_only = verify_pdf(certified, [team.authority.certificate])
    whole = verify_pdf(approved, [team.authority.certificate])

    assert certified_only.ok and not certified_only.approved and not certified_only.passes
    assert certified_only.failures == (NOT_APPROVED,)
    assert certified_only.verdict.startswith("certified but NOT approved")
    assert whole.passes and whole.approved and whole.failures == ()
    assert whole.verdict.startswith("APPROVED")
    assert [check.state.split(":")[0] for check in whole.signatures] == ["good", "good"]
    assert whole.authority_fingerprint == fingerprint(team.authority.certificate)


def test_a_record_problem_added_by_a_later_check_fails_the_record(approved: bytes, team: SigningTeam) -> None:
    report = replace(verify_pdf(approved, [team.authority.certificate]),
                     record=RecordCheck(None, None, "record.json differs"))

    assert not report.passes and report.verdict == "does NOT verify: record.json differs"


def test_signatures_from_two_authorities_fail_even_when_both_are_trusted(
    certified: bytes, team: SigningTeam, impostor_authority: Authority
) -> None:
    key, certificate = issue_certificate(impostor_authority, "dima", LEAD_NAME, ["team_lead"])
    signed = sign_with_pyhanko(IncrementalPdfFileWriter(io.BytesIO(certified)), key, certificate,
                               impostor_authority, layout.APPROVAL_FIELD)

    report = verify_pdf(signed, [team.authority.certificate, impostor_authority.certificate])

    assert all(check.trusted for check in report.signatures)
    assert TWO_AUTHORITIES in report.problems and not report.passes


def test_a_signature_still_verifies_after_the_signers_certificate_has_expired(
    rendered: bytes, team: SigningTeam
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    short_lived = with_validity(team.authority, issue_certificate(team.authority, "zoe", AUTHOR_NAME,
                                                                  ["practitioner"])[1], key, expires)
    signed = approve(certify(rendered, PdfSigner(key, short_lived, team.authority.certificate), RECORD), team.lead)
    while datetime.now(UTC) <= expires:  # the real clock moves past the certificate's expiry
        time.sleep(0.2)

    report = verify_pdf(signed, [team.authority.certificate])
    decades_later = verify_pdf(signed, [team.authority.certificate], now=datetime.now(UTC) + timedelta(days=40 * 365))

    assert datetime.now(UTC) > short_lived.not_valid_after_utc
    assert report.passes, report.failures
    assert decades_later.passes, decades_later.failures  # past the authority's own 20 years too


def test_a_signature_made_after_the_certificate_expired_fails(rendered: bytes, team: SigningTeam) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    expired = with_validity(team.authority, team.author_certificate, key, datetime.now(UTC) - timedelta(days=1))

    report = verify_pdf(certify(rendered, PdfSigner(key, expired, team.authority.certificate), RECORD),
                        [team.authority.certificate])

    assert report.signatures[0].problems == (
        "the signer's certificate was not valid when the signature was made (expired or not yet valid)",)


def test_a_signature_made_after_the_signers_revocation_fails_and_one_before_it_passes(
    approved: bytes, team: SigningTeam
) -> None:
    certification, approval = verify_pdf(approved, [team.authority.certificate]).signatures
    assert certification.signing_time is not None and approval.signing_time is not None
    lead_serial = team.lead.certificate.serial_number

    after = verify_pdf(approved, [team.authority.certificate],
                       revoked={lead_serial: approval.signing_time - timedelta(seconds=1)})
    before = verify_pdf(approved, [team.authority.certificate],
                        revoked={lead_serial: approval.signing_time + timedelta(minutes=1)})

    assert not after.passes
    assert after.signatures[1].problems[0].startswith("signed after the signer's certificate was revoked on")
    assert after.signatures[1].state.startswith("NOT valid: signed after")
    assert before.passes, before.failures


def test_a_signing_time_in_the_future_is_not_believed(approved: bytes, team: SigningTeam) -> None:
    report = verify_pdf(approved, [team.authority.certificate], now=datetime.now(UTC) - timedelta(days=2))

    assert not report.passes
    assert all("made in the future" in check.problems[0] for check in report.signatures)


# --- the signature containers, as strict independent verifiers read them ---------------------------------------


def test_every_signature_container_carries_each_certificate_once(approved: bytes, team: SigningTeam) -> None:
    reader = PdfFileReader(io.BytesIO(approved))
    containers = [signature.signed_data for signature in reader.embedded_signatures]

    assert len(containers) == 2
    for signed_data, signer in zip(containers, (team.author, team.lead), strict=True):
        certificates = [choice.chosen.dump() for choice in signed_data["certificates"]]
        assert len(certificates) == len(set(certificates)) == 2
        assert set(certificates) == {cert_to_der(signer.certificate), cert_to_der(team.authority.certificate)}
        parsed = cms.ContentInfo.load(cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump())
        assert len(parsed["content"]["certificates"]) == 2


def with_validity(authority: Authority, certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey,
                  not_after: datetime) -> x509.Certificate:
    """`certificate` reissued for `key`, valid from a week before `not_after` until then."""
    builder = (x509.CertificateBuilder().subject_name(certificate.subject).issuer_name(certificate.issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(not_after - timedelta(days=7)).not_valid_after(not_after))
    for extension in certificate.extensions:
        if not isinstance(extension.value, x509.SubjectKeyIdentifier):
            builder = builder.add_extension(extension.value, extension.critical)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    return builder.sign(authority.key, hashes.SHA256())


# --- poppler's pdfsig: an independent check; it exits 0 even when a signature is broken, so read what it says.

@pytest.fixture(scope="module")
def nss_stores(team: SigningTeam, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two NSS databases for pdfsig: one trusting the team authority, one trusting nothing."""
    if shutil.which("certutil") is None:
        pytest.skip("certutil (Debian package libnss3-tools) is needed to give pdfsig a trust store")
    folder = tmp_path_factory.mktemp("nss")
    authority_pem = folder / "authority.pem"
    authority_pem.write_bytes(cert_to_pem(team.authority.certificate))
    trusting, empty = folder / "trusting", folder / "empty"
    for store in (trusting, empty):
        store.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{store}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{trusting}", "-n", "cpassess team authority", "-t", "C,C,C",
         "-i", str(authority_pem)],
        check=True, capture_output=True,
    )
    return trusting, empty


def test_pdfsig_finds_both_signatures_valid_and_trusted_through_the_authority(
    approved: bytes, nss_stores: tuple[Path, Path], tmp_path: Path
) -> None:
    trusting, empty = nss_stores
    path = tmp_path / "approved.pdf"
    path.write_bytes(approved)

    with_authority = pdfsig(path, trusting)
    without_authority = pdfsig(path, empty)

    assert [block["field"] for block in with_authority] == [layout.AUTHOR_FIELD, layout.APPROVAL_FIELD]
    assert [block["signature"] for block in with_authority] == ["Signature is Valid."] * 2
    assert [block["certificate"] for block in with_authority] == ["Certificate is Trusted."] * 2
    assert [block["signature"] for block in without_authority] == ["Signature is Valid."] * 2
    assert all(block["certificate"] != "Certificate is Trusted." for block in without_authority)
    assert [block["whole"] for block in with_authority] == [False, True]


def test_pdfsig_reports_a_changed_grade(approved: bytes, nss_stores: tuple[Path, Path], tmp_path: Path) -> None:
    path = tmp_path / "tampered.pdf"
    path.write_bytes(flip(approved, content_offset(approved)))

    blocks = pdfsig(path, nss_stores[0])

    assert len(blocks) == 2
    assert all(block["signature"] != "Signature is Valid." for block in blocks)


# --- MuPDF's mutool: a second independent check (see conftest.mutool_verdicts)


def test_mutool_finds_both_signatures_valid(approved: bytes, tmp_path: Path) -> None:
    path = tmp_path / "approved.pdf"
    path.write_bytes(approved)

    # the certification was followed by the approval (an allowed edit); nothing followed the approval
    assert mutool_verdicts(path) == [MUTOOL_EDITED, MUTOOL_UNCHANGED]


def test_mutool_reports_a_changed_grade(approved: bytes, tmp_path: Path) -> None:
    path = tmp_path / "tampered.pdf"
    path.write_bytes(flip(approved, content_offset(approved)))

    assert mutool_verdicts(path) == ["Digest error: Signature invalidated by change to document."] * 2


# --- helpers

def flip(pdf: bytes, offset: int) -> bytes:
    """`pdf` with one byte changed (a digit 3 becomes 1; anything else changes one bit)."""
    return pdf[:offset] + bytes([pdf[offset] ^ 0x02]) + pdf[offset + 1 :]


def content_offset(pdf: bytes) -> int:
    """Where the last page's content stream says "3" in the grade line."""
    return pdf.index(GRADE_LINE.encode("ascii")) + GRADE_LINE.index("3")


def signed_offset(pdf: bytes, near: int) -> int:
    """An offset at or after `near` that every signature covers (outside each one's signature value)."""
    offset = near
    for start, length, resume, _ in byte_ranges(pdf):
        if start + length <= offset < resume:
            offset = resume + 16
    return offset


def byte_ranges(pdf: bytes) -> list[tuple[int, ...]]:
    """Each signature's /ByteRange: the signed stretches either side of its signature value."""
    found = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    return [tuple(int(number) for number in numbers) for numbers in found]


def change_signature_value(pdf: bytes) -> bytes:
    """`pdf` with one hex digit changed near the end of the last signature's ECDSA value."""
    start, length, _, _ = byte_ranges(pdf)[-1]
    contents_start = start + length + 1  # after the "<"
    contents_end = pdf.index(b">", contents_start)
    offset = contents_start + len(pdf[contents_start:contents_end].rstrip(b"0")) - 8
    return pdf[:offset] + (b"1" if pdf[offset : offset + 1] == b"0" else b"0") + pdf[offset + 1 :]


def write(writer: IncrementalPdfFileWriter) -> bytes:
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def sign_with_pyhanko(
    writer: IncrementalPdfFileWriter,
    key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
    issuer: Authority,
    field_name: str,
) -> bytes:
    """A plain (invisible, uncertified) signature made outside cpassess, as someone tampering would."""
    signing_cert = asn1_x509.Certificate.load(cert_to_der(certificate))
    signer = signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key_to_der(key)),
        cert_registry=SimpleCertificateStore.from_certs(
            [signing_cert, asn1_x509.Certificate.load(cert_to_der(issuer.certificate))]
        ),
    )
    metadata = signers.PdfSignatureMetadata(field_name=field_name)
    signed: bytes = signers.sign_pdf(writer, metadata, signer=signer).getvalue()
    return signed


def pdftotext(path: Path, page: int | None = None) -> str:
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    return subprocess.run(["pdftotext", *pages, str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdfsig(path: Path, nss_store: Path) -> list[dict[str, object]]:
    """pdfsig's report, one dict per signature: field, signature and certificate verdicts, whole document or not."""
    # No -no-ocsp: poppler 22.12 then fails every certificate; ours name no OCSP responder, so nothing is fetched.
    command = ["pdfsig", "-nssdir", f"sql:{nss_store}", str(path)]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    blocks = []
    for block in re.split(r"^Signature #\d+:$", result.stdout, flags=re.MULTILINE)[1:]:
        def value(label: str, text: str = block) -> str:
            found = re.search(rf"^\s*- {label}: (.*)$", text, flags=re.MULTILINE)
            return found.group(1).strip() if found else ""

        blocks.append(
            {
                "field": value("Signature Field Name"),
                "signature": value("Signature Validation"),
                "certificate": value("Certificate Validation"),
                "whole": "- Total document signed" in block,
            }
        )
    return blocks
