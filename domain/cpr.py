"""Danish CPR numbers: DDMMYY-SSSS, with the century in the 7th digit and sex in the 10th.

Modulus-11 is deliberately not checked: numbers issued since 2007 may fail it.
"""

import re
from dataclasses import dataclass
from datetime import date

from domain.errors import InvalidInput
from domain.model import Sex

_FORMAT = re.compile(r"^([0-9]{6})-?([0-9]{4})$", re.ASCII)


@dataclass(frozen=True)
class Cpr:
    digits: str  # ten digits, no dash

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"

    @property
    def masked(self) -> str:
        return f"{self.digits[:6]}-XXXX"

    @property
    def birth_date(self) -> date:
        return _birth_date(self.digits)

    @property
    def sex(self) -> Sex:
        return Sex.MALE if int(self.digits[9]) % 2 else Sex.FEMALE

    def __repr__(self) -> str:
        return f"Cpr({self.masked})"


def parse_cpr(text: str, *, today: date | None = None) -> Cpr:
    """Parse and check a CPR number; raises InvalidInput saying what is wrong."""
    match = _FORMAT.match(text.strip().replace(" ", ""))
    if match is None:
        raise InvalidInput("A CPR number has 10 digits, written DDMMYY-SSSS.", field="cpr")
    cpr = Cpr(match.group(1) + match.group(2))
    try:
        born = cpr.birth_date
    except ValueError:
        raise InvalidInput(
            "The first six digits of a CPR number must be a date (DDMMYY).", field="cpr"
        ) from None
    if born > (today or date.today()):  # noqa: DTZ011 (a birth date is a local calendar date)
        raise InvalidInput("This CPR number gives a birth date in the future.", field="cpr")
    return cpr


def _birth_date(digits: str) -> date:
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    return date(_century(int(digits[6]), year) + year, month, day)


def _century(seventh: int, year: int) -> int:
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if year <= 36 else 1900
    return 2000 if year <= 57 else 1800
