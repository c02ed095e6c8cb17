"""Photo upload (streamed, encrypted, then acknowledged) and serving (checked, decrypted)."""

import logging
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.requests import ClientDisconnect

from api.deps import PortsDep, PrincipalDep
from api.multipart import StreamingForm
from api.schemas import PhotoOut, photo_out
from domain import photos
from domain.errors import NotFound, TooLarge
from domain.model import Variant
from domain.photos import Intake, UploadForm, photo_size_limit

logger = logging.getLogger(__name__)
router = APIRouter(tags=["photos"])

# Room for the multipart envelope and the small fields around the file.
ENVELOPE_BYTES = 64 * 1024
SERVED_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
}


def interrupted() -> JSONResponse:
    return JSONResponse({"detail": "The upload was interrupted."}, status_code=400)


def check_declared_size(request: Request, limit: int) -> None:
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + ENVELOPE_BYTES:
        raise TooLarge(photo_size_limit(limit))


async def receive_file(request: Request, intake: Intake) -> dict[str, str] | None:
    """Stream the multipart body's file into the intake (encrypted as it arrives); the other
    fields, or None when the client went away (nothing is kept then)."""
    try:
        form = StreamingForm(request.headers.get("content-type", ""), "file", intake.write)
        await form.read(request.stream())
    except ClientDisconnect:
        intake.discard()
        logger.info("an upload was abandoned by the client")
        return None
    except BaseException:
        intake.discard()
        raise
    return form.fields


@router.post(
    "/series/{series_id}/photos",
    status_code=202,
    responses={200: {"description": "The same client_id was uploaded before"}},
)
async def upload_photo(
    series_id: UUID, request: Request, principal: PrincipalDep, ports: PortsDep
) -> JSONResponse:
    """Multipart fields: file, phase, view, captured_at (ISO 8601), client_id; from the phone
    app also encryption (rsa-oaep-256+a256gcm) and key_id, the file being the envelope."""
    check_declared_size(request, ports.limits.max_upload_bytes)
    intake = await photos.begin_upload(ports, principal, series_id)
    fields = await receive_file(request, intake)
    if fields is None:
        return interrupted()
    upload = UploadForm(
        fields.get("phase", ""),
        fields.get("view", ""),
        fields.get("captured_at"),
        fields.get("client_id"),
        fields.get("encryption"),
        fields.get("key_id"),
    )
    photo, is_new = await photos.finish_upload(ports, principal, intake, upload)
    body = photo_out(photo).model_dump(mode="json")
    return JSONResponse(
        body, status_code=202 if is_new else 200, headers={"Location": f"/api/v1/photos/{photo.id}"}
    )


@router.get("/photos/{photo_id}")
async def get_photo(photo_id: UUID, principal: PrincipalDep, ports: PortsDep) -> PhotoOut:
    return photo_out(await photos.get_photo(ports, principal, photo_id))


@router.get(
    "/photos/{photo_id}/{variant}",
    response_class=StreamingResponse,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}},
)
async def get_photo_variant(
    photo_id: UUID, variant: Variant, principal: PrincipalDep, ports: PortsDep
) -> StreamingResponse:
    if variant == Variant.UPLOAD:
        raise NotFound("No such photo variant.")
    photo, stream, content_type = await photos.open_variant(ports, principal, photo_id, variant)
    headers = dict(SERVED_HEADERS)
    if variant == Variant.ORIGINAL:
        extension = "png" if content_type == "image/png" else "jpg"
        headers["Content-Disposition"] = f'attachment; filename="photo-{photo.id}.{extension}"'
    return StreamingResponse(stream, media_type=content_type, headers=headers)
