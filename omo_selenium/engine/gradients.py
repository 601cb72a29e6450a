"""Gradient features for the local engine: blur, gradients, orientation fields.

All arrays are 2-D ``float32`` numpy arrays in image (row, column) order. Nothing here
knows about captchas; :mod:`omo_selenium.engine` builds the search on top of it.
"""

from __future__ import annotations

import functools
import math
from typing import Any, TypeVar

import numpy as np

__all__ = [
    "Array",
    "blur",
    "blur_rows",
    "box_mean",
    "colour_orientation_field",
    "correlate_valid",
    "fast_length",
    "gradients",
    "integral_image",
    "orientation_field",
    "parabola_peak",
]

#: A float32 image-shaped array.
Array = np.ndarray[Any, np.dtype[np.float32]]
#: A float32 or float64 array.
FloatArray = np.ndarray[Any, np.dtype[np.floating[Any]]]
F = TypeVar("F", bound=FloatArray)


@functools.lru_cache(maxsize=64)
def _kernel(sigma: float) -> np.ndarray[Any, np.dtype[np.float32]]:
    radius = max(1, int(3.0 * sigma + 0.5))
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    k = np.exp(-(x * x) / (2.0 * sigma * sigma))
    out: np.ndarray[Any, np.dtype[np.float32]] = (k / k.sum()).astype(np.float32)
    out.setflags(write=False)  # shared by every call with this sigma
    return out


def _edge_padded(a: FloatArray, r: int, axis: int) -> FloatArray:
    """``a`` with ``r`` copies of its first and last row (``axis`` 0) or column (1) added
    on either side: ``np.pad(mode="edge")`` without its per-call overhead, which costs
    more than the blur itself on arrays this small. Rows and columns are ``a``'s last two
    axes; any leading axes (a stack of images) are kept."""
    shape = list(a.shape)
    n = shape[axis - 2]
    shape[axis - 2] = n + 2 * r
    p = np.empty(shape, dtype=a.dtype)
    if axis == 0:
        p[..., r : r + n, :] = a
        p[..., :r, :] = a[..., :1, :]
        p[..., r + n :, :] = a[..., -1:, :]
    else:
        p[..., r : r + n] = a
        p[..., :r] = a[..., :1]
        p[..., r + n :] = a[..., -1:]
    return p


def _blur_axis(a: FloatArray, k: np.ndarray[Any, np.dtype[np.float32]], axis: int) -> Any:
    """One 1-D pass of the symmetric kernel ``k`` along the rows (``axis`` 0) or columns
    (1) of ``a`` (its last two axes), edge values repeated.

    The two taps at each distance from the centre are added before they are weighed:
    one product per pair of taps instead of one per tap.
    """
    r = len(k) // 2
    n = a.shape[axis - 2]
    p = _edge_padded(a, r, axis)

    def tap(j: int) -> Any:  # the padded input shifted by j along the axis
        return p[..., r + j : r + j + n, :] if axis == 0 else p[..., r + j : r + j + n]

    out: FloatArray = tap(0) * k[r]
    pair = np.empty_like(out)  # one work array for every pair of taps: no allocations
    for j in range(1, r + 1):
        np.add(tap(-j), tap(j), out=pair)
        pair *= k[r + j]
        out += pair
    return out


def blur(a: Array, sigma: float) -> Array:
    """Return ``a`` smoothed by a separable Gaussian of standard deviation ``sigma`` px.

    Rows and columns are ``a``'s last two axes: a stack of images is blurred image by
    image, in one pass. Borders repeat the edge values. ``sigma <= 0`` returns ``a``
    unchanged. Each pass adds shifted copies (plain numpy, one thread): a matrix product
    would be handed to the BLAS library, whose worker threads cost 2-3x the time on a
    busy machine for arrays this small.
    """
    if sigma <= 0:
        return a
    k = _kernel(sigma)
    a32 = a.astype(np.float32, copy=False)
    out: Array = _blur_axis(_blur_axis(a32, k, 0), k, 1)
    return out


