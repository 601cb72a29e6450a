"""The offline solver: a slider-captcha screenshot in, the drag distance out.

:class:`LocalEngine` implements the :class:`~omo_selenium.Solver` protocol without any
network: it finds the puzzle piece near the left edge of the screenshot and the gap it
fits, further right on the same rows, by image analysis (numpy and Pillow only).

How it works:

0. **Periodic backgrounds** (:mod:`omo_selenium.engine.period`): when the picture
   repeats itself along the rows (window frames, stripes, a watermark), what repeats
   one, two and three periods further is faded out of the strip at the left edge, so
   that the background's matches with itself do not outscore the piece's outline. The
   fine alignment fades the same pixels of the piece's crop.
1. **Coarse search** (:mod:`omo_selenium.engine.search`, grey image ~200 px wide): a
   *doubled-angle orientation field* (each pixel holds its edge direction, light-to-dark
   and dark-to-light alike, normalised by the local contrast) survives the gap's
   rendering (darkened, whitened, greyed, filled). Every window anchored at the left edge
   is correlated with the same rows shifted right by every distance; a window that also
   matches half its width to either side slides along a straight edge and is
   discounted. The best few distinct shifts are candidates, each with a piece box: the
   bounds of the agreeing pixels connected to its window (the outline agrees all around
   the piece, even a flat one).
2. **Fine alignment** (:mod:`omo_selenium.engine.align`): for each candidate within half the
   best coarse score, the piece box and a window around the gap are cropped from the
   full screenshot at the same exact scale (piece ~96 px), their *colour* orientation
   fields are correlated over every nearby offset (FFT), and a parabola gives the
   sub-pixel shift. With that shift, the agreement of the two crops at piece scale
   (the outline's closed ring) gives a second box; the piece is aligned once more on
   it, and the box the piece fits better with is kept. A piece must wait at the start:
   a box further in, or a wide box whose left square does not fit the gap (a decoy
   beside the piece that matched its twin), is penalised, and so is a box too thin
   for any piece (a line matching another line). The winner's box, when it ends
   inside the piece (a window that matched the piece's left outline alone), is completed
   to the piece's right outline and the winner aligned once more: measured on one side,
   a shadow outside the piece and one inside the gap pull the shift the same way.
3. **Colour evidence** (:mod:`omo_selenium.engine.colour`): for the candidates close to the
   best, the gap is modelled as a blend of the piece (``gap = a * piece + b``, one gain
   for all channels); the fit, the interior's colour correlation and the continuity of
   the background across the gap's outline tell a real gap from a decoy. Between twins
   (same outline fit, same box), colour alone decides; twins whose boxes came out
   differently (the same piece, cut short at one place) are weighed on the leader's box.
   A candidate that shows the piece's colours unchanged is a copy (the picture
   repeating itself), not a drawn gap; one whose outline is reversed in polarity all
   around (a white-veiled piece, a dark-veiled gap: they share no content) is not
   held back by its colours.
4. **Confidence**: the fine correlation, scaled by how far the coarse peak stands out of
   the scores of all shifts (or by the fine correlation itself, when it is high, or by
   an outline reversed in polarity all around, :mod:`omo_selenium.engine.polarity`: a
   lightened piece over a darkened gap), so that a picture without a gap scores low; 0
   when the winner is a copy. A doubtful answer is read once more on a square piece
   drawn as a veil, when one is there: the square at the start whose outline is most
   reversed in polarity near the answer's shift bounds the piece (a veiled piece shares
   only that outline with its gap); the more confident reading is kept.

Example:
    >>> from omo_selenium.engine import LocalEngine
    >>> engine = LocalEngine()
    >>> distance_css_px = engine.solve(png_bytes, width_view=340)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
import numbers
import time
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from .._types import GapMatch, ImageInput, PieceImage
from ..errors import ConfigurationError, SolveFailed
from ..images import open_image
from .align import Alignment, align, bound_columns, complete_right, refine_box
from .colour import GapEvidence, gap_evidence
from .gradients import Array, blur, gradients, orientation_field
from .period import Fade, damp_repeats, dominant_period
from .piece import match_sprite
from .polarity import outline_polarity, square_polarity, veil_square
from .search import Candidate, coarse_candidates, outline_box
from .texture import texture_shift
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = ["MIN_CONFIDENCE", "GapMatch", "LocalEngine", "locate"]

logger = logging.getLogger("omo_selenium.engine")

#: Below this :attr:`GapMatch.confidence`, :meth:`LocalEngine.solve` raises SolveFailed
#: (the default tuning's ``min_confidence``; every other number is a field of
#: :class:`~omo_selenium.engine.tuning.EngineTuning`).
MIN_CONFIDENCE = DEFAULT_TUNING.min_confidence
#: Smallest screenshot (px) worth searching.
MIN_SIZE = (40, 20)

Box4 = tuple[float, float, float, float]


def _check_width_view(width_view: float | None) -> None:
    if width_view is None:
        return
    if (
        isinstance(width_view, bool)
        or not isinstance(width_view, numbers.Real)
        or not math.isfinite(width_view)
        or width_view <= 0
    ):
        raise ConfigurationError(
            f"width_view must be a finite number of CSS px > 0, got {width_view!r}"
        )


def _resized(gray: Image.Image, width: int) -> Array:
    if gray.width <= width:
        return np.asarray(gray, dtype=np.float32)
    height = max(1, round(gray.height * width / gray.width))
    return np.asarray(gray.resize((width, height), Image.Resampling.BOX), dtype=np.float32)


def _bounded(
    img: Image.Image, width_view: float | None, t: EngineTuning
) -> tuple[Image.Image, float]:
    """The picture scaled down (BOX filter) to at most ``t.max_width`` px wide, but never
    below its CSS width (the answer is wanted to a CSS px), and the factor ``k`` it was
    scaled down by (1: left as it is)."""
    bound = max(t.max_width, math.ceil(width_view) if width_view is not None else 0)
    if img.width <= bound:
        return img, 1.0
    k = img.width / bound
    return img.resize((bound, max(1, round(img.height / k))), Image.Resampling.BOX), k


def _coarse_field(gray: Array, t: EngineTuning) -> tuple[Array, Array]:
    """Orientation field for the coarse search, with its local mean removed.

    Removing the local mean (a high-pass) keeps a periodic or uniformly oriented texture
    (stripes, a smooth gradient) from matching itself at every shift.
    """
    gx, gy = gradients(blur(gray, t.coarse_blur))
    c, s = orientation_field(
        gx, gy, norm_sigma=t.coarse_norm_sigma, floor=t.coarse_floor, smooth=t.coarse_smooth
    )
    mean = blur(np.stack([c, s]), t.coarse_highpass)  # both channels in one pass
    return c - mean[0], s - mean[1]


def _plausible_piece(box: tuple[float, float, float, float], w_img: int, t: EngineTuning) -> bool:
    """A piece is roughly as high as wide and not tiny; a long thin box is more likely an
    edge of the picture that matched another edge."""
    _, _, w, h = box
    return min(w, h) >= t.min_piece_aspect * max(w, h) and min(w, h) >= t.min_piece_share * w_img


def _at_start(box: tuple[float, float, float, float], w_img: int, t: EngineTuning) -> bool:
    """The piece waits at the start of the track, at the picture's left edge; a box
    further in is the real gap matching a decoy drawn the same way."""
    return box[0] <= t.max_piece_x * w_img


def _square(box: Box4, x: float) -> Box4:
    """The square as high as ``box`` whose left side is at column ``x``."""
    return (x, box[1], box[3], box[3])


def _square_fit(
    img: Image.Image, square: Box4, fit: Alignment, t: EngineTuning, fade: Fade | None
) -> Alignment | None:
    """How one square of a piece box fits the gap, near the whole box's shift."""
    return align(img, square, fit.dx, search_px=1.0, tuning=t, fade=fade)


