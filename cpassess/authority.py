"""The team signing authority (§9.5): a small offline CA that issues each user an ECDSA P-256 certificate.

The authority's and users' private keys are only ever stored inside key slots (`cpassess.keyslots`); this
module creates, serialises and checks them, and signs and verifies bytes for the audit chain and exchange
packages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

AUTHORITY_YEARS = 20
USER_YEARS = 5
AUTHORITY_SUFFIX = " signing authority"
ROLE_SEPARATOR = ", "
# The roles as the software reads them (ids), in a private extension: the subject's title holds them as people
# read them ("Team lead, Administrator"), which a PDF reader shows in its certificate details.
ROLES_EXTENSION = x509.ObjectIdentifier("2.25.178813302616826745622372135307935296613")
# RFC 5280 caps a common name at 64; cryptography counts that in UTF-8 bytes (about 32 Cyrillic letters).
MAX_COMMON_NAME_BYTES = 64
# Laptops' clocks drift; a new certificate must already be valid on a colleague's laptop that runs behind.
_BACKDATE = timedelta(days=1)


@dataclass(frozen=True)
class Authority:
    """The team signing authority: its private key and self-signed certificate."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True)
class CertificateIdentity:
    """Who a user certificate names, read back from its subject."""

    username: str
    display_name: str
    roles: tuple[str, ...]
    serial: int
    fingerprint_sha256: str


