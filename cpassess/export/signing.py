"""Signing the case-conference PDF (DESIGN §9.5): the author certifies, the team lead approves those same bytes.

Both are PAdES B-B signatures (no timestamp server is reachable offline) by ECDSA P-256 keys from the team
signing authority, with visible boxes on the last page showing who signed, in what role and when. At submission
`certify` adds both signature fields in one incremental revision and certifies the author's, allowing only form
filling and further signatures (DocMDP), and the cover's empty approval line; at approval `approve` fills that line
("Approved by NAME (Team lead) on DATE") and signs the empty approval field in the same incremental revision, so
the certified file is a byte-identical prefix of the approved one and the line is covered by the approval.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import io
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fontTools import subset, ttLib  # type: ignore[import-untyped]
from fontTools.ttLib import scaleUpem  # type: ignore[import-untyped]
from pyhanko.pdf_utils import layout as box_layout
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from cpassess import authority
from cpassess.export import approval_line, fonts, layout
from cpassess.export.embedded import embed_record
from cpassess.export.verification import verify_pdf
from cpassess.workflow import ROLE_LABELS, Role

logger = logging.getLogger(__name__)
# fontTools lists every glyph it keeps at INFO, and the glyphs of a signature box spell out the signer's name.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

AUTHOR_HEADING = "Certified by the author on submission"
APPROVAL_HEADING = "Approved by the team lead"
PRINTED_HEADING = "Printed and certified from the record"
TIME_FORMAT = "%d/%m/%Y %H:%M (%:z)"
_STAMP_TEXT = "%(heading)s\n%(signer)s\n%(role)s\nSigned %(ts)s"
# Everything a signing time can print, so the font cut for a signer serves every signature they make.
_TIME_CHARACTERS = "0123456789/:()+- "
_FONT_SIZE = 9
_DIGEST = "sha256"
# The signature container is the same size every time bar the ECDSA value (70 to 72 bytes) and DER lengths.
_CONTAINER_SLACK = 64


class SigningError(Exception):
    """The PDF cannot be signed as asked; the message says why in plain English."""


class PdfSigner:
    """One user's signing key and certificate, loaded once and kept in memory for every signature they make.

    Building one checks the key against the certificate and the certificate against the team authority, and
    prepares the signature appearance (a cut of the DejaVu font holding this signer's name), so that each
    signature afterwards costs only a few tens of milliseconds.
    """

    def __init__(
        self, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate, authority_certificate: x509.Certificate
    ) -> None:
        if _public_der(key.public_key()) != _public_der(certificate.public_key()):
            raise SigningError("This signing key does not belong to this certificate.")
        if not authority.issued_by(certificate, authority_certificate):
            raise SigningError("This certificate was not issued by the team signing authority.")
        try:
            self.identity = authority.certificate_identity(certificate)
        except ValueError:
            raise SigningError("This certificate does not name a cpassess user.") from None
        self.certificate = certificate
        self.authority_certificate = authority_certificate
        signing_cert = asn1_x509.Certificate.load(authority.cert_to_der(certificate))
        authority_cert = asn1_x509.Certificate.load(authority.cert_to_der(authority_certificate))
        self._signer = signers.SimpleSigner(
            signing_cert=signing_cert,
            signing_key=asn1_keys.PrivateKeyInfo.load(authority.key_to_der(key)),
            # the authority's certificate goes in too, so every signature carries the whole chain; the signing
            # certificate is added by pyHanko itself, and listing it here too put it in the CMS twice
            cert_registry=SimpleCertificateStore.from_certs([authority_cert]),  # type: ignore[no-untyped-call]
        )
        self.role_line = role_line(self.identity.roles)
        texts = (AUTHOR_HEADING, APPROVAL_HEADING, PRINTED_HEADING, _STAMP_TEXT, self.identity.display_name,
                 self.role_line, approval_line.CHARACTERS)
        characters = "".join(sorted(set("".join(texts) + _TIME_CHARACTERS)))
        # the signature boxes and the cover's approval line are set in it
        self.appearance_font = font = _InMemoryFont(_appearance_font(characters))
        self._stamp_style = TextStampStyle(
            stamp_text=_STAMP_TEXT,
            timestamp_format=TIME_FORMAT,
            text_box_style=TextBoxStyle(font=font, font_size=_FONT_SIZE, leading=12, text_color=(0.15, 0.15, 0.15)),
            inner_content_layout=box_layout.SimpleBoxLayoutRule(
                x_align=box_layout.AxisAlignment.ALIGN_MIN,
                y_align=box_layout.AxisAlignment.ALIGN_MID,
                margins=box_layout.Margins(left=8, right=8, top=6, bottom=6),
            ),
            border_width=1,
            border_color=(0.62, 0.66, 0.7),
        )
        self._bytes_reserved = self._measure_container()

    def _measure_container(self) -> int:
        """Room for this signer's signature container (hex digits), measured once instead of before every signature."""
        attributes = PdfCMSSignedAttributes(signing_time=datetime.now(UTC))
        container = asyncio.run(
            self._signer.async_sign(hashlib.sha256().digest(), _DIGEST, use_pades=True, signed_attr_settings=attributes)
        )
        return 2 * (len(container.dump()) + _CONTAINER_SLACK)

    def _sign(self, writer: IncrementalPdfFileWriter, field_name: str, heading: str, *, certify: bool,
              at: datetime | None = None) -> bytes:
        metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm=_DIGEST,
            subfilter=fields.SigSeedSubFilter.PADES,
            name=self.identity.display_name,
            reason=heading,
            certify=certify,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        )
        pdf_signer = _SignerAt(metadata, self._signer, stamp_style=self._stamp_style, at=at)
        try:
            output = pdf_signer.sign_pdf(
                writer,
                existing_fields_only=True,
                bytes_reserved=self._bytes_reserved,
                appearance_text_params={"heading": heading, "role": self.role_line},
            )
        except (PdfError, ValueError, KeyError, TypeError) as error:
            raise SigningError(f"The PDF could not be signed: {error}") from error
        signed: bytes = output.getvalue()
        return signed


