"""The site over HTTP: challenges, bad requests, and starting and stopping."""

from __future__ import annotations

import http.client
import io
import json
import re
import threading
from typing import Any

import pytest
import requests
from PIL import Image

from omo_selenium.demo_site import DemoSite, Variant, serve
from omo_selenium.demo_site.store import CHALLENGE_FIELDS
from omo_selenium.demo_site.variants import (
    piece_size,
)
from tests.demo_site.conftest import TIMEOUT, attempt, new_challenge, verify


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


# -- hostile clients ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"[" * 5000 + b"]" * 5000, b'{"id": "x", "x": 1' + b"0" * 5000 + b', "trajectory": []}'],
    ids=["5000-deep", "5000-digits"],
)
def test_deep_json_and_huge_numbers_are_a_400_not_a_dropped_connection(
    site: DemoSite, raw: bytes
) -> None:
    response = verify(site, None, raw=raw)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


@pytest.mark.parametrize("length", ["+2", "0_2"])
def test_signed_or_underscored_content_length_is_refused(site: DemoSite, length: str) -> None:
    answer, body = raw_post(site, {"Content-Length": length})

    assert answer == 400 and body["error"] == "bad_request"


def test_trickled_headers_are_cut_off_at_the_header_timeout() -> None:
    import socket
    import time

    with DemoSite(header_timeout=0.5) as running:
        host, port = running.url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
            started = time.monotonic()
            closed = False
            for byte in b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 100:
                try:
                    sock.sendall(bytes([byte]))
                    time.sleep(0.1)
                except OSError:
                    closed = True
                    break
                if time.monotonic() - started > 3:
                    break
            if not closed:
                sock.settimeout(1.0)
                try:
                    closed = sock.recv(1) == b""
                except OSError:
                    closed = True
            assert closed
            assert time.monotonic() - started < 3.5


def test_idle_connections_give_way_to_new_visitors_when_all_slots_are_taken() -> None:
    import socket
    import time

    with DemoSite(max_connections=3, header_timeout=30.0) as running:
        host, port = running.url.removeprefix("http://").rsplit(":", 1)
        idle = [socket.create_connection((host, int(port)), timeout=TIMEOUT) for _ in range(6)]
        try:
            time.sleep(0.5)  # older than the eviction age
            response = requests.get(running.url + "/", timeout=TIMEOUT)
            assert response.status_code == 200
        finally:
            for sock in idle:
                sock.close()
