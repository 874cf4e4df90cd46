"""Checking a signed case-conference PDF (DESIGN §9.6, §9.7): who signed it, and whether it is still exactly what
they signed.

A PDF's signatures are sound (`ok`) only if it is certified by its author (the first signature), every signature
is intact, cryptographically valid and issued by one trusted team authority, nothing added after the certification
goes beyond what it allows (form filling and signatures), an approval is signed by a team lead other than the
author, the last signature covers the whole file, and the cover's "Approved by ..." line is exactly the approval
that was signed, written under that signature (cpassess.export.approval_line). It is an approved record (`passes`)
only if it is also approved; a chronology printed on its own passes once certified by whoever printed it. Each
signature is validated as of the time it was signed (the certificate must have been valid then and not yet
revoked), so a record outlives its signers' certificates. Anything that cannot be read becomes a problem
sentence: checking never raises on bad input.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from cpassess import authority
from cpassess.export import approval_line, layout
from cpassess.export.embedded import RecordCheck, check_record, document_kind, signed_length
from cpassess.trust import fingerprint
from cpassess.workflow import Role

logger = logging.getLogger(__name__)

NOT_READABLE = "not a readable PDF"
NO_SIGNATURES = "no signatures"
SIGNATURES_UNREADABLE = "a signature in the document is damaged and cannot be read"
NOT_COVERED = "the last signature does not cover the whole document: something was added after signing"
NOT_CERTIFIED = "the document is not certified: the first signature must be the author's certification"
NO_AUTHORITY = "no team authority given to check against"
NOT_APPROVED = "certified but NOT approved: no team lead has signed the approval"
ONLY_PRINTER = "a printed chronology carries one signature, of whoever printed it: it has others"
TWO_AUTHORITIES = "the signatures come from different team authorities"
# A laptop's clock may run ahead of the one checking; a signing time beyond this is not believed.
CLOCK_DRIFT = timedelta(days=1)
_LEVELS = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "signature upkeep",
    ModificationLevel.FORM_FILLING: "form filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}
_OUT_OF_DATE = {
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    AdESIndeterminate.NOT_YET_VALID,
    AdESFailure.NOT_YET_VALID,
}
_REVOKED = {AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}


@dataclass(frozen=True)
class SignatureCheck:
    """What one signature in the PDF says, and how it stands up."""

    field_name: str
    signer_name: str
    signer_username: str
    signer_roles: tuple[str, ...]
    signing_time: datetime | None  # as the signer's computer reported it (no timestamp server offline)
    is_certification: bool
    intact: bool  # the signed bytes still hash to the digest that was signed
    valid: bool  # the signature over that digest checks out against the signer's certificate
    trusted: bool  # the signer's certificate chains to one of the trusted team authorities
    covers_whole_document: bool
    modification_level: str  # what was changed after this signature: none, form filling, annotations, other
    docmdp_ok: bool | None  # those changes stay within what the certification allows (None: not known)
    problems: tuple[str, ...]  # plain-English reasons this signature does not pass; empty when all is fine
    issuer_fingerprint: str | None = None  # SHA-256 of the trusted authority that issued the signer's certificate

    @property
    def kind(self) -> str:
        """What the signature is for, as the PDF's boxes say: the author's certification or the approval."""
        if self.is_certification:
            return "certification"
        return "approval" if self.field_name == layout.APPROVAL_FIELD else f"extra signature '{self.field_name}'"

    @property
    def state(self) -> str:
        """This signature's standing in one sentence a meeting chair can read out."""
        if self.problems:
            return f"NOT valid: {self.problems[0]}"
        who = f"{self.signer_name or 'an unnamed signer'}"
        if self.is_certification:
            return (f"good: certified by {who}, the author; the words have not changed since"
                    + ("" if self.covers_whole_document else
                       f" (added after it, as the author allowed: {self.modification_level})"))
        if self.field_name == layout.APPROVAL_FIELD:
            return f"good: approved by {who}, a team lead, on exactly the certified document"
        return f"signed by {who}"


