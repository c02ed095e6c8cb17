import csv
import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, ImageOps, ImageStat

from domain.errors import InvalidImage
from workers import imaging
from workers.imaging import Derivatives, make_derivatives

PHOTOS = Path(__file__).parent.parent / "data" / "photos"
with (PHOTOS / "MANIFEST.csv").open(newline="", encoding="utf-8") as manifest:
    ROWS = list(csv.DictReader(manifest))
ACCEPTED = [row for row in ROWS if row["expected"].startswith("accept:")]
REJECTED = [row for row in ROWS if row["expected"].startswith("reject:")]
JPEG_ACCEPTED = [row for row in ACCEPTED if row["format"] in ("JPEG", "MPO")]

REJECTION_REASONS = {
    "empty_0_bytes.jpg": imaging.NOT_A_PHOTO,
    "not_image_html.jpg": imaging.NOT_A_PHOTO,
    "bomb_png_20000x20000.png": "The photo is larger than 100 megapixels.",
    "heic_samsung_s24ultra_200mp.heic": "The photo is larger than 100 megapixels.",
    "truncated_phone_sony_xperia_z5.jpg": imaging.INCOMPLETE,
    "heic_apple_iphone8_truncated_50pct.heic": imaging.INCOMPLETE,
    "heic_corrupted.heic": imaging.DAMAGED,
    "bomb_png_ztxt_2mib_chunks.png": imaging.DAMAGED,
}
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
IDENTIFYING_EXIF_TAGS = {0xA420, 0xA431, 0xA435}  # ImageUniqueID, Body/LensSerialNumber
FORBIDDEN_BYTES = [b"SEFT", b"http://ns.adobe.com/xap", b"<x:xmpmeta", b"Photoshop 3.0", b"MPF\x00"]
PNG_METADATA_CHUNKS = [b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"]

_cache: dict[str, Derivatives] = {}


def read(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def derivatives_of(name: str) -> Derivatives:
    if name not in _cache:
        _cache[name] = make_derivatives(read(name))
    return _cache[name]


def upright_size(row: dict[str, str]) -> tuple[int, int]:
    stated = re.search(r"upright (\d+)x(\d+)", row["expected"], re.IGNORECASE)
    if stated:
        return int(stated[1]), int(stated[2])
    return int(row["width"]), int(row["height"])


def open_image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def assert_no_identifying_metadata(data: bytes, *, orientation_allowed: bool) -> None:
    for marker in FORBIDDEN_BYTES:
        assert marker not in data
    with open_image(data) as image:
        exif = image.getexif()
        assert set(exif) <= ({0x0112} if orientation_allowed else set())
        assert not exif.get_ifd(GPS_IFD)
        assert not set(exif.get_ifd(EXIF_IFD)) & IDENTIFYING_EXIF_TAGS
        assert not {"xmp", "photoshop", "mp", "mpinfo", "comment"} & set(image.info)
        assert getattr(image, "n_frames", 1) == 1
        if image.format == "JPEG":
            assert data.count(b"\xff\xd8\xff") == 1  # no EXIF thumbnail, no second frame
        else:
            assert not [chunk for chunk in PNG_METADATA_CHUNKS if chunk in data]


def mean_difference(first: Image.Image, second: Image.Image) -> float:
    size = (90, 60)
    difference = ImageChops.difference(
        first.convert("RGB").resize(size), second.convert("RGB").resize(size)
    )
    return sum(ImageStat.Stat(difference).mean) / 3


@pytest.mark.parametrize("row", ACCEPTED, ids=lambda row: row["file"])
def test_accepted_photo_has_upright_size_and_bounded_views(row):
    expected_width, expected_height = upright_size(row)

    result = derivatives_of(row["file"])

    assert (result.width, result.height) == (expected_width, expected_height)
    assert result.source_format == row["format"]
    long_edge = max(expected_width, expected_height)
    with open_image(result.preview.data) as preview, open_image(result.thumbnail.data) as thumb:
        assert preview.format == thumb.format == "JPEG"
        assert max(preview.size) == min(long_edge, 2048)
        assert max(thumb.size) == min(long_edge, 320)
        assert (preview.width >= preview.height) == (expected_width >= expected_height)
        assert preview.mode in ("RGB", "L")
        assert "icc_profile" not in preview.info  # previews are plain, untagged sRGB


@pytest.mark.parametrize("row", ACCEPTED, ids=lambda row: row["file"])
def test_no_rendition_carries_identifying_metadata(row):
    result = derivatives_of(row["file"])

    assert_no_identifying_metadata(result.original.data, orientation_allowed=True)
    assert_no_identifying_metadata(result.preview.data, orientation_allowed=False)
    assert_no_identifying_metadata(result.thumbnail.data, orientation_allowed=False)
    assert result.preview.content_type == result.thumbnail.content_type == "image/jpeg"


@pytest.mark.parametrize("row", REJECTED, ids=lambda row: row["file"])
def test_rejected_file_raises_with_reason(row):
    data = read(row["file"])

    with pytest.raises(InvalidImage) as refusal:
        make_derivatives(data)

    assert refusal.value.message == REJECTION_REASONS[row["file"]]


def test_every_rejected_row_has_an_expected_reason():
    assert {row["file"] for row in REJECTED} == set(REJECTION_REASONS)


def test_reasons_differ_per_class_of_refusal():
    reasons = [imaging.NOT_A_PHOTO, imaging.TOO_LARGE, imaging.INCOMPLETE, imaging.DAMAGED]

    words = ["not a photo", "larger than", "incomplete", "damaged"]

    assert len(set(reasons)) == 4
    for reason, word in zip(reasons, words, strict=True):
        assert word in reason
        assert sum(word in other for other in reasons) == 1


@pytest.mark.parametrize("orientation", range(2, 9))
def test_orientation_is_applied_exactly_once(orientation):
    reference = open_image(derivatives_of("orient_1_landscape.jpg").preview.data)
    stored = open_image(read(f"orient_{orientation}_landscape.jpg")).convert("RGB")

    preview = open_image(derivatives_of(f"orient_{orientation}_landscape.jpg").preview.data)

    assert preview.size == reference.size
    assert mean_difference(preview, reference) < 8
    wrong_turn = Image.Transpose.ROTATE_270 if orientation == 8 else Image.Transpose.ROTATE_90
    misread = stored if stored.size == reference.size else stored.transpose(wrong_turn)
    assert mean_difference(misread, reference) > 20  # the check above can tell them apart


def test_heic_rotation_box_is_not_applied_twice():
    result = derivatives_of("heic_apple_iphonexr_irot_exif6_gps.heic")

    with open_image(result.preview.data) as preview, open_image(result.original.data) as original:
        assert (result.width, result.height) == (3024, 4032)
        assert preview.size == (1536, 2048)
        assert original.size == (3024, 4032)


@pytest.mark.parametrize(
    "name",
    ["heic_apple_iphonexr_irot_exif6_gps.heic", "heic_apple_iphone11pro_gps_exif_at_eof.heic"],
)
def test_heic_original_is_full_size_jpeg_with_its_display_p3_profile(name):
    result = derivatives_of(name)

    with open_image(result.original.data) as original:
        assert original.format == "JPEG"
        assert result.original.content_type == "image/jpeg"
        profile = ImageCms.ImageCmsProfile(io.BytesIO(original.info["icc_profile"]))
        assert "P3" in ImageCms.getProfileDescription(profile)
        assert not original.getexif()


def test_cmyk_preview_uses_embedded_profile_and_is_not_inverted():
    with open_image(read("cmyk_swop_icc_9_segments.jpg")) as source:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(source.info["icc_profile"]))
        srgb = ImageCms.createProfile("sRGB")
        reference = ImageCms.profileToProfile(source, profile, srgb, outputMode="RGB")
        inverted = ImageCms.profileToProfile(
            ImageChops.invert(source), profile, srgb, outputMode="RGB"
        )
    assert reference is not None
    assert inverted is not None

    preview = open_image(derivatives_of("cmyk_swop_icc_9_segments.jpg").preview.data)

    assert preview.mode == "RGB"
    assert mean_difference(preview, reference) < 6
    assert mean_difference(preview, inverted) > 40


def test_adobe_rgb_preview_is_converted_to_srgb():
    with open_image(read("icc_adobergb_serials_canon_t6.jpg")) as source:
        untagged = source.convert("RGB")
        profile = ImageCms.ImageCmsProfile(io.BytesIO(source.info["icc_profile"]))
        srgb = ImageCms.createProfile("sRGB")
        reference = ImageCms.profileToProfile(source, profile, srgb, outputMode="RGB")
    assert reference is not None

    preview = open_image(derivatives_of("icc_adobergb_serials_canon_t6.jpg").preview.data)

    assert mean_difference(preview, reference) < mean_difference(preview, untagged)
    assert mean_difference(preview, reference) < 3


@pytest.mark.parametrize("name", ["png_rgba_transparent.png", "png16_rgba_basn6a16.png"])
def test_transparent_areas_become_white_in_previews(name):
    with open_image(read(name)) as source:
        transparent = source.getchannel("A").point(lambda alpha: 255 if alpha == 0 else 0)
    assert transparent.getbbox() is not None  # the photo does have transparent pixels

    preview = open_image(derivatives_of(name).preview.data)

    assert min(ImageStat.Stat(preview, mask=transparent).mean) >= 245


def test_transparent_corner_is_white():
    preview = open_image(derivatives_of("png_rgba_transparent.png").preview.data)

    corner = preview.convert("RGB").getpixel((0, 0))

    assert isinstance(corner, tuple)
    assert min(corner) >= 250


def test_sixteen_bit_grey_png_is_scaled_not_clipped():
    buffer = io.BytesIO()
    Image.new("I;16", (64, 48), 0x8000).save(buffer, "PNG")

    result = make_derivatives(buffer.getvalue())

    assert 120 <= ImageStat.Stat(open_image(result.preview.data)).mean[0] <= 136


@pytest.mark.parametrize("row", JPEG_ACCEPTED, ids=lambda row: row["file"])
def test_jpeg_original_is_lossless_and_displays_upright(row):
    source = open_image(read(row["file"]))

    original = open_image(derivatives_of(row["file"]).original.data)

    assert original.format == "JPEG"
    assert original.size == source.size
    assert ImageOps.exif_transpose(original).tobytes() == ImageOps.exif_transpose(source).tobytes()


def test_original_keeps_only_the_orientation_tag():
    result = derivatives_of("orient_6_landscape.jpg")

    exif = open_image(result.original.data).getexif()

    assert dict(exif) == {0x0112: 6}


def test_original_of_upright_jpeg_has_no_exif_at_all():
    result = derivatives_of("phone_samsung_galaxy_s7edge_12mp_gps.jpg")

    assert b"Exif\x00\x00" not in result.original.data
    assert not open_image(result.original.data).getexif()


def test_mpo_keeps_first_frame_only():
    with open_image(read("mpo_nintendo3ds_sugarshack.mpo")) as source:
        first_frame = source.convert("RGB").tobytes()

    original = open_image(derivatives_of("mpo_nintendo3ds_sugarshack.mpo").original.data)

    assert original.format == "JPEG"
    assert original.convert("RGB").tobytes() == first_frame


def test_png_original_keeps_pixels_and_drops_text_chunks():
    with open_image(read("png_rgba_transparent.png")) as source:
        pixels = source.tobytes()
    buffer = io.BytesIO()
    Image.open(io.BytesIO(read("png_rgba_transparent.png"))).save(buffer, "PNG")
    tagged = add_png_chunk(buffer.getvalue(), b"tEXt", b"Patient\x00Jane Doe")

    result = make_derivatives(tagged)

    assert result.original.content_type == "image/png"
    assert b"Jane Doe" not in result.original.data
    assert open_image(result.original.data).tobytes() == pixels


def add_png_chunk(png: bytes, kind: bytes, payload: bytes) -> bytes:
    chunk = struct.pack(">I", len(payload)) + kind + payload
    chunk += struct.pack(">I", zlib.crc32(kind + payload))
    return png[:33] + chunk + png[33:]  # right after the 8-byte signature and 25-byte IHDR


def test_png_with_bad_crc_is_damaged():
    data = bytearray(read("png_rgba_transparent.png"))
    data[40] ^= 0xFF

    with pytest.raises(InvalidImage) as refusal:
        make_derivatives(bytes(data))

    assert refusal.value.message == imaging.DAMAGED


def test_png_cut_before_iend_is_incomplete():
    data = read("png_rgba_transparent.png")

    with pytest.raises(InvalidImage) as refusal:
        make_derivatives(data[: len(data) - 20])

    assert refusal.value.message == imaging.INCOMPLETE


def test_jpeg_with_garbage_between_segments_is_damaged():
    data = read("orient_1_landscape.jpg")
    app0_end = 4 + int.from_bytes(data[4:6], "big")
    broken = data[:app0_end] + b"\x00\x01garbage" + data[app0_end:]

    with pytest.raises(InvalidImage) as refusal:
        make_derivatives(broken)

    assert refusal.value.message == imaging.DAMAGED


def test_heic_with_item_extent_past_end_of_file_is_incomplete():
    data = bytearray(read("heic_apple_iphone11pro_gps_exif_at_eof.heic"))
    mdat = find_top_level_box(bytes(data), b"mdat")
    data[mdat : mdat + 4] = b"\x00\x00\x00\x00"  # size 0: the box runs to the end of the file

    with pytest.raises(InvalidImage) as refusal:
        make_derivatives(bytes(data[: mdat + 5000]))

    assert refusal.value.message == imaging.INCOMPLETE


def find_top_level_box(data: bytes, kind: bytes) -> int:
    pos = 0
    while data[pos + 4 : pos + 8] != kind:
        pos += int.from_bytes(data[pos : pos + 4], "big")
    return pos


@pytest.mark.parametrize("pillow_format", ["GIF", "TIFF", "WEBP", "BMP"])
def test_other_image_formats_are_not_photos(pillow_format):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buffer, pillow_format)

    with pytest.raises(InvalidImage) as refusal:
        make_derivatives(buffer.getvalue())

    assert refusal.value.message == imaging.NOT_A_PHOTO


def test_avif_brand_is_not_a_photo():
    ftyp = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"

    with pytest.raises(InvalidImage) as refusal:
        make_derivatives(ftyp + b"\x00" * 64)

    assert refusal.value.message == imaging.NOT_A_PHOTO


def test_max_pixels_is_checked_from_the_header():
    data = read("orient_1_landscape.jpg")

    with pytest.raises(InvalidImage) as refusal:
        make_derivatives(data, max_pixels=2_000_000)

    assert refusal.value.message == "The photo is larger than 2 megapixels."


def test_jpeg_comments_never_reach_any_rendition():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(
        buffer, "JPEG", comment=b"PATIENT NAME JOHN DOE 0101901234"
    )

    made = make_derivatives(buffer.getvalue())

    for rendition in (made.original, made.preview, made.thumbnail):
        assert b"PATIENT" not in rendition.data
        assert "comment" not in Image.open(io.BytesIO(rendition.data)).info


@pytest.mark.parametrize(
    "data", [b"\xff\xd8\xff", b"\xff\xd8\xff<html><script>alert(1)</script></html>"]
)
def test_a_jpeg_signature_without_a_jpeg_is_refused(data):
    with pytest.raises(InvalidImage):
        make_derivatives(data)
