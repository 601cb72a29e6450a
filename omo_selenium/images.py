"""Conversions between the image forms users hand us (bytes or Pillow images)."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from ._types import ImageInput
from .errors import ConfigurationError

__all__ = ["open_image", "to_png_bytes"]

#: Refuse images larger than this many pixels (decompression-bomb guard).
MAX_IMAGE_PIXELS = 25_000_000


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
