"""Repositories against real SQLite and PostgreSQL (the any_runtime fixture runs both)."""

import uuid

import pytest
from tortoise import connections

from domain import consent, patients
from domain.consent import ConsentForm
from domain.errors import Conflict, InvalidInput, NotFound
from domain.model import Role
from domain.patients import PatientForm, SeriesForm
from storage.audit_log import AuditRepository
from storage.models import AuditEventRow
from tests.conftest import make_member

CPR = "010190-1235"


async def new_patient(runtime, principal, name="Søren Kierkegaard", cpr=CPR):
    cluster_id = next(iter(principal.memberships))
    return await patients.create_patient(
        runtime.ports, principal, PatientForm(cluster_id, name, cpr)
    )


async def test_patient_name_and_cpr_are_sealed_in_the_database(any_runtime):
    clinician = await make_member(any_runtime, "Plastic", Role.CLINICIAN)

    patient = await new_patient(any_runtime, clinician)

    rows = await connections.get("default").execute_query_dict("SELECT * FROM patient")
    dumped = repr(rows)
    assert "Kierkegaard" not in dumped and "Søren" not in dumped
    assert "0101901235" not in dumped and "1235" not in dumped.replace(str(patient.id), "")
    reloaded = await patients.get_patient(any_runtime.ports, clinician, patient.id)
    assert reloaded.name == "Søren Kierkegaard"
    assert reloaded.cpr is not None and reloaded.cpr.masked == "010190-XXXX"


async def test_same_cpr_twice_in_a_cluster_is_a_conflict(any_runtime):
    clinician = await make_member(any_runtime, "Plastic", Role.CLINICIAN)
    await new_patient(any_runtime, clinician)

    with pytest.raises(Conflict):
        await new_patient(any_runtime, clinician, name="Other Name")


async def test_patients_are_found_by_exact_cpr_and_by_name_prefixes(any_runtime):
    secretary = await make_member(any_runtime, "Plastic", Role.SECRETARY)
    cluster_id = next(iter(secretary.memberships))
    await new_patient(any_runtime, secretary)
    await new_patient(any_runtime, secretary, name="Karen Blixen", cpr="170485-2468")
    find = patients.find_patients

    by_cpr = await find(any_runtime.ports, secretary, cluster_id, "1704852468")
    by_prefix = await find(any_runtime.ports, secretary, cluster_id, "kierke sor")
    by_folded = await find(any_runtime.ports, secretary, cluster_id, "SOREN")
    nobody = await find(any_runtime.ports, secretary, cluster_id, "blixen søren")

    assert [p.name for p in by_cpr] == ["Karen Blixen"]
    assert [p.name for p in by_prefix] == ["Søren Kierkegaard"]
    assert [p.name for p in by_folded] == ["Søren Kierkegaard"]
    assert nobody == []


async def test_another_clusters_patient_is_not_found(any_runtime):
    owner = await make_member(any_runtime, "Plastic", Role.CLINICIAN)
    stranger = await make_member(any_runtime, "Orthopaedics", Role.CLUSTER_ADMIN)
    patient = await new_patient(any_runtime, owner)

    with pytest.raises(NotFound):
        await patients.get_patient(any_runtime.ports, stranger, patient.id)
    stranger_cluster = next(iter(stranger.memberships))
    assert await patients.find_patients(any_runtime.ports, stranger, stranger_cluster, CPR) == []


async def test_series_checks_taxonomy_and_consent_can_be_withdrawn(any_runtime):
    clinician = await make_member(any_runtime, "Plastic", Role.CLINICIAN)
    patient = await new_patient(any_runtime, clinician)
    ports = any_runtime.ports
    with pytest.raises(InvalidInput) as bad:
        await patients.create_series(
            ports, clinician, patient.id, SeriesForm("face", None, ("DX999",))
        )
    assert bad.value.field == "diagnoses"

    series = await patients.create_series(
        ports, clinician, patient.id, SeriesForm("face", None, ("DC430",), (), "Lip")
    )
    given = await consent.record_consent(
        ports,
        clinician,
        series.id,
        ConsentForm(("clinical_documentation", "teaching"), "patient", "verbal"),
    )
    withdrawn = await consent.withdraw_consent(
        ports, clinician, series.id, "teaching", "Patient asked by email"
    )

    assert {c.scope.value for c in given.consents if c.is_active} == {
        "clinical_documentation",
        "teaching",
    }
    assert {c.scope.value for c in withdrawn.consents if c.is_active} == {"clinical_documentation"}
    assert [c.withdrawal_reason for c in withdrawn.consents if not c.is_active] == [
        "Patient asked by email"
    ]


async def test_audit_chain_verifies_and_detects_an_edited_row(any_runtime):
    clinician = await make_member(any_runtime, "Plastic", Role.CLINICIAN)
    await new_patient(any_runtime, clinician)
    checked, broken = await AuditRepository().verify()
    assert checked >= 2 and broken is None

    victim = await AuditEventRow.all().order_by("id").first()
    await AuditEventRow.filter(id=victim.id).update(outcome="denied")

    _, broken = await AuditRepository().verify()
    assert broken == victim.id


async def test_audit_log_holds_no_patient_data(any_runtime):
    clinician = await make_member(any_runtime, "Plastic", Role.CLINICIAN)
    patient = await new_patient(any_runtime, clinician)
    await patients.get_patient(any_runtime.ports, clinician, patient.id)

    rows = await AuditEventRow.all().values()

    dumped = repr(rows)
    assert "Kierkegaard" not in dumped and "0101901235" not in dumped
    assert {"patient.create", "patient.view"} <= {row["action"] for row in rows}
    assert str(uuid.UUID(str(patient.id))) in dumped
