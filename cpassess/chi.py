"""The CHI number (Community Health Index), Scotland's ten-digit health identifier (DESIGN §4.1).

DDMMYY date of birth, two serial digits, a sex digit (odd male, even female) and a check digit. The classic
check is modulus 11 (weights 10..2); some new numbers pass a Luhn (modulus 10) check instead. Either is valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CHI_LENGTH = 10


class ChiError(ValueError):
    """A CHI number that cannot be right; the message says why in plain words."""


@dataclass(frozen=True)
class ChiCheck:
    """A valid CHI number and the warnings a practitioner should see (never blocking)."""

    chi: str
    warnings: tuple[str, ...] = ()

    @property
    def sex_digit_is_male(self) -> bool:
        return int(self.chi[8]) % 2 == 1


def normalise(text: str) -> str:
    """The digits of a CHI typed with spaces or dashes (`190485 1231`, `190-485-1231`)."""
    return "".join(ch for ch in text if ch not in " -\t")


def mod11_ok(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def date_part(digits: str) -> tuple[int, int, int]:
    return int(digits[0:2]), int(digits[2:4]), int(digits[4:6])


def _possible_dates(digits: str) -> list[dt.date]:
    day, month, yy = date_part(digits)
    dates = []
    for century in (1900, 2000):
        try:
            dates.append(dt.date(century + yy, month, day))
        except ValueError:
            continue
    return dates


def check_chi(text: str, date_of_birth: dt.date | None = None) -> ChiCheck:
    """Validate a CHI number; raise ChiError when it cannot be right, warn when it disagrees with the birth date."""
    digits = normalise(text)
    if len(digits) != CHI_LENGTH or not digits.isascii() or not digits.isdigit():
        raise ChiError("A CHI number is ten digits.")
    if not _possible_dates(digits):
        day, month, _ = date_part(digits)
        raise ChiError(f"The first six digits should be a date of birth (DDMMYY); {day:02d}/{month:02d} is not a date.")
    if not (mod11_ok(digits) or luhn_ok(digits)):
        raise ChiError("The check digit does not match: please check the number for a typing mistake.")
    warnings = []
    if date_of_birth is not None and date_of_birth.strftime("%d%m%y") != digits[:6]:
        warnings.append(f"The CHI number starts {digits[:6]}, but the date of birth is "
                        f"{date_of_birth:%d/%m/%Y}: please check both.")
    return ChiCheck(digits, tuple(warnings))
