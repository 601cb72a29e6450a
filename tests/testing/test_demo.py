"""The demo runner: sessions, failures, and the server's verdicts."""

from __future__ import annotations

import pytest

from omo_selenium import Chrome, LocalEngine
from omo_selenium.testing.demo import run_demo

pytestmark = pytest.mark.browser


def test_a_dying_session_is_reported_replaced_and_never_counted_as_solved(demo_site) -> None:  # type: ignore[no-untyped-def]
    drivers: list[Chrome] = []
    engine = LocalEngine()

    def make_driver() -> Chrome:
        drivers.append(Chrome())
        return drivers[-1]

    class BrowserDiesOnFirstSolve:
        calls = 0

        def solve(self, image, width_view: float) -> float:  # type: ignore[no-untyped-def]
            BrowserDiesOnFirstSolve.calls += 1
            if BrowserDiesOnFirstSolve.calls == 1:
                drivers[0].quit()  # the browser goes away in the middle of a solve
            return engine.solve(image, width_view)

    report = run_demo(
        demo_site, runs=3, make_driver=make_driver, make_solver=BrowserDiesOnFirstSolve
    )

    first = report.runs[0]
    assert not first.success
    assert first.error is not None and first.error.startswith("session failed")
    assert report.sessions_replaced == 1
    assert len(drivers) == 2
    assert report.solved == 2
    assert report.verdicts_agree


def test_parallel_sessions_share_the_runs_and_agree_with_the_server(demo_site) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    report = run_demo(
        demo_site,
        runs=4,
        parallel=2,
        make_driver=Chrome,
        make_solver=LocalEngine,
        variant={"scale": "1.6"},
        on_run=lambda record: seen.append(record.index),
    )
    assert sorted(seen) == [1, 2, 3, 4]
    assert {r.session for r in report.runs} == {1, 2}
    assert report.solved >= 3
    assert report.verdicts_agree
    passed = [v for v in demo_site.verifications if v.passed]
    assert len(passed) == report.solved
    summary = report.summary()
    assert summary["solves_per_minute"] > 0
    assert set(summary["median_seconds"]) >= {"screenshot", "crop", "solve", "slide", "verify"}
