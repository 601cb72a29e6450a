"""Screenshots of real third-party slider widgets from npm, labelled by the widget itself.

The engine is tuned on our generator and on ``../shared/realworld/``; the captchas users
meet are drawn by other people's code. This renders published npm widgets in headless
Chromium, each drawing its own piece, gap, outline and shadow on a background we hand
it, and reads the true distance from the widget's own state (the x it drew the gap at).
Every widget places its piece and gap at random, so each render is a new captcha.

Writes a folder in the ``labels.jsonl`` format (one sub-folder per widget and device
pixel ratio, e.g. ``vue-puzzle-vcode-dpr2/``), which ``bench_realworld.py --folder``
scores like any other source::

    python benchmarks/bench_widgets.py --per-widget 60 --dpr 1 2 --out .widgets/shots
    python benchmarks/bench_realworld.py --folder .widgets/shots --synthetic 0

``--live N`` solves N captchas per widget and DPR in the browser instead, checked against
the widget's own verdict; with ``--via-look`` the engine refuses every picture, so every
answer comes from the look (the piece seen moving, matched as its own picture).

The widgets are installed with npm into ``.widgets/`` (pinned versions, the npm registry
only; nothing of them is committed). Backgrounds: the six photographs that
vue-monoplasty-slide-verify ships, cropped, scaled and mirrored at random, and pictures
painted by ``omo_selenium.demo_site.backgrounds`` and the synthetic generator.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Pinned npm packages (name@version, licence): every widget's code comes from here.
PACKAGES = (
    "slider-captcha-js@1.0.8",  # MIT
    "vue-monoplasty-slide-verify@1.3.1",  # MIT, also ships the photographs
    "vue@2.7.16",  # MIT, for the two Vue 2 widgets
    "captcha-slider@1.0.4",  # ISC
    "rc-slider-captcha@1.9.0",  # MIT
    "create-puzzle@3.0.4",  # MIT, draws rc-slider-captcha's pictures in the browser
    "react@18.3.1",  # MIT
    "react-dom@18.3.1",  # MIT
    "vue-puzzle-vcode@1.1.10",  # ISC
    "slide-verify@1.0.7",  # MIT
    "esbuild@0.28.2",  # MIT, bundles the React page once
)

#: The Vue root's handlers of the two Vue widgets' success and fail events.
VUE_VERDICTS = "methods: {ok() { __v('ok'); }, ko() { __v('fail'); }}"

#: rc-slider-captcha is a React component: this page entry is bundled with esbuild.
RC_ENTRY = """
import React from 'react';
import { createRoot } from 'react-dom/client';
import SliderCaptcha from 'rc-slider-captcha';
import { createPuzzle } from 'create-puzzle';

