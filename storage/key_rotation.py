"""Re-wrapping every data key and sealed field with the active master key, after a rotation.

Blob files are untouched: only their wrapped data keys in the database change, so this is
quick even with many photos. Each row is rewritten on its own; running it again is harmless.
"""

import logging

from tortoise.transactions import in_transaction

from domain.model import Variant
from storage.crypto import Keyring, WrappedKey
from storage.models import BlobRow, PatientRow
from storage.photo_store import blob_context

logger = logging.getLogger(__name__)


async def rewrap_all(keyring: Keyring) -> tuple[int, int]:
    """Returns how many blob keys and patient rows were moved to the active key."""
    blobs = await _rewrap_blob_keys(keyring)
    patients = await _reseal_patients(keyring)
    logger.info(
        "re-wrapped %d blob keys and %d patients to key %s", blobs, patients, keyring.active_kid
    )
    return blobs, patients


async def _rewrap_blob_keys(keyring: Keyring) -> int:
    count = 0
    for row in await BlobRow.exclude(kid=keyring.active_kid):
        context = blob_context(row.photo_id, Variant(row.variant)).encode()
        data_key = keyring.unwrap(WrappedKey(row.kid, bytes(row.wrapped_key)), context)
        wrapped = keyring.wrap(data_key, context)
        await BlobRow.filter(id=row.id, kid=row.kid).update(
            kid=wrapped.kid, wrapped_key=wrapped.blob
        )
        count += 1
    return count


async def _reseal_patients(keyring: Keyring) -> int:
    count = 0
    prefix = f"{keyring.active_kid}."
    for row in await PatientRow.all():
        if row.name_sealed.startswith(prefix) and (row.cpr_sealed or prefix).startswith(prefix):
            continue
        async with in_transaction():
            await PatientRow.filter(id=row.id).update(**_resealed(keyring, row))
        count += 1
    return count


def _resealed(keyring: Keyring, row: PatientRow) -> dict[str, str | None]:
    name_context = f"patient.name:{row.id}"
    cpr_context = f"patient.cpr:{row.id}"
    name = keyring.open_text(row.name_sealed, name_context)
    cpr = keyring.open_text(row.cpr_sealed, cpr_context) if row.cpr_sealed else None
    return {
        "name_sealed": keyring.seal_text(name, name_context),
        "cpr_sealed": keyring.seal_text(cpr, cpr_context) if cpr else None,
    }
