"""Patients and their series: creating, finding and reading them within a cluster."""

import unicodedata
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain.audit import record
from domain.cpr import Cpr, parse_cpr
from domain.errors import Conflict, InvalidInput, NotFound
from domain.model import Patient, Principal, Series, Sex
from domain.policy import (
    Action,
    may_see_series,
    require,
    require_acute_access,
    require_series_visible,
)
from domain.ports import NewPatient, NewSeries, PatientChange, Ports, SeriesChange

MAX_NAME_LENGTH = 200
MAX_TITLE_LENGTH = 200
# Control, format (bidirectional overrides, zero-width), surrogate, private and unassigned.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


@dataclass(frozen=True)
class PatientForm:
    """Name and CPR; without a CPR, date of birth and sex may be given by hand."""

    cluster_id: UUID
    name: str
    cpr: str
    birth_date: date | None = None
    sex: str | None = None


@dataclass(frozen=True)
class SeriesForm:
    body_site_id: str
    side: str | None
    diagnosis_codes: tuple[str, ...]
    procedure_codes: tuple[str, ...] = ()
    title: str | None = None


async def create_patient(ports: Ports, principal: Principal, form: PatientForm) -> Patient:
    """Create a patient from name and CPR; raises InvalidInput, or Conflict for a known CPR."""
    require(principal, Action.EDIT_PATIENTS, form.cluster_id, what="cluster")
    name = clean_text(form.name, "name", MAX_NAME_LENGTH, required=True)
    cpr, birth_date, sex = _identity(ports, form)
    if cpr is not None:
        existing = await ports.clinical.find_patient_by_cpr(form.cluster_id, cpr)
        if existing is not None:
            raise Conflict("A patient with this CPR number already exists in the cluster.")
    new = NewPatient(form.cluster_id, name, cpr, birth_date, sex, principal.user.id)
    patient = await ports.clinical.add_patient(new)
    await record(
        ports,
        principal,
        "patient.create",
        cluster_id=patient.cluster_id,
        object_type="patient",
        object_id=patient.id,
    )
    return patient


async def existing_patient(
    ports: Ports, principal: Principal, cluster_id: UUID, cpr_text: str
) -> Patient | None:
    """The cluster's patient with this CPR, if any (to open instead of creating a duplicate)."""
    require(principal, Action.VIEW_PATIENTS, cluster_id, what="cluster")
    try:
        cpr = parse_cpr(cpr_text, today=ports.clock().date())
    except InvalidInput:
        return None
    return await ports.clinical.find_patient_by_cpr(cluster_id, cpr)


async def update_patient(
    ports: Ports, principal: Principal, patient_id: UUID, form: PatientForm
) -> Patient:
    """Change name, CPR, or (only without a CPR) date of birth and sex; audited."""
    patient = await _patient(ports, principal, patient_id)
    require(principal, Action.EDIT_PATIENTS, patient.cluster_id, what="patient")
    if patient.is_acute:
        raise Conflict("An acute patient is identified by merging, not by editing.")
    name = clean_text(form.name, "name", MAX_NAME_LENGTH, required=True)
    cpr, birth_date, sex = _identity(ports, form)
    if cpr is not None and cpr != patient.cpr:
        other = await ports.clinical.find_patient_by_cpr(patient.cluster_id, cpr)
        if other is not None and other.id != patient.id:
            raise Conflict("Another patient in the cluster has this CPR number.")
    change = PatientChange(name, cpr, birth_date, sex)
    updated = await ports.clinical.update_patient(patient.id, change)
    await record(
        ports,
        principal,
        "patient.update",
        cluster_id=patient.cluster_id,
        object_type="patient",
        object_id=patient.id,
    )
    return updated


async def reveal_cpr(ports: Ports, principal: Principal, patient_id: UUID) -> str:
    """The whole CPR number for the screen; every reveal is audited."""
    patient = await _patient(ports, principal, patient_id)
    await record(
        ports,
        principal,
        "patient.reveal_cpr",
        cluster_id=patient.cluster_id,
        object_type="patient",
        object_id=patient.id,
    )
    if patient.cpr is None:
        raise NotFound("This patient has no CPR number.")
    return patient.cpr.formatted


