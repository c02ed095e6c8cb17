"""Derivatives of an uploaded photo: a stripped original, a preview and a thumbnail.

Each photo is decoded once. The preview is made in the stored orientation and turned upright
afterwards (cheaper on the small image); colour conversion to sRGB also happens after the
downscale. The thumbnail is made from the preview. Refusals raise InvalidImage with a reason
a clinician can read.
"""

import io
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import pillow_heif
from PIL import Image, ImageCms, UnidentifiedImageError

from domain.errors import InvalidImage
from workers.heif_boxes import check_item_extents, is_heic
from workers.jpeg_segments import strip_jpeg
from workers.png_chunks import PNG_SIGNATURE, strip_png

logger = logging.getLogger(__name__)
T = TypeVar("T")

pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

NOT_A_PHOTO = "The file is not a photo (JPEG, PNG or HEIC)."
INCOMPLETE = "The photo file is incomplete; the upload may have been interrupted."
DAMAGED = "The photo file is damaged and cannot be read."
TOO_LARGE = "The photo is larger than {megapixels:g} megapixels."

PREVIEW_LONG_EDGE = 2048
THUMBNAIL_LONG_EDGE = 320
PREVIEW_QUALITY = 85
THUMBNAIL_QUALITY = 80
HEIF_ORIGINAL_QUALITY = 92
RESAMPLING = Image.Resampling.BICUBIC
TRANSPOSES = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# MPO files open through the JPEG opener (MPO has none of its own; naming it is a KeyError).
PILLOW_FORMATS = {"JPEG": ["JPEG"], "PNG": ["PNG"], "HEIF": ["HEIF"]}


@dataclass(frozen=True)
class Rendition:
    data: bytes
    content_type: str  # "image/jpeg" or "image/png"


@dataclass(frozen=True)
class Derivatives:
    source_format: str  # "JPEG", "PNG", "HEIF", "MPO"
    width: int  # upright
    height: int
    original: Rendition  # full resolution, displays upright, no identifying metadata
    preview: Rendition  # JPEG, long edge 2048 at most, sRGB, no metadata
    thumbnail: Rendition  # JPEG, long edge 320 at most, made from the preview


def make_derivatives(data: bytes, *, max_pixels: int = 100_000_000) -> Derivatives:
    """Check, strip and downscale one photo; raise InvalidImage when it is refused."""
    kind = identify_format(data)
    with open_photo(data, kind, max_pixels) as image:
        source_format = image.format or kind
        orientation = read_orientation(image) if kind == "JPEG" else 1
        width, height = upright_size(image.size, orientation)
        original = strip_original(data, kind, orientation)
        decode(image)
        if kind == "HEIF":
            original = encode_heif_original(image)
        preview, thumbnail = render_views(image, orientation)
    return Derivatives(source_format, width, height, original, preview, thumbnail)


