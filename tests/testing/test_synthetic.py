"""The synthetic generator: pictures without a gap (what an engine must refuse) and the
gap styles drawn only when asked for."""

from __future__ import annotations

import numpy as np
import pytest

from omo_selenium.testing.synthetic import (
    BACKGROUNDS,
    EXTRA_GAP_OUTLINES,
    make_background,
    make_slider_image,
)


@pytest.mark.parametrize("kind", BACKGROUNDS)
def test_a_background_has_the_size_asked_and_is_the_same_for_the_same_seed(kind: str) -> None:
    first = make_background(3, kind, size=(200, 90))
    assert first.size == (200, 90)
    assert first.mode == "RGB"
    assert np.array_equal(np.asarray(first), np.asarray(make_background(3, kind, size=(200, 90))))


def test_backgrounds_differ_from_seed_to_seed() -> None:
    a, b = (np.asarray(make_background(seed, "photo")) for seed in (1, 2))
    assert not np.array_equal(a, b)


def test_unknown_kind_or_empty_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown background"):
        make_background(0, "mosaic")
    with pytest.raises(ValueError, match="at least 1x1"):
        make_background(0, "flat", size=(0, 10))


def _gap_profile(outline: str) -> tuple[float, float]:
    """Mean grey level of the gap's rim (2 px inside its box) and of its centre."""
    cap = make_slider_image(
        7, gap_outline=outline, gap_style="darken", background="flat", shape="square"
    )
    grey = np.asarray(cap.image.convert("L"), dtype=float)
    x, y, w, h = (round(v) for v in cap.gap_box)
    inner = grey[y + 2 : y + h - 2, x + 2 : x + w - 2]
    rim = np.concatenate([inner[:2].ravel(), inner[-2:].ravel(), inner[:, :2].ravel()])
    centre = inner[h // 3 : -h // 3, w // 3 : -w // 3]
    return float(rim.mean()), float(centre.mean())


def test_an_inner_shadow_darkens_the_gap_along_its_rim_only() -> None:
    rim, centre = _gap_profile("inner_shadow")
    plain_rim, plain_centre = _gap_profile("none")
    assert rim < plain_rim - 10
    assert abs(centre - plain_centre) < 0.2 * (plain_rim - rim)


def test_the_extra_gap_outlines_are_drawn_only_when_asked_for() -> None:
    drawn = {make_slider_image(seed).params["gap_outline"] for seed in range(60)}
    assert drawn and not drawn & set(EXTRA_GAP_OUTLINES)
