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
