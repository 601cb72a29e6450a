"""The offline demo: solve ``demo_site`` captchas in real browsers, and measure it.

Used by ``omo-selenium demo`` and the benchmarks. Sessions run one per thread, each
with its own driver and :class:`SliderSolver`; a session whose browser dies is
reported and replaced, and its run counts as failed.
"""

from __future__ import annotations

import logging
import queue
import statistics
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

from .._types import Solver
from ..errors import OmoCaptchaError
from ..records import SolveResult
from ..solver import SliderSolver

__all__ = ["DemoReport", "RunRecord", "run_demo", "solve_on_demo_page"]

logger = logging.getLogger("omo_selenium.demo")

#: The demo page's elements (documented in demo_site/README.md).
IMAGE = "#captcha-image"
HANDLE = "#slider-handle"
SUCCESS = "#captcha-result[data-state=success]"
FAILURE = "#captcha-result[data-state=fail]"
REFRESH = "#captcha-refresh"
STEPS = ("screenshot", "crop", "solve", "slide", "verify")


@dataclass
class RunRecord:
    """One demo run.

    Attributes:
        index: 1-based run number.
        session: which browser session ran it.
        success: the page showed "verified".
        attempts: captchas tried.
        elapsed: seconds for the whole solve (page load excluded).
        timings: seconds per step, summed over the run's attempts.
        server_passed: the demo server's own verdict on the run's last verification.
        landing_error_css: how far the dropped piece was from the gap (server side).
        error: why the run failed, if it did.
    """

    index: int
    session: int
    success: bool = False
    attempts: int = 0
    elapsed: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    server_passed: bool | None = None
    landing_error_css: float | None = None
    error: str | None = None
    result: SolveResult | None = field(default=None, repr=False)


@dataclass
class DemoReport:
    """All runs of a demo, and their summary."""

    runs: list[RunRecord]
    wall_seconds: float
    sessions: int
    sessions_replaced: int = 0

    @property
    def solved(self) -> int:
        """Runs the page accepted."""
        return sum(r.success for r in self.runs)

    @property
    def verdicts_agree(self) -> bool:
        """Every run reported solved was passed by the server, and no failed run was."""
        return all(r.server_passed is r.success for r in self.runs if r.server_passed is not None)

    @property
    def throughput_per_minute(self) -> float:
        """Solved captchas per minute of wall time."""
        return 60.0 * self.solved / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        """Success rate, attempts, medians per step, throughput, as plain data."""
        done = [r for r in self.runs if r.attempts]
        medians = {
            step: _median([r.timings[step] for r in done if step in r.timings]) for step in STEPS
        }
        return {
            "runs": len(self.runs),
            "solved": self.solved,
            "success_rate": self.solved / len(self.runs) if self.runs else 0.0,
            "mean_attempts": statistics.fmean(r.attempts for r in done) if done else None,
            "median_seconds": {**medians, "total": _median([r.elapsed for r in done])},
            "median_landing_error_css": _median(
                [abs(r.landing_error_css) for r in self.runs if r.landing_error_css is not None]
            ),
            "sessions": self.sessions,
            "sessions_replaced": self.sessions_replaced,
            "wall_seconds": round(self.wall_seconds, 2),
            "solves_per_minute": round(self.throughput_per_minute, 1),
            "server_verdicts_agree": self.verdicts_agree,
        }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 4) if values else None


def solve_on_demo_page(
    driver: WebDriver,
    url: str,
    solver: Solver,
    *,
    attempts: int = 3,
    **solver_options: Any,
) -> SolveResult:
    """Open a demo_site page and solve its captcha (switching into its iframe if any)."""
    driver.get(url)
    driver.switch_to.default_content()
    frames = driver.find_elements("css selector", "iframe#captcha-frame")
    if frames:
        driver.switch_to.frame(frames[0])
    return SliderSolver(driver, solver, **solver_options).solve(
        IMAGE, HANDLE, success=SUCCESS, failure=FAILURE, refresh=REFRESH, attempts=attempts
    )


