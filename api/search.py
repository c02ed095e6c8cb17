"""Photo search and saved searches over REST: the same use cases as the portal's search page."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import PortsDep, PrincipalDep
from api.schemas import PatientOut, SeriesOut, patient_out, series_out
from domain import search
from domain.search import MAX_PAGE_SIZE, SavedSearch, SearchFilters

router = APIRouter(tags=["search"])


class SearchHitOut(BaseModel):
    series: SeriesOut
    patient: PatientOut
    photo_count: int
    photo_ids: list[UUID]
    thumbnails: list[str]


class SearchOut(BaseModel):
    total_series: int
    total_photos: int
    # True for a broad search: counting stopped at 5,000 photos, so both totals are lower
    # bounds ("1,000+ series, 5,000+ photos"); the hits and their order are still exact.
    totals_capped: bool
    page: int
    page_size: int
    page_count: int
    hits: list[SearchHitOut]


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: UUID
    name: str = Field(max_length=100)
    shared: bool = False
    filters: dict[str, str | int] = Field(max_length=20)


class SavedSearchOut(BaseModel):
    id: UUID
    cluster_id: UUID
    name: str
    shared: bool
    mine: bool
    filters: dict[str, str]


@router.get("/search")
async def search_photos(
    principal: PrincipalDep,
    ports: PortsDep,
    cluster_id: UUID,
    diagnosis: Annotated[str | None, Query(max_length=16)] = None,
    procedure: Annotated[str | None, Query(max_length=16)] = None,
    body_site: Annotated[str | None, Query(max_length=64)] = None,
    side: Annotated[str | None, Query(max_length=16)] = None,
    age_min: Annotated[int | None, Query(ge=0, le=130)] = None,
    age_max: Annotated[int | None, Query(ge=0, le=130)] = None,
    sex: Annotated[str | None, Query(max_length=10)] = None,
    phase: Annotated[str | None, Query(max_length=32)] = None,
    view: Annotated[str | None, Query(max_length=64)] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    captured_by: UUID | None = None,
    scope: Annotated[str | None, Query(max_length=32)] = None,
    saved: UUID | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> SearchOut:
    """Series with matching photos, newest first; `saved` runs a saved search instead."""
    filters = SearchFilters(
        diagnosis, procedure, body_site, side, age_min, age_max, sex, phase, view,
        date_from, date_to, captured_by, scope,
    )  # fmt: skip
    if saved is not None:
        filters = (await search.get_saved_search(ports, principal, saved)).filters
    result = await search.search_photos(ports, principal, cluster_id, filters, page, page_size)
    return SearchOut(
        total_series=result.total_series,
        total_photos=result.total_photos,
        totals_capped=result.totals_capped,
        page=result.page,
        page_size=result.page_size,
        page_count=result.page_count,
        hits=[
            SearchHitOut(
                series=series_out(item.series),
                patient=patient_out(item.patient),
                photo_count=item.hit.photo_count,
                photo_ids=list(item.hit.photo_ids),
                thumbnails=[f"/api/v1/photos/{p}/thumbnail" for p in item.hit.photo_ids],
            )
            for item in result.items
        ],
    )


@router.get("/saved-searches")
async def list_saved(
    principal: PrincipalDep, ports: PortsDep, cluster_id: UUID
) -> list[SavedSearchOut]:
    found = await search.saved_searches(ports, principal, cluster_id)
    return [_saved_out(s, principal.user.id) for s in found]


@router.post("/saved-searches", status_code=201)
async def save(body: SavedSearchIn, principal: PrincipalDep, ports: PortsDep) -> SavedSearchOut:
    filters = search.filters_from_mapping(body.filters)
    saved = await search.save_search(
        ports, principal, body.cluster_id, body.name, filters, shared=body.shared
    )
    return _saved_out(saved, principal.user.id)


@router.delete("/saved-searches/{search_id}", status_code=204)
async def delete(search_id: UUID, principal: PrincipalDep, ports: PortsDep) -> None:
    await search.delete_saved_search(ports, principal, search_id)


def _saved_out(saved: SavedSearch, user_id: UUID) -> SavedSearchOut:
    return SavedSearchOut(
        id=saved.id,
        cluster_id=saved.cluster_id,
        name=saved.name,
        shared=saved.is_shared,
        mine=saved.owner_id == user_id,
        filters=search.filters_to_mapping(saved.filters),
    )
