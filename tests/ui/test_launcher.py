"""The `cpassess` program opens the window straight away when asked only for it, and leaves everything else
(commands, --help, mistakes) to the command line's parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.launcher import _app_only


@pytest.mark.parametrize(("argv", "app"), [
    ([], (None, False)),
    (["--self-test"], (None, True)),
    (["--db", "team.db"], (Path("team.db"), False)),
    (["--db=team.db", "--self-test"], (Path("team.db"), True)),
    (["--db"], None),  # a mistake: the command line's parser says so in one line
    (["--db", "--self-test"], None),
    (["--db="], None),
    (["child", "list"], None),
    (["--help"], None),
    (["--version"], None),
])
def test_only_the_apps_own_options_skip_the_command_line(argv: list[str], app: tuple[Path | None, bool] | None) -> None:
    assert _app_only(argv) == app
