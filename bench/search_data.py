"""Random patients, series, consents and photos written straight into the tables, fast.

Used by bench/search.py (100,000 patients, 1,000,000 photos) and by the search tests (a few
thousand, compared against a brute-force filter of the same data kept in memory). Rows go in
with executemany on SQLite and COPY on PostgreSQL; names are sealed like the real ones.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise import connections

from domain.model import PhotoStatus, Scope, Sex
from domain.search import age_at, local_day
from domain.taxonomy import Taxonomy
from storage.crypto import Keyring
from storage.search_facts import code_prefixes, scope_mask, summarise

EPOCH_START = int(datetime(2015, 1, 1, tzinfo=UTC).timestamp())
EPOCH_END = int(datetime(2026, 11, 30, tzinfo=UTC).timestamp())
FIRST_NAMES = ("Anna", "Karen", "Mette", "Søren", "Jens", "Peter", "Ida", "Freja", "Lars", "Ole")
LAST_NAMES = ("Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Larsen", "Sørensen")
SCOPE_ODDS = {Scope.TEACHING: 0.4, Scope.RESEARCH: 0.25, Scope.PUBLICATION: 0.1}
PHOTO_STATUS_ODDS = ((PhotoStatus.READY, 0.97), (PhotoStatus.PROCESSING, 0.02))


@dataclass
class FakeSeries:
    id: UUID
    patient_id: UUID
    cluster_id: UUID
    body_site_id: str
    side: str | None
    diagnoses: tuple[str, ...]
    procedures: tuple[str, ...]
    is_acute: bool
    active_scopes: set[Scope] = field(default_factory=set)


@dataclass
class FakePhoto:
    id: UUID
    series_id: UUID
    cluster_id: UUID
    phase: str
    view_id: str
    shot_at: int
    captured_by: UUID
    status: PhotoStatus
    age_years: int | None
    sex: str | None


@dataclass
class Dataset:
    clusters: list[UUID]
    users: list[UUID]
    series: dict[UUID, FakeSeries] = field(default_factory=dict)
    photos: list[FakePhoto] = field(default_factory=list)


class Generator:
    def __init__(self, taxonomy: Taxonomy, keyring: Keyring, seed: int = 7) -> None:
        self.taxonomy = taxonomy
        self.keyring = keyring
        self.rng = random.Random(seed)
        self.sites = sorted(taxonomy.body_sites.values(), key=lambda s: s.sort_order)
        self.diagnoses = sorted(taxonomy.diagnoses)
        self.procedures = sorted(
            c for c, p in taxonomy.procedures.items() if not p.is_supplementary
        )
        self.phases = sorted(taxonomy.phases)
        self.views = sorted(taxonomy.views)

    async def generate(
        self, patients: int, photos: int, clusters: int = 2, users: int = 40, *, keep: bool
    ) -> Dataset:
        """Write the rows; `keep` holds them in memory too (for brute-force comparisons)."""
        data = Dataset(
            [uuid.uuid4() for _ in range(clusters)], [uuid.uuid4() for _ in range(users)]
        )
        writer = _Writer()
        await self._clusters_and_users(data, writer)
        series_per_patient = 2
        photos_per_series = max(1, photos // (patients * series_per_patient))
        for start in range(0, patients, 5000):
            for _ in range(min(5000, patients - start)):
                self._patient(data, writer, series_per_patient, photos_per_series, keep=keep)
            await writer.flush()
        return data

    async def _clusters_and_users(self, data: Dataset, writer: _Writer) -> None:
        now = datetime.now(UTC)
        for n, cluster_id in enumerate(data.clusters):
            writer.add("cluster", {"id": cluster_id, "name": f"Bench {n} {cluster_id.hex[:6]}",
                                   "created_at": now})  # fmt: skip
        for n, user_id in enumerate(data.users):
            writer.add(
                "user_account",
                {
                    "id": user_id,
                    "email": f"bench-{user_id.hex[:10]}@example.org",
                    "display_name": f"Clinician {n}",
                    "password_hash": "!",
                    "is_system_admin": False,
                    "is_active": True,
                    "language": None,
                    "created_at": now,
                },
            )
        await writer.flush()

    def _patient(
        self, data: Dataset, writer: _Writer, series_count: int, photo_count: int, *, keep: bool
    ) -> None:
        rng = self.rng
        patient_id = uuid.uuid4()
        cluster_id = data.clusters[0] if rng.random() < 0.8 else rng.choice(data.clusters)
        is_acute = rng.random() < 0.02
        born = None if is_acute else date(1930, 1, 1) + timedelta(days=rng.randrange(33000))
        sex = None if is_acute else rng.choice((Sex.FEMALE, Sex.MALE)).value
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        created = datetime.fromtimestamp(rng.randrange(EPOCH_START, EPOCH_END), UTC)
        writer.add(
            "patient",
            {
                "id": patient_id,
                "cluster_id": cluster_id,
                "name_sealed": self.keyring.seal_text(name, f"patient.name:{patient_id}"),
                "cpr_sealed": None,
                "cpr_lookup": None,
                "birth_date": born,
                "sex": sex,
                "created_by_id": rng.choice(data.users),
                "created_at": created,
                "is_acute": is_acute,
                "merged_into_id": None,
                "identified_at": None,
            },
        )
        for _ in range(rng.randint(1, 2 * series_count - 1)):
            series = self._series(patient_id, cluster_id, is_acute, created, data, writer)
            if keep:
                data.series[series.id] = series
            photos = [
                self._photo(series, born, sex, created, data, writer)
                for _ in range(rng.randint(1, 2 * photo_count - 1))
            ]
            if keep:
                data.photos.extend(photos)
            self._codes(series, photos, writer)

    def _series(
        self,
        patient_id: UUID,
        cluster_id: UUID,
        is_acute: bool,
        created: datetime,
        data: Dataset,
        writer: _Writer,
    ) -> FakeSeries:
        rng = self.rng
        site = rng.choice(self.sites)
        side = rng.choice(("left", "right", "bilateral")) if site.has_sides else None
        diagnoses = tuple(sorted(set(rng.sample(self.diagnoses, rng.randint(1, 2)))))
        procedures = tuple(sorted(set(rng.sample(self.procedures, rng.randint(0, 2)))))
        series = FakeSeries(
            uuid.uuid4(), patient_id, cluster_id, site.id, side, diagnoses, procedures, is_acute
        )
        writer.add(
            "series",
            {
                "id": series.id,
                "patient_id": patient_id,
                "cluster_id": cluster_id,
                "body_site_id": site.id,
                "side": side,
                "diagnosis_codes": json.dumps(list(diagnoses)),
                "procedure_codes": json.dumps(list(procedures)),
                "title": None,
                "created_by_id": rng.choice(data.users),
                "created_at": created,
                "is_acute": is_acute,
            },
        )
        self._consents(series, created, data, writer)
        return series

    def _codes(self, series: FakeSeries, photos: list[FakePhoto], writer: _Writer) -> None:
        """The series' code rows with their summaries, as storage/search_facts.py keeps them."""
        mask = 0 if series.is_acute else scope_mask(series.active_scopes)
        summary = asdict(summarise((photo.age_years, photo.shot_at) for photo in photos))
        for kind, code in sorted(code_prefixes(series.diagnoses, series.procedures)):
            row = {"series_id": series.id, "cluster_id": series.cluster_id, "kind": kind}
            writer.add("series_code", {**row, "code": code, "scopes": mask, **summary})

    def _consents(
        self, series: FakeSeries, created: datetime, data: Dataset, writer: _Writer
    ) -> None:
        rng = self.rng
        if series.is_acute or rng.random() < 0.03:
            return
        wanted = [Scope.CLINICAL] + [s for s, odds in SCOPE_ODDS.items() if rng.random() < odds]
        for scope in wanted:
            withdrawn = rng.random() < 0.05
            if not withdrawn:
                series.active_scopes.add(scope)
            writer.add(
                "consent",
                {
                    "id": uuid.uuid4(),
                    "series_id": series.id,
                    "scope": scope.value,
                    "given_by": "patient",
                    "method": "verbal",
                    "recorded_by_id": rng.choice(data.users),
                    "recorded_at": created,
                    "withdrawn_at": created + timedelta(days=30) if withdrawn else None,
                    "withdrawn_by_id": rng.choice(data.users) if withdrawn else None,
                    "withdrawal_reason": "Patient asked by email" if withdrawn else None,
                    "withdrawal_channel": "email" if withdrawn else None,
                },
            )

    def _photo(
        self,
        series: FakeSeries,
        born: date | None,
        sex: str | None,
        created: datetime,
        data: Dataset,
        writer: _Writer,
    ) -> FakePhoto:
        rng = self.rng
        shot_at = int(created.timestamp()) + rng.randrange(0, 2 * 365 * 86400)
        status = PhotoStatus.REJECTED
        draw = rng.random()
        for candidate, odds in PHOTO_STATUS_ODDS:
            if draw < odds:
                status = candidate
                break
            draw -= odds
        photo = FakePhoto(
            uuid.uuid4(),
            series.id,
            series.cluster_id,
            rng.choice(self.phases),
            rng.choice(self.views),
            shot_at,
            rng.choice(data.users),
            status,
            age_at(born, local_day(shot_at)) if born else None,
            sex,
        )
        shot = datetime.fromtimestamp(shot_at, UTC)
        writer.add(
            "photo",
            {
                "id": photo.id,
                "series_id": series.id,
                "cluster_id": series.cluster_id,
                "phase": photo.phase,
                "view_id": photo.view_id,
                "captured_at": shot,
                "received_at": shot,
                "captured_by_id": photo.captured_by,
                "client_id": str(photo.id),
                "status": status.value,
                "reject_reason": "Not a photo" if status == PhotoStatus.REJECTED else None,
                "width": 4000,
                "height": 3000,
                "sha256": "0" * 64,
                "size_bytes": 3_000_000,
                "destroyed_at": None,
                "patient_id": series.patient_id,
                "body_site_id": series.body_site_id,
                "side": series.side,
                "sex": sex,
                "age_years": photo.age_years,
                "shot_at": shot_at,
                "is_acute": series.is_acute,
                "search_scopes": (
                    scope_mask(series.active_scopes)
                    if status == PhotoStatus.READY and not series.is_acute
                    else 0
                ),
            },
        )
        return photo


class _Writer:
    """Buffers rows per table and writes them in bulk, in dependency order."""

    ORDER = ("cluster", "user_account", "patient", "series", "series_code", "consent", "photo")

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {table: [] for table in self.ORDER}

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows[table].append(row)

    async def flush(self) -> None:
        connection = connections.get("default")
        postgres = connection.capabilities.dialect == "postgres"
        for table in self.ORDER:
            rows = self.rows[table]
            if not rows:
                continue
            if postgres:
                await _copy(connection, table, rows)
            else:
                await _insert_many(connection, table, rows)
            self.rows[table] = []


async def _copy(connection: Any, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    async with connection.acquire_connection() as raw:
        await raw.copy_records_to_table(
            table, records=[tuple(row[c] for c in columns) for row in rows], columns=columns
        )


async def _insert_many(connection: Any, table: str, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    sql = (
        f'INSERT INTO "{table}" ({", ".join(columns)}) '  # noqa: S608 (our own table names)
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    await connection.execute_many(sql, [[_sqlite_value(row[c]) for c in columns] for row in rows])


def _sqlite_value(value: Any) -> Any:
    """The text Tortoise itself stores for these types in SQLite."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value
