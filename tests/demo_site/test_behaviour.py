"""Behaviour variants over HTTP: what each page draws, that seeds repeat it, that the
default page is untouched, and that the answer still stays on the server."""

from __future__ import annotations

import random

import pytest
import requests

from omo_selenium.demo_site import DemoSite, Variant
from omo_selenium.demo_site.behaviour import VERDICT_CLASSES, PageBehaviour
from omo_selenium.demo_site.pages import render_page
from omo_selenium.demo_site.store import CHALLENGE_FIELDS
from omo_selenium.demo_site.variants import OUTSIDE_MAX_CSS, gap_x_range
from tests.demo_site.conftest import (
    BEHAVIOURS,
    PAGE_CONFIG_KEYS,
    TIMEOUT,
    attempt,
    new_challenge,
)
from tests.demo_site.test_pages import page_config

ALL_BEHAVIOURS = "hover=1&jump=1&verdict=class&late=1&reset=1&outside=1&tolerance=2"
BEHAVIOUR_CONFIG_KEYS = {
    "hover_ms",
    "jump_px",
    "verdict_classes",
    "late_ms",
    "reset_ms",
    "piece_element",
}


def test_a_page_draws_amounts_only_for_the_behaviours_it_turns_on() -> None:
    rng = random.Random(5)

    assert PageBehaviour.draw(Variant(), rng).config() == {}
    assert set(PageBehaviour.draw(Variant(hover=True, late=True), rng).config()) == {
        "hover_ms",
        "late_ms",
    }
    everything = PageBehaviour.draw(Variant.from_query(ALL_BEHAVIOURS), rng)
    assert 250 <= everything.hover_ms <= 700
    assert everything.jump_px is not None and 0 <= everything.jump_px <= 10
    assert everything.verdict_classes in VERDICT_CLASSES
    assert 700 <= everything.late_ms <= 1300
    assert 250 <= everything.reset_ms <= 700
    assert everything.piece_element in ("img", "canvas")


def test_pages_vary_their_amounts_and_a_seed_repeats_them() -> None:
    def configs(seed: int) -> list[dict[str, object]]:
        with DemoSite(seed=seed) as site:
            url = f"{site.url}/?{ALL_BEHAVIOURS}"
            return [page_config(requests.get(url, timeout=TIMEOUT).text) for _ in range(6)]

    first, again, other = configs(3), configs(3), configs(4)

    assert first == again
    assert first != other
    assert len({c["hover_ms"] for c in first}) > 1  # not one value for every page
    assert len({c["late_ms"] for c in first}) > 1


def test_the_default_page_and_challenge_carry_nothing_new(site: DemoSite) -> None:
    config = page_config(render_page(Variant(), random.Random(1)))
    data = new_challenge(site)

    assert set(config) == PAGE_CONFIG_KEYS
    assert set(data) == CHALLENGE_FIELDS
    assert site.last_challenge().start_x == 0


def test_behaviour_pages_and_challenges_never_carry_the_answer(site: DemoSite) -> None:
    html = requests.get(f"{site.url}/?{ALL_BEHAVIOURS}", timeout=TIMEOUT).text
    data = new_challenge(site, ALL_BEHAVIOURS)
    record = site.answer_for(data["id"])
    config = page_config(html)

    assert set(data) == CHALLENGE_FIELDS | {"piece_start"}
    assert data["piece_start"] == record.start_x < 0
    assert set(config) == PAGE_CONFIG_KEYS | BEHAVIOUR_CONFIG_KEYS
    assert config["challenge_url"] == f"/api/challenge?{ALL_BEHAVIOURS}"
    assert 'id="captcha"' in html


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.6, 3.0])
def test_outside_piece_starts_left_of_the_picture_and_can_still_reach_every_gap(
    site: DemoSite, scale: float
) -> None:
    variant = Variant(outside=True, scale=scale, ratio="auto")
    low, high = gap_x_range(variant)
    for _ in range(3):
        data = new_challenge(site, variant.to_query())
        record = site.answer_for(data["id"])

        assert round(6 * scale) <= -record.start_x <= round(OUTSIDE_MAX_CSS * scale)
        assert low <= record.gap_x <= high
        assert record.distance_css_px == pytest.approx((record.gap_x - record.start_x) / scale)
        assert record.handle_css_px <= 340 - 44


def test_tight_tolerance_rejects_three_px_that_the_site_default_accepts(site: DemoSite) -> None:
    tight = new_challenge(site, "tolerance=2")
    loose = new_challenge(site)
    tight_gap = site.answer_for(tight["id"]).gap_x
    loose_gap = site.answer_for(loose["id"]).gap_x

    missed = attempt(site, tight["id"], tight_gap + 3).json()
    passed = attempt(site, tight["id"], tight_gap - 2).json()
    default = attempt(site, loose["id"], loose_gap + 3).json()

    assert missed["success"] is False and missed["reason"] == "missed"
    assert passed["success"] is True
    assert default["success"] is True
    assert [v.passed for v in site.verifications] == [False, True, True]


@pytest.mark.parametrize(
    "query",
    ["hover=2", "jump=maybe", "verdict=colour", "tolerance=0.1", "tolerance=50", "outside=x"],
)
def test_bad_behaviour_values_are_refused(query: str) -> None:
    with pytest.raises(ValueError):
        Variant.from_query(query)


def test_behaviour_variants_round_trip_through_the_query() -> None:
    variant = Variant.from_query(ALL_BEHAVIOURS)

    assert variant == Variant(**BEHAVIOURS)
    assert Variant.from_query(variant.to_query()) == variant
