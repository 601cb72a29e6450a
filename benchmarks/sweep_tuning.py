"""Sweep one EngineTuning field over labelled folders and the synthetic generator.

Run from the repository root::

    python benchmarks/sweep_tuning.py max_width 260 340 400 100000 --synthetic 200

Prints, per value, the share within 2 CSS px per source (confidence floor applied) and
the median ms; with ``--hold-out SOURCE`` the value is chosen on the other sources (mean
of per-source shares) and the held-out source's score at that value is reported.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_realworld import DEFAULT_FOLDER, load_folder, run_engine, synthetic_cases

from omo_selenium.engine.tuning import DEFAULT_TUNING


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, sweep, print JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("field")
    parser.add_argument("values", nargs="+")
    parser.add_argument("--synthetic", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="sources to run (default all)")
    args = parser.parse_args(argv)
    cases = load_folder(DEFAULT_FOLDER) if DEFAULT_FOLDER.exists() else []
    if args.synthetic:
        cases += synthetic_cases(args.synthetic, args.seed)
    if args.only:
        cases = [c for c in cases if c.source in args.only]
    table: dict[str, dict[str, float]] = {}
    for raw in args.values:
        value = ast.literal_eval(raw)
        tuning = replace(DEFAULT_TUNING, **{args.field: value})
        outs = run_engine(cases, tuning=tuning)
        by: dict[str, list[bool]] = defaultdict(list)
        for o in outs:
            by[o.source].append(o.error <= 2 and o.confidence >= tuning.min_confidence)
        table[raw] = {s: round(sum(v) / len(v), 4) for s, v in by.items()}
        ms = sorted(o.ms for o in outs)
        print(json.dumps({args.field: raw, **table[raw], "median_ms": round(ms[len(ms) // 2], 1)}))
    sources = sorted({s for row in table.values() for s in row})
    for held in sources:
        others = [s for s in sources if s != held]
        if not others:
            continue
        best = max(table, key=lambda v: sum(table[v].get(s, 0.0) for s in others))
        print(
            json.dumps(
                {"held_out": held, "chosen_on_others": best, "held_out_score": table[best][held]}
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
