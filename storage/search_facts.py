"""Keeping the copies that search filters on in step with their sources.

A photo row carries its series' site and side, its patient's sex and age at capture, and the
acute flag; series_code holds each series' codes. Whatever changes a source (a new photo, an
edited series or patient, a moved photo, a merged acute patient) calls `refresh_series` in
the same transaction, so a search never sees a half-updated state.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from domain.model import PhotoStatus, Scope
from domain.search import age_at, local_day
from storage.models import ConsentRow, PatientRow, PhotoRow, SeriesCodeRow, SeriesRow

MIN_PREFIX = 2
SCOPE_BITS = {Scope.CLINICAL: 1, Scope.TEACHING: 2, Scope.RESEARCH: 4, Scope.PUBLICATION: 8}
ALL_SCOPES = sum(SCOPE_BITS.values())  # the largest mask a photo row can carry


async def refresh_series(series_ids: Iterable[UUID], connection: BaseDBAsyncClient) -> None:
    for series_id in dict.fromkeys(series_ids):
        series = await SeriesRow.get(id=series_id, using_db=connection)
        patient = await PatientRow.get(id=series.patient_id, using_db=connection)
        await (
            PhotoRow.filter(series_id=series_id)
            .using_db(connection)
            .update(
                cluster_id=series.cluster_id,
                patient_id=patient.id,
                body_site_id=series.body_site_id,
                side=series.side,
                sex=patient.sex,
                is_acute=series.is_acute,
            )
        )
        summary = await _refresh_ages(series_id, patient.birth_date, connection)
        mask = await _refresh_scopes(series, connection)
        await _refresh_codes(series, mask, summary, connection)


async def _refresh_scopes(series: SeriesRow, connection: BaseDBAsyncClient) -> int:
    active = await (
        ConsentRow.filter(series_id=series.id, withdrawn_at__isnull=True)
        .using_db(connection)
        .values_list("scope", flat=True)
    )
    mask = 0 if series.is_acute else scope_mask(Scope(str(scope)) for scope in active)
    photos = PhotoRow.filter(series_id=series.id).using_db(connection)
    await photos.filter(status=PhotoStatus.READY.value).update(search_scopes=mask)
    await photos.exclude(status=PhotoStatus.READY.value).update(search_scopes=0)
    return mask


def scope_mask(scopes: Iterable[Scope]) -> int:
    """A bit per scope; without clinical documentation nothing is searchable at all."""
    held = set(scopes)
    if Scope.CLINICAL not in held:
        return 0
    return sum(SCOPE_BITS[scope] for scope in held)


async def _refresh_ages(
    series_id: UUID, birth_date: date | None, connection: BaseDBAsyncClient
) -> "SeriesSummary":
    rows = await PhotoRow.filter(series_id=series_id).using_db(connection).values("id", "shot_at")
    by_age: dict[int | None, list[UUID]] = defaultdict(list)
    taken: list[tuple[int | None, int]] = []
    for row in rows:
        age = age_at(birth_date, local_day(row["shot_at"])) if birth_date else None
        by_age[age].append(row["id"])
        taken.append((age, row["shot_at"]))
    for age, photo_ids in by_age.items():
        await PhotoRow.filter(id__in=photo_ids).using_db(connection).update(age_years=age)
    return summarise(taken)


@dataclass(frozen=True)
class SeriesSummary:
    """The ranges of a series' photos that series_code carries (None: no photo, or no age)."""

    age_low: int | None = None
    age_high: int | None = None
    shot_low: int | None = None
    shot_high: int | None = None


def summarise(photos: Iterable[tuple[int | None, int]]) -> SeriesSummary:
    """The ranges of (age at capture, capture time) pairs of one series' photos."""
    ages, shots = [], []
    for age, shot_at in photos:
        shots.append(shot_at)
        if age is not None:
            ages.append(age)
    return SeriesSummary(
        min(ages, default=None),
        max(ages, default=None),
        min(shots, default=None),
        max(shots, default=None),
    )


async def _refresh_codes(
    series: SeriesRow, mask: int, summary: SeriesSummary, connection: BaseDBAsyncClient
) -> None:
    await SeriesCodeRow.filter(series_id=series.id).using_db(connection).delete()
    await SeriesCodeRow.bulk_create(
        [
            SeriesCodeRow(
                series_id=series.id,
                cluster_id=series.cluster_id,
                kind=kind,
                code=code,
                scopes=mask,
                **asdict(summary),
            )
            for kind, code in code_prefixes(series.diagnosis_codes, series.procedure_codes)
        ],
        using_db=connection,
    )


def code_prefixes(diagnoses: Iterable[str], procedures: Iterable[str]) -> set[tuple[str, str]]:
    """Every prefix of each code from two characters on, so a group search is an exact match
    on an index (LIKE would not use one under PostgreSQL's collations)."""
    found: set[tuple[str, str]] = set()
    for kind, codes in (("diagnosis", diagnoses), ("procedure", procedures)):
        for code in codes:
            found.update((kind, code[:end]) for end in range(MIN_PREFIX, len(code) + 1))
    return found