@dataclass(frozen=True)
class PdfVerification:
    """Every signature in the PDF, checked, and the problems with the document as a whole; and the record inside
    it (`record`, None only when the file could not be read at all), whose problems count against `passes`."""

    signatures: tuple[SignatureCheck, ...]
    problems: tuple[str, ...]
    authority: x509.Certificate | None = None  # the trusted team authority the certification chains to
    record: RecordCheck | None = None
    kind: str | None = None  # None: an assessment; layout.CHRONOLOGY_FORM_ID: a chronology signed off when printed

    @property
    def signed_off_print(self) -> bool:
        """A record certified by whoever printed it (the chronology), which no team lead approves."""
        return self.kind == layout.CHRONOLOGY_FORM_ID

    @property
    def record_problems(self) -> tuple[str, ...]:
        return (self.record.problem,) if self.record is not None and self.record.problem else ()

    @property
    def ok(self) -> bool:
        """At least one signature, and no problem with the document or any signature (approved or not)."""
        return bool(self.signatures) and not self.problems and not any(check.problems for check in self.signatures)

    @property
    def approved(self) -> bool:
        """Whether a sound approval signature is there (a certified record awaiting approval is not)."""
        return any(check.field_name == layout.APPROVAL_FIELD and not check.is_certification and not check.problems
                   for check in self.signatures)

    @property
    def failures(self) -> tuple[str, ...]:
        """Every reason this PDF is not a sound, approved record, the most telling first; empty if it is one."""
        reasons = [*self.problems, *(problem for check in self.signatures for problem in check.problems),
                   *self.record_problems]
        if (self.signatures and not self.signed_off_print
                and not any(check.field_name == layout.APPROVAL_FIELD for check in self.signatures)):
            reasons.append(NOT_APPROVED)
        return tuple(reasons)

    @property
    def passes(self) -> bool:
        """A sound, approved record (or a sound signed-off print): what `verify-pdf` exits 0 for."""
        return self.ok and (self.approved or self.signed_off_print) and not self.failures

    @property
    def authority_fingerprint(self) -> str | None:
        return fingerprint(self.authority) if self.authority is not None else None

    @property
    def verdict(self) -> str:
        """The result in one line a meeting chair understands."""
        if self.passes and self.signed_off_print:
            who = self.signatures[0].signer_name
            return f"SIGNED OFF: the child's chronology as {who} printed and certified it, unchanged since"
        if self.passes:
            return "APPROVED: certified by the author and approved by a team lead, unchanged since"
        if self.failures == (NOT_APPROVED,):
            return "certified but NOT approved: this is the submitted version, awaiting a team lead's approval"
        return f"does NOT verify: {self.failures[0] if self.failures else 'see above'}"


def verify_pdf(pdf: bytes, trusted: Sequence[x509.Certificate], *,
               revoked: Mapping[int, datetime] | None = None, now: datetime | None = None) -> PdfVerification:
    """Check every signature in `pdf` against the team authority certificates in `trusted`; never raises.

    Each signature is validated as of its signing time: the signer's certificate must have been within its
    validity then, and its serial must not be in `revoked` (serial -> time of revocation) with a revocation at
    or before that time. A signing time later than `now` (plus a day's clock drift) is not believed.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        certification = _certification_reference(reader)
    except Exception as error:  # a damaged or hostile file can break the parser in any number of ways
        logger.info("A PDF could not be read for verification (%s)", type(error).__name__)
        return PdfVerification(signatures=(), problems=(NOT_READABLE,))
    try:
        embedded = list(reader.embedded_signatures)
    except Exception as error:  # as above: the signature containers are parsed here
        logger.info("The signatures in a PDF could not be read (%s)", type(error).__name__)
        return PdfVerification(signatures=(), problems=(SIGNATURES_UNREADABLE,))
    if not embedded:
        return PdfVerification(signatures=(), problems=(NO_SIGNATURES,))

    roots = [asn1_x509.Certificate.load(authority.cert_to_der(certificate)) for certificate in trusted]
    limits = _Limits(roots, trusted, dict(revoked or {}), now or datetime.now(UTC))
    checks = tuple(_check(signature, limits, certification) for signature in embedded)
    certified_length = signed_length(embedded[0].byte_range)
    record = check_record(pdf, certified_length)
    kind = document_kind(pdf, certified_length)

    problems: list[str] = []
    if not checks[0].is_certification or any(check.is_certification for check in checks[1:]):
        problems.append(NOT_CERTIFIED)
    if not checks[-1].covers_whole_document:
        problems.append(NOT_COVERED)
    authors = {check.signer_username for check in checks if check.field_name == layout.AUTHOR_FIELD}
    approvers = {check.signer_username for check in checks if check.field_name == layout.APPROVAL_FIELD}
    if (authors & approvers) - {""}:
        problems.append("the author approved their own assessment")
    issuers = {check.issuer_fingerprint for check in checks if check.trusted}
    if len(issuers) > 1:
        problems.append(TWO_AUTHORITIES)
    approval = next(((index, check.signer_name, check.signing_time) for index, check in enumerate(checks)
                     if check.field_name == layout.APPROVAL_FIELD and not check.is_certification), None)
    if kind == layout.CHRONOLOGY_FORM_ID and len(checks) > 1:
        problems.append(ONLY_PRINTER)
    elif checks[0].is_certification:
        problems += _line_problems(reader, embedded, approval)
    used = next((candidate for candidate in trusted if fingerprint(candidate) == checks[0].issuer_fingerprint), None)
    return PdfVerification(signatures=checks, problems=tuple(problems), authority=used, record=record, kind=kind)


def _line_problems(reader: PdfFileReader, embedded: Sequence[EmbeddedPdfSignature],
                   approval: tuple[int, str, datetime | None] | None) -> list[str]:
    try:
        return approval_line.problems(reader, embedded, approval)
    except Exception as error:  # as for the whole file: a damaged field is a problem, not a crash
        logger.info("The approval line could not be read (%s)", type(error).__name__)
        return ["the cover's approval line cannot be read"]


@dataclass(frozen=True)
class _Limits:
    """What every signature is checked against: the trusted authorities, the revocations, and the present."""

    roots: list[asn1_x509.Certificate]
    trusted: Sequence[x509.Certificate]
    revoked: dict[int, datetime]
    now: datetime


def _certification_reference(reader: PdfFileReader) -> generic.Reference | None:
    """The reference to the certification signature's dictionary, if the document names one."""
    try:
        reference: generic.Reference = reader.root["/Perms"].raw_get("/DocMDP").reference
    except (KeyError, AttributeError):
        return None
    return reference


