"""What text a record may hold: the patterns for one-line fields and narratives, and what broke them, named.

Besides control characters, both refuse the invisible characters that change how text is shown without being seen:
the bidirectional controls (a right-to-left override can make a name on a PDF read differently from what is stored)
and the zero-width characters (two names that look the same would be different names).
"""

from __future__ import annotations

import re
import unicodedata

HIDDEN_CHARACTERS = {
    "\u202a": "a left-to-right embedding",
    "\u202b": "a right-to-left embedding",
    "\u202c": "a pop directional formatting",
    "\u202d": "a left-to-right override",
    "\u202e": "a right-to-left override",
    "\u2066": "a left-to-right isolate",
    "\u2067": "a right-to-left isolate",
    "\u2068": "a first strong isolate",
    "\u2069": "a pop directional isolate",
    "\u200e": "a left-to-right mark",
    "\u200f": "a right-to-left mark",
    "\u061c": "an Arabic letter mark",
    "\u200b": "a zero-width space",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u2060": "a word joiner",
    "\ufeff": "a zero-width no-break space (byte order mark)",
}
_HIDDEN = "".join(sorted(HIDDEN_CHARACTERS))

# Tabs and line breaks are the only control characters a practitioner's narrative may hold.
NARRATIVE = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f" + _HIDDEN + "]*$"
ONE_LINE = "^[^\\x00-\\x1f\\x7f" + _HIDDEN + "]*$"
NARRATIVE_BREAKS = "\t\n\r"


def character_problem(text: str, *, narrative: bool) -> str:
    """The sentence for text that a pattern above refused: which character, and where in a long text."""
    for position, character in enumerate(text, start=1):
        name = HIDDEN_CHARACTERS.get(character)
        code = f"U+{ord(character):04X}"
        where = f", at character {position}" if narrative else ""
        if name is not None:
            return f"contains {name} ({code}), an invisible character that changes how text is shown{where}"
        if narrative and character in NARRATIVE_BREAKS:
            continue
        if character in NARRATIVE_BREAKS:
            return "must be a single line, without tabs or line breaks"
        if unicodedata.category(character) == "Cc":
            return f"contains a control character ({code}){where}"
    return "contains characters that cannot be stored"


_UNSHOWABLE = re.compile("[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029" + _HIDDEN + "]")


def shown_on_one_line(text: str) -> str:
    """Text for an error message: line breaks, control and invisible characters written as escapes (\\n, \\u202e)."""
    return _UNSHOWABLE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)
