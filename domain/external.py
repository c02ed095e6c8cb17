"""External upload: a colleague outside Sutura sends photos through a one-time link.

A member invites a work email; the mail carries a link whose token is stored only as its
hash. The link opens a page that can do one thing: send files. They go through the same
pipeline as any photo (encrypted as they arrive, processed by the worker) but belong to no
series: they wait in the cluster's inbox, visible to its clinicians only there, until one
files them into a series (with consent) or discards them. Unfiled uploads are destroyed
after a set time. The link holds for a set time and a bounded number of files and bytes.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain import throttling
from domain.accounts import normalise_email
from domain.audit import record
from domain.consent import ConsentForm, record_consent
from domain.errors import (
    Conflict,
    ConsentRequired,
    InvalidInput,
    LinkClosed,
    NotFound,
    NotPermitted,
)
from domain.mail import external_invite_mail
from domain.model import (
    Client,
    ExternalInvite,
    InviteState,
    Mail,
    Photo,
    PhotoStatus,
    Principal,
    Role,
    Variant,
)
from domain.patients import clean_text
from domain.photos import Intake, check_client_id, parse_instant, queue_processing
from domain.policy import (
    Action,
    has_photo_consent,
    require,
    require_series_visible,
)
from domain.ports import NewExternalInvite, NewPhoto, Ports
from domain.tokens import is_plausible_token, new_token, token_hash

LINK_PATH = "/x"
MAIL_ABOUT = "external_invite"
CLOSED = "This link no longer works. Ask the colleague who sent it for a new one."
FULL = "This link has taken all the files it may take. Ask the colleague who sent it for a new one."
WARN_DAYS_BEFORE = 7  # the dashboard warns this long before unfiled uploads are deleted
MAX_LISTED_INVITES = 200

# Each upload attempt counts (a good link too): a PC sending 30 files with retries fits.
LINK_TIERS: throttling.Tiers = ((120, 10 * 60), (400, 3600))
ADDRESS_TIERS: throttling.Tiers = ((200, 10 * 60), (800, 3600))
# Unknown, expired or revoked tokens: guessing is pointless (256 bits) and is kept slow.
BAD_TOKEN_TIERS: throttling.Tiers = ((20, 10 * 60), (60, 3600))


@dataclass(frozen=True)
class InviteForm:
    email: str
    patient_id: UUID | None = None
    series_id: UUID | None = None
    label: str = ""
    message: str = ""


@dataclass(frozen=True)
class InviteView:
    """An invite as its cluster sees it."""

    invite: ExternalInvite
    state: InviteState
    inviter: str


@dataclass(frozen=True)
class LinkView:
    """What the sender's page may show: who asks, for what, and how much may still be sent."""

    inviter: str
    cluster: str
    label: str | None
    message: str | None
    expires_at: datetime
    files_left: int
    bytes_left: int


@dataclass(frozen=True)
class InboxItem:
    photo: Photo
    sender: str
    message: str | None
    label: str | None
    invited_by: str
    deleted_on: datetime
    patient_id: UUID | None  # what the inviter said the photos are for
    series_id: UUID | None


@dataclass(frozen=True)
class FilingForm:
    series_id: UUID
    phase: str
    view: str
    consent: ConsentForm | None = None  # recorded first when the series lacks clinical consent


class LinkIntake(Intake):
    """A file arriving through a link; the byte limit is what the link has left."""

    def __init__(self, ports: Ports, invite: ExternalInvite) -> None:
        room = invite.max_bytes - invite.bytes_received
        limit = ports.limits.max_upload_bytes
        super().__init__(ports, min(limit, room) if room > 0 else limit)
        self.invite = invite


# --- the inviting member -----------------------------------------------------------------


async def create_invite(
    ports: Ports, principal: Principal, cluster_id: UUID, form: InviteForm
) -> ExternalInvite:
    """Invite a colleague by work email; the mail with the link goes out through the queue."""
    require(principal, Action.UPLOAD_PHOTOS, cluster_id, what="cluster")
    email = normalise_email(form.email)
    label = clean_text(form.label, "label", 120, required=False) or None
    message = clean_text(form.message, "message", 1000, required=False) or None
    patient_id, series_id = await _target(ports, principal, cluster_id, form)
    now, token = ports.clock(), new_token()
    limits = ports.limits
    invite = await ports.external.add(
        NewExternalInvite(
            cluster_id,
            principal.user.id,
            email,
            patient_id,
            series_id,
            label,
            message,
            token_hash(token),
            now,
            now + timedelta(days=limits.external_link_days),
            limits.external_max_files,
            limits.external_max_bytes,
        )
    )
    await _audit(ports, principal, "external.invite", invite)
    cluster = await ports.accounts.get_cluster(cluster_id)
    mail = external_invite_mail(
        email,
        principal.user.display_name,
        cluster.name if cluster else "",
        link_url(ports, token),
        invite.expires_at.strftime("%d %B %Y %H:%M UTC"),
        invite.max_files,
    )
    await ports.mailer.send(_about(mail, invite.id))
    return invite


