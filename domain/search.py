"""Finding photos across the cluster's series: filters, paging, and saved searches.

A search always runs inside one cluster, only for roles that may see photos, and only over
series holding active consent for clinical documentation (and for the scope asked for, e.g.
teaching). Storage evaluates every condition in SQL, so a withdrawal counts at once.
Acute (unidentified) patients never appear here: they have their own list.
"""

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.audit import record
from domain.errors import InvalidInput, NotFound, NotPermitted, worded
from domain.model import Patient, Principal, Scope, Series, Sex
from domain.policy import Action, has_photo_consent, may_see_series, require
from domain.ports import Ports

# Capture dates and ages are counted in the clinic's calendar.
LOCAL_ZONE = ZoneInfo("Europe/Copenhagen")
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
THUMBNAILS_PER_HIT = 4
MAX_AGE = 130
MAX_SEARCH_NAME = 100
# Storage counts the matches of a search up to this many photos; past it the totals are
# lower bounds (series shown as at most SERIES_COUNT_CAP), so a broad search costs no more
# than a narrow one. The page itself is always exact.
PHOTO_COUNT_CAP = 5_000
SERIES_COUNT_CAP = 1_000


@dataclass(frozen=True)
class SearchFilters:
    """What a user asks for; every field is optional and they combine with AND."""

    diagnosis: str | None = None  # an SKS/ICD-10 code or group: "DC437", "C43", "C43.7"
    procedure: str | None = None  # an NCSP code or its prefix: "KQAE", "KQAE00"
    body_site: str | None = None  # includes its sub-sites
    side: str | None = None
    age_min: int | None = None  # age at capture in whole years, inclusive
    age_max: int | None = None
    sex: str | None = None
    phase: str | None = None
    view: str | None = None
    date_from: date | None = None  # capture date, inclusive, in the clinic's calendar
    date_to: date | None = None
    captured_by: UUID | None = None
    scope: str | None = None  # a consent scope the series must also hold, e.g. teaching

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(frozen=True)
class PhotoQuery:
    """Checked filters as storage runs them; `scopes` always holds clinical documentation."""

    cluster_id: UUID
    scopes: tuple[Scope, ...]
    diagnosis_prefix: str | None = None
    procedure_prefix: str | None = None
    body_site_ids: frozenset[str] | None = None
    side: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    sex: str | None = None
    phase: str | None = None
    view_id: str | None = None
    shot_from: int | None = None  # epoch seconds, inclusive
    shot_until: int | None = None  # epoch seconds, exclusive
    captured_by: UUID | None = None


@dataclass(frozen=True)
class SeriesHit:
    series_id: UUID
    photo_count: int
    last_shot_at: int
    photo_ids: tuple[UUID, ...]  # the newest few matching photos, for thumbnails


@dataclass(frozen=True)
class HitPage:
    total_series: int
    total_photos: int
    hits: tuple[SeriesHit, ...]
    # True when the search matched more photos than storage counts (PHOTO_COUNT_CAP): the
    # totals are then lower bounds ("1,000+ series, 5,000+ photos"), the page still exact.
    totals_capped: bool = False


@dataclass(frozen=True)
class SearchItem:
    series: Series
    patient: Patient
    hit: SeriesHit


