"""The CHI number (DESIGN §4.1): ten digits, a real date of birth, and a modulus 11 or Luhn check digit."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from cpassess.chi import ChiError, check_chi, luhn_ok, mod11_ok


def _mod11_remainder_ten_prefix() -> str:
    """Nine digits, a real date, whose modulus 11 check would be 10 (so no check digit can satisfy it)."""
    for serial in itertools.count():
        prefix = f"010190{serial:03d}"
        total = sum(int(d) * w for d, w in zip(prefix, range(10, 1, -1), strict=True))
        if 11 - total % 11 == 10:
            return prefix
    raise AssertionError("unreachable")


def _luhn_only_number() -> str:
    """A number with a real date that passes the Luhn check but not the modulus 11 check."""
    for serial in range(1000):
        prefix = f"150317{serial:03d}"
        for check in "0123456789":
            number = prefix + check
            if luhn_ok(number) and not mod11_ok(number):
                return number
    raise AssertionError("no Luhn-only number found")


@pytest.mark.parametrize("chi", ["1904851231", "0101011237", "2902201230"])
def test_the_design_examples_are_valid(chi: str) -> None:
    assert check_chi(chi).chi == chi
    assert check_chi(chi).warnings == ()
    assert mod11_ok(chi)


def test_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ChiError, match="check digit"):
        check_chi("1904851232")


def test_an_impossible_date_is_refused() -> None:
    with pytest.raises(ChiError, match=r"32/01 is not a date"):
        check_chi("3201201234")


@pytest.mark.parametrize("chi", ["2902211234", "3104851234", "0013851234", "0000001234"])
def test_other_impossible_dates_are_refused(chi: str) -> None:
    with pytest.raises(ChiError, match="is not a date"):
        check_chi(chi)


@pytest.mark.parametrize("typed", ["190485 1231", "190-485-1231", " 1904851231 ", "19 04 85 12 31", "1904-85-1231"])
def test_spaces_and_dashes_are_accepted(typed: str) -> None:
    assert check_chi(typed).chi == "1904851231"


@pytest.mark.parametrize("typed", [
    "190485123",          # nine digits
    "19048512310",        # eleven digits
    "",
    "19O4851231",         # a capital O for a zero
    "190485123a",
    "١٩٠٤٨٥١٢٣١",         # Arabic-Indic digits
    "１９０４８５１２３１",  # full-width digits
    "190485123¹",         # a superscript one passes str.isdigit
    "1904851231\n",
    "+1904851231",
])
def test_anything_but_ten_ascii_digits_is_refused(typed: str) -> None:
    with pytest.raises(ChiError, match=r"A CHI number is ten digits\."):
        check_chi(typed)


def test_a_luhn_only_number_is_accepted() -> None:
    number = _luhn_only_number()
    assert luhn_ok(number)
    assert not mod11_ok(number)
    assert check_chi(number).chi == number


def test_a_modulus_11_remainder_of_ten_is_never_a_valid_check_digit() -> None:
    prefix = _mod11_remainder_ten_prefix()
    numbers = [prefix + digit for digit in "0123456789"]
    assert not any(mod11_ok(number) for number in numbers)
    refused = [number for number in numbers if not luhn_ok(number)]
    assert len(refused) == 9  # exactly one digit completes a Luhn number
    for number in refused:
        with pytest.raises(ChiError, match="check digit"):
            check_chi(number)


def test_check_digit_eleven_becomes_zero() -> None:
    for serial in range(1000):
        prefix = f"010101{serial:03d}"
        total = sum(int(d) * w for d, w in zip(prefix, range(10, 1, -1), strict=True))
        if total % 11 == 0:
            assert mod11_ok(prefix + "0")
            assert not any(mod11_ok(prefix + d) for d in "123456789")
            return
    raise AssertionError("no prefix with remainder 0 found")


def test_a_birth_date_mismatch_is_a_warning_not_an_error() -> None:
    result = check_chi("1904851231", date_of_birth=dt.date(1985, 4, 20))
    assert result.chi == "1904851231"
    assert len(result.warnings) == 1
    assert "190485" in result.warnings[0]
    assert "20/04/1985" in result.warnings[0]


def test_a_matching_birth_date_gives_no_warning() -> None:
    assert check_chi("1904851231", date_of_birth=dt.date(1985, 4, 19)).warnings == ()
    assert check_chi("0101011237", date_of_birth=dt.date(2001, 1, 1)).warnings == ()


def test_the_sex_digit() -> None:
    assert check_chi("1904851231").sex_digit_is_male  # 9th digit 3: odd
    assert check_chi("2902201230").sex_digit_is_male
    even = next(n for n in (f"01010100{s}{c}" for s in "02468" for c in "0123456789")
                if mod11_ok(n) or luhn_ok(n))
    assert not check_chi(even).sex_digit_is_male
