from domain import patients, photos
from domain.model import Role, Variant
from storage.crypto import add_master_key, load_keyring
from storage.key_rotation import rewrap_all
from storage.models import BlobRow, PatientRow
from tests.conftest import PHOTOS, drain_queue, make_member
from tests.workers.test_pipeline import consented_series, upload


async def test_rotation_moves_every_key_and_keeps_everything_readable(runtime):
    clinician = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await consented_series(runtime, clinician)
    photo = await upload(
        runtime, clinician, series.id, (PHOTOS / "orient_1_landscape.jpg").read_bytes()
    )
    await drain_queue(runtime)
    old_kid = load_keyring(None, runtime.settings.key_dir).active_kid

    new_kid = add_master_key(runtime.settings.key_dir)
    rotated = load_keyring(None, runtime.settings.key_dir)
    blobs, moved = await rewrap_all(rotated)

    assert new_kid != old_kid and blobs == 3 and moved == 1
    assert {row.kid for row in await BlobRow.all()} == {new_kid}
    assert all(row.name_sealed.startswith(f"{new_kid}.") for row in await PatientRow.all())
    assert await rewrap_all(rotated) == (0, 0)
    # The running ports still hold the old keyring; the rotated one opens everything too.
    patient = await patients.get_patient(runtime.ports, clinician, series.patient_id)
    assert patient.name and patient.cpr is not None
    _, stream, _ = await photos.open_variant(runtime.ports, clinician, photo.id, Variant.PREVIEW)
    assert b"".join(stream).startswith(b"\xff\xd8")
