"""Accuracy and speed of the local engine on generated slider captchas.

Run from the repository root::

    python benchmarks/bench_engine.py --n 1000 --seed 0

Prints one JSON object: the share of answers within 1/2/5 CSS px, the max and p99
error, median and p95 milliseconds per image (with the machine's load average, since
timings on a shared machine mean little without it), how many answers
:class:`~omo_selenium.engine.LocalEngine` would refuse (confidence below its floor),
right and wrong, and the failure rate (error > 2 CSS px) broken down by every generator
variation.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from omo_selenium.engine.local import MIN_CONFIDENCE, locate
from omo_selenium.errors import OmoCaptchaError
from omo_selenium.testing.synthetic import make_slider_image

#: Generator parameters reported in the failure breakdown.
VARIATIONS = (
    "background",
    "shape",
    "gap_style",
    "gap_outline",
    "decoy",
    "outline",
    "halo",
    "dpr",
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    pos = min(len(ordered) - 1, max(0, math.ceil(q / 100.0 * len(ordered)) - 1))
    return ordered[pos]


def run(n: int, seed: int, tolerance: float = 2.0) -> dict[str, object]:
    """Solve ``n`` generated captchas (seeds ``seed .. seed + n - 1``) and summarise."""
    errors: list[float] = []
    millis: list[float] = []
    totals: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    raised = 0
    refused_right = refused_wrong = 0
    load_before = os.getloadavg()[0]
    for i in range(n):
        cap = make_slider_image(seed + i)
        started = time.perf_counter()
        confidence = 0.0
        try:
            match = locate(cap.image, cap.width_view)
            answer, confidence = match.distance_css, match.confidence
        except OmoCaptchaError:
            answer = math.inf
            raised += 1
        millis.append((time.perf_counter() - started) * 1000.0)
        err = abs(answer - cap.true_distance_css)
        if confidence < MIN_CONFIDENCE:
            if err <= tolerance:
                refused_right += 1
            else:
                refused_wrong += 1
        errors.append(err)
        for key in VARIATIONS:
            label = f"{key}={cap.params[key]}"
            totals[label] += 1
            if err > tolerance:
                failures[label] += 1
    finite = [e for e in errors if math.isfinite(e)]
    breakdown = {
        label: {"failed": failures[label], "of": totals[label]}
        for label in sorted(totals, key=lambda k: (-failures[k] / totals[k], k))
        if failures[label]
    }
    return {
        "n": n,
        "seed": seed,
        "within_1px": round(sum(e <= 1 for e in errors) / n, 4),
        "within_2px": round(sum(e <= 2 for e in errors) / n, 4),
        "within_5px": round(sum(e <= 5 for e in errors) / n, 4),
        "max_error_px": round(max(finite), 2) if finite else None,
        "p99_error_px": round(_percentile(errors, 99), 2),
        "raised": raised,
        "median_ms": round(_percentile(millis, 50), 1),
        "p95_ms": round(_percentile(millis, 95), 1),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "refused_right": refused_right,
        "refused_wrong": refused_wrong,
        "failures_by_variation": breakdown,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the benchmark, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="images to generate (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    print(json.dumps(run(args.n, args.seed), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
