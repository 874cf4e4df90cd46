"""The team signing authority (§9.5): real keys and certificates from `cryptography`."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cpassess.authority import (
    Authority,
    cert_from_der,
    cert_from_pem,
    cert_to_der,
    cert_to_pem,
    certificate_identity,
    create_authority,
    fits_common_name,
    issue_certificate,
    issued_by,
    key_from_der,
    key_to_der,
    sign,
    verify,
)


@pytest.fixture(scope="module")
def authority() -> Authority:
    return create_authority("Leith Children and Families")


@pytest.fixture(scope="module")
def other_authority() -> Authority:
    return create_authority("Leith Children and Families")


def test_authority_is_a_self_signed_p256_ca_for_twenty_years(authority: Authority) -> None:
    certificate = authority.certificate
    assert isinstance(authority.key.curve, ec.SECP256R1)
    common_name = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name == "Leith Children and Families signing authority"
    organisation = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert organisation == "Leith Children and Families"
    assert certificate.issuer == certificate.subject
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca
    assert constraints.value.path_length == 0
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.key_cert_sign
    assert usage.value.crl_sign
    assert not usage.value.digital_signature
    certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    lifetime = certificate.not_valid_after_utc - datetime.now(UTC)
    assert timedelta(days=365 * 20 - 2) < lifetime <= timedelta(days=365 * 20 + 6)
    assert issued_by(certificate, certificate)


def test_serials_are_random(authority: Authority, other_authority: Authority) -> None:
    assert authority.certificate.serial_number != other_authority.certificate.serial_number
    assert authority.certificate.serial_number.bit_length() > 64


def test_issued_certificate_chains_to_its_authority(authority: Authority) -> None:
    _, certificate = issue_certificate(authority, "akerr", "Alison Kerr", ["practitioner"])
    assert issued_by(certificate, authority.certificate)


def test_certificate_from_another_authority_with_the_same_name_is_rejected(
    authority: Authority, other_authority: Authority
) -> None:
    assert authority.certificate.subject == other_authority.certificate.subject
    _, impostor = issue_certificate(other_authority, "akerr", "Alison Kerr", ["team_lead"])
    assert not issued_by(impostor, authority.certificate)


def test_certificate_from_a_differently_named_authority_is_rejected(authority: Authority) -> None:
    stranger = create_authority("Somewhere Else")
    _, certificate = issue_certificate(stranger, "akerr", "Alison Kerr", ["practitioner"])
    assert not issued_by(certificate, authority.certificate)
    assert not issued_by(authority.certificate, stranger.certificate)


@pytest.mark.parametrize(
    "display_name",
    ["Zoë Ó Súilleabháin", "Дмитрий", "Łukasz Wróblewski", "Siobhán Ní Bhriain", "Ἀλέξανδρος"],
)
def test_identity_round_trips_unicode_names_and_several_roles(
    authority: Authority, display_name: str
) -> None:
    _, certificate = issue_certificate(authority, "user42", display_name, ["team_lead", "administrator"])
    for copy in (
        certificate,
        cert_from_pem(cert_to_pem(certificate)),
        cert_from_der(cert_to_der(certificate)),
    ):
        identity = certificate_identity(copy)
        assert identity.username == "user42"
        assert identity.display_name == display_name
        assert identity.roles == ("team_lead", "administrator")
        assert identity.serial == certificate.serial_number
        # what a PDF reader shows: the roles as people read them, and the team
        assert copy.subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Team lead, Administrator"
        assert identity.fingerprint_sha256 == hashlib.sha256(cert_to_der(certificate)).hexdigest()


def test_a_certificate_from_before_the_roles_extension_still_names_its_roles(authority: Authority) -> None:
    """Certificates issued before the roles moved to their extension carry the ids in the title."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Alison Kerr"),
                      x509.NameAttribute(NameOID.USER_ID, "akerr"),
                      x509.NameAttribute(NameOID.TITLE, "team_lead, administrator")])
    now = datetime.now(UTC)
    old = (x509.CertificateBuilder().subject_name(name).issuer_name(authority.certificate.subject)
           .public_key(key.public_key()).serial_number(7).not_valid_before(now).not_valid_after(now + timedelta(1))
           .sign(authority.key, hashes.SHA256()))
    assert certificate_identity(old).roles == ("team_lead", "administrator")


