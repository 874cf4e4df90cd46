"""The `cpassess` program: commands run in the core; with no command, the desktop app starts."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from cpassess.cli import main as cli_main


def _start_app(db_path: Path | None, self_test: bool) -> int:
    from ui.app import run  # Qt is imported only when the window is wanted

    return run(db_path, self_test=self_test)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, start_app=_start_app)


if __name__ == "__main__":
    sys.exit(main())
