"""The team roster and joining from another laptop (DESIGN §10).

A roster is the team authority's certificate and every member's certificate and roles, signed by the team
authority; importing one tells a laptop whose signatures and packages to trust. A colleague joining from their
own laptop sends a join request (their new public key, signed with it), the administrator's laptop returns a
certificate for that key together with the roster, and the joiner's database is created around them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cpassess import audit
from cpassess.authority import (
    cert_from_pem,
    cert_to_der,
    cert_to_pem,
    certificate_identity,
    certify_public_key,
    issued_by,
    key_from_der,
    key_to_der,
    sign,
    verify,
)
from cpassess.dates import utc_now
from cpassess.exchange.envelope import PackageRefused
from cpassess.forms.canonical import canonical_json
from cpassess.keyslots import KdfParams, SlotFile, SlotFileError, WrongPassword
from cpassess.paths import slot_file_for
from cpassess.server import outbox
from cpassess.storage import Database, StorageError
from cpassess.workflow import NotAllowed, check_is_administrator, parse_roles

if TYPE_CHECKING:
    from cpassess.session import Session

MAX_FILE = 4 * 1024 * 1024


def _load_json(data: bytes, what: str) -> dict[str, Any]:
    if len(data) > MAX_FILE:
        raise PackageRefused(f"The file is too large to be a {what}.")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PackageRefused(f"This is not a {what}.") from None
    if not isinstance(value, dict):
        raise PackageRefused(f"This is not a {what}.")
    return value


# --- the roster ---------------------------------------------------------------------------------------------


def build_roster(session: Session) -> bytes:
    """The signed roster of the team (administrators only: it is signed with the team authority key)."""
    check_is_administrator(session.actor)
    authority = session.authority()
    members = [{"username": u.username, "display_name": u.display_name, "roles": sorted(u.roles),
                "certificate": cert_to_pem(u.certificate).decode("ascii"), "active": u.active}
               for u in session.users()]
    revocations = [{"serial": row["serial"], "username": row["username"], "revoked_at": row["revoked_at"]}
                   for row in session.db.query("SELECT serial, username, revoked_at FROM revocations ORDER BY serial")]
    roster = {"format": "cpassess-roster", "version": 1, "team_name": session.team_name, "issued": utc_now(),
              "serial": int(dt.datetime.now(dt.UTC).timestamp() * 1000),
              "authority_certificate": cert_to_pem(authority.certificate).decode("ascii"), "members": members,
              "revocations": revocations}
    signature = sign(authority.key, canonical_json(roster))
    return outbox.keep(session, "roster", None, json.dumps(
        {"roster": roster, "signature": base64.b64encode(signature).decode("ascii")}, ensure_ascii=False,
        indent=1).encode("utf-8"))


def read_roster(data: bytes, expected_authority: x509.Certificate | None = None) -> dict[str, Any]:
    """Check a roster's signature and every member certificate; returns the roster."""
    document = _load_json(data, "cpassess team roster")
    roster = document.get("roster")
    if not isinstance(roster, dict) or roster.get("format") != "cpassess-roster" or roster.get("version") != 1:
        raise PackageRefused("This is not a cpassess team roster.")
    if not isinstance(roster.get("serial"), int) or not isinstance(roster.get("team_name"), str):
        raise PackageRefused("The roster is damaged.")
    try:
        authority_certificate = cert_from_pem(str(roster["authority_certificate"]).encode("ascii"))
        signature = base64.b64decode(str(document.get("signature", "")), validate=True)
    except (KeyError, ValueError):
        raise PackageRefused("The roster is damaged.") from None
    if expected_authority is not None and cert_to_der(authority_certificate) != cert_to_der(expected_authority):
        raise PackageRefused("This roster belongs to a different team (another signing authority).")
    if not verify(authority_certificate, canonical_json(roster), signature):
        raise PackageRefused("The roster's signature does not verify: it has been altered or is not genuine.")
    members = roster.get("members")
    if not isinstance(members, list) or not all(
            isinstance(member, dict) and isinstance(member.get("display_name"), str)
            and isinstance(member.get("roles"), list) for member in members):
        raise PackageRefused("The roster is damaged (its list of members cannot be read).")
    for member in members:
        try:
            certificate = cert_from_pem(str(member["certificate"]).encode("ascii"))
            identity = certificate_identity(certificate)
        except (KeyError, ValueError):
            raise PackageRefused(f"The roster's certificate for {member.get('username')} is damaged.") from None
        if not issued_by(certificate, authority_certificate) or identity.username != member.get("username"):
            raise PackageRefused(f"The roster's certificate for {member.get('username')} is not genuine.")
    _check_revocations(roster.get("revocations", []))
    return roster


