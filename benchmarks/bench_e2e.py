"""End-to-end benchmark: solve demo_site captchas in headless Chromium, per variant.

Every solve is a plain ``SliderSolver.solve(image, handle, attempts=3)``: no ``success=``,
``failure=`` or ``refresh=``, so the solver must read the verdict from the page itself.
The demo server's own records (``site.verifications_tagged``) are the truth it is checked
against. Prints JSON (and writes it to ``--out``): per variant,

- ``solved_first_attempt`` / ``solved_within_3``: runs whose first attempt / any attempt
  the server passed;
- ``reported_success``: runs the solver called solved (``result.success``);
- ``verdicts``: released attempts whose inferred verdict is ``right`` (agrees with the
  server's record), ``wrong`` or ``unknown``, and ``unmatched`` (attempts that cannot be
  paired with a server record one to one);
- ``false_accepted``: attempts the solver called accepted that the server rejected (or
  never received), and ``false_accepted_runs`` (reported solved, nothing passed);
- median and p95 seconds of the whole solve, the landing error the server measured;
- ``answered_by``: how many attempts were answered by each way (``locate``, ``solve``,
  ``solve_piece (look)`` when a look at the moving piece answered, ...).

    python benchmarks/bench_e2e.py --runs 10 --out benchmarks/results/e2e.json
    python benchmarks/bench_e2e.py --runs 5 --variant hover=1 --variant "jump=1&ratio=auto"
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

from omo_selenium import Chrome, LocalEngine, SliderSolver
from omo_selenium.demo_site import DemoSite, VerificationRecord
from omo_selenium.testing.demo import HANDLE, IMAGE

DEFAULT_VARIANTS: list[dict[str, str]] = [
    {},
    {"scale": "1.6"},
    {"scale": "0.7"},
    {"iframe": "1"},
    {"fold": "1"},
    {"decoys": "3"},
    {"shape": "star", "style": "glow"},
    {"ratio": "0.8"},
    {"ratio": "1.3"},
    {"sample": "50"},
    {"delay": "1000"},
    {"hover": "1"},
    {"jump": "1"},
    {"verdict": "class"},
    {"late": "1"},
    {"reset": "1"},
    {"outside": "1"},
    {"tolerance": "2"},
    {"verdict": "class", "reset": "1", "late": "1"},
    {"hover": "1", "jump": "1", "outside": "1", "ratio": "auto", "scale": "1.6"},
]
ATTEMPTS = 3
VERDICTS = ("accepted", "rejected", "unknown")


def verdict_of(attempt: Any) -> str | None:
    """An attempt's inferred verdict as ``"accepted"``, ``"rejected"``, ``"unknown"``.

    Reads the new form (a ``Verdict`` enum or its string value) and the old one
    (``True`` / ``False`` / ``None`` = not checked). ``None`` when the new form says
    nothing was released.
    """
    value = attempt.verdict
    if isinstance(value, bool):
        return "accepted" if value else "rejected"
    if value is None:
        new_form = hasattr(attempt, "verdict_reason")
        return None if new_form else "unknown"
    text = str(getattr(value, "value", value)).lower()
    return text if text in VERDICTS else "unknown"


def released(attempt: Any) -> bool:
    """True when the attempt let go of a drag (so the page may have posted a verdict)."""
    if hasattr(attempt, "verdict_reason"):  # new form: a verdict exactly when released
        return attempt.verdict is not None
    return getattr(attempt, "handle_css", None) is not None


def score_run(result: Any, records: list[VerificationRecord]) -> dict[str, Any]:
    """Compare one solve's attempts with the server's records of the same page.

    Released attempts and records are paired in order; when their counts differ the
    pairs are not trusted and every released attempt counts as ``unmatched``.
    """
    attempts = list(result.attempts) if result is not None else []
    dropped = [a for a in attempts if released(a)]
    counts = {"right": 0, "wrong": 0, "unknown": 0, "unmatched": 0, "false_accepted": 0}
    passed_any = any(r.passed for r in records)
    if len(dropped) == len(records):
        for attempt, record in zip(dropped, records, strict=True):
            verdict = verdict_of(attempt) or "unknown"
            if verdict == "unknown":
                counts["unknown"] += 1
            elif (verdict == "accepted") is record.passed:
                counts["right"] += 1
            else:
                counts["wrong"] += 1
                counts["false_accepted"] += verdict == "accepted"
        first_passed = bool(records) and dropped[0].number == 1 and records[0].passed
    else:  # some drag posted nothing (or twice): only what is certain counts
        counts["unmatched"] = len(dropped)
        if not passed_any:
            counts["false_accepted"] = sum(verdict_of(a) == "accepted" for a in dropped)
        first_passed = bool(records) and records[0].passed and len(attempts) == 1
    reported = bool(result is not None and result.success)
    return {
        **counts,
        "solved_first": first_passed,
        "solved": passed_any,
        "reported_success": reported,
        "false_accepted_run": reported and not passed_any,
        "detail": {
            "attempts": [
                [a.number, verdict_of(a), getattr(a, "verdict_reason", None), a.error]
                for a in attempts
            ],
            "server_passed": [r.passed for r in records],
            "server_reason_error_css": [[r.reason, round(r.error_css_px, 2)] for r in records],
            "solver_distance_landed_correction": [
                [
                    _round(a.distance_css),
                    _round(getattr(a, "landed_css", None)),
                    getattr(a, "correction_css", None),
                    _round(getattr(a, "ratio", None), 3),
                ]
                for a in attempts
            ],
        },
        "attempts": len(attempts),
        "answered_by": [getattr(a, "answered_by", None) or "-" for a in attempts],
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def open_page(driver: WebDriver, url: str) -> None:
    """Load a demo page and enter its iframe, if it has one."""
    driver.get(url)
    driver.switch_to.default_content()
    frames = driver.find_elements("css selector", "iframe#captcha-frame")
    if frames:
        driver.switch_to.frame(frames[0])


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p95": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 4), "p95": round(p95, 4)}


def bench_variant(
    site: DemoSite,
    variant: dict[str, str],
    runs: int,
    driver_for: Callable[[], WebDriver],
    label: str,
    detail: bool = False,
    debug_dir: Path | None = None,
) -> dict[str, Any]:
    """Solve ``runs`` fresh pages of ``variant`` and score them against the server.

    With ``debug_dir``, each run's debug view is saved under ``debug_dir/<tag>`` and
    kept only when the first attempt did not pass.
    """
    scores: list[dict[str, Any]] = []
    seconds: list[float] = []
    landing: list[float] = []
    errors: list[str] = []
    for index in range(1, runs + 1):
        tag = f"{label}r{index}"
        result = None
        driver = driver_for()
        try:
            open_page(driver, site.url_for(**variant, tag=tag))
            started = time.monotonic()
            run_debug = None if debug_dir is None else debug_dir / tag
            solver = SliderSolver(driver, LocalEngine(), debug_dir=run_debug)
            result = solver.solve(IMAGE, HANDLE, attempts=ATTEMPTS)
            seconds.append(time.monotonic() - started)
            if not result.success and result.error:
                errors.append(result.error[:200])
        except Exception as exc:  # a run that raised is scored as not solved
            errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        time.sleep(0.2)  # let a verification still in flight reach the server
        records = site.verifications_tagged(tag)
        scores.append(score_run(result, records))
        if debug_dir is not None and scores[-1]["solved_first"]:
            shutil.rmtree(debug_dir / tag, ignore_errors=True)
        passed = [r for r in records if r.passed]
        if passed:
            landing.append(abs(passed[0].error_css_px))

    def total(key: str) -> int:
        return int(sum(s[key] for s in scores))

    return {
        "variant": "&".join(f"{k}={v}" for k, v in variant.items()) or "default",
        "runs": runs,
        "solved_first_attempt": round(total("solved_first") / runs, 4),
        "solved_within_3": round(total("solved") / runs, 4),
        "reported_success": round(total("reported_success") / runs, 4),
        "mean_attempts": round(statistics.fmean(s["attempts"] for s in scores), 2),
        "verdicts": {k: total(k) for k in ("right", "wrong", "unknown", "unmatched")},
        "false_accepted": total("false_accepted"),
        "false_accepted_runs": total("false_accepted_run"),
        "seconds_whole_solve": _stats(seconds),
        "landing_error_css": {
            **_stats(landing),
            "max": round(max(landing), 2) if landing else None,
        },
        "answered_by": dict(
            sorted(collections.Counter(w for s in scores for w in s["answered_by"]).items())
        ),
        "errors": sorted(set(errors))[:5],
        **({"runs_detail": [s["detail"] for s in scores]} if detail else {}),
    }


class _Browser:
    """One headless Chromium, restarted when it stops answering."""

    def __init__(self, dpr: float | None) -> None:
        self.dpr = dpr
        self.driver: WebDriver | None = None

    def __call__(self) -> WebDriver:
        if self.driver is not None:
            try:
                self.driver.execute_script("return 1")
                return self.driver
            except Exception:  # the session died: start another
                self.close()
        self.driver = Chrome(device_scale_factor=self.dpr)
        return self.driver

    def close(self) -> None:
        if self.driver is not None:
            with contextlib.suppress(Exception):  # already gone
                self.driver.quit()
            self.driver = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="solves per variant")
    parser.add_argument("--variant", action="append", default=[], metavar="K=V[&K=V]")
    parser.add_argument("--dpr", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0, help="seeds pictures and page amounts")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    parser.add_argument(
        "--detail", action="store_true", help="per run: each attempt's verdict and the server's"
    )
    parser.add_argument(
        "--debug-dir",
        type=Path,
        default=None,
        help="keep the debug view of every run whose first attempt failed here",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    try:  # "" or "default" is the plain page
        variants = [
            dict(pair.split("=", 1) for pair in text.split("&") if pair and pair != "default")
            for text in args.variant
        ] or DEFAULT_VARIANTS
    except ValueError:
        parser.error("--variant takes K=V pairs joined by '&', e.g. 'hover=1&ratio=auto'")
    results = []
    browser = _Browser(args.dpr)
    load_before = os.getloadavg()
    wall = time.monotonic()
    try:
        with DemoSite(seed=args.seed) as site:
            for number, variant in enumerate(variants, 1):
                results.append(
                    bench_variant(
                        site,
                        variant,
                        args.runs,
                        browser,
                        f"v{number}",
                        args.detail,
                        args.debug_dir,
                    )
                )
                done = results[-1]
                print(
                    f"{done['variant']}: first {done['solved_first_attempt']:.0%}, "
                    f"within 3 {done['solved_within_3']:.0%}, verdicts {done['verdicts']}, "
                    f"false accepted {done['false_accepted']}, "
                    f"answered by {done['answered_by']}",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        browser.close()
    verdicts = {k: sum(v["verdicts"][k] for v in results) for k in results[0]["verdicts"]}
    judged = sum(verdicts.values())
    medians = [v["seconds_whole_solve"]["median"] for v in results]
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before_after": [load_before, os.getloadavg()],
        },
        "dpr": args.dpr or 1.0,
        "runs_per_variant": args.runs,
        "seed": args.seed,
        "wall_seconds": round(time.monotonic() - wall, 1),
        "worst_solved_first_attempt": min(v["solved_first_attempt"] for v in results),
        "worst_solved_within_3": min(v["solved_within_3"] for v in results),
        "false_accepted": sum(v["false_accepted"] for v in results),
        "verdicts": verdicts,
        "verdict_agreement": round(verdicts["right"] / judged, 4) if judged else None,
        "median_of_variant_medians_whole_solve_s": (
            round(statistics.median([m for m in medians if m is not None]), 3)
            if any(m is not None for m in medians)
            else None
        ),
        "variants": results,
    }
    text = json.dumps(report, indent=2) + "\n"
    sys.stdout.write(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
