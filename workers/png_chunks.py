"""Lossless removal of metadata chunks from a PNG file.

Only the chunks that define the picture and its colours survive; text, EXIF, timestamps and
unknown ancillary chunks are dropped. Every length and CRC is checked on the way.

Raises EOFError when the file ends before IEND, ValueError when a chunk is malformed;
workers/imaging.py turns both into InvalidImage.
"""

import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEPT_CHUNKS = frozenset(
    {
        b"IHDR",
        b"PLTE",
        b"tRNS",
        b"gAMA",
        b"cHRM",
        b"sRGB",
        b"iCCP",
        b"sBIT",
        b"pHYs",
        b"IDAT",
        b"IEND",
    }
)
MAX_CHUNK_LENGTH = 2**31 - 1


def strip_png(data: bytes) -> bytes:
    """Return the PNG with only the picture and colour chunks, up to and including IEND."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("no PNG signature")
    view = memoryview(data)
    kept = [view[: len(PNG_SIGNATURE)]]
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        kind, end = _read_chunk(view, pos)
        if pos == len(PNG_SIGNATURE) and kind != b"IHDR":
            raise ValueError("PNG does not start with IHDR")
        if kind in KEPT_CHUNKS:
            kept.append(view[pos:end])
        elif _is_critical(kind):
            raise ValueError("unknown critical PNG chunk")
        if kind == b"IEND":
            return b"".join(kept)
        pos = end
    raise EOFError("PNG ends before IEND")


def _read_chunk(view: memoryview, pos: int) -> tuple[bytes, int]:
    """Check the chunk at pos and return its type and the offset just past its CRC."""
    length = int.from_bytes(view[pos : pos + 4], "big")
    kind = bytes(view[pos + 4 : pos + 8])
    if length > MAX_CHUNK_LENGTH or not kind.isascii() or not kind.isalpha():
        raise ValueError("malformed PNG chunk header")
    end = pos + 12 + length
    if end > len(view):
        raise EOFError("PNG chunk cut short")
    crc = int.from_bytes(view[end - 4 : end], "big")
    if zlib.crc32(view[pos + 4 : end - 4]) != crc:
        raise ValueError("PNG chunk CRC mismatch")
    if kind == b"IHDR" and length != 13:
        raise ValueError("malformed IHDR")
    return kind, end


def _is_critical(kind: bytes) -> bool:
    return kind[0:1].isupper()
