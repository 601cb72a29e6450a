"""Where a live solve's time goes: per step, on demo_site pages, in headless Chromium.

Wraps the browser calls a solve makes (screenshots, page snapshots, pointer actions,
engine calls, waits) with timers and prints, per variant, the median seconds per solve
spent in each, next to the whole solve's median. Counts are per solve too.

    python benchmarks/profile_solve.py --runs 8 --variant default --variant delay=1000

A profile, not a benchmark of record: the wrappers add a little time of their own, and
the figures depend on the machine's load (printed with them).
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from omo_selenium import Chrome, LocalEngine, SliderSolver
from omo_selenium import attempt as attempt_mod
from omo_selenium import steering as steering_mod
from omo_selenium import verdict as verdict_mod
from omo_selenium.browser import capture as capture_mod
from omo_selenium.browser import slide as slide_mod
from omo_selenium.demo_site import DemoSite
from omo_selenium.engine import LocalEngine as _Engine
from omo_selenium.testing.demo import HANDLE, IMAGE

#: (owner, attribute, label): every place a timed callable is looked up from.
_TIMED: list[tuple[Any, str, str]] = [
    (capture_mod, "capture_element", "screenshot: capture_element"),
    (attempt_mod, "capture_element", "screenshot: capture_element"),
    (steering_mod, "capture_element", "screenshot: capture_element"),
    (capture_mod, "recapture", "screenshot: recapture"),
    (steering_mod, "recapture", "screenshot: recapture"),
    (verdict_mod, "recapture", "screenshot: recapture"),
    (attempt_mod, "resolve_element", "find elements"),
    (attempt_mod.Attempt, "_wait_until_loaded", "wait picture loaded"),
    (verdict_mod.VerdictWatch, "snapshot", "page snapshot (JS)"),
    (verdict_mod.VerdictWatch, "_replaced", "verdict: replaced? (JS)"),
    (steering_mod, "covering_element", "covering_element (JS)"),
    (steering_mod, "piece_travel_css", "engine: piece travel"),
    (_Engine, "locate", "engine: locate"),
    (slide_mod.Drag, "press", "pointer: press"),
    (slide_mod.Drag, "move", "pointer: move"),
    (slide_mod.Drag, "release", "pointer: release"),
    (steering_mod.Steering, "_confirm_jump", "confirm jump"),
    (steering_mod.Steering, "_correct_landing", "landing check (all)"),
    (steering_mod, "_width_css", "handle width (WebDriver)"),
    (attempt_mod.Attempt, "verify", "verdict wait (all)"),
]

_spent: collections.Counter[str] = collections.Counter()
_calls: collections.Counter[str] = collections.Counter()


def _timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _spent[label] += time.perf_counter() - t
            _calls[label] += 1

    return wrapper


def install() -> None:
    """Wrap every timed callable once."""
    done: dict[int, Callable[..., Any]] = {}
    for owner, name, label in _TIMED:
        fn = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name)
        if fn is None:
            continue
        key = id(fn)
        if key not in done:
            done[key] = _timed(label, fn)
        setattr(owner, name, done[key])


def profile_variant(site: DemoSite, driver: Any, variant: dict[str, str], runs: int) -> dict:
    per_label: dict[str, list[float]] = collections.defaultdict(list)
    per_count: dict[str, list[int]] = collections.defaultdict(list)
    wholes: list[float] = []
    first_ok = 0
    steps: dict[str, list[float]] = collections.defaultdict(list)
    for run in range(runs):
        driver.get(site.url_for(**variant, tag=f"p{run}"))
        driver.switch_to.default_content()
        frames = driver.find_elements("css selector", "iframe#captcha-frame")
        if frames:
            driver.switch_to.frame(frames[0])
        _spent.clear()
        _calls.clear()
        t = time.perf_counter()
        result = SliderSolver(driver, LocalEngine()).solve(IMAGE, HANDLE, attempts=3)
        wholes.append(time.perf_counter() - t)
        first_ok += bool(result.success and len(result.attempts) == 1)
        for label, _, _ in ((lbl, 0, 0) for _, _, lbl in _TIMED):
            per_label[label].append(_spent[label])
            per_count[label].append(_calls[label])
        for name, value in result.attempts[0].timings.items():
            steps[name].append(value)
        time.sleep(0.2)
    return {
        "variant": "&".join(f"{k}={v}" for k, v in variant.items()) or "default",
        "runs": runs,
        "first_attempt_ok": first_ok,
        "whole_solve_median_s": round(statistics.median(wholes), 3),
        "record_timings_median_s": {k: round(statistics.median(v), 3) for k, v in steps.items()},
        "median_s_per_solve": {
            k: round(statistics.median(v), 3)
            for k, v in sorted(per_label.items(), key=lambda kv: -statistics.median(kv[1]))
            if statistics.median(v) > 0
        },
        "median_calls_per_solve": {
            k: statistics.median(v) for k, v in per_count.items() if statistics.median(v) > 0
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--variant", action="append", default=[], metavar="K=V[&K=V]")
    args = parser.parse_args(argv)
    variants = [
        dict(p.split("=", 1) for p in text.split("&") if p and p != "default")
        for text in args.variant
    ] or [{}]
    install()
    load = os.getloadavg()
    out = []
    driver = Chrome()
    try:
        with DemoSite(seed=1) as site:
            for variant in variants:
                out.append(profile_variant(site, driver, variant, args.runs))
                print(json.dumps(out[-1], indent=1), file=sys.stderr, flush=True)
    finally:
        driver.quit()
    json.dump({"load_before_after": [load, os.getloadavg()], "variants": out}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