def blur_rows(a: F, sigma: float) -> F:
    """Return each row of ``a`` smoothed by a Gaussian of ``sigma`` px (edge values
    repeated; ``a``'s float type kept). ``sigma <= 0`` returns ``a`` unchanged."""
    if sigma <= 0:
        return a
    out: F = _blur_axis(a, _kernel(sigma), 1)
    return out


def integral_image(a: FloatArray) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The summed-area table of ``a``'s last two axes, in float64: ``out[..., y, x]`` is
    the sum of ``a[..., :y, :x]`` (shape ``(..., h + 1, w + 1)``), so that the sum over
    any box is four look-ups.

    Both running sums are taken in place on one contiguous copy: a running sum written
    into a strided slice of the table costs about twice the time.
    """
    t = a.astype(np.float64)  # always a copy: summed in place below
    np.cumsum(t, axis=-2, out=t)
    np.cumsum(t, axis=-1, out=t)
    out = np.zeros((*a.shape[:-2], a.shape[-2] + 1, a.shape[-1] + 1), dtype=np.float64)
    out[..., 1:, 1:] = t
    return out


def parabola_peak(a: float, b: float, c: float, limit: float = 0.5) -> float:
    """Where the parabola through ``(-1, a)``, ``(0, b)`` and ``(1, c)`` peaks, kept
    within ``limit`` of 0: the sub-sample position of a maximum ``b`` between its two
    neighbours. 0 when the three do not bend down or a neighbour is not finite."""
    den = a - 2.0 * b + c
    if not (math.isfinite(a) and math.isfinite(c)) or den >= 0:
        return 0.0
    return float(min(limit, max(-limit, 0.5 * (a - c) / den)))


def box_mean(a: Array, r: int) -> Array:
    """The mean of each pixel's ``(2r + 1) x (2r + 1)`` block (edges repeated), float32."""
    k = 2 * r + 1
    c = integral_image(np.pad(a, r, mode="edge"))
    out: Array = ((c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k]) / (k * k)).astype(np.float32)
    return out


def gradients(a: Array) -> tuple[Array, Array]:
    """Return the central-difference gradients ``(gx, gy)`` of ``a`` (same shape; rows
    and columns are its last two axes)."""
    p = _edge_padded(_edge_padded(a, 1, 0), 1, 1)
    gx = (p[..., 1:-1, 2:] - p[..., 1:-1, :-2]) * np.float32(0.5)
    gy = (p[..., 2:, 1:-1] - p[..., :-2, 1:-1]) * np.float32(0.5)
    return gx, gy


def orientation_field(
    gx: Array, gy: Array, *, norm_sigma: float, floor: float, smooth: float
) -> tuple[Array, Array]:
    """Return the doubled-angle orientation field ``(c, s)`` of a gradient field.

    Each pixel becomes ``m * (cos 2t, sin 2t)`` where ``t`` is the gradient direction and
    ``m`` its magnitude divided by the local mean magnitude (``norm_sigma`` px around,
    plus ``floor``). Doubling the angle makes an edge and its inverse (dark-to-light vs
    light-to-dark) look the same, which is what survives a gap's brightness change; the
    local normalisation lets weak texture count next to a strong outline.

    Args:
        gx: horizontal gradient.
        gy: vertical gradient.
        norm_sigma: radius (Gaussian sigma) of the local magnitude normalisation.
        floor: added to the local magnitude so that flat noise is not amplified.
        smooth: sigma of the final smoothing, which tolerates small misalignments.
    """
    mag = np.sqrt(gx * gx + gy * gy)
    inv = 1.0 / ((mag + np.float32(1e-6)) * (blur(mag, norm_sigma) + np.float32(floor)))
    c = (gx * gx - gy * gy) * inv
    s = (2.0 * gx * gy) * inv
    return _blur_pair(c, s, smooth)


