"""The arq job queue as the domain sees it: photo ids in, JSON on the wire (never pickle)."""

import json
from typing import Any
from uuid import UUID

from arq.connections import ArqRedis, RedisSettings
from redis.exceptions import RedisError

from domain.model import Mail
from domain.ports import QueueUnavailable

QUEUE_NAME = "sutura:jobs"


def serialize_job(job: dict[str, Any]) -> bytes:
    return json.dumps(job, separators=(",", ":")).encode()


def deserialize_job(data: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(data)
    return loaded


def redis_settings(redis_url: str) -> RedisSettings:
    """From redis://host:port/db or unix:///path/to/socket."""
    if redis_url.startswith("unix://"):
        return RedisSettings(unix_socket_path=redis_url.removeprefix("unix://"))
    return RedisSettings.from_dsn(redis_url)


class ArqQueue:
    def __init__(self, redis: ArqRedis) -> None:
        self._redis = redis

    async def enqueue_photo(self, photo_id: UUID) -> None:
        # The job id makes a second enqueue of a still-queued photo a no-op.
        try:
            await self._redis.enqueue_job(
                "process_photo",
                str(photo_id),
                _job_id=f"photo:{photo_id}",
                _queue_name=QUEUE_NAME,
            )
        except (RedisError, OSError) as error:
            raise QueueUnavailable(str(error)) from error

    async def send_mail(self, mail: Mail) -> None:
        # NOTE: unlike other jobs a mail job carries its text: a link's token exists nowhere
        # else (the database keeps only its hash). Redis is private and arq drops the job
        # once done (keep_result=0); the embedded Redis never writes to disk.
        await self._redis.enqueue_job(
            "send_mail", mail.to, mail.subject, mail.body, mail.about, _queue_name=QUEUE_NAME
        )

    async def enqueue_password_reset(self, email: str) -> None:
        await self._redis.enqueue_job("send_password_reset", email, _queue_name=QUEUE_NAME)

    async def is_worker_alive(self) -> bool:
        return bool(await self._redis.exists(f"{QUEUE_NAME}:health-check"))


class ArqMailer:
    """The domain's mailer: every mail is an arq job, delivered (and retried) by a worker."""

    def __init__(self, queue: ArqQueue) -> None:
        self._queue = queue

    async def send(self, mail: Mail) -> None:
        await self._queue.send_mail(mail)
