"""Photos in the database and their encrypted blobs on disk, kept in step.

Blob files are written and made durable before the rows that hold their keys are
committed; files whose rows were replaced or never committed are deleted afterwards. A
crash therefore leaves the old state or the new one, plus at worst an unreadable orphan.
"""

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from domain.errors import LinkClosed
from domain.model import Photo, PhotoStatus, Variant
from domain.ports import NewPhoto, PendingUpload, Rendition
from storage.blob_store import BlobRef, BlobStore, PendingBlob
from storage.crypto import WrappedKey
from storage.external import reserve_file
from storage.models import BlobRow, PhotoRow
from storage.search_facts import refresh_series


def blob_context(photo_id: UUID, variant: Variant) -> str:
    return f"photo:{photo_id}:{variant.value}"


class PhotoRepository:
    def __init__(self, blobs: BlobStore, clock: Callable[[], datetime]) -> None:
        self._blobs = blobs
        self._clock = clock

    def start_upload(self, photo_id: UUID) -> PendingUpload:
        return self._blobs.start(blob_context(photo_id, Variant.UPLOAD))

    async def commit_upload(self, photo_id: UUID, photo: NewPhoto, upload: PendingUpload) -> Photo:
        if not isinstance(upload, PendingBlob):
            raise TypeError("the upload was not started by this store")
        ref = upload.commit()
        try:
            async with in_transaction() as connection:
                received_at = self._clock()
                row = await PhotoRow.create(
                    using_db=connection,
                    id=photo_id,
                    status=PhotoStatus.RECEIVED.value,
                    received_at=received_at,
                    shot_at=int((photo.captured_at or received_at).timestamp()),
                    **_new_photo_fields(photo),
                )
                await _save_blob(row.id, Variant.UPLOAD, ref, None, connection)
                if photo.external_invite_id is not None:
                    reserved = await reserve_file(
                        photo.external_invite_id, photo.size_bytes, received_at, connection
                    )
                    if not reserved:
                        raise LinkClosed("This link has taken all the files it may take.")
                await refresh_series(_filed([photo.series_id]), connection)
        except LinkClosed:
            self._blobs.delete(ref.path)
            raise
        except IntegrityError:
            self._blobs.delete(ref.path)
            existing = await self.find_by_client_id(photo.captured_by, photo.client_id)
            if existing is None:
                raise
            return existing
        return await self._photo(row)

    async def find_by_client_id(self, captured_by: UUID, client_id: str) -> Photo | None:
        row = await PhotoRow.get_or_none(captured_by_id=captured_by, client_id=client_id)
        return await self._photo(row) if row else None

    async def get(self, photo_id: UUID) -> Photo | None:
        row = await PhotoRow.get_or_none(id=photo_id)
        return await self._photo(row) if row else None

    async def photos_of_series(self, series_id: UUID) -> list[Photo]:
        rows = await PhotoRow.filter(series_id=series_id).order_by("captured_at", "received_at")
        types = await _content_types([row.id for row in rows])
        return [_photo(row, types.get(row.id, {})) for row in rows]

    async def photo_counts(self, series_ids: Sequence[UUID]) -> dict[UUID, int]:
        rows = (
            await PhotoRow.filter(series_id__in=list(series_ids), status=PhotoStatus.READY.value)
            .annotate(count=Count("id"))
            .group_by("series_id")
            .values("series_id", "count")
        )
        return {row["series_id"]: row["count"] for row in rows}

    async def set_status(self, photo_id: UUID, status: PhotoStatus) -> None:
        # A destroyed photo stays destroyed, whatever a late job says.
        unfinished = [PhotoStatus.RECEIVED.value, PhotoStatus.PROCESSING.value]
        await PhotoRow.filter(id=photo_id, status__in=unfinished).update(status=status.value)

    async def read_variant(self, photo_id: UUID, variant: Variant) -> bytes:
        row = await BlobRow.get(photo_id=photo_id, variant=variant.value)
        return self._blobs.read(_ref(row), blob_context(photo_id, variant))

    async def open_stream(self, photo_id: UUID, variant: Variant) -> Iterator[bytes]:
        row = await BlobRow.get(photo_id=photo_id, variant=variant.value)
        return self._blobs.stream(_ref(row), blob_context(photo_id, variant))

    async def complete(
        self, photo_id: UUID, renditions: Sequence[Rendition], width: int, height: int
    ) -> None:
        """Store the derivatives, mark the photo ready and drop the upload, all or nothing."""
        refs = [(r, self._blobs.put(r.data, blob_context(photo_id, r.variant))) for r in renditions]
        replaced = await self._swap_blobs(photo_id, refs, width, height)
        for path in replaced:
            self._blobs.delete(path)

    async def reject(self, photo_id: UUID, reason: str) -> None:
        """Mark rejected and destroy the upload: refused bytes are not kept."""
        async with in_transaction() as connection:
            rows = await BlobRow.filter(photo_id=photo_id).using_db(connection)
            await BlobRow.filter(photo_id=photo_id).using_db(connection).delete()
            await (
                PhotoRow.filter(id=photo_id)
                .using_db(connection)
                .update(
                    status=PhotoStatus.REJECTED.value, reject_reason=reason[:300], search_scopes=0
                )
            )
        for row in rows:
            self._blobs.delete(row.path)

    async def unfinished(self, received_before: datetime | None = None) -> list[UUID]:
        statuses = [PhotoStatus.RECEIVED.value, PhotoStatus.PROCESSING.value]
        pending = PhotoRow.filter(status__in=statuses)
        if received_before is not None:
            pending = pending.filter(received_at__lt=received_before)
        rows = await pending.values("id")
        return [row["id"] for row in rows]

    async def unfinished_count(self, cluster_id: UUID) -> int:
        """Filed photos still being processed (unfiled external uploads are counted nowhere)."""
        statuses = [PhotoStatus.RECEIVED.value, PhotoStatus.PROCESSING.value]
        return await PhotoRow.filter(
            cluster_id=cluster_id, status__in=statuses, series_id__isnull=False
        ).count()

    async def move(self, photo_id: UUID, series_id: UUID) -> None:
        async with in_transaction() as connection:
            row = await PhotoRow.get(id=photo_id, using_db=connection)
            await PhotoRow.filter(id=photo_id).using_db(connection).update(series_id=series_id)
            await refresh_series(_filed([row.series_id, series_id]), connection)

    async def last_shot(self, series_id: UUID) -> datetime | None:
        rows = await PhotoRow.filter(series_id=series_id).order_by("-shot_at").limit(1)
        return datetime.fromtimestamp(rows[0].shot_at, UTC) if rows else None

    async def destroy(self, photo_id: UUID, when: datetime) -> bool:
        """Delete the photo's wrapped keys and blobs; False when there was nothing left."""
        async with in_transaction() as connection:
            await PhotoRow.select_for_update().using_db(connection).filter(id=photo_id)
            rows = await BlobRow.filter(photo_id=photo_id).using_db(connection)
            updated = await (
                PhotoRow.filter(id=photo_id, destroyed_at__isnull=True)
                .using_db(connection)
                .update(status=PhotoStatus.DESTROYED.value, destroyed_at=when, search_scopes=0)
            )
            await BlobRow.filter(photo_id=photo_id).using_db(connection).delete()
        # Without its wrapped key a blob is unreadable already; the files go after the commit.
        for row in rows:
            self._blobs.delete(row.path)
        return bool(updated or rows)

    async def inbox(self, cluster_id: UUID) -> list[Photo]:
        """External uploads of the cluster not yet filed (nor destroyed), oldest first."""
        rows = await PhotoRow.filter(
            cluster_id=cluster_id,
            series_id__isnull=True,
            external_invite_id__isnull=False,
            destroyed_at__isnull=True,
        ).order_by("received_at")
        types = await _content_types([row.id for row in rows])
        return [_photo(row, types.get(row.id, {})) for row in rows]

    async def file_into(self, photo_id: UUID, series_id: UUID, phase: str, view_id: str) -> bool:
        """Give an unfiled external upload its series; False when it was filed meanwhile."""
        async with in_transaction() as connection:
            updated = await (
                PhotoRow.filter(id=photo_id, series_id__isnull=True, destroyed_at__isnull=True)
                .using_db(connection)
                .update(series_id=series_id, phase=phase, view_id=view_id)
            )
            if updated:
                await refresh_series([series_id], connection)
        return bool(updated)

    async def destroy_unfiled(self, photo_id: UUID, when: datetime) -> bool:
        """Destroy an external upload only while it is unfiled; False when it was filed or
        destroyed meanwhile (the check and the change are one statement)."""
        async with in_transaction() as connection:
            updated = await (
                PhotoRow.filter(id=photo_id, series_id__isnull=True, destroyed_at__isnull=True)
                .using_db(connection)
                .update(status=PhotoStatus.DESTROYED.value, destroyed_at=when, search_scopes=0)
            )
            rows = await BlobRow.filter(photo_id=photo_id).using_db(connection) if updated else []
            if updated:
                await BlobRow.filter(photo_id=photo_id).using_db(connection).delete()
        for row in rows:
            self._blobs.delete(row.path)
        return bool(updated)

    async def unfiled_before(self, received_before: datetime) -> list[Photo]:
        rows = await PhotoRow.filter(
            series_id__isnull=True,
            external_invite_id__isnull=False,
            destroyed_at__isnull=True,
            received_at__lt=received_before,
        )
        return [_photo(row, {}) for row in rows]

    async def _swap_blobs(
        self, photo_id: UUID, refs: Sequence[tuple[Rendition, BlobRef]], width: int, height: int
    ) -> list[str]:
        async with in_transaction() as connection:
            current = await PhotoRow.select_for_update().using_db(connection).get(id=photo_id)
            if current.destroyed_at is not None:  # discarded while it was processed
                return [ref.path for _, ref in refs]
            old = await BlobRow.filter(photo_id=photo_id).using_db(connection)
            await BlobRow.filter(photo_id=photo_id).using_db(connection).delete()
            for rendition, ref in refs:
                await _save_blob(
                    photo_id, rendition.variant, ref, rendition.content_type, connection
                )
            await (
                PhotoRow.filter(id=photo_id)
                .using_db(connection)
                .update(status=PhotoStatus.READY.value, width=width, height=height)
            )
            row = await PhotoRow.get(id=photo_id, using_db=connection)
            await refresh_series(_filed([row.series_id]), connection)
        return [row.path for row in old]

    async def _photo(self, row: PhotoRow) -> Photo:
        types = await _content_types([row.id])
        return _photo(row, types.get(row.id, {}))


