"""Time of the local engine per picture, wall and CPU, on one labelled source.

Machines here are shared: the wall time counts the time other processes held the cores,
the process's CPU time does not (but counts BLAS worker threads that spin). To compare
two checkouts, run this from each, alternating, in one window::

    for i in 1 2; do
        (cd ../main && .venv/bin/python benchmarks/bench_engine_time.py chaoxing)
        (cd ../wt13 && .venv/bin/python benchmarks/bench_engine_time.py chaoxing)
    done
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from omo_selenium.engine import locate

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = ROOT.parent / "shared" / "realworld"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a folder of ../shared/realworld (chaoxing, ...)")
    parser.add_argument("--folder", type=Path, default=REALWORLD)
    parser.add_argument("--n", type=int, default=60, help="pictures (the first n by name)")
    args = parser.parse_args()
    labels = [json.loads(line) for line in (args.folder / "labels.jsonl").open()]
    rows = [r for r in labels if r["file"].startswith(args.source + "/")][: args.n]
    if not rows:
        raise SystemExit(f"no pictures of {args.source!r} in {args.folder}")
    data = [((args.folder / r["file"]).read_bytes(), float(r["width_view"])) for r in rows]
    for png, width in data[:3]:  # warm-up: imports, caches
        locate(png, width)
    wall, cpu = [], []
    for png, width in data:
        t, c = time.perf_counter(), time.process_time()
        locate(png, width)
        wall.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.process_time() - c) * 1e3)
    print(
        f"{args.source}: n={len(data)} wall median {statistics.median(wall):.1f} ms, "
        f"cpu median {statistics.median(cpu):.1f} ms, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, "
        f"load {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
