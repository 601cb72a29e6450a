"""The command line, run as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omo_selenium.cli import main
from omo_selenium.testing.synthetic import make_slider_image


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


def test_serve_applies_its_connection_timeout_and_pixel_options() -> None:
    import base64
    import io
    import os
    import selectors
    import signal
    import socket
    import subprocess
    import sys
    import time

    import requests
    from PIL import Image

    argv = [sys.executable, "-m", "omo_selenium", "serve", "--port", "0", "--token", "t"]
    argv += ["--max-connections", "3", "--header-timeout", "0.5", "--body-timeout", "1"]
    argv += ["--max-image-pixels", "100"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            assert selector.select(30), "serve printed nothing"
        line = proc.stdout.readline()
        url = line.split(" at ")[1].split()[0]
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
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr


def test_serve_help_documents_the_limits(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for option in ("--max-connections", "--header-timeout", "--body-timeout", "--max-image-pixels"):
        assert option in out
    assert "default 64" in out and "default 5" in out and "default 4000000" in out
