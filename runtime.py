"""The composition root: builds the ports from settings and runs the services a process needs.

The embedded default starts a private redis-server and runs the arq worker in this process;
the scaled mode connects to SUTURA_REDIS_URL and leaves the work to `main.py worker`.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from arq import Worker, create_pool
from arq.connections import ArqRedis

from domain.ports import Limits, Ports
from domain.taxonomy import load_taxonomy
from settings import Settings
from storage import passwords
from storage.accounts import AccountRepository
from storage.audit_log import AuditRepository
from storage.blob_store import BlobStore
from storage.clinical import ClinicalRepository
from storage.common_passwords import is_common_password
from storage.crypto import load_keyring, load_lookup_key
from storage.database import close_database, open_database
from storage.invitations import InvitationRepository, PasswordResetRepository
from storage.photo_store import PhotoRepository
from storage.throttle import RedisThrottle
from workers.embedded_redis import EmbeddedRedis
from workers.imaging_pool import ImagingPool
from workers.mail import MailDirectoryTransport, SmtpSettings, SmtpTransport, Transport
from workers.queue import ArqMailer, ArqQueue, deserialize_job, redis_settings, serialize_job
from workers.worker import build_worker

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    ports: Ports
    redis: ArqRedis
    queue: ArqQueue
    imaging: ImagingPool
    throttle: RedisThrottle
    embedded_redis: EmbeddedRedis | None = None
    worker: Worker | None = None
    _worker_task: asyncio.Task[None] | None = field(default=None, repr=False)

    async def requeue_unfinished(self) -> int:
        """Queue again every photo received but not yet processed (after a crash or restart)."""
        unfinished = await self.ports.photos.unfinished()
        for photo_id in unfinished:
            await self.queue.enqueue_photo(photo_id)
        return len(unfinished)

    def start_worker(self, *, burst: bool = False) -> Worker:
        self.worker = build_worker(
            self.ports,
            self.redis,
            self.imaging,
            mail_transport(self.settings),
            burst=burst,
            handle_signals=False,
        )
        self._worker_task = asyncio.get_running_loop().create_task(self.worker.async_run())
        return self.worker

    async def wait_for_worker(self) -> None:
        if self._worker_task is not None:
            await self._worker_task

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.close()
        if self._worker_task is not None:
            self._worker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker_task
        await self.redis.aclose()
        await self.throttle.close()
        self.imaging.close()
        await close_database()
        if self.embedded_redis is not None:
            self.embedded_redis.stop()


def mail_transport(settings: Settings) -> Transport:
    if settings.smtp_host is None:
        return MailDirectoryTransport(settings.mail_dir, settings.mail_from)
    smtp = SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=settings.smtp_password,
        sender=settings.mail_from,
    )
    return SmtpTransport(smtp)


def build_ports(settings: Settings, queue: ArqQueue, throttle: RedisThrottle) -> Ports:
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    keyring = load_keyring(settings.master_keys, settings.key_dir)
    lookup = load_lookup_key(settings.lookup_key, settings.key_dir)
    blobs = BlobStore(settings.blob_dir, keyring)
    blobs.remove_abandoned_parts()
    return Ports(
        accounts=AccountRepository(),
        clinical=ClinicalRepository(keyring, lookup),
        photos=PhotoRepository(blobs, utc_now),
        audit=AuditRepository(),
        queue=queue,
        invitations=InvitationRepository(),
        resets=PasswordResetRepository(),
        throttle=throttle,
        mailer=ArqMailer(queue),
        is_common_password=is_common_password,
        taxonomy=load_taxonomy(),
        limits=Limits(
            max_upload_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_pixels,
            session_idle_minutes=settings.session_idle_minutes,
            session_absolute_hours=settings.session_absolute_hours,
            public_url=settings.public_url,
        ),
        hash_password=passwords.hash_password,
        verify_password=passwords.verify_password,
        clock=utc_now,
    )


async def start_runtime(settings: Settings) -> Runtime:
    """Open the database and the queue; start the embedded redis-server when no URL is set."""
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    embedded = None
    redis_url = settings.redis_url
    if redis_url is None:
        embedded = EmbeddedRedis(settings.embedded_redis_socket)
        embedded.start()
        redis_url = embedded.url
    try:
        await open_database(settings.database_url)
        redis = await create_pool(
            redis_settings(redis_url),
            job_serializer=serialize_job,
            job_deserializer=deserialize_job,
        )
    except BaseException:
        if embedded is not None:
            embedded.stop()
        raise
    queue = ArqQueue(redis)
    throttle = RedisThrottle(redis_url)
    ports = build_ports(settings, queue, throttle)
    return Runtime(settings, ports, redis, queue, ImagingPool(), throttle, embedded)
