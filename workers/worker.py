"""The arq worker: which tasks it runs and with what, in-process or as its own process."""

from typing import Any

from arq import Worker
from arq.connections import ArqRedis
from arq.cron import cron
from arq.worker import func

from domain.ports import Ports
from workers.imaging_pool import ImagingPool
from workers.mail import Transport
from workers.queue import QUEUE_NAME, deserialize_job, serialize_job
from workers.tasks import (
    MAX_TRIES,
    destroy_expired_photos,
    destroy_unfiled_uploads,
    process_photo,
    requeue_stale_photos,
    send_mail,
    send_password_reset,
)

JOB_TIMEOUT_S = 300
HEALTH_CHECK_INTERVAL_S = 10


def build_worker(
    ports: Ports,
    redis: ArqRedis,
    imaging: ImagingPool,
    mail_transport: Transport,
    *,
    burst: bool = False,
    handle_signals: bool = True,
) -> Worker:
    ctx: dict[str, Any] = {"ports": ports, "imaging": imaging, "mail_transport": mail_transport}
    return Worker(
        functions=(
            func(process_photo, name="process_photo", max_tries=MAX_TRIES),
            func(send_mail, name="send_mail", max_tries=8),
            func(send_password_reset, name="send_password_reset", max_tries=3),
        ),
        # The sweep every minute; destruction daily at 03:17 UTC, each photo in its own
        # transaction, so a second run (or a crash half-way) finds only what is left to do.
        cron_jobs=[
            cron(requeue_stale_photos, second=0, run_at_startup=False),
            cron(destroy_expired_photos, hour={3}, minute={17}, unique=True, run_at_startup=False),
            cron(destroy_unfiled_uploads, minute={41}, unique=True, run_at_startup=False),
        ],
        queue_name=QUEUE_NAME,
        redis_pool=redis,
        ctx=ctx,
        burst=burst,
        poll_delay=0.2 if not burst else 0,
        handle_signals=handle_signals,
        max_jobs=2,
        job_timeout=JOB_TIMEOUT_S,
        keep_result=0,
        health_check_interval=HEALTH_CHECK_INTERVAL_S,
        job_serializer=serialize_job,
        job_deserializer=deserialize_job,
        log_results=False,
    )