def identify_format(data: bytes) -> str:
    """Name the container from its magic bytes alone: "JPEG", "PNG" or "HEIF"."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if is_heic(data):
        return "HEIF"
    raise InvalidImage(NOT_A_PHOTO)


def open_photo(data: bytes, kind: str, max_pixels: int) -> Image.Image:
    """Read the header only, and refuse photos over max_pixels before any pixel is decoded."""
    if kind == "HEIF":
        check_structure(check_item_extents, data)
    try:
        with warnings.catch_warnings():
            # Our own max_pixels decides; Pillow's hard limit still raises an error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=PILLOW_FORMATS[kind])
    except Image.DecompressionBombError:
        raise InvalidImage(too_large(max_pixels)) from None
    except (UnidentifiedImageError, ValueError, OSError):
        raise InvalidImage(DAMAGED) from None
    if image.width * image.height > max_pixels:
        image.close()
        raise InvalidImage(too_large(max_pixels))
    return image


def too_large(max_pixels: int) -> str:
    limit = max_pixels
    if Image.MAX_IMAGE_PIXELS is not None:
        limit = min(max_pixels, 2 * Image.MAX_IMAGE_PIXELS)
    return TOO_LARGE.format(megapixels=limit // 1_000_000)


def check_structure(check: Callable[[bytes], T], data: bytes) -> T:
    """Run a structure parser, turning its EOFError and ValueError into InvalidImage."""
    try:
        return check(data)
    except EOFError:
        raise InvalidImage(INCOMPLETE) from None
    except ValueError:
        raise InvalidImage(DAMAGED) from None


def read_orientation(image: Image.Image) -> int:
    value = image.getexif().get(0x0112, 1)
    return value if isinstance(value, int) and value in TRANSPOSES else 1


def strip_original(data: bytes, kind: str, orientation: int) -> Rendition:
    """Losslessly strip JPEG and PNG files; a HEIF original is re-encoded after decoding."""
    if kind == "JPEG":
        stripped = check_structure(lambda whole: strip_jpeg(whole, orientation), data)
        return Rendition(stripped, "image/jpeg")
    if kind == "PNG":
        return Rendition(check_structure(strip_png, data), "image/png")
    return Rendition(b"", "image/jpeg")


def decode(image: Image.Image) -> None:
    """Decode the pixels, at a reduced DCT scale when the preview is at most half the size."""
    if image.format in ("JPEG", "MPO"):
        image.draft(None, fit_within(image.size, PREVIEW_LONG_EDGE))
    try:
        image.load()
    except OSError as error:
        reason = INCOMPLETE if "truncated" in str(error) else DAMAGED
        raise InvalidImage(reason) from None
    except (ValueError, SyntaxError):
        raise InvalidImage(DAMAGED) from None


def encode_heif_original(image: Image.Image) -> Rendition:
    """Full-resolution JPEG of the upright HEIF pixels, keeping only the ICC profile."""
    icc = image.info.get("icc_profile")
    full = flatten_alpha(to_resizable(image))
    return Rendition(encode_jpeg(full, HEIF_ORIGINAL_QUALITY, icc), "image/jpeg")


def render_views(image: Image.Image, orientation: int) -> tuple[Rendition, Rendition]:
    """Encode the upright preview and thumbnail of a photo decoded in its stored orientation."""
    icc = image.info.get("icc_profile")
    small = shrink(to_resizable(image), PREVIEW_LONG_EDGE)
    if small is not image:
        image.close()  # frees the full-size pixels before the small ones are worked on
    if orientation in TRANSPOSES:
        small = small.transpose(TRANSPOSES[orientation])
    preview = to_srgb(flatten_alpha(small), icc)
    thumbnail = shrink(preview, THUMBNAIL_LONG_EDGE)
    return (
        Rendition(encode_jpeg(preview, PREVIEW_QUALITY), "image/jpeg"),
        Rendition(encode_jpeg(thumbnail, THUMBNAIL_QUALITY), "image/jpeg"),
    )


def upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    width, height = size
    return (height, width) if orientation >= 5 else (width, height)


def fit_within(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    width, height = size
    scale = long_edge / max(width, height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def shrink(image: Image.Image, long_edge: int) -> Image.Image:
    size = fit_within(image.size, long_edge)
    if size == image.size:
        return image
    return image.resize(size, RESAMPLING, reducing_gap=2.0)


def to_resizable(image: Image.Image) -> Image.Image:
    """Convert palette, bilevel and 16-bit modes to 8-bit modes that resize smoothly."""
    if image.mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        return image
    if (image.mode == "P" and "transparency" in image.info) or image.mode == "PA":
        return image.convert("RGBA")
    if image.mode.startswith("I"):
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("1", "F"):
        return image.convert("L")
    return image.convert("RGB")


def flatten_alpha(image: Image.Image) -> Image.Image:
    """Composite a transparent photo onto white, since JPEG has no alpha."""
    if image.mode not in ("RGBA", "LA"):
        return image
    background = Image.new(image.mode[:-1], image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background


def to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert CMYK and profiled RGB to sRGB; untagged RGB is taken to be sRGB already."""
    if image.mode not in ("RGB", "CMYK"):
        return image
    profile = read_profile(icc) if icc else None
    if profile is None or (image.mode == "RGB" and is_srgb(profile)):
        return image.convert("RGB")
    converted = ImageCms.profileToProfile(image, profile, srgb_profile(), outputMode="RGB")
    return converted if converted is not None else image.convert("RGB")


def read_profile(icc: bytes) -> ImageCms.ImageCmsProfile | None:
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (OSError, ImageCms.PyCMSError):
        logger.warning("Ignoring an unreadable ICC profile")
        return None


def is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    return "sRGB" in ImageCms.getProfileDescription(profile)


@cache
def srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def encode_jpeg(image: Image.Image, quality: int, icc: bytes | None = None) -> bytes:
    # Pillow copies what it read (comments, EXIF, XMP, DPI) through resizes into `info` and
    # writes some of it back on save: start from nothing so only pixels and our profile leave.
    image.info.clear()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, icc_profile=icc)
    return buffer.getvalue()