def create_authority(team_name: str) -> Authority:
    """A new team signing authority: a P-256 key and a self-signed CA certificate valid for 20 years."""
    common_name = f"{team_name.strip()}{AUTHORITY_SUFFIX}"
    if not team_name.strip() or not fits_common_name(common_name):
        raise ValueError("The team name must be given, and short enough for a certificate.")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, team_name.strip()),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(_years_after(now, AUTHORITY_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key=key, certificate=certificate)


def issue_certificate(
    authority: Authority, username: str, display_name: str, roles: Sequence[str]
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A new P-256 key for a user, and its certificate from `authority`, valid 5 years (never past the CA's).

    The subject carries the display name (CN, any Unicode), the username (UID) and the roles (title, joined
    with ", "); key usage is digital signature plus non-repudiation, as a sign-off with legal weight needs.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    return key, certify_public_key(authority, key.public_key(), username, display_name, roles)


def certify_public_key(
    authority: Authority, public_key: ec.EllipticCurvePublicKey, username: str, display_name: str,
    roles: Sequence[str],
) -> x509.Certificate:
    """A user certificate from `authority` for a key made elsewhere (a colleague joining from their laptop)."""
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or public_key.curve.name != "secp256r1":
        raise ValueError("A user key must be an ECDSA P-256 key.")
    if not username:
        raise ValueError("A certificate needs a username.")
    if not display_name.strip() or not fits_common_name(display_name):
        raise ValueError(
            "The display name must be given, and short enough for a certificate "
            f"({MAX_COMMON_NAME_BYTES} bytes: about 60 Latin or 32 Cyrillic or Greek letters)."
        )
    if any(not role or "," in role for role in roles):
        raise ValueError("Role names must be non-empty and contain no commas.")
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, display_name),
        x509.NameAttribute(NameOID.USER_ID, username),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, team_of(authority.certificate)),
    ]
    if roles:
        attributes.append(x509.NameAttribute(NameOID.TITLE, ROLE_SEPARATOR.join(role_title(r) for r in roles)))
    now = datetime.now(UTC)
    authority_ski = authority.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(authority.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(min(_years_after(now, USER_YEARS), authority.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # signing (sign-offs, audit events) and key agreement (exchange packages are encrypted to this key)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True, key_agreement=True),
                       critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(authority_ski), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.UnrecognizedExtension(ROLES_EXTENSION, _utf8_string(ROLE_SEPARATOR.join(roles))),
                       critical=False)
        .sign(authority.key, hashes.SHA256())
    )
    return certificate


def _utf8_string(text: str) -> bytes:
    """`text` as a DER UTF8String (an extension's value is DER)."""
    data = text.encode()
    if len(data) >= 128:
        raise ValueError("Too many roles for a certificate.")
    return bytes([0x0C, len(data)]) + data


def _from_utf8_string(der: bytes) -> str:
    if len(der) < 2 or der[0] != 0x0C or der[1] != len(der) - 2:
        raise ValueError("This certificate does not name a cpassess user.")
    return der[2:].decode()


def role_title(role: str) -> str:
    """A role id as people read it: "team_lead" -> "Team lead"."""
    return role.replace("_", " ").capitalize()


def team_of(authority_certificate: x509.Certificate) -> str:
    """The team's name, from its signing authority's common name."""
    names = authority_certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return _text(names[0].value).removesuffix(AUTHORITY_SUFFIX) if names else ""


def fits_common_name(name: str) -> bool:
    """Whether `name` is short enough to be a certificate's common name (check display names up front)."""
    return 1 <= len(name.encode("utf-8")) <= MAX_COMMON_NAME_BYTES


def certificate_identity(certificate: x509.Certificate) -> CertificateIdentity:
    """The username, display name and roles a user certificate names; ValueError if it names no user."""
    subject = certificate.subject
    usernames = subject.get_attributes_for_oid(NameOID.USER_ID)
    display_names = subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    titles = subject.get_attributes_for_oid(NameOID.TITLE)
    if len(usernames) != 1 or len(display_names) != 1 or len(titles) > 1:
        raise ValueError("This certificate does not name a cpassess user.")
    try:
        # the ids, from the extension; a certificate from before it has the ids in its title
        extension = certificate.extensions.get_extension_for_oid(ROLES_EXTENSION).value
    except x509.ExtensionNotFound:
        extension = None
    if isinstance(extension, x509.UnrecognizedExtension):
        ids = _from_utf8_string(extension.value)
    else:
        ids = _text(titles[0].value) if titles else ""
    return CertificateIdentity(
        username=_text(usernames[0].value),
        display_name=_text(display_names[0].value),
        roles=tuple(ids.split(ROLE_SEPARATOR)) if ids else (),
        serial=certificate.serial_number,
        fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
    )


def issued_by(certificate: x509.Certificate, authority_certificate: x509.Certificate) -> bool:
    """Whether `authority_certificate` issued `certificate`: the issuer name matches and its key signed it.

    Returns False on any mismatch and never raises. Validity dates and revocation are the caller's concern.
    """
    if certificate.issuer != authority_certificate.subject:
        return False
    try:
        certificate.verify_directly_issued_by(authority_certificate)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """An ECDSA-with-SHA-256 signature (DER) of `data`."""
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def verify(certificate: x509.Certificate, data: bytes, signature: bytes) -> bool:
    """Whether `signature` is an ECDSA-with-SHA-256 signature of `data` by the key in `certificate`."""
    public_key = certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        return False
    try:
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def key_to_der(key: ec.EllipticCurvePrivateKey) -> bytes:
    """The private key as unencrypted PKCS#8 DER: only ever to be stored inside a key slot."""
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def key_from_der(der: bytes) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PKCS#8 DER; ValueError for anything else."""
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValueError("These bytes are not a private key.") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("This private key is not an ECDSA P-256 key.")
    return key


def cert_to_pem(certificate: x509.Certificate) -> bytes:
    """The certificate in PEM, for export to a PDF reader or a team roster."""
    return certificate.public_bytes(serialization.Encoding.PEM)


def cert_from_pem(pem: bytes) -> x509.Certificate:
    """A certificate from PEM; ValueError if it is not one."""
    return x509.load_pem_x509_certificate(pem)


def cert_to_der(certificate: x509.Certificate) -> bytes:
    """The certificate in DER, for storing in the database."""
    return certificate.public_bytes(serialization.Encoding.DER)


def cert_from_der(der: bytes) -> x509.Certificate:
    """A certificate from DER; ValueError if it is not one."""
    return x509.load_der_x509_certificate(der)


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_agreement: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=key_agreement,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        # 29 February in a year that is not a leap year.
        return moment.replace(year=moment.year + years, day=28)


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("utf-8")
