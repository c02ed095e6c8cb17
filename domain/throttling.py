"""How many failed attempts are tolerated before the next one must wait.

Each tier is (failures, window in seconds), counted in moving windows. Waits grow with the
tiers and always end: nobody can lock a colleague out for good by typing their email. The
account-and-address tiers are strict; the account tier alone is loose, so an attacker needs
many addresses to keep the owner out, and one address behind a hospital proxy can hold many users.
"""

import hashlib

from domain.errors import Throttled, counted
from domain.ports import Ports

Tiers = tuple[tuple[int, int], ...]

SIGN_IN_ACCOUNT_ADDRESS: Tiers = ((5, 60), (10, 15 * 60), (20, 3600))
SIGN_IN_ACCOUNT: Tiers = ((50, 3600),)
SIGN_IN_ADDRESS: Tiers = ((50, 10 * 60), (200, 3600))
RESET_ACCOUNT: Tiers = ((3, 15 * 60), (10, 24 * 3600))
RESET_ADDRESS: Tiers = ((20, 3600),)


def sign_in_keys(email: str, address: str) -> list[tuple[str, Tiers]]:
    account = _digest(email)
    return [
        (f"sign-in:pair:{account}:{address}", SIGN_IN_ACCOUNT_ADDRESS),
        (f"sign-in:account:{account}", SIGN_IN_ACCOUNT),
        (f"sign-in:address:{address}", SIGN_IN_ADDRESS),
    ]


def reset_keys(email: str, address: str) -> list[tuple[str, Tiers]]:
    return [
        (f"reset:account:{_digest(email)}", RESET_ACCOUNT),
        (f"reset:address:{address}", RESET_ADDRESS),
    ]


async def check(ports: Ports, keys: list[tuple[str, Tiers]]) -> None:
    """Raise Throttled with the longest wait any key asks for."""
    wait = 0
    for key, tiers in keys:
        wait = max(wait, await ports.throttle.wait_seconds(key, tiers))
    if wait:
        minutes = (wait + 59) // 60
        raise Throttled(
            counted(
                "Too many attempts. Try again in %(count)s minute.",
                "Too many attempts. Try again in %(count)s minutes.",
                minutes,
            ),
            retry_after_s=wait,
        )


async def count(ports: Ports, keys: list[tuple[str, Tiers]]) -> None:
    for key, tiers in keys:
        await ports.throttle.hit(key, tiers)


async def forget(ports: Ports, keys: list[tuple[str, Tiers]]) -> None:
    for key, tiers in keys:
        await ports.throttle.clear(key, tiers)


def _digest(email: str) -> str:
    # Keys name no email in Redis; an unknown email is counted exactly like a known one.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
