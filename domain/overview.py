"""What the dashboard and "my series" show: recent series, the member's own, work in progress."""

from dataclasses import dataclass
from uuid import UUID

from domain.model import Patient, Principal, Series
from domain.policy import Action, can, may_see_series, require
from domain.ports import Ports

RECENT_LIMIT = 12
MY_SERIES_LIMIT = 200


@dataclass(frozen=True)
class SeriesEntry:
    series: Series
    patient: Patient
    photo_count: int | None  # None: photos are not shown to this member


@dataclass(frozen=True)
class PendingWork:
    """Photos not yet ready. The phone outbox and external uploads add their counts here."""

    processing: int
    # NOTE: the phone outbox (issue 3) and external uploads (issue 6) are not built; their
    # counts belong in these fields once they exist.
    outbox: int | None = None
    external_uploads: int | None = None


async def recent_series(
    ports: Ports, principal: Principal, cluster_id: UUID, limit: int = RECENT_LIMIT
) -> list[SeriesEntry]:
    """The cluster's newest series this member may see."""
    require(principal, Action.VIEW_PATIENTS, cluster_id, what="cluster")
    found = await ports.clinical.recent_series(cluster_id, limit * 2)
    return (await _entries(ports, principal, found))[:limit]


async def my_series(ports: Ports, principal: Principal, cluster_id: UUID) -> list[SeriesEntry]:
    """Series I created or photographed in, newest first."""
    require(principal, Action.VIEW_PATIENTS, cluster_id, what="cluster")
    me = principal.user.id
    created = await ports.clinical.recent_series(cluster_id, MY_SERIES_LIMIT, created_by=me)
    known = {series.id for series in created}
    photographed = []
    for series_id in await ports.clinical.series_photographed_by(cluster_id, me):
        if series_id not in known and (found := await ports.clinical.get_series(series_id)):
            photographed.append(found)
    every = sorted(created + photographed, key=lambda s: s.created_at, reverse=True)
    return await _entries(ports, principal, [s for s in every if not s.is_acute])


async def pending_work(ports: Ports, principal: Principal, cluster_id: UUID) -> PendingWork:
    require(principal, Action.VIEW_PATIENTS, cluster_id, what="cluster")
    return PendingWork(processing=await ports.photos.unfinished_count(cluster_id))


async def _entries(ports: Ports, principal: Principal, found: list[Series]) -> list[SeriesEntry]:
    visible = [series for series in found if may_see_series(principal, series)]
    counts = await ports.photos.photo_counts([series.id for series in visible])
    may_count = {s.id: can(principal, Action.VIEW_PHOTOS, s.cluster_id) for s in visible}
    patients = await ports.clinical.patients_by_ids([s.patient_id for s in visible])
    return [
        SeriesEntry(series, patient, counts.get(series.id, 0) if may_count[series.id] else None)
        for series in visible
        if (patient := patients.get(series.patient_id)) is not None
    ]
