"""External upload in the domain with real parts: databases, Redis, the arq worker, .eml mail."""

import asyncio
import re
import uuid
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from domain import external, patients
from domain.consent import ALL_SCOPES, ConsentForm, record_consent, withdraw_consent
from domain.errors import Conflict, LinkClosed, NotFound, NotPermitted, Throttled
from domain.external import FilingForm, InviteForm
from domain.model import AuditQuery, Client, PhotoStatus, Role, Scope
from domain.patients import PatientForm, SeriesForm
from tests.conftest import PHOTOS, drain_queue, make_member

SENDER = Client("192.0.2.10")
PHOTO = (PHOTOS / "orient_6_landscape.jpg").read_bytes()
CLINICAL_CONSENT = ConsentForm((Scope.CLINICAL.value,), "patient", "verbal")


def set_limits(runtime, **changes):
    object.__setattr__(runtime.ports, "limits", replace(runtime.ports.limits, **changes))


def move_clock(runtime, **delta):
    later = runtime.ports.clock() + timedelta(**delta)
    object.__setattr__(runtime.ports, "clock", lambda: later)


def mails(runtime):
    found = []
    for path in sorted(runtime.settings.mail_dir.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        found.append((message["To"], message.get_content()))
    return found


async def invite(runtime, member, **form):
    cluster_id = next(iter(member.memberships))
    made = await external.create_invite(
        runtime.ports, member, cluster_id, InviteForm("colleague@hospital.example", **form)
    )
    await drain_queue(runtime)
    token = re.search(r"/x/([A-Za-z0-9_-]{43})", mails(runtime)[-1][1]).group(1)
    return made, token


async def send(runtime, token, data=PHOTO, client_id=None):
    intake = await external.begin_upload(runtime.ports, token, SENDER)
    intake.write(data)
    return await external.finish_upload(runtime.ports, intake, client_id, None)


async def new_series(runtime, member, *, consent):
    ports = runtime.ports
    cluster_id = next(iter(member.memberships))
    patient = await patients.create_patient(
        ports, member, PatientForm(cluster_id, "Anna Hansen", random_cpr())
    )
    series = await patients.create_series(
        ports, member, patient.id, SeriesForm("face", None, ("DC430",), (), None)
    )
    if consent:
        await record_consent(ports, member, series.id, CLINICAL_CONSENT)
    return series


def random_cpr():
    # Serials below 4000 put birth in the 1900s, so any random one is valid.
    return f"0101{uuid.uuid4().int % 100:02d}-{uuid.uuid4().int % 4000:04d}"


async def test_the_invite_mail_names_no_patient_and_is_noted_once_delivered(runtime):
    member = await make_member(runtime, "Plastic", Role.CLINICIAN)
    series = await new_series(runtime, member, consent=True)

    made, token = await invite(
        runtime, member, series_id=series.id, label="Anna Hansen, lip", message="Anna's lip"
    )
    noted = await runtime.ports.external.get(made.id)
    sent = await runtime.ports.audit.entries(AuditQuery(action="external.mail_sent"))
    (to, body), *_ = mails(runtime)

    assert to == "colleague@hospital.example"
    assert "Anna" not in body and "010190" not in body and f"/x/{token}" in body
    assert body.count(runtime.ports.limits.public_url) == 1
    assert noted.mailed_at is not None and noted.patient_id == series.patient_id
    assert [entry.object_id for entry in sent] == [str(made.id)]


async def test_two_files_racing_for_the_last_place_keep_one(any_runtime):
    runtime = any_runtime
    set_limits(runtime, external_max_files=1)
    member = await make_member(runtime, "Plastic", Role.CLINICIAN)
    _, token = await invite(runtime, member)
    first = await external.begin_upload(runtime.ports, token, SENDER)
    second = await external.begin_upload(runtime.ports, token, SENDER)
    first.write(PHOTO)
    second.write(PHOTO)
    blobs_before = set(runtime.settings.blob_dir.rglob("*"))

    outcomes = await asyncio.gather(
        external.finish_upload(runtime.ports, first, "a", None),
        external.finish_upload(runtime.ports, second, "b", None),
        return_exceptions=True,
    )
    inbox = await external.inbox(runtime.ports, member, next(iter(member.memberships)))

    assert sorted(type(o).__name__ for o in outcomes) == ["LinkClosed", "tuple"]
    assert len(inbox) == 1
    new_files = {p for p in set(runtime.settings.blob_dir.rglob("*")) - blobs_before if p.is_file()}
    assert len(new_files) == 1  # the loser's encrypted bytes were deleted
    with pytest.raises(LinkClosed):
        await send(runtime, token)


async def test_an_expired_or_revoked_link_tells_nothing_but_that_it_is_closed(runtime):
    member = await make_member(runtime, "Plastic", Role.CLINICIAN)
    other = await make_member(runtime, "Plastic", Role.CLINICIAN)
    admin = await make_member(runtime, "Plastic", Role.CLUSTER_ADMIN)
    expiring, old_token = await invite(runtime, member, label="Secret label")
    revoked, revoked_token = await invite(runtime, member)

    with pytest.raises(NotPermitted):
        await external.revoke(runtime.ports, other, revoked.id)
    await external.revoke(runtime.ports, admin, revoked.id)
    move_clock(runtime, days=7, minutes=1)

    for token in (old_token, revoked_token, "x" * 43, "short"):
        with pytest.raises(LinkClosed) as closed:
            await external.open_link(runtime.ports, token, SENDER)
        assert closed.value.message == external.CLOSED
    states = {
        v.invite.id: v.state.value
        for v in await external.invites(runtime.ports, member, expiring.cluster_id)
    }
    assert states == {expiring.id: "expired", revoked.id: "revoked"}


async def test_unfiled_uploads_are_announced_then_destroyed_with_their_keys(any_runtime):
    runtime = any_runtime
    member = await make_member(runtime, "Plastic", Role.CLINICIAN)
    cluster_id = next(iter(member.memberships))
    _, token = await invite(runtime, member)
    photo, _ = await send(runtime, token)
    await drain_queue(runtime)

    move_clock(runtime, days=22)
    early = await external.expiring_count(runtime.ports, member, cluster_id)
    assert await external.destroy_unfiled(runtime.ports) == 0
    move_clock(runtime, days=2)
    warned = await external.expiring_count(runtime.ports, member, cluster_id)
    move_clock(runtime, days=7)
    destroyed = await external.destroy_unfiled(runtime.ports)
    again = await external.destroy_unfiled(runtime.ports)
    gone = await runtime.ports.photos.get(photo.id)
    expired = await runtime.ports.audit.entries(AuditQuery(action="external.file_expired"))

    assert (early, warned, destroyed, again) == (0, 1, 1, 0)
    assert gone.status == PhotoStatus.DESTROYED
    assert await external.inbox(runtime.ports, member, cluster_id) == []
    assert [entry.object_id for entry in expired] == [str(photo.id)]
    assert [p for p in runtime.settings.blob_dir.rglob("*") if p.is_file()] == []


async def test_filing_needs_consent_a_ready_file_and_a_series_of_the_same_cluster(runtime):
    member = await make_member(runtime, "Plastic", Role.CLINICIAN)
    stranger = await make_member(runtime, "Hand", Role.CLINICIAN)
    secretary = await make_member(runtime, "Plastic", Role.SECRETARY)
    _, token = await invite(runtime, member)
    photo, _ = await send(runtime, token)
    waiting = FilingForm(
        (await new_series(runtime, member, consent=True)).id, "pre_op", "face_frontal"
    )

    with pytest.raises(Conflict):  # not processed yet
        await external.file_upload(runtime.ports, member, photo.id, waiting)
    with pytest.raises(Conflict):
        await external.discard(runtime.ports, member, photo.id)
    await drain_queue(runtime)
    foreign = await new_series(runtime, stranger, consent=True)
    unconsented = await new_series(runtime, member, consent=False)
    with pytest.raises(NotFound):
        await external.file_upload(
            runtime.ports, member, photo.id, FilingForm(foreign.id, "pre_op", "face_frontal")
        )
    with pytest.raises(NotFound):
        await external.get_unfiled(runtime.ports, stranger, photo.id)
    with pytest.raises(NotPermitted):
        await external.inbox(runtime.ports, secretary, photo.cluster_id)
    filed = await external.file_upload(
        runtime.ports,
        member,
        photo.id,
        FilingForm(unconsented.id, "post_op", "face_frontal", CLINICAL_CONSENT),
    )
    series = await patients.get_series(runtime.ports, member, unconsented.id)

    assert filed.series_id == unconsented.id and filed.phase == "post_op"
    assert series.has_consent(Scope.CLINICAL)
    with pytest.raises(NotFound):  # filed: no longer in the inbox
        await external.discard(runtime.ports, member, photo.id)


async def test_filing_and_discarding_at_once_leave_one_outcome(any_runtime):
    runtime = any_runtime
    member = await make_member(runtime, "Plastic", Role.CLINICIAN)
    _, token = await invite(runtime, member)
    photo, _ = await send(runtime, token)
    await drain_queue(runtime)
    series = await new_series(runtime, member, consent=True)
    form = FilingForm(series.id, "pre_op", "face_frontal")

    outcomes = await asyncio.gather(
        external.file_upload(runtime.ports, member, photo.id, form),
        external.discard(runtime.ports, member, photo.id),
        return_exceptions=True,
    )
    after = await runtime.ports.photos.get(photo.id)

    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failed) == 1 and isinstance(failed[0], Conflict | NotFound)
    filed = after.series_id is not None
    assert filed == (after.status == PhotoStatus.READY)  # filed and kept, or unfiled and gone


