"""Search against a brute-force filter of the same random data, on SQLite and PostgreSQL."""

import random
import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from tortoise.transactions import in_transaction

from bench.search_data import Dataset, Generator
from domain import search
from domain.errors import InvalidInput, NotPermitted
from domain.model import PhotoStatus, Principal, Role, Scope, User
from domain.search import SearchFilters, build_query, local_day
from storage import search as storage_search
from storage.crypto import load_keyring
from storage.search_facts import refresh_series

SEARCHES = 50


def member(cluster_id, role=Role.CLINICIAN):
    user = User(uuid.uuid4(), "bench@example.org", "Bench", False, True)
    return Principal(user, "session", {cluster_id: role})


def random_filters(rng: random.Random, runtime, data: Dataset) -> SearchFilters:
    taxonomy = runtime.ports.taxonomy
    series = rng.choice(list(data.series.values()))
    photo = rng.choice(data.photos)
    choices = {
        "diagnosis": lambda: rng.choice(series.diagnoses)[: rng.randint(3, 5)],
        "procedure": lambda: rng.choice(series.procedures)[:4] if series.procedures else None,
        "body_site": lambda: rng.choice(["head", "face", "trunk", series.body_site_id]),
        "side": lambda: rng.choice(["left", "right", "bilateral"]),
        "age_min": lambda: rng.randint(0, 60),
        "age_max": lambda: rng.randint(60, 100),
        "sex": lambda: rng.choice(["female", "male"]),
        "phase": lambda: rng.choice(sorted(taxonomy.phases)),
        "view": lambda: photo.view_id,
        "date_from": lambda: date(2016, 1, 1) + timedelta(days=rng.randrange(3000)),
        "captured_by": lambda: photo.captured_by,
        "scope": lambda: rng.choice([s.value for s in Scope]),
    }
    picked = {name: make() for name, make in rng.sample(sorted(choices.items()), rng.randint(1, 4))}
    if "date_from" in picked:
        picked["date_to"] = picked["date_from"] + timedelta(days=rng.randrange(30, 900))
    return SearchFilters(**picked)


def brute_force(
    runtime, data: Dataset, cluster_id, filters: SearchFilters
) -> list[tuple[object, int]]:
    query = build_query(runtime.ports, cluster_id, filters)
    matched: dict[object, tuple[int, int]] = {}
    for photo in data.photos:
        series = data.series[photo.series_id]
        if _matches(query, photo, series):
            count, last = matched.get(series.id, (0, 0))
            matched[series.id] = (count + 1, max(last, photo.shot_at))
    ordered = sorted(matched.items(), key=lambda item: (-item[1][1], str(item[0])))
    return [(series_id, count) for series_id, (count, _) in ordered]


def _matches(query, photo, series) -> bool:
    if photo.cluster_id != query.cluster_id or photo.status != PhotoStatus.READY:
        return False
    if series.is_acute or not set(query.scopes) <= series.active_scopes:
        return False
    checks = [
        (query.diagnosis_prefix, lambda p: any(c.startswith(p) for c in series.diagnoses)),
        (query.procedure_prefix, lambda p: any(c.startswith(p) for c in series.procedures)),
        (query.body_site_ids, lambda ids: series.body_site_id in ids),
        (query.side, lambda side: series.side == side),
        (query.sex, lambda sex: photo.sex == sex),
        (query.phase, lambda phase: photo.phase == phase),
        (query.view_id, lambda view: photo.view_id == view),
        (query.age_min, lambda low: photo.age_years is not None and photo.age_years >= low),
        (query.age_max, lambda high: photo.age_years is not None and photo.age_years <= high),
        (query.shot_from, lambda start: photo.shot_at >= start),
        (query.shot_until, lambda end: photo.shot_at < end),
        (query.captured_by, lambda user: photo.captured_by == user),
    ]
    return all(value is None or test(value) for value, test in checks)


async def every_page(runtime, principal, cluster_id, filters, page_size=40):
    found, page = [], 1
    while True:
        result = await search.search_photos(
            runtime.ports, principal, cluster_id, filters, page, page_size
        )
        found += [(item.series.id, item.hit.photo_count) for item in result.items]
        if page >= result.page_count:
            return found, result
        page += 1


async def generated(runtime) -> Dataset:
    keyring = load_keyring(runtime.settings.master_keys, runtime.settings.key_dir)
    generator = Generator(runtime.ports.taxonomy, keyring, seed=11)
    return await generator.generate(patients=700, photos=3500, clusters=2, users=6, keep=True)


async def test_every_search_matches_a_brute_force_filter(any_runtime):
    data = await generated(any_runtime)
    cluster_id = data.clusters[0]
    principal = member(cluster_id)
    rng = random.Random(5)  # noqa: S311 (test data)

    outcomes = []
    for _ in range(SEARCHES):
        filters = random_filters(rng, any_runtime, data)
        expected = brute_force(any_runtime, data, cluster_id, filters)
        found, result = await every_page(any_runtime, principal, cluster_id, filters)
        outcomes.append((filters, expected, found, result))

    for filters, expected, found, result in outcomes:
        assert found == expected, filters
        assert result.total_series == len(expected), filters
        assert result.total_photos == sum(count for _, count in expected), filters
    assert sum(1 for _, expected, _, _ in outcomes if expected) > SEARCHES // 3


