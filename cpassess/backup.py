"""Backup and restore (DESIGN §8.6).

A backup is one file: a zip holding an encrypted copy of the database (`sqlcipher_export`, same key), the key
slot file, and a manifest (database id, audit chain head, SHA-256 of each member) signed by the user who made
it. Nothing in it is readable without a password or the recovery code. Restore checks everything (hashes,
both integrity checks, the audit chain against the manifest's head) before it replaces anything, and keeps
the database it replaces in a folder beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cpassess import audit
from cpassess.atomic import sync_directory
from cpassess.authority import cert_from_der, cert_from_pem, issued_by, verify
from cpassess.json_input import parse_json
from cpassess.keyslots import SlotFile, SlotFileError, WrongPassword
from cpassess.paths import slot_file_for
from cpassess.storage import Database, DiskFull, StorageError, check_file, is_disk_full
from cpassess.storage.lockfile import DatabaseLock

if TYPE_CHECKING:
    from cpassess.session import Session

log = logging.getLogger(__name__)

FORMAT = "cpassess-backup"
VERSION = 1
DATABASE_MEMBER = "cpassess.db"
KEYS_MEMBER = "cpassess.db.keys"
MANIFEST_MEMBER = "manifest.json"
SIGNATURE_MEMBER = "manifest.sig"
MEMBERS = frozenset({DATABASE_MEMBER, KEYS_MEMBER, MANIFEST_MEMBER, SIGNATURE_MEMBER})
MAX_MANIFEST_BYTES = 64 * 1024


class BackupError(Exception):
    """A backup that cannot be made or restored; says why, and that nothing was replaced."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: str
    database_id: str
    audit_head: audit.ChainHead
    made_by: str


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_backup(session: Session, out: Path) -> BackupInfo:
    """Write a complete, signed, encrypted backup of the open database to `out` (which must not exist).

    A full disk at any step leaves no file at `out` and raises DiskFull.
    """
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=out.parent, prefix=".cpassess-backup-") as work:
            head, manifest = _write_archive(session, Path(work), out)
    except OSError as error:
        if is_disk_full(error):
            raise DiskFull() from None
        raise
    try:
        with session.db.write() as connection:
            audit.append(connection, session.signing_key, session.user.username, "database.backed_up", "database",
                         session.database_id, {"audit_head": head.seq})
    except StorageError:
        out.unlink(missing_ok=True)  # a backup the audit log does not record is not kept
        raise
    log.info("backup written")
    return BackupInfo(out, manifest["created"], session.database_id, head, session.user.username)


def _write_archive(session: Session, work: Path, out: Path) -> tuple[audit.ChainHead, dict[str, Any]]:
    copy = work / DATABASE_MEMBER
    session.db.export_to(copy, session.database_key_for_backup())
    head = session.audit_head()
    manifest = {
        "format": FORMAT, "version": VERSION, "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database_id": session.database_id, "made_by": session.user.username,
        "audit_head": {"seq": head.seq, "hash": head.hash},
        "sha256": {DATABASE_MEMBER: _sha256_file(copy),
                   KEYS_MEMBER: hashlib.sha256(session.slots.path.read_bytes()).hexdigest()},
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1).encode("utf-8")
    from cpassess.authority import sign

    signature = sign(session.signing_key, manifest_bytes)
    archive = work / "backup.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zipped:
        zipped.writestr(MANIFEST_MEMBER, manifest_bytes)
        zipped.writestr(SIGNATURE_MEMBER, signature)
        zipped.write(copy, DATABASE_MEMBER)
        zipped.write(session.slots.path, KEYS_MEMBER)
    os.chmod(archive, 0o600)  # it holds the key file: readable only by its owner, like the database
    with archive.open("rb") as stream:
        os.fsync(stream.fileno())
    os.replace(archive, out)
    return head, manifest


def _read_archive(backup: Path, work: Path) -> dict[str, Any]:
    try:
        zipped = zipfile.ZipFile(backup)
    except (OSError, zipfile.BadZipFile):
        raise BackupError(f"{backup.name} is not a cpassess backup (or it is damaged).") from None
    with zipped:
        names = {info.filename for info in zipped.infolist()}
        if names != MEMBERS:
            raise BackupError(f"{backup.name} is not a cpassess backup: it holds unexpected files.")
        manifest_info = zipped.getinfo(MANIFEST_MEMBER)
        if manifest_info.file_size > MAX_MANIFEST_BYTES:
            raise BackupError(f"{backup.name} is not a cpassess backup (its manifest is too large).")
        try:
            manifest = parse_json(zipped.read(MANIFEST_MEMBER))
            for member in (DATABASE_MEMBER, KEYS_MEMBER, SIGNATURE_MEMBER):
                with zipped.open(member) as source, (work / member).open("wb") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
            (work / MANIFEST_MEMBER).write_bytes(zipped.read(MANIFEST_MEMBER))
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
            if is_disk_full(error):
                raise DiskFull() from None
            raise BackupError(f"{backup.name} is damaged and cannot be read ({type(error).__name__}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{backup.name} is not a backup this version of cpassess can restore.")
    return manifest


