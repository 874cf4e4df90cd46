"""The command line (DESIGN §11): the same core as the desktop app, scriptable.

Every command exits 0 on success and 1 with a one-line human error otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from cpassess import __version__, logs
from cpassess.cli import _chronology, _exchange, _forms, _pdf, _records, _server
from cpassess.cli._common import CliError

AppStarter = Callable[[Path | None, bool], int]

_COMMAND_GROUPS = (_forms, _records, _pdf, _exchange, _chronology, _server)


class _Parser(argparse.ArgumentParser):
    """Mistakes on the command line are one line and exit status 1, like every other failure (DESIGN §11)."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cpassess",
        description="Neglect and GIRFEC wellbeing assessments for child protection. "
                    "With no command, starts the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"cpassess {__version__}")
    parser.add_argument("--db", type=Path, help="the database file (default: the one in your user data folder)")
    parser.add_argument("--self-test", action="store_true",
                        help="start the desktop app, show its first window, and exit (checks an installation)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in _COMMAND_GROUPS:
        group.register(commands)
    _records.register_maintenance(commands)
    return parser


def _expected_errors() -> tuple[type[Exception], ...]:
    from cpassess.casework.errors import user_errors  # the whole core: imported only once something failed

    return (CliError, *user_errors())


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def main(argv: Sequence[str] | None = None, start_app: AppStarter | None = None) -> int:
    """Run one command; with none, start the desktop app through `start_app`."""
    logs.configure()  # a command answers in one line; CPASSESS_LOG=info (or debug) shows what happened underneath
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if start_app is None:
            print("cpassess: the desktop app is not part of this installation", file=sys.stderr)
            return 1
        return start_app(args.db, args.self_test)
    try:
        result: int = args.run(args)
    except _expected_errors() as error:  # evaluated only when something was raised
        print(f"cpassess: {_one_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cpassess: interrupted", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return result
