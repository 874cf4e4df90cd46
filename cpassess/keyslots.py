"""Key slots (§8.2, §8.7): the database key and each user's private keys, wrapped under that user's password.

A sidecar file next to the database (``team.db.keys`` for ``team.db``) holds one slot per user and at most
one recovery slot. A slot is the user's secrets encrypted with AES-256-GCM under a key derived from the
password with Argon2id. The slot's metadata (file format, database id, kind, username, KDF parameters and
salt, creation time, public key) is the associated data, so moving a slot to another user or database, or
weakening its KDF parameters, makes it fail to open. AES-GCM cannot tell a wrong password from an altered
ciphertext, so both are reported as a wrong password; only damage that can be seen without the password is
reported as an altered or damaged file.

The database key itself is not under the password: each slot has an X25519 key pair (the private half among
the password-wrapped secrets, the public half in the clear) and the database key is sealed to the public key.
An administrator can therefore re-key the database when a user leaves and seal the new key to every remaining
slot without anyone's password (`begin_rekey`, then `finish_rekey` once the database is re-encrypted); the
leaver's old slot, password and all, opens only the old key. Slots written before sealing existed hold the
database key among their secrets; they still open, and take the sealed form at the next password change.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from secrets import choice, token_bytes

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cpassess.atomic import write_atomic
from cpassess.storage.faults import DiskFull, is_disk_full

logger = logging.getLogger(__name__)

FILE_FORMAT = "cpassess-keyslots"
FILE_VERSION = 1
MIN_MEMORY_KIB = 65536
# Upper bounds stop a crafted key file from making the app allocate or compute without limit.
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_TIME_COST = 64
MAX_PARALLELISM = 16
CALIBRATION_MAX_TIME_COST = 10

RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_GROUPS = 7
RECOVERY_GROUP_LENGTH = 4

_KEY_BYTES = 32
_SALT_BYTES = 16
_NONCE_BYTES = 12
_TAG_BYTES = 16
_MAX_FILE_BYTES = 16 * 1024 * 1024
_SECRET_NAME = re.compile(r"[a-z_]+")
_DASHES = "-‐‑‒–—"
_USER_KIND = "password"
_RECOVERY_KIND = "recovery"
_DOCUMENT_FIELDS = {"format", "version", "database_id", "slots"}
_AUDIT_HEAD_FIELD = "audit_head"  # the last known audit chain head, signed by whoever moved it (cpassess.audit)
_SLOT_FIELDS = {"kind", "username", "kdf", "nonce", "ciphertext", "created"}
_SEALING_FIELDS = {"public_key", "sealed_key"}
_PENDING_FIELD = "pending_key"
_SEALED_FIELDS = {"ephemeral", "nonce", "ciphertext"}
_DATABASE_KEY = "database_key"
_PENDING_DATABASE_KEY = "pending_database_key"  # during a re-key: the new key (see begin_rekey)
_UNWRAP_KEY = "unwrap_key"  # the slot's X25519 private key, inside the password-wrapped secrets
_X25519_BYTES = 32
_KDF_FIELDS = {"algorithm", "time_cost", "memory_kib", "parallelism", "salt"}

UNLOCK_REFUSED_MESSAGE = "The username or password is not right."
WRONG_RECOVERY_CODE_MESSAGE = "The recovery code is not right."

Secrets = dict[str, bytes]
"""Named secrets held in one slot, e.g. ``database_key``, ``signing_key``; names are ``[a-z_]+``."""


class SlotFileError(Exception):
    """The key file is missing, unreadable, damaged, of an unknown format, or cannot be changed as asked."""


class WrongPassword(Exception):
    """The username, password or recovery code did not open a slot."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost settings, stored in each slot so that stronger settings can be adopted slot by slot."""

    time_cost: int
    memory_kib: int
    parallelism: int

    def __post_init__(self) -> None:
        _check_whole_number("time_cost", self.time_cost, 1, MAX_TIME_COST)
        _check_whole_number("memory_kib", self.memory_kib, MIN_MEMORY_KIB, MAX_MEMORY_KIB)
        _check_whole_number("parallelism", self.parallelism, 1, MAX_PARALLELISM)


