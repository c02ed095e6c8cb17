"""The composition root: builds the ports from settings and runs the services a process needs.

The embedded default starts a private redis-server and runs the arq worker in this process;
the scaled mode connects to SUTURA_REDIS_URL and leaves the work to `main.py worker`. Command
line tools (create-admin, keys, audit) open only the database and never touch the queue.
"""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from arq import Worker, create_pool
from arq.connections import ArqRedis

from domain.model import Mail
from domain.ports import JobQueue, Limits, PhoneApp, Ports, QueueUnavailable
from domain.taxonomy import load_taxonomy
from settings import Settings
from storage import passwords
from storage.accounts import AccountRepository
from storage.audit_log import AuditRepository
from storage.blob_store import BlobStore, remove_abandoned_parts
from storage.clinical import ClinicalRepository
from storage.common_passwords import is_common_password
from storage.crypto import load_keyring, load_lookup_key
from storage.data_dir import DataDirectoryLock, secure_data_directory
from storage.database import close_database, open_database
from storage.devices import DeviceRepository
from storage.external import ExternalInviteRepository
from storage.invitations import InvitationRepository, PasswordResetRepository
from storage.passkeys import WebAuthnCeremony
from storage.photo_store import PhotoRepository
from storage.search import SearchRepository
from storage.throttle import RedisThrottle
from storage.transport_key import load_transport_key
from workers.embedded_redis import EmbeddedRedis
from workers.imaging_pool import ImagingPool
from workers.mail import MailDirectoryTransport, SmtpSettings, SmtpTransport, Transport
from workers.queue import ArqMailer, ArqQueue, deserialize_job, redis_settings, serialize_job
from workers.worker import build_worker

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class NoQueue:
    """Queue, mailer and throttle of a command-line tool: it has none, and says so if used."""

    async def enqueue_photo(self, photo_id: UUID) -> None:
        raise QueueUnavailable("this command runs without the job queue")

    async def enqueue_password_reset(self, email: str) -> None:
        raise QueueUnavailable("this command runs without the job queue")

    async def send(self, mail: Mail) -> None:
        raise QueueUnavailable("this command runs without the job queue")

    async def wait_seconds(self, key: str, tiers: Sequence[tuple[int, int]]) -> int:
        raise QueueUnavailable("this command runs without Redis")

    async def hit(self, key: str, tiers: Sequence[tuple[int, int]]) -> None:
        raise QueueUnavailable("this command runs without Redis")

    async def clear(self, key: str, tiers: Sequence[tuple[int, int]]) -> None:
        raise QueueUnavailable("this command runs without Redis")


