"""What can go wrong underneath a save, told in plain words: a full disk, a damaged page, a failing disk.

Kept apart from the database module (no SQLCipher here) so the key file, backups and the atomic writers can
raise the same errors as the database does.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

DISK_FULL_MESSAGE = "The disk is full: nothing was saved. Free some space and try again."
# SQLite reports a write into a full disk through shared memory as an I/O error, not SQLITE_FULL: with less than
# this free beside the database, an I/O error is taken for what it almost certainly is.
LOW_SPACE_BYTES = 4 << 20
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class StorageError(Exception):
    """A database problem told in plain words; never carries personal data."""


class DiskFull(StorageError):
    """The disk (or the user's quota) is full; whatever was being saved was not saved, and nothing else changed."""

    def __init__(self) -> None:
        super().__init__(DISK_FULL_MESSAGE)


class DamagedDatabase(StorageError):
    """Part of the database could not be read: an integrity problem, not a passing one."""


def is_disk_full(error: BaseException) -> bool:
    """Whether an operating-system error (or what it caused) means there is no space left."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, DiskFull) or (isinstance(seen, OSError) and seen.errno in _FULL_ERRNOS):
            return True
        seen = seen.__cause__
    return False


def little_space_left(folder: Path) -> bool:
    """Less than LOW_SPACE_BYTES free where `folder` lives (False when the free space cannot be read)."""
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False
