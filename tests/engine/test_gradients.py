"""The numeric helpers under the engine: blur and FFT correlation agree with the plain
definitions they speed up."""

from __future__ import annotations

import numpy as np
import pytest

from omo_selenium.engine.gradients import _fast_length, blur, correlate_valid


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
    m = _fast_length(n)
    assert m >= n
    for p in (2, 3, 5):
        while m % p == 0:
            m //= p
    assert m == 1
    # no smaller such length is skipped
    for c in range(n, _fast_length(n)):
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
