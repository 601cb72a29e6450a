"""The colour evidence of a candidate gap, on drawn pictures."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PIL import Image

from omo_selenium.engine.colour import gap_evidence
from omo_selenium.engine.tuning import DEFAULT_TUNING

BOX = (10.0, 20.0, 40.0, 40.0)
GAP_DX, DECOY_DX = 100.0, 200.0


def _picture(grain: np.ndarray) -> Image.Image:
    """A flat grey picture with ``grain`` on it, a piece at BOX showing the picture at
    its gap GAP_DX further (lightened), the gap darkened, and a decoy of the same square
    darkened DECOY_DX further."""
    grey = 120.0 + grain
    x, y, w, h = (int(v) for v in BOX)
    gx, dx = x + int(GAP_DX), x + int(DECOY_DX)
    grey[y : y + h, x : x + w] = 40.0 + grey[y : y + h, gx : gx + w]
    grey[y : y + h, gx : gx + w] *= 0.5
    grey[y : y + h, dx : dx + w] *= 0.5
    rgb = np.repeat(np.clip(grey, 0, 255)[:, :, None], 3, axis=2).astype(np.uint8)
    return Image.fromarray(rgb)


def test_a_gap_keeps_the_grain_of_the_place_the_piece_was_cut_from() -> None:
    img = _picture(np.random.default_rng(0).normal(0.0, 2.0, (80, 300)))
    at_gap = gap_evidence(img, BOX, GAP_DX, 0.0)
    at_decoy = gap_evidence(img, BOX, DECOY_DX, 0.0)
    assert at_gap.fine > 0.5
    assert at_decoy.fine < 0.1


def test_grain_that_repeats_every_few_px_tells_nothing() -> None:
    # a texture repeating every 2 px matches itself off the alignment as well as on it
    rows = np.indices((80, 300)).sum(axis=0) % 2
    img = _picture(4.0 * rows.astype(np.float64))
    assert gap_evidence(img, BOX, GAP_DX, 0.0).fine < 0.1


def test_grain_is_not_measured_when_its_weight_is_zero() -> None:
    img = _picture(np.random.default_rng(0).normal(0.0, 2.0, (80, 300)))
    off = replace(DEFAULT_TUNING, twin_fine_weight=0.0)
    assert gap_evidence(img, BOX, GAP_DX, 0.0, tuning=off).fine == 0.0