def test_user_certificate_is_for_non_repudiation_and_not_a_ca(authority: Authority) -> None:
    key, certificate = issue_certificate(authority, "akerr", "Alison Kerr", ["practitioner"])
    assert isinstance(key.curve, ec.SECP256R1)
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.content_commitment
    assert usage.value.digital_signature
    assert not usage.value.key_cert_sign
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    authority_key_id = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ca_key_id = authority.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert authority_key_id.key_identifier == ca_key_id.digest
    certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    organisation = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert organisation == "Leith Children and Families"  # the team, not the software
    lifetime = certificate.not_valid_after_utc - datetime.now(UTC)
    assert timedelta(days=365 * 5 - 2) < lifetime <= timedelta(days=365 * 5 + 3)
    assert certificate.not_valid_after_utc <= authority.certificate.not_valid_after_utc


def test_sign_and_verify_round_trip_and_any_change_fails(authority: Authority) -> None:
    key, certificate = issue_certificate(authority, "akerr", "Alison Kerr", ["practitioner"])
    data = b'{"seq": 7, "event": "approved", "previous": "ab12"}'
    signature = sign(key, data)
    assert verify(certificate, data, signature)

    flipped_data = bytearray(data)
    flipped_data[3] ^= 0x01
    assert not verify(certificate, bytes(flipped_data), signature)

    flipped_signature = bytearray(signature)
    flipped_signature[-1] ^= 0x01
    assert not verify(certificate, data, bytes(flipped_signature))
    assert not verify(certificate, data, b"not a signature")

    _, someone_else = issue_certificate(authority, "bcole", "Brian Cole", ["team_lead"])
    assert not verify(someone_else, data, signature)


def test_private_key_survives_a_pkcs8_round_trip(authority: Authority) -> None:
    key, certificate = issue_certificate(authority, "akerr", "Alison Kerr", ["practitioner"])
    restored = key_from_der(key_to_der(key))
    assert restored.private_numbers() == key.private_numbers()
    assert verify(certificate, b"audit event", sign(restored, b"audit event"))


def test_key_from_der_refuses_other_curves_and_garbage() -> None:
    other_curve = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(ValueError):
        key_from_der(key_to_der(other_curve))
    with pytest.raises(ValueError):
        key_from_der(b"\x30\x03\x02\x01\x00")


def test_certificate_parsers_refuse_garbage() -> None:
    with pytest.raises(ValueError):
        cert_from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(ValueError):
        cert_from_der(b"\x30\x00")


def test_display_names_up_to_the_certificate_limit_are_accepted(authority: Authority) -> None:
    for display_name in ("x" * 64, "Д" * 32):
        assert fits_common_name(display_name)
        _, certificate = issue_certificate(authority, "akerr", display_name, ["practitioner"])
        assert certificate_identity(certificate).display_name == display_name


@pytest.mark.parametrize("display_name", ["", "   ", "x" * 65, "Д" * 33])
def test_unusable_display_names_are_refused(authority: Authority, display_name: str) -> None:
    with pytest.raises(ValueError, match="display name"):
        issue_certificate(authority, "akerr", display_name, ["practitioner"])


def test_role_names_with_commas_are_refused(authority: Authority) -> None:
    with pytest.raises(ValueError):
        issue_certificate(authority, "akerr", "Alison Kerr", ["team lead, acting"])


def test_the_authority_certificate_names_no_user(authority: Authority) -> None:
    with pytest.raises(ValueError):
        certificate_identity(authority.certificate)
