"""End-to-end benchmark: solve demo_site captchas in headless Chromium, per variant.

Prints JSON: per variant, the success rate, median and p95 seconds of each step
(screenshot, crop, solve, slide, verify) and of the whole solve, and the landing error
the demo server measured (|dropped - gap| in CSS px).

    python benchmarks/bench_e2e.py --runs 10
    python benchmarks/bench_e2e.py --runs 5 --variant scale=1.6 --variant ratio=0.8 --dpr 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from typing import Any

from omo_selenium import Chrome, LocalEngine
from omo_selenium.demo_site import DemoSite
from omo_selenium.testing.demo import STEPS, run_demo

DEFAULT_VARIANTS = [
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
]


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p95": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 4), "p95": round(p95, 4)}


def bench_variant(
    site: DemoSite, variant: dict[str, str], runs: int, dpr: float | None
) -> dict[str, Any]:
    report = run_demo(
        site,
        runs=runs,
        make_driver=lambda: Chrome(device_scale_factor=dpr),
        make_solver=LocalEngine,
        variant=variant,
    )
    attempts = [a for r in report.runs if r.result for a in r.result.attempts]
    landing = [abs(r.landing_error_css) for r in report.runs if r.landing_error_css is not None]
    return {
        "variant": "&".join(f"{k}={v}" for k, v in variant.items()) or "default",
        "runs": runs,
        "success_rate": report.solved / runs,
        "mean_attempts": round(
            statistics.fmean(len(r.result.attempts) for r in report.runs if r.result), 2
        ),
        "seconds_per_attempt_step": {
            step: _stats([a.timings[step] for a in attempts if step in a.timings]) for step in STEPS
        },
        "seconds_whole_solve": _stats([r.elapsed for r in report.runs if r.result]),
        "landing_error_css": {
            **_stats(landing),
            "max": round(max(landing), 2) if landing else None,
        },
        "server_verdicts_agree": report.verdicts_agree,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="solves per variant")
    parser.add_argument("--variant", action="append", default=[], metavar="K=V[&K=V]")
    parser.add_argument("--dpr", type=float, default=None)
    args = parser.parse_args(argv)
    variants = [
        dict(pair.split("=", 1) for pair in text.split("&")) for text in args.variant
    ] or DEFAULT_VARIANTS
    results = []
    with DemoSite() as site:
        for variant in variants:
            results.append(bench_variant(site, variant, args.runs, args.dpr))
            print(f"done: {results[-1]['variant']}", file=sys.stderr, flush=True)
    all_whole = [
        v["seconds_whole_solve"]["median"] for v in results if v["seconds_whole_solve"]["median"]
    ]
    json.dump(
        {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load": os.getloadavg(),
            },
            "dpr": args.dpr or 1.0,
            "overall_success_rate": round(statistics.fmean(v["success_rate"] for v in results), 4),
            "median_of_variant_medians_whole_solve_s": round(statistics.median(all_whole), 3)
            if all_whole
            else None,
            "variants": results,
        },
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
