"""Looks at the page while dragging: how far the piece went, and the piece itself.

The engine compares two screenshots of the captcha (:mod:`omo_selenium.engine.motion`,
:mod:`omo_selenium.engine.moved_piece`); this module turns its answers into CSS px and
into what a :class:`~omo_selenium.PieceSolver` takes.
"""

from __future__ import annotations

from ._types import PieceImage, PieceSolver, Solver
from .browser.capture import Captured
from .records import PieceLook

__all__ = ["look_at_piece", "piece_travel_css", "solve_with_piece"]


def piece_travel_css(before: Captured, now: Captured) -> float | None:
    """How far the piece has moved since ``before``, CSS px; ``None`` when not seen."""
    from .engine.motion import measure_piece_shift  # numpy: imported on first use

    shift = measure_piece_shift(before.image, now.image)
    return None if shift is None else shift * before.scale


def look_at_piece(before: Captured, now: Captured, *, handle_css: float) -> PieceLook | None:
    """The piece cut out of two looks at the captcha, or ``None`` when none moved."""
    from .engine.moved_piece import isolate_moved_piece

    piece = isolate_moved_piece(before.image, now.image)
    if piece is None:
        return None
    return PieceLook(
        sprite=piece.sprite,
        start_x=float(piece.x),
        y=float(piece.y),
        shift_px=piece.shift,
        handle_css=handle_css,
        background=piece.background,
    )


def solve_with_piece(solver: Solver, captured: Captured, look: PieceLook) -> float | None:
    """Ask ``solver`` with the piece's own picture; ``None`` when it cannot take one.

    Raises:
        SolveFailed: the solver refused this piece too.
    """
    if not isinstance(solver, PieceSolver):
        return None
    piece = PieceImage(look.sprite, look.start_x, look.y)
    background = look.background if look.background is not None else captured.image
    return float(solver.solve_piece(background, piece, captured.width_view))
