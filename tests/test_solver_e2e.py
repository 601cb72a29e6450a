"""SliderSolver end to end: real headless Chromium, the real demo site, real servers."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator

import pytest
import requests
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from omo_selenium import LocalEngine, OmoCaptchaClient, PieceImage, Remote, SliderSolver
from omo_selenium.drivers import default_options, find_chrome_binary, find_chromedriver
from omo_selenium.testing.demo import FAILURE, HANDLE, IMAGE, REFRESH, SUCCESS, solve_on_demo_page

pytestmark = pytest.mark.browser

VARIANTS = {
    "plain": {},
    "scaled-down": {"scale": "0.7"},
    "scaled-up": {"scale": "1.6"},
    "iframe": {"iframe": "1"},
    "fold": {"fold": "1"},
    "decoys": {"decoys": "3"},
    "square-flat": {"shape": "square", "style": "flat"},
    "circle-glow": {"shape": "circle", "style": "glow"},
    "shield": {"shape": "shield"},
    "ratio-auto": {"ratio": "auto"},
    "ratio-0.8": {"ratio": "0.8"},
    "ratio-1.3": {"ratio": "1.3"},
    "delay": {"delay": "1000"},
    "sample": {"sample": "50"},
    "strict": {"strict": "1"},
}


def _assert_server_agrees(site, result) -> None:  # type: ignore[no-untyped-def]
    assert result.success, result.error
    verdict = site.verifications[-1]
    assert verdict.passed, verdict
    assert abs(verdict.error_css_px) <= 2.5
    passed = [v for v in site.verifications if v.passed]
    assert len(passed) == 1


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_local_engine_solves_every_variant(omo_driver: WebDriver, demo_site, variant) -> None:  # type: ignore[no-untyped-def]
    result = solve_on_demo_page(omo_driver, demo_site.url_for(**variant), LocalEngine())
    _assert_server_agrees(demo_site, result)


@pytest.mark.parametrize("name", ["plain", "scaled-up", "iframe", "ratio-1.3", "decoys"])
def test_local_api_server_over_http_solves(
    omo_driver: WebDriver, demo_site, omo_client: OmoCaptchaClient, name: str
) -> None:  # type: ignore[no-untyped-def]
    result = solve_on_demo_page(omo_driver, demo_site.url_for(**VARIANTS[name]), omo_client)
    _assert_server_agrees(demo_site, result)


@pytest.mark.parametrize("dpr", [1.5, 2.0])
@pytest.mark.parametrize("name", ["plain", "scaled-down", "iframe"])
def test_device_pixel_ratios(
    chrome_factory: Callable[..., WebDriver], demo_site, dpr: float, name: str
) -> None:  # type: ignore[no-untyped-def]
    driver = chrome_factory(dpr)
    result = solve_on_demo_page(driver, demo_site.url_for(**VARIANTS[name]), LocalEngine())
    _assert_server_agrees(demo_site, result)


def test_given_ratio_skips_the_measurement(omo_driver: WebDriver, demo_site) -> None:  # type: ignore[no-untyped-def]
    result = solve_on_demo_page(
        omo_driver, demo_site.url_for(ratio="1.3"), LocalEngine(), ratio=1.3
    )
    _assert_server_agrees(demo_site, result)
    assert result.attempts[-1].ratio_source == "given"


def test_mixin_driver_solves(omo_driver: WebDriver, demo_site) -> None:  # type: ignore[no-untyped-def]
    omo_driver.get(demo_site.url_for())
    assert hasattr(omo_driver, "solve_slider")
    result = omo_driver.solve_slider(IMAGE, HANDLE, success=SUCCESS, failure=FAILURE)
    _assert_server_agrees(demo_site, result)


# -- webdriver.Remote against chromedriver running as a standalone server --------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def remote_driver() -> Iterator[WebDriver]:
    port = _free_port()
    proc = subprocess.Popen(
        [find_chromedriver(), f"--port={port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    profile = tempfile.mkdtemp(prefix="omo-remote-")
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/status", timeout=1).json()["value"]["ready"]:
                    break
            except (requests.RequestException, ValueError, KeyError):
                pass  # not listening yet
            time.sleep(0.1)  # also when it answers "not ready": no busy loop
        options = default_options(user_data_dir=profile, binary=find_chrome_binary())
        driver = Remote(command_executor=url, options=options)
        try:
            yield driver
        finally:
            driver.quit()
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(profile, ignore_errors=True)


def test_remote_webdriver_solves(remote_driver: WebDriver, demo_site) -> None:  # type: ignore[no-untyped-def]
    result = solve_on_demo_page(remote_driver, demo_site.url_for(scale="1.6"), LocalEngine())
    _assert_server_agrees(demo_site, result)
    remote_driver.get(demo_site.url_for())
    mixin_result = remote_driver.solve_slider(IMAGE, HANDLE, success=SUCCESS, failure=FAILURE)  # type: ignore[attr-defined]
    assert mixin_result.success


# -- failure paths -------------------------------------------------------------------


class OffsetSolver:
    """Answers the demo server's own distance for the captcha on screen, plus a wrong
    offset for the first ``wrong`` answers: the refresh and retry flow is tested without
    depending on the engine's accuracy."""

    def __init__(self, site: object, offset: float, wrong: int) -> None:
        self.site = site
        self.offset = offset
        self.wrong = wrong
        self.calls = 0

    def solve(self, image, width_view: float) -> float:  # type: ignore[no-untyped-def]
        self.calls += 1
        answer = float(self.site.last_challenge().distance_css_px)  # type: ignore[attr-defined]
        return answer + self.offset if self.calls <= self.wrong else answer


