"""Time of the local engine per picture, wall and CPU, on one labelled source.

Machines here are shared, and their speed drifts by +-20 % within minutes: the wall time
counts the time other processes held the cores, the process's CPU time does not (but
counts BLAS worker threads that spin). To compare two checkouts, time them in turns in
one window; ``--against`` does that (each round runs both, each in its own process)::

    python benchmarks/bench_engine_time.py chaoxing --against ../before --rounds 3

where ``../before`` is the root of another checkout (``git worktree add ../before REF``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = ROOT.parent / "shared" / "realworld"
#: Bound on one timing process (60 pictures take ~5 s; a loaded machine, a minute).
RUN_TIMEOUT_S = 600


def measure(source: str, folder: Path, n: int) -> dict[str, Any]:
    """Median wall and CPU ms per picture of ``locate`` on the first ``n`` pictures."""
    from omo_selenium.engine import locate

    labels = [json.loads(line) for line in (folder / "labels.jsonl").open()]
    rows = [r for r in labels if r["file"].startswith(source + "/")][:n]
    if not rows:
        raise SystemExit(f"no pictures of {source!r} in {folder}")
    data = [((folder / r["file"]).read_bytes(), float(r["width_view"])) for r in rows]
    for png, width in data[:3]:  # warm-up: imports, caches
        locate(png, width)
    wall, cpu = [], []
    for png, width in data:
        t, c = time.perf_counter(), time.process_time()
        locate(png, width)
        wall.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.process_time() - c) * 1e3)
    return {
        "source": source,
        "n": len(data),
        "wall_ms": round(statistics.median(wall), 1),
        "cpu_ms": round(statistics.median(cpu), 1),
        "load": round(os.getloadavg()[0], 2),
    }


def _run_in(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    """One timing of the checkout at ``root``, in a process of its own."""
    env = dict(os.environ, PYTHONPATH=str(root))
    cmd = [sys.executable, str(Path(__file__).resolve()), args.source, "--json"]
    cmd += ["--folder", str(args.folder), "--n", str(args.n)]
    out = subprocess.run(
        cmd, env=env, cwd=root, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def compare(args: argparse.Namespace) -> None:
    """Time ``args.against`` and this checkout in turns; print each run and the medians."""
    roots = {"against": args.against.resolve(), "this": ROOT}
    runs: dict[str, list[float]] = {k: [] for k in roots}
    for i in range(args.rounds):
        for name, root in roots.items():
            r = _run_in(root, args)
            runs[name].append(r["cpu_ms"])
            print(f"round {i + 1} {name:7s} cpu median {r['cpu_ms']:.1f} ms, load {r['load']}")
    before, after = (statistics.median(runs[k]) for k in roots)
    print(
        f"{args.source}: median of the run medians {before:.1f} -> {after:.1f} ms CPU "
        f"(this / against {after / before:.2f}; {args.rounds} rounds of {args.n} pictures)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a folder of ../shared/realworld (chaoxing, ...)")
    parser.add_argument("--folder", type=Path, default=REALWORLD)
    parser.add_argument("--n", type=int, default=60, help="pictures (the first n by name)")
    parser.add_argument("--against", type=Path, help="root of another checkout to compare")
    parser.add_argument("--rounds", type=int, default=3, help="turns of each, with --against")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    if args.against is not None:
        compare(args)
        return
    r = measure(args.source, args.folder, args.n)
    if args.json:
        print(json.dumps(r))
        return
    print(
        f"{r['source']}: n={r['n']} wall median {r['wall_ms']:.1f} ms, "
        f"cpu median {r['cpu_ms']:.1f} ms, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, "
        f"load {r['load']:.2f}"
    )


if __name__ == "__main__":
    main()
