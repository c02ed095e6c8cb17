"""The shipped list of the most common breached passwords (built by scripts/, never fetched)."""

import gzip
from functools import cache
from pathlib import Path

LIST_PATH = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"


@cache
def _common() -> frozenset[str]:
    with gzip.open(LIST_PATH, "rt", encoding="utf-8") as packed:
        return frozenset(line.rstrip("\n") for line in packed if line.strip())


def is_common_password(password: str) -> bool:
    """Whether the password, ignoring case and surrounding spaces, is on the list."""
    return password.strip().lower() in _common()
