"""The coarse search: which windows it tries."""

from __future__ import annotations

import dataclasses

import numpy as np

from omo_selenium.engine.local import _coarse_field, _resized
from omo_selenium.engine.search import coarse_candidates
from omo_selenium.engine.tuning import DEFAULT_TUNING
from omo_selenium.testing.synthetic import make_slider_image


def _field(seed: int) -> tuple[np.ndarray, np.ndarray]:
    cap = make_slider_image(seed, decoy="none")
    return _coarse_field(
        _resized(cap.image.convert("L"), DEFAULT_TUNING.work_width), DEFAULT_TUNING
    )


def test_without_window_heights_every_window_width_is_tried_as_a_height_too() -> None:
    fc, fs = _field(7)
    every = dataclasses.replace(DEFAULT_TUNING, window_heights=DEFAULT_TUNING.window_fractions)
    fallback = dataclasses.replace(DEFAULT_TUNING, window_heights=())
    assert DEFAULT_TUNING.window_heights != DEFAULT_TUNING.window_fractions
    want = coarse_candidates(fc, fs, topk=6, tuning=every)
    assert want == coarse_candidates(fc, fs, topk=6, tuning=fallback)
    # the windows found have the heights asked for
    tall = dataclasses.replace(DEFAULT_TUNING, window_heights=(0.35,))
    assert {c.h for c in coarse_candidates(fc, fs, topk=6, tuning=tall)} == {
        int(0.35 * fc.shape[1])
    }