def _check_whole_number(name: str, value: object, lowest: int, highest: int) -> None:
    if type(value) is not int or not lowest <= value <= highest:
        raise ValueError(f"The key-derivation setting {name} must be a whole number, {lowest} to {highest}.")


def calibrate(
    target_seconds: float = 0.5, memory_kib: int = MIN_MEMORY_KIB, parallelism: int = 1
) -> KdfParams:
    """Choose the Argon2id time cost that makes one derivation on this machine take about `target_seconds`.

    The time cost rises from 1 (capped at CALIBRATION_MAX_TIME_COST); each step is scaled from the last
    measurement, so calibration takes a few derivations, not ten.
    """
    if not target_seconds > 0:
        raise ValueError("The calibration target must be a positive number of seconds.")
    time_cost = 1
    while True:
        params = KdfParams(time_cost, memory_kib, parallelism)
        started = time.perf_counter()
        _derive_key("calibration", token_bytes(_SALT_BYTES), params)
        elapsed = time.perf_counter() - started
        if elapsed >= 0.9 * target_seconds or time_cost >= CALIBRATION_MAX_TIME_COST:
            return params
        # Argon2id's cost grows about linearly with time_cost; rounding the estimate down avoids overshooting.
        estimate = math.floor(time_cost * target_seconds / max(elapsed, 1e-6))
        time_cost = min(CALIBRATION_MAX_TIME_COST, max(time_cost + 1, estimate))


def generate_recovery_code() -> str:
    """A new random recovery code of 28 symbols (about 138 bits) in groups of four, e.g. ``7K3Q-9XMD-…``.

    The alphabet leaves out 0, O, 1, I and L so the code can be read aloud and typed back without confusion.
    """
    symbols = "".join(choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH))
    return _group_recovery_symbols(symbols)


def normalise_recovery_code(text: str) -> str:
    """The canonical form of a typed recovery code: upper case, grouped with dashes.

    Accepts lower case, spaces and missing or extra dashes; raises ValueError if it cannot be a recovery code.
    """
    compact = "".join(symbol for symbol in text.upper() if not symbol.isspace() and symbol not in _DASHES)
    length = RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH
    if len(compact) != length or any(symbol not in RECOVERY_ALPHABET for symbol in compact):
        raise ValueError(
            f"A recovery code has {length} letters and digits in groups of {RECOVERY_GROUP_LENGTH}; "
            "this does not look like one."
        )
    return _group_recovery_symbols(compact)


def _group_recovery_symbols(symbols: str) -> str:
    step = RECOVERY_GROUP_LENGTH
    return "-".join(symbols[start : start + step] for start in range(0, len(symbols), step))


@dataclass(frozen=True)
class _Sealed:
    """A database key sealed to a slot's public key: X25519 with a one-time key, HKDF-SHA256, AES-256-GCM."""

    ephemeral: bytes
    nonce: bytes
    ciphertext: bytes

    def to_json(self) -> dict[str, str]:
        return {"ephemeral": _b64(self.ephemeral), "nonce": _b64(self.nonce), "ciphertext": _b64(self.ciphertext)}


@dataclass(frozen=True)
class _Slot:
    """One wrapped set of secrets as stored in the file."""

    kind: str
    username: str | None
    params: KdfParams
    salt: bytes
    nonce: bytes
    ciphertext: bytes
    created: str
    public_key: bytes | None = None  # None: a slot from before sealing, with the database key among its secrets
    sealed_key: _Sealed | None = None
    pending_key: _Sealed | None = None

    def to_json(self) -> dict[str, object]:
        document: dict[str, object] = {
            "kind": self.kind,
            "username": self.username,
            "kdf": _kdf_json(self.params, self.salt),
            "nonce": _b64(self.nonce),
            "ciphertext": _b64(self.ciphertext),
            "created": self.created,
        }
        if self.public_key is not None and self.sealed_key is not None:
            document["public_key"] = _b64(self.public_key)
            document["sealed_key"] = self.sealed_key.to_json()
        if self.pending_key is not None:
            document[_PENDING_FIELD] = self.pending_key.to_json()
        return document


