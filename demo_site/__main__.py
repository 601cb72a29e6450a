"""``python -m demo_site``: serve the demo captcha site until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import sys

from .server import serve
from .variants import SHAPES, STYLES

#: One line per variant: query example and what it is for.
VARIANT_HELP = (
    ("scale=1.6", "picture served at 1.6x its displayed size (natural 544 px shown at 340)"),
    ("iframe=1", "widget inside an iframe"),
    ("fold=1", "widget about 2000 px below the top of the page"),
    ("decoys=2", "decoy gaps painted into the picture (0-4)"),
    ("shape=star", "piece shape: " + ", ".join(SHAPES)),
    ("style=glow", "outline and shadow look: " + ", ".join(STYLES)),
    ("ratio=auto", "handle-to-piece ratio: auto (travel mapping) or a number in 0.5-2"),
    ("delay=1000", "server waits this many ms before the verdict"),
    ("sample=100", "page reads the pointer only every N ms"),
    ("strict=1", "server rejects robotic drags (under 5 points, perfectly flat)"),
    ("hover=1", "press ignored until the pointer rested on the handle (250-700 ms)"),
    ("jump=1", "handle's left edge jumps to the pointer on press"),
    ("verdict=class", "verdict only as a class on #captcha (no text)"),
    ("late=1", "verdict shown 0.7-1.3 s after release"),
    ("reset=1", "after a failure: slide back, clear, new picture"),
    ("outside=1", "piece is its own img/canvas, starting left of the picture"),
    ("tolerance=2", "accept only +-2 natural px"),
)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, serve until interrupted, and return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m demo_site", description="Serve the demo slider-captcha site."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to bind (8000; 0 = any)")
    parser.add_argument("--seed", type=int, default=None, help="seed for reproducible pictures")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )

    def ready(url: str) -> None:
        print(f"Demo captcha site on {url}/  (Ctrl-C to stop)")
        print("Variants (combine with &):")
        for query, text in VARIANT_HELP:
            print(f"  {url}/?{query:<13}  {text}")
        sys.stdout.flush()

    try:
        serve(args.host, args.port, ready=ready, seed=args.seed)
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
