"""The end of retention: photos of a series whose clinical consent was withdrawn are kept
encrypted for the retention period after the last photo, then their keys and blobs destroyed."""

import logging
from datetime import date, datetime

from domain.audit import record
from domain.model import PhotoStatus, Series
from domain.ports import Ports

logger = logging.getLogger(__name__)


def retention_end(last_photo: datetime | None, withdrawn: datetime, years: int) -> date:
    """The day after which the photos may be destroyed."""
    start = (last_photo or withdrawn).date()
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


async def destruction_date(ports: Ports, series: Series) -> date | None:
    withdrawal = series.clinical_withdrawal
    if not series.is_withdrawn or withdrawal is None or withdrawal.withdrawn_at is None:
        return None
    last = await ports.photos.last_shot(series.id)
    return retention_end(last, withdrawal.withdrawn_at, ports.limits.retention_years)


async def destroy_expired(ports: Ports) -> int:
    """Destroy the photos whose retention has ended; returns how many; safe to run twice."""
    destroyed = 0
    today = ports.clock().date()
    for series in await ports.clinical.withdrawn_series():
        due = await destruction_date(ports, series)
        if due is None or due > today:
            continue
        for photo in await ports.photos.photos_of_series(series.id):
            if photo.status == PhotoStatus.DESTROYED:
                continue
            if await ports.photos.destroy(photo.id, ports.clock()):
                destroyed += 1
                await record(
                    ports,
                    None,
                    "photo.destroy",
                    cluster_id=series.cluster_id,
                    object_type="photo",
                    object_id=photo.id,
                )
    if destroyed:
        logger.info("retention: destroyed %d photos", destroyed)
    return destroyed