class SlotFile:
    """The key-slot file of one database: who can open it, and the secrets each of them unwraps.

    Use `SlotFile.create` or `SlotFile.open`. Every change rewrites the whole file atomically; reading and
    unlocking never write it.
    """

    def __init__(self, path: Path, database_id: str, slots: tuple[_Slot, ...],
                 audit_head: dict[str, object] | None = None) -> None:
        self._path = path
        self._database_id = database_id
        self._slots = slots
        self._audit_head = audit_head

    @classmethod
    def create(cls, path: Path, database_id: str) -> SlotFile:
        """Write a new key file with no slots for the database `database_id`; refuses if `path` exists."""
        if not isinstance(database_id, str) or not database_id:
            raise ValueError("A key file needs the id of its database.")
        if path.exists() or path.is_symlink():
            raise SlotFileError(f"A key file already exists at {path}; it was left as it was.")
        slot_file = cls(path, database_id, ())
        slot_file._save(())
        return slot_file

    @contextmanager
    def undone_on_failure(self) -> Iterator[None]:
        """Changes to the key file inside are undone if the block fails, as its database transaction is.

        The key file is written last in a transaction, but the commit can still fail after it (a full disk):
        the file written then is put back, so the password that opens the database stays the one it records.
        """
        previous, slots = self._path.read_bytes(), self._slots
        try:
            yield
        except BaseException:
            if self._path.read_bytes() != previous:
                write_atomic(self._path, previous)  # the same size as the file it replaces: it fits again
                logger.info("key file change undone")
            self._slots = slots
            raise

    @classmethod
    def open(cls, path: Path) -> SlotFile:
        """Read and check the key file at `path`; SlotFileError, in a plain sentence, if it is unusable."""
        raw = _read_key_file(path)
        try:
            database_id, slots, audit_head = _parse_document(raw, path)
        except _Damaged as damage:
            raise SlotFileError(
                f"The key file {path} has been altered or damaged ({damage}). Restore it from a backup."
            ) from None
        return cls(path, database_id, slots, audit_head)

    @property
    def path(self) -> Path:
        """Where the key file is stored."""
        return self._path

    @property
    def database_id(self) -> str:
        """The id of the database this key file belongs to."""
        return self._database_id

    @property
    def audit_head(self) -> dict[str, object] | None:
        """The audit chain head anchored here (as `cpassess.audit.AnchoredHead.to_json` wrote it), if any."""
        return self._audit_head

    def set_audit_head(self, head: dict[str, object]) -> None:
        """Anchor the audit chain head outside the database (one atomic rewrite of the file, like every change)."""
        self._save(self._slots, audit_head=head)

    def usernames(self) -> list[str]:
        """The users who have a password slot, in the order they were added."""
        return [slot.username for slot in self._slots if slot.username is not None]

    def has_slot(self, username: str) -> bool:
        """Whether `username` has a password slot."""
        return self._user_slot_index(username) is not None

    def has_recovery(self) -> bool:
        """Whether a recovery slot has been set up."""
        return self._recovery_slot_index() is not None

    def add(self, username: str, password: str, secrets: Secrets, params: KdfParams) -> None:
        """Add a password slot for a new user holding `secrets`; refuses a user who already has one."""
        if not isinstance(username, str) or not username:
            raise ValueError("A key slot needs a username.")
        if self.has_slot(username):
            raise SlotFileError("This user already has a key slot; change the password instead.")
        slot = self._seal(_USER_KIND, username, password, secrets, params)
        self._save((*self._slots, slot))

    def replace(self, username: str, password: str, secrets: Secrets, params: KdfParams) -> None:
        """Re-wrap one user's slot under a new password (a password change); other slots stay as they were."""
        index = self._require_user_slot(username)
        slot = self._seal(_USER_KIND, username, password, secrets, params)
        self._save((*self._slots[:index], slot, *self._slots[index + 1 :]))

    def remove(self, username: str) -> None:
        """Remove one user's slot; refuses to remove the last password slot, which would lock everyone out."""
        index = self._require_user_slot(username)
        if len(self.usernames()) == 1:
            raise SlotFileError("This is the last user who can open the database; their key slot was kept.")
        self._save((*self._slots[:index], *self._slots[index + 1 :]))

    def set_recovery(self, code: str, secrets: Secrets, params: KdfParams) -> None:
        """Set up (or replace) the recovery slot, opened with the recovery `code` instead of a password."""
        canonical = normalise_recovery_code(code)
        slot = self._seal(_RECOVERY_KIND, None, canonical, secrets, params)
        index = self._recovery_slot_index()
        if index is None:
            self._save((*self._slots, slot))
        else:
            self._save((*self._slots[:index], slot, *self._slots[index + 1 :]))

    def unlock(self, username: str, password: str) -> Secrets:
        """The secrets in `username`'s slot.

        A wrong password and an unknown user raise the same WrongPassword, so no username is revealed.
        """
        index = self._user_slot_index(username)
        if index is None:
            # Spend the same time as a real attempt so the delay does not reveal which usernames exist.
            _wipe(_derive_key(password, token_bytes(_SALT_BYTES), self._typical_params()))
            raise WrongPassword(UNLOCK_REFUSED_MESSAGE)
        secrets = self._open(self._slots[index], password)
        if secrets is None:
            raise WrongPassword(UNLOCK_REFUSED_MESSAGE)
        return self._unseal(self._slots[index], secrets)

    def unlock_recovery(self, code: str) -> Secrets:
        """The secrets in the recovery slot; raises WrongPassword if `code` does not open it."""
        index = self._recovery_slot_index()
        if index is None:
            raise SlotFileError("No recovery code was set up for this database.")
        try:
            canonical = normalise_recovery_code(code)
        except ValueError:
            raise WrongPassword(WRONG_RECOVERY_CODE_MESSAGE) from None
        secrets = self._open(self._slots[index], canonical)
        if secrets is None:
            raise WrongPassword(WRONG_RECOVERY_CODE_MESSAGE)
        return self._unseal(self._slots[index], secrets)

    def rekey_pending(self) -> bool:
        """Whether a re-key was begun and not finished (a new database key is sealed beside the old one)."""
        return any(slot.pending_key is not None for slot in self._slots)

    def begin_rekey(self, new_database_key: bytes, *, remove: str | None = None) -> None:
        """Seal `new_database_key` to every slot beside the current key, and drop `remove`'s slot, in one write.

        Needs no password: the new key is sealed to each slot's public key. Unlocking then returns both keys
        (`database_key` and `pending_database_key`) until `finish_rekey`, so a re-key cut short at any point
        leaves a database that opens. SlotFileError if a slot is from before sealing (its user must change
        their password first, or the recovery code be set again).
        """
        kept = tuple(slot for slot in self._slots if not (slot.kind == _USER_KIND and slot.username == remove))
        if remove is not None and not any(slot.kind == _USER_KIND for slot in kept):
            raise SlotFileError("This is the last user who can open the database; their key slot was kept.")
        legacy = [slot for slot in kept if slot.public_key is None]
        if legacy:
            who = legacy[0].username or "the recovery code"
            raise SlotFileError(f"The key slot of {who} is from an older cpassess and cannot be re-keyed without "
                                "its password: change that password (or set a new recovery code) first.")
        resealed = []
        for slot in kept:
            assert slot.public_key is not None  # checked above; for the type checker
            resealed.append(replace(slot, pending_key=self._seal_key(slot, slot.public_key,
                                                                             new_database_key)))
        self._save(tuple(resealed))

    def finish_rekey(self) -> None:
        """Once the database is re-encrypted under the new key: it becomes every slot's only database key."""
        finished = tuple(
            replace(slot, sealed_key=slot.pending_key or slot.sealed_key, pending_key=None)
            for slot in self._slots
        )
        self._save(finished)

    def _seal_key(self, slot: _Slot, public_key: bytes, database_key: bytes) -> _Sealed:
        ephemeral = X25519PrivateKey.generate()
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
        ephemeral_public = ephemeral.public_key().public_bytes_raw()
        key = _sealing_key(shared, ephemeral_public, public_key)
        nonce = token_bytes(_NONCE_BYTES)
        associated = self._sealing_data(slot.kind, slot.username, public_key)
        return _Sealed(ephemeral_public, nonce, AESGCM(bytes(key)).encrypt(nonce, database_key, associated))

    def _unseal(self, slot: _Slot, secrets: Secrets) -> Secrets:
        """The secrets a caller sees: the database key (and a pending one) unsealed, the X25519 key left out."""
        private = secrets.pop(_UNWRAP_KEY, None)
        if slot.public_key is None or slot.sealed_key is None:
            return secrets
        if private is None:
            raise SlotFileError(f"A key slot in {self._path} opened but its contents are not in the expected form.")
        for name, sealed in ((_DATABASE_KEY, slot.sealed_key), (_PENDING_DATABASE_KEY, slot.pending_key)):
            if sealed is None:
                continue
            shared = X25519PrivateKey.from_private_bytes(private).exchange(
                X25519PublicKey.from_public_bytes(sealed.ephemeral))
            key = _sealing_key(shared, sealed.ephemeral, slot.public_key)
            try:
                secrets[name] = AESGCM(bytes(key)).decrypt(
                    sealed.nonce, sealed.ciphertext, self._sealing_data(slot.kind, slot.username, slot.public_key))
            except InvalidTag:
                raise SlotFileError(f"The key file {self._path} has been altered or damaged (a sealed database key "
                                    "does not open). Restore it from a backup.") from None
            finally:
                _wipe(key)
        return secrets

    def _sealing_data(self, kind: str, username: str | None, public_key: bytes) -> bytes:
        return _canonical_json({"format": FILE_FORMAT, "database_id": self._database_id, "kind": kind,
                                "username": username, "public_key": _b64(public_key), "sealed": _DATABASE_KEY})

    def _seal(
        self, kind: str, username: str | None, password: str, secrets: Secrets, params: KdfParams
    ) -> _Slot:
        if not isinstance(password, str) or not password:
            raise ValueError("A key slot needs a password.")
        wrapped = dict(secrets)
        database_key = wrapped.pop(_DATABASE_KEY, None)
        pending_key = wrapped.pop(_PENDING_DATABASE_KEY, None)
        wrapped.pop(_UNWRAP_KEY, None)
        for value in (database_key, pending_key):
            if value is not None and (not isinstance(value, bytes | bytearray) or len(value) != _KEY_BYTES):
                raise ValueError("A database key is 32 bytes.")
        public_key = None
        if database_key is not None:
            unwrap = X25519PrivateKey.generate()
            wrapped[_UNWRAP_KEY] = unwrap.private_bytes_raw()
            public_key = unwrap.public_key().public_bytes_raw()
        plaintext = _encode_secrets(wrapped)
        salt = token_bytes(_SALT_BYTES)
        nonce = token_bytes(_NONCE_BYTES)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        associated = _associated_data(
            self._database_id, kind=kind, username=username, params=params, salt=salt, created=created,
            public_key=public_key,
        )
        key = _derive_key(password, salt, params)
        try:
            ciphertext = AESGCM(key).encrypt(nonce, plaintext, associated)
        finally:
            _wipe(key)
        slot = _Slot(kind, username, params, salt, nonce, ciphertext, created)
        if public_key is None or database_key is None:
            return slot
        slot = replace(slot, public_key=public_key)
        return replace(
            slot,
            sealed_key=self._seal_key(slot, public_key, bytes(database_key)),
            pending_key=None if pending_key is None else self._seal_key(slot, public_key, bytes(pending_key)),
        )

    def _open(self, slot: _Slot, password: str) -> Secrets | None:
        associated = _associated_data(
            self._database_id,
            kind=slot.kind,
            username=slot.username,
            params=slot.params,
            salt=slot.salt,
            created=slot.created,
            public_key=slot.public_key,
        )
        key = _derive_key(password, slot.salt, slot.params)
        try:
            plaintext = AESGCM(key).decrypt(slot.nonce, slot.ciphertext, associated)
        except InvalidTag:
            return None
        finally:
            _wipe(key)
        try:
            return _decode_secrets(plaintext)
        except _Damaged:
            raise SlotFileError(
                f"A key slot in {self._path} opened but its contents are not in the expected form."
            ) from None

    def _save(self, slots: tuple[_Slot, ...], *, audit_head: dict[str, object] | None = None) -> None:
        head = audit_head if audit_head is not None else self._audit_head
        document: dict[str, object] = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "database_id": self._database_id,
            "slots": [slot.to_json() for slot in slots],
        }
        if head is not None:
            document[_AUDIT_HEAD_FIELD] = head
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            write_atomic(self._path, data)
        except OSError as error:
            if is_disk_full(error):
                raise DiskFull() from None  # write_atomic left the old file as it was
            reason = error.strerror or "the file system refused"
            raise SlotFileError(
                f"The key file {self._path} could not be saved ({reason}); it was left as it was."
            ) from error
        self._slots = slots
        self._audit_head = head
        logger.info("key file saved with %d slots", len(slots))

    def _user_slot_index(self, username: str) -> int | None:
        for index, slot in enumerate(self._slots):
            if slot.kind == _USER_KIND and slot.username == username:
                return index
        return None

    def _require_user_slot(self, username: str) -> int:
        index = self._user_slot_index(username)
        if index is None:
            raise SlotFileError("This user has no key slot.")
        return index

    def _recovery_slot_index(self) -> int | None:
        for index, slot in enumerate(self._slots):
            if slot.kind == _RECOVERY_KIND:
                return index
        return None

    def _typical_params(self) -> KdfParams:
        for slot in self._slots:
            if slot.kind == _USER_KIND:
                return slot.params
        return KdfParams(time_cost=1, memory_kib=MIN_MEMORY_KIB, parallelism=1)


