"""The coarse search steps of the local engine, on feature arrays (no I/O, no validation).

Two steps, on the doubled-angle orientation field of :mod:`omo_selenium.engine.gradients` at
working scale (~200 px wide):

1. :func:`coarse_candidates`: correlate windows anchored at the left edge (where the
   piece sits) with the same rows further right, for every shift and a grid of window
   sizes; a window that also matches half its width to either side slides along a
   straight edge and is discounted; keep the best few distinct shifts.
2. :func:`outline_box`: for one candidate, the bounds of the agreeing pixels connected
   to its window: the piece's outline agrees with the gap's all around (a closed ring,
   even where the piece is flat), so the box follows the piece's outline.

The fine alignment of each candidate is in :mod:`omo_selenium.engine.align`, the colour
evidence in :mod:`omo_selenium.engine.colour`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .gradients import Array, integral_image
from .morph import connected_bounds
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = ["Candidate", "coarse_candidates", "outline_box"]

# the tuning numbers of this step are fields of EngineTuning (window_fractions, window_heights,
# coarse_regulariser, area_exponent, peak_penalty, outline_level, outline_strip)


@dataclass(frozen=True)
class Candidate:
    """A coarse match at working scale: shift ``dx`` and the window that matched.

    ``prominence`` is how far the score stands out of the scores of all shifts (in robust
    standard deviations above their median): a real gap is a clear peak, a picture
    without one is not.
    """

    score: float
    dx: int
    y0: int
    w: int
    h: int
    prominence: float = 0.0


def _side_scores(score: Any, widths: Any, weight: float, s: Any, side: Any) -> Any:
    """For every window and shift (``score[k, y, i]``: width ``k``, row ``y``, shift ``i``),
    ``weight`` times the larger (>= 0) score of the same window half its width to the left
    or right: high when the match slides along a straight edge. ``s`` and ``side`` are
    work arrays of ``score``'s shape; the result is ``side``."""
    np.maximum(score, 0.0, out=s)
    s *= weight
    n = score.shape[2]
    for k, w in enumerate(widths):
        d = max(1, int(w) // 2)
        if n <= 2 * d:  # no shift has both neighbours
            side[k] = 0.0
            side[k, :, d:] = s[k, :, :-d]
            np.maximum(side[k, :, :-d], s[k, :, d:], out=side[k, :, :-d])
            continue
        np.maximum(s[k, :, : n - 2 * d], s[k, :, 2 * d :], out=side[k, :, d : n - d])
        side[k, :, :d] = s[k, :, d : 2 * d]
        side[k, :, n - d :] = s[k, :, n - 2 * d : n - d]
    return side


def coarse_candidates(
    fc: Array, fs: Array, *, topk: int = 4, tuning: EngineTuning = DEFAULT_TUNING
) -> list[Candidate]:
    """Return up to ``topk`` distinct shifts where a left-anchored window reappears.

    For every shift ``dx`` and every window ``[0, w) x [y0, y0 + h)`` with ``w <= dx`` (the
    copy must not overlap its original), the regularised zero-mean correlation ``r`` of
    the two-channel field is computed from cumulative sums; the score is ``r * area **
    area_exponent``, which prefers windows that hold much agreeing structure.

    Args:
        fc: first channel of the orientation field (working scale).
        fs: second channel.
        topk: how many distinct shifts to return.
        tuning: the engine's tuning.

    Returns:
        Candidates, best first (possibly empty for a tiny image).
    """
    h_img, w_img = fc.shape
    widths = np.array(sorted({max(3, int(f * w_img)) for f in tuning.window_fractions}))
    heights = sorted(
        {
            max(3, int(f * w_img))
            for f in tuning.window_heights or tuning.window_fractions
            if f * w_img <= h_img
        }
    )
    strip = int(widths[-1])
    dmin, dmax = int(widths[0]), w_img - int(widths[0])
    if dmax <= dmin or not heights:
        return []
    pc = np.pad(fc, ((0, 0), (0, strip)))
    ps = np.pad(fs, ((0, 0), (0, strip)))
    ndx = dmax - dmin + 1
    nk = len(widths)
    # every (width, row, shift) array below is laid out [k, y, i], contiguous along the
    # shifts: the per-width steps then read contiguous memory. The work arrays are
    # allocated once and reused for every window height
    shape = (nk, h_img + 1, ndx)
    # p_c[k, y, i]: sum over rows < y and x < widths[k] of the product of column x with
    # column x + dxs[i], accumulated one column at a time (cheaper than a 3-D product
    # array) and summed down the rows per width
    p_c = np.empty(shape, dtype=np.float32)
    p_c[:, 0] = 0
    acc = np.zeros((h_img, ndx), dtype=np.float32)
    term = np.empty_like(acc)
    start = 0
    for k, w in enumerate(widths):
        for x in range(start, int(w)):
            acc += np.multiply(fc[:, x : x + 1], pc[:, dmin + x : dmin + x + ndx], out=term)
            acc += np.multiply(fs[:, x : x + 1], ps[:, dmin + x : dmin + x + ndx], out=term)
        start = int(w)
        np.cumsum(acc, axis=0, out=p_c[k, 1:])
    # sums over rows < y and columns [0, w) (the windows) and [dx, dx + w) (the copies),
    # from integral images: a copy window reaching past the right edge ends there (the
    # last column repeats)
    fe = fc * fc + fs * fs
    windows, copies = [], []
    for a in (fc, fs, fe):
        ii = np.pad(integral_image(a), ((0, 0), (0, strip)), mode="edge")
        windows.append(ii[:, widths].T.astype(np.float32))
        cp = np.empty(shape, dtype=np.float32)
        for k, w in enumerate(widths):
            np.subtract(ii[:, dmin + w : dmin + w + ndx], ii[:, dmin : dmin + ndx], out=cp[k])
        copies.append(cp)
    sac_c, sas_c, ea_c = windows
    sbc_c, sbs_c, eb_c = copies
    dxs = np.arange(dmin, dmax + 1)
    overlap = (widths[:, None] > dxs[None, :])[:, None, :]  # (K, 1, ndx): would overlap
    rows = np.arange(len(dxs))
    prof = np.full(len(dxs), -np.inf)
    arg = np.zeros((len(dxs), 3), dtype=np.int64)
    lam = tuning.coarse_regulariser
    work = [np.empty(shape, dtype=np.float32) for _ in range(5)]
    for h in heights:
        m = h_img + 1 - h
        cov, vb, sbs, tmp, side = (a[:, :m] for a in work)
        n = (h * widths).astype(np.float32)
        n2, n3 = n[:, None], n[:, None, None]
        sac, sas = sac_c[:, h:] - sac_c[:, :-h], sas_c[:, h:] - sas_c[:, :-h]
        ea = ea_c[:, h:] - ea_c[:, :-h]
        # in place: these (widths, rows, shifts) arrays are the bulk of the search's time
        sbc = np.subtract(sbc_c[:, h:], sbc_c[:, :-h], out=vb)
        np.subtract(sbs_c[:, h:], sbs_c[:, :-h], out=sbs)
        np.multiply(sac[:, :, None], sbc, out=cov)
        cov += np.multiply(sas[:, :, None], sbs, out=tmp)
        cov /= n3
        np.subtract(np.subtract(p_c[:, h:], p_c[:, :-h], out=tmp), cov, out=cov)
        va = ea - (sac * sac + sas * sas) / n2 + lam * n2
        np.multiply(sbc, sbc, out=vb)
        vb += np.multiply(sbs, sbs, out=sbs)
        vb /= n3
        np.subtract(np.subtract(eb_c[:, h:], eb_c[:, :-h], out=tmp), vb, out=vb)
        vb += lam * n3
        vb *= va[:, :, None]
        np.sqrt(vb, out=vb)
        score = cov
        score /= vb
        score *= n3**tuning.area_exponent
        np.copyto(score, -np.inf, where=overlap)
        if tuning.peak_penalty > 0:
            score -= _side_scores(score, widths, tuning.peak_penalty, tmp, side)
        # the best window of each shift: best row per width, then the best width; the
        # row is looked up only for the shifts this height improves
        best_v = score.max(1)  # (K, ndx)
        ks = best_v.argmax(0)
        mx = best_v[ks, rows]
        better = np.flatnonzero(mx > prof)
        y0s = score[ks[better], :, better].argmax(1)
        prof[better] = mx[better]
        arg[better] = np.stack([y0s, ks[better], np.full_like(y0s, h)], 1)
    out: list[Candidate] = []
    finite = prof[np.isfinite(prof)]
    if finite.size == 0:
        return out
    centre = float(np.median(finite))
    spread = 1.4826 * float(np.median(np.abs(finite - centre))) + 1e-6
    sep = max(3, int(widths[0]) // 2)
    for i in np.argsort(-prof):
        if len(out) >= topk or not np.isfinite(prof[i]):
            break
        if any(abs(int(dxs[i]) - c.dx) < sep for c in out):
            continue
        y0, k, h = (int(v) for v in arg[i])
        z = (float(prof[i]) - centre) / spread
        out.append(Candidate(float(prof[i]), int(dxs[i]), y0, int(widths[k]), h, z))
    return out


def outline_box(
    fc: Array, fs: Array, cand: Candidate, *, tuning: EngineTuning = DEFAULT_TUNING
) -> tuple[int, int, int, int]:
    """Return the piece's (x, y, w, h) at working scale for one coarse candidate.

    The per-pixel agreement between the left strip and the strip ``cand.dx`` further
    right is high on the piece's outline (a closed ring, even on a flat piece) and on its
    texture; the box bounds every agreeing pixel connected to the candidate's window.
    """
    w_img = fc.shape[1]
    dx = cand.dx
    strip = max(3, min(int(tuning.outline_strip * w_img), dx, w_img - dx))
    q = fc[:, :strip] * fc[:, dx : dx + strip] + fs[:, :strip] * fs[:, dx : dx + strip]
    win = np.zeros(q.shape, dtype=bool)
    win[cand.y0 : cand.y0 + cand.h, : min(cand.w, strip)] = True
    peak = float(q[win].max()) if win.any() else 0.0
    if peak <= 0:
        return 0, cand.y0, min(cand.w, strip), cand.h
    # never empty: the window's best pixel is above the level
    bounds = connected_bounds(q > tuning.outline_level * peak, win)
    assert bounds is not None
    return bounds