def _left_square(
    img: Image.Image, box: Box4, fit: Alignment, t: EngineTuning, fade: Fade | None
) -> Alignment | None:
    """The fit of the square at the left end of a box wider than tall (``None`` for any
    other box): where a piece at the start waits, when the piece is what matched."""
    if box[2] <= box[3]:
        return None
    return _square_fit(img, _square(box, box[0]), fit, t, fade)


def _anchored(
    img: Image.Image,
    box: Box4,
    fit: Alignment,
    square: Alignment | None,
    t: EngineTuning,
    fade: Fade | None,
) -> bool:
    """A box wider than tall holds the piece at its left end, when the piece is what
    matched: its left square (``square``) fits the gap nearly as well as the whole box
    and as the square at the box's right end. A decoy beside the piece that matched its
    twin further right makes a wide box too, whose left square (the piece) fits nothing
    there and whose right square (the decoy) fits best. The right square is measured
    only when the left one fits worse than the whole box."""
    x, _, w, h = box
    if w <= h or t.anchor_share <= 0:
        return True
    if square is None or square.ncc < t.anchor_share * fit.ncc:
        return False
    if square.ncc >= fit.ncc:
        return True
    right = _square_fit(img, _square(box, x + w - h), fit, t, fade)
    return right is None or square.ncc >= t.anchor_share * right.ncc


