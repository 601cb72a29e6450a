"""``omo-selenium`` command line: ``demo``, ``serve``, ``demo-site``, ``solve`` and ``balance``.

The only module that prints; everything else logs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from . import __version__
from ._types import Solver
from .errors import OmoCaptchaError

__all__ = ["main"]

logger = logging.getLogger("omo_selenium.cli")


def _variant(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"variant must look like key=value, got {text!r}")
    return key.strip(), value.strip()


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError("must be a number of seconds above 0")
    return value


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omo-selenium",
        description="Solve web slider captchas from Selenium (omocaptcha API or offline engine).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo", help="solve demo_site captchas in headless Chromium (offline by default)"
    )
    demo.add_argument("--runs", type=_positive_int, default=5, help="captchas to solve (default 5)")
    demo.add_argument(
        "--variant",
        type=_variant,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="demo page variant, repeatable: scale=0.62, iframe=1, fold=1, decoys=2, "
        "shape=star, ratio=0.8, delay=1000, sample=50",
    )
    demo.add_argument("--dpr", type=float, default=None, help="device pixel ratio, e.g. 1.5 or 2")
    demo.add_argument("--headed", action="store_true", help="show the browser window")
    demo.add_argument("--parallel", type=_positive_int, default=1, help="browser sessions at once")
    demo.add_argument("--grid", metavar="URL", help="run the browsers on this Selenium Grid")
    demo.add_argument("--attempts", type=_positive_int, default=3, help="captchas per run")
    demo.add_argument("--api-key", help="use the omocaptcha API with this key (else: offline)")
    demo.add_argument("--base-url", help="omocaptcha-compatible API base URL")
    demo.add_argument(
        "--via-server",
        action="store_true",
        help="offline, but through a local omocaptcha-compatible server over HTTP",
    )
    demo.add_argument(
        "--no-landing-check",
        action="store_true",
        help="release without checking that the piece sits over the gap",
    )
    demo.add_argument(
        "--debug-dir",
        type=Path,
        metavar="PATH",
        help="save every attempt's pictures, drag path and timings (open PATH/index.html)",
    )
    demo.add_argument("--json", action="store_true", help="print the summary as JSON")
    demo.add_argument(
        "--min-success",
        type=float,
        default=0.9,
        metavar="RATE",
        help="exit with status 1 when fewer runs than this share are solved (default 0.9)",
    )

    serve = sub.add_parser("serve", help="run a local omocaptcha-compatible API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8090)
    serve.add_argument(
        "--token",
        action="append",
        dest="tokens",
        metavar="TOKEN",
        help="accepted API token, repeatable (default: on 127.0.0.1 any non-empty token; "
        "on any other host one is generated and printed)",
    )
    serve.add_argument("--workers", type=_positive_int, default=2, help="solver threads")
    serve.add_argument("--max-queue", type=_positive_int, default=64, help="jobs waiting at most")
    serve.add_argument(
        "--max-connections",
        type=_positive_int,
        default=64,
        help="connections served at once; when all are taken the one idle or sending its "
        "request the longest is closed for a newcomer (default 64)",
    )
    serve.add_argument(
        "--header-timeout",
        type=_positive_seconds,
        default=5.0,
        metavar="SECONDS",
        help="time for a request line and all its headers (default 5)",
    )
    serve.add_argument(
        "--body-timeout",
        type=_positive_seconds,
        default=10.0,
        metavar="SECONDS",
        help="time for a whole request body (default 10)",
    )
    serve.add_argument(
        "--max-image-pixels",
        type=_positive_int,
        default=4_000_000,
        metavar="PIXELS",
        help="largest captcha image, width x height (default 4000000)",
    )

    site = sub.add_parser("demo-site", help="run the demo slider captcha site")
    site.add_argument("--host", default="127.0.0.1")
    site.add_argument("--port", type=int, default=8000)

    grid = sub.add_parser("grid", help="run a local Selenium Grid (standalone) for Chromium")
    grid.add_argument("--port", type=int, default=4444)
    grid.add_argument("--max-sessions", type=_positive_int, default=None)

    solve = sub.add_parser("solve", help="solve one captcha image file offline")
    solve.add_argument("image", type=Path, help="screenshot of the captcha (PNG, JPEG)")
    solve.add_argument(
        "--width-view", type=float, help="displayed CSS width (default: image width)"
    )
    balance = sub.add_parser(
        "balance",
        help="show what is left on an omocaptcha account (key from OMOCAPTCHA_API_KEY)",
    )
    balance.add_argument(
        "--api-key", help="the account key (prefer OMOCAPTCHA_API_KEY: arguments show in ps)"
    )
    balance.add_argument("--base-url", help="omocaptcha-compatible API base URL")
    balance.add_argument(
        "--api",
        choices=("job", "task"),
        help="job (/api/getBalance) or task (/v2/getBalance); default OMOCAPTCHA_API, else job",
    )
    balance.add_argument("--json", action="store_true", help="print the balance as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _build_parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "demo": _demo,
        "serve": _serve,
        "demo-site": _demo_site,
        "grid": _grid,
        "solve": _solve,
        "balance": _balance,
    }
    try:
        return commands[args.command](args)
    except OmoCaptchaError as exc:
        print(f"omo-selenium: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("omo-selenium: interrupted", file=sys.stderr)
        return 130


def _serve(args: argparse.Namespace) -> int:
    from .api.server import run_server

    run_server(
        host=args.host,
        port=args.port,
        tokens=args.tokens,
        workers=args.workers,
        max_queue=args.max_queue,
        ready=lambda url: print(f"omocaptcha-compatible API at {url} (Ctrl-C stops)", flush=True),
        on_token=lambda token: print(
            f"no --token given on a shared interface: use this generated api_token: {token}",
            flush=True,
        ),
        max_connections=args.max_connections,
        header_timeout=args.header_timeout,
        request_timeout=args.body_timeout,
        max_image_pixels=args.max_image_pixels,
    )
    return 0


def _demo_site(args: argparse.Namespace) -> int:
    from .demo_site import serve

    serve(
        args.host,
        args.port,
        ready=lambda url: print(f"demo site at {url} (Ctrl-C stops)", flush=True),
    )
    return 0


def _grid(args: argparse.Namespace) -> int:
    from .testing.grid import run_grid

    run_grid(
        port=args.port,
        max_sessions=args.max_sessions,
        ready=lambda url: print(f"Selenium Grid at {url} (Ctrl-C stops)", flush=True),
    )
    return 0


def _solve(args: argparse.Namespace) -> int:
    from .engine.local import LocalEngine
    from .images import open_image

    try:
        data = args.image.read_bytes()
    except OSError as exc:
        print(f"omo-selenium: error: cannot read {args.image}: {exc.strerror}", file=sys.stderr)
        return 2
    width_view = args.width_view or open_image(data).width
    match = LocalEngine().locate(data, width_view)
    print(
        json.dumps(
            {
                "distance_css": round(match.distance_css, 2),
                "distance_px": round(match.distance_px, 2),
                "piece_box": match.piece_box,
                "gap_box": match.gap_box,
                "confidence": round(match.confidence, 3),
            }
        )
    )
    return 0


def _balance(args: argparse.Namespace) -> int:
    from .api.client import OmoCaptchaClient
    from .config import resolve_api_key

    if resolve_api_key(args.api_key) is None:
        print(
            "omo-selenium balance: error: no API key: set OMOCAPTCHA_API_KEY (or pass --api-key)",
            file=sys.stderr,
        )
        return 2
    with OmoCaptchaClient(args.api_key, args.base_url, api=args.api) as client:
        balance = client.balance()
    if args.json:
        where = {"api": client.api, "base_url": client.base_url}
        print(json.dumps({**where, **dataclasses.asdict(balance)}))
        return 0
    print(f"balance: {balance.amount:g} ({client.api} API at {client.base_url})")
    if balance.solves_left is not None:
        print(f"solves left in package: {balance.solves_left}")
    if balance.promotional is not None:
        print(f"promotional balance: {balance.promotional:g}")
    return 0


@contextmanager
def _solver_factory(args: argparse.Namespace) -> Iterator[tuple[Callable[[], Solver], str]]:
    """Yield a factory of solvers (one per session) and a description of the path."""
    from .api.client import OmoCaptchaClient
    from .config import resolve_api_key

    key = resolve_api_key(args.api_key)
    if key:
        yield (
            lambda: OmoCaptchaClient(key, args.base_url, poll_interval=1.0),
            "omocaptcha API",
        )
        return
    if args.via_server:
        from .api.server import OmoServer

        token = secrets.token_urlsafe(16)
        with OmoServer(tokens=[token], workers=max(2, args.parallel)) as server:
            yield (
                lambda: OmoCaptchaClient(token, server.url, poll_interval=0.2),
                f"local API server at {server.url}",
            )
        return
    from .engine.local import LocalEngine

    yield LocalEngine, "local engine (offline)"


def _driver_factory(args: argparse.Namespace) -> Callable[[], Any]:
    from .drivers import Chrome, Remote, default_options

    if args.grid:

        def remote() -> Any:
            options = default_options(headless=not args.headed, device_scale_factor=args.dpr)
            return Remote(command_executor=args.grid, options=options)

        return remote
    return lambda: Chrome(headless=not args.headed, device_scale_factor=args.dpr)


def _demo(args: argparse.Namespace) -> int:
    from .demo_site import DemoSite
    from .testing.demo import RunRecord, run_demo

    variant = dict(args.variant)
    try:
        from .demo_site import Variant

        Variant.from_query(variant)
    except ValueError as exc:
        print(f"omo-selenium demo: error: bad --variant: {exc}", file=sys.stderr)
        return 2
    options: dict[str, Any] = {"check_landing": False} if args.no_landing_check else {}
    if args.debug_dir:
        options["debug_dir"] = args.debug_dir
    where = f"Grid {args.grid}" if args.grid else "local headless Chromium"
    with ExitStack() as stack:
        site = stack.enter_context(DemoSite())
        make_solver, path = stack.enter_context(_solver_factory(args))
        print(
            f"demo: {args.runs} run(s), {args.parallel} session(s) on {where}, solver: {path}\n"
            f"demo site: {site.url_for(**variant)}",
            flush=True,
        )
        print(
            f"{'run':>4} {'sess':>4} {'result':<8} {'tries':>5} {'solve s':>8} "
            f"{'total s':>8} {'landing px':>10}  note",
            flush=True,
        )

        def progress(record: RunRecord) -> None:
            landing = (
                "-" if record.landing_error_css is None else f"{record.landing_error_css:+.1f}"
            )
            print(
                f"{record.index:>4} {record.session:>4} "
                f"{'solved' if record.success else 'FAILED':<8} {record.attempts:>5} "
                f"{record.timings.get('solve', 0):>8.3f} {record.elapsed:>8.2f} {landing:>10}  "
                f"{record.error or ''}",
                flush=True,
            )

        report = run_demo(
            site,
            runs=args.runs,
            make_driver=_driver_factory(args),
            make_solver=make_solver,
            variant=variant,
            parallel=args.parallel,
            attempts=args.attempts,
            solver_options=options,
            on_run=progress,
        )
    summary = report.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        med = summary["median_seconds"]
        steps = ", ".join(f"{k} {v:.3f}" for k, v in med.items() if v is not None)
        replaced = summary["sessions_replaced"]
        print(
            f"\nsolved {summary['solved']}/{summary['runs']} "
            f"({100 * summary['success_rate']:.0f} %), mean attempts "
            f"{summary['mean_attempts'] or 0:.2f}, server verdicts agree: "
            f"{summary['server_verdicts_agree']}\n"
            f"median seconds: {steps}\n"
            f"throughput: {summary['solves_per_minute']} solves/min over "
            f"{summary['sessions']} session(s), {summary['wall_seconds']} s wall"
            + (f", {replaced} session(s) replaced" if replaced else "")
        )
    if args.debug_dir:
        print(f"debug view: {args.debug_dir / 'index.html'}")
    return 0 if summary["success_rate"] >= args.min_success else 1
