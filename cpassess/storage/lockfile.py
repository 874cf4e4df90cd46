"""One running program per database: an exclusive OS lock on `<db>.lock`, freed by the OS if the process dies."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO


class AlreadyOpen(Exception):
    """Another cpassess window or command has this database open."""


class DatabaseLock:
    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+b")  # noqa: SIM115 - held for the life of the session
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise AlreadyOpen(
                f"The database {self.path.name.removesuffix('.lock')} is already open in another cpassess "
                "window or command. Close it there first.") from None
        os.chmod(self.path, 0o600)
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the lock on every platform
            self._handle = None
