"""External upload over REST: the members' side (invites, inbox, filing) and the link's side.

The link's routes take the link's token in the X-Sutura-Link header, never a session: a
token opens these three routes and nothing else, and a session opens none of them.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from api.clinical import ConsentIn, Strict
from api.deps import ClientDep, PortsDep, PrincipalDep
from api.photos import SERVED_HEADERS, check_declared_size, interrupted, receive_file
from api.schemas import PhotoOut, photo_out
from domain import external
from domain.consent import ConsentForm
from domain.external import FilingForm, InboxItem, InviteForm, InviteView
from domain.model import Photo, PhotoStatus, Variant

router = APIRouter(tags=["external upload"])
# Optional, so that a call without it gets the same 410 as a dead link.
LinkToken = Annotated[str, Header(alias="X-Sutura-Link", max_length=512)]


class InviteIn(Strict):
    email: str = Field(max_length=254)
    patient_id: UUID | None = None
    series_id: UUID | None = None
    label: str = Field(default="", max_length=120, description="shown to the sender")
    message: str = Field(default="", max_length=1000, description="shown to the sender")


class InviteOut(BaseModel):
    id: UUID
    cluster_id: UUID
    email: str
    state: str
    invited_by: str
    patient_id: UUID | None
    series_id: UUID | None
    label: str | None
    message: str | None
    created_at: datetime
    expires_at: datetime
    mailed_at: datetime | None
    opened_at: datetime | None
    files_received: int
    max_files: int


class InboxOut(BaseModel):
    photo: PhotoOut
    sender: str
    message: str | None
    label: str | None
    invited_by: str
    deleted_on: datetime
    patient_id: UUID | None
    series_id: UUID | None


class FileIn(Strict):
    series_id: UUID
    phase: str = Field(max_length=32)
    view: str = Field(max_length=64)
    consent: ConsentIn | None = Field(
        default=None, description="recorded first when the series lacks clinical consent"
    )


class LinkOut(BaseModel):
    inviter: str
    cluster: str
    label: str | None
    message: str | None
    expires_at: datetime
    files_left: int
    bytes_left: int
    max_file_bytes: int


class ReceiptOut(BaseModel):
    """What the sender may know of a file they sent: no image, no patient, no series."""

    id: UUID
    status: str
    reason: str | None
    size_bytes: int
    sha256: str
    received_at: datetime


@router.post("/clusters/{cluster_id}/external-invites", status_code=201)
async def create_invite(
    cluster_id: UUID, body: InviteIn, principal: PrincipalDep, ports: PortsDep
) -> InviteOut:
    form = InviteForm(body.email, body.patient_id, body.series_id, body.label, body.message)
    invite = await external.create_invite(ports, principal, cluster_id, form)
    state = invite.state(ports.clock())
    return _invite_out(InviteView(invite, state, principal.user.display_name))


@router.get("/clusters/{cluster_id}/external-invites")
async def list_invites(
    cluster_id: UUID, principal: PrincipalDep, ports: PortsDep
) -> list[InviteOut]:
    return [_invite_out(view) for view in await external.invites(ports, principal, cluster_id)]


@router.post("/external-invites/{invite_id}/revoke")
async def revoke_invite(invite_id: UUID, principal: PrincipalDep, ports: PortsDep) -> InviteOut:
    invite = await external.revoke(ports, principal, invite_id)
    names = await ports.accounts.display_names([invite.created_by])
    view = InviteView(invite, invite.state(ports.clock()), names.get(invite.created_by, ""))
    return _invite_out(view)


@router.get("/clusters/{cluster_id}/external-uploads")
async def list_inbox(cluster_id: UUID, principal: PrincipalDep, ports: PortsDep) -> list[InboxOut]:
    return [_inbox_out(item) for item in await external.inbox(ports, principal, cluster_id)]


@router.get(
    "/external-uploads/{photo_id}/{variant}",
    response_class=StreamingResponse,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
async def get_unfiled_variant(
    photo_id: UUID, variant: Variant, principal: PrincipalDep, ports: PortsDep
) -> StreamingResponse:
    """The preview or thumbnail of an unfiled upload (filed photos are served as photos)."""
    _, stream, content_type = await external.open_unfiled_variant(
        ports, principal, photo_id, variant
    )
    return StreamingResponse(stream, media_type=content_type, headers=SERVED_HEADERS)


@router.post("/external-uploads/{photo_id}/file")
async def file_upload(
    photo_id: UUID, body: FileIn, principal: PrincipalDep, ports: PortsDep
) -> PhotoOut:
    consent = None
    if body.consent is not None:
        consent = ConsentForm(
            tuple(body.consent.scopes), body.consent.given_by, body.consent.method
        )
    form = FilingForm(body.series_id, body.phase, body.view, consent)
    return photo_out(await external.file_upload(ports, principal, photo_id, form))


@router.delete("/external-uploads/{photo_id}", status_code=204)
async def discard_upload(photo_id: UUID, principal: PrincipalDep, ports: PortsDep) -> None:
    await external.discard(ports, principal, photo_id)


# --- the link's side ---------------------------------------------------------------------


@router.get("/link")
async def open_link(client: ClientDep, ports: PortsDep, token: LinkToken = "") -> LinkOut:
    """What the sender's page shows. 410 for a link that does not work, whatever the reason."""
    view = await external.open_link(ports, token, client)
    return LinkOut(
        inviter=view.inviter,
        cluster=view.cluster,
        label=view.label,
        message=view.message,
        expires_at=view.expires_at,
        files_left=view.files_left,
        bytes_left=view.bytes_left,
        max_file_bytes=ports.limits.max_upload_bytes,
    )


