"""The solver's look, offline: the piece cut out of two screenshots, then its gap found.

When the engine refuses a picture, the solver moves the handle a little
(:data:`omo_selenium.steering.LOOK_MOVE_CSS_PX`), takes a second screenshot, cuts out what
moved (:func:`omo_selenium.engine.moved_piece.isolate_moved_piece`) and asks the engine
with that piece's own picture (``locate(background, width_view, piece=...)``). This
benchmark runs that path on generated drag pairs (the piece moved as far as a look moves
it) with a known answer. Run from the repository root::

    python benchmarks/bench_look.py                       # 300 pairs from seed 0
    python benchmarks/bench_look.py --n 300 --seeds 0 10000 --out benchmarks/results/look.json
    python benchmarks/bench_look.py --set sprite_step_weight=0.0   # another EngineTuning
    python benchmarks/bench_look.py --breakdown   # + by generator parameter

Reports per seed range: pairs whose piece was seen moving, answers within 1 / 2 / 5 CSS
px (a refusal or an unseen piece counts as a miss), refusals of right and of wrong
answers, accepted wrong answers, and the median ms of the engine's part (the cut-out and
the match), with the load average. The same figures by DPR follow, and with
``--breakdown`` by each generator parameter (background, shape, gap style, decoys, ...).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_realworld import _literals, add_set_option  # noqa: E402

from omo_selenium import engine as engine_module  # noqa: E402
from omo_selenium._types import PieceImage  # noqa: E402
from omo_selenium.engine.moved_piece import isolate_moved_piece  # noqa: E402
from omo_selenium.engine.tuning import DEFAULT_TUNING, EngineTuning  # noqa: E402
from omo_selenium.errors import OmoCaptchaError  # noqa: E402
from omo_selenium.steering import LOOK_MOVE_CSS_PX  # noqa: E402
from omo_selenium.testing.synthetic import make_drag_pair  # noqa: E402


def look_case(seed: int) -> tuple[Any, float, float]:
    """A drag pair whose piece moved as far as a look moves it; returns ``(pair,
    width_view, answer_css)``."""
    first = make_drag_pair(seed, with_handle=False)
    p = first.params
    width_view = first.before.width / p["dpr"]
    native = max(1, round(LOOK_MOVE_CSS_PX * p["native_width"] / width_view))
    pair = make_drag_pair(seed, shift_native=native, with_handle=False)
    answer = (p["gap_x"] - p["piece_x"]) * width_view / p["native_width"]
    return pair, width_view, answer


def run(seeds: range, tuning: EngineTuning, floor: float) -> list[dict[str, Any]]:
    """The look path on every pair of ``seeds``: one record per pair."""
    out = []
    for seed in seeds:
        pair, width_view, answer = look_case(seed)
        started = time.perf_counter()
        moved = isolate_moved_piece(pair.before, pair.after)
        error, confidence = math.inf, 0.0
        if moved is not None:
            piece = PieceImage(
                moved.sprite,
                float(moved.x),
                float(moved.y),
                start_uncovered=moved.shift >= moved.sprite.width,
            )
            try:
                match = engine_module.locate(
                    moved.background, width_view, piece=piece, tuning=tuning
                )
                error, confidence = abs(match.distance_css - answer), match.confidence
            except OmoCaptchaError:
                pass
        ms = (time.perf_counter() - started) * 1e3
        out.append(
            {
                "seed": seed,
                "dpr": pair.params["dpr"],
                "params": pair.params,
                "seen": moved is not None,
                "error": error,
                "confidence": confidence,
                "accepted": confidence >= floor,
                "ms": ms,
            }
        )
    return out


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Shares within 1 / 2 / 5 CSS px (refusals count as misses) and the refusals."""
    n = len(records)
    right = [r["error"] <= 2.0 for r in records]

    def share(limit: float) -> float:
        return round(sum(r["error"] <= limit and r["accepted"] for r in records) / n, 4)

    return {
        "n": n,
        "seen": sum(r["seen"] for r in records),
        "within_1px": share(1.0),
        "within_2px": share(2.0),
        "within_5px": share(5.0),
        "right_unrefused": round(sum(right) / n, 4),
        "refused_right": sum(
            ok and not r["accepted"] for ok, r in zip(right, records, strict=True)
        ),
        "refused_wrong": sum(
            r["seen"] and not ok and not r["accepted"] for ok, r in zip(right, records, strict=True)
        ),
        "accepted_wrong": sum(
            not ok and r["accepted"] for ok, r in zip(right, records, strict=True)
        ),
        "median_ms": round(statistics.median(r["ms"] for r in records), 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print a table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="pairs per seed range")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="first seeds")
    parser.add_argument("--out", type=Path, help="results JSON")
    parser.add_argument("--breakdown", action="store_true", help="also by generator parameter")
    add_set_option(parser)
    args = parser.parse_args(argv)
    tuning = replace(DEFAULT_TUNING, **_literals(args.set))
    floor = engine_module.MIN_CONFIDENCE
    report: dict[str, Any] = {
        "floor": floor,
        "tuning_changes": args.set,
        "look_move_css": LOOK_MOVE_CSS_PX,
        "load_average": list(os.getloadavg()),
        "sources": {},
        "by_dpr": {},
    }
    everything = []
    for first in args.seeds:
        records = run(range(first, first + args.n), tuning, floor)
        everything += records
        report["sources"][f"look_s{first}"] = summarise(records)
    by_dpr: dict[float, list[dict[str, Any]]] = defaultdict(list)
    for r in everything:
        by_dpr[r["dpr"]].append(r)
    report["by_dpr"] = {f"dpr{d:g}": summarise(v) for d, v in sorted(by_dpr.items())}
    if args.breakdown:
        from bench_realworld import BREAKDOWN_PARAMS, _param_value

        table: dict[str, Any] = {}
        for name in BREAKDOWN_PARAMS:
            groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for r in everything:
                groups[_param_value(r["params"], name)].append(r)
            table[name] = {
                value: {k: v for k, v in summarise(g).items() if k != "median_ms"}
                for value, g in sorted(groups.items())
            }
        report["breakdown"] = table
    report["load_average_after"] = list(os.getloadavg())
    print(f"== the look (floor {floor}, load {report['load_average']})")
    for name, s in [*report["sources"].items(), *report["by_dpr"].items()]:
        print(
            f"  {name:12s} n={s['n']:4d} seen={s['seen']:4d} 1px={s['within_1px']:.3f} "
            f"2px={s['within_2px']:.3f} 5px={s['within_5px']:.3f} "
            f"refused right/wrong={s['refused_right']}/{s['refused_wrong']} "
            f"accepted_wrong={s['accepted_wrong']} median={s['median_ms']}ms"
        )
    for name, groups in report.get("breakdown", {}).items():
        cells = [
            f"{value} {g['within_2px']:.2f} ({g['n']}, {g['accepted_wrong']} wrong)"
            for value, g in groups.items()
        ]
        print(f"  {name}: " + ", ".join(cells))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
