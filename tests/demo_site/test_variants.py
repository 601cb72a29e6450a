"""Variants: the query that describes a demo captcha, and what it allows."""

from __future__ import annotations

from typing import Any

import pytest

from omo_selenium.demo_site import Variant
from omo_selenium.demo_site.variants import (
    gap_x_range,
    piece_size,
)


def test_variant_query_round_trips_through_to_query() -> None:
    variant = Variant.from_query("?scale=1.6&iframe=1&ratio=auto&decoys=2&shape=star&delay=800")

    assert variant == Variant(
        scale=1.6, iframe=True, ratio="auto", decoys=2, shape="star", delay=800
    )
    assert Variant.from_query(variant.to_query()) == variant
    assert Variant().to_query() == ""


@pytest.mark.parametrize(
    "query",
    [
        "scal=2",
        "scale=abc",
        "scale=9",
        "ratio=0.1",
        "ratio=fast",
        "decoys=1.5",
        "decoys=9",
        "shape=hexagon",
        "style=neon",
        "iframe=maybe",
        "delay=-1",
        "sample=2000",
        "scale=1&scale=2",
    ],
)
def test_bad_variant_query_is_refused(query: str) -> None:
    with pytest.raises(ValueError):
        Variant.from_query(query)


def test_auto_ratio_maps_handle_travel_onto_piece_travel() -> None:
    ratio = Variant(ratio="auto").effective_ratio()

    assert ratio == pytest.approx((340 - piece_size(1.0)) / (340 - 44))
    assert ratio != 1.0


@pytest.mark.parametrize("ratio", [0.5, 0.8, 1.0, 1.3, 2.0, "auto"])
@pytest.mark.parametrize("scale", [0.5, 1.0, 1.6, 3.0])
def test_every_gap_position_is_reachable_with_the_handle(ratio: Any, scale: float) -> None:
    variant = Variant(scale=scale, ratio=ratio)
    low, high = gap_x_range(variant)
    width, _ = variant.natural_size()

    assert piece_size(scale) < low <= high <= width - piece_size(scale)
    assert high / scale / variant.effective_ratio() <= 340 - 44