window.renderCaptcha = (o) => {
  const request = async () => {
    const res = await createPuzzle(o.bg, {
      bgWidth: o.width, bgHeight: o.height, width: o.piece, height: o.piece,
    });
    window.truth = res.x;
    return { bgUrl: res.bgUrl, puzzleUrl: res.puzzleUrl };
  };
  createRoot(document.getElementById('root')).render(
    <SliderCaptcha request={request} bgSize={{ width: o.width, height: o.height }}
      puzzleSize={{ width: o.piece }}
      onVerify={(d) => Math.abs(d.x - window.truth) <= 5
        ? (__v('ok'), Promise.resolve()) : (__v('fail'), Promise.reject())} />
  );
};
"""


@dataclass(frozen=True)
class Widget:
    """One npm widget: how to put it on a page and where it keeps its answer.

    ``page(bg, rng)`` returns the HTML head and body for a background URL (scripts are
    loaded from ``/node_modules/``). ``truth`` is a JavaScript expression for the
    distance (CSS px) the piece must travel, ``null`` until the widget has drawn;
    ``element`` the CSS selector of the picture to screenshot, ``handle`` that of the
    slider handle (``--live``). Every page reports the widget's own verdict through its
    success and failure callbacks into ``window.__verdicts``.
    """

    name: str
    page: Callable[[str, random.Random], tuple[str, str]]
    truth: str
    element: str
    handle: str


def _slider_captcha_js(bg: str, rng: random.Random) -> tuple[str, str]:
    w, h = rng.choice([(320, 160), (300, 150), (360, 180), (280, 160)])
    piece = rng.choice([40, 44, 48])
    head = (
        '<link rel=stylesheet href="/node_modules/slider-captcha-js/dist/slider-captcha.css">'
        '<script src="/node_modules/slider-captcha-js/dist/slider-captcha.umd.js"></script>'
    )
    body = (
        "<div id=stage></div><script>window.cap = new SliderCaptcha({root: '#stage', "
        f"width: {w}, height: {h}, pieceSize: {piece}, imageUrl: '{bg}', "
        "onSuccess: () => __v('ok'), onFail: () => __v('fail')});</script>"
    )
    return head, body


def _vue_monoplasty(bg: str, rng: random.Random) -> tuple[str, str]:
    w, h = rng.choice([(310, 155), (300, 150), (360, 180), (320, 160)])
    side, radius = rng.choice([(42, 10), (42, 7), (38, 9), (48, 10)])
    head = (
        '<script src="/node_modules/vue/dist/vue.js"></script>'
        '<script src="/node_modules/vue-monoplasty-slide-verify/dist/slide-verify.js"></script>'
    )
    body = (
        f'<div id=app><slide-verify ref=sv :l="{side}" :r="{radius}" :w="{w}" :h="{h}" '
        f':imgs="[\'{bg}\']" slider-text=Slide @success="ok" @fail="ko"></slide-verify></div>'
        "<script>Vue.use(SlideVerify.default || SlideVerify);"
        f"window.vm = new Vue({{el: '#app', {VUE_VERDICTS}}});</script>"
    )
    return head, body


def _captcha_slider(bg: str, rng: random.Random) -> tuple[str, str]:
    w = rng.choice([300, 320, 360, 400])
    rate = rng.choice([0.1, 0.12, 0.15])
    head = '<script src="/node_modules/captcha-slider/dist/captchaSlider.iife.js"></script>'
    body = (
        f'<div class=captcha-slider style="width: {w}px"></div><script>window.cap = '
        f"new CaptchaSlider({{el: '.captcha-slider', picList: ['{bg}'], "
        f"slideSizeRate: {rate}, onSuccess: () => __v('ok'), onFail: () => __v('fail')}});</script>"
    )
    return head, body


def _rc_slider_captcha(bg: str, rng: random.Random) -> tuple[str, str]:
    w, h = rng.choice([(320, 160), (300, 150), (360, 180), (340, 190)])
    piece = rng.choice([50, 60, 60, 70])
    head = '<script src="/rc-bundle.js"></script>'
    body = (
        f'<div id=root style="width: {w}px"></div><script>renderCaptcha({{bg: "{bg}", '
        f"width: {w}, height: {h}, piece: {piece}}});</script>"
    )
    return head, body


def _vue_puzzle_vcode(bg: str, rng: random.Random) -> tuple[str, str]:
    w, h = rng.choice([(310, 160), (300, 150), (360, 180), (320, 200)])
    scale = rng.choice([0.8, 1.0, 1.0, 1.3])
    head = (
        '<script src="/node_modules/vue/dist/vue.js"></script>'
        '<script src="/node_modules/vue-puzzle-vcode/dist/main.js"></script>'
    )
    body = (
        f'<div id=app><vcode ref=vc :show="true" :canvas-width="{w}" :canvas-height="{h}" '
        f':puzzle-scale="{scale}" :imgs="[\'{bg}\']" @success="ok" @fail="ko"></vcode></div>'
        "<script>var V = window['vue-puzzle-vcode']; Vue.component('vcode', V.default || V);"
        f"window.vm = new Vue({{el: '#app', {VUE_VERDICTS}}});</script>"
    )
    return head, body


def _slide_verify(bg: str, rng: random.Random) -> tuple[str, str]:
    head = '<script src="/node_modules/slide-verify/dist/slide-verify.js"></script>'
    body = (
        "<div id=root></div><script>var S = window.SlideVerify.default || window.SlideVerify;"
        f"window.cap = new S({{elementId: 'root', photo: '{bg}', onSuccess: () => __v('ok'), "
        "onFail: () => __v('fail')});</script>"
    )
    return head, body


#: The widgets. Each truth is read as the widget's code defines it: where it drew the
#: gap, less where the piece's picture starts (some cut the piece 3 px left of the gap).
WIDGETS = (
    Widget(
        "slider-captcha-js",
        _slider_captcha_js,
        "window.cap && cap.loadingBox.style.display === 'none' && cap.targetX",
        ".slider-captcha-stage",
        ".slider-captcha-thumb",
    ),
    Widget(
        "vue-monoplasty-slide-verify",
        _vue_monoplasty,
        "window.vm && !vm.$refs.sv.loadBlock && vm.$refs.sv.block_x",
        ".slide-verify canvas",
        ".slide-verify-slider-mask-item",
    ),
    Widget(
        "captcha-slider",
        _captcha_slider,
        "window.cap && cap.captchaCavans && cap.captchaCavans.img.complete && cap.captchaCavans."
        "targetSlidePosition[0] * cap.captchaCavans.canvas.getBoundingClientRect().width"
        " / cap.captchaCavans.canvas.width",
        ".captcha-slider canvas",
        ".captcha_slide_block",
    ),
    Widget(
        "rc-slider-captcha",
        _rc_slider_captcha,
        "Array.from(document.querySelectorAll('.rc-slider-captcha-jigsaw img'))"
        ".every(i => i.complete && i.naturalWidth) && window.truth",
        ".rc-slider-captcha-jigsaw",
        ".rc-slider-captcha-control-button",
    ),
    Widget(
        "vue-puzzle-vcode",
        _vue_puzzle_vcode,
        "window.vm && !vm.$refs.vc.loading && vm.$refs.vc.pinX - 3",
        ".auth-body_",
        ".range-btn",
    ),
    Widget(
        "slide-verify",
        _slide_verify,
        "window.cap && cap.x !== undefined && cap.x - 3",
        "#ImgVerif > canvas",
        "#ImgVerif .slider",
    ),
)


def install(prefix: Path) -> None:
    """npm-install the pinned packages into ``prefix`` and bundle the React page."""
    if shutil.which("npm") is None:
        sys.exit("bench_widgets: npm is needed (Node.js and the npm registry)")
    marker = prefix / "installed.json"
    if not marker.exists() or json.loads(marker.read_text()) != list(PACKAGES):
        prefix.mkdir(parents=True, exist_ok=True)
        print(f"npm install into {prefix} ...", file=sys.stderr)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(prefix),
                "--no-audit",
                "--no-fund",
                "--legacy-peer-deps",
                *PACKAGES,
            ],
            check=True,
            timeout=600,
        )
        marker.write_text(json.dumps(list(PACKAGES)))
    bundle = prefix / "rc-bundle.js"
    entry = prefix / "rc-entry.jsx"
    if not bundle.exists() or not entry.exists() or entry.read_text() != RC_ENTRY:
        entry.write_text(RC_ENTRY)
        subprocess.run(
            [
                str(prefix / "node_modules" / ".bin" / "esbuild"),
                str(entry),
                "--bundle",
                "--minify",
                f"--outfile={bundle}",
            ],
            check=True,
            timeout=120,
        )


def _background(rng: random.Random, photos: list[Path], w: int, h: int) -> Image.Image:
    """A photograph crop half of the time, else a painted or generated picture."""
    roll = rng.random()
    if roll < 0.5:
        im = Image.open(rng.choice(photos)).convert("RGB")
        zoom = rng.uniform(1.0, 2.0)
        cw, ch = int(im.width / zoom), int(im.height / zoom)
        x0, y0 = rng.randint(0, im.width - cw), rng.randint(0, im.height - ch)
        im = im.crop((x0, y0, x0 + cw, y0 + ch))
        if rng.random() < 0.5:
            im = ImageOps.mirror(im)
    elif roll < 0.75:
        from omo_selenium.demo_site.backgrounds import render_background

        im = render_background(w, h, np.random.default_rng(rng.randrange(1 << 30)))
    else:
        from omo_selenium.testing.synthetic import _background as painted

        kind = rng.choice(["photo", "texture", "shapes", "gradient", "noise"])
        arr = painted(kind, rng, w, h)
        im = Image.fromarray((np.clip(arr, 0, 1) * 255).astype(np.uint8), "RGB")
    return im.resize((2 * w, 2 * h), Image.Resampling.LANCZOS)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) until the block ends."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


#: Set before the widget's scripts: where its success and failure callbacks report.
VERDICTS = "<script>window.__verdicts = []; window.__v = (x) => __verdicts.push(x);</script>"


def captchas(
    widget: Widget, n: int, dpr: float, seed: int, prefix: Path, photos: list[Path]
) -> Iterator[tuple[int, Any, float]]:
    """Open ``n`` fresh captchas of ``widget`` in one browser; yield (index, driver, truth)
    once each has drawn (a widget that does not draw within 15 s is skipped)."""
    rng = random.Random(f"{widget.name}/{seed}")
    name = f"{widget.name}-dpr{dpr:g}"
    scratch = prefix / "pages"
    scratch.mkdir(exist_ok=True)
    from omo_selenium import Chrome  # a fresh profile, removed again on quit

    with serving(prefix) as base, Chrome(device_scale_factor=dpr) as driver:
        for i in range(n):
            bg = f"{name}-{seed}-{i}.jpg"
            _background(rng, photos, 400, 200).save(scratch / bg, quality=90)
            head, body = widget.page(f"/pages/{bg}", rng)
            page = f"{name}-{seed}-{i}.html"
            (scratch / page).write_text(
                f"<!doctype html><html><head><meta charset=utf-8>{VERDICTS}{head}</head>"
                f'<body style="margin: 20px; background: #fff">{body}</body></html>'
            )
            driver.get(f"{base}/pages/{page}")
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                truth = driver.execute_script(f"return ({widget.truth}) ?? null")
                if isinstance(truth, (int, float)) and not isinstance(truth, bool):
                    break
                time.sleep(0.05)
            else:
                print(f"{name} #{i}: the widget did not draw in 15 s, skipped", file=sys.stderr)
                continue
            time.sleep(0.3)  # fades and transitions settle
            yield i, driver, float(truth)


def render(
    widget: Widget, n: int, dpr: float, seed: int, prefix: Path, out: Path, photos: list[Path]
) -> list[dict[str, object]]:
    """Render ``n`` captchas of ``widget``; write their PNGs, return their labels."""
    name = f"{widget.name}-dpr{dpr:g}"
    (out / name).mkdir(parents=True, exist_ok=True)
    labels: list[dict[str, object]] = []
    for i, driver, truth in captchas(widget, n, dpr, seed, prefix, photos):
        element = driver.find_element("css selector", widget.element)
        file = f"{name}/{i:03d}.png"
        (out / file).write_bytes(element.screenshot_as_png)
        labels.append(
            {
                "file": file,
                "width_view": element.rect["width"],
                "answer_css": truth,
                "dpr": dpr,
                "widget": f"{widget.name} (npm), rendered by benchmarks/bench_widgets.py",
            }
        )
    return labels


def _look_only_engine() -> Any:
    """A LocalEngine that refuses every picture without its piece: each solve then goes
    through the look (the piece seen moving, matched as its own picture)."""
    from omo_selenium import LocalEngine, SolveFailed

    class LookOnly(LocalEngine):
        def locate(self, image: Any, width_view: float | None = None, *, piece: Any = None) -> Any:
            if piece is None:
                raise SolveFailed("benchmark: every picture is refused, the look answers")
            return super().locate(image, width_view, piece=piece)

    return LookOnly()


def live(
    widget: Widget,
    n: int,
    dpr: float,
    seed: int,
    prefix: Path,
    photos: list[Path],
    *,
    via_look: bool = False,
) -> dict[str, Any]:
    """Solve ``n`` captchas of ``widget`` with a plain ``SliderSolver(driver).solve(image,
    handle, attempts=1)`` (no ``success=``: the verdict is read from the page) and check
    the outcome against the widget's own callbacks. With ``via_look``, the engine refuses
    every picture, so every answer comes from the look."""
    from omo_selenium import SliderSolver

    runs = []
    for i, driver, truth in captchas(widget, n, dpr, seed + 1000, prefix, photos):
        solver = SliderSolver(driver, _look_only_engine()) if via_look else SliderSolver(driver)
        t0 = time.monotonic()
        result = solver.solve(widget.element, widget.handle, attempts=1)
        seconds = time.monotonic() - t0
        time.sleep(1.5)  # a widget that answers late still reports into __verdicts
        said = driver.execute_script("return window.__verdicts")
        rec = result.attempts[-1] if result.attempts else None
        runs.append(
            {
                "i": i,
                "truth_css": truth,
                "answer_css": None if rec is None else rec.distance_css,
                "answered_by": None if rec is None else rec.answered_by,
                "handle_css": None if rec is None else rec.handle_css,
                "ratio": None if rec is None else rec.ratio,
                "verdict": None if result.verdict is None else str(result.verdict.value),
                "verdict_reason": result.verdict_reason,
                "error": result.error,
                "widget_said": said,
                "seconds": round(seconds, 2),
                "success": result.success,
                "widget_ok": "ok" in (said or []),
            }
        )
        print(f"  {widget.name} dpr{dpr:g} #{i}: {runs[-1]}", file=sys.stderr)
    return {
        "runs": len(runs),
        "widget_accepted": sum(r["widget_ok"] for r in runs),
        "reported_success": sum(r["success"] for r in runs),
        "false_accepted": sum(r["success"] and not r["widget_ok"] for r in runs),
        "missed_acceptance": sum(r["widget_ok"] and not r["success"] for r in runs),
        "median_seconds": statistics.median(r["seconds"] for r in runs) if runs else None,
        "detail": runs,
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, render every widget, write the labelled folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-widget", type=int, default=60, help="captchas per widget and DPR")
    parser.add_argument("--dpr", type=float, nargs="+", default=[1.0, 2.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--widget", action="append", help="only these widgets (repeatable)")
    parser.add_argument("--prefix", type=Path, default=ROOT / ".widgets", help="npm folder")
    parser.add_argument("--out", type=Path, default=ROOT / ".widgets" / "shots")
    parser.add_argument(
        "--live",
        type=int,
        default=0,
        metavar="N",
        help="instead: solve N captchas per widget and DPR in the browser (first attempt), "
        "checked against the widget's own verdict; JSON to --live-out",
    )
    parser.add_argument("--live-out", type=Path, help="results JSON of --live")
    parser.add_argument(
        "--via-look",
        action="store_true",
        help="with --live: the engine refuses every picture, so every answer is the look's",
    )
    args = parser.parse_args(argv)
    install(args.prefix)
    photos = sorted(
        (args.prefix / "node_modules" / "vue-monoplasty-slide-verify" / "dist" / "imgs").glob(
            "*.jpg"
        )
    )
    chosen = [w for w in WIDGETS if not args.widget or w.name in args.widget]
    started = time.monotonic()
    if args.live:
        logging.basicConfig(level=logging.WARNING)
        report: dict[str, Any] = {
            "load_average": list(os.getloadavg()),
            "via_look": args.via_look,
            "widgets": {},
        }
        for widget in chosen:
            for dpr in args.dpr:
                got = live(
                    widget, args.live, dpr, args.seed, args.prefix, photos, via_look=args.via_look
                )
                report["widgets"][f"{widget.name}-dpr{dpr:g}"] = got
                summary = {k: v for k, v in got.items() if k != "detail"}
                print(f"{widget.name} at DPR {dpr:g}: {summary}", file=sys.stderr)
        report["load_average_after"] = list(os.getloadavg())
        text = json.dumps(report, indent=1)
        if args.live_out:
            args.live_out.write_text(text)
        print(f"live: {time.monotonic() - started:.0f} s", file=sys.stderr)
        return 0
    labels: list[dict[str, object]] = []
    for widget in chosen:
        for dpr in args.dpr:
            t0 = time.monotonic()
            got = render(widget, args.per_widget, dpr, args.seed, args.prefix, args.out, photos)
            labels += got
            print(
                f"{widget.name} at DPR {dpr:g}: {len(got)} captchas in "
                f"{time.monotonic() - t0:.0f} s",
                file=sys.stderr,
            )
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "labels.jsonl").open("w") as f:
        for rec in labels:
            f.write(json.dumps(rec) + "\n")
    print(
        f"{len(labels)} captchas in {args.out} ({time.monotonic() - started:.0f} s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
