"""A throw-away PostgreSQL cluster for the team server's tests and benchmark (DESIGN §15: no mocks).

Debian's `postgresql` package (installed by `make sysdeps`) provides the binaries; the cluster lives in a temp
folder, listens only on a unix socket there, needs a password for every login (SCRAM), and is removed when
stopped. PostgreSQL refuses to run as root, so as root it runs as the `postgres` (or `nobody`) account.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

SUPERUSER = "serveradmin"


def postgres_binaries() -> Path:
    """The newest installed PostgreSQL's bin folder."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        located = shutil.which("initdb")
        if located is None:
            raise RuntimeError("PostgreSQL is not installed: run `make sysdeps` (Debian's postgresql package).")
        return Path(located).resolve().parent
    return Path(found[-1]).parent


class Cluster:
    def __init__(self) -> None:
        self.bin = postgres_binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="cpassess-pg-", dir="/tmp"))
        self.data, self.socket = self.folder / "data", self.folder / "socket"
        self.password = secrets.token_hex(16)
        self._owner = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                with contextlib.suppress(KeyError):
                    self._owner = pwd.getpwnam(name)
                    break
        self.socket.mkdir()
        password_file = self.folder / "password"
        password_file.write_text(self.password + "\n")
        if self._owner is not None:
            for path in (self.folder, self.socket, password_file):
                os.chown(path, self._owner.pw_uid, self._owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, f"--pwfile={password_file}",
                  "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        password_file.unlink()
        self.start()

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / program), *args]
        if self._owner is not None:
            command = ["runuser", "-u", self._owner.pw_name, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, cwd=self.folder)

    def start(self) -> None:
        options = f"-c listen_addresses='' -c unix_socket_directories='{self.socket}' -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options, "-w",
                  "start")

    def stop(self, *, immediate: bool = False) -> None:
        """Stop the server; `immediate` kills it as a crash would (recovery runs at the next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate" if immediate else "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop(immediate=True)  # thrown away: no shutdown checkpoint to wait for
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = SUPERUSER, password: str | None = None) -> str:
        return f"postgresql://{user}:{password or self.password}@/{database}?host={self.socket}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns the administrator's URL for it."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def dump(self, database: str) -> bytes:
        """`pg_dump` of one database, as a council's backup would take it."""
        return subprocess.run([str(self.bin / "pg_dump"), "--dbname", self.url(database)], check=True,
                              capture_output=True).stdout

    def data_files(self) -> list[Path]:
        return [path for path in self.data.rglob("*") if path.is_file()]
