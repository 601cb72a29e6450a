"""OmoServer under hostile and broken input: formats, slow clients, huge numbers, tokens.

Every test talks to a real server on 127.0.0.1 port 0, over real sockets.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

import pytest
import requests
from PIL import Image

from omo_selenium.api import server as server_module
from omo_selenium.api.server import OmoServer
from tests.api.test_server import (
    TOKEN,
    assert_error,
    b64,
    create_body,
    post,
    raw_request,
    wait_for,
    wait_result,
)
from tests.fakes import WAIT, RaisingSolver, png


def encoded(fmt: str, size: tuple[int, int] = (24, 16), **options: Any) -> bytes:
    image = Image.new("RGB", size, (40, 80, 120))
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int, idat: bytes) -> bytes:
    """A PNG declaring ``width x height`` whose IDAT holds ``idat`` (valid CRCs)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 24 16\n0 0 moveto 24 16 lineto stroke\n"


# -- item 1: only screenshot formats reach a decoder ----------------------------------------


@pytest.mark.parametrize(
    "image",
    [EPS, encoded("GIF"), encoded("TIFF"), encoded("BMP"), encoded("ICO", sizes=[(16, 16)])],
    ids=["eps", "gif", "tiff", "bmp", "ico"],
)
def test_formats_other_than_png_jpeg_webp_are_refused_before_decoding(
    make_server: Callable[..., OmoServer], image: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real_open = Image.open

    def spy(fp: Any, mode: str = "r", formats: Any = None) -> Any:
        opened.append(repr(formats))
        return real_open(fp, mode, formats)

    monkeypatch.setattr(Image, "open", spy)
    server = make_server()
    response = post(server, "/api/createJob", create_body(image))
    message = assert_error(response.status_code, response.content, 400)
    assert "format" in message
    assert opened == []  # no Pillow plugin ever saw the bytes (EPS would run Ghostscript)
    assert server.job_count == 0


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_png_jpeg_and_webp_screenshots_are_accepted(
    make_server: Callable[..., OmoServer], fmt: str
) -> None:
    server = make_server()
    response = post(server, "/api/createJob", create_body(encoded(fmt)))
    assert response.status_code == 200, response.text
    assert wait_result(server, response.json()["job_id"])["status"] == "success"


# -- item 5 and 8: images are bounded and decoded before a job exists -----------------------


def test_a_thin_strip_within_the_pixel_limit_is_refused_before_decoding(
    make_server: Callable[..., OmoServer],
) -> None:
    # A few hundred bytes declaring 1 x 16,000,000 pixels: decoding it would cost far more.
    server = make_server(max_image_pixels=16_000_000)
    strip = png_header_only(1, 16_000_000, zlib.compress(b"\x00\x00\x00\x00" * 1000))
    started = time.monotonic()
    response = post(server, "/api/createJob", create_body(strip))
    assert "sides" in assert_error(response.status_code, response.content, 413)
    assert time.monotonic() - started < WAIT
    assert server.job_count == 0


def test_the_default_pixel_limit_refuses_a_huge_square(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server()
    big = png_header_only(2100, 2100, zlib.compress(b"\x00" * 100))
    response = post(server, "/api/createJob", create_body(big))
    assert "too large" in assert_error(response.status_code, response.content, 413)


def test_an_image_that_cannot_be_decoded_gets_no_job(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server()
    broken = png_header_only(24, 16, b"this is not zlib data at all")
    response = post(server, "/api/createJob", create_body(broken))
    assert "cannot be decoded" in assert_error(response.status_code, response.content, 400)
    assert server.job_count == 0


def test_images_waiting_for_a_worker_are_bounded_in_bytes(
    make_server: Callable[..., OmoServer],
) -> None:
    from tests.fakes import BlockingSolver

    image = png()
    server = make_server(BlockingSolver(), workers=1, max_pending_bytes=len(image) * 2)
    statuses = [post(server, "/api/createJob", create_body(image)).status_code for _ in range(3)]
    assert statuses == [200, 200, 503]


# -- item 2: slow and idle clients ------------------------------------------------------------


def test_headers_trickled_a_byte_at_a_time_are_cut_off_at_the_header_timeout(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server(header_timeout=0.6, request_timeout=5.0)
    request = b"POST /api/getJobResult HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    started = time.monotonic()
    closed_after = None
    with socket.create_connection((server.host, server.port), timeout=WAIT) as sock:
        for byte in request:  # one byte every 0.1 s: each read is quick, the whole is not
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed_after = time.monotonic() - started
                break
            time.sleep(0.1)
            if not server._httpd.connection_threads():
                closed_after = time.monotonic() - started
                break
    assert closed_after is not None, "the trickling client was never cut off"
    assert closed_after < 3.0


def test_idle_connections_are_closed_for_new_clients_when_all_slots_are_taken(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server(max_connections=4, header_timeout=30.0)
    idle = [socket.create_connection((server.host, server.port), timeout=WAIT) for _ in range(4)]
    try:
        wait_for(lambda: len(server._httpd.connection_threads()) == 4, "4 idle connections")
        time.sleep(server._httpd.evict_after + 0.05)
        response = post(server, "/api/getJobResult", {"api_token": TOKEN, "job_id": 1})
        assert response.status_code == 404, response.text  # served, not 503
        assert idle[0].recv(1) == b""  # the one silent the longest made room
        wait_for(lambda: len(server._httpd.connection_threads()) == 3, "3 idle left")
    finally:
        for sock in idle:
            sock.close()


def test_a_client_sending_at_a_steady_pace_keeps_its_slot_over_a_silent_one(
    make_server: Callable[..., OmoServer],
) -> None:
    server = make_server(max_connections=2, header_timeout=30.0, request_timeout=30.0)
    body = b'{"api_token": "%s", "job_id": 1, "pad": "' % TOKEN.encode()
    body += b"x" * (60 - len(body)) + b'"}'
    head = b"POST /api/getJobResult HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body)
    with (
        socket.create_connection((server.host, server.port), timeout=WAIT) as steady,
        socket.create_connection((server.host, server.port), timeout=WAIT) as silent,
    ):
        steady.sendall(head)
        wait_for(lambda: len(server._httpd.connection_threads()) == 2, "both connections")
        for index, byte in enumerate(body[:-1]):
            steady.sendall(bytes([byte]))
            time.sleep(0.02)
            if index == 30:  # both are older than the eviction age; only one is silent
                newcomer = post(server, "/api/getJobResult", {"api_token": TOKEN, "job_id": 1})
                assert newcomer.status_code == 404
        steady.sendall(body[-1:])
        assert steady.recv(12).startswith(b"HTTP/1.0 404")
        assert silent.recv(1) == b""  # the silent one made room


def test_refused_connections_log_one_warning_not_one_each(
    make_server: Callable[..., OmoServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="omo_selenium")
    server = make_server(max_connections=1)
    server._httpd.evict_after = 60.0  # the held connection is never evicted here
    with socket.create_connection((server.host, server.port), timeout=WAIT):
        wait_for(lambda: server._httpd.connection_threads(), "the held connection")
        codes = [
            post(server, "/api/getJobResult", {"api_token": TOKEN, "job_id": 1}).status_code
            for _ in range(20)
        ]
    assert codes == [503] * 20
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1


# -- item 8: numbers, lengths and logs ---------------------------------------------------------


def raw_post(path: str, body: bytes, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: x", *headers]
    if not any(h.lower().startswith("content-length") for h in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


HUGE = "1" + "0" * 5000
HUGE_BODIES = [
    f'{{"api_token": "{TOKEN}", "data": {{"type_job_id": "21", "image_base64": '
    f'"{b64(png())}", "width_view": 1{"0" * 400}}}}}',
    f'{{"api_token": "{TOKEN}", "job_id": {HUGE}}}',
    f'{{"api_token": "{TOKEN}", "job_id": "{HUGE}"}}',
    f'{{"api_token": "{TOKEN}", "job_id": 1e400}}',
]


@pytest.mark.parametrize(
    "body",
    HUGE_BODIES,
    ids=["width-1e400-integer", "job-id-5000-digits", "job-id-5000-digit-string", "float-inf"],
)
def test_huge_numbers_get_400_not_500(server: OmoServer, body: str) -> None:
    path = "/api/createJob" if "data" in body else "/api/getJobResult"
    code, _, answer = raw_request(server, raw_post(path, body.encode()))
    assert_error(code, answer, 400)


@pytest.mark.parametrize(
    "headers",
    [("Content-Length: +2",), ("Content-Length: 0_2",), ("Content-Length: 2", "Content-Length: 9")],
    ids=["plus-sign", "underscore", "two-headers"],
)
def test_ambiguous_content_length_is_refused(server: OmoServer, headers: tuple[str, ...]) -> None:
    code, _, answer = raw_request(server, raw_post("/api/getJobResult", b"{}", *headers))
    assert_error(code, answer, 400)


def test_control_characters_of_request_lines_are_escaped_in_the_log(
    server: OmoServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="omo_selenium")
    raw_request(server, b"POST /api/\x1b[31mred\x07 HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
    text = "".join(r.getMessage() for r in caplog.records)
    assert "\\x1b[31mred\\x07" in text
    assert "\x1b" not in text and "\x07" not in text


def test_a_failing_solver_logs_one_line_without_a_traceback(
    make_server: Callable[..., OmoServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="omo_selenium")
    server = make_server(RaisingSolver(OSError("image file is truncated")))
    job_id = post(server, "/api/createJob", create_body()).json()["job_id"]
    assert wait_result(server, job_id)["status"] == "fail"
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "image file is truncated" in warning.getMessage()
    assert not warning.exc_info


# -- item 6: tokens and job ids ----------------------------------------------------------------


@pytest.mark.parametrize("tokens", [["token-a", "token-b"], None], ids=["listed", "any"])
def test_a_job_can_only_be_read_with_the_token_that_created_it(
    make_server: Callable[..., OmoServer], tokens: list[str] | None
) -> None:
    server = make_server(tokens=tokens)
    body = create_body()
    body["api_token"] = "token-a"
    job_id = post(server, "/api/createJob", body).json()["job_id"]
    other = post(server, "/api/getJobResult", {"api_token": "token-b", "job_id": job_id})
    assert_error(other.status_code, other.content, 404)
    own = post(server, "/api/getJobResult", {"api_token": "token-a", "job_id": job_id})
    assert own.status_code == 200


def test_job_ids_are_not_guessable_31_bit_numbers(server: OmoServer) -> None:
    ids = [post(server, "/api/createJob", create_body()).json()["job_id"] for _ in range(12)]
    assert len(set(ids)) == 12
    assert max(ids) > 2**31  # 53 random bits: all twelve below 2**31 has odds of 2**-264
    assert max(ids) < 2**53  # still exact in JavaScript


def test_a_server_on_a_shared_interface_without_tokens_generates_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Tests only bind loopback: stand in for 0.0.0.0 by making the host look shared.
    monkeypatch.setattr(server_module, "is_loopback", lambda host: False)
    with OmoServer(RaisingSolver(RuntimeError()), tokens=None) as server:
        token = server.generated_token
        assert token is not None and len(token) >= 32
        assert token not in repr(server)
        guess = post(server, "/api/getJobResult", {"api_token": "anything", "job_id": 1})
        assert_error(guess.status_code, guess.content, 401)
        right = post(server, "/api/getJobResult", {"api_token": token, "job_id": 1})
        assert_error(right.status_code, right.content, 404)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("::", False)],
)
def test_loopback_hosts_are_told_apart_from_shared_ones(host: str, loopback: bool) -> None:
    assert server_module.is_loopback(host) is loopback


def test_a_loopback_server_without_tokens_warns_that_it_accepts_any(
    make_server: Callable[..., OmoServer], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="omo_selenium")
    server = make_server(tokens=None)
    assert server.generated_token is None
    assert any("any non-empty api_token" in r.getMessage() for r in caplog.records)


def test_many_threads_of_hostile_bodies_never_get_a_500(server: OmoServer) -> None:
    bodies = [b"{" * 5000, b'{"a": ' * 3000, b"\x00" * 100, json.dumps({"data": [1] * 9}).encode()]
    codes: list[int] = []

    def send(body: bytes) -> None:
        code, _, _ = raw_request(server, raw_post("/api/createJob", body))
        codes.append(code)

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert sorted(set(codes)) == [400] or set(codes) <= {400, 401}
    assert requests.post(server.url + "/api/getJobResult", json={}, timeout=WAIT).status_code == 401
