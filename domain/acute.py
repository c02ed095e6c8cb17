"""Acute patients: photographed in an emergency before anyone knows who they are.

An acute patient has a temporary label ("Acute 2026-12-04 14:32, ward 3") and no name or CPR.
Only the cluster's clinicians see it, only in the acute list, and its series take photos
without recorded consent. Once identified, a clinician merges it into an existing or a new
patient, into a chosen or a new series, and records consent; every step is audited.
"""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from domain import consent, patients
from domain.audit import record
from domain.consent import ConsentForm
from domain.errors import Conflict, InvalidInput, NotFound
from domain.model import Patient, Principal, Scope, Series
from domain.policy import Action, require, require_acute_access
from domain.ports import NewPatient, Ports
from domain.search import LOCAL_ZONE

MAX_WARD_LENGTH = 60


@dataclass(frozen=True)
class AcuteEntry:
    patient: Patient
    is_overdue: bool  # unidentified for longer than the cluster's limit


@dataclass(frozen=True)
class Identification:
    """Who the acute patient turned out to be, and where their photos go."""

    patient_id: UUID | None = None  # an existing patient (found by CPR) ...
    new_patient: patients.PatientForm | None = None  # ... or a new one
    series_id: UUID | None = None  # a series of that patient; None keeps the acute series
    consent: ConsentForm | None = None


async def create_acute_patient(
    ports: Ports, principal: Principal, cluster_id: UUID, ward: str, word: str = "Acute"
) -> Patient:
    """A patient with only a label of time and place; `word` is "Acute" in the user's language."""
    require_acute_access(principal, cluster_id)
    require(principal, Action.EDIT_PATIENTS, cluster_id, what="cluster")
    ward = " ".join(ward.split())
    if len(ward) > MAX_WARD_LENGTH or any(ord(ch) < 32 for ch in ward):
        raise InvalidInput("Say the ward or place in up to 60 characters.", field="ward")
    now = ports.clock().astimezone(LOCAL_ZONE)
    label = f"{word} {now:%Y-%m-%d %H:%M}" + (f", {ward}" if ward else "")
    new = NewPatient(cluster_id, label, None, None, None, principal.user.id, is_acute=True)
    patient = await ports.clinical.add_patient(new)
    await record(
        ports,
        principal,
        "patient.create_acute",
        cluster_id=cluster_id,
        object_type="patient",
        object_id=patient.id,
    )
    return patient


async def acute_patients(ports: Ports, principal: Principal, cluster_id: UUID) -> list[AcuteEntry]:
    """Unidentified acute patients of the cluster, oldest first, marked when overdue."""
    require_acute_access(principal, cluster_id)
    cutoff = ports.clock() - timedelta(days=ports.limits.acute_warning_days)
    found = await ports.clinical.acute_patients(cluster_id)
    return [AcuteEntry(p, p.created_at <= cutoff) for p in found]


async def identify(
    ports: Ports, principal: Principal, acute_id: UUID, identification: Identification
) -> Series:
    """Merge an acute patient into a real one, move the photos, record consent; audited."""
    acute = await _open_acute(ports, principal, acute_id)
    if identification.consent is None or Scope.CLINICAL.value not in identification.consent.scopes:
        raise InvalidInput("Record consent for clinical documentation to merge.", field="scopes")
    target = await _target_patient(ports, principal, acute, identification)
    acute_series = await ports.clinical.series_of_patient(acute.id)
    if not acute_series:
        raise Conflict("This acute patient has no series to merge.")
    result = await _merge_series(ports, principal, acute_series, target, identification.series_id)
    result = await consent.record_consent(ports, principal, result.id, identification.consent)
    await ports.clinical.mark_identified(acute.id, target.id, ports.clock())
    await record(
        ports,
        principal,
        "patient.identify_acute",
        cluster_id=acute.cluster_id,
        object_type="patient",
        object_id=acute.id,
    )
    return result


async def _open_acute(ports: Ports, principal: Principal, acute_id: UUID) -> Patient:
    acute = await ports.clinical.get_patient(acute_id)
    if acute is None or not acute.is_acute:
        raise NotFound("No such acute patient.")
    require_acute_access(principal, acute.cluster_id)
    require(principal, Action.MANAGE_SERIES, acute.cluster_id, what="patient")
    if acute.merged_into is not None:
        raise Conflict("This acute patient has been identified already.")
    return acute


async def _target_patient(
    ports: Ports, principal: Principal, acute: Patient, identification: Identification
) -> Patient:
    if identification.patient_id is not None:
        target = await patients.get_patient(ports, principal, identification.patient_id)
        if target.cluster_id != acute.cluster_id or target.is_acute:
            raise NotFound("No such patient.")
        return target
    if identification.new_patient is None:
        raise InvalidInput("Choose the patient, or enter a new one.", field="patient")
    form = identification.new_patient
    if form.cluster_id != acute.cluster_id:
        raise InvalidInput("The patient must belong to the same cluster.", field="patient")
    existing = await patients.existing_patient(ports, principal, form.cluster_id, form.cpr)
    return existing or await patients.create_patient(ports, principal, form)


async def _merge_series(
    ports: Ports,
    principal: Principal,
    acute_series: list[Series],
    target: Patient,
    series_id: UUID | None,
) -> Series:
    if series_id is None:
        for series in acute_series:
            await ports.clinical.move_series(series.id, target.id)
            await _audit_move(ports, principal, series, "series.move")
        return await patients.get_series(ports, principal, acute_series[0].id)
    chosen = await ports.clinical.get_series(series_id)
    if chosen is None or chosen.patient_id != target.id:
        raise NotFound("No such series for this patient.")
    for series in acute_series:
        for photo in await ports.photos.photos_of_series(series.id):
            await ports.photos.move(photo.id, chosen.id)
            await record(
                ports,
                principal,
                "photo.move",
                cluster_id=chosen.cluster_id,
                object_type="photo",
                object_id=photo.id,
            )
    return chosen


async def _audit_move(ports: Ports, principal: Principal, series: Series, action: str) -> None:
    await record(
        ports,
        principal,
        action,
        cluster_id=series.cluster_id,
        object_type="series",
        object_id=series.id,
    )
