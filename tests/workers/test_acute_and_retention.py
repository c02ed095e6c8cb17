"""Acute patients from emergency photo to merged patient, and the end of retention, on a real
database with a real arq worker."""

from dataclasses import replace
from datetime import timedelta

import pytest

from domain import acute, consent, overview, patients, photos, retention, search
from domain.acute import Identification
from domain.consent import ConsentForm
from domain.errors import NotFound
from domain.model import PhotoStatus, Role, Scope, Variant
from domain.patients import PatientForm, SeriesForm
from domain.search import SearchFilters
from storage.models import AuditEventRow, BlobRow
from tests.conftest import PHOTOS, drain_queue, make_member
from tests.workers.test_pipeline import consented_series, upload
from workers.tasks import destroy_expired_photos

JPEG = (PHOTOS / "orient_1_landscape.jpg").read_bytes()


async def acute_with_photo(runtime, clinician):
    cluster_id = next(iter(clinician.memberships))
    ports = runtime.ports
    emergency = await acute.create_acute_patient(ports, clinician, cluster_id, "trauma room 2")
    series = await patients.create_series(
        ports, clinician, emergency.id, SeriesForm("face", None, ("DC430",))
    )
    photo = await upload(runtime, clinician, series.id, JPEG)
    await drain_queue(runtime)
    return emergency, series, photo


async def test_an_acute_patient_is_seen_only_by_clinicians_and_only_in_the_acute_list(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    secretary = await make_member(runtime, "Plastic", Role.SECRETARY)
    cluster_id = next(iter(clinician.memberships))
    ports = runtime.ports

    emergency, series, photo = await acute_with_photo(runtime, clinician)

    assert emergency.is_acute and emergency.cpr is None and "trauma room 2" in emergency.name
    assert [e.patient.id for e in await acute.acute_patients(ports, clinician, cluster_id)] == [
        emergency.id
    ]
    assert await patients.find_patients(ports, clinician, cluster_id, "") == []
    assert await overview.recent_series(ports, clinician, cluster_id) == []
    found = await search.search_photos(ports, clinician, cluster_id, SearchFilters(phase="pre_op"))
    assert found.total_photos == 0
    assert (await photos.get_photo(ports, clinician, photo.id)).status == PhotoStatus.READY
    with pytest.raises(NotFound):
        await patients.get_patient(ports, secretary, emergency.id)
    with pytest.raises(NotFound):
        await patients.get_series(ports, secretary, series.id)


async def test_identifying_an_acute_patient_merges_photos_and_records_consent(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    cluster_id = next(iter(clinician.memberships))
    ports = runtime.ports
    emergency, _, photo = await acute_with_photo(runtime, clinician)
    known = await patients.create_patient(
        ports, clinician, PatientForm(cluster_id, "Inger Christensen", "160135-1014")
    )
    target = await patients.create_series(
        ports, clinician, known.id, SeriesForm("face", None, ("DC431",))
    )

    merged = await acute.identify(
        ports,
        clinician,
        emergency.id,
        Identification(
            patient_id=known.id,
            series_id=target.id,
            consent=ConsentForm(("clinical_documentation", "teaching"), "patient", "verbal"),
        ),
    )

    assert merged.id == target.id and merged.has_consent(Scope.CLINICAL)
    assert (await photos.get_photo(ports, clinician, photo.id)).series_id == target.id
    assert await acute.acute_patients(ports, clinician, cluster_id) == []
    found = await search.search_photos(
        ports, clinician, cluster_id, SearchFilters(scope="teaching")
    )
    assert [item.series.id for item in found.items] == [target.id]
    actions = set(await AuditEventRow.all().values_list("action", flat=True))
    assert {"patient.create_acute", "photo.move", "patient.identify_acute"} <= actions


async def test_acute_patients_older_than_the_limit_are_overdue(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    cluster_id = next(iter(clinician.memberships))
    await acute.create_acute_patient(runtime.ports, clinician, cluster_id, "")
    later = replace(runtime.ports, clock=lambda: runtime.ports.clock() + timedelta(days=8))

    now_entries = await acute.acute_patients(runtime.ports, clinician, cluster_id)
    later_entries = await acute.acute_patients(later, clinician, cluster_id)

    assert [e.is_overdue for e in now_entries] == [False]
    assert [e.is_overdue for e in later_entries] == [True]


async def test_retention_destroys_keys_and_blobs_once_and_only_when_due(runtime, settings):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    photo = await upload(runtime, clinician, series.id, JPEG)
    await drain_queue(runtime)
    blob_paths = [row.path for row in await BlobRow.filter(photo_id=photo.id)]
    await consent.withdraw_consent(
        runtime.ports, clinician, series.id, "all", "Patient wrote a letter", "letter"
    )
    ten_years = replace(
        runtime.ports, clock=lambda: runtime.ports.clock() + timedelta(days=3653 + 366)
    )

    early = await retention.destroy_expired(runtime.ports)
    first = await destroy_expired_photos({"ports": ten_years})
    second = await destroy_expired_photos({"ports": ten_years})

    assert (early, first, second) == (0, 1, 0)
    assert await BlobRow.filter(photo_id=photo.id).count() == 0
    assert not any((settings.blob_dir / path).exists() for path in blob_paths)
    assert await AuditEventRow.filter(action="photo.destroy", object_id=str(photo.id)).count() == 1
    with pytest.raises(NotFound):
        await photos.open_variant(runtime.ports, clinician, photo.id, Variant.PREVIEW)


async def test_my_series_holds_what_i_created_or_photographed(runtime):
    creator = await make_member(runtime, "Plastic", Role.CLINICIAN)
    photographer = await make_member(runtime, "Plastic", Role.CLINICIAN)
    cluster_id = next(iter(creator.memberships))
    series = await consented_series(runtime, creator)
    await upload(runtime, photographer, series.id, JPEG)

    mine = await overview.my_series(runtime.ports, creator, cluster_id)
    theirs = await overview.my_series(runtime.ports, photographer, cluster_id)
    bystander = await make_member(runtime, "Plastic", Role.CLINICIAN)

    assert [e.series.id for e in mine] == [series.id]
    assert [e.series.id for e in theirs] == [series.id]
    assert await overview.my_series(runtime.ports, bystander, cluster_id) == []
    assert (await overview.pending_work(runtime.ports, creator, cluster_id)).processing == 1
