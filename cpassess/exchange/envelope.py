"""The sealed envelope every exchange file travels in (DESIGN §10).

    magic line | header (JSON, in clear) | AES-256-GCM ciphertext

The header names the format, the recipient (username and certificate fingerprint) and the sender's
ephemeral P-256 public key; nothing personal. The key is ECDH(ephemeral, recipient) through HKDF-SHA256, the
header is the associated data, and inside is the sender's certificate, the payload and the sender's ECDSA
signature over both. Any flipped byte fails authentication; a file for someone else is refused unopened.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cpassess.authority import cert_from_der, cert_to_der, sign, verify
from cpassess.json_input import parse_json

MAGIC = b"CPASSESS-PACKAGE/1\n"
MAX_HEADER = 8 * 1024
MAX_PACKAGE = 512 * 1024 * 1024


class PackageRefused(Exception):
    """A package that will not be opened or imported; the message says why, and nothing was written."""


@dataclass(frozen=True)
class Opened:
    kind: str
    sender_certificate: x509.Certificate
    payload: dict[str, Any]


def _fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def _key(shared: bytes, header: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"cpassess package v1\n" + header).derive(shared)


def seal(kind: str, payload: dict[str, Any], sender_key: ec.EllipticCurvePrivateKey,
         sender_certificate: x509.Certificate, recipient_certificate: x509.Certificate, recipient: str) -> bytes:
    """Sign `payload` as the sender and encrypt it so only `recipient` can open it."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    header = json.dumps({
        "format": "cpassess-package", "version": 1, "kind": kind, "recipient": recipient,
        "recipient_certificate": _fingerprint(recipient_certificate),
        "ephemeral_key": base64.b64encode(ephemeral.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)).decode("ascii"),
    }, sort_keys=True).encode("utf-8")
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    inner = json.dumps({
        "sender_certificate": base64.b64encode(cert_to_der(sender_certificate)).decode("ascii"),
        "payload": base64.b64encode(body).decode("ascii"),
        "signature": base64.b64encode(sign(sender_key, header + body)).decode("ascii"),
    }).encode("utf-8")
    shared = ephemeral.exchange(ec.ECDH(), recipient_certificate.public_key())  # type: ignore[arg-type]
    nonce = os.urandom(12)
    sealed = AESGCM(_key(shared, header)).encrypt(nonce, inner, header)
    return MAGIC + len(header).to_bytes(4, "big") + header + nonce + sealed


def read_header(data: bytes) -> tuple[dict[str, Any], bytes, bytes]:
    """The clear header, its bytes, and the rest; PackageRefused for anything that is not a cpassess package."""
    if len(data) > MAX_PACKAGE:
        raise PackageRefused("The file is too large to be a cpassess package.")
    if not data.startswith(MAGIC):
        raise PackageRefused("This is not a cpassess exchange package.")
    rest = data[len(MAGIC):]
    if len(rest) < 4:
        raise PackageRefused("The package is truncated.")
    size = int.from_bytes(rest[:4], "big")
    if size > MAX_HEADER or len(rest) < 4 + size + 12 + 16:
        raise PackageRefused("The package is truncated or damaged.")
    header_bytes = rest[4:4 + size]
    try:
        header = parse_json(header_bytes)
    except ValueError:
        raise PackageRefused("The package is damaged (its header cannot be read).") from None
    if not isinstance(header, dict) or header.get("format") != "cpassess-package" or header.get("version") != 1:
        raise PackageRefused("This package was made by a different version of cpassess.")
    return header, header_bytes, rest[4 + size:]


def open_envelope(data: bytes, recipient: str, recipient_key: ec.EllipticCurvePrivateKey,
                  recipient_certificates: list[x509.Certificate]) -> Opened:
    """Decrypt and check the sender's signature (trust in the sender is the caller's next check)."""
    header, header_bytes, sealed = read_header(data)
    if header.get("recipient") != recipient or header.get("recipient_certificate") not in {
            _fingerprint(cert) for cert in recipient_certificates}:
        raise PackageRefused("This package is addressed to someone else; it was not opened.")
    public_key = recipient_key.public_key()
    if header.get("recipient_certificate") not in {
            _fingerprint(cert) for cert in recipient_certificates if cert.public_key() == public_key}:
        raise PackageRefused("This package was sealed to your previous certificate (before your password was "
                             "recovered), so it cannot be opened; ask the sender to send it again.")
    try:
        point = base64.b64decode(str(header["ephemeral_key"]), validate=True)
        ephemeral = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        shared = recipient_key.exchange(ec.ECDH(), ephemeral)
        inner = parse_json(AESGCM(_key(shared, header_bytes)).decrypt(sealed[:12], sealed[12:], header_bytes))
        sender_certificate = cert_from_der(base64.b64decode(inner["sender_certificate"], validate=True))
        body = base64.b64decode(inner["payload"], validate=True)
        signature = base64.b64decode(inner["signature"], validate=True)
    except InvalidTag:
        raise PackageRefused("The package has been altered or damaged (it fails its integrity check).") from None
    except (KeyError, ValueError, TypeError):
        raise PackageRefused("The package is damaged and cannot be read.") from None
    if not verify(sender_certificate, header_bytes + body, signature):
        raise PackageRefused("The sender's signature on the package does not verify.")
    try:
        payload = parse_json(body)
    except ValueError:
        raise PackageRefused("The package's contents cannot be read.") from None
    if not isinstance(payload, dict):
        raise PackageRefused("The package's contents are not in the expected form.")
    return Opened(str(header.get("kind")), sender_certificate, payload)