def colour_orientation_field(
    rgb: np.ndarray[Any, np.dtype[np.float32]],
    *,
    sigma: float,
    norm_sigma: float,
    floor: float,
    smooth: float,
    crisp: float = 0.0,
    crisp_keep: float = 0.0,
) -> tuple[Array, Array]:
    """Return the doubled-angle orientation field of a colour image ``(h, w, 3)``.

    Like :func:`orientation_field`, but the edge direction comes from the colour
    structure tensor (the per-channel gradient products summed over the channels), so an
    edge between two colours of equal brightness counts as much as a light-to-dark one.

    Args:
        rgb: the colour image, float32, channels last.
        sigma: Gaussian smoothing (px) before the gradients.
        norm_sigma: radius of the local magnitude normalisation.
        floor: added to the local magnitude so that flat noise is not amplified.
        smooth: sigma of the final smoothing.
        crisp: when above ``sigma``, each edge is weighted by its crispness: the ratio
            of its gradient at ``sigma`` to its gradient at ``crisp``, mapped so that a
            step edge (ratio ``crisp / sigma``) weighs 1 and a ramp much wider than
            ``crisp`` (ratio 1) weighs 0. A soft shadow or glow beside an outline then
            counts less than the outline.
        crisp_keep: the weight (0-1) that the softest edge keeps.
    """
    # the channels as a stack of planes: every step below runs once for all of them
    planes = blur(np.moveaxis(rgb, 2, 0), sigma)
    gx, gy = gradients(planes)
    xx, yy, xy = gx * gx, gy * gy, gx * gy
    jxx, jyy, jxy = xx[0], yy[0], xy[0]
    for ch in range(1, rgb.shape[2]):
        jxx, jyy, jxy = jxx + xx[ch], jyy + yy[ch], jxy + xy[ch]
    c = jxx - jyy
    s = 2.0 * jxy
    mag = np.sqrt(np.sqrt(c * c + s * s)) + np.float32(1e-6)
    inv = 1.0 / (mag * (blur(mag, norm_sigma) + np.float32(floor)))
    if crisp > sigma:
        # blurring the blurred planes by sqrt(crisp^2 - sigma^2) blurs them by crisp
        g2x, g2y = gradients(blur(planes, math.sqrt(crisp * crisp - sigma * sigma)))
        soft = np.sqrt((g2x * g2x + g2y * g2y).sum(axis=0)) + np.float32(1e-6)
        sharp = np.sqrt(jxx + jyy)  # the structure tensor's trace: |grad|^2 summed
        w = np.clip((sharp / soft - 1.0) / (crisp / sigma - 1.0), 0.0, 1.0)
        inv = inv * (crisp_keep + (1.0 - crisp_keep) * w)
    return _blur_pair(c * inv, s * inv, smooth)


def _blur_pair(c: Array, s: Array, sigma: float) -> tuple[Array, Array]:
    """Both channels of a field blurred by ``sigma``, in one pass (float32)."""
    both = blur(np.stack([c, s]).astype(np.float32, copy=False), sigma)
    return both[0], both[1]


@functools.lru_cache(maxsize=256)
def fast_length(n: int) -> int:
    """The smallest ``m >= n`` whose prime factors are 2, 3 and 5: an FFT of a prime
    length is several times slower than one of such a length nearby."""
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def correlate_valid(a: np.ndarray[Any, Any], k: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Cross-correlation of ``a`` (H, W) with ``k`` (h, w) at every offset where ``k``
    lies inside ``a``: ``out[y, x] = sum(a[y : y + h, x : x + w] * k)``, shape
    ``(H - h + 1, W - w + 1)``, by FFT (float64).

    Given stacks ``a`` (C, H, W) and ``k`` (C, h, w), returns the sum of the ``C``
    correlations of ``a[c]`` with ``k[c]`` (their spectra are summed: one inverse FFT).
    """
    hb, wb = a.shape[-2:]
    th, tw = k.shape[-2:]
    size = (fast_length(hb), fast_length(wb))
    spec = np.fft.rfft2(a, s=size) * np.conj(np.fft.rfft2(k, s=size))
    if spec.ndim == 3:
        spec = spec.sum(axis=0)
    out: np.ndarray[Any, Any] = np.fft.irfft2(spec, s=size)[: hb - th + 1, : wb - tw + 1]
    return out