def _check_revocations(revocations: Any) -> None:
    """Each revocation names a certificate serial (hex), its user and an ISO time with a time zone."""
    if not isinstance(revocations, list):
        raise PackageRefused("The roster is damaged (its list of revoked certificates cannot be read).")
    for item in revocations:
        try:
            int(str(item["serial"]), 16)
            if dt.datetime.fromisoformat(str(item["revoked_at"])).tzinfo is None or not isinstance(
                    item["username"], str):
                raise ValueError("no time zone")
        except (KeyError, TypeError, ValueError):
            raise PackageRefused("The roster is damaged (a revoked certificate cannot be read).") from None


def import_roster(session: Session, data: bytes) -> int:
    """Bring the team's members and certificates into this database; returns how many members it lists."""
    roster = read_roster(data, session.authority_certificate)
    last = session.db.query_one("SELECT value FROM meta WHERE key = 'roster_serial'")
    if last is not None and int(roster["serial"]) <= int(last["value"]):
        raise PackageRefused("This roster is not newer than the one already imported.")
    with session.db.write() as connection:
        _store_members(connection, roster)
        connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('roster_serial', ?)",
                           (str(roster["serial"]),))
        audit.append(connection, session.signing_key, session.user.username, "roster.imported", "database",
                     session.database_id, {"serial": roster["serial"], "members": len(roster["members"])})
    return len(roster["members"])


def _store_members(connection: Any, roster: dict[str, Any]) -> None:
    for revocation in roster.get("revocations", []):  # a revocation is never undone by an older roster
        connection.execute("INSERT OR IGNORE INTO revocations (serial, username, revoked_at) VALUES (?, ?, ?)",
                           (str(revocation["serial"]).lower(), revocation["username"], revocation["revoked_at"]))
    for member in roster["members"]:
        certificate = cert_from_pem(str(member["certificate"]).encode("ascii"))
        roles = ",".join(sorted(parse_roles(member["roles"])))
        connection.execute(
            "INSERT INTO users (username, display_name, roles, certificate, active, created) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(username) DO UPDATE SET display_name = excluded.display_name, roles = excluded.roles,"
            " certificate = excluded.certificate, active = excluded.active",
            (member["username"], member["display_name"], roles, cert_to_der(certificate),
             1 if member.get("active", True) else 0, utc_now()))
        connection.execute("INSERT OR IGNORE INTO certificates (serial, username, certificate, issued) "
                           "VALUES (?, ?, ?, ?)", (format(certificate.serial_number, "x"), member["username"],
                                                   cert_to_der(certificate), utc_now()))


# --- joining from another laptop ----------------------------------------------------------------------------


def request_to_join(path: Path, username: str, display_name: str, password: str, kdf: KdfParams) -> bytes:
    """Start a database on this laptop: make the user's key (kept in a key slot) and the request to send."""
    from cpassess.session import check_display_name, check_password_strength, check_username

    check_username(username)
    check_display_name(display_name)
    check_password_strength(password)
    slot_path = slot_file_for(path)
    if path.exists() or slot_path.exists():
        raise NotAllowed(f"{path} already exists; choose another file name.")
    key = ec.generate_private_key(ec.SECP256R1())
    path.parent.mkdir(parents=True, exist_ok=True)
    slots = SlotFile.create(slot_path, str(uuid.uuid4()))
    slots.add(username, password, {"signing_key": key_to_der(key)}, kdf)
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, display_name),
                                    x509.NameAttribute(x509.NameOID.USER_ID, username)]))
           .sign(key, hashes.SHA256()))
    request = {"format": "cpassess-join-request", "version": 1, "username": username, "display_name": display_name,
               "created": utc_now(), "request": csr.public_bytes(serialization.Encoding.PEM).decode("ascii")}
    return json.dumps(request, ensure_ascii=False, indent=1).encode("utf-8")


