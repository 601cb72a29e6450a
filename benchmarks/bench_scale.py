"""Scale-out benchmark: solves per minute at 1, 2 and 4 parallel browser sessions (local
headless Chromium and through a real local Selenium Grid), and the local API server's
jobs per second, latency and peak RSS under 1, 4 and 16 concurrent clients.

Prints JSON, with the scaling ratio throughput(N) / (N x throughput(1)) per level.

    python benchmarks/bench_scale.py --runs-per-session 6
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from omo_selenium import Chrome, LocalEngine, LocalGrid, Remote, default_options
from omo_selenium.demo_site import DemoSite
from omo_selenium.testing.demo import run_demo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_server

SESSIONS = (1, 2, 4)


def _level(
    site: DemoSite, sessions: int, runs_per_session: int, make_driver: Any
) -> dict[str, Any]:
    report = run_demo(
        site,
        runs=sessions * runs_per_session,
        make_driver=make_driver,
        make_solver=LocalEngine,
        parallel=sessions,
    )
    summary = report.summary()
    return {
        "sessions": sessions,
        "runs": summary["runs"],
        "solved": summary["solved"],
        "solves_per_minute": summary["solves_per_minute"],
        "median_solve_s": summary["median_seconds"]["total"],
        "wall_s": summary["wall_seconds"],
        "sessions_replaced": summary["sessions_replaced"],
        "server_verdicts_agree": summary["server_verdicts_agree"],
    }


def _with_ratios(levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    base = levels[0]["solves_per_minute"] or 1e-9
    for level in levels:
        level["scaling_ratio"] = round(level["solves_per_minute"] / (level["sessions"] * base), 3)
    return levels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-per-session", type=int, default=6)
    parser.add_argument("--no-grid", action="store_true", help="skip the Grid levels")
    parser.add_argument("--server-jobs", type=int, default=48, help="jobs per client level")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": os.getloadavg(),
        }
    }
    with DemoSite() as site:
        out["local"] = _with_ratios(
            [_level(site, n, args.runs_per_session, Chrome) for n in SESSIONS]
        )
        print("local done", file=sys.stderr, flush=True)
        if not args.no_grid:
            with LocalGrid(max_sessions=max(SESSIONS)) as grid:

                def remote() -> Remote:
                    return Remote(command_executor=grid.url, options=default_options())

                out["grid"] = _with_ratios(
                    [_level(site, n, args.runs_per_session, remote) for n in SESSIONS]
                )
            print("grid done", file=sys.stderr, flush=True)
    images, _ = bench_server.make_images(16)
    engine = LocalEngine()
    out["server"] = {
        "solver_alone": bench_server.solver_alone(engine, images),
        "levels": [
            bench_server.run_level(engine, images, clients, args.server_jobs, workers=2)
            for clients in (1, 4, 16)
        ],
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