def inspect_backup(backup: Path, username: str, password: str, work: Path) -> tuple[dict[str, Any], bytes]:
    """Unpack into `work` and check everything; returns the manifest and the database key."""
    manifest = _read_archive(backup, work)
    for member in (DATABASE_MEMBER, KEYS_MEMBER):
        if _sha256_file(work / member) != manifest.get("sha256", {}).get(member):
            raise BackupError(f"{backup.name} is damaged: {member} does not match its recorded checksum.")
    try:
        slots = SlotFile.open(work / KEYS_MEMBER)
        key = slots.unlock(username, password)["database_key"]
    except WrongPassword as error:
        raise BackupError(f"{error} (for the backup)") from None
    except (SlotFileError, KeyError) as error:
        raise BackupError(f"The backup's key file cannot be used: {error}") from None
    if slots.database_id != manifest.get("database_id"):
        raise BackupError("The backup's key file belongs to a different database.")
    problems = check_file(work / DATABASE_MEMBER, key)
    if problems:
        raise BackupError(f"The backup's database failed its integrity checks: {problems[0]}.")
    with Database(work / DATABASE_MEMBER, key, lock=False) as copy:
        _check_backup_contents(copy, manifest, (work / MANIFEST_MEMBER).read_bytes(),
                               (work / SIGNATURE_MEMBER).read_bytes())
    return manifest, key


def _check_backup_contents(copy: Database, manifest: dict[str, Any], manifest_bytes: bytes, signature: bytes) -> None:
    row = copy.query_one("SELECT value FROM meta WHERE key = 'authority_certificate'")
    if row is None:
        raise BackupError("The backup's database has no team signing authority.")
    authority_certificate = cert_from_pem(str(row["value"]).encode("ascii"))

    def certificates_of(username: str) -> list[Any]:
        rows = copy.query("SELECT certificate FROM certificates WHERE username = ?", (username,))
        certs = [cert_from_der(bytes(r["certificate"])) for r in rows]
        return [c for c in certs if issued_by(c, authority_certificate)]

    if not any(verify(cert, manifest_bytes, signature) for cert in certificates_of(str(manifest.get("made_by")))):
        raise BackupError("The backup's manifest is not signed by a member of the team: it may have been altered.")
    recorded = manifest.get("audit_head") or {}
    head = audit.ChainHead(int(recorded.get("seq", -1)), str(recorded.get("hash", "")))
    report = audit.verify_chain(audit.read_events(copy.connection), certificates_of, None)
    if not report.ok:
        raise BackupError(f"The backup's audit log does not verify: {report.problems[0]}.")
    if report.head != head:
        raise BackupError(f"The backup's audit log ends at event {report.head.seq}, but the backup recorded event "
                          f"{head.seq}: it is incomplete.")


def restore_backup(backup: Path, target: Path, username: str, password: str) -> BackupInfo:
    """Replace `target` (if any) with the backup, after every check passes. The old files are kept beside it.

    Everything that needs space is written first; what replaces the old files is renames only, so a full disk
    leaves the old database as it was (DiskFull).
    """
    if not backup.is_file():
        raise BackupError(f"There is no backup file {backup}.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = DatabaseLock(target)
        lock.acquire()
        try:
            with tempfile.TemporaryDirectory(dir=target.parent, prefix=".cpassess-restore-") as work_dir:
                work = Path(work_dir)
                try:
                    manifest, _ = inspect_backup(backup, username, password, work)
                except StorageError as error:
                    if isinstance(error, DiskFull):
                        raise
                    raise BackupError(f"The backup cannot be restored: {error}") from None
                for member in (DATABASE_MEMBER, KEYS_MEMBER):
                    _make_durable(work / member)
                kept = _set_aside(target)
                os.replace(work / DATABASE_MEMBER, target)
                os.replace(work / KEYS_MEMBER, slot_file_for(target))
                sync_directory(target.parent)
        finally:
            lock.release()
    except OSError as error:
        if is_disk_full(error):
            raise DiskFull() from None
        raise
    head = manifest["audit_head"]
    log.info("backup restored; previous files kept: %s", bool(kept))
    return BackupInfo(target, str(manifest["created"]), str(manifest["database_id"]),
                      audit.ChainHead(int(head["seq"]), str(head["hash"])), str(manifest["made_by"]))


def _make_durable(path: Path) -> None:
    """Owner-only and on the disk before it is renamed into place."""
    os.chmod(path, 0o600)
    with path.open("rb") as stream:
        os.fsync(stream.fileno())


def _set_aside(target: Path) -> Path | None:
    """Move the current database, its WAL files and key file into a dated folder beside it."""
    companions = [target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm"),
                  slot_file_for(target)]
    present = [path for path in companions if path.exists()]
    if not present:
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = target.with_name(f"{target.name}.before-restore-{stamp}")
    folder.mkdir()
    for path in present:
        os.replace(path, folder / path.name)
    return folder