def approve_join(session: Session, data: bytes, roles: list[str]) -> bytes:
    """On the administrator's laptop: certify the joiner's key, add them to the team, return the response."""
    check_is_administrator(session.actor)
    request = _load_json(data, "cpassess join request")
    if request.get("format") != "cpassess-join-request":
        raise PackageRefused("This is not a cpassess join request.")
    try:
        csr = x509.load_pem_x509_csr(str(request["request"]).encode("ascii"))
    except (KeyError, ValueError):
        raise PackageRefused("The join request is damaged.") from None
    if not csr.is_signature_valid:
        raise PackageRefused("The join request's signature does not verify.")
    username, display_name = str(request.get("username", "")), str(request.get("display_name", ""))
    names = csr.subject.get_attributes_for_oid(x509.NameOID.USER_ID)
    if not names or names[0].value != username:
        raise PackageRefused("The join request names two different users.")
    # The request's signature covers only the CSR: the name in the clear must be the one in it.
    common_names = csr.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    if not common_names or common_names[0].value != display_name:
        raise PackageRefused("The join request gives two different names for the new member.")
    from cpassess.session import check_display_name, check_username

    check_username(username)
    check_display_name(display_name)
    if session.user_named(username) is not None:
        raise NotAllowed(f"There is already a user '{username}' in this team.")
    role_set = parse_roles(roles)
    if not role_set:
        raise NotAllowed("A user needs at least one role.")
    public_key = csr.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise PackageRefused("The join request's key is not of the kind cpassess uses.")
    certificate = certify_public_key(session.authority(), public_key, username, display_name, sorted(role_set))
    from cpassess.session import UserAccount

    with session.db.write() as connection:
        session.insert_user(connection, UserAccount(username, display_name, role_set, certificate))
        audit.append(connection, session.signing_key, session.user.username, "user.joined", "user", username,
                     {"roles": sorted(role_set), "from_another_laptop": True})
    response = {"format": "cpassess-join-response", "version": 1, "username": username,
                "certificate": cert_to_pem(certificate).decode("ascii"),
                "roster": json.loads(build_roster(session))}
    return json.dumps(response, ensure_ascii=False, indent=1).encode("utf-8")


def complete_join(path: Path, username: str, password: str, data: bytes, kdf: KdfParams | None = None) -> None:
    """On the joiner's laptop: check the response against the key made earlier and create the database."""
    response = _load_json(data, "cpassess join response")
    if response.get("format") != "cpassess-join-response" or response.get("username") != username:
        raise PackageRefused("This is not the join response for this user.")
    try:
        slots = SlotFile.open(slot_file_for(path))
        secrets = slots.unlock(username, password)
    except (SlotFileError, WrongPassword) as error:
        raise NotAllowed(str(error)) from None
    if path.exists():
        if "database_key" not in secrets or _joined(path, secrets["database_key"]):
            raise NotAllowed("This laptop has already joined; unlock the database instead.")
        _remove_database(path)  # an earlier attempt stopped before its first write: start that step again
    roster = read_roster(json.dumps(response.get("roster")).encode("utf-8"))
    authority_certificate = cert_from_pem(str(roster["authority_certificate"]).encode("ascii"))
    try:
        certificate = cert_from_pem(str(response["certificate"]).encode("ascii"))
    except (KeyError, ValueError):
        raise PackageRefused("The join response is damaged (its certificate cannot be read).") from None
    key = key_from_der(secrets["signing_key"])
    if certificate.public_key() != key.public_key() or not issued_by(certificate, authority_certificate):
        raise PackageRefused("The certificate in the response is not for the key made on this laptop.")
    database_key = secrets.get("database_key")
    if database_key is None:
        from cpassess.session import kdf_for_new_slots

        # the key is stored before any data is written with it, so an interrupted join can simply be retried
        database_key = os.urandom(32)
        slots.replace(username, password, {**secrets, "database_key": database_key}, kdf or kdf_for_new_slots())
    try:
        with Database(path, database_key, create=True) as database, database.write() as connection:
            for meta_key, value in (("database_id", slots.database_id), ("team_name", roster["team_name"]),
                                    ("created", utc_now()), ("roster_serial", str(roster["serial"])),
                                    ("authority_certificate", cert_to_pem(authority_certificate).decode("ascii"))):
                connection.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (meta_key, value))
            _store_members(connection, roster)
            audit.append(connection, key, username, "database.joined", "database", slots.database_id,
                         {"team": roster["team_name"]})
    except BaseException:
        _remove_database(path)
        raise


def _joined(path: Path, database_key: bytes) -> bool:
    """Whether the database at `path` was fully created by an earlier join (it records its id)."""
    try:
        with Database(path, database_key) as database:
            return database.query_one("SELECT value FROM meta WHERE key = 'database_id'") is not None
    except StorageError:
        return True  # not ours to remove: refuse rather than delete


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".lock"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
