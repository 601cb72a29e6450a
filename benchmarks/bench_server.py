"""Throughput, latency and memory of the local omocaptcha server, printed as JSON.

For 1, 4 and 16 concurrent clients (each an :class:`OmoCaptchaClient` on its own thread),
a fixed number of slider jobs goes through a fresh :class:`OmoServer` over real HTTP on
127.0.0.1. Measured per level: jobs/s (wall clock), p50/p95/max job latency (createJob ->
success, as the client sees it), failures, and the process's peak RSS so far (client and
server share the process, so it is an upper bound for the server alone).

The solver is the real :class:`LocalEngine` when it can be imported, else a constant fake
(the JSON says which). ``--fake`` forces the fake, to measure the HTTP path alone.

Usage::

    python benchmarks/bench_server.py [--jobs 48] [--workers 2] [--fake]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omo_selenium._types import ImageInput, Solver
from omo_selenium.api.client import OmoCaptchaClient
from omo_selenium.api.server import OmoServer
from omo_selenium.errors import OmoCaptchaError

TOKEN = "bench-token"
LEVELS = (1, 4, 16)


class ConstantSolver:
    """Answers at once: what is left is the HTTP and queueing path."""

    def solve(self, image: ImageInput, width_view: float) -> float:
        return 10.0


def make_images(count: int) -> tuple[list[tuple[bytes, float]], str]:
    """Captcha screenshots (PNG, width_view): the test suite's generator if present."""
    try:
        from omo_selenium.testing.synthetic import make_slider_image
    except ImportError:
        make_slider_image = None
    images = []
    for seed in range(count):
        if make_slider_image is not None:
            cap = make_slider_image(seed)
            image, width_view = cap.image, float(cap.width_view)
        else:
            image, width_view = _plain_captcha(seed), 340.0
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        images.append((buf.getvalue(), width_view))
    source = "tests.synthetic" if make_slider_image is not None else "built-in plain drawing"
    return images, source


def _plain_captcha(seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (340, 200), (90, 140, 190))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(340), rng.randrange(200)
        draw.ellipse((x, y, x + 30, y + 30), fill=tuple(rng.randrange(256) for _ in range(3)))
    gap_x, y = rng.randrange(120, 280), rng.randrange(20, 140)
    draw.rectangle((gap_x, y, gap_x + 44, y + 44), fill=(30, 30, 30))
    draw.rectangle((4, y, 48, y + 44), fill=(230, 230, 230), outline=(255, 255, 255))
    return image


def peak_rss_mib() -> float:
    """The process's peak resident set size so far (VmHWM), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run_level(
    solver: Solver, images: list[tuple[bytes, float]], clients: int, jobs: int, workers: int
) -> dict[str, Any]:
    latencies: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()
    counter = iter(range(jobs))

    def client_loop() -> None:
        with OmoCaptchaClient(TOKEN, server.url, poll_interval=0.02, max_wait=120) as client:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                png, width_view = images[n % len(images)]
                try:
                    answer = client.solve_slider(png, width_view)
                except OmoCaptchaError as exc:
                    with lock:
                        failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
                    continue
                with lock:
                    latencies.append(answer.elapsed)

    with OmoServer(solver, tokens=[TOKEN], workers=workers, max_queue=64) as server:
        threads = [threading.Thread(target=client_loop) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    return {
        "clients": clients,
        "jobs": jobs,
        "succeeded": len(latencies),
        "failures": failures,
        "wall_s": round(wall, 3),
        "jobs_per_s": round(jobs / wall, 2),
        "latency_p50_ms": round(1000 * percentile(latencies, 0.50), 1) if latencies else None,
        "latency_p95_ms": round(1000 * percentile(latencies, 0.95), 1) if latencies else None,
        "latency_max_ms": round(1000 * max(latencies), 1) if latencies else None,
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def solver_alone(solver: Solver, images: list[tuple[bytes, float]]) -> dict[str, Any]:
    """Sequential solve time without HTTP, as a baseline."""
    times, fails = [], 0
    for png, width_view in images:
        started = time.perf_counter()
        try:
            solver.solve(png, width_view)
        except OmoCaptchaError:
            fails += 1
        times.append(time.perf_counter() - started)
    return {
        "images": len(images),
        "solve_mean_ms": round(1000 * statistics.fmean(times), 1),
        "solve_p95_ms": round(1000 * percentile(times, 0.95), 1),
        "solve_failures": fails,
    }


def pick_solver(fake: bool) -> tuple[Solver, str]:
    if fake:
        return ConstantSolver(), "fake (constant answer, forced by --fake)"
    try:
        from omo_selenium.engine.local import LocalEngine
    except ImportError as exc:
        return ConstantSolver(), f"fake (LocalEngine not importable: {exc})"
    return LocalEngine(), "LocalEngine"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=48, help="jobs per concurrency level")
    parser.add_argument("--workers", type=int, default=2, help="server worker threads")
    parser.add_argument("--images", type=int, default=16, help="distinct captcha images")
    parser.add_argument("--fake", action="store_true", help="use a constant solver")
    args = parser.parse_args(argv)
    solver, solver_name = pick_solver(args.fake)
    images, image_source = make_images(args.images)
    baseline_rss = peak_rss_mib()
    report: dict[str, Any] = {
        "solver": solver_name,
        "images": image_source,
        "server_workers": args.workers,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "peak_rss_before_mib": round(baseline_rss, 1),
        "solver_alone": solver_alone(solver, images),
        "levels": [],
    }
    for clients in LEVELS:
        report["levels"].append(run_level(solver, images, clients, args.jobs, args.workers))
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
