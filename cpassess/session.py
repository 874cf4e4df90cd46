"""An unlocked database for one signed-in user (DESIGN §8): opening, users, passwords, recovery, checks.

`Session.initialise` sets up a new database with its first user (administrator and team lead) and the team
signing authority; `Session.unlock` opens one with a username and password. Reading goes through
`session.children` and `session.assessments`; every change of an assessment through the casework layer
(`cpassess.casework.Casework.of(session)`).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from cpassess import audit
from cpassess.authority import (
    Authority,
    cert_from_der,
    cert_from_pem,
    cert_to_der,
    cert_to_pem,
    create_authority,
    fits_common_name,
    issue_certificate,
    issued_by,
    key_from_der,
    key_to_der,
)
from cpassess.dates import utc_now
from cpassess.keyslots import (
    AttemptLimiter,
    KdfParams,
    SlotFile,
    SlotFileError,
    WrongPassword,
    calibrate,
    generate_recovery_code,
)
from cpassess.passwords import password_problem
from cpassess.paths import attempts_file_for, slot_file_for
from cpassess.storage import DamagedDatabase, Database, StorageError
from cpassess.workflow import Actor, NotAllowed, Role, check_is_administrator, parse_roles

if TYPE_CHECKING:
    from cpassess.assessments import Assessments
    from cpassess.caseload import Caseload

log = logging.getLogger(__name__)

KEY_BYTES = 32
DEFAULT_MARKING = "OFFICIAL-SENSITIVE"


class UnlockFailed(Exception):
    """The database could not be opened for this user; the message is safe to show as it is."""


@dataclass(frozen=True)
class UserAccount:
    username: str
    display_name: str
    roles: frozenset[Role]
    certificate: x509.Certificate
    active: bool = True

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.roles)


def kdf_for_new_slots() -> KdfParams:
    """Argon2id cost for a new slot: calibrated to ~0.5 s here (CPASSESS_KDF_SECONDS changes the target)."""
    target = float(os.environ.get("CPASSESS_KDF_SECONDS", "0.5"))
    return calibrate(target_seconds=target)


def check_password_strength(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise NotAllowed(problem)


class Session:
    """The signed-in user's open database. Close it (or lock) to drop the keys."""

    def __init__(self, database: Database, slots: SlotFile, user: UserAccount, signing_key: ec.EllipticCurvePrivateKey,
                 authority_certificate: x509.Certificate, authority_key: ec.EllipticCurvePrivateKey | None,
                 database_key: bytes) -> None:
        self.db = database
        self.slots = slots
        self.user = user
        self.signing_key = signing_key
        self.authority_certificate = authority_certificate
        self._authority_key = authority_key
        self._database_key = bytearray(database_key)
        from cpassess.assessments import Assessments
        from cpassess.caseload import Caseload

        self.children: Caseload = Caseload(self)
        self.assessments: Assessments = Assessments(self)
        self._anchor_behind = False  # the last anchoring failed: try again at the next commit
        self.db.after_commit = self._after_commit
        self._advance_anchor()  # a head reached by a step without a session (a join, a recovery) is anchored now

    # --- opening and closing -------------------------------------------------------------------------------

    @classmethod
    def initialise(cls, path: Path, username: str, display_name: str, password: str, *,
                   team_name: str = "Team", kdf: KdfParams | None = None) -> tuple[Session, str]:
        """A new database with its first user (administrator and team lead); returns the session and the
        recovery code, which is shown once and never stored in clear."""
        slot_path = slot_file_for(path)
        if path.exists() or slot_path.exists():
            raise UnlockFailed(f"{path} already exists; choose another file name.")
        check_password_strength(password)
        check_username(username)
        check_display_name(display_name)
        params = kdf or kdf_for_new_slots()
        database_id = str(uuid.uuid4())
        database_key = os.urandom(KEY_BYTES)
        authority = create_authority(team_name)
        roles = frozenset({Role.ADMINISTRATOR, Role.TEAM_LEAD})
        user_key, certificate = issue_certificate(authority, username, display_name, sorted(roles))
        recovery_code = generate_recovery_code()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            slots = SlotFile.create(slot_path, database_id)
            slots.add(username, password, {"database_key": database_key, "signing_key": key_to_der(user_key),
                                           "authority_key": key_to_der(authority.key)}, params)
            slots.set_recovery(recovery_code, {"database_key": database_key,
                                               "authority_key": key_to_der(authority.key)}, params)
            database = Database(path, database_key, create=True)
        except BaseException:
            slot_path.unlink(missing_ok=True)
            raise
        user = UserAccount(username, display_name, roles, certificate)
        session = cls(database, slots, user, user_key, authority.certificate, authority.key, database_key)
        with database.write() as connection:
            for key, value in (("database_id", database_id), ("team_name", team_name), ("created", utc_now()),
                               ("authority_certificate", cert_to_pem(authority.certificate).decode("ascii"))):
                connection.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
            session.insert_user(connection, user)
            audit.append(connection, user_key, username, "database.created", "database", database_id)
            audit.append(connection, user_key, username, "user.added", "user", username,
                         {"roles": sorted(roles)})
        log.info("database initialised")
        return session, recovery_code

    @classmethod
    def unlock(cls, path: Path, username: str, password: str, *, limiter: AttemptLimiter | None = None) -> Session:
        """Open the database as `username`. Wrong credentials: UnlockFailed, and nothing on disk changes."""
        if not path.exists():
            raise UnlockFailed(f"There is no database at {path}.")
        try:
            slots = SlotFile.open(slot_file_for(path))
        except SlotFileError as error:
            raise UnlockFailed(str(error)) from None
        limiter = limiter or AttemptLimiter(attempts_file_for(path))
        limiter.before_attempt()
        try:
            secrets = slots.unlock(username, password)
        except WrongPassword as error:
            limiter.failed()
            raise UnlockFailed(str(error)) from None
        limiter.succeeded()
        return cls._open(path, slots, username, secrets)

    @classmethod
    def recover(cls, path: Path, code: str, username: str, new_password: str,
                kdf: KdfParams | None = None) -> Session:
        """Set a new password for `username` with the recovery code. The user gets a new signing key and
        certificate (the old key was only in the forgotten slot); their old signatures still verify."""
        check_password_strength(new_password)
        try:
            slots = SlotFile.open(slot_file_for(path))
            secrets = slots.unlock_recovery(code)
        except (SlotFileError, WrongPassword) as error:
            raise UnlockFailed(str(error)) from None
        pending = secrets.get("pending_database_key")
        database, database_key = _open_with_either(path, [secrets["database_key"], *([pending] if pending else [])])
        keys = {"database_key": database_key}
        if pending is not None and pending != database_key:  # a re-key cut short: the unlock below finishes it
            keys["pending_database_key"] = pending
        try:
            row = database.query_one("SELECT username, display_name, roles FROM users WHERE username = ? AND active",
                                     (username,))
            if row is None:
                raise UnlockFailed(f"There is no active user '{username}' in this database.")
            authority = Authority(key_from_der(secrets["authority_key"]), _authority_certificate(database))
            roles = parse_roles(_split_roles(row["roles"]))
            user_key, certificate = issue_certificate(authority, username, row["display_name"], sorted(roles))
            new_secrets = {**keys, "signing_key": key_to_der(user_key)}
            if Role.ADMINISTRATOR in roles:
                new_secrets["authority_key"] = secrets["authority_key"]
            with slots.undone_on_failure(), database.write() as connection:
                _store_certificate(connection, username, certificate)
                connection.execute("UPDATE users SET certificate = ? WHERE username = ?",
                                   (cert_to_der(certificate), username))
                audit.append(connection, user_key, username, "user.recovered", "user", username)
                params = kdf or kdf_for_new_slots()
                if slots.has_slot(username):
                    slots.replace(username, new_password, new_secrets, params)
                else:
                    slots.add(username, new_password, new_secrets, params)
        finally:
            database.close()
        return cls.unlock(path, username, new_password)

    @classmethod
    def _open(cls, path: Path, slots: SlotFile, username: str, secrets: dict[str, bytes]) -> Session:
        try:
            keys = [secrets["database_key"]]
            signing_key = key_from_der(secrets["signing_key"])
        except (KeyError, ValueError):
            raise UnlockFailed("Your key slot is incomplete; ask an administrator to reset your password.") from None
        pending = secrets.get("pending_database_key")
        database, database_key = _open_with_either(path, [*keys, *([pending] if pending else [])])
        try:
            meta_id = database.query_one("SELECT value FROM meta WHERE key = 'database_id'")
            if meta_id is None or meta_id["value"] != slots.database_id:
                raise UnlockFailed("The key file belongs to a different database.")
            user = _load_user(database, username)
            if user is None or not user.active:
                raise UnlockFailed("This account has been closed; ask an administrator.")
            if pending is not None:
                database_key = _finish_rekey(database, slots, database_key, pending)
            authority_der = secrets.get("authority_key")
            authority_key = key_from_der(authority_der) if authority_der else None
            return cls(database, slots, user, signing_key, _authority_certificate(database), authority_key,
                       database_key)
        except BaseException:
            database.close()
            raise

    def close(self) -> None:
        """Close the database and drop the keys held in memory (as far as Python allows)."""
        self.db.close()
        for index in range(len(self._database_key)):
            self._database_key[index] = 0
        self._authority_key = None
        log.info("session closed")

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def actor(self) -> Actor:
        return self.user.actor

    # --- users ---------------------------------------------------------------------------------------------

    def users(self) -> list[UserAccount]:
        rows = self.db.query("SELECT username FROM users ORDER BY display_name COLLATE NOCASE")
        return [user for row in rows if (user := _load_user(self.db, row["username"])) is not None]

    def user_named(self, username: str) -> UserAccount | None:
        return _load_user(self.db, username)

    def add_user(self, username: str, display_name: str, roles: Sequence[str], password: str,
                 kdf: KdfParams | None = None) -> UserAccount:
        """A new user with a certificate from the team authority and a key slot under their first password."""
        check_is_administrator(self.actor)
        authority = self.authority()
        check_username(username)
        check_password_strength(password)
        check_display_name(display_name)
        role_set = parse_roles(roles)
        if not role_set:
            raise NotAllowed("A user needs at least one role.")
        if _load_user(self.db, username) is not None or self.slots.has_slot(username):
            raise NotAllowed(f"There is already a user '{username}'.")
        user_key, certificate = issue_certificate(authority, username, display_name.strip(), sorted(role_set))
        secrets = {"database_key": bytes(self._database_key), "signing_key": key_to_der(user_key)}
        if Role.ADMINISTRATOR in role_set:
            secrets["authority_key"] = key_to_der(authority.key)
        user = UserAccount(username, display_name.strip(), role_set, certificate)
        with self.slots.undone_on_failure(), self.db.write() as connection:
            self.insert_user(connection, user)
            audit.append(connection, self.signing_key, self.user.username, "user.added", "user", username,
                         {"roles": sorted(role_set)})
            self.slots.add(username, password, secrets, kdf or kdf_for_new_slots())  # last: undone with the rollback
        return user

    def remove_user(self, username: str) -> list[str]:
        """End a user (DESIGN §8.7): close the account, revoke their certificates from now, delete their key slot
        and re-key the database with a fresh random key sealed to every remaining slot (the recovery slot too), so
        their old key file and password open nothing of it. Returns the revoked certificate serials.

        Crash-safe in this order, each step safe to repeat: (1) account closed and certificates revoked, in one
        transaction; (2) the key file drops the slot and carries the new key beside the old; (3) PRAGMA rekey, one
        transaction; (4) the key file keeps only the new key. Cut short after (2), the next unlock by anyone
        finishes (3) and (4); after (1), running `remove_user` again does.
        """
        check_is_administrator(self.actor)
        if username == self.user.username:  # so an administrator always remains: the one doing this
            raise NotAllowed("You cannot remove yourself; another administrator must do it.")
        target = _load_user(self.db, username)
        if target is None:
            raise NotAllowed(f"There is no user '{username}'.")
        serials = [str(row["serial"]) for row in self.db.query(
            "SELECT serial FROM certificates WHERE username = ? ORDER BY issued", (username,))]
        if target.active:
            revoked_at = utc_now()
            with self.db.write() as connection:
                connection.execute("UPDATE users SET active = 0 WHERE username = ?", (username,))
                for serial in serials:
                    connection.execute("INSERT OR IGNORE INTO revocations (serial, username, revoked_at) "
                                       "VALUES (?, ?, ?)", (serial, username, revoked_at))
                audit.append(connection, self.signing_key, self.user.username, "user.removed", "user", username,
                             {"revoked_certificates": serials, "revoked_at": revoked_at})
        new_key = os.urandom(KEY_BYTES)
        self.slots.begin_rekey(new_key, remove=username)
        self.db.rekey(new_key)
        self.slots.finish_rekey()
        self._database_key = bytearray(new_key)
        log.info("user removed and database re-keyed")
        return serials

    def change_password(self, old_password: str, new_password: str, kdf: KdfParams | None = None) -> None:
        """Re-wrap this user's slot under a new password; the database itself is untouched."""
        check_password_strength(new_password)
        try:
            secrets = self.slots.unlock(self.user.username, old_password)
        except WrongPassword:
            raise NotAllowed("The current password is not right.") from None
        with self.slots.undone_on_failure(), self.db.write() as connection:
            audit.append(connection, self.signing_key, self.user.username, "user.password_changed", "user",
                         self.user.username)
            # last, inside the transaction: if the key file cannot be written, the audit event is rolled back too
            self.slots.replace(self.user.username, new_password, secrets, kdf or kdf_for_new_slots())

    def confirm_password(self, password: str) -> None:
        """Re-entry of the password before signing an approval."""
        try:
            self.slots.unlock(self.user.username, password)
        except WrongPassword:
            raise NotAllowed("The password is not right.") from None

    def insert_user(self, connection: object, user: UserAccount) -> None:
        """Add a user and their certificate inside the caller's write transaction."""
        execute = connection.execute  # type: ignore[attr-defined]
        execute("INSERT INTO users (username, display_name, roles, certificate, created) VALUES (?, ?, ?, ?, ?)",
                (user.username, user.display_name, ",".join(sorted(user.roles)), cert_to_der(user.certificate),
                 utc_now()))
        _store_certificate(connection, user.username, user.certificate)

    # --- audit and checks ----------------------------------------------------------------------------------

    def authority(self) -> Authority:
        """The team signing authority with its private key: only in an administrator's key slot."""
        if self._authority_key is None:
            raise NotAllowed("Only an administrator's laptop holds the team signing authority.")
        return Authority(self._authority_key, self.authority_certificate)

    def revocations(self) -> dict[int, datetime]:
        """Revoked certificate serials and when each was revoked (a leaver signs nothing after that time)."""
        rows = self.db.query("SELECT serial, revoked_at FROM revocations")
        return {int(row["serial"], 16): datetime.fromisoformat(row["revoked_at"]) for row in rows}

    def certificates_of(self, username: str) -> list[x509.Certificate]:
        """Every certificate ever issued to this user by the team authority (old signatures stay verifiable)."""
        rows = self.db.query("SELECT certificate FROM certificates WHERE username = ?", (username,))
        certificates = [cert_from_der(bytes(row["certificate"])) for row in rows]
        return [cert for cert in certificates if issued_by(cert, self.authority_certificate)]

    def anchored_head(self) -> audit.AnchoredHead | None:
        """The audit head last anchored in the key file (None if there is none or it cannot be read)."""
        recorded = self.slots.audit_head
        if recorded is None:
            return None
        try:
            return audit.AnchoredHead.from_json(self.database_id, recorded)
        except ValueError:
            return None

    def _after_commit(self) -> None:
        # only a commit that appended to the audit log moves its head: an autosave is not asked to read it
        if audit.head_moved(self.db.connection) or self._anchor_behind:
            self._advance_anchor()

    def _advance_anchor(self) -> None:
        """After a commit: anchor the new audit head in the key file, signed by this user, unless the log no
        longer holds the anchored event (then the anchor stays put and `check` reports it)."""
        head = self.audit_head()
        anchored = self.anchored_head()
        if head.seq == 0 or (anchored is not None and (anchored.seq, anchored.hash) == (head.seq, head.hash)):
            return
        if not audit.may_advance(anchored, self._hash_of_event):
            log.warning("the audit log is behind or off its anchored head; the anchor was left as it was")
            return
        try:
            self.slots.set_audit_head(audit.anchor(self.signing_key, self.user.username, self.database_id,
                                                   head).to_json())
        except SlotFileError:
            self._anchor_behind = True
            log.warning("the audit head could not be anchored in the key file; it will be at the next commit")
        else:
            self._anchor_behind = False

    def _hash_of_event(self, seq: int) -> str | None:
        row = self.db.query_one("SELECT hash FROM audit_events WHERE seq = ?", (seq,))
        return str(row["hash"]) if row else None

    def audit_head(self) -> audit.ChainHead:
        with self.db.reading() as connection:
            return audit.head_of(connection)

    def verify_audit(self) -> audit.AuditReport:
        """Check the whole audit chain: links, hashes, signatures and the recorded head."""
        recorded = self.db.query_one("SELECT value FROM meta WHERE key = 'audit_head'")
        head = None
        if recorded is not None:
            seq, _, digest = str(recorded["value"]).partition(":")
            head = audit.ChainHead(int(seq), digest)
        with self.db.reading() as connection:
            events = audit.read_events(connection)
        return audit.verify_chain(events, self.certificates_of, head)

    def audit_events(self) -> list[audit.AuditEvent]:
        with self.db.reading() as connection:
            return audit.read_events(connection)

    def check(self) -> list[str]:
        """Whether the database reaches its anchored audit head, both integrity checks and the audit
        verification; an empty list means all is well. A database behind its head is the first problem."""
        problems = self.db.integrity_problems()
        try:
            report = self.verify_audit()
            anchored = self.anchored_head()
            behind = None if anchored is None else audit.anchor_problem(anchored, self.audit_events(),
                                                                        self.certificates_of)
        except StorageError:
            return [*problems, "audit: the audit log could not be read (the database is damaged there)"]
        if self.slots.audit_head is not None and anchored is None:
            behind = "the audit head recorded in the key file cannot be read (the key file was altered)"
        return ([behind] if behind else []) + problems + [f"audit: {problem}" for problem in report.problems]

    def check_head(self, seq: int, digest: str, source: str = "the head given") -> list[str]:
        """The audit verification plus whether the log holds event `seq` with a hash starting `digest` (a head
        printed in a PDF or a backup)."""
        report = self.verify_audit()
        problem = audit.head_problem(self.audit_events(), seq, digest, source)
        return ([problem] if problem else []) + report.problems

    @property
    def authority_fingerprint(self) -> str:
        """The team authority's SHA-256 fingerprint, as `verify-pdf` and `authority list` print it."""
        from cpassess.trust import fingerprint

        return fingerprint(self.authority_certificate)

    @property
    def database_id(self) -> str:
        return self.slots.database_id

    @property
    def team_name(self) -> str:
        row = self.db.query_one("SELECT value FROM meta WHERE key = 'team_name'")
        return str(row["value"]) if row else "Team"

    @property
    def security_marking(self) -> str:
        """The marking printed at the top and bottom of every PDF page (DESIGN §9.1)."""
        row = self.db.query_one("SELECT value FROM meta WHERE key = 'security_marking'")
        return str(row["value"]) if row else DEFAULT_MARKING

    def set_security_marking(self, marking: str) -> None:
        check_is_administrator(self.actor)
        marking = " ".join(marking.split()).upper()
        if not 3 <= len(marking) <= 60 or not marking.isprintable():
            raise NotAllowed("A security marking is 3 to 60 printable characters, such as OFFICIAL-SENSITIVE.")
        with self.db.write() as connection:
            connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('security_marking', ?)", (marking,))
            audit.append(connection, self.signing_key, self.user.username, "settings.marking_changed", "database",
                         self.database_id, {"marking": marking})

    def database_key_for_backup(self) -> bytes:
        return bytes(self._database_key)


