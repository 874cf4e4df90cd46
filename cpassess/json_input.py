"""JSON arriving from outside (a file on the command line, an exchange package): read strictly, refused in one line.

Python's `json` lets the last of two equal keys win, turns a 5,000-digit number into a traceback at the next
`str()`, reads `NaN` and `Infinity`, and keeps lone surrogate escapes that cannot be stored. Here each is refused.
"""

from __future__ import annotations

import json
import math
from typing import Any

# Twenty digits hold every 64-bit integer; no answer or record needs more (JSON_SAFE_INTEGER has 16).
MAX_INTEGER_DIGITS = 20
MAX_NUMBER_CHARACTERS = 40


class JsonRefused(ValueError):
    """A JSON document that was refused; the message is one line and safe to show."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise JsonRefused(f"the key {_quoted(key)} appears twice in one object")
        document[key] = value
    return document


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        raise JsonRefused(f"a number has {digits} digits; at most {MAX_INTEGER_DIGITS} are allowed")
    return int(text)


def _decimal(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise JsonRefused(f"a number is written with {len(text)} characters; at most {MAX_NUMBER_CHARACTERS} "
                          "are allowed")
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(f"the number {text} is too large")
    return value


def _constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON value")


def _quoted(key: str) -> str:
    return repr(key if len(key) <= 40 else key[:40] + "…")


def parse_json(raw: bytes | str) -> Any:
    """One JSON document, or JsonRefused saying what is wrong (with the line and column where JSON says)."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise JsonRefused(f"is not UTF-8 text (byte {error.start})") from None
    else:
        text = raw
    try:
        document = json.loads(text, object_pairs_hook=_object, parse_int=_integer, parse_float=_decimal,
                              parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise JsonRefused(f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise JsonRefused("is nested too deeply") from None
    try:
        # A lone surrogate escape ("\ud800") decodes to a string that no file or database can hold.
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise JsonRefused("holds an escape (\\ud800 to \\udfff) that is not a character") from None
    except RecursionError:
        raise JsonRefused("is nested too deeply") from None
    return document
