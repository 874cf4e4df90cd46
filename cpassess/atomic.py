"""Crash-safe file replacement: a reader sees the old bytes or the new bytes, never a mix."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

# Errors that only mean "this file system cannot sync a directory", not that the data is at risk.
_DIRECTORY_SYNC_UNSUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EACCES, errno.EPERM}


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the file at `path` with `data` so that a crash or a full disk never leaves it half written.

    The bytes go to a temporary file (mode 0600) in the same directory, are flushed and fsynced, and the
    temporary file is then renamed over `path`; finally the directory is fsynced so the rename survives a
    power cut. If anything fails before the rename (a full disk included), the temporary file is removed,
    the original is untouched and the error propagates. A failure to sync the directory after the rename
    also propagates: the new bytes are then in place but may not yet be durable.
    """
    directory = path.parent
    # mkstemp creates the file with mode 0600 and O_EXCL, so no other user can read or pre-create it.
    descriptor, temporary_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    temporary = Path(temporary_name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    sync_directory(directory)


def sync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable, where the operating system allows it."""
    if os.name == "nt":
        # Windows cannot open a directory as a file; NTFS journals the rename itself.
        return
    try:
        handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as error:
        if error.errno in _DIRECTORY_SYNC_UNSUPPORTED:
            return
        raise
    try:
        os.fsync(handle)
    except OSError as error:
        if error.errno not in _DIRECTORY_SYNC_UNSUPPORTED:
            raise
    finally:
        os.close(handle)