@dataclass
class Runtime:
    settings: Settings
    ports: Ports
    redis: ArqRedis | None = None
    queue: ArqQueue | None = None
    throttle: RedisThrottle | None = None
    embedded_redis: EmbeddedRedis | None = None
    lock: DataDirectoryLock | None = None
    imaging: ImagingPool | None = None
    worker: Worker | None = None
    _worker_task: asyncio.Task[None] | None = field(default=None, repr=False)

    async def requeue_unfinished(self) -> int:
        """Queue again every photo received but not yet processed (after a crash or restart)."""
        unfinished = await self.ports.photos.unfinished()
        for photo_id in unfinished:
            await self.ports.queue.enqueue_photo(photo_id)
        return len(unfinished)

    def start_worker(self, *, burst: bool = False) -> Worker:
        if self.redis is None:
            raise RuntimeError("a worker needs the job queue; start the runtime with it")
        if self.imaging is None:
            self.imaging = ImagingPool()
        self.worker = build_worker(
            self.ports,
            self.redis,
            self.imaging,
            mail_transport(self.settings),
            burst=burst,
            handle_signals=False,
        )
        self._worker_task = asyncio.get_running_loop().create_task(self.worker.async_run())
        self._worker_task.add_done_callback(_report_worker_end)
        return self.worker

    async def wait_for_worker(self) -> None:
        if self._worker_task is not None:
            await self._worker_task

    async def stop(self) -> None:
        """Stop everything that was started, each step even if an earlier one failed."""
        steps = [
            self._stop_worker,
            self._close_redis,
            self._close_imaging,
            close_database,
            self._stop_embedded_redis,
        ]
        for step in steps:
            try:
                await step()
            except Exception:
                logger.exception("shutdown step %s failed", step.__name__)

    async def _stop_worker(self) -> None:
        if self.worker is not None:
            await self.worker.close()
        if self._worker_task is not None and not self._worker_task.done():
            self._worker_task.cancel()
            await asyncio.gather(self._worker_task, return_exceptions=True)

    async def _close_redis(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        if self.throttle is not None:
            await self.throttle.close()

    async def _close_imaging(self) -> None:
        if self.imaging is not None:
            self.imaging.close()

    async def _stop_embedded_redis(self) -> None:
        if self.embedded_redis is not None:
            self.embedded_redis.stop()
        if self.lock is not None:
            self.lock.release()


def _report_worker_end(task: "asyncio.Task[None]") -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        logger.error("the in-process worker stopped: %r; photos wait until restart", error)


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


def build_ports(
    settings: Settings, queue: JobQueue, throttle: RedisThrottle | None = None
) -> Ports:
    keyring = load_keyring(settings.master_keys, settings.key_dir)
    lookup = load_lookup_key(settings.lookup_key, settings.key_dir)
    blobs = BlobStore(settings.blob_dir, keyring)
    return Ports(
        accounts=AccountRepository(),
        clinical=ClinicalRepository(keyring, lookup),
        photos=PhotoRepository(blobs, utc_now),
        audit=AuditRepository(),
        queue=queue,
        invitations=InvitationRepository(),
        external=ExternalInviteRepository(),
        resets=PasswordResetRepository(),
        throttle=throttle if throttle is not None else NoQueue(),
        mailer=ArqMailer(queue) if isinstance(queue, ArqQueue) else NoQueue(),
        is_common_password=is_common_password,
        taxonomy=load_taxonomy(),
        limits=Limits(
            max_upload_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_pixels,
            session_idle_minutes=settings.session_idle_minutes,
            session_absolute_hours=settings.session_absolute_hours,
            retention_years=settings.retention_years,
            acute_warning_days=settings.acute_warning_days,
            public_url=settings.public_url,
            external_link_days=settings.external_link_days,
            external_max_files=settings.external_max_files,
            external_max_bytes=settings.external_max_bytes,
            external_unfiled_days=settings.external_unfiled_days,
        ),
        hash_password=passwords.hash_password,
        verify_password=passwords.verify_password,
        clock=utc_now,
        phone=PhoneApp(
            devices=DeviceRepository(),
            passkeys=WebAuthnCeremony(settings.public_url),
            transport=load_transport_key(settings.key_dir, keyring),
        ),
        search=SearchRepository(),
    )


async def start_runtime(settings: Settings, *, with_queue: bool = True) -> Runtime:
    """Open the database and, with the queue, Redis: the private one when no URL is set."""
    secure_data_directory(settings.data_dir)
    if not with_queue:
        await open_database(settings.database_url)
        return Runtime(settings, build_ports(settings, NoQueue()))
    runtime = Runtime(settings, build_ports(settings, NoQueue()))
    try:
        redis_url = _start_redis(runtime)
        await open_database(settings.database_url)
        runtime.redis = await create_pool(
            redis_settings(redis_url),
            job_serializer=serialize_job,
            job_deserializer=deserialize_job,
        )
    except BaseException:
        await runtime.stop()
        raise
    runtime.queue = ArqQueue(runtime.redis)
    runtime.throttle = RedisThrottle(redis_url)
    runtime.ports = build_ports(settings, runtime.queue, runtime.throttle)
    if runtime.lock is not None:  # sole owner of the blob store: no upload is in flight
        remove_abandoned_parts(settings.blob_dir)
    return runtime


def _start_redis(runtime: Runtime) -> str:
    settings = runtime.settings
    if settings.redis_url is not None:
        return settings.redis_url
    # One server per data directory: a second would take the first one's Redis socket away.
    runtime.lock = DataDirectoryLock(settings.data_dir / "run" / "sutura.lock")
    runtime.lock.acquire()
    runtime.embedded_redis = EmbeddedRedis(settings.embedded_redis_socket)
    runtime.embedded_redis.start()
    return runtime.embedded_redis.url
