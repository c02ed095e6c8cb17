from datetime import date

import pytest

from domain.cpr import parse_cpr
from domain.errors import InvalidInput
from domain.model import Sex


@pytest.mark.parametrize(
    ("text", "born"),
    [
        ("010190-1235", date(1990, 1, 1)),  # 7th digit 1: 1900s
        ("0101904235", date(1990, 1, 1)),  # 4, year 90: 1900s
        ("010107-4235", date(2007, 1, 1)),  # 4, year 07: 2000s
        ("010160-5235", date(1860, 1, 1)),  # 5, year 60: 1800s
        ("010120-6235", date(2020, 1, 1)),  # 6, year 20: 2000s
        ("010137-9235", date(1937, 1, 1)),  # 9, year 37: 1900s
        ("010120-9235", date(2020, 1, 1)),  # 9, year 20: 2000s
        ("291299-9001", date(1999, 12, 29)),  # 9, year 99: 1900s
    ],
)
def test_century_follows_from_seventh_digit_and_year(text, born):
    cpr = parse_cpr(text, today=date(2026, 12, 4))

    assert cpr.birth_date == born


def test_birth_in_2036_is_in_the_future_and_refused():
    with pytest.raises(InvalidInput, match="future"):
        parse_cpr("010136-4235", today=date(2026, 12, 4))


def test_last_digit_parity_gives_sex():
    assert parse_cpr("010190-1235").sex == Sex.MALE
    assert parse_cpr("010190-1234").sex == Sex.FEMALE


def test_modulus_11_is_not_required():
    # 010190-1230 fails modulus 11 but numbers issued since 2007 may do so.
    assert parse_cpr("010190-1230").digits == "0101901230"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12345", "10 digits"),
        ("010190-12a5", "10 digits"),
        ("310290-1235", "date"),
        ("011390-1235", "date"),
    ],
)
def test_invalid_cpr_says_what_is_wrong(text, message):
    with pytest.raises(InvalidInput, match=message) as raised:
        parse_cpr(text)

    assert raised.value.field == "cpr"


def test_masked_and_repr_never_show_the_serial():
    cpr = parse_cpr("010190-1235")

    assert cpr.masked == "010190-XXXX"
    assert "1235" not in repr(cpr)
    assert "1235" not in f"{cpr!r}"
