"""Whom `verify-pdf` trusts (DESIGN §9.7): team authorities the user added on purpose, and nothing else.

Each trusted authority is its certificate, kept as `<sha256>.pem` in the user's config folder. Only
`cpassess authority trust FILE` adds one (after showing its fingerprint), `authority forget` removes one;
opening a database never does. A file whose name is not its own fingerprint is ignored, so a certificate
dropped into the folder by hand or swapped under an old name is not trusted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from cpassess.atomic import write_atomic
from cpassess.authority import cert_from_der, cert_from_pem, cert_to_pem
from cpassess.paths import trust_store_dir

log = logging.getLogger(__name__)

_MAX_CERTIFICATE_BYTES = 64 * 1024


class TrustError(Exception):
    """A certificate cannot be trusted or forgotten as asked; the message says why in one line."""


@dataclass(frozen=True)
class TrustedAuthority:
    name: str
    fingerprint: str  # SHA-256, as people compare it: 32 pairs of hex digits joined by colons
    certificate: x509.Certificate


def fingerprint(certificate: x509.Certificate) -> str:
    """The SHA-256 fingerprint as PDF readers and certutil show it: `AB:CD:...` (95 characters)."""
    return ":".join(f"{byte:02X}" for byte in certificate.fingerprint(hashes.SHA256()))


def authority_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


def load_certificate(path: Path) -> x509.Certificate:
    """A certificate file in PEM or DER; TrustError in one line if it is not readable as one."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise TrustError(f"{path}: cannot be read ({error.strerror})") from None
    if len(raw) > _MAX_CERTIFICATE_BYTES:
        raise TrustError(f"{path}: is far too large to be a certificate")
    try:
        return cert_from_pem(raw) if b"-----BEGIN" in raw else cert_from_der(raw)
    except ValueError:
        raise TrustError(f"{path}: is not a certificate") from None


def check_is_authority(certificate: x509.Certificate) -> None:
    """A team authority is a self-signed CA certificate; a member's certificate is refused."""
    try:
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca or certificate.issuer != certificate.subject:
        raise TrustError("this is not a team signing authority certificate (export it with cpassess authority "
                         "export, or from the settings screen)")


def trusted_authorities(folder: Path | None = None) -> list[TrustedAuthority]:
    """Every authority in the trust store, by name."""
    folder = folder or trust_store_dir()
    found = []
    for path in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
        try:
            certificate = cert_from_pem(path.read_bytes())
        except (OSError, ValueError):
            log.warning("an unreadable file in the trust store was ignored")
            continue
        digest = fingerprint(certificate)
        if path.stem != _file_stem(digest):
            log.warning("a certificate in the trust store not named by its fingerprint was ignored")
            continue
        found.append(TrustedAuthority(authority_name(certificate), digest, certificate))
    return sorted(found, key=lambda entry: (entry.name.casefold(), entry.fingerprint))


def trust(certificate: x509.Certificate, folder: Path | None = None) -> TrustedAuthority:
    """Add an authority to the trust store (again is harmless); TrustError if it is not an authority."""
    check_is_authority(certificate)
    folder = folder or trust_store_dir()
    digest = fingerprint(certificate)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / f"{_file_stem(digest)}.pem", cert_to_pem(certificate))
    log.info("an authority was added to the trust store")
    return TrustedAuthority(authority_name(certificate), digest, certificate)


def forget(text: str, folder: Path | None = None) -> TrustedAuthority:
    """Remove the trusted authority with this fingerprint (colons, spaces and case do not matter)."""
    wanted = normalise_fingerprint(text)
    for entry in trusted_authorities(folder):
        if _file_stem(entry.fingerprint) == wanted:
            (folder or trust_store_dir()).joinpath(f"{wanted}.pem").unlink()
            return entry
    raise TrustError(f"no trusted authority has the fingerprint {text.strip()} (see cpassess authority list)")


def normalise_fingerprint(text: str) -> str:
    compact = "".join(symbol for symbol in text.lower() if symbol not in ": \t")
    if len(compact) != 64 or any(symbol not in "0123456789abcdef" for symbol in compact):
        raise TrustError(f"{text.strip()!r} is not a SHA-256 fingerprint (64 hex digits, as authority list shows)")
    return compact


def _file_stem(digest: str) -> str:
    return digest.replace(":", "").lower()
