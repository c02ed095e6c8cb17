"""Lossless removal of metadata segments from a JPEG file.

The segment list is rewritten without touching the entropy-coded data: the picture, its
tables and its colour information (JFIF, ICC profile, Adobe transform) survive; EXIF, XMP,
Photoshop/IPTC, MPF, comments, other APPn segments and everything after the first EOI (vendor
trailers, further MPO frames) are dropped. A photo whose EXIF orientation is not 1 gets a
minimal EXIF block holding only that orientation, so the download still displays upright.

Raises EOFError when the file ends before EOI, ValueError when the segments are malformed;
workers/imaging.py turns both into InvalidImage.
"""

import re
import struct

SOI, EOI, SOS = 0xD8, 0xD9, 0xDA
APP0, APP1, APP2, APP14, COM = 0xE0, 0xE1, 0xE2, 0xEE, 0xFE
DHT, DAC, DQT, DRI, DNL = 0xC4, 0xCC, 0xDB, 0xDD, 0xDC
FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {DHT, 0xC8, DAC}
TABLE_MARKERS = frozenset({DHT, DAC, DQT, DRI})
# After a scan, the next marker is an 0xFF not followed by a stuffed 0x00, a restart marker
# or another fill byte.
MARKER_AFTER_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
JFIF_HEADER_LENGTH = 12  # "JFIF\0", version, units, densities; thumbnail size follows
ORIENTATION_TAG = 0x0112


def strip_jpeg(data: bytes, orientation: int = 1) -> bytes:
    """Return the first frame of the JPEG without identifying metadata, losslessly."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("no SOI marker")
    view = memoryview(data)
    kept = _read_header_segments(view)
    if orientation != 1:
        at = 1 if kept[0][1] == APP0 else 0
        kept.insert(at, (orientation_segment(orientation), APP1))
    return b"".join([b"\xff\xd8", *(segment for segment, _ in kept)])


def orientation_segment(orientation: int) -> bytes:
    """An APP1 EXIF segment holding one IFD entry: the orientation, big-endian."""
    entry = struct.pack(">HHIHH", ORIENTATION_TAG, 3, 1, orientation, 0)
    tiff = b"MM\x00\x2a" + struct.pack(">IH", 8, 1) + entry + struct.pack(">I", 0)
    payload = b"Exif\x00\x00" + tiff
    return struct.pack(">BBH", 0xFF, APP1, len(payload) + 2) + payload


def _read_header_segments(view: memoryview) -> list[tuple[bytes | memoryview, int]]:
    """Walk the segments up to the first EOI; return the kept ones with their markers."""
    kept: list[tuple[bytes | memoryview, int]] = []
    pos, has_frame, has_scan = 2, False, False
    while True:
        marker, start = _read_marker(view, pos)
        if marker == EOI:
            if not has_scan:
                raise ValueError("EOI before any scan")
            kept.append((b"\xff\xd9", EOI))
            return kept
        end = _segment_end(view, start)
        has_frame = _check_order(marker, has_frame, has_scan)
        segment = _kept_segment(view, marker, pos, start, end)
        if segment is not None:
            kept.append((segment, marker))
        pos = end
        if marker == SOS:
            has_scan = True
            found = MARKER_AFTER_SCAN.search(view, pos)
            if found is None:
                raise EOFError("JPEG ends inside the image data")
            kept.append((view[pos : found.start()], SOS))
            pos = found.start()


def _read_marker(view: memoryview, pos: int) -> tuple[int, int]:
    """Return the marker at pos (after optional fill bytes) and the offset after it."""
    if pos + 2 > len(view):
        raise EOFError("JPEG ends before EOI")
    if view[pos] != 0xFF:
        raise ValueError("expected a JPEG marker")
    while view[pos + 1] == 0xFF:
        pos += 1
        if pos + 2 > len(view):
            raise EOFError("JPEG ends before EOI")
    return view[pos + 1], pos + 2


def _segment_end(view: memoryview, start: int) -> int:
    if start + 2 > len(view):
        raise EOFError("JPEG segment cut short")
    length = int.from_bytes(view[start : start + 2], "big")
    if length < 2:
        raise ValueError("JPEG segment length too small")
    if start + length > len(view):
        raise EOFError("JPEG segment cut short")
    return start + length


def _check_order(marker: int, has_frame: bool, has_scan: bool) -> bool:
    """Refuse markers that are out of place; return whether a frame header has been seen."""
    if marker in FRAME_MARKERS:
        if has_frame:
            raise ValueError("more than one frame header")
        return True
    if marker == SOS and not has_frame:
        raise ValueError("scan before frame header")
    if marker == DNL and not has_scan:
        raise ValueError("DNL before any scan")
    is_known = marker in TABLE_MARKERS or marker in (SOS, DNL, COM) or 0xE0 <= marker <= 0xEF
    if not is_known:
        raise ValueError("unexpected JPEG marker")
    return has_frame


def _kept_segment(
    view: memoryview, marker: int, pos: int, start: int, end: int
) -> bytes | memoryview | None:
    payload = view[start + 2 : end]
    if marker == APP0:
        return _jfif_without_thumbnail(payload)
    if marker == APP2 and bytes(payload[:12]) == b"ICC_PROFILE\x00":
        return view[pos:end]
    if marker == APP14 and bytes(payload[:5]) == b"Adobe":
        return view[pos:end]
    if marker in FRAME_MARKERS or marker in TABLE_MARKERS or marker in (SOS, DNL):
        return view[pos:end]
    return None


def _jfif_without_thumbnail(payload: memoryview) -> bytes | None:
    """Keep a JFIF APP0 but drop its embedded thumbnail; drop JFXX and other APP0s."""
    if bytes(payload[:5]) != b"JFIF\x00" or len(payload) < JFIF_HEADER_LENGTH + 2:
        return None
    header = bytes(payload[:JFIF_HEADER_LENGTH]) + b"\x00\x00"
    return struct.pack(">BBH", 0xFF, APP0, len(header) + 2) + header
