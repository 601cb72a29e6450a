"""Looks at the page while dragging: how far the piece went, and the piece itself.

The engine compares two screenshots of the captcha (:mod:`omo_selenium.engine.motion`,
:mod:`omo_selenium.engine.moved_piece`); this module turns its answers into CSS px and
into what a :class:`~omo_selenium.PieceSolver` takes. When the solver located the piece,
:class:`PieceTrack` follows the piece itself: its own pixels, cut from the picture
before the drag, are looked for along its rows in the new one.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from PIL import Image

from ._types import Box, GapMatch, PieceImage, PieceSolver, Solver
from .browser.capture import Captured, capture_element, recapture, rows_of
from .ratio import MAX_RATIO, MIN_RATIO
from .records import LandingLook, PieceLook

if TYPE_CHECKING:
    import numpy as np
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

__all__ = [
    "PieceTrack",
    "PieceWatch",
    "look_at_piece",
    "piece_travel_css",
    "solve_with_piece",
]

logger = logging.getLogger("omo_selenium.solver")

#: Slack (CSS px) on the travels a drag can cause, for rounding and a jump on press.
PLAUSIBLE_SLACK_CSS_PX = 2.0
#: Rows above and below the located piece kept in a look at its travel, as a share of
#: the piece's height (a piece that moves a little up or down stays inside).
BAND_MARGIN_SHARE = 0.25
#: Channel difference (0-255) above which a pixel of the piece's box changed in a look.
CHANGED_LEVEL = 24
#: Fewest pixels of the piece (changed in its box) to track it by.
MIN_PIECE_PIXELS = 40
#: Per-pixel differences are capped here, so a few pixels that differ anyway (a glow or
#: shadow over another background, a highlight while dragging) do not decide.
DIFF_CAP = 64.0
#: The best place must differ this much less than a typical place along the rows
#: (mean capped difference, as a share) to count as the piece found.
MAX_MATCH_SHARE = 0.6
#: Places farther than this from the best (px) must differ this many times more.
AWAY_PX = 3
MIN_RUNNER_UP_RATIO = 1.25
#: A piece that must have moved at least this share of its width (the least travel the
#: handle's move allows) has left most of its box: when the box is unchanged, what was
#: located is not the piece.
LEFT_ITS_BOX_SHARE = 0.25


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
    # a piece that moved its whole width has uncovered its start in the background
    uncovered = look.background is not None and look.shift_px >= look.sprite.width
    piece = PieceImage(look.sprite, look.start_x, look.y, start_uncovered=uncovered)
    background = look.background if look.background is not None else captured.image
    return float(solver.solve_piece(background, piece, captured.width_view))


class PieceTrack:
    """Where the located piece is now, from its own pixels.

    Args:
        before: the captcha before the drag (or the rows of it a look takes).
        box: the piece's ``(x, y, w, h)`` in px of ``before``'s picture.
    """

    def __init__(self, before: Captured, box: Box) -> None:
        self.before = before
        self.box = box
        #: The piece's own pixels the last search used (RGBA, alpha = those pixels).
        self.sprite: Image.Image | None = None
        #: The last search found the box unchanged although the piece must have left
        #: it: the located thing stayed put, so it is not the piece.
        self.stayed = False

    def travel_css(
        self, now: Captured, *, low_css: float = 0.0, high_css: float = math.inf
    ) -> float | None:
        """How far the piece has moved since ``before``, CSS px, searched from
        ``low_css`` to ``high_css``; ``None`` when it is not clearly found there.

        The piece's pixels are those of its box that changed (the piece left them);
        the place along its rows where ``now`` shows them best, refined to a fraction
        of a px, is where it is. When hardly any pixel of the box changed although the
        piece must have moved a good part of its width (``low_css``), :attr:`stayed` is
        set.
        """
        import numpy as np  # imported on first use, like the engine

        self.stayed = False

        scale = self.before.scale
        a = np.asarray(self.before.image.convert("RGB"), dtype=np.float32)
        b = np.asarray(now.image.convert("RGB"), dtype=np.float32)
        if a.shape != b.shape:
            return None
        height, width = a.shape[:2]
        x0, y0, w, h = (round(v) for v in self.box)
        x0, y0 = max(0, x0), max(0, y0)
        w, h = min(w, width - x0), min(h, height - y0)
        if w < 4 or h < 4:
            return None
        sprite = a[y0 : y0 + h, x0 : x0 + w]
        mask = np.abs(b[y0 : y0 + h, x0 : x0 + w] - sprite).max(axis=2) > CHANGED_LEVEL
        if int(mask.sum()) < MIN_PIECE_PIXELS:
            self.stayed = low_css / scale >= LEFT_ITS_BOX_SHARE * w
            return None
        self.sprite = _with_alpha(sprite, mask)
        lo = max(1, math.floor(low_css / scale))
        hi = min(width - w - x0 - 1, math.ceil(min(high_css, width * scale) / scale))
        if hi - lo < 2:
            return None
        rows = b[y0 : y0 + h]
        pixels = sprite[mask]
        scores = np.array(
            [_mismatch(rows[:, x0 + s : x0 + s + w][mask], pixels) for s in range(lo, hi + 1)]
        )
        best = int(np.argmin(scores))
        typical = float(np.median(scores))
        away = np.concatenate([scores[: max(0, best - AWAY_PX)], scores[best + AWAY_PX + 1 :]])
        runner_up = float(away.min()) if away.size else typical
        if typical <= 0 or scores[best] > MAX_MATCH_SHARE * typical:
            logger.debug(
                "piece track: no place stands out (%.2f of typical)", scores[best] / typical
            )
            return None
        if runner_up < MIN_RUNNER_UP_RATIO * scores[best]:
            logger.debug("piece track: two places look alike (%d px apart or more)", AWAY_PX)
            return None
        shift = lo + best
        # a fraction of a px: a parabola through the squared differences next to the best
        left, mid, right = (
            float(np.square(rows[:, x0 + s : x0 + s + w][mask] - pixels).mean())
            for s in (shift - 1, shift, shift + 1)
        )
        curve = left - 2 * mid + right
        sub = float(np.clip(0.5 * (left - right) / curve, -0.5, 0.5)) if curve > 0 else 0.0
        return (shift + sub) * scale


def _with_alpha(pixels: np.ndarray[Any, Any], mask: np.ndarray[Any, Any]) -> Image.Image:
    import numpy as np

    rgba = np.dstack([np.clip(pixels, 0, 255), mask * 255.0]).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def _mismatch(patch: np.ndarray[Any, Any], pixels: np.ndarray[Any, Any]) -> float:
    """Mean per-pixel difference (largest channel, capped) of two pixel lists."""
    import numpy as np

    return float(np.minimum(np.abs(patch - pixels).max(axis=1), DIFF_CAP).mean())


class PieceWatch:
    """Looks at the piece while the button is held: how far it went, and the last look.

    Args:
        driver: the browser.
        captured: the captcha before the drag.
        image: the captcha's picture element (captured again when ``captured`` came
            from an element screenshot).
        match: where a locating solver found piece and gap (``None``: not located).
    """

    def __init__(
        self, driver: WebDriver, captured: Captured, image: WebElement, match: GapMatch | None
    ) -> None:
        self.driver = driver
        self.captured = captured
        self.image = image
        self.match = match
        #: The rows the located piece slides along, before the drag (a cheaper look),
        #: and the piece's own pixels to follow in them.
        self.band, self.track = _band(captured, match)
        #: The last look: the picture, the travel seen, how it was seen.
        self._last: tuple[Captured, float | None, str | None] | None = None
        #: The last look's picture when the located piece did not move there but
        #: something else did, as a piece would: the solver located the wrong thing.
        self.elsewhere: Captured | None = None

    def look(self) -> Captured:
        """The whole captcha as it is now."""
        if self.captured.device_box is None:
            return capture_element(self.driver, self.image, scroll=False)
        return recapture(self.driver, self.captured)

    def travel_css(self, handle_css: float) -> float | None:
        """How far the piece went since the drag began, CSS px (``None``: not seen),
        the handle having moved ``handle_css``.

        With the piece located, it is followed by its own pixels along its rows (a third
        of the picture: a quick screenshot and search); else, or when it is not found
        there, the engine compares the rows, then the whole captcha, before and now.
        A travel the handle could not have caused (a ratio outside
        :data:`~omo_selenium.ratio.MIN_RATIO`..:data:`~omo_selenium.ratio.MAX_RATIO`)
        is not the piece: a gap of the same shape, half covered, can look like it.

        Raises:
            CaptureError: the screenshot failed.
        """
        self.elsewhere = None
        handle = abs(handle_css)
        low = MIN_RATIO * handle - PLAUSIBLE_SLACK_CSS_PX
        high = MAX_RATIO * handle + PLAUSIBLE_SLACK_CSS_PX
        band, track = self.band, self.track
        if track is not None:
            now = recapture(self.driver, band) if band is not None else self.look()
            tracked = track.travel_css(now, low_css=low, high_css=high)
            if tracked is not None:
                self._last = (now, tracked, "its own pixels")
                return tracked
            # the located thing stayed put: whatever moved in its rows (the edge of the
            # real piece passing by) is not it, so the whole captcha is compared
            if band is not None and not track.stayed:
                travel = piece_travel_css(band, now)
                if travel is not None and low <= travel <= high:
                    self._last = (now, travel, "screenshot comparison")
                    return travel
            logger.debug("the piece was not found by its pixels; comparing the whole captcha")
        whole = self.look()
        travel = piece_travel_css(self.captured, whole)
        if travel is not None and not low <= travel <= high:
            logger.debug(
                "a change of %.1f css px for a %.1f css px drag is not the piece", travel, handle
            )
            travel = None
        self._last = (whole, travel, "screenshot comparison" if travel is not None else None)
        if travel is not None and track is not None and band is not None:
            self.elsewhere = whole
        return travel

    def landing(self) -> LandingLook | None:
        """The last look against the gap, when the piece was located and looked at."""
        match, last = self.match, self._last
        if match is None or last is None:
            return None
        now, travel, how = last
        top = 0
        if now.device_box is not None and self.captured.device_box is not None:
            top = now.device_box[1] - self.captured.device_box[1]
        start = match.piece_box[0]
        sprite = self.track.sprite if self.track is not None else None
        return LandingLook(
            image=now.image,
            top=top,
            piece_box=match.piece_box,
            found_x=None if travel is None else start + travel / self.captured.scale,
            target_x=start + match.distance_px,
            how=how,
            sprite=sprite if how == "its own pixels" else None,
        )


def _band(captured: Captured, match: GapMatch | None) -> tuple[Captured | None, PieceTrack | None]:
    """The rows where the located piece slides (with a margin) and a tracker of the
    piece in them; ``(None, None)`` when the piece was not located."""
    if match is None:
        return None, None
    x, y, width, height = match.piece_box
    margin = max(2, math.ceil(height * BAND_MARGIN_SHARE))
    top = max(0, math.floor(y) - margin)
    band = rows_of(captured, top, math.ceil(y + height) + margin)
    if band is None or band.image.height >= captured.image.height:
        return None, PieceTrack(captured, match.piece_box)
    return band, PieceTrack(band, (x, y - top, width, height))