def _derive_key(password: str, salt: bytes, params: KdfParams) -> bytearray:
    """The 32-byte wrapping key, as a bytearray so the caller can overwrite it after use.

    The argon2 and AES-GCM libraries keep their own transient copies, which Python cannot reach to clear.
    """
    # NFC so that a password typed with composed or decomposed accents gives the same key on every system.
    secret = unicodedata.normalize("NFC", password).encode("utf-8")
    return bytearray(
        hash_secret_raw(
            secret=secret,
            salt=salt,
            time_cost=params.time_cost,
            memory_cost=params.memory_kib,
            parallelism=params.parallelism,
            hash_len=_KEY_BYTES,
            type=Type.ID,
        )
    )


def _wipe(buffer: bytearray) -> None:
    buffer[:] = bytes(len(buffer))


def _canonical_json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _kdf_json(params: KdfParams, salt: bytes) -> dict[str, object]:
    return {
        "algorithm": "argon2id",
        "time_cost": params.time_cost,
        "memory_kib": params.memory_kib,
        "parallelism": params.parallelism,
        "salt": _b64(salt),
    }


def _associated_data(
    database_id: str, *, kind: str, username: str | None, params: KdfParams, salt: bytes, created: str,
    public_key: bytes | None,
) -> bytes:
    """Everything about a slot except its ciphertext (and its sealed keys), bound into the AES-GCM tag."""
    data: dict[str, object] = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "database_id": database_id,
        "kind": kind,
        "username": username,
        "kdf": _kdf_json(params, salt),
        "created": created,
    }
    if public_key is not None:
        data["public_key"] = _b64(public_key)
    return _canonical_json(data)