class BrokenSolver:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def solve(self, image, width_view: float) -> float:  # type: ignore[no-untyped-def]
        self.calls += 1
        raise self.error


def _solver(driver: WebDriver, solver: object, **kwargs: object) -> SliderSolver:
    return SliderSolver(driver, solver, check_landing=False, **kwargs)  # type: ignore[arg-type]


def test_rejected_drag_is_followed_by_refresh_and_success(omo_driver: WebDriver, demo_site) -> None:  # type: ignore[no-untyped-def]
    omo_driver.get(demo_site.url_for())
    solver = OffsetSolver(demo_site, offset=40, wrong=1)
    result = _solver(omo_driver, solver).solve(
        IMAGE, HANDLE, success=SUCCESS, failure=FAILURE, refresh=REFRESH, attempts=3
    )
    assert result.success
    assert [a.verdict for a in result.attempts] == ["rejected", "accepted"]
    assert [v.passed for v in demo_site.verifications] == [False, True]
    assert demo_site.verifications[0].challenge_id != demo_site.verifications[1].challenge_id


def test_attempts_exhausted_is_a_clear_result_not_an_exception(
    omo_driver: WebDriver, demo_site
) -> None:  # type: ignore[no-untyped-def]
    omo_driver.get(demo_site.url_for())
    result = _solver(omo_driver, OffsetSolver(demo_site, offset=25, wrong=99)).solve(
        IMAGE, HANDLE, success=SUCCESS, failure=FAILURE, refresh=REFRESH, attempts=2
    )
    assert not result.success
    assert len(result.attempts) == 2
    assert result.error == "the page did not accept the drag"
    assert not any(v.passed for v in demo_site.verifications)
    with pytest.raises(Exception, match="not solved after 2 attempt"):
        result.raise_for_failure()


def test_solver_error_is_recorded_and_retried(omo_driver: WebDriver, demo_site) -> None:  # type: ignore[no-untyped-def]
    from omo_selenium import SolveFailed

    omo_driver.get(demo_site.url_for())
    broken = BrokenSolver(SolveFailed("no gap found"))
    result = _solver(omo_driver, broken).solve(
        IMAGE, HANDLE, success=SUCCESS, refresh=REFRESH, attempts=2
    )
    assert not result.success
    assert broken.calls == 2
    assert "SolveFailed" in (result.error or "")
    assert demo_site.verifications == []  # nothing was dragged


def test_bad_key_is_raised_at_once(omo_driver: WebDriver, demo_site) -> None:  # type: ignore[no-untyped-def]
    from omo_selenium import AuthenticationError

    omo_driver.get(demo_site.url_for())
    broken = BrokenSolver(AuthenticationError("api_token is not valid"))
    with pytest.raises(AuthenticationError):
        _solver(omo_driver, broken).solve(IMAGE, HANDLE, success=SUCCESS, attempts=3)
    assert broken.calls == 1


def test_missing_element_raises_capture_error(omo_driver: WebDriver, demo_site) -> None:  # type: ignore[no-untyped-def]
    from omo_selenium import CaptureError

    omo_driver.get(demo_site.url_for())
    with pytest.raises(CaptureError, match="no element matches"):
        SliderSolver(omo_driver, LocalEngine(), element_timeout=0.5).solve("#nope", HANDLE)


def test_hidden_captcha_raises_capture_error(omo_driver: WebDriver, demo_site) -> None:  # type: ignore[no-untyped-def]
    from omo_selenium import CaptureError

    omo_driver.get(demo_site.url_for())
    omo_driver.execute_script("document.querySelector('#captcha-image').style.visibility='hidden'")
    with pytest.raises(CaptureError, match="hidden"):
        SliderSolver(omo_driver, LocalEngine()).solve(IMAGE, HANDLE)


