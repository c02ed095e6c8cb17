"""Response bodies of the REST API. CPR numbers only ever leave masked."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from domain import accounts
from domain.model import Consent, Patient, Photo, Principal, Scope, Series, Variant
from domain.policy import has_photo_consent
from domain.ports import Ports


class MembershipOut(BaseModel):
    cluster_id: UUID
    cluster_name: str
    role: str


class MeOut(BaseModel):
    id: UUID
    email: str
    display_name: str
    is_system_admin: bool
    memberships: list[MembershipOut]
    language: str | None = Field(description='"da", "en", or null to follow the browser')


class ClusterOut(BaseModel):
    id: UUID
    name: str


class PatientOut(BaseModel):
    id: UUID
    cluster_id: UUID
    name: str
    cpr_masked: str | None
    birth_date: date | None
    sex: str | None
    is_acute: bool = False


class ConsentOut(BaseModel):
    id: UUID
    scope: str
    given_by: str
    method: str
    recorded_by: UUID
    recorded_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    withdrawal_channel: str | None = None


class SeriesOut(BaseModel):
    id: UUID
    patient_id: UUID
    cluster_id: UUID
    body_site: str
    side: str | None
    diagnoses: list[str]
    procedures: list[str]
    title: str | None
    created_by: UUID
    created_at: datetime
    consents: list[ConsentOut]
    accepts_photos: bool


class PhotoOut(BaseModel):
    id: UUID
    series_id: UUID | None  # None for an external upload not yet filed
    phase: str
    view: str
    captured_at: datetime | None
    received_at: datetime
    captured_by: UUID
    client_id: str
    status: str
    reject_reason: str | None
    width: int | None
    height: int | None
    sha256: str
    size_bytes: int
    links: dict[str, str]


async def me_out(ports: Ports, principal: Principal) -> MeOut:
    clusters = {c.id: c.name for c in await accounts.list_clusters(ports, principal)}
    memberships = [
        MembershipOut(cluster_id=cid, cluster_name=clusters.get(cid, ""), role=role.value)
        for cid, role in principal.memberships.items()
    ]
    user = principal.user
    return MeOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        is_system_admin=user.is_system_admin,
        memberships=memberships,
        language=user.language,
    )


def patient_out(patient: Patient) -> PatientOut:
    return PatientOut(
        id=patient.id,
        cluster_id=patient.cluster_id,
        name=patient.name,
        cpr_masked=patient.cpr.masked if patient.cpr else None,
        birth_date=patient.birth_date,
        sex=patient.sex.value if patient.sex else None,
        is_acute=patient.is_acute,
    )


def consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut(
        id=consent.id,
        scope=consent.scope.value,
        given_by=consent.given_by.value,
        method=consent.method.value,
        recorded_by=consent.recorded_by,
        recorded_at=consent.recorded_at,
        withdrawn_at=consent.withdrawn_at,
        withdrawal_reason=consent.withdrawal_reason,
        withdrawal_channel=consent.withdrawal_channel,
    )


def series_out(series: Series) -> SeriesOut:
    return SeriesOut(
        id=series.id,
        patient_id=series.patient_id,
        cluster_id=series.cluster_id,
        body_site=series.body_site_id,
        side=series.side,
        diagnoses=list(series.diagnosis_codes),
        procedures=list(series.procedure_codes),
        title=series.title,
        created_by=series.created_by,
        created_at=series.created_at,
        consents=[consent_out(c) for c in series.consents],
        accepts_photos=has_photo_consent(series, Scope.CLINICAL),
    )


def photo_out(photo: Photo) -> PhotoOut:
    base = f"/api/v1/photos/{photo.id}"
    links = {"self": base}
    links.update({v.value: f"{base}/{v.value}" for v in Variant if v in photo.content_types})
    return PhotoOut(
        id=photo.id,
        series_id=photo.series_id,
        phase=photo.phase,
        view=photo.view_id,
        captured_at=photo.captured_at,
        received_at=photo.received_at,
        captured_by=photo.captured_by,
        client_id=photo.client_id,
        status=photo.status.value,
        reject_reason=photo.reject_reason,
        width=photo.width,
        height=photo.height,
        sha256=photo.sha256,
        size_bytes=photo.size_bytes,
        links=links,
    )