@dataclass(frozen=True)
class _Scored:
    """One candidate gap, aligned and weighed."""

    edge: float  # fine correlation + coarse score (- penalty for an odd piece box)
    total: float  # edge + colour evidence
    twin: float  # the score used between twins: fine correlation + colour evidence
    fit: Alignment
    box: Box4
    cand: Candidate
    copy: bool = False


def _fit_alike(a: _Scored, b: _Scored, w_img: int, t: EngineTuning) -> bool:
    """Two candidates with piece-like boxes whose outlines the piece fits alike."""
    if not (_plausible_piece(a.box, w_img, t) and _plausible_piece(b.box, w_img, t)):
        return False
    return abs(a.fit.ncc - b.fit.ncc) <= t.twin_ncc


def _twins(a: _Scored, b: _Scored, w_img: int, t: EngineTuning) -> bool:
    """Two candidates that fit the piece's outline alike, with piece boxes alike."""
    if not _fit_alike(a, b, w_img, t):
        return False
    return all(abs(a.box[i] - b.box[i]) <= t.twin_size * max(a.box[i], b.box[i]) for i in (2, 3))


def _overlap(a: Box4, b: Box4) -> float:
    """Intersection over union of two boxes."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    inter = max(0.0, w) * max(0.0, h)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _same_piece(a: _Scored, b: _Scored, w_img: int, t: EngineTuning) -> bool:
    """Twins whose piece boxes may have been bounded differently: boxes overlapping by
    ``twin_overlap`` (the same piece), fitting both places' outlines alike and nearly as
    well by edge score."""
    return (
        _fit_alike(a, b, w_img, t)
        and abs(a.edge - b.edge) <= t.twin_edge
        and _overlap(a.box, b.box) >= t.twin_overlap
    )


def _twin_score(fit: Alignment, ev: GapEvidence, t: EngineTuning) -> float:
    """What decides between twins: the outline's fit and the colour evidence of where the
    piece was cut from (its colours inside, its grain to the pixel, the picture carrying
    on across the outline)."""
    seams = math.log1p(min(ev.seam, t.seam_cap)) + math.log1p(min(ev.plain_seam, t.seam_cap))
    score = fit.ncc + t.twin_fit_weight * ev.fit + t.twin_interior_weight * ev.interior
    score += t.twin_fine_weight * ev.fine
    score -= t.twin_seam_weight * seams
    return score - t.copy_penalty if _copy(ev, t) else score


def _align_candidates(
    img: Image.Image,
    fc: Array,
    fs: Array,
    cands: list[Candidate],
    t: EngineTuning,
    fade: Fade | None = None,
) -> list[tuple[float, Alignment, Box4, Candidate]]:
    """Fine-align every candidate within reach of the best; return (edge score, ...)."""
    w_img, h_img = img.size
    kx = w_img / fc.shape[1]
    ky = h_img / fc.shape[0]
    boxes = []
    for cand in cands:
        bx, by, bw, bh = outline_box(fc, fs, cand, tuning=t)
        boxes.append((bx * kx, by * ky, bw * kx, bh * ky))
    # a pair of decoys further in can outscore the piece by far (same shape, same fill);
    # candidates whose piece waits at the start are weighed against each other too, so
    # the piece's own match is not dropped before the off-start penalty can tell
    starts = [
        c.score
        for c, b in zip(cands, boxes, strict=True)
        if _at_start(b, w_img, t) and _plausible_piece(b, w_img, t)
    ]
    lead = max(starts, default=cands[0].score)
    aligned = []
    for cand, box in zip(cands, boxes, strict=True):
        if cand.score < t.min_coarse_ratio * cands[0].score and not (
            _at_start(box, w_img, t) and cand.score >= t.min_coarse_ratio * lead
        ):
            continue
        fit = align(img, box, cand.dx * kx, search_px=t.search_work_px * kx, tuning=t, fade=fade)
        if fit is not None:
            # with the shift known, the outline may bound the piece better than the
            # coarse box did; keep whichever box the piece fits its gap better with
            box2 = refine_box(img, box, fit.dx, fit.dy, tuning=t, fade=fade)
            fit2 = align(img, box2, fit.dx, search_px=t.refine_work_px * kx, tuning=t, fade=fade)
            if fit2 is not None and fit2.ncc > fit.ncc:
                box, fit = box2, fit2
            ncc, plausible = fit.ncc, _plausible_piece(box, w_img, t)
            at_start = _at_start(box, w_img, t)
            square = _left_square(img, box, fit, t, fade) if at_start else None
            if (
                not plausible
                and square is not None
                and square.ncc > fit.ncc
                and _plausible_piece(_square(box, box[0]), w_img, t)
            ):
                # a straight structure running on beside the piece (a horizon, a
                # stripe) agrees at this shift too and stretched the box; the left
                # square, a piece's shape, fits its gap better than the whole box: it
                # is scored as that piece. The shift stays the whole box's (more
                # outline to measure it on)
                ncc, plausible = square.ncc, True
            edge = ncc + t.coarse_weight * cand.score / cands[0].score
            if not plausible:
                edge -= t.implausible_penalty
                if min(box[2], box[3]) < t.line_aspect * max(box[2], box[3]):
                    # a line (a pole, a frame, a stripe) matching another: never a piece
                    edge -= t.line_penalty
            if not at_start or not _anchored(img, box, fit, square, t, fade):
                edge -= t.off_start_penalty
            aligned.append((edge, fit, box, cand))
    return aligned


def _veiled(
    img: Image.Image,
    box: Box4,
    fit: Alignment,
    t: EngineTuning,
    fade: Fade | None,
    open_side: bool = False,
) -> tuple[Alignment, Box4] | None:
    """The shift read again on a square piece drawn as a veil (see
    :func:`~omo_selenium.engine.polarity.veil_square`) near ``fit``, whose piece box is
    ``box``: the square's alignment and box, or ``None`` when no such square is there,
    it is the smallest or largest size searched (one part of a larger outline), it
    spans less than ``veil_cover`` of the box, or its outline, once aligned, is not
    reversed all around. The alignment's shift is taken where it agrees with the
    ring's; where it does not, the ring's own shift is taken when the ring is strong
    (``veil_trust``) and closed all around (``veil_closed``): a veiled piece shares
    nothing but that outline with its gap, and the texture around can pull the
    alignment off it. ``open_side``: the square is searched on its three strongest
    sides."""
    sq = veil_square(img, fit.dx, fit.dy, tuning=t, open_side=open_side)
    if sq is None or sq.edge or sq.box[2] < t.veil_cover * min(box[2], box[3]):
        return None
    again = align(img, sq.box, sq.dx, search_px=t.veil_search, tuning=t, fade=fade)
    if again is None:
        return None
    if abs(again.dx - sq.dx) > t.veil_search:
        if sq.strength < t.veil_trust or sq.closed < t.veil_closed:
            return None
        again = replace(again, dx=sq.dx)
    if _reversed_outline(img, sq.box, again.dx, again.dy, t, ring=True) < t.veil_reversed:
        return None
    return again, sq.box


def _reversed_outline(
    img: Image.Image, box: Box4, dx: float, dy: float, t: EngineTuning, ring: bool = False
) -> float:
    """How far (0 to 1) the outline the piece box shares with its gap ``(dx, dy)`` away
    is reversed in polarity all around: a lightened piece and a darkened gap, which
    share no content. A box too wide for a piece is measured on its left square (where
    the piece waits, when the piece is what matched). 0 for a box that looks like no
    piece or edges running one way. With ``ring`` (a veiled square's box), its ring is
    also measured alone (:func:`~omo_selenium.engine.polarity.square_polarity`), and
    counts when it holds an outline (``veil_ring_contrast``) more reversed."""
    if box[2] > box[3] and not _plausible_piece(box, img.width, t):
        box = _square(box, box[0])
    if not _plausible_piece(box, img.width, t):
        return 0.0
    if ring and t.veil_ring > 0:
        # one crop for both measures
        polarity, square = square_polarity(img, box, dx, dy, tuning=t)
        if (
            square.contrast >= t.veil_ring_contrast
            and square.straight <= t.polarity_straight
            and square.reversed > polarity.reversed
        ):
            polarity = square
    else:
        polarity = outline_polarity(img, box, dx, dy, tuning=t)
    if polarity.straight > t.polarity_straight:
        return 0.0
    return min(1.0, max(0.0, (polarity.reversed - t.polarity_floor) / t.polarity_span))


def _copy(ev: GapEvidence, t: EngineTuning) -> bool:
    """Whether a candidate shows the piece's colours unchanged (same level, same
    gain): a copy of the piece in the picture, where a gap would show them changed."""
    return ev.level_change < t.copy_level and t.copy_gain[0] <= ev.gain <= t.copy_gain[1]


def _choose(
    img: Image.Image, aligned: list[tuple[float, Alignment, Box4, Candidate]], t: EngineTuning
) -> tuple[_Scored, float | None]:
    """Weigh the colour evidence of the candidates near the best; return the winner and
    its lead over the best candidate at another place (``None``: none was weighed)."""
    top = max(a[0] for a in aligned)
    weighed: list[_Scored] = []
    for edge, fit, box, cand in aligned:
        if edge < top - t.evidence_margin:
            continue
        ev = gap_evidence(img, box, fit.dx, fit.dy, tuning=t)
        seam = math.log1p(min(ev.seam, t.seam_cap))
        colour = t.fit_weight * ev.fit + t.interior_weight * ev.interior - t.seam_weight * seam
        copy = _copy(ev, t)
        if copy:
            # the candidate shows the piece's own colours unchanged: the picture
            # repeating itself, not a gap drawn there
            colour -= t.copy_penalty
        elif colour < t.veil_colour and (
            _reversed_outline(img, box, fit.dx, fit.dy, t) >= t.veil_reversed
        ):
            # a lightened piece over a darkened gap shares no content with it: its
            # colour evidence tells nothing either way, and does not count against it
            colour = t.veil_colour
        twin = _twin_score(fit, ev, t)
        weighed.append(_Scored(edge, edge + colour, twin, fit, box, cand, copy))
    weighed.sort(key=lambda s: -s.total)
    first = best = weighed[0]
    # between twins (same outline, same size) the coarse score says little; the colour
    # evidence of where the piece was cut from decides
    for other in weighed[1:3]:
        if _twins(best, other, img.width, t) and other.twin > best.twin:
            best = other
    apart = max(2.0, t.lead_apart * img.width)
    if best is first:
        # twins whose boxes were bounded differently are weighed on one box, the
        # leader's: colour evidence measured on a box cut short at one place and whole
        # at the other compares the boxes, not the places
        for other in weighed[1:3]:
            if (
                abs(other.fit.dx - first.fit.dx) > apart
                and not _twins(first, other, img.width, t)
                and _same_piece(first, other, img.width, t)
            ):
                ev = gap_evidence(img, first.box, other.fit.dx, other.fit.dy, tuning=t)
                if _twin_score(other.fit, ev, t) > first.twin:
                    best = other
                    break
    elsewhere = [s.total for s in weighed if abs(s.fit.dx - best.fit.dx) > apart]
    return best, (best.total - max(elsewhere) if elsewhere else None)


def _veil_places(
    img: Image.Image,
    best: _Scored,
    aligned: list[tuple[float, Alignment, Box4, Candidate]],
    confidence: float,
    t: EngineTuning,
) -> list[tuple[Alignment, Box4, Candidate]]:
    """The places a doubtful answer is read again at, on a square veil, as (fit, box,
    candidate): the chosen one first, and when its answer would be refused, the best
    aligned candidate at every other place; those whose outline is already reversed all
    around are left out (read as veils already)."""
    places = [(best.fit, best.box, best.cand)]
    if confidence < t.min_confidence and t.veil_elsewhere:
        apart = max(2.0, t.lead_apart * img.width)
        for _, fit, box, cand in sorted(aligned, key=lambda a: -a[0]):
            if all(abs(fit.dx - p[0].dx) > apart for p in places):
                places.append((fit, box, cand))
    return [
        p for p in places if _reversed_outline(img, p[1], p[0].dx, p[0].dy, t) < t.veil_reversed
    ]


def _reading(
    full: Image.Image,
    img: Image.Image,
    k: float,
    cand: Candidate,
    copy: bool,
    box: Box4,
    fit: Alignment,
    t: EngineTuning,
    fade: Fade | None,
    ring: bool = False,
) -> tuple[float, float, Box4, float]:
    """A candidate's shift ``(dx, dy)`` and piece box at full resolution, and the
    answer's confidence, measured on ``box`` aligned as ``fit`` (``copy``: the place
    shows the piece's colours unchanged; ``ring``: ``box`` is a veiled square, whose
    outline is also measured on its ring alone). Where the piece's grain lines up with
    the place's (:func:`~omo_selenium.engine.texture.texture_shift`), the shift is the
    grain's."""
    ncc = fit.ncc
    # a box that ends inside the piece measures the shift on the piece's left outline
    # alone: the winner's box is re-bounded by the piece's vertical outline or else
    # completed to its right outline, and aligned once more (its shift only; the
    # confidence stays the chosen fit's)
    whole = bound_columns(img, box, fit.dx, fit.dy, tuning=t, fade=fade)
    if whole == box:
        whole = complete_right(img, box, fit.dx, fit.dy, tuning=t, fade=fade)
    if whole != box:
        again = align(img, whole, fit.dx, search_px=t.complete_search, tuning=t, fade=fade)
        if again is not None:
            fit, box = again, whole
    dx_px, dy_px = fit.dx * k, fit.dy * k
    full_box: Box4 = (box[0] * k, box[1] * k, box[2] * k, box[3] * k)
    if k > 1.0:
        # the winner alone is aligned once more at full resolution: the sub-pixel
        # precision of a DPR 2 screenshot is not lost to the bounded working size. Its
        # crisp edges count more there: a soft shadow inside a gap's outline no longer
        # pulls the shift towards itself. What it finds a little beyond its search
        # (within its crops' reach) is taken too
        fine = align(
            full,
            full_box,
            dx_px,
            search_px=t.full_res_search * k,
            tuning=replace(t, align_crisp=t.full_res_crisp),
            fade=None if fade is None else fade.scaled(k),
        )
        if fine is not None and abs(fine.dx - dx_px) <= t.full_res_reach * k:
            dx_px, dy_px = fine.dx, fine.dy
    # a real gap is a clear peak among all shifts; a picture without one is not. Decoys
    # and textures can make other shifts score nearly as well, so a piece that fits its
    # gap closely all along its outline is credible by that fit alone
    standout = (cand.prominence - t.prominence_floor) / t.prominence_span
    close_fit = (ncc - t.credible_ncc) / t.credible_ncc_span
    # a piece lightened and its gap darkened share only their outline, reversed in
    # polarity: a background matching itself elsewhere keeps its polarity. Measured
    # where the answer was, at full resolution for a picture scaled down (the same
    # blur in picture terms), where the outline is crisper than the texture around it
    at_full = replace(t, polarity_blur=t.polarity_blur * k, veil_ring=t.veil_ring * k)
    reversed_outline = _reversed_outline(full, full_box, dx_px, dy_px, at_full, ring=ring)
    # where the piece's grain lines up with the place's in one sharp peak, that is the
    # shift (outlines may lean towards a glow or shadow drawn on one side), and the place
    # is where the piece was cut from: it stands out of every other place
    textured = 0.0
    if t.texture_peak <= 1.0:
        grained = texture_shift(full, full_box, dx_px, dy_px, scale=k, tuning=t)
        if grained is not None:
            dx_px, dy_px = grained.dx, grained.dy
            if _plausible_piece(box, img.width, t):
                textured = t.texture_standout
    standout = min(1.0, max(0.0, standout, close_fit, reversed_outline, textured))
    if copy:
        # the place shows the piece's colours unchanged: no gap was drawn there
        standout = 0.0
    return dx_px, dy_px, full_box, float(min(1.0, max(0.0, ncc)) * standout)