def link_url(ports: Ports, token: str) -> str:
    """Built from the configured public address, never from a request's Host header."""
    return f"{ports.limits.public_url}{LINK_PATH}/{token}"


async def note_mailed(ports: Ports, about: str) -> None:
    """The worker delivered an invite's mail: note when, once, in the invite and the audit."""
    kind, _, raw_id = about.partition(":")
    if kind != MAIL_ABOUT:
        return
    invite = await ports.external.get(UUID(raw_id))
    if invite is None or not await ports.external.mark(invite.id, "mailed_at", ports.clock()):
        return
    await _audit(ports, None, "external.mail_sent", invite)


async def revoke(ports: Ports, principal: Principal, invite_id: UUID) -> ExternalInvite:
    """The inviter or a cluster admin ends a link at once; files already sent stay."""
    invite = await _visible_invite(ports, principal, invite_id)
    is_admin = principal.role_in(invite.cluster_id) == Role.CLUSTER_ADMIN
    if invite.created_by != principal.user.id and not is_admin:
        raise NotPermitted("Only the colleague who sent the link or a cluster admin may end it.")
    if await ports.external.mark(invite.id, "revoked_at", ports.clock()):
        await _audit(ports, principal, "external.revoke", invite)
    return await _visible_invite(ports, principal, invite_id)


async def invites(ports: Ports, principal: Principal, cluster_id: UUID) -> list[InviteView]:
    require(principal, Action.UPLOAD_PHOTOS, cluster_id, what="cluster")
    found = await ports.external.of_cluster(cluster_id, MAX_LISTED_INVITES)
    names = await ports.accounts.display_names([invite.created_by for invite in found])
    now = ports.clock()
    return [
        InviteView(invite, invite.state(now), names.get(invite.created_by, "")) for invite in found
    ]


# --- the sender's page -------------------------------------------------------------------


async def open_link(ports: Ports, token: str, client: Client) -> LinkView:
    """What the page shows; LinkClosed (saying nothing more) for a link that does not work."""
    invite = await _link(ports, token, client)
    keys = _upload_keys(invite, client)
    await throttling.check(ports, keys)
    await throttling.count(ports, keys)
    if await ports.external.mark(invite.id, "opened_at", ports.clock()):
        await _audit(ports, None, "external.link_opened", invite)  # the first opening
    cluster = await ports.accounts.get_cluster(invite.cluster_id)
    inviter = await ports.accounts.display_names([invite.created_by])
    return LinkView(
        inviter.get(invite.created_by, ""),
        cluster.name if cluster else "",
        invite.label,
        invite.message,
        invite.expires_at,
        invite.max_files - invite.files_received,
        invite.max_bytes - invite.bytes_received,
    )


async def begin_upload(ports: Ports, token: str, client: Client) -> LinkIntake:
    # A full link still reads the file, so a retry of a file it took is answered as such;
    # a new file is refused when it is committed.
    invite = await _link(ports, token, client, closed_ok=True)
    keys = _upload_keys(invite, client)
    await throttling.check(ports, keys)
    await throttling.count(ports, keys)
    return LinkIntake(ports, invite)


async def finish_upload(
    ports: Ports, intake: LinkIntake, client_id: str | None, captured_at: str | None
) -> tuple[Photo, bool]:
    """Commit a received file into the cluster's inbox and queue it; idempotent per client_id."""
    invite = intake.invite
    try:
        if intake.pending.size == 0:
            raise InvalidInput("The upload holds no file.", field="file")
        if ports.phone.transport.is_sealed(intake.head):
            raise InvalidInput("Send the photo file itself.", field="file")
        client_id = check_client_id(client_id or str(intake.photo_id))
        existing = await ports.photos.find_by_client_id(invite.id, client_id)
        if existing is not None:
            intake.discard()
            return existing, False
        new = NewPhoto(
            series_id=None,
            cluster_id=invite.cluster_id,
            phase="",  # chosen when the photo is filed
            view_id="",
            captured_at=parse_instant(captured_at, ports.clock()),
            captured_by=invite.id,
            client_id=client_id,
            sha256=intake.sha256,
            size_bytes=intake.pending.size,
            external_invite_id=invite.id,
        )
    except BaseException:
        intake.discard()
        raise
    photo = await ports.photos.commit_upload(intake.photo_id, new, intake.pending)
    if photo.id != intake.photo_id:  # a concurrent retry of the same file won
        return photo, False
    await record(
        ports,
        None,
        "external.file_received",
        cluster_id=invite.cluster_id,
        object_type="photo",
        object_id=photo.id,
    )
    await queue_processing(ports, photo.id)
    return photo, True