async def test_a_withdrawn_series_takes_no_external_photo_even_with_consent_offered(runtime):
    admin = await make_member(runtime, "Plastic", Role.CLUSTER_ADMIN)
    _, token = await invite(runtime, admin)
    photo, _ = await send(runtime, token)
    await drain_queue(runtime)
    series = await new_series(runtime, admin, consent=True)
    await withdraw_consent(runtime.ports, admin, series.id, ALL_SCOPES, "asked by phone", "phone")

    with pytest.raises(Conflict):
        await external.file_upload(
            runtime.ports,
            admin,
            photo.id,
            FilingForm(series.id, "pre_op", "face_frontal", CLINICAL_CONSENT),
        )
    assert (await patients.get_series(runtime.ports, admin, series.id)).is_withdrawn


async def test_openings_are_audited_once_and_dead_links_do_not_slow_working_ones(runtime):
    member = await make_member(runtime, "Plastic", Role.CLINICIAN)
    made, token = await invite(runtime, member)

    for _ in range(3):
        await external.open_link(runtime.ports, token, SENDER)
    for _ in range(external.BAD_TOKEN_TIERS[0][0]):
        with pytest.raises(LinkClosed):
            await external.open_link(runtime.ports, "y" * 43, SENDER)
    still = await external.open_link(runtime.ports, token, SENDER)
    opened = await runtime.ports.audit.entries(AuditQuery(action="external.link_opened"))

    assert [entry.object_id for entry in opened] == [str(made.id)]
    assert still.files_left == runtime.ports.limits.external_max_files
    with pytest.raises(Throttled):  # guessing, though, is slowed down
        await external.open_link(runtime.ports, "z" * 43, SENDER)