def locate(
    image: ImageInput,
    width_view: float | None = None,
    *,
    piece: PieceImage | None = None,
    tuning: EngineTuning = DEFAULT_TUNING,
) -> GapMatch:
    """Find the piece and its gap in a slider-captcha screenshot.

    Args:
        image: the screenshot (PNG/JPEG bytes or a Pillow image), piece near the left
            edge, gap further right on the same rows.
        width_view: the CSS width at which the image is displayed; when given,
            :attr:`GapMatch.distance_css` is in CSS px.
        piece: the piece as its own picture (alpha = its shape) and where it starts;
            when given, the piece is not cut out of ``image`` but matched as given (see
            :mod:`omo_selenium.engine.piece`), which is surer: decoys near the start and
            textures at the left edge cannot be taken for the piece.
        tuning: every size, threshold and weight of the steps (benchmarks pass another
            value to sweep one).

    Returns:
        The match, whatever its confidence (check :attr:`GapMatch.confidence`).

    Raises:
        ConfigurationError: the image is unreadable or ``width_view`` is not a finite
            number > 0.
        SolveFailed: the image is too small or has no structure to match at all.

    Example:
        >>> match = locate(png_bytes, 340)  # doctest: +SKIP
        >>> match.distance_css, match.confidence  # doctest: +SKIP
        (131.5, 0.83)
    """
    _check_width_view(width_view)
    img = open_image(image)
    w_img, h_img = img.size
    if w_img < MIN_SIZE[0] or h_img < MIN_SIZE[1]:
        raise SolveFailed(f"image too small to hold a slider captcha ({w_img}x{h_img})")
    if piece is not None:
        return _locate_given(img, piece, width_view, tuning)
    t = tuning
    # large pictures (DPR 2 screenshots) are searched at a bounded resolution: the
    # time grows with the area, the precision needed (CSS px) does not
    full = img
    img, k = _bounded(img, width_view, t)
    work = _resized(img.convert("L"), t.work_width)
    fc, fs = _coarse_field(work, t)
    # a background that repeats along the rows matches itself one, two and three
    # periods further: what repeats at the left edge is faded before the search
    period = dominant_period(fc, fs, int(min(t.window_fractions) * fc.shape[1]), tuning=t)
    fade = None
    if period is not None:
        fc, fs, keep = damp_repeats(fc, fs, period, int(t.outline_strip * fc.shape[1]), tuning=t)
        fade = Fade(keep, (img.width / fc.shape[1], img.height / fc.shape[0]))
    cands = coarse_candidates(fc, fs, topk=t.candidates, tuning=t)
    if not cands or cands[0].score <= 0:
        raise SolveFailed("no piece-and-gap pair found in the image")
    aligned = _align_candidates(img, fc, fs, cands, t, fade)
    if not aligned:
        raise SolveFailed("no room to the right of the piece for a gap")
    best, lead = _choose(img, aligned, t)
    dx_px, dy_px, full_box, confidence = _reading(
        full, img, k, best.cand, best.copy, best.box, best.fit, t, fade
    )
    if confidence < t.veil_gate:
        # a doubtful answer is read again on the square veil of its piece, and a refused
        # one also at the other places weighed: the more confident reading is kept. An
        # answer still refused is read once more on squares with an open side
        places = _veil_places(img, best, aligned, confidence, t)
        for open_side in (False, True):
            if open_side and (not t.veil_open_side or confidence >= t.min_confidence):
                break
            for fit, box, cand in places:
                veiled = _veiled(img, box, fit, t, fade, open_side)
                if veiled is None:
                    continue
                at_best = cand is best.cand
                again = _reading(
                    full,
                    img,
                    k,
                    cand,
                    best.copy and at_best,
                    veiled[1],
                    veiled[0],
                    t,
                    fade,
                    ring=True,
                )
                if (
                    t.veil_keep_accepted
                    and at_best
                    and confidence >= t.min_confidence
                    and abs(again[0] - dx_px) > t.veil_search * k
                ):
                    # an accepted answer's box was bounded well; a square fitting a few px
                    # off at its place is part of another outline pulling the shift
                    continue
                if again[3] > confidence:
                    dx_px, dy_px, full_box, confidence = again
                    if not at_best:
                        # another place than the choice's: the answer leads nothing
                        lead = 0.0
    scale = width_view / w_img if width_view is not None else 1.0
    bx, by, bw, bh = full_box
    found = (round(bx), round(by), max(1, round(bw)), max(1, round(bh)))
    gap = (round(bx + dx_px), round(by + dy_px), found[2], found[3])
    return GapMatch(
        piece_box=found,
        gap_box=gap,
        distance_px=dx_px,
        distance_css=dx_px * scale,
        scale=scale,
        confidence=confidence,
        lead=None if lead is None else float(lead),
    )


