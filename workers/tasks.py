"""arq tasks: thin wrappers that take ids, call a domain use case and log how it went."""

import logging
import time
from typing import Any
from uuid import UUID

from arq import Retry

from domain import photos, retention
from domain.errors import InvalidImage
from domain.model import Variant
from domain.photos import RenderedPhoto
from domain.ports import Ports, Rendition
from storage.crypto import KeyUnavailable
from storage.sealed_stream import TamperedBlob
from workers.imaging_pool import ImagingPool

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


async def destroy_expired_photos(ctx: dict[str, Any]) -> int:
    """Destroy keys and blobs of photos whose retention after withdrawal has ended."""
    ports: Ports = ctx["ports"]
    started = time.monotonic()
    logger.info("retention run started")
    destroyed = await retention.destroy_expired(ports)
    elapsed_ms = (time.monotonic() - started) * 1000
    logger.info("retention run finished: %d photos destroyed in %.0f ms", destroyed, elapsed_ms)
    return destroyed


async def _render(pool: ImagingPool, data: bytes, max_pixels: int) -> RenderedPhoto:
    made = await pool.make_derivatives(data, max_pixels=max_pixels)
    renditions = [
        Rendition(Variant.ORIGINAL, made.original.data, made.original.content_type),
        Rendition(Variant.PREVIEW, made.preview.data, made.preview.content_type),
        Rendition(Variant.THUMBNAIL, made.thumbnail.data, made.thumbnail.content_type),
    ]
    return RenderedPhoto(made.width, made.height, renditions)


__all__ = ["InvalidImage", "destroy_expired_photos", "process_photo"]
