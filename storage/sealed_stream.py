"""A segmented AES-256-GCM file format for blobs, streamed in and out.

    header   b"SUT1" + 7-byte random nonce prefix
    segment  AES-GCM(plaintext[i*SEGMENT:(i+1)*SEGMENT]) + 16-byte tag
    nonce    prefix + 4-byte big-endian segment number + 1 byte (1 on the last segment)

Each segment is authenticated on its own, so a reader can stream plaintext out without
holding the file, while truncation, reordering and appended data all fail the tags.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"SUT1"
PREFIX_BYTES = 7
TAG_BYTES = 16
SEGMENT = 1024 * 1024
HEADER_BYTES = len(MAGIC) + PREFIX_BYTES


class TamperedBlob(Exception):
    """The blob's bytes do not authenticate: edited, truncated or opened with the wrong key."""


class SealedWriter:
    """Encrypts what is written into `path`; `close()` makes it durable, `discard()` removes it."""

    def __init__(self, path: Path, key: bytes, context: bytes) -> None:
        self.path = path
        self._aead = AESGCM(key)
        self._context = context
        self._prefix = os.urandom(PREFIX_BYTES)
        self._buffer = bytearray()
        self._counter = 0
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._file: BinaryIO = path.open("xb")
        self._file.write(MAGIC + self._prefix)
        self.plaintext_bytes = 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.plaintext_bytes += len(data)
        while len(self._buffer) > SEGMENT:
            self._emit(bytes(self._buffer[:SEGMENT]), final=False)
            del self._buffer[:SEGMENT]

    def close(self) -> None:
        self._emit(bytes(self._buffer), final=True)
        self._buffer.clear()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def discard(self) -> None:
        self._buffer.clear()
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)

    def _emit(self, plaintext: bytes, *, final: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, final)
        self._file.write(self._aead.encrypt(nonce, plaintext, self._context))
        self._counter += 1


def iter_plaintext(path: Path, key: bytes, context: bytes) -> Iterator[bytes]:
    """Yield the plaintext segment by segment; raises TamperedBlob on any mismatch."""
    aead = AESGCM(key)
    with path.open("rb") as file:
        header = file.read(HEADER_BYTES)
        if len(header) != HEADER_BYTES or not header.startswith(MAGIC):
            raise TamperedBlob("not a sealed blob")
        prefix = header[len(MAGIC) :]
        counter = 0
        current = file.read(SEGMENT + TAG_BYTES)
        while True:
            following = file.read(SEGMENT + TAG_BYTES)
            final = not following
            yield _open_segment(aead, _nonce(prefix, counter, final), current, context)
            if final:
                return
            current, counter = following, counter + 1


def read_plaintext(path: Path, key: bytes, context: bytes) -> bytes:
    return b"".join(iter_plaintext(path, key, context))


def _open_segment(aead: AESGCM, nonce: bytes, sealed: bytes, context: bytes) -> bytes:
    try:
        return aead.decrypt(nonce, sealed, context)
    except InvalidTag:
        raise TamperedBlob("blob segment failed authentication") from None


def _nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if final else b"\x00")
