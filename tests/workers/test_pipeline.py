"""The whole photo pipeline: upload through the domain, a real arq worker on real Redis,
every file of the corpus, then what is served and what is left on disk."""

import csv
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from domain import consent, patients, photos
from domain.consent import ConsentForm
from domain.errors import Conflict, ConsentRequired, NotFound, TooLarge
from domain.model import PhotoStatus, Role, Variant
from domain.patients import PatientForm, SeriesForm
from domain.photos import UploadForm
from tests.conftest import PHOTOS, drain_queue, make_member

MANIFEST = list(csv.DictReader((PHOTOS / "MANIFEST.csv").read_text(encoding="utf-8").splitlines()))
NAME = "Ingrid Kristoffersen"
CPR_DIGITS = "2304871234"
# Signatures long enough not to turn up by chance in megabytes of ciphertext.
SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"ftypheic", b"ftypmif1", b"JFIF\0", b"Exif\0\0", b"IHDR")
FILE_STARTS = (b"\xff\xd8\xff", b"\x89PNG", b"\0\0\0")


async def consented_series(runtime, principal, scopes=("clinical_documentation",)):
    ports = runtime.ports
    cluster_id = next(iter(principal.memberships))
    patient = await patients.create_patient(
        ports, principal, PatientForm(cluster_id, NAME, "230487-1234")
    )
    series = await patients.create_series(
        ports, principal, patient.id, SeriesForm("face", None, ("DC430",))
    )
    if scopes:
        series = await consent.record_consent(
            ports, principal, series.id, ConsentForm(tuple(scopes), "patient", "verbal")
        )
    return series


async def upload(runtime, principal, series_id, data, client_id=None):
    intake = await photos.begin_upload(runtime.ports, principal, series_id)
    for start in range(0, len(data), 65536):
        intake.write(data[start : start + 65536])
    form = UploadForm("pre_op", "face_frontal", "2026-12-04T10:00:00+01:00", client_id)
    photo, _ = await photos.finish_upload(runtime.ports, principal, intake, form)
    return photo


async def read(runtime, principal, photo_id, variant):
    _, stream, content_type = await photos.open_variant(runtime.ports, principal, photo_id, variant)
    return b"".join(stream), content_type


def upright_size(expected: str) -> tuple[int, int] | None:
    match = re.search(r"upright (\d+)x(\d+)", expected)
    return (int(match.group(1)), int(match.group(2))) if match else None


