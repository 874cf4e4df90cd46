"""The `cpassess` program: commands run in the core; with no command, the desktop app starts."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def _start_app(db_path: Path | None, self_test: bool) -> int:
    from ui.app import run  # Qt is imported only when the window is wanted

    return run(db_path, self_test=self_test)


def _app_only(argv: Sequence[str]) -> tuple[Path | None, bool] | None:
    """(database, self-test) when the command line only starts the app (`--db PATH`, `--self-test`), else None.

    The window then opens without loading argparse and the command line's dozens of commands (a tenth of a
    second of start-up); anything else, mistakes included, goes to the command line's own parser.
    """
    database, self_test, rest = None, False, list(argv)
    while rest:
        argument = rest.pop(0)
        if argument == "--self-test":
            self_test = True
        elif argument == "--db" and rest and not rest[0].startswith("-"):
            database = Path(rest.pop(0))
        elif argument.startswith("--db=") and len(argument) > len("--db="):
            database = Path(argument.removeprefix("--db="))
        else:
            return None
    return database, self_test


def main(argv: Sequence[str] | None = None) -> int:
    app = _app_only(sys.argv[1:] if argv is None else argv)
    if app is not None:
        from cpassess import logs

        logs.configure()
        return _start_app(*app)
    from cpassess.cli import main as cli_main

    return cli_main(argv, start_app=_start_app)


if __name__ == "__main__":
    sys.exit(main())