async def _patient(ports: Ports, principal: Principal, patient_id: UUID) -> Patient:
    patient = await ports.clinical.get_patient(patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    require(principal, Action.VIEW_PATIENTS, patient.cluster_id, what="patient")
    if patient.is_acute:
        require_acute_access(principal, patient.cluster_id)
    return patient


async def get_patient(ports: Ports, principal: Principal, patient_id: UUID) -> Patient:
    patient = await _patient(ports, principal, patient_id)
    await record(
        ports,
        principal,
        "patient.view",
        cluster_id=patient.cluster_id,
        object_type="patient",
        object_id=patient.id,
    )
    return patient


async def find_patients(
    ports: Ports, principal: Principal, cluster_id: UUID, query: str, limit: int = 50
) -> list[Patient]:
    """An exact CPR, or words that start the patient's names; empty query: the most recent."""
    require(principal, Action.VIEW_PATIENTS, cluster_id, what="cluster")
    query = query.strip()
    if not query:
        return await ports.clinical.recent_patients(cluster_id, limit)
    if _looks_like_cpr(query):
        patient = await ports.clinical.find_patient_by_cpr(cluster_id, parse_cpr(query))
        return [patient] if patient else []
    words = [word for word in query.lower().split() if len(word) >= 2]
    if not words:
        raise InvalidInput("Type at least two letters of a name, or a whole CPR number.")
    return await ports.clinical.search_patients(cluster_id, words, limit)


async def create_series(
    ports: Ports, principal: Principal, patient_id: UUID, form: SeriesForm
) -> Series:
    """Open a series at a body site with taxonomy codes; raises InvalidInput naming the field."""
    patient = await _patient(ports, principal, patient_id)
    require(principal, Action.MANAGE_SERIES, patient.cluster_id, what="patient")
    if patient.merged_into is not None:
        raise Conflict("This acute patient was identified; open the identified patient instead.")
    new = NewSeries(
        patient.id,
        patient.cluster_id,
        *_check_site(ports, form),
        *_check_codes(ports, form),
        clean_text(form.title or "", "title", MAX_TITLE_LENGTH, required=False) or None,
        principal.user.id,
        is_acute=patient.is_acute,
    )
    series = await ports.clinical.add_series(new)
    await record(
        ports,
        principal,
        "series.create",
        cluster_id=series.cluster_id,
        object_type="series",
        object_id=series.id,
    )
    return series


async def get_series(ports: Ports, principal: Principal, series_id: UUID) -> Series:
    series = await ports.clinical.get_series(series_id)
    if series is None:
        raise NotFound("No such series.")
    require_series_visible(principal, series)
    return series


async def update_series(
    ports: Ports, principal: Principal, series_id: UUID, form: SeriesForm
) -> Series:
    """Change body site, side, diagnoses, procedures or title; audited."""
    series = await get_series(ports, principal, series_id)
    require(principal, Action.MANAGE_SERIES, series.cluster_id, what="series")
    change = SeriesChange(
        *_check_site(ports, form),
        *_check_codes(ports, form),
        clean_text(form.title or "", "title", MAX_TITLE_LENGTH, required=False) or None,
    )
    updated = await ports.clinical.update_series(series.id, change)
    await record(
        ports,
        principal,
        "series.update",
        cluster_id=series.cluster_id,
        object_type="series",
        object_id=series.id,
    )
    return updated


async def series_of_patient(ports: Ports, principal: Principal, patient: Patient) -> list[Series]:
    """The patient's series this member may see (withdrawn ones: the cluster admin only)."""
    require(principal, Action.VIEW_PATIENTS, patient.cluster_id, what="patient")
    found = await ports.clinical.series_of_patient(patient.id)
    return [series for series in found if may_see_series(principal, series)]


def _identity(ports: Ports, form: PatientForm) -> tuple[Cpr | None, date | None, Sex | None]:
    today = ports.clock().date()
    if form.cpr.strip():
        cpr = parse_cpr(form.cpr, today=today)
        return cpr, cpr.birth_date, cpr.sex
    if form.birth_date is not None and not date(1880, 1, 1) <= form.birth_date <= today:
        raise InvalidInput("The date of birth is not plausible.", field="birth_date")
    try:
        sex = Sex(form.sex) if form.sex else None
    except ValueError:
        raise InvalidInput("Sex is female or male.", field="sex") from None
    return None, form.birth_date, sex


def _check_site(ports: Ports, form: SeriesForm) -> tuple[str, str | None]:
    site = ports.taxonomy.body_site(form.body_site_id)
    return site.id, ports.taxonomy.check_side(site, form.side)


def _check_codes(ports: Ports, form: SeriesForm) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not form.diagnosis_codes:
        raise InvalidInput("A series needs at least one diagnosis.", field="diagnoses")
    diagnoses = tuple(dict.fromkeys(ports.taxonomy.diagnosis(c).code for c in form.diagnosis_codes))
    procedures = tuple(
        dict.fromkeys(p.code for p in ports.taxonomy.check_procedures(form.procedure_codes))
    )
    return diagnoses, procedures


def clean_text(value: str, field: str, limit: int, *, required: bool) -> str:
    cleaned = " ".join(value.split())
    if required and not cleaned:
        raise InvalidInput(f"The {field} is required.", field=field)
    if len(cleaned) > limit:
        raise InvalidInput(f"The {field} may have at most {limit} characters.", field=field)
    if any(unicodedata.category(ch) in _INVISIBLE for ch in cleaned):
        raise InvalidInput(f"The {field} contains control or invisible characters.", field=field)
    return cleaned


def _looks_like_cpr(query: str) -> bool:
    compact = query.replace("-", "").replace(" ", "")
    return len(compact) >= 6 and compact.isascii() and compact.isdigit()