def check_username(username: str) -> None:
    if not (3 <= len(username) <= 32 and username.isascii() and username.replace(".", "").replace("-", "")
            .replace("_", "").isalnum() and username[0].isalpha() and username == username.lower()):
        raise NotAllowed("A username is 3 to 32 lower-case letters, digits, '.', '-' or '_', starting with a letter.")


def _open_with_either(path: Path, keys: list[bytes]) -> tuple[Database, bytes]:
    """The database opened with the first of `keys` that fits (during a re-key it is under one or the other)."""
    for number, key in enumerate(keys):
        try:
            return Database(path, key), key
        except DamagedDatabase:
            if number == len(keys) - 1:
                raise
    raise StorageError("no database key")


def _finish_rekey(database: Database, slots: SlotFile, current: bytes, pending: bytes) -> bytes:
    """Complete a re-key that was cut short: re-encrypt under the new key if not yet done, then keep only it."""
    if current != pending:
        database.rekey(pending)
    slots.finish_rekey()
    log.info("an interrupted re-key was completed")
    return pending


def check_display_name(name: str) -> None:
    if not name.strip() or not name.isprintable():
        raise NotAllowed("A user needs a display name.")
    if not fits_common_name(name.strip()):
        raise NotAllowed("That display name is too long for a signing certificate (64 bytes: about 60 Latin or "
                         "30 Cyrillic or Greek letters); use a shorter form of the name.")


def _split_roles(text: str) -> list[str]:
    return [part for part in text.split(",") if part]


def _store_certificate(connection: object, username: str, certificate: x509.Certificate) -> None:
    connection.execute(  # type: ignore[attr-defined]
        "INSERT INTO certificates (serial, username, certificate, issued) VALUES (?, ?, ?, ?)",
        (format(certificate.serial_number, "x"), username, cert_to_der(certificate), utc_now()))


def _load_user(database: Database, username: str) -> UserAccount | None:
    row = database.query_one("SELECT username, display_name, roles, certificate, active FROM users WHERE username = ?",
                             (username,))
    if row is None:
        return None
    return UserAccount(row["username"], row["display_name"], parse_roles(_split_roles(row["roles"])),
                       cert_from_der(bytes(row["certificate"])), bool(row["active"]))


def _authority_certificate(database: Database) -> x509.Certificate:
    row = database.query_one("SELECT value FROM meta WHERE key = 'authority_certificate'")
    if row is None:
        raise StorageError("The database has no team signing authority.")
    return cert_from_pem(str(row["value"]).encode("ascii"))