def _locate_given(
    img: Image.Image, piece: PieceImage, width_view: float | None, t: EngineTuning
) -> GapMatch:
    """:func:`locate` with the piece given as its own picture."""
    if not isinstance(piece, PieceImage):
        raise ConfigurationError(f"piece must be a PieceImage, not {type(piece).__name__}")
    sprite = open_image(piece.image, mode="RGBA")
    for name, v in (("x", piece.x), ("y", piece.y)):
        if v is not None and (
            isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v)
        ):
            raise ConfigurationError(f"piece.{name} must be a finite number, got {v!r}")
    x = 0.0 if piece.x is None else float(piece.x)
    y = None if piece.y is None else float(piece.y)
    # like the search without a piece, at a bounded resolution: the sizes of its steps
    # (blur, rings, bands) are in px, so a DPR 2 screenshot is matched as at DPR 1
    small, k = _bounded(img, width_view, t)
    small_sprite = sprite
    if k > 1.0:
        size = (max(1, round(sprite.width / k)), max(1, round(sprite.height / k)))
        small_sprite = sprite.resize(size, Image.Resampling.BOX)
    found = match_sprite(
        small,
        small_sprite,
        x / k,
        None if y is None else y / k,
        tuning=t,
        start_uncovered=bool(piece.start_uncovered),
    )
    if found is None:
        raise SolveFailed("the given piece has no shape, or no room to move in the image")
    dx, dy = found.dx * k, found.dy * k
    scale = width_view / img.width if width_view is not None else 1.0
    bx, by, w, h = (round(v * k) for v in found.box)
    sx = round(x + bx)
    sy = round(found.start_y * k) + by
    return GapMatch(
        piece_box=(sx, sy, w, h),
        gap_box=(round(sx + dx), round(sy + dy), w, h),
        distance_px=dx,
        distance_css=dx * scale,
        scale=scale,
        confidence=found.confidence,
    )


