"""Photos: accepting an upload, processing it into derivatives, and reading it back.

An upload is streamed into encrypted storage and committed before it is acknowledged;
only then is the processing job queued. Reads check membership, role and consent first.
"""

import hashlib
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.audit import record
from domain.errors import (
    Conflict,
    ConsentRequired,
    InvalidImage,
    InvalidInput,
    NotFound,
    TooLarge,
    Wording,
    worded,
)
from domain.model import Photo, PhotoStatus, Principal, Scope, Series, Variant
from domain.policy import (
    Action,
    has_photo_consent,
    may_see_photos,
    require,
    require_photos_visible,
    require_series_visible,
)
from domain.ports import NewPhoto, PendingUpload, Ports, QueueUnavailable, Rendition

logger = logging.getLogger(__name__)

_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
APP_ENCRYPTION = "rsa-oaep-256+a256gcm"  # the phone app's envelope (storage/transport_key.py)
_INSTANT = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})$",
    re.ASCII,
)
FINAL = (PhotoStatus.READY, PhotoStatus.REJECTED, PhotoStatus.DESTROYED)
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(hours=1)


def photo_size_limit(limit_bytes: int) -> Wording:
    return worded(
        "A photo may be at most %(megabytes)s MB here.", megabytes=max(limit_bytes // 2**20, 1)
    )


@dataclass(frozen=True)
class UploadForm:
    phase: str
    view: str
    captured_at: str | None = None
    client_id: str | None = None
    encryption: str | None = None  # APP_ENCRYPTION when the file is the phone app's envelope
    key_id: str | None = None


@dataclass(frozen=True)
class RenderedPhoto:
    width: int
    height: int
    renditions: Sequence[Rendition]


Renderer = Callable[[bytes], Awaitable[RenderedPhoto]]


class Intake:
    """An upload in progress; write() enforces the size limit (a photo's, or a link's rest)."""

    def __init__(self, ports: Ports, limit: int) -> None:
        self.photo_id = uuid.uuid4()
        self._limit = limit
        self._digest = hashlib.sha256()
        self.head = b""  # the first bytes, to tell an encrypted envelope from a photo
        self.pending: PendingUpload = ports.photos.start_upload(self.photo_id)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def write(self, chunk: bytes) -> None:
        if self.pending.size + len(chunk) > self._limit:
            raise TooLarge(photo_size_limit(self._limit))
        self._digest.update(chunk)
        if len(self.head) < 16:
            self.head = (self.head + chunk)[:16]
        self.pending.write(chunk)

    def discard(self) -> None:
        self.pending.discard()


async def begin_upload(ports: Ports, principal: Principal, series_id: UUID) -> "SeriesIntake":
    """Check the member may add photos to the series now; raises NotFound or ConsentRequired."""
    series = await _series_for_upload(ports, principal, series_id)
    return SeriesIntake(ports, series)


class SeriesIntake(Intake):
    """An upload by a member into one series."""

    def __init__(self, ports: Ports, series: Series) -> None:
        super().__init__(ports, ports.limits.max_upload_bytes)
        self.series = series


async def finish_upload(
    ports: Ports, principal: Principal, intake: SeriesIntake, form: UploadForm
) -> tuple[Photo, bool]:
    """Commit the upload and queue processing; returns the photo and whether it is new."""
    try:
        new = await _new_photo(ports, principal, intake, form)
        existing = await ports.photos.find_by_client_id(principal.user.id, new.client_id)
        if existing is not None:
            intake.discard()
            return _same_upload(existing, intake.series), False
        series = await _series_for_upload(ports, principal, intake.series.id)
    except BaseException:
        intake.discard()
        raise
    photo = await ports.photos.commit_upload(intake.photo_id, new, intake.pending)
    if photo.id != intake.photo_id:  # a concurrent retry with the same client id won the race
        return _same_upload(photo, series), False
    await record(
        ports,
        principal,
        "photo.upload",
        cluster_id=series.cluster_id,
        object_type="photo",
        object_id=photo.id,
    )
    await queue_processing(ports, photo.id)
    return photo, True


async def queue_processing(ports: Ports, photo_id: UUID) -> None:
    try:
        await ports.queue.enqueue_photo(photo_id)
    except QueueUnavailable:
        # The upload is committed, so it is acknowledged; the stale sweep queues it later.
        logger.warning("photo %s committed but not queued; the sweep will queue it", photo_id)


async def process_photo(ports: Ports, photo_id: UUID, render: Renderer) -> PhotoStatus:
    """Make the derivatives of a received photo, or reject it; safe to run more than once."""
    photo = await ports.photos.get(photo_id)
    if photo is None:
        logger.warning("photo %s vanished before processing", photo_id)
        return PhotoStatus.REJECTED
    if photo.status in FINAL:
        return photo.status
    await ports.photos.set_status(photo_id, PhotoStatus.PROCESSING)
    data = await ports.photos.read_variant(photo_id, Variant.UPLOAD)
    try:
        rendered = await render(data)
    except InvalidImage as refusal:
        await ports.photos.reject(photo_id, refusal.message)
        await record(
            ports,
            None,
            "photo.reject",
            cluster_id=photo.cluster_id,
            object_type="photo",
            object_id=photo_id,
        )
        return PhotoStatus.REJECTED
    await ports.photos.complete(photo_id, rendered.renditions, rendered.width, rendered.height)
    return PhotoStatus.READY


async def give_up(ports: Ports, photo_id: UUID, reason: str) -> None:
    """Reject a photo that cannot be processed at all, so it never stays pending forever."""
    photo = await ports.photos.get(photo_id)
    if photo is None or photo.status in FINAL:
        return
    await ports.photos.reject(photo_id, reason)
    await record(
        ports,
        None,
        "photo.reject",
        cluster_id=photo.cluster_id,
        object_type="photo",
        object_id=photo_id,
        outcome="failed",
    )


async def requeue_stale(ports: Ports, older_than: datetime) -> int:
    """Queue again photos still pending since before `older_than` (a lost job, a dead worker)."""
    stale = await ports.photos.unfinished(received_before=older_than)
    for photo_id in stale:
        await ports.queue.enqueue_photo(photo_id)
    return len(stale)


async def get_photo(ports: Ports, principal: Principal, photo_id: UUID) -> Photo:
    """Photo metadata, if the member may see photos of its series under clinical consent."""
    photo, _ = await _visible_photo(ports, principal, photo_id)
    return photo


async def photos_of_series(ports: Ports, principal: Principal, series: Series) -> list[Photo]:
    """The series' photos, or none when its clinical consent is missing or withdrawn."""
    require_series_visible(principal, series)
    if not may_see_photos(principal, series):
        return []
    found = await ports.photos.photos_of_series(series.id)
    return [photo for photo in found if photo.status != PhotoStatus.DESTROYED]


async def open_variant(
    ports: Ports, principal: Principal, photo_id: UUID, variant: Variant
) -> tuple[Photo, Iterator[bytes], str]:
    """Decrypting stream of a served variant and its content type; audited."""
    photo, series = await _visible_photo(ports, principal, photo_id)
    if photo.status != PhotoStatus.READY or variant not in photo.content_types:
        raise NotFound("This photo is not ready to be shown.")
    action = "photo.download" if variant == Variant.ORIGINAL else "photo.view"
    await record(
        ports,
        principal,
        action,
        cluster_id=series.cluster_id,
        object_type="photo",
        object_id=photo.id,
    )
    return photo, await ports.photos.open_stream(photo.id, variant), photo.content_types[variant]


async def _visible_photo(
    ports: Ports, principal: Principal, photo_id: UUID
) -> tuple[Photo, Series]:
    photo = await ports.photos.get(photo_id)
    series = await ports.clinical.get_series(photo.series_id) if photo and photo.series_id else None
    if photo is None or series is None or photo.status == PhotoStatus.DESTROYED:
        raise NotFound("No such photo.")
    require_series_visible(principal, series)
    require_photos_visible(principal, series)
    return photo, series


async def _series_for_upload(ports: Ports, principal: Principal, series_id: UUID) -> Series:
    series = await ports.clinical.get_series(series_id)
    if series is None:
        raise NotFound("No such series.")
    require(principal, Action.UPLOAD_PHOTOS, series.cluster_id, what="series")
    require_series_visible(principal, series)
    if not has_photo_consent(series, Scope.CLINICAL):
        raise ConsentRequired(
            "This series has no consent for clinical documentation; record it before adding photos."
        )
    return series


async def _new_photo(
    ports: Ports, principal: Principal, intake: SeriesIntake, form: UploadForm
) -> NewPhoto:
    if intake.pending.size == 0:
        raise InvalidInput("The upload holds no file.", field="file")
    _check_encryption(ports, intake, form)
    phase = ports.taxonomy.phase(form.phase).id
    view = ports.taxonomy.view(form.view).id
    client_id = check_client_id(form.client_id or str(intake.photo_id))
    captured_at = parse_instant(form.captured_at, ports.clock())
    return NewPhoto(
        intake.series.id,
        intake.series.cluster_id,
        phase,
        view,
        captured_at,
        principal.user.id,
        client_id,
        intake.sha256,
        intake.pending.size,
    )


def check_client_id(client_id: str) -> str:
    if not _CLIENT_ID.match(client_id):
        raise InvalidInput("client_id has 1 to 100 letters, digits or . _ : -", field="client_id")
    return client_id


def _check_encryption(ports: Ports, intake: Intake, form: UploadForm) -> None:
    is_sealed = ports.phone.transport.is_sealed(intake.head)
    if not form.encryption:
        if is_sealed:
            raise InvalidInput("An encrypted upload must name its encryption.", field="encryption")
        return
    if form.encryption != APP_ENCRYPTION or not is_sealed:
        raise InvalidInput(f"encryption must be {APP_ENCRYPTION} with its envelope.", "encryption")
    if form.key_id != ports.phone.transport.key_id:
        raise Conflict(
            "The photo was encrypted to an old server key; the app must fetch the new one."
        )


def parse_instant(value: str | None, now: datetime) -> datetime | None:
    if not value:
        return None
    if not _INSTANT.match(value):
        raise InvalidInput(
            "captured_at must be an ISO 8601 time such as 2026-12-04T14:32:00+01:00.",
            field="captured_at",
        )
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("captured_at must be an ISO 8601 time.", field="captured_at") from None
    if instant.tzinfo is None:
        raise InvalidInput("captured_at must include a time zone.", field="captured_at")
    instant = instant.astimezone(UTC)
    if instant.year < 1990 or instant > now + CLOCK_SKEW:
        raise InvalidInput("captured_at is not a plausible time.", field="captured_at")
    return instant


def _same_upload(photo: Photo, series: Series) -> Photo:
    if photo.series_id != series.id:
        raise Conflict("This client_id was already used for a photo in another series.")
    return photo


async def move_photo(
    ports: Ports, principal: Principal, photo_id: UUID, target_series_id: UUID
) -> Photo:
    """Move a photo to another series of the same patient; audited."""
    photo, series = await _visible_photo(ports, principal, photo_id)
    require(principal, Action.MANAGE_SERIES, series.cluster_id, what="photo")
    target = await ports.clinical.get_series(target_series_id)
    if target is None or target.patient_id != series.patient_id:
        raise NotFound("No such series for this patient.")
    require_series_visible(principal, target)
    if target.id == series.id:
        raise Conflict("The photo is already in this series.")
    if not has_photo_consent(target, Scope.CLINICAL):
        raise ConsentRequired("The other series has no consent for clinical documentation.")
    await ports.photos.move(photo.id, target.id)
    await record(
        ports,
        principal,
        "photo.move",
        cluster_id=series.cluster_id,
        object_type="photo",
        object_id=photo.id,
    )
    return await get_photo(ports, principal, photo.id)
