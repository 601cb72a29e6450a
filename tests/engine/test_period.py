"""Periodic backgrounds: the period is found where there is one, and only what repeats fades."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PIL import Image

from omo_selenium.engine import locate
from omo_selenium.engine.gradients import Array
from omo_selenium.engine.local import _coarse_field, _resized
from omo_selenium.engine.period import Fade, damp_repeats, dominant_period
from omo_selenium.engine.tuning import DEFAULT_TUNING
from omo_selenium.testing.synthetic import make_slider_image

W, H = 340, 200
#: The shortest period the engine looks for (working px), as locate() asks.
SHORTEST = int(min(DEFAULT_TUNING.window_fractions) * DEFAULT_TUNING.work_width)
#: Working px per picture px.
WORK = DEFAULT_TUNING.work_width / W


def _grain(seed: int) -> Array:
    rng = np.random.default_rng(seed)
    small = Image.fromarray((rng.random((H // 10, W // 10)) * 255).astype(np.uint8))
    return np.asarray(small.resize((W, H), Image.Resampling.BICUBIC), dtype=np.float32)


def _stripes(grey: Array, period: float, x0: float = 5.0) -> Array:
    out = grey.copy()
    out[:, np.mod(np.arange(W) - x0, period) < 3] = 25.0
    return out


def _square(grey: Array, x: int, y: int, side: int = 56, level: float = 240.0) -> Array:
    out = grey.copy()
    out[y : y + side, x : x + 3] = level
    out[y : y + side, x + side - 3 : x + side] = level
    out[y : y + 3, x : x + side] = level
    out[y + side - 3 : y + side, x : x + side] = level
    return out


def _field(grey: Array) -> tuple[Array, Array]:
    img = Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8))
    return _coarse_field(_resized(img, DEFAULT_TUNING.work_width), DEFAULT_TUNING)


@pytest.mark.parametrize("period", [40.0, 53.3, 71.0])
def test_window_frames_repeating_along_the_rows_give_their_period(period: float) -> None:
    fc, fs = _field(_stripes(60 + 0.4 * _grain(1), period))
    found = dominant_period(fc, fs, SHORTEST)
    assert found is not None
    assert found == pytest.approx(period * WORK, abs=0.5)


@pytest.mark.parametrize("seed", range(3))
def test_a_picture_without_a_pattern_has_no_period(seed: int) -> None:
    fc, fs = _field(_square(60 + 0.6 * _grain(seed), 10, 70))
    assert dominant_period(fc, fs, SHORTEST) is None


def test_a_piece_its_gap_and_a_decoy_at_equal_spacing_are_no_pattern() -> None:
    # three copies at one spacing repeat twice; a pattern has to repeat three times
    grey = 60 + 0.6 * _grain(4)
    for x in (10, 110, 210):
        grey = _square(grey, x, 70)
    fc, fs = _field(grey)
    assert dominant_period(fc, fs, SHORTEST) is None


def test_what_repeats_at_the_left_edge_fades_and_the_piece_outline_stays() -> None:
    period = 53.0
    grey = _square(_stripes(60 + 0.4 * _grain(2), period), 20, 70)
    fc, fs = _field(grey)
    found = dominant_period(fc, fs, SHORTEST)
    assert found is not None
    strip = int(DEFAULT_TUNING.outline_strip * fc.shape[1])
    dc, ds, keep = damp_repeats(fc, fs, found, strip)
    assert keep.shape == (fc.shape[0], strip)
    # a frame well above the piece (picture x = 5 + period) repeats: faded
    frame_x = round((5 + period + 1) * WORK)
    assert float(np.median(keep[5:30, frame_x])) < 0.2
    # the piece's top edge (picture y = 70, x 24-40, between two frames) does not: kept
    top = round(71 * WORK)
    assert keep[top, round(24 * WORK) : round(40 * WORK)].mean() > 0.8
    # only the strip is touched, and the field itself is not changed in place
    assert np.array_equal(dc[:, strip:], fc[:, strip:])
    assert not np.shares_memory(dc, fc)
    assert np.allclose(dc[:, :strip], fc[:, :strip] * keep)
    assert np.allclose(ds[:, :strip], fs[:, :strip] * keep)


def test_fade_maps_crops_of_the_screenshot_onto_the_working_strip() -> None:
    keep = np.ones((10, 4), dtype=np.float32)
    keep[:, 1] = 0.0  # working column 1 = screenshot px 2-3 at 2 px per working px
    fade = Fade(keep, (2.0, 2.0))
    crop = fade.over(0.0, 0.0, 12, 4, 1.0)
    assert crop.shape == (4, 12)
    assert list(crop[0]) == [1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]  # beyond the strip: kept
    # the same crop of a screenshot twice as large, taken at half the scale
    assert np.array_equal(fade.scaled(2.0).over(0.0, 0.0, 12, 4, 0.5), crop)


def test_a_flat_area_takes_no_square_root_of_a_negative() -> None:
    # a generated captcha whose background is flat where the fade compares: box sums of
    # zero energy, taken from cumulative sums, came out a hair below zero
    captcha = make_slider_image(13282)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        match = locate(captcha.image, captcha.width_view)
    assert abs(match.distance_css - captcha.true_distance_css) <= 2