class LocalEngine:
    """Offline :class:`~omo_selenium.Solver`: finds the gap by image analysis.

    Args:
        min_confidence: answers whose :attr:`GapMatch.confidence` is lower raise
            :class:`~omo_selenium.SolveFailed` instead of returning a guess.

    Example:
        >>> engine = LocalEngine()
        >>> engine.solve(png_bytes, width_view=340)  # doctest: +SKIP
        131.5
    """

    def __init__(self, *, min_confidence: float = MIN_CONFIDENCE) -> None:
        if not 0.0 <= min_confidence <= 1.0:
            raise ConfigurationError("min_confidence must be between 0 and 1")
        self.min_confidence = min_confidence

    def __repr__(self) -> str:
        return f"LocalEngine(min_confidence={self.min_confidence!r})"

    def locate(
        self,
        image: ImageInput,
        width_view: float | None = None,
        *,
        piece: PieceImage | None = None,
    ) -> GapMatch:
        """Find the piece and gap, like :func:`locate`, but refuse an uncredible match.

        Args:
            image: the captcha screenshot (bytes or Pillow image).
            width_view: CSS width at which the image is displayed (optional).
            piece: the piece as its own picture and its start, when the page has it.

        Returns:
            The match; its confidence is at least ``min_confidence``.

        Raises:
            ConfigurationError: unreadable image or bad ``width_view``.
            SolveFailed: no credible gap (confidence below ``min_confidence``).
        """
        started = time.perf_counter()
        match = locate(image, width_view, piece=piece)
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        if match.confidence < self.min_confidence:
            logger.debug(
                "engine: no credible gap (confidence %.2f < %.2f) in %.1f ms",
                match.confidence,
                self.min_confidence,
                elapsed_ms,
            )
            raise SolveFailed(
                f"no credible gap found (confidence {match.confidence:.2f} "
                f"< {self.min_confidence:.2f})"
            )
        logger.debug(
            "engine: distance %.1f css px (%.1f image px, gap at %s, confidence %.2f) in %.1f ms",
            match.distance_css,
            match.distance_px,
            match.gap_box,
            match.confidence,
            elapsed_ms,
        )
        return match

    def solve(self, image: ImageInput, width_view: float) -> float:
        """Return the drag distance, in CSS px, from the piece to the gap.

        Args:
            image: the captcha screenshot (bytes or Pillow image).
            width_view: CSS width at which the image is displayed.

        Returns:
            The distance in CSS px (>= 0).

        Raises:
            ConfigurationError: unreadable image or bad ``width_view``.
            SolveFailed: no credible gap (confidence below ``min_confidence``).
        """
        if width_view is None:
            raise ConfigurationError("width_view is required")
        return self.locate(image, width_view).distance_css

    def solve_piece(self, background: ImageInput, piece: PieceImage, width_view: float) -> float:
        """Return the drag distance, in CSS px, of a piece given as its own picture.

        Implements :class:`~omo_selenium.PieceSolver`: the gap is found by matching the
        given piece (its alpha shape, its colours, the picture's continuity across its
        outline), not by cutting the piece out of the screenshot.

        Args:
            background: the picture with the gap (the piece may or may not be drawn on it).
            piece: the piece's own picture and where it starts.
            width_view: CSS width at which ``background`` is displayed.

        Returns:
            The distance in CSS px.

        Raises:
            ConfigurationError: unreadable images or bad ``width_view``.
            SolveFailed: no credible gap (confidence below ``min_confidence``).
        """
        if width_view is None:
            raise ConfigurationError("width_view is required")
        return self.locate(background, width_view, piece=piece).distance_css
