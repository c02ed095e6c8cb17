"""Encrypted blobs on the local disk (or shared storage mounted there).

A blob lives at <root>/<ab>/<cd>/<random>.blob under a random name that says nothing about
its photo. It is written to <root>/tmp first and renamed into place once durable, so a
crash leaves either no blob or a whole one. Its data key is returned wrapped, for the
database; without that row the file is unreadable.
"""

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.crypto import Keyring, WrappedKey, new_data_key
from storage.sealed_stream import SealedWriter, iter_plaintext


@dataclass(frozen=True)
class BlobRef:
    path: str  # relative to the store's root
    key: WrappedKey
    size: int  # plaintext bytes


class PendingBlob:
    """A blob being written; commit() makes it durable and returns its reference."""

    def __init__(self, store: "BlobStore", context: str) -> None:
        self._store = store
        self._context = context
        self._data_key = new_data_key()
        temporary = store.root / "tmp" / f"{uuid.uuid4().hex}.part"
        self._writer = SealedWriter(temporary, self._data_key, context.encode())

    @property
    def size(self) -> int:
        return self._writer.plaintext_bytes

    def write(self, data: bytes) -> None:
        self._writer.write(data)

    def commit(self) -> BlobRef:
        self._writer.close()
        name = uuid.uuid4().hex
        relative = Path(name[:2], name[2:4], f"{name}.blob")
        final = self._store.root / relative
        final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._writer.path.replace(final)
        _fsync_directory(final.parent)
        wrapped = self._store.keyring.wrap(self._data_key, self._context.encode())
        return BlobRef(relative.as_posix(), wrapped, self._writer.plaintext_bytes)

    def discard(self) -> None:
        self._writer.discard()


class BlobStore:
    def __init__(self, root: Path, keyring: Keyring) -> None:
        self.root = root
        self.keyring = keyring
        (root / "tmp").mkdir(mode=0o700, parents=True, exist_ok=True)

    def start(self, context: str) -> PendingBlob:
        return PendingBlob(self, context)

    def put(self, data: bytes, context: str) -> BlobRef:
        pending = self.start(context)
        try:
            pending.write(data)
            return pending.commit()
        except BaseException:
            pending.discard()
            raise

    def stream(self, ref: BlobRef, context: str) -> Iterator[bytes]:
        key = self.keyring.unwrap(ref.key, context.encode())
        return iter_plaintext(self._resolve(ref.path), key, context.encode())

    def read(self, ref: BlobRef, context: str) -> bytes:
        return b"".join(self.stream(ref, context))

    def delete(self, path: str) -> None:
        self._resolve(path).unlink(missing_ok=True)

    def _resolve(self, path: str) -> Path:
        resolved = (self.root / path).resolve()
        if self.root.resolve() not in resolved.parents:
            raise ValueError("blob path escapes the store")
        return resolved


def remove_abandoned_parts(root: Path) -> int:
    """Delete half-written uploads left by a crash (encrypted, but useless); only call this
    when no other process can be writing to the store."""
    parts = list((root / "tmp").glob("*.part"))
    for part in parts:
        part.unlink(missing_ok=True)
    return len(parts)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
