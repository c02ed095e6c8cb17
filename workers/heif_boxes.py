"""A strict, bounded reader for the ISO BMFF boxes of a HEIF file.

pillow-heif decodes a truncated HEIC without any error and paints the missing tiles green, so
the item extents listed in `iloc` are checked against the file length before decoding.

Raises EOFError when the file ends before the data it declares, ValueError when the boxes are
malformed; workers/imaging.py turns both into InvalidImage.
"""

from collections.abc import Iterator
from dataclasses import dataclass

HEVC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
STRUCTURAL_BRANDS = frozenset({b"mif1", b"msf1"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})
MAX_FTYP_SIZE = 1024
MAX_BOXES = 4096
MAX_EXTENTS = 65536


@dataclass(frozen=True)
class Box:
    kind: bytes
    start: int  # first byte of the payload
    end: int  # one past the last byte of the box


class _Reader:
    """Reads big-endian unsigned integers without ever passing `end`."""

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.data = data
        self.pos = start
        self.end = end

    def uint(self, size: int) -> int:
        if size == 0:
            return 0
        if self.pos + size > self.end:
            raise ValueError("iloc box ends inside an entry")
        value = int.from_bytes(self.data[self.pos : self.pos + size], "big")
        self.pos += size
        return value


def is_heic(data: bytes) -> bool:
    """True when the file starts with an ftyp box naming a HEVC-coded HEIF brand (not AVIF)."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    size = int.from_bytes(data[0:4], "big")
    if size < 16 or size > min(len(data), MAX_FTYP_SIZE) or size % 4:
        return False
    major = data[8:12]
    brands = {major} | {data[i : i + 4] for i in range(16, size, 4)}
    if major not in HEVC_BRANDS | STRUCTURAL_BRANDS:
        return False
    return not (brands & AVIF_BRANDS and not brands & HEVC_BRANDS)


def iter_boxes(data: bytes, start: int, end: int, *, overrun: type[Exception]) -> Iterator[Box]:
    """Yield the boxes between start and end; a box reaching past end raises `overrun`."""
    pos = start
    for _ in range(MAX_BOXES):
        if pos >= end:
            return
        if end - pos < 8:
            raise overrun("box header cut short")
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        if not all(0x20 <= byte <= 0x7E for byte in kind):
            raise ValueError("box type is not printable")
        header = 8
        if size == 1:
            if end - pos < 16:
                raise overrun("large box header cut short")
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
            header = 16
        elif size == 0:
            size = end - pos
        if size < header:
            raise ValueError("box smaller than its header")
        if pos + size > end:
            raise overrun("box reaches past its container")
        yield Box(kind, pos + header, pos + size)
        pos += size
    raise ValueError("too many boxes")


def check_item_extents(data: bytes) -> None:
    """Raise EOFError if any item's data lies beyond the end of the file."""
    top = {box.kind: box for box in iter_boxes(data, 0, len(data), overrun=EOFError)}
    meta = top.get(b"meta")
    if meta is None or meta.end - meta.start < 4:
        raise ValueError("no meta box")
    children = {
        box.kind: box for box in iter_boxes(data, meta.start + 4, meta.end, overrun=ValueError)
    }
    iloc = children.get(b"iloc")
    if iloc is None:
        raise ValueError("no iloc box")
    idat = children.get(b"idat")
    for method, start, length in _read_extents(data, iloc):
        _check_extent(data, idat, method, start, length)


def _check_extent(data: bytes, idat: Box | None, method: int, start: int, length: int) -> None:
    if method == 0 and start + length > len(data):
        raise EOFError("item data beyond the end of the file")
    if method == 1 and (idat is None or idat.start + start + length > idat.end):
        raise ValueError("item data beyond the idat box")


def _read_extents(data: bytes, iloc: Box) -> Iterator[tuple[int, int, int]]:
    """Yield (construction_method, offset, length) for every extent of every item."""
    reader = _Reader(data, iloc.start, iloc.end)
    version = reader.uint(1)
    reader.uint(3)
    if version > 2:
        raise ValueError("unknown iloc version")
    sizes = reader.uint(2)
    offset_size, length_size = sizes >> 12, (sizes >> 8) & 0xF
    base_offset_size, index_size = (sizes >> 4) & 0xF, sizes & 0xF
    if version == 0:
        index_size = 0
    if any(size not in (0, 4, 8) for size in (offset_size, length_size, base_offset_size)):
        raise ValueError("bad iloc field size")
    if index_size not in (0, 4, 8):
        raise ValueError("bad iloc index size")
    wide = 4 if version == 2 else 2
    extents = 0
    for _ in range(reader.uint(wide)):
        reader.uint(wide)
        method = reader.uint(2) & 0xF if version in (1, 2) else 0
        if reader.uint(2) != 0 or method > 2:
            raise ValueError("item data outside this file")
        base = reader.uint(base_offset_size)
        for _ in range(reader.uint(2)):
            extents += 1
            if extents > MAX_EXTENTS:
                raise ValueError("too many item extents")
            reader.uint(index_size)
            offset = reader.uint(offset_size)
            yield method, base + offset, reader.uint(length_size)
