"""arq tasks: thin wrappers that take ids, call a domain use case and log how it went."""

import logging
import time
from typing import Any
from uuid import UUID

import aiosmtplib
from arq import Retry

from domain import credentials, photos
from domain.errors import InvalidImage
from domain.model import Mail, Variant
from domain.photos import RenderedPhoto
from domain.ports import Ports, Rendition
from storage.crypto import KeyUnavailable
from storage.sealed_stream import TamperedBlob
from workers.imaging_pool import ImagingPool
from workers.mail import Transport

logger = logging.getLogger(__name__)


async def process_photo(ctx: dict[str, Any], photo_id: str) -> str:
    """Turn a received upload into encrypted derivatives, or reject it; safe to repeat."""
    ports: Ports = ctx["ports"]
    pool: ImagingPool = ctx["imaging"]
    started = time.monotonic()
    logger.info("photo %s processing started (try %s)", photo_id, ctx.get("job_try", 1))

    async def render(data: bytes) -> RenderedPhoto:
        return await _render(pool, data, ports.limits.max_pixels)

    try:
        status = await photos.process_photo(ports, UUID(photo_id), render)
    except (TamperedBlob, KeyUnavailable):
        logger.exception("photo %s: stored upload cannot be opened", photo_id)
        raise
    except OSError as fault:  # disk or database trouble: try again later
        logger.warning("photo %s: transient fault %s, retrying", photo_id, type(fault).__name__)
        raise Retry(defer=5 * ctx.get("job_try", 1)) from fault
    elapsed_ms = (time.monotonic() - started) * 1000
    logger.info("photo %s processing finished: %s in %.0f ms", photo_id, status.value, elapsed_ms)
    return status.value


async def send_mail(ctx: dict[str, Any], to: str, subject: str, body: str) -> None:
    """Deliver one mail; transient SMTP or network faults are retried with growing delays."""
    transport: Transport = ctx["mail_transport"]
    try:
        await transport.deliver(Mail(to, subject, body))
    except (aiosmtplib.SMTPException, OSError) as fault:
        attempt = ctx.get("job_try", 1)
        logger.warning("mail delivery failed (%s), try %s", type(fault).__name__, attempt)
        raise Retry(defer=min(10 * 2**attempt, 600)) from fault
    logger.info("mail delivered (job %s)", ctx.get("job_id"))


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


__all__ = ["InvalidImage", "process_photo", "send_mail", "send_password_reset"]