async def upload_status(ports: Ports, token: str, photo_id: UUID, client: Client) -> Photo:
    """How a file the page just sent is doing (received, ready or rejected with the reason)."""
    invite = await _link(ports, token, client, closed_ok=True)
    photo = await ports.photos.get(photo_id)
    if photo is None or photo.external_invite_id != invite.id:
        raise NotFound("No such file.")
    return photo


# --- the cluster's inbox -----------------------------------------------------------------


async def inbox(ports: Ports, principal: Principal, cluster_id: UUID) -> list[InboxItem]:
    """Unfiled external uploads of the cluster, for those who may see photos."""
    require(principal, Action.VIEW_PHOTOS, cluster_id, what="cluster")
    photos = await ports.photos.inbox(cluster_id)
    found = await ports.external.by_ids(
        [p.external_invite_id for p in photos if p.external_invite_id]
    )
    names = await ports.accounts.display_names([invite.created_by for invite in found.values()])
    keep = timedelta(days=ports.limits.external_unfiled_days)
    items = []
    for photo in photos:
        invite = found.get(photo.external_invite_id) if photo.external_invite_id else None
        if invite is None:
            continue
        items.append(
            InboxItem(
                photo,
                invite.email,
                invite.message,
                invite.label,
                names.get(invite.created_by, ""),
                photo.received_at + keep,
                invite.patient_id,
                invite.series_id,
            )
        )
    return items


async def expiring_count(ports: Ports, principal: Principal, cluster_id: UUID) -> int:
    """Unfiled uploads that will be deleted within WARN_DAYS_BEFORE days (for the dashboard)."""
    require(principal, Action.VIEW_PHOTOS, cluster_id, what="cluster")
    soon = ports.clock() + timedelta(days=WARN_DAYS_BEFORE)
    keep = timedelta(days=ports.limits.external_unfiled_days)
    return sum(
        1 for photo in await ports.photos.inbox(cluster_id) if photo.received_at + keep < soon
    )


async def get_unfiled(ports: Ports, principal: Principal, photo_id: UUID) -> Photo:
    photo = await ports.photos.get(photo_id)
    if (
        photo is None
        or photo.external_invite_id is None
        or photo.series_id is not None
        or photo.status == PhotoStatus.DESTROYED
    ):
        raise NotFound("No such upload.")
    require(principal, Action.VIEW_PHOTOS, photo.cluster_id, what="upload")
    return photo


async def open_unfiled_variant(
    ports: Ports, principal: Principal, photo_id: UUID, variant: Variant
) -> tuple[Photo, Iterator[bytes], str]:
    """A preview or thumbnail of an unfiled upload for the inbox; audited like any view."""
    photo = await get_unfiled(ports, principal, photo_id)
    if photo.status != PhotoStatus.READY or variant not in (Variant.PREVIEW, Variant.THUMBNAIL):
        raise NotFound("This upload is not ready to be shown.")
    await record(
        ports,
        principal,
        "photo.view",
        cluster_id=photo.cluster_id,
        object_type="photo",
        object_id=photo.id,
    )
    return photo, await ports.photos.open_stream(photo.id, variant), photo.content_types[variant]


async def file_upload(
    ports: Ports, principal: Principal, photo_id: UUID, form: FilingForm
) -> Photo:
    """Put a processed upload into a series of the cluster, recording consent if asked."""
    photo = await get_unfiled(ports, principal, photo_id)
    require(principal, Action.MANAGE_SERIES, photo.cluster_id, what="upload")
    if photo.status == PhotoStatus.REJECTED:
        raise Conflict("This file was refused; it can only be discarded.")
    if photo.status != PhotoStatus.READY:
        raise Conflict("This file is still being processed; try again in a moment.")
    series = await ports.clinical.get_series(form.series_id)
    if series is None or series.cluster_id != photo.cluster_id:
        raise NotFound("No such series.")
    require_series_visible(principal, series)
    if series.is_withdrawn:
        raise Conflict(
            "Consent for this series was withdrawn; its photos cannot be added to from here."
        )
    phase = ports.taxonomy.phase(form.phase).id
    view = ports.taxonomy.view(form.view).id
    if not has_photo_consent(series):
        if form.consent is None:
            raise ConsentRequired(
                "This series has no consent for clinical documentation; record it to file here."
            )
        series = await record_consent(ports, principal, series.id, form.consent)
    if not await ports.photos.file_into(photo.id, series.id, phase, view):
        raise Conflict("This file was filed or discarded meanwhile.")
    await record(
        ports,
        principal,
        "external.file_filed",
        cluster_id=photo.cluster_id,
        object_type="photo",
        object_id=photo.id,
    )
    filed = await ports.photos.get(photo.id)
    if filed is None:
        raise NotFound("No such upload.")
    return filed


