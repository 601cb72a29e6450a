"""The numeric helpers under the engine: blur and FFT correlation agree with the plain
definitions they speed up."""

from __future__ import annotations

import math

import numpy as np
import pytest

from omo_selenium.engine.gradients import (
    blur,
    colour_orientation_field,
    correlate_valid,
    fast_length,
    gradients,
    integral_image,
    parabola_peak,
)


@pytest.mark.parametrize(
    ("big", "small"), [((31, 47), (7, 5)), ((71, 83), (63, 57)), ((8, 9), (8, 9))]
)
def test_fft_correlation_matches_the_direct_sum(
    big: tuple[int, int], small: tuple[int, int]
) -> None:
    rng = np.random.default_rng(3)
    a, k = rng.normal(size=big), rng.normal(size=small)
    got = correlate_valid(a, k)
    h, w = small
    want = np.array(
        [
            [float((a[y : y + h, x : x + w] * k).sum()) for x in range(big[1] - w + 1)]
            for y in range(big[0] - h + 1)
        ]
    )
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-9)


@pytest.mark.parametrize("n", [1, 2, 7, 71, 83, 97, 113, 127, 131, 250, 1021])
def test_fft_lengths_are_the_next_product_of_2_3_and_5(n: int) -> None:
    m = fast_length(n)
    assert m >= n
    for p in (2, 3, 5):
        while m % p == 0:
            m //= p
    assert m == 1
    # no smaller such length is skipped
    for c in range(n, fast_length(n)):
        for p in (2, 3, 5):
            while c % p == 0 and c > 1:
                c //= p
        assert c != 1


def test_blur_matches_a_gaussian_with_repeated_edges() -> None:
    rng = np.random.default_rng(4)
    a = rng.normal(size=(20, 30)).astype(np.float32)
    sigma = 1.5
    r = int(3 * sigma + 0.5)
    x = np.arange(-r, r + 1)
    k = np.exp(-(x * x) / (2 * sigma * sigma))
    k /= k.sum()
    p = np.pad(a.astype(np.float64), r, mode="edge")
    rows = np.array(
        [[float((p[y : y + 2 * r + 1, c] * k).sum()) for c in range(p.shape[1])] for y in range(20)]
    )
    want = np.array(
        [[float((rows[y, c : c + 2 * r + 1] * k).sum()) for c in range(30)] for y in range(20)]
    )
    np.testing.assert_allclose(blur(a, sigma), want, atol=1e-4)


def test_a_stack_of_images_is_blurred_image_by_image() -> None:
    rng = np.random.default_rng(5)
    stack = rng.normal(size=(3, 17, 23)).astype(np.float32)
    got = blur(stack, 2.0)
    for plane, want in zip(got, stack, strict=True):
        np.testing.assert_array_equal(plane, blur(np.ascontiguousarray(want), 2.0))


def test_box_sums_from_the_integral_image_match_the_direct_sums() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=(2, 9, 13)).astype(np.float32)
    ii = integral_image(a)
    assert ii.shape == (2, 10, 14) and ii.dtype == np.float64
    for y0, y1, x0, x1 in [(0, 9, 0, 13), (2, 5, 3, 11), (4, 5, 12, 13)]:
        box = ii[:, y1, x1] - ii[:, y0, x1] - ii[:, y1, x0] + ii[:, y0, x0]
        direct = a[:, y0:y1, x0:x1].astype(np.float64).sum(axis=(1, 2))
        np.testing.assert_allclose(box, direct, atol=1e-9)
    assert a.dtype == np.float32  # the input is left as it was


def test_gradients_of_a_stack_are_those_of_each_image() -> None:
    rng = np.random.default_rng(6)
    stack = rng.normal(size=(2, 9, 12)).astype(np.float32)
    gx, gy = gradients(stack)
    for i, plane in enumerate(stack):
        px, py = gradients(np.ascontiguousarray(plane))
        np.testing.assert_array_equal(gx[i], px)
        np.testing.assert_array_equal(gy[i], py)


def test_correlating_stacks_sums_the_correlations_of_their_planes() -> None:
    rng = np.random.default_rng(7)
    a, k = rng.normal(size=(2, 31, 40)), rng.normal(size=(2, 9, 11))
    want = correlate_valid(a[0], k[0]) + correlate_valid(a[1], k[1])
    np.testing.assert_allclose(correlate_valid(a, k), want, atol=1e-9)


def test_an_edge_in_one_colour_channel_alone_makes_the_colour_field() -> None:
    # the channels are processed as one stack: an edge that only the third channel
    # has (flat first and second channels) gives that channel's field, wherever it is
    rng = np.random.default_rng(8)
    kw = {"sigma": 1.0, "norm_sigma": 2.5, "floor": 0.5, "smooth": 1.5}
    for ch in range(3):
        plane = blur(rng.normal(size=(24, 30)).astype(np.float32), 1.0) * 40 + 120
        rgb = np.full((24, 30, 3), 90.0, dtype=np.float32)
        rgb[:, :, ch] = plane
        c, s = colour_orientation_field(rgb, **kw)
        c1, s1 = colour_orientation_field(np.ascontiguousarray(plane[:, :, None]), **kw)
        assert np.abs(c1).max() > 0.1
        np.testing.assert_allclose(c, c1, atol=1e-6)
        np.testing.assert_allclose(s, s1, atol=1e-6)


def test_crispness_weighting_lets_a_soft_ramp_count_less_than_a_step_edge() -> None:
    # a crisp step up at column 20 and, further right, a ramp down as high, 16 px wide
    row = np.full(80, 60.0, dtype=np.float32)
    row[20:] = 180.0
    row[50:] = 180.0 - 120.0 * np.clip(np.arange(30) / 16.0, 0.0, 1.0)
    rgb = np.repeat(np.repeat(row[None, :, None], 30, axis=0), 3, axis=2)
    params = {"sigma": 1.0, "norm_sigma": 2.5, "floor": 0.5, "smooth": 1.5}

    def strength(crisp: float) -> tuple[float, float]:
        c, s = colour_orientation_field(rgb, **params, crisp=crisp, crisp_keep=0.0)
        mag = np.hypot(c, s)[15]
        return float(mag[15:26].max()), float(mag[48:70].max())

    step, ramp = strength(0.0)
    assert ramp > 0.5 * step  # contrast-normalised, the ramp counts nearly as much
    step, ramp = strength(2.0)
    assert step > 0.5 and ramp < 0.2 * step


def test_a_sampled_parabola_peaks_where_it_was_drawn() -> None:
    def at(x: float) -> float:  # a parabola with its top at 0.3
        return 1.0 - (x - 0.3) ** 2

    assert parabola_peak(at(-1), at(0), at(1)) == pytest.approx(0.3)
    assert parabola_peak(2.0, 3.0, 2.0) == 0.0


def test_a_parabola_peak_is_kept_within_its_limit_and_needs_a_maximum() -> None:
    # the middle sample is not the highest: the top lies far past the next one (9.5)
    assert parabola_peak(0.0, 1.0, 1.9) == 0.5
    assert parabola_peak(0.0, 1.0, 1.9, limit=1.0) == 1.0
    assert parabola_peak(0.0, 1.0, 1.9, limit=math.inf) == pytest.approx(9.5)
    assert parabola_peak(1.0, 0.0, 1.0) == 0.0  # a minimum, not a peak
    assert parabola_peak(float("-inf"), 1.0, 0.5) == 0.0