class OffByEight(LocalEngine):
    """The engine, but its answer is 8 CSS px too far (the located gap stays right)."""

    def locate(self, image, width_view=None, *, piece=None):  # type: ignore[no-untyped-def]
        # with ``piece`` too: when the engine refuses a picture, the solver looks at the
        # piece moving and asks again with the piece as its own picture
        match = super().locate(image, width_view, piece=piece)
        return dataclasses.replace(match, distance_css=match.distance_css + 8)


@pytest.mark.parametrize("check", [True, False])
def test_landing_check_fixes_a_wrong_offset(omo_driver: WebDriver, demo_site, check: bool) -> None:  # type: ignore[no-untyped-def]
    omo_driver.get(demo_site.url_for())
    solver = SliderSolver(omo_driver, OffByEight(), check_landing=check)
    result = solver.solve(
        IMAGE, HANDLE, success=SUCCESS, failure=FAILURE, refresh=REFRESH, attempts=2
    )
    dragged = [a for a in result.attempts if a.verdict is not None]
    assert dragged, [a.error for a in result.attempts]
    if check:
        assert result.success, result.error
        assert demo_site.verifications[-1].passed
        assert -10 <= dragged[-1].correction_css <= -6
    else:
        assert not result.success
        assert demo_site.verifications
        for verdict in demo_site.verifications:
            assert not verdict.passed
            assert verdict.error_css_px == pytest.approx(8, abs=2.5)
        assert all(a.correction_css == 0 for a in dragged)


# -- the verdict read from the page, no success= ------------------------------------


def _wait_for_challenge(driver: WebDriver) -> None:
    """The OffsetSolver reads the server's last challenge: wait until the page has one."""
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(
            "return document.querySelector('#captcha').getAttribute('aria-busy') === 'false'"
        )
    )


INFERRED = {
    "text": {},
    "class": {"verdict": "class"},
    "late": {"late": "1"},
    "reset": {"reset": "1"},
    "late-class": {"late": "1", "verdict": "class"},
}


@pytest.mark.parametrize("variant", INFERRED.values(), ids=INFERRED.keys())
def test_verdict_is_read_from_the_page_and_agrees_with_its_record(
    omo_driver: WebDriver, demo_site, variant
) -> None:  # type: ignore[no-untyped-def]
    omo_driver.get(demo_site.url_for(**variant))
    _wait_for_challenge(omo_driver)
    # the first answer is 30 px off (rejected), the second right (accepted)
    solver = OffsetSolver(demo_site, offset=30, wrong=1)
    result = _solver(omo_driver, solver).solve(IMAGE, HANDLE, attempts=3)
    assert [v.passed for v in demo_site.verifications] == [False, True]
    assert [a.verdict for a in result.attempts] == ["rejected", "accepted"], [
        a.verdict_reason for a in result.attempts
    ]
    assert result.success
    assert result.verdict_reason


def test_a_page_that_never_answers_is_unknown_not_success(omo_driver: WebDriver, demo_site) -> None:  # type: ignore[no-untyped-def]
    omo_driver.get(demo_site.url_for(delay="5000"))
    _wait_for_challenge(omo_driver)
    solver = OffsetSolver(demo_site, offset=0, wrong=0)
    sliders = SliderSolver(omo_driver, solver, check_landing=False, verify_timeout=1.0)  # type: ignore[arg-type]
    result = sliders.solve(IMAGE, HANDLE, attempts=3)
    assert result.verdict == "unknown" and not result.success
    assert len(result.attempts) == 1


# -- the piece as its own element ----------------------------------------------------


class TruthPieceSolver:
    """A PieceSolver double: keeps the piece it is given, answers the server's distance
    (so the test checks how the piece is captured, not the engine)."""

    def __init__(self, site: object) -> None:
        self.site = site
        self.pieces: list[PieceImage] = []

    def solve(self, image, width_view: float) -> float:  # type: ignore[no-untyped-def]
        raise AssertionError("with piece= given, solve_piece is asked")

    def solve_piece(self, background, piece: PieceImage, width_view: float) -> float:  # type: ignore[no-untyped-def]
        self.pieces.append(piece)
        return float(self.site.last_challenge().distance_css_px)  # type: ignore[attr-defined]