def _sealing_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytearray:
    return bytearray(HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None,
                          info=b"cpassess sealed database key" + ephemeral_public + recipient_public).derive(shared))



def _encode_secrets(secrets: Secrets) -> bytes:
    if not isinstance(secrets, dict) or not secrets:
        raise ValueError("A key slot must hold at least one secret.")
    for name, value in secrets.items():
        if not isinstance(name, str) or not _SECRET_NAME.fullmatch(name):
            raise ValueError("Secret names are lower-case letters and underscores.")
        if not isinstance(value, bytes | bytearray) or not value:
            raise ValueError("Each secret must be non-empty bytes.")
    return _canonical_json({name: _b64(bytes(value)) for name, value in secrets.items()})


def _decode_secrets(plaintext: bytes) -> Secrets:
    try:
        document = json.loads(plaintext.decode("utf-8"))
    except ValueError:
        raise _Damaged("the slot contents are not JSON") from None
    if not isinstance(document, dict) or not document:
        raise _Damaged("the slot holds no secrets")
    secrets: Secrets = {}
    for name, value in document.items():
        if not _SECRET_NAME.fullmatch(name):
            raise _Damaged("a secret has an invalid name")
        secrets[name] = _unb64(value, "a secret")
    return secrets


class _Damaged(Exception):
    """A structural fault in the key file, reported to the user as an altered or damaged file."""


