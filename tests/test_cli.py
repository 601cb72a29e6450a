"""The command line, run as a user runs it."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PIL import Image

from omo_selenium import Balance, OmoCaptchaClient
from omo_selenium.api.server import OmoServer
from omo_selenium.cli import main
from omo_selenium.testing.synthetic import make_slider_image
from tests.fakes import RecordingSolver


def test_solve_prints_the_engine_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    captcha = make_slider_image(3)
    path = tmp_path / "captcha.png"
    captcha.image.save(path)
    assert main(["solve", str(path), "--width-view", str(captcha.width_view)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["distance_css"] == pytest.approx(captcha.true_distance_css, abs=2)
    assert set(answer) >= {"piece_box", "gap_box", "confidence"}


@pytest.mark.parametrize("content", [b"", b"not an image"])
def test_solve_refuses_a_file_that_is_not_an_image(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    assert main(["solve", str(path)]) == 2
    err = capsys.readouterr().err
    assert "not a readable image" in err and "Traceback" not in err


def test_solve_reports_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "/nonexistent/captcha.png"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_demo_refuses_an_unknown_variant_before_starting_anything(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--variant", "bogus=1", "--runs", "1"]) == 2
    err = capsys.readouterr().err
    assert "bad --variant" in err and "bogus" in err


@pytest.mark.parametrize("argv", [["demo", "--runs", "0"], ["demo", "--variant", "novalue"]])
def test_bad_arguments_exit_with_usage(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


# -- balance --------------------------------------------------------------------------------

KEY = "cli-SECRET-key-77"


@pytest.fixture
def balance_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OmoServer]:
    for name in ("OMOCAPTCHA_API_KEY", "OMOCAPTCHA_API", "OMOCAPTCHA_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    balance = Balance(amount=345.678, solves_left=10000, promotional=123.211)
    with OmoServer(RecordingSolver(answer=1), tokens=[KEY], balance=balance) as server:
        yield server


def test_balance_prints_the_task_apis_three_numbers_never_the_key(
    balance_server: OmoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OMOCAPTCHA_API_KEY", KEY)
    assert main(["-vv", "balance", "--api", "task", "--base-url", balance_server.url]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"balance: 345.678 (task API at {balance_server.url})",
        "solves left in package: 10000",
        "promotional balance: 123.211",
    ]
    assert KEY not in out + err


def test_balance_of_the_job_api_as_json(
    balance_server: OmoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["balance", "--api-key", KEY, "--base-url", balance_server.url, "--json"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {
        "api": "job",
        "base_url": balance_server.url,
        "amount": 345.678,
        "solves_left": None,
        "promotional": None,
    }
    assert KEY not in out


@pytest.mark.parametrize("api", ["job", "task"])
def test_balance_with_a_wrong_key_exits_2_without_showing_it(
    balance_server: OmoServer, capsys: pytest.CaptureFixture[str], api: str
) -> None:
    wrong = KEY + "-wrong"
    argv = ["balance", "--api-key", wrong, "--api", api, "--base-url", balance_server.url]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "rejected" in err and "Traceback" not in err
    assert wrong not in out + err


def test_balance_without_a_key_says_where_to_put_one(
    balance_server: OmoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["balance", "--base-url", balance_server.url]) == 2
    assert "OMOCAPTCHA_API_KEY" in capsys.readouterr().err


def test_balance_of_an_unreachable_service_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OMOCAPTCHA_API_KEY", KEY)
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again when we connect: refused
    assert main(["balance", "--base-url", f"http://127.0.0.1:{port}", "--api", "task"]) == 2
    err = capsys.readouterr().err
    assert "could not reach" in err and KEY not in err


# -- serve ----------------------------------------------------------------------------------


@contextlib.contextmanager
def serving(*options: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``omo-selenium serve --port 0 OPTIONS`` in a subprocess: yield it and its URL.

    The test stops it (SIGINT); if it does not, it is killed here.
    """
    argv = [sys.executable, "-m", "omo_selenium", "serve", "--port", "0", *options]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            assert selector.select(60), "serve printed nothing in 60 s"
        url = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline())
        assert url is not None
        yield proc, url[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_serve_answers_both_apis_and_both_balance_calls_over_http(tmp_path: Path) -> None:
    with serving("--token", KEY) as (proc, url):
        captcha = make_slider_image(3)  # shown narrower than the picture is wide
        path = tmp_path / "captcha.png"
        captcha.image.save(path)
        for api, task_type in (("job", None), ("task", "tiktok"), ("task", "geetest")):
            with OmoCaptchaClient(KEY, url, api=api, task_type=task_type) as client:
                assert client.balance().amount == 0.0
                distance = client.solve(path.read_bytes(), captcha.width_view)
                assert distance == pytest.approx(captcha.true_distance_css, abs=2), task_type
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr[-2000:]
    assert KEY not in stderr


def test_serve_applies_its_connection_timeout_and_pixel_options() -> None:
    limits = ["--max-connections", "3", "--header-timeout", "0.5", "--body-timeout", "1"]
    with serving("--token", "t", *limits, "--max-image-pixels", "100") as (proc, url):
        image = io.BytesIO()
        Image.new("RGB", (11, 10)).save(image, format="PNG")
        body = {
            "api_token": "t",
            "data": {
                "type_job_id": "21",
                "width_view": 340,
                "image_base64": base64.b64encode(image.getvalue()).decode(),
            },
        }
        answer = requests.post(url + "/api/createJob", json=body, timeout=10)
        assert answer.status_code == 413  # 110 pixels, over --max-image-pixels
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as slow:
            slow.sendall(b"POST /api/getJobResult HTTP/1.1\r\n")  # then nothing more
            started = time.monotonic()
            assert slow.recv(1024) == b""  # closed by --header-timeout, not left open
            assert time.monotonic() - started < 5
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 0, stderr


def test_serve_help_documents_the_limits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for option in ("--max-connections", "--header-timeout", "--body-timeout", "--max-image-pixels"):
        assert option in out
    assert "default 64" in out and "default 5" in out and "default 4000000" in out
