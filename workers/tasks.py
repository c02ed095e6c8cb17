"""arq tasks: thin wrappers that take ids, call a domain use case and log how it went."""

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any
from uuid import UUID

import aiosmtplib
from arq import Retry

from domain import credentials, external, photos, retention
from domain.model import Mail, PhotoStatus, Variant
from domain.photos import RenderedPhoto
from domain.ports import Ports, Rendition
from storage.crypto import KeyUnavailable
from storage.sealed_stream import TamperedBlob
from workers.imaging_pool import ImagingPool
from workers.mail import Transport

logger = logging.getLogger(__name__)

MAX_TRIES = 5
STALE_AFTER = timedelta(minutes=2)
UNREADABLE = "The stored upload could not be read back; please upload the photo again."
FAILED = "The photo could not be processed; please upload it again or contact support."


async def process_photo(ctx: dict[str, Any], photo_id: str) -> str:
    """Turn a received upload into encrypted derivatives, or reject it; safe to repeat."""
    ports: Ports = ctx["ports"]
    pool: ImagingPool = ctx["imaging"]
    started = time.monotonic()
    logger.info("photo %s processing started (try %s)", photo_id, ctx.get("job_try", 1))

    async def render(data: bytes) -> RenderedPhoto:
        if ports.phone.transport.is_sealed(data):  # from the phone app: open it first
            # In a thread (the cipher releases the GIL): in the embedded server this loop
            # also receives the next uploads, and a 12 MP envelope takes about 5 ms to open.
            data = await asyncio.to_thread(ports.phone.transport.open_sealed, data)
        return await _render(pool, data, ports.limits.max_pixels)

    try:
        status = await photos.process_photo(ports, UUID(photo_id), render)
    except (TamperedBlob, KeyUnavailable):
        logger.exception("photo %s: stored upload cannot be opened", photo_id)
        await photos.give_up(ports, UUID(photo_id), UNREADABLE)
        return PhotoStatus.REJECTED.value
    except OSError as fault:  # disk or database trouble: try again later
        if ctx.get("job_try", 1) >= MAX_TRIES:
            logger.exception("photo %s: giving up after %d tries", photo_id, MAX_TRIES)
            await photos.give_up(ports, UUID(photo_id), FAILED)
            return PhotoStatus.REJECTED.value
        logger.warning("photo %s: transient fault %s, retrying", photo_id, type(fault).__name__)
        raise Retry(defer=5 * ctx.get("job_try", 1)) from fault
    elapsed_ms = (time.monotonic() - started) * 1000
    logger.info("photo %s processing finished: %s in %.0f ms", photo_id, status.value, elapsed_ms)
    return status.value


async def requeue_stale_photos(ctx: dict[str, Any]) -> int:
    """Cron: queue photos that have waited too long (their job was lost with a Redis restart)."""
    ports: Ports = ctx["ports"]
    count = await photos.requeue_stale(ports, ports.clock() - STALE_AFTER)
    if count:
        logger.warning("re-queued %d stale photos", count)
    return count


async def destroy_expired_photos(ctx: dict[str, Any]) -> int:
    """Destroy keys and blobs of photos whose retention after withdrawal has ended."""
    ports: Ports = ctx["ports"]
    started = time.monotonic()
    logger.info("retention run started")
    destroyed = await retention.destroy_expired(ports)
    elapsed_ms = (time.monotonic() - started) * 1000
    logger.info("retention run finished: %d photos destroyed in %.0f ms", destroyed, elapsed_ms)
    return destroyed


async def destroy_unfiled_uploads(ctx: dict[str, Any]) -> int:
    """Destroy external uploads nobody filed within the set time."""
    destroyed = await external.destroy_unfiled(ctx["ports"])
    if destroyed:
        logger.info("destroyed %d unfiled external uploads", destroyed)
    return destroyed


async def send_mail(
    ctx: dict[str, Any], to: str, subject: str, body: str, about: str | None = None
) -> None:
    """Deliver one mail; transient SMTP or network faults are retried with growing delays."""
    transport: Transport = ctx["mail_transport"]
    try:
        await transport.deliver(Mail(to, subject, body, about))
    except (aiosmtplib.SMTPException, OSError) as fault:
        attempt = ctx.get("job_try", 1)
        logger.warning("mail delivery failed (%s), try %s", type(fault).__name__, attempt)
        raise Retry(defer=min(10 * 2**attempt, 600)) from fault
    logger.info("mail delivered (job %s)", ctx.get("job_id"))
    if about:
        try:
            await external.note_mailed(ctx["ports"], about)
        except Exception:  # the mail is out: never retry (and send it twice) for the note
            logger.exception("mail delivered but not noted (job %s)", ctx.get("job_id"))


async def send_password_reset(ctx: dict[str, Any], email: str) -> None:
    """Look the address up and mail a reset link if it belongs to an active user."""
    await credentials.send_reset_link(ctx["ports"], email)


async def _render(pool: ImagingPool, data: bytes, max_pixels: int) -> RenderedPhoto:
    made = await pool.make_derivatives(data, max_pixels=max_pixels)
    renditions = [
        Rendition(Variant.ORIGINAL, made.original.data, made.original.content_type),
        Rendition(Variant.PREVIEW, made.preview.data, made.preview.content_type),
        Rendition(Variant.THUMBNAIL, made.thumbnail.data, made.thumbnail.content_type),
    ]
    return RenderedPhoto(made.width, made.height, renditions)
