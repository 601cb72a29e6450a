"""Verification rules: tolerance, replay, expiry, lock-out and trajectories."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from omo_selenium.demo_site import DemoSite
from omo_selenium.demo_site.variants import DISPLAY_WIDTH
from tests.demo_site.conftest import HUMAN_PATH, FakeClock, attempt, new_challenge


def test_drop_on_the_gap_passes_and_is_recorded(site: DemoSite) -> None:
    data = new_challenge(site)
    gap_x = site.answer_for(data["id"]).gap_x

    response = attempt(site, data["id"], gap_x + 1.5)

    assert response.status_code == 200
    assert response.json() == {"success": True, "reason": "passed", "attempts_left": 0}
    record = site.wait_for_verification(timeout=1.0)
    assert record.passed and record.reason == "passed"
    assert record.error_natural_px == pytest.approx(1.5)
    assert record.error_css_px == pytest.approx(1.5)
    assert record.trajectory_points == len(HUMAN_PATH)
    assert record.drag_ms == HUMAN_PATH[-1][0]


@pytest.mark.parametrize(
    ("offset", "passed"), [(-4.0, True), (4.0, True), (-4.5, False), (6, False)]
)
def test_tolerance_is_four_natural_px(site: DemoSite, offset: float, passed: bool) -> None:
    data = new_challenge(site)
    gap_x = site.answer_for(data["id"]).gap_x

    response = attempt(site, data["id"], gap_x + offset)

    assert response.json()["success"] is passed


def test_error_is_signed_and_converted_to_css_px_on_a_scaled_picture(site: DemoSite) -> None:
    data = new_challenge(site, "scale=2")
    gap_x = site.answer_for(data["id"]).gap_x

    response = attempt(site, data["id"], gap_x - 20)

    assert response.json() == {"success": False, "reason": "missed", "attempts_left": 2}
    record = site.wait_for_verification(timeout=1.0)
    assert record.error_natural_px == pytest.approx(-20)
    assert record.error_css_px == pytest.approx(-10)
    assert not record.passed and record.reason == "missed"


def test_solved_challenge_cannot_be_replayed(site: DemoSite) -> None:
    data = new_challenge(site)
    gap_x = site.answer_for(data["id"]).gap_x
    assert attempt(site, data["id"], gap_x).json()["success"] is True

    replay = attempt(site, data["id"], gap_x)

    assert replay.status_code == 409
    assert replay.json()["error"] == "replayed"
    assert [r.reason for r in site.verifications] == ["passed", "replayed"]


def test_expired_challenge_is_refused_even_with_the_right_answer(
    site: DemoSite, clock: FakeClock
) -> None:
    data = new_challenge(site)
    gap_x = site.answer_for(data["id"]).gap_x
    clock.now += 120.5

    response = attempt(site, data["id"], gap_x)

    assert response.status_code == 410
    assert response.json()["error"] == "expired"
    assert not site.wait_for_verification(timeout=1.0).passed


def test_challenge_just_before_expiry_still_passes(site: DemoSite, clock: FakeClock) -> None:
    data = new_challenge(site)
    clock.now += 119.0

    response = attempt(site, data["id"], site.answer_for(data["id"]).gap_x)

    assert response.json()["success"] is True


def test_three_failures_lock_the_challenge(site: DemoSite) -> None:
    data = new_challenge(site)
    gap_x = site.answer_for(data["id"]).gap_x
    lefts = [attempt(site, data["id"], gap_x + 30).json()["attempts_left"] for _ in range(3)]

    locked = attempt(site, data["id"], gap_x)

    assert lefts == [2, 1, 0]
    assert locked.status_code == 429
    assert locked.json()["error"] == "too_many_failures"
    fresh = new_challenge(site)
    assert attempt(site, fresh["id"], site.answer_for(fresh["id"]).gap_x).json()["success"]


def test_concurrent_verifications_of_one_challenge_pass_once(site: DemoSite) -> None:
    data = new_challenge(site)
    gap_x = site.answer_for(data["id"]).gap_x

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(lambda _: attempt(site, data["id"], gap_x).status_code, range(6)))

    assert sorted(codes) == [200] + [409] * 5
    assert [r.passed for r in site.verifications].count(True) == 1


def test_lenient_default_accepts_a_robotic_trajectory(site: DemoSite) -> None:
    data = new_challenge(site)
    gap_x = site.answer_for(data["id"]).gap_x

    response = attempt(site, data["id"], gap_x, [[0, 0, 0], [10, gap_x, 0]])

    assert response.json()["success"] is True


@pytest.mark.parametrize(
    "path",
    [
        [],
        [[0, 0, 0], [10, 50, 0], [20, 100, 0]],
        [[t * 10, t * 10, 0] for t in range(20)],
    ],
    ids=["empty", "three-points", "perfectly-flat"],
)
def test_strict_variant_rejects_robotic_trajectories(
    site: DemoSite, path: list[list[float]]
) -> None:
    data = new_challenge(site, "strict=1")

    response = attempt(site, data["id"], site.answer_for(data["id"]).gap_x, path)

    assert response.json() == {"success": False, "reason": "robotic", "attempts_left": 2}


def test_strict_variant_accepts_a_human_looking_trajectory(site: DemoSite) -> None:
    data = new_challenge(site, "strict=1")

    response = attempt(site, data["id"], site.answer_for(data["id"]).gap_x)

    assert response.json()["success"] is True


def test_delay_variant_still_gives_the_right_verdict(site: DemoSite) -> None:
    data = new_challenge(site, "delay=200")

    response = attempt(site, data["id"], site.answer_for(data["id"]).gap_x)

    assert response.json()["success"] is True


@pytest.mark.parametrize(
    "path",
    [[[0, 0, 0]], [], [[0, 0, 0], [90, 30, 1], [200, 60, 2], [300, 75, 1], [400, 80, 2]]],
    ids=["no-move", "empty", "stops-short"],
)
def test_a_drop_where_the_trajectory_does_not_end_is_refused(
    site: DemoSite, path: list[list[float]]
) -> None:
    data = new_challenge(site)
    gap_x = site.answer_for(data["id"]).gap_x
    assert gap_x > 80 + 4 + 24  # the forged drops below are far from where the paths end

    response = attempt(site, data["id"], gap_x, path)

    assert response.json() == {"success": False, "reason": "inconsistent", "attempts_left": 2}


def test_a_drop_beyond_the_end_of_a_long_trajectory_is_refused(site: DemoSite) -> None:
    data = new_challenge(site, "scale=2")
    record = site.answer_for(data["id"])
    # The pointer went 60 CSS px past the gap: the widget would have dropped it there.
    far = (record.gap_x / record.scale + 60) / record.ratio
    path = [[0, 0, 0], [100, far / 2, 1], [200, far, 2]]

    response = attempt(site, data["id"], record.gap_x, path)

    assert response.json()["reason"] == "inconsistent"


def test_a_drop_clamped_at_the_end_of_the_track_is_consistent(site: DemoSite) -> None:
    data = new_challenge(site)
    record = site.answer_for(data["id"])
    travel = DISPLAY_WIDTH * record.scale - record.piece_width
    # Dragged far past the track's end: the piece stops at the end of its travel.
    path = [[0, 0, 0], [100, 200, 1], [200, 900, 2]]

    response = attempt(site, data["id"], travel, path)

    assert response.json()["reason"] in ("passed", "missed")