def _read_key_file(path: Path) -> bytes:
    try:
        with path.open("rb") as stream:
            raw = stream.read(_MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise SlotFileError(f"There is no key file at {path}.") from None
    except IsADirectoryError:
        raise SlotFileError(f"The key file {path} is a folder, not a file.") from None
    except OSError as error:
        reason = error.strerror or "the file system refused"
        raise SlotFileError(f"The key file {path} could not be read ({reason}).") from None
    if len(raw) > _MAX_FILE_BYTES:
        raise SlotFileError(f"The file {path} is far too large to be a key file.")
    return raw


def _parse_document(raw: bytes, path: Path) -> tuple[str, tuple[_Slot, ...], dict[str, object] | None]:
    try:
        document = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise SlotFileError(
            f"The key file {path} is damaged or incomplete: it cannot be read. Restore it from a backup."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise SlotFileError(f"The file {path} is not a cpassess key file.")
    version = document.get("version")
    if version != FILE_VERSION:
        if type(version) is int and version > FILE_VERSION:
            raise SlotFileError(
                f"The key file {path} was written by a newer version of cpassess; update cpassess to open it."
            )
        raise SlotFileError(f"The key file {path} is in a format version this cpassess cannot read.")
    if set(document) - {_AUDIT_HEAD_FIELD} != _DOCUMENT_FIELDS:
        raise _Damaged("the file does not have the expected fields")
    audit_head = document.get(_AUDIT_HEAD_FIELD)
    if audit_head is not None and not isinstance(audit_head, dict):
        raise _Damaged("the audit head is not a record")
    database_id = document["database_id"]
    if not isinstance(database_id, str) or not database_id:
        raise _Damaged("the database id is missing")
    items = document["slots"]
    if not isinstance(items, list):
        raise _Damaged("the slot list is missing")
    slots = tuple(_parse_slot(item) for item in items)
    usernames = [slot.username for slot in slots if slot.kind == _USER_KIND]
    if len(usernames) != len(set(usernames)):
        raise _Damaged("two slots name the same user")
    if sum(slot.kind == _RECOVERY_KIND for slot in slots) > 1:
        raise _Damaged("there is more than one recovery slot")
    return database_id, slots, audit_head


def _parse_slot(item: object) -> _Slot:
    if not isinstance(item, dict) or set(item) - {_PENDING_FIELD} not in (_SLOT_FIELDS, _SLOT_FIELDS | _SEALING_FIELDS):
        raise _Damaged("a slot does not have the expected fields")
    if _PENDING_FIELD in item and "public_key" not in item:
        raise _Damaged("a slot has a pending key but no public key")
    kind, username = item["kind"], item["username"]
    if kind == _USER_KIND:
        if not isinstance(username, str) or not username:
            raise _Damaged("a user's slot has no username")
    elif kind == _RECOVERY_KIND:
        if username is not None:
            raise _Damaged("the recovery slot names a user")
    else:
        raise _Damaged("a slot is of an unknown kind")
    kdf = item["kdf"]
    if not isinstance(kdf, dict) or set(kdf) != _KDF_FIELDS or kdf["algorithm"] != "argon2id":
        raise _Damaged("a slot's key-derivation settings are not Argon2id")
    try:
        params = KdfParams(kdf["time_cost"], kdf["memory_kib"], kdf["parallelism"])
    except ValueError:
        raise _Damaged("a slot's key-derivation settings are below the minimum or out of range") from None
    salt = _unb64(kdf["salt"], "a salt")
    nonce = _unb64(item["nonce"], "a nonce")
    ciphertext = _unb64(item["ciphertext"], "a ciphertext")
    if len(salt) != _SALT_BYTES or len(nonce) != _NONCE_BYTES or len(ciphertext) <= _TAG_BYTES:
        raise _Damaged("a slot's salt, nonce or ciphertext has the wrong length")
    created = item["created"]
    try:
        datetime.fromisoformat(created)
    except (TypeError, ValueError):
        raise _Damaged("a slot's creation time is not a date") from None
    slot = _Slot(kind, username, params, salt, nonce, ciphertext, created)
    if "public_key" not in item:
        return slot
    public_key = _unb64(item["public_key"], "a public key")
    if len(public_key) != _X25519_BYTES:
        raise _Damaged("a slot's public key has the wrong length")
    pending = item.get(_PENDING_FIELD)
    return replace(slot, public_key=public_key, sealed_key=_parse_sealed(item["sealed_key"]),
                         pending_key=None if pending is None else _parse_sealed(pending))


def _parse_sealed(item: object) -> _Sealed:
    if not isinstance(item, dict) or set(item) != _SEALED_FIELDS:
        raise _Damaged("a sealed database key does not have the expected fields")
    sealed = _Sealed(_unb64(item["ephemeral"], "a sealed key"), _unb64(item["nonce"], "a nonce"),
                     _unb64(item["ciphertext"], "a sealed key"))
    if len(sealed.ephemeral) != _X25519_BYTES or len(sealed.nonce) != _NONCE_BYTES or len(sealed.ciphertext) != (
            _KEY_BYTES + _TAG_BYTES):
        raise _Damaged("a sealed database key has the wrong length")
    return sealed


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise _Damaged(f"{what} is not text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _Damaged(f"{what} is not valid base64") from None


class AttemptLimiter:
    """A growing pause before unlock attempts after repeated failures (§8.2).

    The first FREE_FAILURES failures cost nothing; each one after that doubles the pause (1, 2, 4 … seconds,
    capped at MAX_DELAY_SECONDS), counted from the last failure. Failures are forgotten after an hour without
    one, and reset by a success. The count lives in a small JSON file at `state_path` (never the key file); if
    that file cannot be read or written the count is kept in memory, and unlocking carries on regardless.
    """

    FREE_FAILURES = 3
    MAX_DELAY_SECONDS = 30.0
    FORGET_AFTER_SECONDS = 3600.0

    def __init__(
        self,
        state_path: Path,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._state_path = state_path
        self._sleep = sleep
        # Wall-clock time, not monotonic, because the count must carry over when the app is restarted.
        self._clock = clock
        self._failures = 0
        self._last_failure = 0.0

    def delay_seconds(self) -> float:
        """How long the next attempt must still wait, given the failures recorded so far."""
        failures, last_failure = self._load()
        if failures <= self.FREE_FAILURES:
            return 0.0
        # The exponent is capped so a huge count in a tampered state file cannot overflow.
        exponent = min(failures - self.FREE_FAILURES - 1, 16)
        full_delay = min(self.MAX_DELAY_SECONDS, 2.0**exponent)
        since = max(0.0, self._clock() - last_failure)
        return max(0.0, full_delay - since)

    def before_attempt(self) -> None:
        """Sleep for as long as recent failures require before the next unlock attempt."""
        delay = self.delay_seconds()
        if delay > 0:
            self._sleep(delay)

    def failed(self) -> None:
        """Record a failed unlock attempt."""
        failures, _ = self._load()
        self._store(failures + 1, self._clock())

    def succeeded(self) -> None:
        """Record a successful unlock, which clears the count."""
        self._store(0, 0.0)

    def _load(self) -> tuple[int, float]:
        try:
            with self._state_path.open("rb") as stream:
                state = json.loads(stream.read(4096))
            failures, last_failure = state["failures"], state["last_failure"]
            if type(failures) is not int or failures < 0 or not isinstance(last_failure, int | float):
                raise ValueError("unexpected attempt state")
            self._failures, self._last_failure = failures, float(last_failure)
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, KeyError):
            logger.warning("unlock attempt state could not be read; using the count in memory")
        if self._clock() - self._last_failure >= self.FORGET_AFTER_SECONDS:
            return 0, 0.0
        return self._failures, self._last_failure

    def _store(self, failures: int, last_failure: float) -> None:
        self._failures, self._last_failure = failures, last_failure
        data = json.dumps({"failures": failures, "last_failure": last_failure}).encode("utf-8")
        try:
            self._state_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self._state_path, data)
        except OSError as error:
            logger.warning("unlock attempt state could not be saved: %s", error.strerror)
