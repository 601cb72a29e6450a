"""The offline engine: a slider-captcha picture in, where the piece and its gap are out.

Image analysis with numpy and Pillow only: nothing here knows Selenium or HTTP.

- :mod:`.local`: :class:`LocalEngine` and :func:`locate`, the steps put together;
- :mod:`.gradients`, :mod:`.morph`: orientation fields, blurs, boolean morphology;
- :mod:`.search`: the coarse search for the piece's copy further right;
- :mod:`.align`: the fine, sub-pixel alignment of piece and gap;
- :mod:`.colour`: the colour evidence that tells a real gap from a decoy;
- :mod:`.piece`: the gap of a piece given as its own picture (``locate(..., piece=)``);
- :mod:`.tuning`: :class:`EngineTuning`, every number of the steps in one value;
- :mod:`.motion`: how far the piece moved between two screenshots (the landing check).
"""

from __future__ import annotations

from .._types import GapMatch
from .local import MIN_CONFIDENCE, LocalEngine, locate
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = ["DEFAULT_TUNING", "MIN_CONFIDENCE", "EngineTuning", "GapMatch", "LocalEngine", "locate"]