def certify(pdf: bytes, signer: PdfSigner, record_json: bytes,
            approval_box: approval_line.Box | None = None, *, approval: bool = True) -> bytes:
    """The author's certification of a freshly rendered PDF, made on submission.

    One incremental revision embeds `record_json` (the canonical content the pages were rendered from, DESIGN
    §9.7), adds the author's and the team lead's signature boxes to the last page and the cover's approval line
    at `approval_box` (page 1, where the rendering left room for it), and signs the author's as a certification
    that allows only form filling and further signatures, so both signatures cover the record.
    Without `approval` (a chronology, signed off by whoever prints it) there is neither approval box nor line.
    SigningError if the bytes are not a PDF or already carry signature fields.
    """
    started = time.perf_counter()
    with _reading_pdf():
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        if any(True for _ in fields.enumerate_sig_fields(writer.prev)):
            raise SigningError("This PDF already has signature fields: only a freshly rendered PDF can be certified.")
        embed_record(writer, record_json)
        boxes = [(layout.AUTHOR_FIELD, layout.AUTHOR_BOX)]
        if approval:
            boxes.append((layout.APPROVAL_FIELD, layout.APPROVAL_BOX))
        for name, box in boxes:
            # pyHanko types the box as whole points; half a point either way does not show.
            corners = (round(box[0]), round(box[1]), round(box[2]), round(box[3]))
            fields.append_signature_field(writer, fields.SigFieldSpec(name, on_page=-1, box=corners))
        if approval_box is not None and approval:
            approval_line.add_field(writer, approval_box, signer.appearance_font)
    signed = signer._sign(writer, layout.AUTHOR_FIELD, AUTHOR_HEADING if approval else PRINTED_HEADING, certify=True)
    logger.info("Certified a PDF of %d bytes in %.0f ms", len(pdf), (time.perf_counter() - started) * 1000)
    return signed