@pytest.mark.parametrize("dpr", [1.0, 2.0])
def test_piece_element_outside_the_picture_goes_to_solve_piece_with_its_start(
    chrome_factory: Callable[..., WebDriver], demo_site, dpr: float
) -> None:  # type: ignore[no-untyped-def]
    driver = chrome_factory(dpr)
    driver.get(demo_site.url_for(outside="1"))
    _wait_for_challenge(driver)
    solver = TruthPieceSolver(demo_site)
    result = SliderSolver(driver, solver).solve(  # type: ignore[arg-type]
        IMAGE, HANDLE, piece="#captcha-piece", attempts=1
    )
    _assert_server_agrees(demo_site, result)
    # the element's own pixels (with their transparency) went to the engine's solve_piece
    assert result.attempts[0].answered_by == "solve_piece (piece=)"
    assert result.attempts[0].answered_by == "solve_piece (piece=)"
    challenge = demo_site.last_challenge()
    piece = solver.pieces[0]
    css_per_px = 1 / dpr
    assert piece.x is not None and piece.y is not None
    # where the page put the piece: left of the picture, on the gap's rows
    assert piece.x * css_per_px == pytest.approx(challenge.start_x / challenge.scale, abs=1.5)
    assert piece.y * css_per_px == pytest.approx(challenge.gap_y / challenge.scale, abs=1.5)


def test_piece_element_with_the_local_engine(omo_driver: WebDriver, demo_site) -> None:  # type: ignore[no-untyped-def]
    omo_driver.get(demo_site.url_for(outside="1"))
    result = SliderSolver(omo_driver, LocalEngine()).solve(
        IMAGE, HANDLE, piece="#captcha-piece", attempts=1
    )
    _assert_server_agrees(demo_site, result)
    # the element's own pixels (with their transparency) went to the engine's solve_piece
    assert result.attempts[0].answered_by == "solve_piece (piece=)"


class RefusingTruthPieceSolver(TruthPieceSolver):
    """Refuses every whole picture (as the engine does under its confidence floor); with
    the piece's own picture it answers the server's distance."""

    def solve(self, image, width_view: float) -> float:  # type: ignore[no-untyped-def]
        from omo_selenium import SolveFailed

        raise SolveFailed("confidence under the floor")


@pytest.mark.parametrize("ratio", ["1", "1.3"])
def test_a_refused_picture_leads_to_the_look_on_the_live_page(
    omo_driver: WebDriver, demo_site, ratio: str
) -> None:  # type: ignore[no-untyped-def]
    omo_driver.get(demo_site.url_for(ratio=ratio))
    _wait_for_challenge(omo_driver)
    solver = RefusingTruthPieceSolver(demo_site)
    result = SliderSolver(omo_driver, solver).solve(IMAGE, HANDLE, attempts=1)  # type: ignore[arg-type]
    record = result.attempts[0]
    _assert_server_agrees(demo_site, result)
    assert record.answered_by == "solve_piece (look)"
    challenge = demo_site.last_challenge()
    piece = solver.pieces[0]
    assert piece.x is not None and piece.y is not None
    # the piece cut out of two screenshots is where the page drew it, with its outline
    assert piece.x == pytest.approx(challenge.start_x / challenge.scale, abs=4)
    assert piece.y == pytest.approx(challenge.gap_y / challenge.scale, abs=4)
    assert record.ratio == pytest.approx(float(ratio), abs=0.05)
    assert record.look is not None and record.look.sprite.width >= 20


class BandBesideThePiece(LocalEngine):
    """The engine, fooled the way a periodic background fools it: it answers with a band
    of background right beside the piece (close enough that the rows a look takes hold
    the piece's edge) and a gap one "period" off."""

    def __init__(self, site: object) -> None:
        super().__init__()
        self.site = site

    def locate(self, image, width_view=None, *, piece=None):  # type: ignore[no-untyped-def]
        from omo_selenium.images import open_image

        match = super().locate(image, width_view, piece=piece)
        if piece is not None:
            return match
        challenge = self.site.last_challenge()  # type: ignore[attr-defined]
        k = 1 / (challenge.scale * match.scale)  # screenshot px per natural px
        top, size = challenge.gap_y * k, challenge.piece_width * k
        width, height = open_image(image).size
        y = top + size + 4 if top + 2 * size + 4 <= height else top - size - 4
        x, _, w, _ = match.piece_box
        box = (x, round(y), w, round(size))
        wrong = match.distance_px + (30 if match.gap_box[0] + w + 40 < width else -30)
        return dataclasses.replace(
            match,
            piece_box=box,
            gap_box=(round(x + wrong), round(y), w, round(size)),
            distance_px=wrong,
            distance_css=wrong * match.scale,
        )


@pytest.mark.parametrize("variant", [{}, {"ratio": "1.3"}], ids=["plain", "ratio-1.3"])
def test_a_located_piece_that_stays_put_is_answered_again_with_the_one_that_moved(
    omo_driver: WebDriver, demo_site, variant: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    omo_driver.get(demo_site.url_for(**variant))
    _wait_for_challenge(omo_driver)
    result = SliderSolver(omo_driver, BandBesideThePiece(demo_site)).solve(
        IMAGE, HANDLE, attempts=1
    )
    _assert_server_agrees(demo_site, result)
    assert result.attempts[0].answered_by == "solve_piece (look)"
