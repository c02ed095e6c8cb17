"""Sign-in timing: a known email with a wrong password against an unknown email (real argon2,
real SQLite and Redis). Prints medians and the difference; tests never assert on time."""

import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain import accounts
from domain.errors import DomainError
from domain.model import Client
from domain.ports import Ports
from runtime import start_runtime
from settings import load_settings

ROUNDS = 21


async def timed(ports: Ports, email: str, round_: int) -> float:
    started = time.perf_counter()
    # A new client address each round, so throttling never answers instead.
    with contextlib.suppress(DomainError):
        await accounts.sign_in(ports, email, "wrong password 123", Client(f"10.0.{round_}.1"))
    return (time.perf_counter() - started) * 1000


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings({"SUTURA_DATA_DIR": folder})
        runtime = await start_runtime(replace(settings))
        try:
            await accounts.create_admin(
                runtime.ports, "known@example.org", "bench passphrase 1", None
            )
            known, unknown = [], []
            for round_ in range(ROUNDS):
                known.append(await timed(runtime.ports, "known@example.org", round_))
                unknown.append(await timed(runtime.ports, "nobody@example.org", round_ + 100))
        finally:
            await runtime.stop()
    k, u = statistics.median(known[1:]), statistics.median(unknown[1:])
    print(
        f"sign-in, wrong password, median of {ROUNDS - 1}: known email {k:.1f} ms, "
        f"unknown email {u:.1f} ms, difference {k - u:+.1f} ms ({(k - u) / u * 100:+.1f}%)"
    )


if __name__ == "__main__":
    asyncio.run(main())
