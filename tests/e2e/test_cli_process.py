"""The console script as a real process: what a shell sees (exit status, stdout, stderr), and a command line that
loads only what the command asked for needs."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import Cli, Team, cpassess_command

# Builds the whole parser, as every command does before it runs, and lists the core modules that were loaded.
PARSER_ONLY = """
import json, sys
from cpassess.cli import build_parser
build_parser().parse_args(["assessment", "submit", "--as", "prac", "--id", "x"])
print(json.dumps(sorted(name for name in sys.modules if name.startswith("cpassess"))))
"""


def test_version_help_and_a_mistake_exit_as_promised(process_cli: Cli) -> None:
    version = process_cli("--version")
    assert (version.returncode, version.stderr) == (0, "") and version.stdout.startswith("cpassess ")
    helped = process_cli("assessment", "--help")
    assert helped.returncode == 0 and "submit" in helped.stdout
    mistake = process_cli("assessment", "sumbit")
    assert (mistake.returncode, mistake.stdout) == (1, "")
    assert mistake.stderr.startswith("cpassess assessment: argument ACTION: invalid choice: 'sumbit'")
    assert mistake.stderr.endswith("(see cpassess assessment --help)\n") and len(mistake.stderr.splitlines()) == 1


def test_a_command_answers_on_stdout_and_a_refusal_on_stderr(team: Team, process_cli: Cli) -> None:
    listed = process_cli.ok("user", "list", "--db", team.db, "--as", "lead", "--json",
                            passwords=(team.passwords["lead"],))
    assert [user["username"] for user in json.loads(listed.stdout)] == ["lead", "prac", "lead2"]
    refused = process_cli.refused("user", "list", "--db", team.db, "--as", "lead", passwords=("wrong",))
    assert (refused.stdout, refused.stderr) == ("", "cpassess: The username or password is not right.\n")


def test_reading_the_command_line_loads_no_forms_engine_casework_or_database() -> None:
    result = subprocess.run([sys.executable, "-c", PARSER_ONLY], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert "cpassess.cli._records" in loaded
    assert not loaded & {"cpassess.forms", "cpassess.casework", "cpassess.session", "cpassess.storage",
                         "cpassess.export"}, sorted(loaded)
    assert cpassess_command()  # the same installation the other tests run
