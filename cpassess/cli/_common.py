"""What every command shares: the error that becomes a one-line message, and JSON output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


class CliError(Exception):
    """A failure to report as one human line, exit status 1."""


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


MAX_INPUT_BYTES = 20_000_000


def read_json_file(path: Path) -> Any:
    """A JSON document from a file (or '-' for standard input), with a clear error for anything wrong."""
    try:
        raw = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1) if str(path) == "-" else path.read_bytes()
    except OSError as error:
        raise CliError(f"{path}: cannot be read ({error.strerror})") from None
    if len(raw) > MAX_INPUT_BYTES:
        raise CliError(f"{path}: is too large (over 20 MB)")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CliError(f"{path}: is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise CliError(f"{path}: is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise CliError(f"{path}: is nested too deeply") from None