def run_demo(
    site: Any,
    *,
    runs: int,
    make_driver: Callable[[], WebDriver],
    make_solver: Callable[[], Solver],
    variant: Mapping[str, str] | None = None,
    parallel: int = 1,
    attempts: int = 3,
    solver_options: Mapping[str, Any] | None = None,
    on_run: Callable[[RunRecord], None] | None = None,
) -> DemoReport:
    """Solve ``runs`` demo captchas over ``parallel`` browser sessions.

    Args:
        site: a started ``demo_site.DemoSite``.
        runs: how many captchas to solve.
        make_driver: starts one browser session (local Chrome or Remote).
        make_solver: builds one solver per session.
        variant: demo page variant (query string parameters).
        parallel: sessions at once, one thread each.
        attempts: captchas tried per run.
        solver_options: more :class:`SliderSolver` arguments.
        on_run: called (from the session's thread) after each run, for progress.

    Returns:
        The runs in order, and timing.
    """
    if runs < 1 or parallel < 1:
        raise ValueError("runs and parallel must be positive")
    jobs: queue.Queue[int] = queue.Queue()
    for index in range(1, runs + 1):
        jobs.put(index)
    records: list[RunRecord] = []
    lock = threading.Lock()
    replaced = [0]

    def session(number: int) -> None:
        driver: WebDriver | None = None
        solver = make_solver()
        try:
            while True:
                try:
                    index = jobs.get_nowait()
                except queue.Empty:
                    return
                record = RunRecord(index, number)
                try:
                    if driver is None:
                        driver = make_driver()
                    _one_run(
                        driver, variant or {}, solver, site, record, attempts, solver_options or {}
                    )
                except OmoCaptchaError as exc:
                    record.error = f"{type(exc).__name__}: {exc}"
                except Exception as exc:  # a dead browser raises WebDriver and urllib3 errors
                    record.success = False
                    record.error = f"session failed: {type(exc).__name__}: {_short(exc)}"
                if driver is not None and not record.success and not _alive(driver):
                    # (a CaptureError or SlideError may hide a browser that went away)
                    if not (record.error or "").startswith("session failed"):
                        record.error = f"session failed: {record.error}"
                    logger.warning("session %d died (%s); replacing it", number, record.error)
                    _quit(driver)
                    driver = None
                    with lock:
                        replaced[0] += 1
                with lock:
                    records.append(record)
                if on_run:
                    on_run(record)
        finally:
            _quit(driver)

    started = time.monotonic()
    threads = [
        threading.Thread(target=session, args=(n,), name=f"omo-demo-{n}", daemon=True)
        for n in range(1, min(parallel, runs) + 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records.sort(key=lambda r: r.index)
    return DemoReport(records, time.monotonic() - started, len(threads), replaced[0])


def _one_run(
    driver: WebDriver,
    variant: Mapping[str, str],
    solver: Solver,
    site: Any,
    record: RunRecord,
    attempts: int,
    solver_options: Mapping[str, Any],
) -> None:
    tag = f"s{record.session}r{record.index}"
    result = solve_on_demo_page(
        driver, site.url_for(**variant, tag=tag), solver, attempts=attempts, **solver_options
    )
    record.result = result
    record.success = result.success
    record.attempts = len(result.attempts)
    record.elapsed = result.elapsed
    record.error = None if result.success else result.error
    for attempt in result.attempts:
        for step, seconds in attempt.timings.items():
            record.timings[step] = record.timings.get(step, 0.0) + seconds
    verifications = site.verifications_tagged(tag)
    if verifications:
        last = verifications[-1]
        record.server_passed = bool(last.passed)
        record.landing_error_css = last.error_css_px


def _alive(driver: WebDriver) -> bool:
    """True when the browser session still answers."""
    try:
        driver.execute_script("return 1")
    except Exception:  # WebDriverException, or urllib3's when chromedriver is gone
        return False
    return True


def _quit(driver: WebDriver | None) -> None:
    if driver is not None:
        try:
            driver.quit()
        except Exception:  # the session may already be gone
            logger.debug("quitting a dead session failed", exc_info=True)


def _short(exc: BaseException) -> str:
    text = getattr(exc, "msg", None) or str(exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__
