"""The synthetic generator's pictures without a gap: what an engine must refuse."""

from __future__ import annotations

import numpy as np
import pytest

from omo_selenium.testing.synthetic import BACKGROUNDS, make_background


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
