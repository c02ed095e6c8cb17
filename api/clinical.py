"""Clusters, taxonomy, patients, series and consents over REST."""

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import PortsDep, PrincipalDep
from api.schemas import (
    ClusterOut,
    PatientOut,
    PhotoOut,
    SeriesOut,
    patient_out,
    photo_out,
    series_out,
)
from domain import accounts, acute, consent, patients, photos, preferences
from domain.consent import ConsentForm
from domain.patients import PatientForm, SeriesForm
from domain.taxonomy import Language

router = APIRouter()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClusterIn(Strict):
    name: str = Field(max_length=100)


class PatientIn(Strict):
    cluster_id: UUID
    name: str = Field(max_length=200)
    cpr: str = Field(max_length=20, description="empty for a patient without a CPR number")
    birth_date: date | None = Field(default=None, description="only without a CPR number")
    sex: str | None = Field(default=None, max_length=10, description="only without a CPR number")


class SeriesIn(Strict):
    body_site: str = Field(max_length=64)
    side: str | None = Field(default=None, max_length=16)
    diagnoses: list[Annotated[str, Field(max_length=16)]] = Field(max_length=20)
    procedures: list[Annotated[str, Field(max_length=16)]] = Field(default=[], max_length=20)
    title: str | None = Field(default=None, max_length=200)


class ConsentIn(Strict):
    scopes: list[Annotated[str, Field(max_length=32)]] = Field(max_length=4)
    given_by: str = Field(max_length=32)
    method: str = Field(max_length=32)


class WithdrawalIn(Strict):
    scope: str = Field(max_length=32, description='a scope, or "all"')
    reason: str = Field(max_length=500)
    channel: str | None = Field(
        default=None, max_length=32, description="in_person, phone, email, letter, digital_mail"
    )


class AcuteIn(Strict):
    cluster_id: UUID
    ward: str = Field(default="", max_length=60)


class LanguageIn(Strict):
    language: str | None = Field(max_length=5, description='"da", "en", or null for the browser')


class SeriesDetailOut(SeriesOut):
    photos: list[PhotoOut]


@router.post("/clusters", status_code=201, tags=["clusters"])
async def create_cluster(body: ClusterIn, principal: PrincipalDep, ports: PortsDep) -> ClusterOut:
    cluster = await accounts.create_cluster(ports, principal, body.name)
    return ClusterOut(id=cluster.id, name=cluster.name)


@router.get("/clusters", tags=["clusters"])
async def list_clusters(principal: PrincipalDep, ports: PortsDep) -> list[ClusterOut]:
    return [
        ClusterOut(id=c.id, name=c.name) for c in await accounts.list_clusters(ports, principal)
    ]


@router.get("/taxonomy", tags=["taxonomy"])
async def taxonomy(
    principal: PrincipalDep, ports: PortsDep, language: Language = "da"
) -> dict[str, Any]:
    return ports.taxonomy.as_dict(language)


class TaxonomyHitOut(BaseModel):
    kind: str
    code: str
    label: str


@router.get("/taxonomy/search", tags=["taxonomy"])
async def search_taxonomy(
    principal: PrincipalDep,
    ports: PortsDep,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    kind: Annotated[list[str] | None, Query(max_length=4)] = None,
    language: Language = "da",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[TaxonomyHitOut]:
    """Codes and titles in Danish and English, e.g. ?q=melanom&kind=diagnosis."""
    hits = ports.taxonomy.search(q, kinds=kind, language=language, limit=limit)
    return [TaxonomyHitOut(kind=h.kind, code=h.code, label=h.label) for h in hits]


@router.get("/patients", tags=["patients"])
async def find_patients(
    principal: PrincipalDep,
    ports: PortsDep,
    cluster_id: UUID,
    q: Annotated[str, Query(max_length=200)] = "",
) -> list[PatientOut]:
    found = await patients.find_patients(ports, principal, cluster_id, q)
    return [patient_out(p) for p in found]


@router.post("/patients", status_code=201, tags=["patients"])
async def create_patient(body: PatientIn, principal: PrincipalDep, ports: PortsDep) -> PatientOut:
    form = PatientForm(body.cluster_id, body.name, body.cpr, body.birth_date, body.sex)
    return patient_out(await patients.create_patient(ports, principal, form))


@router.get("/patients/{patient_id}", tags=["patients"])
async def get_patient(patient_id: UUID, principal: PrincipalDep, ports: PortsDep) -> dict[str, Any]:
    patient = await patients.get_patient(ports, principal, patient_id)
    series = await patients.series_of_patient(ports, principal, patient)
    return {
        **patient_out(patient).model_dump(mode="json"),
        "series": [series_out(s).model_dump(mode="json") for s in series],
    }


@router.post("/patients/{patient_id}/series", status_code=201, tags=["series"])
async def create_series(
    patient_id: UUID, body: SeriesIn, principal: PrincipalDep, ports: PortsDep
) -> SeriesOut:
    form = SeriesForm(
        body.body_site, body.side, tuple(body.diagnoses), tuple(body.procedures), body.title
    )
    return series_out(await patients.create_series(ports, principal, patient_id, form))


@router.get("/series/{series_id}", tags=["series"])
async def get_series(series_id: UUID, principal: PrincipalDep, ports: PortsDep) -> SeriesDetailOut:
    series = await patients.get_series(ports, principal, series_id)
    shown = await photos.photos_of_series(ports, principal, series)
    return SeriesDetailOut(**series_out(series).model_dump(), photos=[photo_out(p) for p in shown])


@router.post("/series/{series_id}/consents", status_code=201, tags=["consent"])
async def record_consent(
    series_id: UUID, body: ConsentIn, principal: PrincipalDep, ports: PortsDep
) -> SeriesOut:
    form = ConsentForm(tuple(body.scopes), body.given_by, body.method)
    return series_out(await consent.record_consent(ports, principal, series_id, form))


@router.post("/series/{series_id}/consents/withdraw", tags=["consent"])
async def withdraw_consent(
    series_id: UUID, body: WithdrawalIn, principal: PrincipalDep, ports: PortsDep
) -> SeriesOut:
    updated = await consent.withdraw_consent(
        ports, principal, series_id, body.scope, body.reason, body.channel
    )
    return series_out(updated)


@router.get("/acute-patients", tags=["patients"])
async def list_acute(
    principal: PrincipalDep, ports: PortsDep, cluster_id: UUID
) -> list[PatientOut]:
    """Unidentified acute patients of the cluster (clinicians only), oldest first."""
    return [
        patient_out(e.patient) for e in await acute.acute_patients(ports, principal, cluster_id)
    ]


@router.post("/acute-patients", status_code=201, tags=["patients"])
async def create_acute(body: AcuteIn, principal: PrincipalDep, ports: PortsDep) -> PatientOut:
    """An unidentified patient labelled with the time and the ward; no name, no CPR."""
    return patient_out(
        await acute.create_acute_patient(ports, principal, body.cluster_id, body.ward)
    )


@router.put("/me/language", status_code=204, tags=["auth"])
async def set_language(body: LanguageIn, principal: PrincipalDep, ports: PortsDep) -> None:
    await preferences.set_language(ports, principal, body.language)
