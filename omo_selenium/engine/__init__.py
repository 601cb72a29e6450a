"""The offline engine: a slider-captcha picture in, where the piece and its gap are out.

Image analysis with numpy and Pillow only: nothing here knows Selenium or HTTP.

- :mod:`.local`: :class:`LocalEngine` and :func:`locate`, the steps put together;
- :mod:`.gradients`, :mod:`.morph`: orientation fields, blurs, boolean morphology;
- :mod:`.search`: the coarse search for the piece's copy further right;
- :mod:`.align`: the fine, sub-pixel alignment of piece and gap;
- :mod:`.colour`: the colour evidence that tells a real gap from a decoy;
- :mod:`.motion`: how far the piece moved between two screenshots (the landing check).
"""

from __future__ import annotations

from .._types import GapMatch
from .local import MIN_CONFIDENCE, LocalEngine, locate

__all__ = ["MIN_CONFIDENCE", "GapMatch", "LocalEngine", "locate"]
