"""Polarity of the outline shared by the piece and its gap (engine-internal).

Some widgets (GeeTest-style ones, scrape.center's among them) draw the piece and its
gap as two veils of the same shape over the picture: the piece lightened (a white veil
over whatever lies at the start), the gap darkened. Neither shows the other's content,
so the colour evidence says nothing, and the outline is all they share. But that
outline has opposite polarity at the two places: the piece is lighter than its
surroundings where the gap is darker than its own. A background that matches itself
somewhere else (a texture, a repeated shape) matches with the same polarity, and a
single straight edge (a horizon) matches with either. So an outline that agrees in
orientation all around and is reversed in polarity is evidence of a drawn pair,
whatever the picture.

:func:`outline_polarity` measures, over the pixels where the piece's crop and the
candidate gap's crop have edges of the same orientation, how consistently the
gradients point the opposite way (``reversed``) and how much of that agreement lies
along one direction only (``straight``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from .align import crop_pair
from .gradients import blur, gradients
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = ["Polarity", "outline_polarity"]


@dataclass(frozen=True)
class Polarity:
    """How the piece's and the gap's edges agree, weighted by their agreement.

    Attributes:
        reversed: mean of -sign(piece gradient . gap gradient), in [-1, 1]: 1 when
            every agreeing edge is reversed (a lightened piece, a darkened gap), -1
            when every one keeps its polarity (the picture matching itself).
        straight: resultant length of the agreeing edges' doubled angles, in [0, 1]:
            0 for edges of every orientation (a closed outline), 1 for one straight edge.
    """

    reversed: float = 0.0
    straight: float = 1.0


def outline_polarity(
    img: Image.Image,
    box: tuple[float, float, float, float],
    dx: float,
    dy: float,
    *,
    tuning: EngineTuning = DEFAULT_TUNING,
) -> Polarity:
    """Compare the polarity of the piece's edges with the candidate gap's.

    Args:
        img: the screenshot (RGB).
        box: the piece's (x, y, w, h), screenshot px.
        dx: measured horizontal shift to the candidate, screenshot px.
        dy: measured vertical shift, screenshot px.
        tuning: the engine's tuning (its ``polarity_*`` fields).

    Returns:
        The polarity (neutral when the crops would leave the image or hold no edge).
    """
    t = tuning
    crops = crop_pair(img, box, dx, dy, t.polarity_margin * max(box[2], box[3]))
    if crops is None:
        return Polarity()
    piece, gap, _, _ = crops
    px, py = gradients(blur(piece.mean(axis=2), t.polarity_blur))
    gx, gy = gradients(blur(gap.mean(axis=2), t.polarity_blur))
    dot = px * gx + py * gy
    # |piece gradient| |gap gradient| cos^2 of the angle between them: strong edges of
    # the same orientation at both places, whichever way they point
    weight = dot * dot / (np.sqrt((px * px + py * py) * (gx * gx + gy * gy)) + 1e-6)
    total = float(weight.sum())
    if total <= 1e-3:
        return Polarity()
    reversed_ = -float((weight * np.sign(dot)).sum()) / total
    angle = 2.0 * np.arctan2(py, px)
    straight = float(np.hypot((weight * np.cos(angle)).sum(), (weight * np.sin(angle)).sum()))
    return Polarity(reversed=reversed_, straight=straight / total)
