"""What every command shares: one-line errors, JSON output, passwords, the database and the signed-in user."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cpassess.json_input import JsonRefused, parse_json
from cpassess.paths import default_database

if TYPE_CHECKING:
    from cpassess.casework import Casework
    from cpassess.session import Session


class CliError(Exception):
    """A failure to report as one human line, exit status 1."""


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


MAX_INPUT_BYTES = 20_000_000


def read_json_file(path: Path) -> Any:
    """A JSON document from a file (or '-' for standard input), read strictly (`cpassess.json_input`)."""
    try:
        if str(path) == "-":
            raw = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with path.open("rb") as stream:  # never more than the limit in memory, whatever the file's size
                raw = stream.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        raise CliError(f"{path}: cannot be read ({error.strerror})") from None
    if len(raw) > MAX_INPUT_BYTES:
        raise CliError(f"{path}: is too large (over 20 MB)")
    try:
        return parse_json(raw)
    except JsonRefused as error:
        raise CliError(f"{path}: {error}") from None


def output_file(path: Path) -> Path:
    """A file a command will write: its folder must exist and be writable (checked before any work is done)."""
    if path.is_dir():
        raise CliError(f"{path}: is a folder; give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise CliError(f"{folder}: there is no such folder")
    if not os.access(folder, os.W_OK):
        raise CliError(f"{folder}: you cannot write there")
    return path


def write_pdf(path: Path, data: bytes, warnings: list[str]) -> None:
    """Write an exported PDF whole or not at all, and say on stderr what its fonts could not show."""
    from cpassess.atomic import write_atomic

    write_atomic(path, data)
    for warning in warnings:
        print(f"cpassess: warning: {warning}", file=sys.stderr)


def database_options() -> argparse.ArgumentParser:
    """`--db`, `--password-stdin` for every command that opens a database."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--db", dest="sub_db", type=Path, metavar="PATH",
                        help="the database file (default: the one in your user data folder)")
    parent.add_argument("--password-stdin", action="store_true",
                        help="read passwords from standard input, one per line, instead of prompting")
    return parent


def acting_user() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--as", dest="username", required=True, metavar="USER", help="your username")
    return parent


def database_path(args: argparse.Namespace) -> Path:
    path: Path | None = getattr(args, "sub_db", None) or getattr(args, "db", None)
    return path if path is not None else default_database()


class Passwords:
    """Passwords in the order a command needs them: prompted, or one per line from standard input."""

    def __init__(self, from_stdin: bool) -> None:
        self._from_stdin = from_stdin
        self.sign_in = ""  # the password the command signed in with

    def read(self, prompt: str) -> str:
        if self._from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise CliError(f"standard input ran out of lines before: {prompt.rstrip(': ').lower()}")
            return line.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise CliError("no terminal to ask for a password: use --password-stdin")
        try:
            return getpass.getpass(prompt)
        except EOFError:
            raise CliError("no password given") from None

    def new(self, prompt: str) -> str:
        first = self.read(prompt)
        if not self._from_stdin and self.read("Type it again: ") != first:
            raise CliError("the two passwords are not the same")
        return first


@contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[tuple[Session, Passwords]]:
    """Unlock the database as `--as USER`, run the command, and always close it again."""
    from cpassess.session import Session

    passwords = Passwords(args.password_stdin)
    path = database_path(args)
    passwords.sign_in = passwords.read(f"Password for {args.username}: ")
    session = Session.unlock(path, args.username, passwords.sign_in)
    try:
        yield session, passwords
    finally:
        session.close()


def casework(session: Session) -> Casework:
    """`Casework.of(session)`, imported when a command runs rather than when the parser is built (start-up)."""
    from cpassess.casework import Casework

    return Casework.of(session)


def output_path(text: str) -> Path:
    """argparse type for --out: checked as soon as the command line is read, before any work is done."""
    try:
        return output_file(Path(text))
    except CliError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
