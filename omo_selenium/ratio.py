"""The handle ratio: piece px moved per handle px dragged, with its source and lifetime.

Real widgets rarely move the piece 1:1 with the handle. The ratio is given by the user,
measured on the page while dragging, learned from an earlier attempt on the same widget,
or assumed 1:1 until seen. A measured ratio belongs to the widget it was measured on
(its handle element): it never carries over to another page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._types import GapMatch
    from .browser.capture import Captured

__all__ = [
    "MAX_RATIO",
    "MIN_RATIO",
    "RATIO_HEADROOM",
    "HandleRatio",
    "RatioSource",
    "room_for_whole_drag",
]

#: Plausible handle-to-piece ratios; a measurement outside is ignored.
MIN_RATIO, MAX_RATIO = 0.4, 2.5

#: Largest ratio a whole first drag at 1:1 must survive without reaching the track's end.
RATIO_HEADROOM = 1.6

RatioSource = Literal["given", "measured", "learned", "assumed"]


@dataclass(frozen=True)
class HandleRatio:
    """Piece px per handle px, where it came from and which widget it belongs to.

    Attributes:
        value: the ratio.
        source: ``"given"`` (by the caller), ``"measured"`` (in this attempt),
            ``"learned"`` (measured on an earlier attempt on the same widget) or
            ``"assumed"`` (1:1, not seen yet).
        widget: the handle element's WebDriver id it was measured on (``None`` for a
            given or assumed ratio, which belong to no widget).
    """

    value: float
    source: RatioSource
    widget: str | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.value) and self.value > 0):
            raise ConfigurationError(f"ratio must be a positive number, got {self.value!r}")

    @classmethod
    def given(cls, value: float) -> HandleRatio:
        """A ratio the caller gave."""
        return cls(float(value), "given")

    @classmethod
    def assumed(cls) -> HandleRatio:
        """1:1, until the page shows otherwise."""
        return cls(1.0, "assumed")

    @classmethod
    def measured(
        cls, piece_css: float, handle_css: float, widget: str | None
    ) -> HandleRatio | None:
        """The ratio seen on the page, or ``None`` when the numbers are not plausible."""
        if handle_css == 0 or not math.isfinite(piece_css):
            return None
        value = piece_css / handle_css
        if not MIN_RATIO <= value <= MAX_RATIO:
            return None
        return cls(value, "measured", widget)

    @property
    def known(self) -> bool:
        """Whether the ratio was given or seen (not merely assumed)."""
        return self.source != "assumed"

    def for_widget(self, widget: str | None) -> HandleRatio | None:
        """This ratio as learned for a later attempt on ``widget``, or ``None`` when it
        was measured on another widget (another page, a re-rendered slider)."""
        if self.source not in ("measured", "learned") or widget is None:
            return None
        if self.widget != widget:
            return None
        return replace(self, source="learned")


def room_for_whole_drag(match: GapMatch | None, distance: float, captured: Captured) -> bool:
    """Whether a whole drag at 1:1 keeps the piece clear of the end of its track even if
    the real ratio is up to :data:`RATIO_HEADROOM` (known only when the solver located
    the piece, and so its width)."""
    if match is None:
        return False
    room = captured.width_view - match.piece_box[2] * match.scale
    return distance * RATIO_HEADROOM <= room