@dataclass(frozen=True)
class SearchResult:
    total_series: int
    total_photos: int
    page: int
    page_size: int
    items: tuple[SearchItem, ...]
    totals_capped: bool = False  # the totals are lower bounds: "at least" this many

    @property
    def page_count(self) -> int:
        counted = max(1, -(-self.total_series // self.page_size))
        if not self.totals_capped:
            return counted
        # Lower bounds: past the counted pages, a full page promises one more.
        return max(counted, self.page + 1 if len(self.items) == self.page_size else self.page)


@dataclass(frozen=True)
class SavedSearch:
    id: UUID
    cluster_id: UUID
    owner_id: UUID
    name: str
    filters: SearchFilters
    is_shared: bool
    created_at: datetime


async def search_photos(
    ports: Ports,
    principal: Principal,
    cluster_id: UUID,
    filters: SearchFilters,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SearchResult:
    """One page of matching series with their matching photo counts; names of that page only."""
    require(principal, Action.VIEW_PHOTOS, cluster_id, what="cluster")
    query = build_query(ports, cluster_id, filters)
    page, page_size = max(1, page), min(max(1, page_size), MAX_PAGE_SIZE)
    found = await ports.search.find(query, (page - 1) * page_size, page_size)
    items = await _items(ports, principal, found.hits, query.scopes)
    await record(ports, principal, "search.run", cluster_id=cluster_id, object_type="search")
    return SearchResult(
        found.total_series, found.total_photos, page, page_size, items, found.totals_capped
    )


async def _items(
    ports: Ports, principal: Principal, hits: tuple[SeriesHit, ...], scopes: tuple[Scope, ...]
) -> tuple[SearchItem, ...]:
    found = await ports.clinical.series_by_ids([hit.series_id for hit in hits])
    # Storage already applied these; checking again costs little on one page.
    shown = {
        series.id: series
        for series in found.values()
        if may_see_series(principal, series)
        and all(has_photo_consent(series, scope) for scope in scopes)
    }
    patients = await ports.clinical.patients_by_ids([s.patient_id for s in shown.values()])
    return tuple(
        SearchItem(series, patients[series.patient_id], hit)
        for hit in hits
        if (series := shown.get(hit.series_id)) is not None and series.patient_id in patients
    )


def build_query(ports: Ports, cluster_id: UUID, filters: SearchFilters) -> PhotoQuery:
    """Check every filter against the taxonomy; raises InvalidInput naming the field."""
    taxonomy = ports.taxonomy
    _check_ages(filters)
    _check_dates(filters)
    return PhotoQuery(
        cluster_id=cluster_id,
        scopes=_scopes(filters.scope),
        diagnosis_prefix=_code_prefix(filters.diagnosis, "D", "diagnosis"),
        procedure_prefix=_code_prefix(filters.procedure, "K", "procedure"),
        body_site_ids=taxonomy.subtree(filters.body_site) if filters.body_site else None,
        side=_side(filters.side),
        age_min=filters.age_min,
        age_max=filters.age_max,
        sex=_sex(filters.sex),
        phase=taxonomy.phase(filters.phase).id if filters.phase else None,
        view_id=taxonomy.view(filters.view).id if filters.view else None,
        shot_from=_day_start(filters.date_from) if filters.date_from else None,
        shot_until=_day_start(filters.date_to + timedelta(days=1)) if filters.date_to else None,
        captured_by=filters.captured_by,
    )


def age_at(birth_date: date, day: date) -> int:
    """Whole years of age on a day."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def local_day(epoch_seconds: int) -> date:
    return datetime.fromtimestamp(epoch_seconds, LOCAL_ZONE).date()


def _day_start(day: date) -> int:
    return int(datetime.combine(day, time(), LOCAL_ZONE).astimezone(UTC).timestamp())


def _code_prefix(value: str | None, letter: str, field: str) -> str | None:
    if value is None:
        return None
    code = value.strip().upper().replace(".", "").replace(" ", "")
    if not code.isalnum() or not 2 <= len(code) <= 16:
        raise InvalidInput(f"Enter a {field} code or the start of one, e.g. C43.", field=field)
    return code if code.startswith(letter) else letter + code


def _scopes(scope: str | None) -> tuple[Scope, ...]:
    if scope is None or scope == Scope.CLINICAL.value:
        return (Scope.CLINICAL,)
    try:
        return (Scope.CLINICAL, Scope(scope))
    except ValueError:
        raise InvalidInput("Unknown consent scope.", field="scope") from None


def _side(side: str | None) -> str | None:
    if side is None:
        return None
    if side not in ("left", "right", "bilateral", "midline"):
        raise InvalidInput("Side is left, right, bilateral or midline.", field="side")
    return side


def _sex(sex: str | None) -> str | None:
    if sex is None:
        return None
    try:
        return Sex(sex).value
    except ValueError:
        raise InvalidInput("Sex is female or male.", field="sex") from None


def _check_ages(filters: SearchFilters) -> None:
    for value in (filters.age_min, filters.age_max):
        if value is not None and not 0 <= value <= MAX_AGE:
            raise InvalidInput(
                worded("An age is between 0 and %(most)s years.", most=MAX_AGE), "age"
            )
    low, high = filters.age_min, filters.age_max
    if low is not None and high is not None and low > high:
        raise InvalidInput("The lowest age is above the highest.", field="age")


def _check_dates(filters: SearchFilters) -> None:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInput("The first date is after the last.", field="date")


# Saved searches: a name and the filters, private or shared with the cluster.


async def save_search(
    ports: Ports,
    principal: Principal,
    cluster_id: UUID,
    name: str,
    filters: SearchFilters,
    *,
    shared: bool,
) -> SavedSearch:
    """Keep the filters under a name; raises InvalidInput for a bad name or bad filters."""
    require(principal, Action.VIEW_PHOTOS, cluster_id, what="cluster")
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= MAX_SEARCH_NAME:
        raise InvalidInput("Give the search a name of up to 100 characters.", field="name")
    if filters.is_empty():
        raise InvalidInput("Choose at least one filter before saving the search.", field="filters")
    build_query(ports, cluster_id, filters)
    saved = SavedSearch(
        uuid.uuid4(), cluster_id, principal.user.id, cleaned, filters, shared, ports.clock()
    )
    await ports.search.save(saved)
    await record(
        ports,
        principal,
        "search.save",
        cluster_id=cluster_id,
        object_type="saved_search",
        object_id=saved.id,
    )
    return saved


async def saved_searches(ports: Ports, principal: Principal, cluster_id: UUID) -> list[SavedSearch]:
    """The member's own searches and those shared in the cluster."""
    require(principal, Action.VIEW_PHOTOS, cluster_id, what="cluster")
    return await ports.search.saved(cluster_id, principal.user.id)


async def get_saved_search(ports: Ports, principal: Principal, search_id: UUID) -> SavedSearch:
    saved = await ports.search.get_saved(search_id)
    if saved is None:
        raise NotFound("No such saved search.")
    require(principal, Action.VIEW_PHOTOS, saved.cluster_id, what="saved search")
    if not saved.is_shared and saved.owner_id != principal.user.id:
        raise NotFound("No such saved search.")
    return saved


async def delete_saved_search(ports: Ports, principal: Principal, search_id: UUID) -> None:
    saved = await get_saved_search(ports, principal, search_id)
    if saved.owner_id != principal.user.id:
        raise NotPermitted("Only the member who saved a search may delete it.")
    await ports.search.delete_saved(search_id)
    await record(
        ports,
        principal,
        "search.delete",
        cluster_id=saved.cluster_id,
        object_type="saved_search",
        object_id=search_id,
    )


# Filters travel as flat text mappings: API query strings, saved-search JSON, page URLs.


def filters_from_mapping(values: Mapping[str, object]) -> SearchFilters:
    """Filters from text values; unknown keys are ignored, malformed ones raise InvalidInput."""
    parsed: dict[str, Any] = {}
    for item in fields(SearchFilters):
        raw = values.get(item.name)
        if raw is None or str(raw).strip() == "":
            continue
        parsed[item.name] = _parse_value(item.name, str(raw).strip())
    return SearchFilters(**parsed)


def filters_to_mapping(filters: SearchFilters) -> dict[str, str]:
    return {k: str(v) for k, v in asdict(filters).items() if v is not None}


def _parse_value(name: str, raw: str) -> object:
    try:
        if name in ("age_min", "age_max"):
            return int(raw)
        if name in ("date_from", "date_to"):
            return date.fromisoformat(raw)
        if name == "captured_by":
            return UUID(raw)
    except ValueError:
        raise InvalidInput(f"The value for {name} is not valid.", field=name) from None
    return raw
