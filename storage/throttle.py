"""Failure counting in Redis through the `limits` library: moving windows, several tiers per key."""

import time
from collections.abc import Sequence

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

NAMESPACE = "sutura-throttle"


def limits_uri(redis_url: str) -> str:
    """The `limits` storage address for a redis:// or unix:// Redis URL."""
    if redis_url.startswith("unix://"):
        return "async+redis+unix://" + redis_url.removeprefix("unix://")
    return "async+" + redis_url


class RedisThrottle:
    def __init__(self, redis_url: str) -> None:
        # Our own pool, so that stopping the runtime closes its connections.
        self._pool = ConnectionPool.from_url(redis_url)
        self._storage = RedisStorage(
            limits_uri(redis_url),
            implementation="redispy",
            key_prefix=NAMESPACE,
            connection_pool=self._pool,  # type: ignore[arg-type]
        )
        self._limiter = MovingWindowRateLimiter(self._storage)

    async def close(self) -> None:
        await self._pool.disconnect()

    async def wait_seconds(self, key: str, tiers: Sequence[tuple[int, int]]) -> int:
        """Seconds until another attempt is allowed under every tier; 0 when it is now."""
        wait = 0.0
        for item in _items(tiers):
            if await self._limiter.test(item, key):
                continue
            stats = await self._limiter.get_window_stats(item, key)
            wait = max(wait, stats.reset_time - time.time())
        return max(int(wait + 0.999), 1) if wait > 0 else 0

    async def hit(self, key: str, tiers: Sequence[tuple[int, int]]) -> None:
        for item in _items(tiers):
            await self._limiter.hit(item, key)

    async def clear(self, key: str, tiers: Sequence[tuple[int, int]]) -> None:
        for item in _items(tiers):
            await self._limiter.clear(item, key)


def _items(tiers: Sequence[tuple[int, int]]) -> list[RateLimitItemPerSecond]:
    return [RateLimitItemPerSecond(attempts, seconds, NAMESPACE) for attempts, seconds in tiers]
