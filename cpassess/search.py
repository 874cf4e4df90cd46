"""What search-as-you-type compares: text folded so that accents, case and punctuation never stop a match.

"Łukasz Wróblewski", "LUKASZ wroblewski" and "wroblewski, lukasz" all fold to the same words. A child's key is
folded once, when the record is stored (the `search` column of `children`); only the typed text is folded per
keystroke.
"""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark (NFKD leaves them whole), written as
# someone without the key on their keyboard would type them. Keys are lower case: text is case-folded first.
_UNDECOMPOSED = str.maketrans({
    "ł": "l", "đ": "d", "ð": "d", "ø": "o", "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t", "ƀ": "b", "ɨ": "i", "ʉ": "u",
    "þ": "th", "æ": "ae", "œ": "oe", "ĳ": "ij", "ŋ": "n", "ſ": "s",
})
# Apostrophes join the letters either side (O'Neill is typed "oneill" as often as "o'neill").
_APOSTROPHES = frozenset("'’ʼ‘`´")


def fold(text: str) -> str:
    """`text` as search compares it: case-folded, accents and other marks removed, letters NFKD leaves whole
    (ł, ø, æ, ...) spelt out, punctuation turned into spaces; the words joined by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSED))
    kept = []
    for character in decomposed:
        kind = unicodedata.category(character)[0]
        if kind in "LN":
            kept.append(character)
        elif kind != "M":  # marks are dropped; everything else separates words
            kept.append(" ")
    return " ".join("".join(kept).split())


def child_key(given_names: str, family_name: str, known_as: str = "", chi: str | None = None) -> str:
    """A child's search key: their folded names, known-as and CHI; a name written with an apostrophe or hyphen
    ("O'Neill", "Mac an t-Saoir") also appears joined up, so "oneill" finds it as well as "o'neill" and "neill"."""
    words: list[str] = []
    for part in (given_names, family_name, known_as, chi or ""):
        folded = fold(part)
        if not folded:
            continue
        words.append(folded)
        for written in part.split():
            joined = fold("".join(c for c in written if c not in _APOSTROPHES)).replace(" ", "")
            if joined and joined not in folded.split():
                words.append(joined)
    return " ".join(words)
