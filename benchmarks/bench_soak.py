"""Soak: the local API server serving normal clients while slow and idle connections attack.

A server runs in its own process (``run_server``, the code behind ``omo-selenium serve``),
so that its peak RSS (``VmHWM``) is its own. Two phases of ``--seconds`` each:

1. ``calm``: ``--clients`` normal clients (one :class:`OmoCaptchaClient` each, on its own
   thread) solve captchas one after another;
2. ``attack``: the same, while ``--attackers`` connections attack and are re-opened as soon
   as the server drops them: a third trickle their headers (a byte every 3 s), a third send
   headers then trickle the body, a third connect and say nothing.

Reported per phase: solves done, p50/p95/max latency of a whole solve (createJob to
success, as the client sees it), failures by type, attacker connections open (median of
samples) and re-opened; overall: the server's peak RSS, load average. Machines here are
shared and noisy: compare the two phases of one run, not runs.

The solver is a constant fake by default, so that what is measured is the server's HTTP
path (connections, deadlines, queue); ``--engine`` uses the real LocalEngine, whose solving
time then dominates (on a loaded 2-core machine 16 clients outrun 2 workers).

Usage::

    python benchmarks/bench_soak.py [--seconds 30] [--clients 16] [--attackers 64] [--engine]
        [--out benchmarks/results/soak.json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import selectors
import socket
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omo_selenium.api.client import OmoCaptchaClient
from omo_selenium.errors import OmoCaptchaError

TOKEN = "soak-token"
TRICKLE_EVERY = 3.0

_SERVER = textwrap.dedent(
    """
    import sys
    from omo_selenium.api.server import run_server

    class Constant:
        def solve(self, image, width_view):
            return 10.0

    solver = Constant() if sys.argv[1] == "fake" else None
    run_server(host="127.0.0.1", port=0, tokens=[sys.argv[2]], workers=2, max_queue=64,
               ready=lambda url: print(url, flush=True), solver=solver)
    """
)


def make_images(count: int) -> list[tuple[bytes, float]]:
    from omo_selenium.testing.synthetic import make_slider_image

    images = []
    for seed in range(count):
        cap = make_slider_image(seed)
        buf = io.BytesIO()
        cap.image.save(buf, format="PNG")
        images.append((buf.getvalue(), float(cap.width_view)))
    return images


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def server_peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Attack:
    """``count`` hostile connections, re-opened whenever the server drops one."""

    def __init__(self, host: str, port: int, count: int) -> None:
        self.address = (host, port)
        self.count = count
        self.stop = threading.Event()
        self.reopened = 0
        self.open_samples: list[int] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Attack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(30)

    def _open(self, kind: int) -> tuple[socket.socket, bytes] | None:
        try:
            sock = socket.create_connection(self.address, timeout=5)
        except OSError:
            return None
        sock.setblocking(False)
        if kind == 0:  # slow headers
            return sock, b"POST /api/getJobResult HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 4096
        if kind == 1:  # headers at once, then a slow body
            head = b"POST /api/getJobResult HTTP/1.1\r\nContent-Length: 4096\r\n\r\n"
            with _quiet():
                sock.send(head)
            return sock, b"{" * 4096
        return sock, b""  # idle

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        conns: dict[int, dict[str, Any]] = {}
        for slot in range(self.count):
            conns[slot] = {"kind": slot % 3, "conn": None, "due": 0.0}
        last_sample = 0.0
        while not self.stop.is_set():
            now = time.monotonic()
            for slot, state in conns.items():
                if state["conn"] is None:
                    opened = self._open(state["kind"])
                    if opened is None:
                        continue
                    state["conn"], state["left"], state["due"] = opened[0], opened[1], now
                    selector.register(opened[0], selectors.EVENT_READ, slot)
                if state["left"] and now >= state["due"]:
                    with _quiet():
                        state["conn"].send(state["left"][:1])
                        state["left"] = state["left"][1:]
                    state["due"] = now + TRICKLE_EVERY
            for key, _ in selector.select(0.05):  # readable: an answer or a close
                slot = key.data
                state = conns[slot]
                selector.unregister(key.fileobj)
                with _quiet():
                    state["conn"].close()
                state["conn"] = None
                self.reopened += 1
            if now - last_sample > 0.5:
                self.open_samples.append(sum(1 for s in conns.values() if s["conn"] is not None))
                last_sample = now
        for state in conns.values():
            if state["conn"] is not None:
                state["conn"].close()
        selector.close()


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> bool:
        return kind is not None and issubclass(kind, OSError)


def run_clients(
    url: str, images: list[tuple[bytes, float]], clients: int, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()
    ends = time.monotonic() + seconds

    def loop(index: int) -> None:
        with OmoCaptchaClient(TOKEN, url, poll_interval=0.1, max_wait=30.0, timeout=10.0) as client:
            n = index
            while time.monotonic() < ends:
                png, width_view = images[n % len(images)]
                n += clients
                started = time.monotonic()
                try:
                    client.solve_slider(png, width_view)
                except OmoCaptchaError as exc:
                    with lock:
                        failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
                    continue
                with lock:
                    latencies.append(time.monotonic() - started)

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    def ms(value: float | None) -> float | None:
        return None if value is None else round(1000 * value, 1)

    return {
        "solves": len(latencies),
        "failures": failures,
        "latency_p50_ms": ms(percentile(latencies, 0.5)),
        "latency_p95_ms": ms(percentile(latencies, 0.95)),
        "latency_max_ms": ms(max(latencies) if latencies else None),
        "solves_per_s": round(len(latencies) / seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=16, help="normal clients")
    parser.add_argument("--attackers", type=int, default=64, help="slow or idle connections")
    parser.add_argument("--images", type=int, default=16, help="distinct captcha images")
    parser.add_argument("--engine", action="store_true", help="the LocalEngine, not a constant")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    images = make_images(args.images)
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER, "engine" if args.engine else "fake", TOKEN],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        host, port = url.removeprefix("http://").rsplit(":", 1)
        load_before = os.getloadavg()
        calm = run_clients(url, images, args.clients, args.seconds)
        rss_calm = server_peak_rss_mib(proc.pid)
        with Attack(host, int(port), args.attackers) as attack:
            time.sleep(1.0)  # let the attackers settle in
            attacked = run_clients(url, images, args.clients, args.seconds)
        attacked["attacker_connections_open_median"] = (
            statistics.median(attack.open_samples) if attack.open_samples else 0
        )
        attacked["attacker_connections_reopened"] = attack.reopened
        report = {
            "solver": "LocalEngine" if args.engine else "fake (constant)",
            "clients": args.clients,
            "attackers": args.attackers,
            "seconds_per_phase": args.seconds,
            "server_defaults": "max_connections=64, header_timeout=5 s, body_timeout=10 s",
            "calm": calm,
            "attack": attacked,
            "p95_ratio_attack_over_calm": (
                round(attacked["latency_p95_ms"] / calm["latency_p95_ms"], 2)
                if attacked["latency_p95_ms"] and calm["latency_p95_ms"]
                else None
            ),
            "server_peak_rss_mib": {
                "after_calm": rss_calm and round(rss_calm, 1),
                "after_attack": round(server_peak_rss_mib(proc.pid) or 0.0, 1),
            },
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_average_before": [round(v, 2) for v in load_before],
                "load_average_after": [round(v, 2) for v in os.getloadavg()],
            },
        }
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