async def test_search_results_carry_the_page_of_patients_and_thumbnails(runtime):
    data = await generated(runtime)
    cluster_id = data.clusters[0]

    result = await search.search_photos(
        runtime.ports, member(cluster_id), cluster_id, SearchFilters(phase="pre_op"), 1, 5
    )

    assert len(result.items) == 5
    for item in result.items:
        assert item.patient.id == item.series.patient_id and item.patient.name
        assert 1 <= len(item.hit.photo_ids) <= min(4, item.hit.photo_count)
        assert {p.series_id for p in data.photos if p.id in item.hit.photo_ids} == {item.series.id}


async def test_secretaries_and_strangers_cannot_search(runtime):
    cluster_id = uuid.uuid4()

    with pytest.raises(NotPermitted):
        await search.search_photos(
            runtime.ports, member(cluster_id, Role.SECRETARY), cluster_id, SearchFilters(sex="male")
        )
    with pytest.raises(InvalidInput):
        await search.search_photos(
            runtime.ports, member(cluster_id), cluster_id, SearchFilters(age_min=50, age_max=20)
        )


async def test_broad_searches_count_up_to_the_cap_and_still_page_exactly(any_runtime, monkeypatch):
    # Small caps, so that this data has broad searches: their totals become lower bounds,
    # while every page (read to the end) still equals the brute-force order and counts.
    monkeypatch.setattr(storage_search, "PHOTO_COUNT_CAP", 60)
    monkeypatch.setattr(storage_search, "SERIES_COUNT_CAP", 25)
    data = await generated(any_runtime)
    cluster_id = data.clusters[0]
    principal = member(cluster_id)
    rng = random.Random(8)  # noqa: S311 (test data)

    outcomes = []
    for n in range(SEARCHES):
        filters = random_filters(rng, any_runtime, data) if n else SearchFilters(sex="female")
        expected = brute_force(any_runtime, data, cluster_id, filters)
        found, result = await every_page(any_runtime, principal, cluster_id, filters, 7)
        first = await search.search_photos(any_runtime.ports, principal, cluster_id, filters, 1, 7)
        outcomes.append((filters, expected, found, first, result))

    for filters, expected, found, first, result in outcomes:
        assert found == expected, filters
        photos = sum(count for _, count in expected)
        if photos > 60:
            assert first.totals_capped and first.total_photos == 60, filters
            assert 1 <= first.total_series <= min(25, len(expected)), filters
            assert first.page_count >= 2 and result.page == result.page_count, filters
        else:
            assert not first.totals_capped, filters
            assert (first.total_series, first.total_photos) == (len(expected), photos), filters
    assert sum(1 for _, _, _, first, _ in outcomes if first.totals_capped) > SEARCHES // 10
    assert sum(1 for _, _, _, first, _ in outcomes if not first.totals_capped) > SEARCHES // 10


async def test_code_searches_with_narrow_ranges_miss_no_series(any_runtime):
    # A code search skips series whose age and capture-time ranges (series_code) miss the
    # asked ones. Rewrite those ranges the way every change does, then ask for a code with a
    # window around one photo's age or day: the skipping must never lose a match.
    data = await generated(any_runtime)
    cluster_id = data.clusters[0]
    rng = random.Random(13)  # noqa: S311 (test data)
    ready = [p for p in data.photos if p.cluster_id == cluster_id and p.age_years is not None]
    anchors = rng.sample(ready, 30)
    async with in_transaction() as connection:
        await refresh_series({photo.series_id for photo in anchors}, connection)

    outcomes = []
    for n, photo in enumerate(anchors):
        series = data.series[photo.series_id]
        procedure = rng.choice(series.procedures)[:3] if series.procedures and n % 3 == 0 else None
        filters = SearchFilters(diagnosis=rng.choice(series.diagnoses)[:4], procedure=procedure)
        age, day = photo.age_years or 0, local_day(photo.shot_at)
        if n % 2:
            filters = replace(filters, age_min=age, age_max=age + rng.randint(0, 3))
        else:
            filters = replace(filters, date_from=day, date_to=day + timedelta(rng.randint(0, 20)))
        expected = brute_force(any_runtime, data, cluster_id, filters)
        found, _ = await every_page(any_runtime, member(cluster_id), cluster_id, filters)
        outcomes.append((filters, expected, found, photo))

    for filters, expected, found, _ in outcomes:
        assert found == expected, filters
    # The anchors themselves match whenever they are searchable at all.
    searchable = [o for o in outcomes if o[3].status == PhotoStatus.READY and o[2]]
    assert len(searchable) >= 10
    assert all(o[3].series_id in {series_id for series_id, _ in o[2]} for o in searchable)
