"""The amounts one page draws for its variant's behaviours (hover wait, jump, verdict...).

Real widgets differ in how long their hover transition lasts, where the handle lands on a
press, how late the verdict comes and what its class is called. A page with such a variant
draws its own amounts from the site's seeded random source when it is rendered, so that no
two pages need agree and a solver cannot lean on one value. None of them says where the
gap is; they reach the browser in the page's config.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from .variants import Variant

__all__ = ["VERDICT_CLASSES", "PageBehaviour"]

#: (accepted, rejected) class names a ``verdict=class`` page picks from, as real widgets
#: name them.
VERDICT_CLASSES = (
    ("is-success", "is-fail"),
    ("captcha--success", "captcha--error"),
    ("verified", "failed"),
    ("state-ok", "state-error"),
    ("slider-pass", "slider-retry"),
)
_HOVER_MS = (250, 700)
_JUMP_PX = (0, 10)
_LATE_MS = (700, 1300)
_RESET_MS = (250, 700)
_PIECE_ELEMENTS = ("img", "canvas")


@dataclass(frozen=True)
class PageBehaviour:
    """What one rendered page does beyond the defaults; zero / ``None`` means off.

    Attributes:
        hover_ms: a press is ignored until the pointer has rested this long on the handle.
        jump_px: on press, the handle's left edge is set this many CSS px left of the
            pointer's x (``None``: no jump).
        verdict_classes: ``(accepted, rejected)`` class names put on ``#captcha`` instead of
            any text (``None``: words in ``#captcha-result``).
        late_ms: the verdict is shown this long after release (0: as soon as it arrives).
        reset_ms: after a failure, the widget resets itself this long after showing it
            (0: the default page's behaviour).
        piece_element: ``"img"`` or ``"canvas"`` laid over the picture and starting left of
            it (``None``: the default ``<img>`` inside ``#captcha-image``).
    """

    hover_ms: int = 0
    jump_px: int | None = None
    verdict_classes: tuple[str, str] | None = None
    late_ms: int = 0
    reset_ms: int = 0
    piece_element: str | None = None

    @classmethod
    def draw(cls, variant: Variant, rng: random.Random) -> PageBehaviour:
        """Draw the amounts for ``variant``'s behaviours (only those it turns on)."""
        return cls(
            hover_ms=rng.randint(*_HOVER_MS) if variant.hover else 0,
            jump_px=rng.randint(*_JUMP_PX) if variant.jump else None,
            verdict_classes=rng.choice(VERDICT_CLASSES) if variant.verdict == "class" else None,
            late_ms=rng.randint(*_LATE_MS) if variant.late else 0,
            reset_ms=rng.randint(*_RESET_MS) if variant.reset else 0,
            piece_element=rng.choice(_PIECE_ELEMENTS) if variant.outside else None,
        )

    def config(self) -> dict[str, Any]:
        """Return the page config entries for the behaviours that are on (none by default)."""
        entries: dict[str, Any] = {
            "hover_ms": self.hover_ms or None,
            "jump_px": self.jump_px,
            "verdict_classes": list(self.verdict_classes) if self.verdict_classes else None,
            "late_ms": self.late_ms or None,
            "reset_ms": self.reset_ms or None,
            "piece_element": self.piece_element,
        }
        return {name: value for name, value in entries.items() if value is not None}
