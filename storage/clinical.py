"""Patients, series and consents in the database; names and CPR numbers stay sealed.

A patient's name and CPR are encrypted with the master keyring and bound to the row id.
Exact CPR lookup uses a keyed HMAC; name search uses keyed HMACs of each name word's
prefixes (two letters and up), so the database never holds a readable name.
"""

import unicodedata
import uuid
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain.cpr import Cpr
from domain.model import Consent, ConsentMethod, GivenBy, Patient, Scope, Series, Sex
from domain.ports import NewPatient, NewSeries, PatientChange, SeriesChange
from storage.crypto import Keyring, LookupKey
from storage.models import ConsentRow, PatientNameTokenRow, PatientRow, PhotoRow, SeriesRow
from storage.search_facts import refresh_series

MAX_PREFIX = 20


class ClinicalRepository:
    def __init__(self, keyring: Keyring, lookup: LookupKey) -> None:
        self._keyring = keyring
        self._lookup = lookup

    async def add_patient(self, patient: NewPatient) -> Patient:
        patient_id = uuid.uuid4()
        async with in_transaction() as connection:
            row = await PatientRow.create(
                using_db=connection,
                id=patient_id,
                cluster_id=patient.cluster_id,
                name_sealed=self._keyring.seal_text(patient.name, f"patient.name:{patient_id}"),
                cpr_sealed=self._seal_cpr(patient.cpr, patient_id),
                cpr_lookup=self._cpr_lookup(patient.cluster_id, patient.cpr),
                birth_date=patient.birth_date,
                sex=patient.sex.value if patient.sex else None,
                created_by_id=patient.created_by,
                is_acute=patient.is_acute,
            )
            if not patient.is_acute:  # an acute label is not a name to search for
                await self._save_tokens(patient_id, patient.cluster_id, patient.name, connection)
        return self._patient(row)

    async def update_patient(self, patient_id: UUID, change: PatientChange) -> Patient:
        async with in_transaction() as connection:
            row = await PatientRow.get(id=patient_id, using_db=connection)
            await (
                PatientRow.filter(id=patient_id)
                .using_db(connection)
                .update(
                    name_sealed=self._keyring.seal_text(change.name, f"patient.name:{patient_id}"),
                    cpr_sealed=self._seal_cpr(change.cpr, patient_id),
                    cpr_lookup=self._cpr_lookup(row.cluster_id, change.cpr),
                    birth_date=change.birth_date,
                    sex=change.sex.value if change.sex else None,
                )
            )
            await PatientNameTokenRow.filter(patient_id=patient_id).using_db(connection).delete()
            if not row.is_acute:
                await self._save_tokens(patient_id, row.cluster_id, change.name, connection)
            series_ids = await SeriesRow.filter(patient_id=patient_id).using_db(connection)
            await refresh_series([s.id for s in series_ids], connection)
        return self._patient(await PatientRow.get(id=patient_id))

    async def acute_patients(self, cluster_id: UUID) -> list[Patient]:
        rows = await PatientRow.filter(
            cluster_id=cluster_id, is_acute=True, merged_into_id__isnull=True
        ).order_by("created_at")
        return [self._patient(row) for row in rows]

    async def mark_identified(self, acute_id: UUID, into: UUID, when: datetime) -> None:
        await PatientRow.filter(id=acute_id).update(merged_into_id=into, identified_at=when)

    async def _save_tokens(
        self, patient_id: UUID, cluster_id: UUID, name: str, connection: BaseDBAsyncClient
    ) -> None:
        await PatientNameTokenRow.bulk_create(
            [
                PatientNameTokenRow(patient_id=patient_id, cluster_id=cluster_id, token=token)
                for token in self.name_tokens(cluster_id, name)
            ],
            using_db=connection,
        )

    async def get_patient(self, patient_id: UUID) -> Patient | None:
        row = await PatientRow.get_or_none(id=patient_id)
        return self._patient(row) if row else None

    async def find_patient_by_cpr(self, cluster_id: UUID, cpr: Cpr) -> Patient | None:
        lookup = self._cpr_lookup(cluster_id, cpr)
        row = await PatientRow.get_or_none(cluster_id=cluster_id, cpr_lookup=lookup)
        return self._patient(row) if row else None

    async def search_patients(
        self, cluster_id: UUID, name_words: Sequence[str], limit: int
    ) -> list[Patient]:
        matching: set[UUID] | None = None
        for word in name_words:
            token = self._name_token(cluster_id, _fold(word)[:MAX_PREFIX])
            tokens = PatientNameTokenRow.filter(cluster_id=cluster_id, token=token)
            found = {row["patient_id"] for row in await tokens.values("patient_id")}
            matching = found if matching is None else matching & found
        rows = await PatientRow.filter(id__in=list(matching or ()), is_acute=False).order_by(
            "-created_at"
        )
        patients = [self._patient(row) for row in rows[:limit]]
        return sorted(patients, key=lambda patient: _fold(patient.name))

    async def recent_patients(self, cluster_id: UUID, limit: int) -> list[Patient]:
        rows = (
            await PatientRow.filter(cluster_id=cluster_id, is_acute=False)
            .order_by("-created_at")
            .limit(limit)
        )
        return [self._patient(row) for row in rows]

    async def add_series(self, series: NewSeries) -> Series:
        async with in_transaction() as connection:
            row = await SeriesRow.create(
                using_db=connection,
                id=uuid.uuid4(),
                patient_id=series.patient_id,
                cluster_id=series.cluster_id,
                body_site_id=series.body_site_id,
                side=series.side,
                diagnosis_codes=list(series.diagnosis_codes),
                procedure_codes=list(series.procedure_codes),
                title=series.title,
                created_by_id=series.created_by,
                is_acute=series.is_acute,
            )
            await refresh_series([row.id], connection)
        return _series(row, [])

    async def update_series(self, series_id: UUID, change: SeriesChange) -> Series:
        async with in_transaction() as connection:
            await (
                SeriesRow.filter(id=series_id)
                .using_db(connection)
                .update(
                    body_site_id=change.body_site_id,
                    side=change.side,
                    diagnosis_codes=list(change.diagnosis_codes),
                    procedure_codes=list(change.procedure_codes),
                    title=change.title,
                )
            )
            await refresh_series([series_id], connection)
        found = await self.get_series(series_id)
        if found is None:
            raise LookupError(f"series {series_id} vanished while being updated")
        return found

    async def move_series(self, series_id: UUID, patient_id: UUID) -> None:
        async with in_transaction() as connection:
            await (
                SeriesRow.filter(id=series_id)
                .using_db(connection)
                .update(patient_id=patient_id, is_acute=False)
            )
            await refresh_series([series_id], connection)

    async def recent_series(
        self, cluster_id: UUID, limit: int, created_by: UUID | None = None
    ) -> list[Series]:
        rows = SeriesRow.filter(cluster_id=cluster_id, is_acute=False)
        if created_by is not None:
            rows = rows.filter(created_by_id=created_by)
        return await self._with_consents(await rows.order_by("-created_at").limit(limit))

    async def series_photographed_by(self, cluster_id: UUID, user_id: UUID) -> list[UUID]:
        rows = (
            await PhotoRow.filter(cluster_id=cluster_id, captured_by_id=user_id)
            .distinct()
            .values_list("series_id", flat=True)
        )
        return [UUID(str(value)) for value in rows]

    async def withdrawn_series(self) -> list[Series]:
        withdrawn = await ConsentRow.filter(
            scope=Scope.CLINICAL.value, withdrawn_at__isnull=False
        ).values_list("series_id", flat=True)
        rows = await SeriesRow.filter(id__in=list(set(withdrawn)))
        return [s for s in await self._with_consents(rows) if s.is_withdrawn]

    async def series_by_ids(self, series_ids: Sequence[UUID]) -> dict[UUID, Series]:
        rows = await SeriesRow.filter(id__in=list(series_ids))
        return {series.id: series for series in await self._with_consents(rows)}

    async def patients_by_ids(self, patient_ids: Sequence[UUID]) -> dict[UUID, Patient]:
        rows = await PatientRow.filter(id__in=list(set(patient_ids)))
        return {row.id: self._patient(row) for row in rows}

    async def _with_consents(self, rows: Sequence[SeriesRow]) -> list[Series]:
        consents = await ConsentRow.filter(series_id__in=[row.id for row in rows]).order_by(
            "recorded_at"
        )
        return [_series(row, [c for c in consents if c.series_id == row.id]) for row in rows]

    async def get_series(self, series_id: UUID) -> Series | None:
        row = await SeriesRow.get_or_none(id=series_id)
        if row is None:
            return None
        consents = await ConsentRow.filter(series_id=series_id).order_by("recorded_at")
        return _series(row, consents)

    async def series_of_patient(self, patient_id: UUID) -> list[Series]:
        rows = await SeriesRow.filter(patient_id=patient_id).order_by("-created_at")
        return await self._with_consents(rows)

    async def add_consent(self, consent: Consent) -> None:
        async with in_transaction() as connection:
            await self._add_consent(consent, connection)
            await refresh_series([consent.series_id], connection)

    async def _add_consent(self, consent: Consent, connection: BaseDBAsyncClient) -> None:
        await ConsentRow.create(
            using_db=connection,
            id=consent.id,
            series_id=consent.series_id,
            scope=consent.scope.value,
            given_by=consent.given_by.value,
            method=consent.method.value,
            recorded_by_id=consent.recorded_by,
            recorded_at=consent.recorded_at,
        )

    async def withdraw_consent(
        self, consent_id: UUID, when: datetime, by: UUID, reason: str, channel: str | None = None
    ) -> None:
        async with in_transaction() as connection:
            row = await ConsentRow.get(id=consent_id, using_db=connection)
            await (
                ConsentRow.filter(id=consent_id, withdrawn_at__isnull=True)
                .using_db(connection)
                .update(
                    withdrawn_at=when,
                    withdrawn_by_id=by,
                    withdrawal_reason=reason,
                    withdrawal_channel=channel,
                )
            )
            await refresh_series([row.series_id], connection)

    def name_tokens(self, cluster_id: UUID, name: str) -> set[str]:
        tokens = set()
        for word in _fold(name).split():
            for end in range(2, min(len(word), MAX_PREFIX) + 1):
                tokens.add(self._name_token(cluster_id, word[:end]))
        return tokens

    def _name_token(self, cluster_id: UUID, prefix: str) -> str:
        return self._lookup.digest("patient.name", f"{cluster_id}:{prefix}")

    def _cpr_lookup(self, cluster_id: UUID, cpr: Cpr | None) -> str | None:
        return self._lookup.digest("patient.cpr", f"{cluster_id}:{cpr.digits}") if cpr else None

    def _seal_cpr(self, cpr: Cpr | None, patient_id: UUID) -> str | None:
        return self._keyring.seal_text(cpr.digits, f"patient.cpr:{patient_id}") if cpr else None

    def _patient(self, row: PatientRow) -> Patient:
        name = self._keyring.open_text(row.name_sealed, f"patient.name:{row.id}")
        cpr = None
        if row.cpr_sealed:
            cpr = Cpr(self._keyring.open_text(row.cpr_sealed, f"patient.cpr:{row.id}"))
        sex = Sex(row.sex) if row.sex else None
        return Patient(
            row.id,
            row.cluster_id,
            name,
            cpr,
            row.birth_date,
            sex,
            row.created_at,
            is_acute=row.is_acute,
            merged_into=row.merged_into_id,
        )


def _fold(text: str) -> str:
    """Lower case without accents, so "Søren" and "soren" meet; æ and ø fold to ae and o."""
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _series(row: SeriesRow, consents: Sequence[ConsentRow]) -> Series:
    return Series(
        id=row.id,
        patient_id=row.patient_id,
        cluster_id=row.cluster_id,
        body_site_id=row.body_site_id,
        side=row.side,
        diagnosis_codes=tuple(row.diagnosis_codes),
        procedure_codes=tuple(row.procedure_codes),
        title=row.title,
        created_by=row.created_by_id,
        created_at=row.created_at,
        consents=tuple(_consent(c) for c in consents),
        is_acute=row.is_acute,
    )


def _consent(row: ConsentRow) -> Consent:
    return Consent(
        id=row.id,
        series_id=row.series_id,
        scope=Scope(row.scope),
        given_by=GivenBy(row.given_by),
        method=ConsentMethod(row.method),
        recorded_by=row.recorded_by_id,
        recorded_at=row.recorded_at,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by=row.withdrawn_by_id,
        withdrawal_reason=row.withdrawal_reason,
        withdrawal_channel=row.withdrawal_channel,
    )