def approve(pdf: bytes, signer: PdfSigner) -> bytes:
    """The team lead's approval of a certified PDF, signed incrementally on exactly the bytes submitted.

    The cover's approval line is filled in the revision this signature covers, dated by its signing time.
    SigningError unless the PDF carries an intact author's certification from the signer's team authority and
    nothing added since, with its approval box still empty; and unless the signer is a team lead other than
    the author.
    """
    started = time.perf_counter()
    with _reading_pdf():
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        empty = fields.enumerate_sig_fields(writer.prev, filled_status=False, with_name=layout.APPROVAL_FIELD)
        if not any(True for _ in empty):
            raise SigningError(
                "This PDF has no empty approval box: it was not certified by cpassess, or is already approved."
            )
    verification = verify_pdf(pdf, [signer.authority_certificate])
    certification = verification.signatures[0] if len(verification.signatures) == 1 else None
    if certification is None or not certification.is_certification:
        raise SigningError("This PDF is not certified by its author: only a certified PDF can be approved.")
    if not verification.ok:
        problems = "; ".join(verification.problems + certification.problems)
        raise SigningError(f"The author's certification of this PDF does not check out: {problems}.")
    if Role.TEAM_LEAD not in signer.identity.roles:
        raise SigningError("Only a team lead can approve an assessment.")
    if certification.signer_username == signer.identity.username:
        raise SigningError("You cannot approve your own assessment: another team lead must approve it.")
    # the cover's approval line is filled in the revision this signature covers, with its signing time
    at = datetime.now(UTC).astimezone()
    with _reading_pdf():
        line = approval_line.approval_text(signer.identity.display_name, at)
        approval_line.fill(writer, line, signer.appearance_font)
    signed = signer._sign(writer, layout.APPROVAL_FIELD, APPROVAL_HEADING, certify=False, at=at)
    logger.info("Approved a PDF of %d bytes in %.0f ms", len(pdf), (time.perf_counter() - started) * 1000)
    return signed


def role_line(roles: tuple[str, ...]) -> str:
    """The roles a certificate names, as people read them ("Administrator, Team lead")."""
    labels = {role.value: label for role, label in ROLE_LABELS.items()}
    return ", ".join(labels.get(role, role.replace("_", " ").capitalize()) for role in roles)


@contextlib.contextmanager
def _reading_pdf() -> Iterator[None]:
    """Turns whatever a damaged file makes the PDF parser raise into a SigningError."""
    try:
        yield
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        raise SigningError("These bytes are not a readable PDF.") from error


def _public_der(public_key: object) -> bytes:
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise SigningError("Only ECDSA keys can sign cpassess PDFs.")
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


@functools.lru_cache(maxsize=32)
def _appearance_font(characters: str) -> bytes:
    """DejaVu Sans cut down to `characters` (keeping their kerning and accents), once per signer.

    pyHanko subsets the font again for every signature; from the whole 6,000-glyph DejaVu that takes
    over 100 ms, from this cut a few.
    """
    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.notdef_outline = True
    options.drop_tables = [*options.drop_tables, "FFTM"]
    font = ttLib.TTFont(fonts.font_path())
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    # pyHanko writes glyph widths and kerning in font units where PDF wants thousandths of an em.
    scaleUpem.scale_upem(font, 1000)
    output = io.BytesIO()
    font.save(output)
    return output.getvalue()


class _SignerAt(signers.PdfSigner):
    """pyHanko's signer, signing at a time chosen beforehand (the approval line printed that day), or now."""

    def __init__(self, *args: Any, at: datetime | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._at = at

    def init_signing_session(self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        if self._at is not None:
            session.system_time = self._at
        return session


class _InMemoryFont(FontEngineFactory):
    """pyHanko's OpenType engine over font bytes held in memory (its own factory reads a file every time)."""

    def __init__(self, font: bytes) -> None:
        self._font = font

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: object = None) -> GlyphAccumulator:
        return _ShapedGlyphs(writer, io.BytesIO(self._font), _FONT_SIZE, obj_stream=obj_stream)


class _ShapedGlyphs(GlyphAccumulator):
    def prepare_write(self) -> None:
        # Shaping is done by now, and pyHanko drops these tables from the embedded font anyway, but only
        # after fontTools has spent milliseconds decoding them.
        for tag in ("GSUB", "GPOS", "GDEF"):
            if tag in self.tt:
                del self.tt[tag]
        super().prepare_write()  # type: ignore[no-untyped-call]