async def _save_blob(
    photo_id: UUID,
    variant: Variant,
    ref: BlobRef,
    content_type: str | None,
    connection: BaseDBAsyncClient,
) -> None:
    await BlobRow.create(
        using_db=connection,
        photo_id=photo_id,
        variant=variant.value,
        path=ref.path,
        kid=ref.key.kid,
        wrapped_key=ref.key.blob,
        content_type=content_type,
        size_bytes=ref.size,
    )


def _ref(row: BlobRow) -> BlobRef:
    return BlobRef(row.path, WrappedKey(row.kid, bytes(row.wrapped_key)), row.size_bytes)


async def _content_types(photo_ids: list[UUID]) -> dict[UUID, dict[Variant, str]]:
    rows = await BlobRow.filter(photo_id__in=photo_ids, content_type__isnull=False).values(
        "photo_id", "variant", "content_type"
    )
    types: dict[UUID, dict[Variant, str]] = {}
    for row in rows:
        types.setdefault(row["photo_id"], {})[Variant(row["variant"])] = row["content_type"]
    return types


def _new_photo_fields(photo: NewPhoto) -> dict[str, object]:
    return {
        "series_id": photo.series_id,
        "cluster_id": photo.cluster_id,
        "phase": photo.phase,
        "view_id": photo.view_id,
        "captured_at": photo.captured_at,
        "captured_by_id": photo.captured_by,
        "client_id": photo.client_id,
        "sha256": photo.sha256,
        "size_bytes": photo.size_bytes,
        "external_invite_id": photo.external_invite_id,
    }


def _filed(series_ids: list[UUID | None]) -> list[UUID]:
    return [series_id for series_id in series_ids if series_id is not None]


def _photo(row: PhotoRow, content_types: dict[Variant, str]) -> Photo:
    return Photo(
        id=row.id,
        series_id=row.series_id,
        cluster_id=row.cluster_id,
        phase=row.phase,
        view_id=row.view_id,
        captured_at=row.captured_at,
        received_at=row.received_at,
        captured_by=row.captured_by_id,
        client_id=row.client_id,
        status=PhotoStatus(row.status),
        reject_reason=row.reject_reason,
        width=row.width,
        height=row.height,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        content_types=content_types,
        external_invite_id=row.external_invite_id,
    )