def _check(signature: EmbeddedPdfSignature, limits: _Limits, certification: generic.Reference | None) -> SignatureCheck:
    field_name = str(signature.field_name)
    try:
        # as of the signing time the signer reported (no time-stamping server offline): see docs/admin.md
        signed_at = signature.self_reported_timestamp or limits.now
        context = ValidationContext(trust_roots=limits.roots, allow_fetching=False, moment=signed_at)
        status = validate_pdf_signature(signature, signer_validation_context=context)
        certificate = x509.load_der_x509_certificate(signature.signer_cert.dump())
        is_certification = (
            certification is not None
            and signature.sig_field.raw_get("/V").reference == certification
            and signature.docmdp_level is not None
        )
    except Exception as error:  # as for the whole file: a damaged signature must be reported, not crash the check
        logger.info("A PDF signature could not be checked (%s)", type(error).__name__)
        return SignatureCheck(
            field_name=field_name, signer_name="", signer_username="", signer_roles=(), signing_time=None,
            is_certification=False, intact=False, valid=False, trusted=False, covers_whole_document=False,
            modification_level="unknown", docmdp_ok=None,
            problems=("this signature is damaged and could not be checked",),
        )

    try:
        identity = authority.certificate_identity(certificate)
        name, username, roles = identity.display_name, identity.username, identity.roles
    except ValueError:
        common_names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        name = str(common_names[0].value) if common_names else certificate.subject.rfc4514_string()
        username, roles = "", ()
    level = status.modification_level
    check = SignatureCheck(
        field_name=field_name,
        signer_name=name,
        signer_username=username,
        signer_roles=roles,
        signing_time=status.signer_reported_dt,
        is_certification=is_certification,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        modification_level="unknown" if level is None else _LEVELS[level],
        docmdp_ok=status.docmdp_ok,
        problems=(),
        issuer_fingerprint=next((fingerprint(candidate) for candidate in limits.trusted
                                 if authority.issued_by(certificate, candidate)), None),
    )
    return _with_problems(check, status, certificate, limits)


def _with_problems(
    check: SignatureCheck, status: PdfSignatureStatus, certificate: x509.Certificate, limits: _Limits
) -> SignatureCheck:
    problems: list[str] = []
    revoked_at = limits.revoked.get(certificate.serial_number)
    if not check.intact:
        problems.append("the signed content has been altered since it was signed")
    elif not check.valid:
        problems.append("the signature does not match the signer's certificate")
    elif not check.trusted:
        problems.append(_trust_problem(status, certificate, limits.trusted))
    elif check.signing_time is None:
        problems.append("the signature does not say when it was made")
    elif revoked_at is not None and check.signing_time >= revoked_at:
        problems.append(f"signed after the signer's certificate was revoked on {revoked_at:%d/%m/%Y %H:%M %Z} "
                        "(they had left the team)")
    elif check.signing_time > limits.now + CLOCK_DRIFT:
        problems.append("the signature claims to have been made in the future: the signer's clock was wrong")
    if not check.signer_username:
        problems.append("the signer's certificate does not name a cpassess user")
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        problems.append("the signature does not cover the whole of the document as it was when signed")
    if check.docmdp_ok is False:
        problems.append(
            "the document was changed after the author certified it, in a way the certification does not allow"
            if check.is_certification
            else "the document was changed after this signature in a way that is not allowed"
        )
    if check.field_name == layout.APPROVAL_FIELD and check.signer_username and Role.TEAM_LEAD not in check.signer_roles:
        problems.append("the approval was not signed by a team lead")
    return replace(check, problems=tuple(problems))


def _trust_problem(
    status: PdfSignatureStatus, certificate: x509.Certificate, trusted: Sequence[x509.Certificate]
) -> str:
    if not trusted:
        return NO_AUTHORITY
    if not any(authority.issued_by(certificate, candidate) for candidate in trusted):
        return "the signer's certificate was not issued by the team authority"
    indication = status.trust_problem_indic
    if indication in _OUT_OF_DATE:
        return "the signer's certificate was not valid when the signature was made (expired or not yet valid)"
    if indication in _REVOKED:
        return "the signer's certificate has been revoked"
    return "the signer's certificate, although issued by the team authority, did not pass validation"