async def discard(ports: Ports, principal: Principal, photo_id: UUID) -> None:
    """Destroy an unfiled upload: its keys and blobs go at once."""
    photo = await get_unfiled(ports, principal, photo_id)
    require(principal, Action.MANAGE_SERIES, photo.cluster_id, what="upload")
    if photo.status not in (PhotoStatus.READY, PhotoStatus.REJECTED):
        raise Conflict("This file is still being processed; try again in a moment.")
    if not await ports.photos.destroy_unfiled(photo.id, ports.clock()):
        raise Conflict("This file was filed or discarded meanwhile.")
    await record(
        ports,
        principal,
        "external.file_discarded",
        cluster_id=photo.cluster_id,
        object_type="photo",
        object_id=photo.id,
    )


async def destroy_unfiled(ports: Ports) -> int:
    """Cron: destroy unfiled uploads older than the setting, each audited."""
    cutoff = ports.clock() - timedelta(days=ports.limits.external_unfiled_days)
    destroyed = 0
    for photo in await ports.photos.unfiled_before(cutoff):
        if await ports.photos.destroy_unfiled(photo.id, ports.clock()):
            destroyed += 1
            await record(
                ports,
                None,
                "external.file_expired",
                cluster_id=photo.cluster_id,
                object_type="photo",
                object_id=photo.id,
            )
    return destroyed


# --- helpers -----------------------------------------------------------------------------


async def _link(
    ports: Ports, token: str, client: Client, *, closed_ok: bool = False
) -> ExternalInvite:
    plausible = is_plausible_token(token)
    invite = await ports.external.find_by_token(token_hash(token)) if plausible else None
    now = ports.clock()
    usable = invite is not None and (
        invite.accepts_files(now) or (closed_ok and invite.state(now) == InviteState.FULL)
    )
    if invite is None or not usable:
        if invite is not None and invite.state(now) == InviteState.FULL:
            raise LinkClosed(FULL)  # the sender knows it sent files: this tells nothing new
        # Only misses count, so a working link is never slowed by others' dead ones.
        bad_key = [(f"external:bad-token:{client.address}", BAD_TOKEN_TIERS)]
        await throttling.check(ports, bad_key)
        await throttling.count(ports, bad_key)
        raise LinkClosed(CLOSED)
    return invite


def _upload_keys(invite: ExternalInvite, client: Client) -> list[tuple[str, throttling.Tiers]]:
    return [
        (f"external:link:{invite.id}", LINK_TIERS),
        (f"external:address:{client.address}", ADDRESS_TIERS),
    ]


async def _target(
    ports: Ports, principal: Principal, cluster_id: UUID, form: InviteForm
) -> tuple[UUID | None, UUID | None]:
    """The optional patient and series the photos are for, checked to be the member's."""
    if form.series_id is not None:
        series = await ports.clinical.get_series(form.series_id)
        if series is None or series.cluster_id != cluster_id:
            raise NotFound("No such series.")
        require_series_visible(principal, series)
        if form.patient_id is not None and form.patient_id != series.patient_id:
            raise InvalidInput("The series belongs to another patient.", field="series_id")
        return series.patient_id, series.id
    if form.patient_id is not None:
        patient = await ports.clinical.get_patient(form.patient_id)
        if patient is None or patient.cluster_id != cluster_id:
            raise NotFound("No such patient.")
        require(principal, Action.VIEW_PATIENTS, cluster_id, what="patient")
        return patient.id, None
    return None, None


async def _visible_invite(ports: Ports, principal: Principal, invite_id: UUID) -> ExternalInvite:
    invite = await ports.external.get(invite_id)
    if invite is None:
        raise NotFound("No such invite.")
    require(principal, Action.UPLOAD_PHOTOS, invite.cluster_id, what="invite")
    return invite


def _about(mail: Mail, invite_id: UUID) -> Mail:
    return Mail(mail.to, mail.subject, mail.body, about=f"{MAIL_ABOUT}:{invite_id}")


async def _audit(
    ports: Ports, principal: Principal | None, action: str, invite: ExternalInvite
) -> None:
    await record(
        ports,
        principal,
        action,
        cluster_id=invite.cluster_id,
        object_type="external_invite",
        object_id=invite.id,
    )