@router.post(
    "/link/files",
    status_code=202,
    responses={200: {"description": "The same client_id was sent before"}},
)
async def send_file(
    request: Request, client: ClientDep, ports: PortsDep, token: LinkToken = ""
) -> JSONResponse:
    """Multipart fields: file, client_id (retries with the same id are kept once), and
    optionally captured_at (ISO 8601)."""
    check_declared_size(request, ports.limits.max_upload_bytes)
    intake = await external.begin_upload(ports, token, client)
    fields = await receive_file(request, intake)
    if fields is None:
        return interrupted()
    photo, is_new = await external.finish_upload(
        ports, intake, fields.get("client_id"), fields.get("captured_at")
    )
    body = _receipt(photo).model_dump(mode="json")
    return JSONResponse(body, status_code=202 if is_new else 200)


@router.get("/link/files/{photo_id}")
async def file_receipt(
    photo_id: UUID, client: ClientDep, ports: PortsDep, token: LinkToken = ""
) -> ReceiptOut:
    """How a file this link sent is doing: received, ready, or refused with the reason."""
    return _receipt(await external.upload_status(ports, token, photo_id, client))


def _receipt(photo: Photo) -> ReceiptOut:
    """received, ready, rejected (with the reason) or discarded (by the cluster)."""
    status = {PhotoStatus.PROCESSING: "received", PhotoStatus.DESTROYED: "discarded"}.get(
        photo.status, photo.status.value
    )
    return ReceiptOut(
        id=photo.id,
        status=status,
        reason=photo.reject_reason,
        size_bytes=photo.size_bytes,
        sha256=photo.sha256,
        received_at=photo.received_at,
    )


def _invite_out(view: InviteView) -> InviteOut:
    invite = view.invite
    return InviteOut(
        id=invite.id,
        cluster_id=invite.cluster_id,
        email=invite.email,
        state=view.state.value,
        invited_by=view.inviter,
        patient_id=invite.patient_id,
        series_id=invite.series_id,
        label=invite.label,
        message=invite.message,
        created_at=invite.created_at,
        expires_at=invite.expires_at,
        mailed_at=invite.mailed_at,
        opened_at=invite.opened_at,
        files_received=invite.files_received,
        max_files=invite.max_files,
    )


def _inbox_out(item: InboxItem) -> InboxOut:
    return InboxOut(
        photo=photo_out(item.photo),
        sender=item.sender,
        message=item.message,
        label=item.label,
        invited_by=item.invited_by,
        deleted_on=item.deleted_on,
        patient_id=item.patient_id,
        series_id=item.series_id,
    )
