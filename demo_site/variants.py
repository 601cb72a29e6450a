"""Page variants (selected by query string) and the widget's fixed geometry.

A :class:`Variant` is an immutable value parsed once from the query string at the edge
(:meth:`Variant.from_query`); everything else reads its fields. The geometry functions
turn a variant into the numbers the image generator and the page share.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Literal, Union
from urllib.parse import parse_qs, urlencode

__all__ = [
    "DISPLAY_HEIGHT",
    "DISPLAY_WIDTH",
    "HANDLE_WIDTH",
    "OUTSIDE_MAX_CSS",
    "SHAPES",
    "STYLES",
    "VERDICTS",
    "Variant",
    "gap_x_range",
    "gap_y_range",
    "outside_start_range",
    "piece_padding",
    "piece_shape_size",
    "piece_size",
]

#: CSS width, in px, at which the background picture is displayed (and the track's width).
DISPLAY_WIDTH = 340
#: CSS height, in px, at which the background picture is displayed.
DISPLAY_HEIGHT = 212
#: CSS width, in px, of the slider handle (must match ``static/captcha.css``).
HANDLE_WIDTH = 44
#: Piece outlines the generator can cut.
SHAPES = ("jigsaw", "square", "circle", "shield", "star")
#: Outline and shadow looks for the piece and the gap.
STYLES = ("classic", "glow", "flat")
#: How the page shows its verdict: words in ``#captcha-result``, or only a class on ``#captcha``.
VERDICTS = ("text", "class")
#: With ``outside=1``, the piece starts up to this many CSS px left of the picture.
OUTSIDE_MAX_CSS = 18

_SHAPE_CSS = 54  # the shape's bounding box, CSS px
_PAD_CSS = 4  # transparent margin around the shape for outline and shadow, CSS px
_LIMITS = {
    "scale": (0.5, 3.0),
    "ratio": (0.5, 2.0),
    "decoys": (0, 4),
    "delay": (0, 5000),
    "sample": (0, 500),
    "tolerance": (0.5, 10.0),
}
_FLAGS = ("iframe", "fold", "strict", "hover", "jump", "late", "reset", "outside")
_TAG = re.compile(r"[A-Za-z0-9_-]{0,40}")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")

RatioSetting = Union[float, Literal["auto"]]


@dataclass(frozen=True)
class Variant:
    """One combination of page variants; the defaults are the plain page.

    Attributes:
        scale: natural image width / displayed width (``scale=1.6`` serves a 544 px wide
            picture shown at 340 CSS px).
        iframe: the widget lives in an ``<iframe>`` inside the outer page.
        fold: the widget sits about 2000 px below the top of the page.
        decoys: number of decoy gaps painted into the picture (0-4).
        shape: piece outline, one of :data:`SHAPES`.
        style: outline and shadow look, one of :data:`STYLES`.
        ratio: piece px moved per handle px. ``1.0`` moves both together, ``"auto"`` maps
            the handle's travel onto the piece's travel (as many widgets do), a number
            forces that ratio.
        delay: milliseconds the server waits before answering a verification.
        sample: the page reads the pointer only every this many milliseconds (0 = every move).
        strict: the server rejects robotic trajectories (few points, perfectly flat).
        hover: a press counts only after the pointer has rested on the handle for a
            moment (a hover transition of 250-700 ms, drawn per page); earlier presses
            are ignored.
        jump: on press the handle's left edge jumps to the pointer's x (minus 0-10 px,
            drawn per page), as some widgets do.
        verdict: ``"text"`` (words in ``#captcha-result``, ``data-state``) or ``"class"``
            (only a class on ``#captcha``, its name drawn per page; no text, no result
            element).
        late: the page shows its verdict 0.7-1.3 s (drawn per page) after release, with no
            "verifying" state before it.
        reset: after a failure the widget shows it briefly (0.25-0.7 s), then the handle
            and piece slide back, the verdict is cleared and a new picture appears.
        outside: the piece is a separate ``<img>`` or ``<canvas>`` (drawn per page) laid
            over the picture, starting partly left of it (6-18 CSS px, drawn per
            challenge).
        tolerance: largest accepted landing error in natural px for this page (``None``:
            the site's, 4 px).
        tag: a free label (letters, digits, ``-``, ``_``; at most 40) recorded with every
            challenge the page asks for, so a client running many sessions can find its
            own verifications (:meth:`DemoSite.verifications_tagged`). No effect on the page.
    """

    scale: float = 1.0
    iframe: bool = False
    fold: bool = False
    decoys: int = 0
    shape: str = "jigsaw"
    style: str = "classic"
    ratio: RatioSetting = 1.0
    delay: int = 0
    sample: int = 0
    strict: bool = False
    hover: bool = False
    jump: bool = False
    verdict: str = "text"
    late: bool = False
    reset: bool = False
    outside: bool = False
    tolerance: float | None = None
    tag: str = ""

    def __post_init__(self) -> None:
        for name in ("scale", "decoys", "delay", "sample"):
            value = getattr(self, name)
            low, high = _LIMITS[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number")
            if not (math.isfinite(value) and low <= value <= high):
                raise ValueError(f"{name} must be between {low} and {high}, got {value}")
        for name in ("decoys", "delay", "sample"):
            if int(getattr(self, name)) != getattr(self, name):
                raise ValueError(f"{name} must be a whole number")
        if self.ratio != "auto":
            low, high = _LIMITS["ratio"]
            if isinstance(self.ratio, bool) or not isinstance(self.ratio, (int, float)):
                raise ValueError("ratio must be a number or 'auto'")
            if not (math.isfinite(self.ratio) and low <= self.ratio <= high):
                raise ValueError(f"ratio must be 'auto' or between {low} and {high}")
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}")
        for name in _FLAGS:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be a boolean")
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
        if self.tolerance is not None:
            low, high = _LIMITS["tolerance"]
            if isinstance(self.tolerance, bool) or not isinstance(self.tolerance, (int, float)):
                raise ValueError("tolerance must be a number")
            if not (math.isfinite(self.tolerance) and low <= self.tolerance <= high):
                raise ValueError(f"tolerance must be between {low} and {high} natural px")
        if not isinstance(self.tag, str) or not _TAG.fullmatch(self.tag):
            raise ValueError("tag must be at most 40 letters, digits, '-' or '_'")

    @classmethod
    def from_query(cls, query: str | Mapping[str, str]) -> Variant:
        """Parse a query string (or a mapping of its values) into a variant.

        Args:
            query: ``"scale=1.6&iframe=1"`` (a leading ``?`` is allowed) or a mapping.

        Returns:
            The variant; parameters that are not given keep their defaults.

        Raises:
            ValueError: an unknown parameter, a repeated one, or a value out of range.
        """
        if isinstance(query, str):
            parsed = parse_qs(query.lstrip("?"), keep_blank_values=True)
            repeated = sorted(k for k, v in parsed.items() if len(v) > 1)
            if repeated:
                raise ValueError(f"parameter given twice: {', '.join(repeated)}")
            values = {k: v[0] for k, v in parsed.items()}
        else:
            values = dict(query)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown parameter(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        kwargs: dict[str, object] = {}
        for name, raw in values.items():
            kwargs[name] = _parse_value(name, raw.strip().lower())
        return cls(**kwargs)  # type: ignore[arg-type]

    def to_query(self) -> str:
        """Return the query string selecting this variant (only non-default values)."""
        pairs: list[tuple[str, str]] = []
        default = Variant()
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            if isinstance(value, bool):
                pairs.append((f.name, "1"))
            elif isinstance(value, float) and value.is_integer():
                pairs.append((f.name, str(int(value))))
            else:
                pairs.append((f.name, str(value)))
        return urlencode(pairs)

    def without_frame(self) -> Variant:
        """Return this variant for the page inside the iframe (no iframe, no fold)."""
        return replace(self, iframe=False, fold=False)

    def effective_ratio(self) -> float:
        """Return piece px moved per handle px, resolving ``"auto"`` from the geometry."""
        if self.ratio == "auto":
            piece_css = piece_size(self.scale) / self.scale
            return (DISPLAY_WIDTH - piece_css) / (DISPLAY_WIDTH - HANDLE_WIDTH)
        return float(self.ratio)

    def has_page_behaviour(self) -> bool:
        """Return True when the page draws amounts of its own (hover, jump, verdict...)."""
        return (
            self.hover
            or self.jump
            or self.late
            or self.reset
            or self.outside
            or self.verdict != "text"
        )

    def natural_size(self) -> tuple[int, int]:
        """Return the picture's natural (width, height) in image px."""
        return round(DISPLAY_WIDTH * self.scale), round(DISPLAY_HEIGHT * self.scale)


def _parse_value(name: str, raw: str) -> object:
    if name in _FLAGS:
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise ValueError(f"{name} must be 0 or 1, got {raw!r}")
    if name in ("shape", "style", "verdict", "tag"):
        return raw
    if name == "ratio" and raw == "auto":
        return "auto"
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if name in ("decoys", "delay", "sample"):
        if not number.is_integer():
            raise ValueError(f"{name} must be a whole number, got {raw!r}")
        return int(number)
    return number


def piece_shape_size(scale: float) -> int:
    """Return the side, in natural px, of the shape's bounding box."""
    return round(_SHAPE_CSS * scale)


def piece_padding(scale: float) -> int:
    """Return the transparent margin, in natural px, around the shape in the piece image."""
    return max(3, round(_PAD_CSS * scale))


def piece_size(scale: float) -> int:
    """Return the side, in natural px, of the (square) piece image."""
    return piece_shape_size(scale) + 2 * piece_padding(scale)


def gap_x_range(variant: Variant) -> tuple[int, int]:
    """Return the inclusive range of the gap's x (piece image left edge), in natural px.

    The gap lies right of the piece's start position (never overlapping it), inside the
    picture, and within the piece's reach for the variant's handle ratio (from the
    furthest start left of the picture with ``outside=1``).
    """
    scale = variant.scale
    width, _ = variant.natural_size()
    piece = piece_size(scale)
    low = piece + round(10 * scale)
    reach = variant.effective_ratio() * (DISPLAY_WIDTH - HANDLE_WIDTH) * scale
    if variant.outside:
        reach -= outside_start_range(scale)[1]
    high = min(width - piece - round(6 * scale), math.floor(reach) - round(4 * scale))
    return low, high


def gap_y_range(variant: Variant) -> tuple[int, int]:
    """Return the inclusive range of the gap's y (piece image top edge), in natural px."""
    _, height = variant.natural_size()
    margin = round(6 * variant.scale)
    return margin, height - piece_size(variant.scale) - margin


def outside_start_range(scale: float) -> tuple[int, int]:
    """Return how far (natural px, inclusive) the piece may start left of the picture."""
    return round(6 * scale), round(OUTSIDE_MAX_CSS * scale)
