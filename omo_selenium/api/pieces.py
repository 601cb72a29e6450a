"""The piece as its own picture, for the APIs: encoding it, and drawing it onto the background.

A widget that draws the piece as its own element gives us two pictures (see
:class:`~omo_selenium.PieceImage`). The task API's generic type takes both as they are; the
job API and a solver that knows only :meth:`~omo_selenium.Solver.solve` take one
screenshot, which :func:`composite_piece` makes by drawing the piece at its start.
"""

from __future__ import annotations

import io

from PIL import Image

from .._types import ImageInput, PieceImage, PieceSolver, Solver
from ..errors import ConfigurationError
from ..images import open_image, to_png_bytes

__all__ = ["composite_piece", "piece_png", "piece_rgba", "solve_with_piece"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def piece_rgba(image: ImageInput) -> Image.Image:
    """Return the piece's picture as RGBA, keeping its alpha (its shape).

    Raises:
        ConfigurationError: the bytes are not a readable image, or it is too large.
    """
    if isinstance(image, Image.Image):
        return image.convert("RGBA")
    open_image(image)  # the same checks as any captcha picture (readable, size-bounded)
    with Image.open(io.BytesIO(bytes(image))) as img:
        rgba: Image.Image = img.convert("RGBA")
    return rgba


def piece_png(image: ImageInput) -> bytes:
    """Return the piece's picture as PNG bytes, keeping its alpha.

    PNG bytes pass through unchanged.

    Raises:
        ConfigurationError: the bytes are not a readable image, or it is too large.
    """
    if isinstance(image, (bytes, bytearray)) and bytes(image[:8]) == _PNG_SIGNATURE:
        open_image(image)
        return bytes(image)
    buf = io.BytesIO()
    piece_rgba(image).save(buf, format="PNG")
    return buf.getvalue()


def composite_piece(background: ImageInput, piece: PieceImage) -> bytes:
    """Draw the piece onto the background at its start; return the screenshot as PNG.

    The piece's alpha is its shape. An unknown start (``x`` or ``y`` of ``None``) is the
    left or top edge of the background: right for a piece picture as tall as the
    background (a strip, as many widgets draw it), a guess otherwise.

    Args:
        background: the picture with the gap.
        piece: the piece's picture (same px per CSS px as ``background``) and its start.

    Returns:
        PNG bytes of one screenshot, as the job API and :meth:`Solver.solve` expect it.

    Raises:
        ConfigurationError: a picture is unreadable, or ``piece`` is not a PieceImage.
    """
    if not isinstance(piece, PieceImage):
        raise ConfigurationError(f"piece must be a PieceImage, not {type(piece).__name__}")
    canvas = open_image(background).copy()
    sprite = piece_rgba(piece.image)
    at = (round(piece.x or 0.0), round(piece.y or 0.0))
    canvas.paste(sprite, at, sprite)
    return to_png_bytes(canvas)


def solve_with_piece(
    solver: Solver, background: ImageInput, piece: PieceImage, width_view: float
) -> float:
    """Ask ``solver`` how far the piece must travel, given the piece as its own picture.

    A :class:`~omo_selenium.PieceSolver` gets both pictures (``solve_piece``); any other
    solver gets one screenshot with the piece drawn at its start (:func:`composite_piece`).

    Args:
        solver: the solver to ask.
        background: the picture with the gap.
        piece: the piece's picture and its start.
        width_view: the CSS width at which ``background`` is displayed.

    Returns:
        The distance from the piece's start to the gap, in CSS px of the displayed picture.
    """
    if isinstance(solver, PieceSolver):
        return solver.solve_piece(background, piece, width_view)
    return solver.solve(composite_piece(background, piece), width_view)
