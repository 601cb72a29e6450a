"""Conversions between the image forms users hand us (bytes or Pillow images)."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from ._types import ImageInput
from .errors import ConfigurationError

__all__ = [
    "SCREENSHOT_FORMATS",
    "ImageLimits",
    "ImageRefused",
    "check_screenshot",
    "open_image",
    "sniff_format",
    "to_png_bytes",
]

#: Refuse images larger than this many pixels (decompression-bomb guard).
MAX_IMAGE_PIXELS = 25_000_000
#: The formats screenshots come in; nothing else is ever handed to a decoder.
SCREENSHOT_FORMATS = ("PNG", "JPEG", "WEBP")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
)


def sniff_format(data: bytes) -> str | None:
    """The screenshot format of ``data`` from its first bytes: PNG, JPEG, WEBP or ``None``.

    Only the signature is read; no decoder runs.
    """
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


@dataclass(frozen=True)
class ImageLimits:
    """What an uploaded screenshot may be, checked before and while decoding.

    Attributes:
        max_pixels: width times height at most.
        max_aspect: the longer side over the shorter one at most (a 1 x 16,000,000
            strip is within any pixel limit, but no captcha looks like that).
        formats: accepted formats, a subset of :data:`SCREENSHOT_FORMATS`.
    """

    max_pixels: int = 4_000_000
    max_aspect: float = 20.0
    formats: tuple[str, ...] = SCREENSHOT_FORMATS


class ImageRefused(ConfigurationError):
    """An uploaded image is refused: unknown or disallowed format, too large, undecodable.

    Attributes:
        too_large: the refusal is about size (an HTTP server answers 413, else 400).
    """

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


#: Decoding a screenshot fully costs ~4 bytes a pixel; at most this many run at once.
_DECODES = threading.BoundedSemaphore(2)


def check_screenshot(data: bytes, limits: ImageLimits) -> tuple[str, int, int]:
    """Check that ``data`` is a screenshot we accept, and that it decodes, before any work.

    The format is read from the signature (no decoder for anything else ever runs); the
    size and aspect ratio from the header; only then is the image decoded, to be sure it
    can be, with at most two decodes at once so that memory stays bounded.

    Args:
        data: the uploaded bytes.
        limits: the format, pixel and aspect bounds.

    Returns:
        ``(format, width, height)``.

    Raises:
        ImageRefused: the image is not accepted (``too_large`` says when for its size).
    """
    kind = sniff_format(data)
    if kind is None or kind not in limits.formats:
        allowed = ", ".join(limits.formats)
        raise ImageRefused(f"not an accepted image format (accepted: {allowed})")
    try:
        with Image.open(io.BytesIO(data), formats=(kind,)) as img:
            width, height = img.size
            if width < 1 or height < 1:
                raise ImageRefused("image has no pixels")
            if width * height > limits.max_pixels:
                raise ImageRefused(
                    f"image is too large: {width}x{height} pixels, limit {limits.max_pixels}",
                    too_large=True,
                )
            if max(width, height) > limits.max_aspect * min(width, height):
                raise ImageRefused(
                    f"image is {width}x{height} pixels: sides further apart than "
                    f"{limits.max_aspect:g}:1",
                    too_large=True,
                )
            with _DECODES:
                img.load()
    except ImageRefused:
        raise
    except Image.DecompressionBombError:
        raise ImageRefused("image is too large", too_large=True) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise ImageRefused(f"the {kind} image cannot be decoded") from None
    return kind, width, height


def open_image(image: ImageInput, *, mode: str = "RGB") -> Image.Image:
    """Return ``image`` as a loaded Pillow image in ``mode`` (RGB unless asked otherwise).

    Raises:
        ConfigurationError: the bytes are not a readable image, or it is too large.
    """
    if isinstance(image, Image.Image):
        img = image
    elif isinstance(image, (bytes, bytearray, memoryview)):
        try:
            img = Image.open(io.BytesIO(bytes(image)))
            if img.width * img.height > MAX_IMAGE_PIXELS:
                raise ConfigurationError(f"image is too large ({img.width}x{img.height} pixels)")
            img.load()
        except UnidentifiedImageError as exc:
            raise ConfigurationError("not a readable image (expected PNG, JPEG, ...)") from exc
        except (OSError, Image.DecompressionBombError) as exc:
            raise ConfigurationError(f"not a readable image: {exc}") from exc
    else:
        raise ConfigurationError(
            f"image must be bytes or a PIL.Image.Image, not {type(image).__name__}"
        )
    if img.width < 1 or img.height < 1:
        raise ConfigurationError("image has no pixels")
    return img if img.mode == mode else img.convert(mode)


def to_png_bytes(image: ImageInput) -> bytes:
    """Return ``image`` encoded as PNG (bytes that already are PNG pass through)."""
    if isinstance(image, (bytes, bytearray)) and bytes(image[:8]) == b"\x89PNG\r\n\x1a\n":
        return bytes(image)
    buf = io.BytesIO()
    open_image(image).save(buf, format="PNG")
    return buf.getvalue()
