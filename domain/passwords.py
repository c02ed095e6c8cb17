"""What makes an acceptable password (NIST SP 800-63B): length, not breached, not the email.

Passwords are normalised to Unicode NFKC before checking and hashing, so the same password
typed on another keyboard or system still matches; they are never truncated.
"""

import unicodedata

from domain.errors import InvalidInput, Wording, worded
from domain.ports import Ports

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_password_rules(ports: Ports, password: str, email: str = "") -> str:
    """The normalised password; raises InvalidInput (field "password") saying what is wrong."""
    password = normalise_password(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise _refused(
            worded("A password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise _refused(
            worded("A password may have at most %(count)s characters.", count=MAX_PASSWORD_LENGTH)
        )
    if len(set(password)) == 1:
        raise _refused("A password of one repeated character is too easy to guess.")
    if email and password.strip().lower() in {email.lower(), email.split("@")[0].lower()}:
        raise _refused("The password may not be your email address.")
    if ports.is_common_password(password):
        raise _refused("This password is among the most common leaked passwords. Choose another.")
    return password


def _refused(message: str | Wording) -> InvalidInput:
    return InvalidInput(message, field="password")
