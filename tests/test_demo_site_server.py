"""The demo captcha site without a browser: puzzle generation, verification rules,
bad requests, and the answer never leaving the server."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from typing import Any

import numpy as np
import pytest
import requests
from PIL import Image, ImageFilter

from demo_site import DemoSite, Variant, serve
from demo_site.__main__ import VARIANT_HELP
from demo_site.pages import render_page
from demo_site.puzzle import generate_puzzle, shape_mask
from demo_site.store import CHALLENGE_FIELDS
from demo_site.variants import (
    SHAPES,
    STYLES,
    gap_x_range,
    gap_y_range,
    piece_size,
)

TIMEOUT = 10.0
HUMAN_PATH = [[0, 0, 0], [40, 12, 1], [90, 40, 2], [150, 80, 1], [220, 110, 3], [400, 120, 2]]


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def site(clock: FakeClock) -> Iterator[DemoSite]:
    with DemoSite(seed=99, ttl=120.0, clock=clock) as running:
        yield running


def new_challenge(site: DemoSite, query: str = "") -> dict[str, Any]:
    response = requests.post(f"{site.url}/api/challenge?{query}", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def verify(site: DemoSite, body: Any, *, raw: bytes | None = None) -> requests.Response:
    data = raw if raw is not None else json.dumps(body).encode()
    return requests.post(
        f"{site.url}/api/verify",
        data=data,
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )


def attempt(site: DemoSite, cid: str, x: float, path: list[list[float]] | None = None) -> Any:
    return verify(site, {"id": cid, "x": x, "trajectory": HUMAN_PATH if path is None else path})


# -- variants ---------------------------------------------------------------------------


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


# -- puzzle generation ------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gap_lies_inside_the_picture_and_right_of_the_piece_start(shape: str, seed: int) -> None:
    variant = Variant(shape=shape, scale=1.0 + 0.3 * seed)
    puzzle = generate_puzzle(variant, seed)
    width, height = variant.natural_size()
    side = piece_size(variant.scale)

    assert puzzle.background.size == (width, height)
    assert puzzle.piece.size == (side, side)
    assert gap_x_range(variant)[0] <= puzzle.gap_x <= gap_x_range(variant)[1]
    assert gap_y_range(variant)[0] <= puzzle.gap_y <= gap_y_range(variant)[1]
    assert puzzle.gap_x >= side  # the piece starts at x=0: no overlap
    assert puzzle.gap_x + side <= width and puzzle.gap_y + side <= height


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("scale", [0.8, 1.0, 1.6])
def test_piece_pixels_match_the_background_at_the_gap_before_shading(
    style: str, scale: float
) -> None:
    puzzle = generate_puzzle(Variant(style=style, scale=scale), seed=5)
    side = puzzle.piece.width
    inner = np.asarray(puzzle.mask.filter(ImageFilter.MinFilter(9))) == 255
    clean = np.asarray(
        puzzle.clean.crop((puzzle.gap_x, puzzle.gap_y, puzzle.gap_x + side, puzzle.gap_y + side))
    )
    piece = np.asarray(puzzle.piece)

    assert inner.sum() > 0.2 * side * side
    assert np.array_equal(piece[inner][:, :3], clean[inner])
    assert (piece[inner][:, 3] == 255).all()


def test_piece_image_is_cropped_to_the_piece_with_transparent_corners() -> None:
    puzzle = generate_puzzle(Variant(shape="circle", style="flat"), seed=3)
    alpha = np.asarray(puzzle.piece)[:, :, 3]

    assert alpha[0, 0] == alpha[0, -1] == alpha[-1, 0] == alpha[-1, -1] == 0
    assert alpha[alpha.shape[0] // 2, alpha.shape[1] // 2] == 255


@pytest.mark.parametrize("style", STYLES)
def test_gap_is_shaded_in_the_background_and_the_rest_is_untouched(style: str) -> None:
    puzzle = generate_puzzle(Variant(style=style), seed=11)
    side = puzzle.piece.width
    box = (puzzle.gap_x, puzzle.gap_y, puzzle.gap_x + side, puzzle.gap_y + side)
    inner = np.asarray(puzzle.mask.filter(ImageFilter.MinFilter(9))) == 255
    clean = np.asarray(puzzle.clean.crop(box)).astype(int)
    shaded = np.asarray(puzzle.background.crop(box)).astype(int)

    assert np.abs(shaded[inner] - clean[inner]).mean() > 20
    outside = np.asarray(puzzle.background).astype(int)
    outside[box[1] : box[3], box[0] : box[2]] = np.asarray(puzzle.clean.crop(box))
    assert np.array_equal(outside, np.asarray(puzzle.clean))


def test_backgrounds_vary_across_seeds_and_repeat_for_the_same_seed() -> None:
    pictures = [np.asarray(generate_puzzle(Variant(), s).clean).astype(int) for s in range(6)]

    for a, b in combinations(pictures, 2):
        assert np.abs(a - b).mean() > 10
    again = np.asarray(generate_puzzle(Variant(), 0).clean).astype(int)
    assert np.array_equal(again, pictures[0])


def test_gap_positions_vary_across_seeds() -> None:
    gaps = {(p.gap_x, p.gap_y) for p in (generate_puzzle(Variant(), s) for s in range(12))}

    assert len(gaps) >= 10


@pytest.mark.parametrize("count", [1, 2, 4])
def test_decoys_are_painted_away_from_the_gap(count: int) -> None:
    variant = Variant(decoys=count)
    puzzle = generate_puzzle(variant, seed=count)
    width, height = variant.natural_size()
    side = puzzle.piece.width
    gap = (puzzle.gap_x, puzzle.gap_y, puzzle.gap_x + side, puzzle.gap_y + side)

    assert len(puzzle.decoys) == count
    for left, top, right, bottom in puzzle.decoys:
        assert left >= 0 and right <= width and top >= 0 and bottom <= height
        assert left >= side  # not under the piece's start position
        assert right <= gap[0] or left >= gap[2] or bottom <= gap[1] or top >= gap[3]
        region = (left, top, right, bottom)
        diff = np.abs(
            np.asarray(puzzle.background.crop(region)).astype(int)
            - np.asarray(puzzle.clean.crop(region)).astype(int)
        )
        assert diff.mean() > 3


def test_shapes_are_distinct_masks() -> None:
    masks = {shape: np.asarray(shape_mask(shape, 54, 4)) > 127 for shape in SHAPES}

    for a, b in combinations(SHAPES, 2):
        assert (masks[a] != masks[b]).mean() > 0.05, (a, b)
    for mask in masks.values():
        assert not mask[0].any() and not mask[-1].any()
    with pytest.raises(ValueError):
        shape_mask("hexagon", 54, 4)


# -- challenges over HTTP ---------------------------------------------------------------


def test_challenge_json_has_no_horizontal_position_and_opaque_urls(site: DemoSite) -> None:
    data = new_challenge(site, "scale=1.6")
    record = site.answer_for(data["id"])

    assert set(data) == CHALLENGE_FIELDS
    assert not any(k == "x" or k.endswith("_x") or "gap" in k for k in data)
    assert (data["width"], data["height"]) == (544, 339)
    assert data["piece_y"] == record.gap_y
    assert data["piece_width"] == data["piece_height"] == piece_size(1.6)
    for key in ("background", "piece"):
        assert re.fullmatch(r"/img/[A-Za-z0-9_-]{20,}\.(jpg|png)", data[key])
        assert data["id"] not in data[key]


def test_challenge_ids_and_image_tokens_are_random_even_with_a_fixed_seed() -> None:
    seen: list[dict[str, Any]] = []
    for _ in range(2):
        with DemoSite(seed=7) as fresh:
            seen += [new_challenge(fresh), new_challenge(fresh)]
    ids = [d["id"] for d in seen]
    urls = [d[k] for d in seen for k in ("background", "piece")]

    assert len(set(ids)) == len(ids) and all(len(i) >= 16 for i in ids)
    assert len(set(urls)) == len(urls)


def test_images_are_served_at_natural_size_without_metadata(site: DemoSite) -> None:
    data = new_challenge(site, "scale=1.6")

    bg = requests.get(site.url + data["background"], timeout=TIMEOUT)
    piece = requests.get(site.url + data["piece"], timeout=TIMEOUT)

    assert bg.headers["Content-Type"] == "image/jpeg"
    assert piece.headers["Content-Type"] == "image/png"
    assert bg.headers["Cache-Control"] == piece.headers["Cache-Control"] == "no-store"
    with Image.open(io.BytesIO(bg.content)) as image:
        assert image.size == (data["width"], data["height"])
        assert not {"comment", "exif", "xmp"} & set(image.info)
    with Image.open(io.BytesIO(piece.content)) as image:
        assert image.size == (data["piece_width"], data["piece_height"])
        assert image.mode == "RGBA"
        assert not {k for k in image.info if k not in ("dpi", "gamma")}


def test_unknown_image_token_is_404(site: DemoSite) -> None:
    response = requests.get(f"{site.url}/img/nope.png", timeout=TIMEOUT)

    assert response.status_code == 404


def test_challenges_are_recorded_with_their_answer(site: DemoSite) -> None:
    data = new_challenge(site, "ratio=auto&scale=2")
    record = site.last_challenge()

    assert record.id == data["id"] and site.challenges == [record]
    assert record.scale == 2.0
    assert record.variant == Variant(ratio="auto", scale=2.0)
    assert record.ratio == pytest.approx(Variant(ratio="auto", scale=2.0).effective_ratio())
    assert record.handle_css_px == pytest.approx(record.gap_x / 2.0 / record.ratio)


@pytest.mark.parametrize("query", ["scale=9", "bogus=1", "shape=hexagon"])
def test_challenge_for_a_bad_variant_is_a_json_400(site: DemoSite, query: str) -> None:
    response = requests.post(f"{site.url}/api/challenge?{query}", timeout=TIMEOUT)

    assert response.status_code == 400
    assert response.json()["error"] == "bad_variant"
    assert site.challenges == []


# -- verification rules -----------------------------------------------------------------


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

    response = attempt(site, data["id"], site.answer_for(data["id"]).gap_x, [[0, 0, 0]])

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


# -- bad requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"{", b"not json", b"\xff\xfe", b""],
    ids=["truncated", "text", "not-utf8", "empty"],
)
def test_invalid_json_is_a_400(site: DemoSite, raw: bytes) -> None:
    response = verify(site, None, raw=raw)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
    assert site.verifications == []


@pytest.mark.parametrize(
    "body",
    [
        [1, 2, 3],
        "id",
        {"x": 10, "trajectory": []},
        {"id": "abc", "trajectory": []},
        {"id": "abc", "x": 10},
        {"id": 5, "x": 10, "trajectory": []},
        {"id": "", "x": 10, "trajectory": []},
        {"id": "abc", "x": "10", "trajectory": []},
        {"id": "abc", "x": True, "trajectory": []},
        {"id": "abc", "x": None, "trajectory": []},
        {"id": "abc", "x": 10, "trajectory": "0,0,0"},
        {"id": "abc", "x": 10, "trajectory": [[0, 0]]},
        {"id": "abc", "x": 10, "trajectory": [[0, "a", 0]]},
        {"id": "abc", "x": 10, "trajectory": [[0, 0, 0]] * 5001},
    ],
)
def test_malformed_body_is_a_400_with_a_message(site: DemoSite, body: Any) -> None:
    response = verify(site, body)

    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json()) == {"error", "message"}
    assert response.json()["error"] == "bad_request"


def test_non_finite_x_is_a_400(site: DemoSite) -> None:
    response = verify(site, None, raw=b'{"id": "abc", "x": NaN, "trajectory": []}')

    assert response.status_code == 400


def test_unknown_challenge_is_a_404(site: DemoSite) -> None:
    response = attempt(site, "no-such-challenge", 100)

    assert response.status_code == 404
    assert response.json()["error"] == "unknown_challenge"
    assert site.verifications == []


def raw_post(site: DemoSite, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    host, port = site.url.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    try:
        conn.putrequest("POST", "/api/verify")
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_body_without_length_is_refused(site: DemoSite) -> None:
    status, body = raw_post(site, {"Content-Type": "application/json"})

    assert (status, body["error"]) == (411, "length_required")


@pytest.mark.parametrize(("length", "status"), [("9999999", 413), ("-1", 400), ("ten", 400)])
def test_bad_content_length_is_refused_before_reading(
    site: DemoSite, length: str, status: int
) -> None:
    answer, body = raw_post(site, {"Content-Length": length})

    assert answer == status and set(body) == {"error", "message"}


def test_get_on_an_api_endpoint_is_a_405(site: DemoSite) -> None:
    response = requests.get(f"{site.url}/api/verify", timeout=TIMEOUT)

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.json()["error"] == "method_not_allowed"


def test_unknown_paths_are_404(site: DemoSite) -> None:
    api = requests.post(f"{site.url}/api/nothing", data=b"{}", timeout=TIMEOUT)
    page = requests.get(f"{site.url}/nothing", timeout=TIMEOUT)
    static = requests.get(f"{site.url}/static/../server.py", timeout=TIMEOUT)

    assert api.status_code == 404 and api.json()["error"] == "not_found"
    assert page.status_code == static.status_code == 404


# -- pages ------------------------------------------------------------------------------


def page_config(html: str) -> dict[str, Any]:
    match = re.search(r'<script id="captcha-config" type="application/json">(.*?)</script>', html)
    assert match is not None
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def test_page_has_the_documented_ids_and_a_config_without_the_answer(site: DemoSite) -> None:
    response = requests.get(site.url_for(ratio=1.3, sample=50, scale=1.6), timeout=TIMEOUT)
    html = response.text

    assert response.status_code == 200
    for element_id in (
        "captcha",
        "captcha-image",
        "captcha-bg",
        "captcha-piece",
        "slider-track",
        "slider-handle",
        "captcha-result",
        "captcha-refresh",
    ):
        assert f'id="{element_id}"' in html
    assert 'data-state="idle"' in html
    assert "Slide to complete the puzzle" in html
    config = page_config(html)
    assert set(config) == {
        "challenge_url",
        "verify_url",
        "display_width",
        "display_height",
        "ratio",
        "sample",
    }
    assert config["ratio"] == 1.3 and config["sample"] == 50
    assert config["challenge_url"] == "/api/challenge?scale=1.6&ratio=1.3&sample=50"
    assert site.challenges == []  # the page itself issues nothing; its script asks


def test_iframe_variant_embeds_the_widget_page(site: DemoSite) -> None:
    outer = requests.get(site.url_for(iframe=True, scale=1.6, fold=True), timeout=TIMEOUT).text
    inner = requests.get(f"{site.url}/widget?scale=1.6", timeout=TIMEOUT).text

    assert 'id="captcha-frame"' in outer and 'src="/widget?scale=1.6"' in outer
    assert 'id="captcha"' not in outer
    assert 'id="article"' in outer
    assert 'id="captcha"' in inner and page_config(inner)["challenge_url"].endswith("scale=1.6")


def test_fold_variant_puts_an_article_before_the_form() -> None:
    html = render_page(Variant(fold=True))

    assert html.index('id="article"') < html.index('id="captcha"')
    assert 'id="article"' not in render_page(Variant())


def test_bad_variant_page_is_a_400(site: DemoSite) -> None:
    response = requests.get(f"{site.url}/?scale=100", timeout=TIMEOUT)

    assert response.status_code == 400
    assert "scale" in response.text


def test_scripts_and_styles_are_served(site: DemoSite) -> None:
    script = requests.get(f"{site.url}/static/captcha.js", timeout=TIMEOUT)
    style = requests.get(f"{site.url}/static/captcha.css", timeout=TIMEOUT)

    assert script.status_code == style.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert style.headers["Content-Type"].startswith("text/css")
    assert "pointerdown" in script.text and "touch-action: none" in style.text


def test_responses_carry_only_plain_headers(site: DemoSite) -> None:
    data = new_challenge(site)
    responses = [
        requests.get(site.url_for(), timeout=TIMEOUT),
        requests.get(site.url + data["piece"], timeout=TIMEOUT),
        attempt(site, data["id"], 0),
    ]
    allowed = {
        "server",
        "date",
        "content-type",
        "content-length",
        "cache-control",
        "x-content-type-options",
    }

    for response in responses:
        assert {name.lower() for name in response.headers} <= allowed


# -- records and lifecycle --------------------------------------------------------------


def test_waiting_for_a_verification_that_never_comes_times_out(site: DemoSite) -> None:
    with pytest.raises(TimeoutError):
        site.wait_for_verification(timeout=0.05)
    with pytest.raises(TimeoutError):
        site.wait_for_challenge(timeout=0.05)


def test_waiting_returns_once_another_thread_verifies(site: DemoSite) -> None:
    data = new_challenge(site)
    worker = threading.Thread(target=attempt, args=(site, data["id"], 0))
    worker.start()

    record = site.wait_for_verification(timeout=TIMEOUT)

    worker.join(TIMEOUT)
    assert record.challenge_id == data["id"] and record.reason == "missed"


def test_lookups_of_unknown_challenges_raise(site: DemoSite) -> None:
    with pytest.raises(LookupError):
        site.last_challenge()
    with pytest.raises(KeyError):
        site.answer_for("nope")


def test_reset_forgets_challenges_and_records(site: DemoSite) -> None:
    data = new_challenge(site)
    attempt(site, data["id"], 0)

    site.reset()

    assert site.challenges == [] and site.verifications == []
    assert attempt(site, data["id"], 0).status_code == 404
    assert requests.get(site.url + data["piece"], timeout=TIMEOUT).status_code == 404


def test_site_refuses_a_second_start_and_stops_idempotently() -> None:
    demo = DemoSite()
    with pytest.raises(RuntimeError):
        _ = demo.url
    demo.start()
    try:
        with pytest.raises(RuntimeError):
            demo.start()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", demo.url)
    finally:
        demo.stop()
    demo.stop()
    assert "stopped" in repr(demo)


def test_url_for_builds_variant_queries_and_refuses_bad_ones(site: DemoSite) -> None:
    assert site.url_for() == f"{site.url}/"
    assert site.url_for(iframe=True, scale=1.6) == f"{site.url}/?scale=1.6&iframe=1"
    with pytest.raises(ValueError):
        site.url_for(scale=10)
    with pytest.raises(ValueError):
        site.url_for(zoom=2)


def test_stop_does_not_wait_for_a_delayed_verdict() -> None:
    demo = DemoSite().start()
    data = new_challenge(demo, "delay=5000")
    outcome: list[int] = []
    worker = threading.Thread(
        target=lambda: outcome.append(attempt(demo, data["id"], 0).status_code)
    )
    worker.start()
    demo.wait_for_verification(timeout=TIMEOUT)

    demo.stop()

    worker.join(TIMEOUT)
    assert not worker.is_alive() and outcome == [200]


def test_serve_runs_until_its_stop_event_is_set() -> None:
    stop = threading.Event()
    urls: list[str] = []
    ready = threading.Event()

    def on_ready(url: str) -> None:
        urls.append(url)
        ready.set()

    worker = threading.Thread(
        target=serve, args=("127.0.0.1", 0), kwargs={"ready": on_ready, "stop": stop}
    )
    worker.start()
    try:
        assert ready.wait(TIMEOUT)
        assert requests.get(urls[0] + "/", timeout=TIMEOUT).status_code == 200
    finally:
        stop.set()
        worker.join(TIMEOUT)
    assert not worker.is_alive()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_cli_prints_the_url_and_stops_cleanly_on_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo_site", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        head = [proc.stdout.readline() for _ in range(2 + len(VARIANT_HELP))]
        match = re.search(r"(http://127\.0\.0\.1:\d+)/", head[0])
        assert match, head
        assert requests.get(match.group(1) + "/?fold=1", timeout=TIMEOUT).status_code == 200
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=TIMEOUT)
        tail = proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0
    assert any("?iframe=1" in line for line in head)
    assert tail.strip() == "stopped"


def test_cli_reports_a_port_it_cannot_bind(site: DemoSite) -> None:
    port = site.url.rsplit(":", 1)[1]
    proc = subprocess.run(
        [sys.executable, "-m", "demo_site", "--port", port],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )

    assert proc.returncode == 1
    assert "cannot serve" in proc.stderr
