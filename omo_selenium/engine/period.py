"""Periodic backgrounds: find a picture's horizontal period and quiet what repeats at it.

A background that repeats itself along the rows (window frames, stripes, a watermark
written again and again) matches itself one period further, two periods further, ...:
a strip of it at the left edge looks like a piece with a gap at every multiple of the
period, and such matches outscore the real gap's thin outline.

Two steps, on the doubled-angle orientation field at working scale:

1. :func:`dominant_period`: the field's autocorrelation along the rows (the rows'
   power spectra summed, one inverse real FFT); a picture is periodic when the
   autocorrelation peaks again at ``p``, ``2p`` and ``3p``.
2. :func:`damp_repeats`: in the strip at the left edge where the piece waits, every
   pixel whose neighbourhood matches the picture one, two and three periods further
   (those of its copies that fall inside the picture) is faded out of the field. The
   piece is drawn over the background and does not repeat, so its outline stays; the
   background around it fades, and with it its matches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .gradients import Array, fast_length, integral_image, parabola_peak
from .tuning import DEFAULT_TUNING, EngineTuning

__all__ = ["Fade", "damp_repeats", "dominant_period"]


def _row_autocorrelation(fc: Array, fs: Array) -> Array:
    """Agreement of the field with itself ``d`` px further along the rows, for every
    ``d``, as a share of its energy (1 at ``d = 0``)."""
    h, w = fc.shape
    # zero-padded to at least 2 w - 1, so that no shift wraps around
    n = fast_length(2 * w - 1)
    spec = np.fft.rfft(np.stack([fc, fs]), n, axis=2)
    # the rows' and both channels' autocorrelations summed: one inverse transform of
    # their summed power
    power = (spec.real * spec.real + spec.imag * spec.imag).sum(axis=(0, 1))
    acc = np.fft.irfft(power, n)[:w]
    overlap = (w - np.arange(w)) * h
    mean = acc / overlap
    out: Array = (mean / max(float(mean[0]), 1e-9)).astype(np.float32)
    return out


def _stands_out(auto: Array, at: float, period: float) -> float:
    """How far the autocorrelation near ``at`` rises above its median over one period
    around ``at``."""
    i = round(at)
    peak = float(auto[i - 1 : i + 2].max())
    around = auto[max(0, round(at - period / 2)) : round(at + period / 2) + 1]
    return peak - float(np.median(around))


def dominant_period(
    fc: Array, fs: Array, shortest: int, *, tuning: EngineTuning = DEFAULT_TUNING
) -> float | None:
    """Return the picture's horizontal period (working px), or ``None`` if it has none.

    Args:
        fc: first channel of the orientation field.
        fs: second channel.
        shortest: the shortest period worth looking for (px); shorter repeats are
            texture grain, not a pattern a piece could be confused with.
        tuning: the engine's tuning (``period_strength``).

    Returns:
        The shortest period ``p`` (to a fraction of a px) whose weakest autocorrelation
        peak at ``p``, ``2p`` and ``3p`` (above the median over a period around it) is
        at least ``tuning.period_strength`` and ``tuning.period_octave`` times the
        strongest one's. Three repeats are asked for: a piece, its gap and a
        decoy drawn at equal spacing repeat twice, and are not a pattern.
    """
    auto = _row_autocorrelation(fc, fs)
    w = len(auto)
    reach = 0.75 * w  # further, too few columns overlap to tell
    found: list[tuple[float, float]] = []
    for p in range(max(2, shortest), w - 1):
        if 3 * p + 2 > reach:
            break
        a, b, c = (float(v) for v in auto[p - 1 : p + 2])
        if b < a or b < c:
            continue
        period = p + parabola_peak(a, b, c, limit=math.inf)
        # each multiple (within one px of where the fractional period puts it) stands
        # out of the autocorrelation around it: a smooth or grainy picture correlates
        # with itself at every short shift, a pattern at its multiples only
        weakest = min(_stands_out(auto, m * period, period) for m in (1, 2, 3))
        if weakest >= tuning.period_strength:
            found.append((period, weakest))
    if not found:
        return None
    # a pattern repeating every p also repeats every 2p: the shortest period that stands
    # out nearly as well as the best is the pattern's own
    strongest = max(s for _, s in found)
    return min(p for p, s in found if s >= tuning.period_octave * strongest)


def _box_sum(a: Array, r: int) -> Array:
    """Sum over the (2 r + 1) x (2 r + 1) box around every pixel (clipped at the edges)."""
    h, w = a.shape
    c = integral_image(a)
    y0 = np.clip(np.arange(h) - r, 0, h)
    y1 = np.clip(np.arange(h) + r + 1, 0, h)
    x0 = np.clip(np.arange(w) - r, 0, w)
    x1 = np.clip(np.arange(w) + r + 1, 0, w)
    out: Array = (c[y1][:, x1] - c[y0][:, x1] - c[y1][:, x0] + c[y0][:, x0]).astype(np.float32)
    return out


def _local_agreement(fc: Array, fs: Array, strip: int, shift: int, r: int) -> Array:
    """Normalised agreement of each neighbourhood of the first ``strip`` columns with
    the neighbourhood ``shift`` px further along the row (0 where there is none)."""
    w = fc.shape[1]
    n = min(strip, w - shift)
    out = np.zeros((fc.shape[0], strip), dtype=np.float32)
    if n <= 0:
        return out
    ac, as_ = fc[:, :n], fs[:, :n]
    bc, bs = fc[:, shift : shift + n], fs[:, shift : shift + n]
    num = _box_sum(ac * bc + as_ * bs, r)
    # energies are sums of squares, but a box sum from cumulative sums can come out a
    # hair below 0 on a flat area; clipped, so that no square root of a negative is taken
    ea = np.maximum(_box_sum(ac * ac + as_ * as_, r), 0.0)
    eb = np.maximum(_box_sum(bc * bc + bs * bs, r), 0.0)
    out[:, :n] = num / np.sqrt(ea * eb + 1e-6)
    return out


@dataclass(frozen=True)
class Fade:
    """How much of each pixel at the left edge to keep (1: all, 0: it only repeats the
    background), measured at working scale.

    Attributes:
        keep: the share kept, one value per working px of the strip at the left edge.
        px: screenshot px per working px (horizontally, vertically).
    """

    keep: Array
    px: tuple[float, float]

    def scaled(self, k: float) -> Fade:
        """The same fade for a screenshot ``k`` times as large."""
        return replace(self, px=(self.px[0] * k, self.px[1] * k))

    def over(self, x0: float, y0: float, w: int, h: int, f: float) -> Array:
        """The share kept at each px of a crop from ``(x0, y0)`` scaled by ``f``."""
        kh, kw = self.keep.shape
        cols = np.floor((x0 + (np.arange(w) + 0.5) / f) / self.px[0]).astype(np.int64)
        rows = np.floor((y0 + (np.arange(h) + 0.5) / f) / self.px[1]).astype(np.int64)
        rows = np.clip(rows, 0, kh - 1)
        inside = (cols >= 0) & (cols < kw)
        out = np.ones((h, w), dtype=np.float32)
        out[:, inside] = self.keep[rows][:, cols[inside]]
        return out


def damp_repeats(
    fc: Array, fs: Array, period: float, strip: int, *, tuning: EngineTuning = DEFAULT_TUNING
) -> tuple[Array, Array, Array]:
    """Fade out of the first ``strip`` columns what repeats one, two and three periods
    further.

    Args:
        fc: first channel of the orientation field.
        fs: second channel.
        period: the picture's period (working px), from :func:`dominant_period`.
        strip: how many columns at the left edge (where the piece waits) to treat.
        tuning: the engine's tuning (``period_radius``, ``period_fade``).

    Returns:
        Copies of ``fc`` and ``fs`` with the repeating pixels of the strip faded, and
        the share kept of each pixel of the strip.
    """
    strip = min(strip, fc.shape[1])
    w = fc.shape[1]
    r = tuning.period_radius
    # a pixel repeats when it agrees one, two and three periods further; where a copy
    # falls outside the picture, the copies inside have to tell
    repeats = np.full((fc.shape[0], strip), np.inf, dtype=np.float32)
    for m in (1, 2, 3):
        shift = round(m * period)
        agree = _local_agreement(fc, fs, strip, shift, r)
        seen = shift + np.arange(strip) < w
        repeats = np.where(seen, np.minimum(repeats, agree), repeats)
    # no copy inside the picture: nothing to tell it repeats
    repeats = np.where(np.isfinite(repeats), repeats, 0.0)
    lo, hi = tuning.period_fade
    keep = np.clip((hi - repeats) / (hi - lo), 0.0, 1.0).astype(np.float32)
    dc, ds = fc.copy(), fs.copy()
    dc[:, :strip] *= keep
    ds[:, :strip] *= keep
    return dc, ds, keep