async def test_every_corpus_file_gets_its_expected_outcome(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    uploaded = {}
    for row in MANIFEST:
        data = (PHOTOS / row["file"]).read_bytes()
        if not data:
            continue  # an empty upload is refused at once (test below)
        uploaded[row["file"]] = (row, await upload(runtime, clinician, series.id, data))

    await drain_queue(runtime)

    for name, (row, photo) in uploaded.items():
        done = (
            await photos.get_photo(runtime.ports, clinician, photo.id)
            if row["expected"].startswith("accept")
            else await runtime.ports.photos.get(photo.id)
        )
        if row["expected"].startswith("reject"):
            assert done.status == PhotoStatus.REJECTED, name
            assert done.reject_reason, name
            continue
        assert done.status == PhotoStatus.READY, (name, done.reject_reason)
        size = upright_size(row["expected"])
        if size:
            assert (done.width, done.height) == size, name
        for variant in (Variant.ORIGINAL, Variant.PREVIEW, Variant.THUMBNAIL):
            data, content_type = await read(runtime, clinician, photo.id, variant)
            assert content_type in ("image/jpeg", "image/png"), name
            # Random entropy-coded bytes may spell "GPS"; metadata markers are longer.
            for marker in (b"SEFT", b"http://ns.adobe.com", b"Photoshop 3.0", b"MPF\0"):
                assert marker not in data, (name, variant, marker)
            image = Image.open(io.BytesIO(data))
            exif = image.getexif()
            assert 0x8825 not in exif and 0x8769 not in exif, (name, variant)  # GPS, EXIF IFDs
            assert set(exif) <= {0x0112}, (name, variant)  # at most the orientation
            if variant == Variant.PREVIEW:
                assert max(image.size) == min(2048, max(size or image.size)), name


async def test_empty_upload_is_refused_and_leaves_nothing(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)

    with pytest.raises(Exception, match="no file"):
        await upload(runtime, clinician, series.id, b"")

    assert await photos.photos_of_series(runtime.ports, clinician, series) == []
    assert list((runtime.settings.blob_dir / "tmp").iterdir()) == []


async def test_same_client_id_is_the_same_photo(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    data = (PHOTOS / "orient_1_landscape.jpg").read_bytes()

    first = await upload(runtime, clinician, series.id, data, client_id="phone-1:abc")
    second = await upload(runtime, clinician, series.id, data, client_id="phone-1:abc")

    assert first.id == second.id
    assert len(await photos.photos_of_series(runtime.ports, clinician, series)) == 1


async def test_client_id_reused_for_another_series_is_a_conflict(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    other = await patients.create_series(
        runtime.ports, clinician, series.patient_id, SeriesForm("scalp", None, ("DC430",))
    )
    await consent.record_consent(
        runtime.ports,
        clinician,
        other.id,
        ConsentForm(("clinical_documentation",), "patient", "verbal"),
    )
    data = (PHOTOS / "orient_1_landscape.jpg").read_bytes()
    await upload(runtime, clinician, series.id, data, client_id="reused")

    with pytest.raises(Conflict):
        await upload(runtime, clinician, other.id, data, client_id="reused")


async def test_no_photo_without_clinical_consent(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician, scopes=("teaching",))

    with pytest.raises(ConsentRequired):
        await photos.begin_upload(runtime.ports, clinician, series.id)


async def test_upload_over_the_limit_is_refused(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    intake = await photos.begin_upload(runtime.ports, clinician, series.id)

    with pytest.raises(TooLarge):
        intake.write(b"\0" * (runtime.ports.limits.max_upload_bytes + 1))
    intake.discard()

    assert list((runtime.settings.blob_dir / "tmp").iterdir()) == []


async def test_withdrawn_consent_hides_photos_at_once(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    photo = await upload(
        runtime, clinician, series.id, (PHOTOS / "orient_1_landscape.jpg").read_bytes()
    )
    await drain_queue(runtime)
    await read(runtime, clinician, photo.id, Variant.THUMBNAIL)

    await consent.withdraw_consent(
        runtime.ports, clinician, series.id, "clinical_documentation", "Patient phoned"
    )

    for variant in (Variant.ORIGINAL, Variant.PREVIEW, Variant.THUMBNAIL):
        with pytest.raises(NotFound):
            await read(runtime, clinician, photo.id, variant)
    with pytest.raises(NotFound):
        await photos.get_photo(runtime.ports, clinician, photo.id)
    with pytest.raises(NotFound):  # the whole series is hidden from all but the cluster admin
        await patients.get_series(runtime.ports, clinician, series.id)


async def test_secretary_and_other_clusters_cannot_see_photos(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    secretary = await make_member(runtime, "Plastic", Role.SECRETARY)
    stranger = await make_member(runtime, "Hand surgery", Role.CLUSTER_ADMIN)
    series = await consented_series(runtime, clinician)
    photo = await upload(
        runtime, clinician, series.id, (PHOTOS / "orient_1_landscape.jpg").read_bytes()
    )
    await drain_queue(runtime)

    with pytest.raises(Exception, match="role"):
        await read(runtime, secretary, photo.id, Variant.THUMBNAIL)
    with pytest.raises(NotFound):
        await read(runtime, stranger, photo.id, Variant.THUMBNAIL)


async def test_processing_twice_changes_nothing(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    photo = await upload(
        runtime, clinician, series.id, (PHOTOS / "orient_6_landscape.jpg").read_bytes()
    )
    await drain_queue(runtime)
    before, _ = await read(runtime, clinician, photo.id, Variant.PREVIEW)

    await runtime.queue.enqueue_photo(photo.id)
    await drain_queue(runtime)

    after, _ = await read(runtime, clinician, photo.id, Variant.PREVIEW)
    assert after == before


async def test_a_crash_mid_processing_is_finished_after_restart(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    photo = await upload(
        runtime, clinician, series.id, (PHOTOS / "orient_3_landscape.jpg").read_bytes()
    )
    await runtime.ports.photos.set_status(photo.id, PhotoStatus.PROCESSING)
    await runtime.redis.flushdb()  # the queued job died with the old redis-server

    assert await runtime.requeue_unfinished() == 1
    await drain_queue(runtime)

    done = await photos.get_photo(runtime.ports, clinician, photo.id)
    assert done.status == PhotoStatus.READY


async def test_data_directory_holds_no_plaintext_photo_name_or_cpr(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    for name in (
        "phone_samsung_galaxy_s7edge_12mp_gps.jpg",
        "png_rgba_transparent.png",
        "heic_apple_iphonexr_irot_exif6_gps.heic",
        "not_image_html.jpg",
    ):
        await upload(runtime, clinician, series.id, (PHOTOS / name).read_bytes())
    await drain_queue(runtime)
    await runtime.stop()
    runtime.stop = _already_stopped

    forbidden = [
        NAME.encode(),
        NAME.encode("utf-16-le"),
        b"Kristoffersen",
        CPR_DIGITS.encode(),
        b"230487-1234",
        *SIGNATURES,
        b"<script",
    ]
    files = [path for path in runtime.settings.data_dir.rglob("*") if path.is_file()]
    assert len([path for path in files if path.suffix == ".blob"]) >= 9
    for path in files:
        content = path.read_bytes()
        assert not content.startswith(FILE_STARTS), path.name
        for needle in forbidden:
            assert needle not in content, (path.name, needle[:12])


async def _already_stopped() -> None:
    return None


def test_manifest_covers_every_corpus_file():
    files = {p.name for p in PHOTOS.iterdir()} - {
        "MANIFEST.csv",
        "README.md",
        "LICENSES.md",
        "SHA256SUMS",
    }

    assert files == {row["file"] for row in MANIFEST}


async def test_an_upload_committed_while_the_queue_is_down_is_swept_in_later(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    real_redis = runtime.queue._redis
    runtime.queue._redis = _UnreachableRedis()
    try:
        photo = await upload(
            runtime, clinician, series.id, (PHOTOS / "orient_8_landscape.jpg").read_bytes()
        )
    finally:
        runtime.queue._redis = real_redis
    assert photo.status == PhotoStatus.RECEIVED

    later = runtime.ports.clock() + timedelta(minutes=5)
    assert await photos.requeue_stale(runtime.ports, later) == 1
    await drain_queue(runtime)

    done = await photos.get_photo(runtime.ports, clinician, photo.id)
    assert done.status == PhotoStatus.READY


async def test_an_unreadable_upload_is_rejected_not_retried_forever(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    photo = await upload(
        runtime, clinician, series.id, (PHOTOS / "orient_1_landscape.jpg").read_bytes()
    )
    for blob in runtime.settings.blob_dir.rglob("*.blob"):
        damaged = bytearray(blob.read_bytes())
        damaged[-5] ^= 0xFF
        blob.write_bytes(bytes(damaged))

    await drain_queue(runtime)

    done = await runtime.ports.photos.get(photo.id)
    assert done.status == PhotoStatus.REJECTED
    assert "upload the photo again" in done.reject_reason


class _UnreachableRedis:
    """Stands in for a Redis server that has gone away (connection refused)."""

    async def enqueue_job(self, *args, **kwargs):
        raise ConnectionRefusedError("redis is down")
