"""Seeded generator of synthetic slider-captcha screenshots, for tests and benchmarks.

It draws a background, cuts a piece of some shape out of it, renders the gap (darkened,
whitened, grayed or filled, with or without an inner outline or bevel; an inner shadow only
when asked for: ``gap_outline="inner_shadow"``), optionally adds
decoy gaps, pastes the piece near the left edge (with outline, shadow, glow or bevel), then
scales the whole picture like a browser would (image scale x device pixel ratio) and adds
noise and JPEG artifacts.

It is deliberately independent of the engine (it must not import ``omo_selenium.engine``)
so that the tests measure the engine against an outside truth.

Example:
    >>> cap = make_slider_image(7, shape="star")
    >>> cap.image.size[0] == round(cap.width_view * cap.dpr)
    True
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

__all__ = [
    "BACKGROUNDS",
    "DECOYS",
    "DECOY_WEIGHTS",
    "EXTRA_GAP_OUTLINES",
    "GAP_OUTLINES",
    "GAP_STYLES",
    "HALOS",
    "OUTLINES",
    "SHAPES",
    "DragPair",
    "SyntheticCaptcha",
    "make_background",
    "make_drag_pair",
    "make_slider_image",
]

Box = tuple[int, int, int, int]
FArray = np.ndarray[Any, np.dtype[np.float64]]

BACKGROUNDS = ("photo", "gradient", "shapes", "texture", "noise", "flat")
SHAPES = ("jigsaw", "square", "rounded", "circle", "triangle", "star", "shield")
OUTLINES = ("white", "black", "color", "none")
HALOS = ("none", "shadow", "glow")
GAP_STYLES = ("darken", "white", "gray", "solid")
GAP_OUTLINES = ("none", "line", "bevel")
#: Gap outlines drawn only when asked for (``gap_outline=...``), kept out of the random
#: draw so that the default set stays the one the benchmarks were measured on.
#: ``inner_shadow``: the gap darkest along its rim and lighter inwards, a soft shadow a
#: tenth of the piece wide inside the outline (as GeeTest-style widgets draw it).
EXTRA_GAP_OUTLINES = ("inner_shadow",)
DECOYS = ("none", "other_rows", "same_rows_shape", "same_rows_same_shape")
#: How often each decoy kind is drawn (most real widgets show no decoy at all).
DECOY_WEIGHTS = (0.4, 0.25, 0.2, 0.15)

_SS = 4  # supersampling factor for antialiased shape masks
#: Smallest mean colour difference (0..1, about 4 grey levels) between the picture around
#: the real gap and around a same-shape decoy: below it the two are indistinguishable.
TWIN_MIN_CONTRAST = 4 / 255


@dataclass(frozen=True)
class SyntheticCaptcha:
    """One generated screenshot and its ground truth.

    Attributes:
        image: the screenshot (RGB), in device pixels.
        width_view: CSS width at which the image is displayed.
        true_distance_css: piece left edge -> gap left edge, in CSS px.
        piece_box: (x, y, w, h) of the piece's shape in screenshot px (halo excluded).
        gap_box: (x, y, w, h) of the gap in screenshot px.
        dpr: device pixel ratio used.
        params: every random choice made (background, shape, styles, sizes, ...).
    """

    image: Image.Image
    width_view: float
    true_distance_css: float
    piece_box: tuple[float, float, float, float]
    gap_box: tuple[float, float, float, float]
    dpr: float
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DragPair:
    """Two screenshots of one captcha, before and after the piece moved right.

    Attributes:
        before: the screenshot before the drag.
        after: the screenshot after the drag (same size).
        shift_px: how far the piece moved, in screenshot px (may be fractional).
        handle_shift_px: how far the slider handle moved (0 when no handle is drawn).
        params: the choices made.
    """

    before: Image.Image
    after: Image.Image
    shift_px: float
    handle_shift_px: float
    params: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers


def _np_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(64))


def _resize_f(arr: FArray, w: int, h: int, resample: int = Image.Resampling.BICUBIC) -> FArray:
    img = Image.fromarray(arr.astype(np.float32), mode="F").resize((w, h), resample)
    return np.asarray(img, dtype=np.float64)


def _smooth_noise(nrng: np.random.Generator, w: int, h: int, cell: float) -> FArray:
    gw = max(2, int(w / cell) + 3)
    gh = max(2, int(h / cell) + 3)
    small = nrng.random((gh, gw))
    big = _resize_f(small, int(gw * cell), int(gh * cell))
    return big[:h, :w]


def _fractal(nrng: np.random.Generator, w: int, h: int, beta: float, smallest: float) -> FArray:
    out = np.zeros((h, w))
    cell = max(w, h) / 2.0
    amp = 1.0
    total = 0.0
    while cell >= smallest:
        out += amp * (_smooth_noise(nrng, w, h, cell) - 0.5)
        total += amp
        amp *= 0.5**beta
        cell /= 2.0
    out /= total
    lo, hi = np.percentile(out, [1, 99])
    clipped: FArray = np.clip((out - lo) / max(hi - lo, 1e-6), 0.0, 1.0)
    return clipped


def _color(rng: random.Random, lo: float = 0.0, hi: float = 1.0) -> FArray:
    return np.array([rng.uniform(lo, hi) for _ in range(3)])


def _blur(arr: FArray, radius: float) -> FArray:
    if radius <= 0:
        return arr
    img = Image.fromarray(np.clip(arr * 255.0, 0, 255).astype(np.uint8), mode="L")
    return np.asarray(img.filter(ImageFilter.GaussianBlur(radius)), dtype=np.float64) / 255.0


def _morph(mask: FArray, px: int, grow: bool) -> FArray:
    if px <= 0:
        return mask
    img = Image.fromarray(np.clip(mask * 255.0, 0, 255).astype(np.uint8), mode="L")
    filt = ImageFilter.MaxFilter(2 * px + 1) if grow else ImageFilter.MinFilter(2 * px + 1)
    return np.asarray(img.filter(filt), dtype=np.float64) / 255.0


def _shift(mask: FArray, dx: int, dy: int) -> FArray:
    out = np.zeros_like(mask)
    h, w = mask.shape
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[yd, xd] = mask[ys, xs]
    return out


# --------------------------------------------------------------------------- backgrounds


def _background(kind: str, rng: random.Random, w: int, h: int) -> FArray:
    nrng = _np_rng(rng)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    if kind == "photo":
        fields = [_fractal(nrng, w, h, rng.uniform(0.8, 1.6), 2.0) for _ in range(3)]
        palette = [_color(rng) for _ in range(3)]
        img = cast(FArray, sum(f[..., None] * c for f, c in zip(fields, palette, strict=True)))
        img = img / 1.5
        horizon = rng.uniform(0.3, 0.7) * h
        sky = np.clip((horizon - yy) / (0.2 * h), 0, 1)[..., None]
        img = img * (1 - 0.5 * sky) + 0.5 * sky * _color(rng, 0.5, 1.0)
    elif kind == "gradient":
        ang = rng.uniform(0, math.pi)
        t = (xx * math.cos(ang) + yy * math.sin(ang)) / (w + h)
        t = (t - t.min()) / max(t.max() - t.min(), 1e-6)
        c1, c2 = _color(rng), _color(rng)
        img = c1 * (1 - t[..., None]) + c2 * t[..., None]
        img = img + 0.05 * (_smooth_noise(nrng, w, h, w / 3.0)[..., None] - 0.5)
    elif kind == "shapes":
        base = _background("gradient", rng, w, h)
        pil = Image.fromarray(np.clip(base * 255, 0, 255).astype(np.uint8), mode="RGB")
        draw = ImageDraw.Draw(pil)
        for _ in range(rng.randint(12, 40)):
            col = tuple(rng.randint(0, 255) for _ in range(3))
            cx, cy = rng.uniform(-0.1, 1.1) * w, rng.uniform(-0.1, 1.1) * h
            r = rng.uniform(0.03, 0.25) * w
            k = rng.random()
            if k < 0.4:
                draw.ellipse((cx - r, cy - r * rng.uniform(0.4, 1.0), cx + r, cy + r), fill=col)
            elif k < 0.7:
                draw.rectangle((cx - r, cy - r * rng.uniform(0.3, 1.0), cx + r, cy + r), fill=col)
            else:
                pts = [
                    (cx + r * math.cos(a), cy + r * math.sin(a))
                    for a in sorted(rng.uniform(0, 2 * math.pi) for _ in range(rng.randint(3, 6)))
                ]
                draw.polygon(pts, fill=col)
        if rng.random() < 0.5:
            pil = pil.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
        img = np.asarray(pil, dtype=np.float64) / 255.0
    elif kind == "texture":
        k = rng.random()
        if k < 0.35:  # grain
            t = _smooth_noise(nrng, w, h, rng.uniform(1.5, 5.0))
        elif k < 0.7:  # wood / wavy stripes
            ang = rng.uniform(0, math.pi)
            period = rng.uniform(5, 18)
            warp = _smooth_noise(nrng, w, h, w / 4.0) * rng.uniform(5, 25)
            u = xx * math.cos(ang) + yy * math.sin(ang) + warp * period / 3.0
            t = 0.5 + 0.5 * np.sin(2 * math.pi * u / period)
            t = 0.7 * t + 0.3 * _smooth_noise(nrng, w, h, 3.0)
        else:  # cells / cobbles
            t = _fractal(nrng, w, h, 0.5, 2.0)
            t = np.abs(np.sin(t * rng.uniform(8, 20)))
        c1, c2 = _color(rng), _color(rng)
        img = c1 * (1 - t[..., None]) + c2 * t[..., None]
        img = img * (0.7 + 0.3 * _smooth_noise(nrng, w, h, w / 3.0))[..., None]
    elif kind == "noise":
        base = _background("gradient", rng, w, h)
        amp = rng.uniform(0.1, 0.3)
        img = base + amp * (nrng.random((h, w, 3)) - 0.5)
    elif kind == "flat":
        c = _color(rng, 0.1, 0.9)
        ang = rng.uniform(0, math.pi)
        t = (xx * math.cos(ang) + yy * math.sin(ang)) / (w + h)
        img = c + rng.uniform(0.0, 0.04) * t[..., None] + 0.004 * nrng.standard_normal((h, w, 1))
        img = np.broadcast_to(img, (h, w, 3)).copy()
    else:
        raise ValueError(f"unknown background {kind!r}")
    return np.clip(img, 0.0, 1.0)


# --------------------------------------------------------------------------- shapes


def _shape_mask(kind: str, rng: random.Random, size: int) -> FArray:
    """Antialiased mask of a piece shape, cropped to its bounding box."""
    s = size * _SS
    pad = s // 2
    canvas = Image.new("L", (s + 2 * pad, s + 2 * pad), 0)
    d = ImageDraw.Draw(canvas)
    o = pad
    if kind == "jigsaw":
        r = s * rng.uniform(0.13, 0.17)
        body = (o + 1.4 * r, o + 1.4 * r, o + s - 1.4 * r, o + s - 1.4 * r)
        d.rectangle(body, fill=255)
        x0, y0, x1, y1 = body
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        sides = [rng.choice(("out", "in", "flat")) for _ in range(4)]
        if "out" not in sides:
            sides[rng.randrange(4)] = "out"
        centers = {
            0: ((mx, y0 - 0.5 * r), (mx, y0 + 0.5 * r)),  # top
            1: ((x1 + 0.5 * r, my), (x1 - 0.5 * r, my)),  # right
            2: ((mx, y1 + 0.5 * r), (mx, y1 - 0.5 * r)),  # bottom
            3: ((x0 - 0.5 * r, my), (x0 + 0.5 * r, my)),  # left
        }
        for i, side in enumerate(sides):
            if side == "flat":
                continue
            (cx, cy) = centers[i][0] if side == "out" else centers[i][1]
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255 if side == "out" else 0)
    elif kind == "square":
        d.rectangle((o, o, o + s - 1, o + s - 1), fill=255)
    elif kind == "rounded":
        d.rounded_rectangle(
            (o, o, o + s - 1, o + s - 1), radius=s * rng.uniform(0.12, 0.3), fill=255
        )
    elif kind == "circle":
        d.ellipse((o, o, o + s - 1, o + s - 1), fill=255)
    elif kind == "triangle":
        d.polygon([(o + s / 2, o), (o + s - 1, o + s - 1), (o, o + s - 1)], fill=255)
    elif kind == "star":
        rot = rng.uniform(0, 2 * math.pi / 5)
        inner = rng.uniform(0.4, 0.55)
        pts = []
        for i in range(10):
            rad = s / 2 if i % 2 == 0 else s / 2 * inner
            a = rot + i * math.pi / 5 - math.pi / 2
            pts.append((o + s / 2 + rad * math.cos(a), o + s / 2 + rad * math.sin(a)))
        d.polygon(pts, fill=255)
    elif kind == "shield":
        pts = [(o, o), (o + s - 1, o), (o + s - 1, o + 0.55 * s)]
        for i in range(1, 12):
            a = i / 12 * math.pi / 2
            pts.append((o + s / 2 + (s / 2) * math.cos(a), o + 0.55 * s + 0.45 * s * math.sin(a)))
        pts.append((o + s / 2, o + s - 1))
        for i in range(11, 0, -1):
            a = i / 12 * math.pi / 2
            pts.append((o + s / 2 - (s / 2) * math.cos(a), o + 0.55 * s + 0.45 * s * math.sin(a)))
        pts.append((o, o + 0.55 * s))
        d.polygon(pts, fill=255)
    else:
        raise ValueError(f"unknown shape {kind!r}")
    bbox = canvas.getbbox()
    assert bbox is not None
    x0, y0, x1, y1 = bbox
    # snap the crop to whole output pixels so the mask keeps its antialiasing
    x0, y0 = x0 - x0 % _SS, y0 - y0 % _SS
    x1, y1 = x1 + (-x1) % _SS, y1 + (-y1) % _SS
    crop = canvas.crop((x0, y0, x1, y1))
    small = crop.resize((crop.width // _SS, crop.height // _SS), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float64) / 255.0


def _bands(mask: FArray, width: int) -> tuple[FArray, FArray]:
    """(outline band centred on the boundary, inner band just inside it)."""
    outer = _morph(mask, max(1, width // 2 + width % 2), grow=True)
    inner_er = _morph(mask, max(1, width // 2), grow=False)
    inner_band = np.clip(mask - _morph(mask, width, grow=False), 0, 1)
    return np.clip(outer - inner_er, 0, 1), inner_band


def _paste(dst: FArray, src: FArray, alpha: FArray, x: int, y: int) -> None:
    """Alpha-blend src (h, w, 3) over dst at (x, y), clipping at the borders."""
    h, w = alpha.shape
    H, W = dst.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
    if x1 <= x0 or y1 <= y0:
        return
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x, None]
    s = src[y0 - y : y1 - y, x0 - x : x1 - x]
    dst[y0:y1, x0:x1] = dst[y0:y1, x0:x1] * (1 - a) + s * a


def _render_gap(
    img: FArray, orig: FArray, mask: FArray, x: int, y: int, style: dict[str, Any]
) -> None:
    h, w = mask.shape
    region = orig[y : y + h, x : x + w]
    kind = style["kind"]
    if kind == "darken":
        filled = region * (1 - style["amount"])
    elif kind in ("white", "gray", "solid"):
        filled = region * (1 - style["amount"]) + style["color"] * style["amount"]
    else:
        raise ValueError(kind)
    m = mask[..., None]
    out = region * (1 - m) + filled * m
    outline = style["outline"]
    if outline == "line":
        _, inner = _bands(mask, style["outline_width"])
        a = inner[..., None] * style["outline_alpha"]
        out = out * (1 - a) + style["outline_color"] * a
    elif outline == "bevel":
        dpx = style["outline_width"]
        dark = np.clip(mask - _shift(mask, dpx, dpx), 0, 1)[..., None] * style["outline_alpha"]
        light = np.clip(mask - _shift(mask, -dpx, -dpx), 0, 1)[..., None] * style["outline_alpha"]
        out = out * (1 - dark) + 0.0 * dark
        out = out * (1 - light) + 1.0 * light
    elif outline == "inner_shadow":
        d = max(2, round(style["shadow_share"] * max(h, w)))
        lit = _blur(_morph(mask, d, grow=False), d / 2)
        shade = np.clip(mask - lit, 0, 1)[..., None] * style["outline_alpha"]
        out = out * (1 - shade)
    img[y : y + h, x : x + w] = out


def _gap_style(rng: random.Random, kind: str, outline: str) -> dict[str, Any]:
    style: dict[str, Any] = {"kind": kind, "outline": outline}
    if kind == "darken":
        style["amount"] = rng.uniform(0.3, 0.7)
    elif kind == "white":
        style["amount"] = rng.uniform(0.35, 0.7)
        style["color"] = np.full(3, rng.uniform(0.85, 1.0))
    elif kind == "gray":
        style["amount"] = rng.uniform(0.4, 0.75)
        style["color"] = np.full(3, rng.uniform(0.2, 0.6))
    else:
        style["amount"] = rng.uniform(0.92, 1.0)
        style["color"] = rng.choice([np.full(3, rng.uniform(0.0, 1.0)), _color(rng, 0.2, 0.9)])
    style["outline_width"] = rng.randint(1, 2)
    style["outline_alpha"] = rng.uniform(0.4, 0.9)
    style["outline_color"] = np.full(3, rng.choice([0.0, 1.0, rng.uniform(0.3, 0.7)]))
    if outline == "inner_shadow":  # drawn only then: the default draws stay as they were
        style["shadow_share"] = rng.uniform(0.07, 0.14)
    return style


# --------------------------------------------------------------------------- the captcha


def _choose(rng: random.Random, overrides: dict[str, Any], key: str, options: Any) -> Any:
    if key in overrides:
        return overrides.pop(key)
    return options() if callable(options) else rng.choice(options)


def _compose(
    rng: random.Random, overrides: dict[str, Any]
) -> tuple[FArray, FArray, FArray, dict[str, Any]]:
    """Draw the native-resolution background with gaps; return (img, orig, mask, params)."""
    p: dict[str, Any] = {}
    wn = p["native_width"] = _choose(rng, overrides, "native_width", lambda: rng.randint(260, 500))
    hn = p["native_height"] = _choose(
        rng, overrides, "native_height", lambda: int(wn * rng.uniform(0.45, 0.65))
    )
    p["background"] = _choose(rng, overrides, "background", BACKGROUNDS)
    p["shape"] = _choose(rng, overrides, "shape", SHAPES)
    size = p["piece_size"] = _choose(
        rng,
        overrides,
        "piece_size",
        lambda: int(min(wn * rng.uniform(0.13, 0.24), hn * 0.75)),
    )
    p["gap_style"] = _choose(rng, overrides, "gap_style", GAP_STYLES)
    p["gap_outline"] = _choose(rng, overrides, "gap_outline", GAP_OUTLINES)
    p["decoy"] = _choose(
        rng, overrides, "decoy", lambda: rng.choices(DECOYS, weights=DECOY_WEIGHTS)[0]
    )
    if p["decoy"] == "same_rows_same_shape" and p["gap_style"] == "solid":
        # a flat filled twin of the gap is indistinguishable even for a human
        p["gap_style"] = rng.choice(GAP_STYLES[:3])

    orig = _background(p["background"], rng, wn, hn)
    mask = _shape_mask(p["shape"], rng, size)
    ph, pw = mask.shape
    p["piece_x"] = _choose(
        rng, overrides, "piece_x", lambda: 0 if rng.random() < 0.5 else rng.randint(1, 8)
    )
    min_gx = p["piece_x"] + pw + max(2, int(0.1 * pw))
    gx = p["gap_x"] = _choose(rng, overrides, "gap_x", lambda: rng.randint(min_gx, wn - pw - 2))
    gy = p["gap_y"] = _choose(rng, overrides, "gap_y", lambda: rng.randint(2, hn - ph - 2))
    p["dy"] = _choose(rng, overrides, "dy", lambda: rng.choice((0, 0, 0, 1, -1, 2, -2)))
    p["piece_y"] = min(max(gy + p["dy"], 0), hn - ph)

    style = _gap_style(rng, p["gap_style"], p["gap_outline"])
    p["gap_amount"] = round(float(style["amount"]), 3)
    img = orig.copy()
    _render_gap(img, orig, mask, gx, gy, style)

    decoys: list[tuple[str, int, int]] = []
    kind = p["decoy"]
    if kind != "none":
        for _ in range(30):  # find a free place; give up silently if there is none
            if kind == "other_rows":
                dshape = rng.choice(SHAPES)
                dmask = _shape_mask(dshape, rng, int(size * rng.uniform(0.8, 1.1)))
                dh, dw = dmask.shape
                if hn - dh - 2 < 2 or wn - dw - 2 < min_gx:
                    break
                dx, dy = rng.randint(min_gx, wn - dw - 2), rng.randint(2, hn - dh - 2)
                if abs(dy - gy) < max(dh, ph) * 0.8:
                    continue
            else:
                if kind == "same_rows_shape":
                    dshape = rng.choice([s for s in SHAPES if s != p["shape"]])
                    dmask = _shape_mask(dshape, rng, size)
                else:
                    dshape, dmask = p["shape"], mask
                dh, dw = dmask.shape
                if wn - dw - 2 < min_gx:
                    break
                dx = rng.randint(min_gx, wn - dw - 2)
                dy = min(max(gy + rng.randint(-3, 3), 1), hn - dh - 1)
                if dx + dw + 3 > gx and dx < gx + pw + 3:
                    continue
                if kind == "same_rows_same_shape" and _alike(orig, mask, (gx, gy), (dx, dy)):
                    continue
            decoys.append((dshape, dx, dy))
            _render_gap(img, orig, dmask, dx, dy, style)
            break
    p["decoys"] = decoys
    return img, orig, mask, p


def _alike(orig: FArray, mask: FArray, at: tuple[int, int], other: tuple[int, int]) -> bool:
    """Whether a same-shape decoy at ``other`` would look like the real gap at ``at``.

    Only the picture tells such twins apart: the piece carries the content cut at the
    real gap, and the background around it carries on. Where the picture around both
    places (the shape and a margin of a fifth of its size) differs by less than
    :data:`TWIN_MIN_CONTRAST` on average (a flat colour, or a gradient along the
    columns only), no one could tell which gap the piece came from, so such a decoy
    would measure luck, not the solver.
    """
    h, w = mask.shape
    r = max(2, int(0.2 * max(h, w)))
    region = _morph(np.pad(mask, r), r, grow=True) > 0.5
    H, W = orig.shape[:2]

    def patch(x: int, y: int) -> FArray:
        out = np.zeros((*region.shape, 3))
        x0, y0 = x - r, y - r
        xs0, ys0 = max(0, x0), max(0, y0)
        xs1, ys1 = min(W, x0 + region.shape[1]), min(H, y0 + region.shape[0])
        out[ys0 - y0 : ys1 - y0, xs0 - x0 : xs1 - x0] = orig[ys0:ys1, xs0:xs1]
        return out

    diff = np.abs(patch(*at) - patch(*other)).max(axis=2)[region]
    return float(diff.mean()) < TWIN_MIN_CONTRAST


def _piece_layers(
    rng: random.Random, overrides: dict[str, Any], p: dict[str, Any], mask: FArray
) -> dict[str, Any]:
    """Pick the piece decoration and pre-compute its layers (relative to a padded box)."""
    p["outline"] = _choose(rng, overrides, "outline", OUTLINES)
    p["halo"] = _choose(rng, overrides, "halo", HALOS)
    p["piece_bevel"] = _choose(rng, overrides, "piece_bevel", lambda: rng.random() < 0.3)
    if p["outline"] == "none" and p["halo"] == "none":
        p["piece_bevel"] = True  # a real widget always shows where its piece is
    pad = 10
    m = np.pad(mask, pad)
    layers: dict[str, Any] = {"pad": pad, "mask": m}
    if p["halo"] == "shadow":
        sr = rng.uniform(1.0, 3.5)
        off = (rng.randint(0, 3), rng.randint(0, 3))
        layers["shadow"] = _shift(_blur(m, sr), *off) * rng.uniform(0.35, 0.8)
    elif p["halo"] == "glow":
        g = _blur(_morph(m, 1, grow=True), rng.uniform(1.0, 3.0))
        layers["glow"] = g * rng.uniform(0.5, 0.9)
        layers["glow_color"] = rng.choice([np.ones(3), _color(rng, 0.6, 1.0)])
    if p["outline"] != "none":
        width = rng.randint(1, 3)
        band, _ = _bands(m, width)
        layers["outline"] = band * rng.uniform(0.7, 1.0)
        layers["outline_color"] = {
            "white": np.ones(3),
            "black": np.zeros(3),
            "color": _color(rng),
        }[p["outline"]]
        p["outline_width"] = width
    if p["piece_bevel"]:
        dpx = rng.randint(1, 2)
        a = rng.uniform(0.3, 0.6)
        layers["bevel_light"] = np.clip(m - _shift(m, dpx, dpx), 0, 1) * a
        layers["bevel_dark"] = np.clip(m - _shift(m, -dpx, -dpx), 0, 1) * a
    layers["brightness"] = rng.choice([1.0, 1.0, rng.uniform(0.95, 1.15)])
    return layers


def _draw_piece(img: FArray, content: FArray, layers: dict[str, Any], x: int, y: int) -> None:
    pad = layers["pad"]
    m = layers["mask"]
    ox, oy = x - pad, y - pad
    h, w = m.shape
    if "shadow" in layers:
        _paste(img, np.zeros((h, w, 3)), layers["shadow"], ox, oy)
    if "glow" in layers:
        _paste(img, np.broadcast_to(layers["glow_color"], (h, w, 3)), layers["glow"], ox, oy)
    src = np.zeros((h, w, 3))
    ch, cw = content.shape[:2]
    src[pad : pad + ch, pad : pad + cw] = np.clip(content * layers["brightness"], 0, 1)
    _paste(img, src, m, ox, oy)
    if "bevel_light" in layers:
        _paste(img, np.ones((h, w, 3)), layers["bevel_light"], ox, oy)
        _paste(img, np.zeros((h, w, 3)), layers["bevel_dark"], ox, oy)
    if "outline" in layers:
        _paste(img, np.broadcast_to(layers["outline_color"], (h, w, 3)), layers["outline"], ox, oy)


def _finish(
    rng: random.Random, overrides: dict[str, Any], p: dict[str, Any], native: FArray
) -> tuple[Image.Image, float, float]:
    """Scale like a browser, add noise and JPEG artifacts. Returns (image, width_view, dpr)."""
    wn, hn = p["native_width"], p["native_height"]
    dpr = p["dpr"] = _choose(rng, overrides, "dpr", (1.0, 1.5, 2.0))
    if "scale" in overrides:
        scale = overrides.pop("scale")
    else:
        for _ in range(50):
            scale = math.exp(rng.uniform(math.log(0.5), math.log(2.0)))
            if 260 <= wn * scale * dpr <= 1200:
                break
    p["scale"] = scale
    width_view = wn * scale
    ws = max(1, round(width_view * dpr))
    hs = max(1, round(hn * ws / wn))
    p["resample"] = _choose(rng, overrides, "resample", ("bilinear", "bicubic", "lanczos"))
    pil = Image.fromarray(np.clip(native * 255.0 + 0.5, 0, 255).astype(np.uint8), mode="RGB")
    if (ws, hs) != (wn, hn):
        pil = pil.resize((ws, hs), getattr(Image.Resampling, p["resample"].upper()))
    p["noise"] = _choose(
        rng, overrides, "noise", lambda: rng.choice((0.0, 0.0, rng.uniform(0.5, 3.0)))
    )
    if p["noise"] > 0:
        arr = np.asarray(pil, dtype=np.float64)
        arr = arr + _np_rng(rng).standard_normal(arr.shape) * p["noise"]
        pil = Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), mode="RGB")
    p["jpeg"] = _choose(
        rng, overrides, "jpeg", lambda: rng.randint(55, 92) if rng.random() < 0.35 else 0
    )
    if p["jpeg"]:
        buf = io.BytesIO()
        pil.save(buf, format="JPEG", quality=p["jpeg"])
        pil = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    return pil, width_view, dpr


def _scene(
    rng: random.Random, ov: dict[str, Any]
) -> tuple[FArray, FArray, dict[str, Any], dict[str, Any]]:
    """The picture with its gap(s), the piece's content (cut where the gap is), the
    piece's decoration layers, and the parameters drawn so far."""
    img, orig, mask, p = _compose(rng, ov)
    layers = _piece_layers(rng, ov, p, mask)
    ph, pw = mask.shape
    content = orig[p["gap_y"] : p["gap_y"] + ph, p["gap_x"] : p["gap_x"] + pw]
    return img, content, layers, p


def make_slider_image(rng: random.Random | int, **overrides: Any) -> SyntheticCaptcha:
    """Generate one slider-captcha screenshot with a known answer.

    Args:
        rng: a ``random.Random`` or an integer seed.
        **overrides: fix any parameter instead of drawing it, e.g. ``shape="star"``,
            ``gap_style="solid"``, ``decoy="same_rows_same_shape"``, ``dpr=2.0``,
            ``scale=0.5``, ``background="flat"``, ``piece_x=0``, ``noise=0.0``, ``jpeg=0``.

    Returns:
        The screenshot and its ground truth (distance, boxes, every parameter used).

    Raises:
        TypeError: an override names no known parameter.
    """
    if not isinstance(rng, random.Random):
        rng = random.Random(rng)
    ov = dict(overrides)
    img, content, layers, p = _scene(rng, ov)
    ph, pw = content.shape[:2]
    _draw_piece(img, content, layers, p["piece_x"], p["piece_y"])
    pil, width_view, dpr = _finish(rng, ov, p, img)
    if ov:
        raise TypeError(f"unknown overrides: {sorted(ov)}")
    k = pil.width / p["native_width"]
    true_css = (p["gap_x"] - p["piece_x"]) * width_view / p["native_width"]
    return SyntheticCaptcha(
        image=pil,
        width_view=width_view,
        true_distance_css=true_css,
        piece_box=(p["piece_x"] * k, p["piece_y"] * k, pw * k, ph * k),
        gap_box=(p["gap_x"] * k, p["gap_y"] * k, pw * k, ph * k),
        dpr=dpr,
        params=p,
    )


def make_background(
    rng: random.Random | int, kind: str | None = None, *, size: tuple[int, int] = (340, 170)
) -> Image.Image:
    """Generate a picture like a captcha's background, with no piece and no gap in it.

    Every answer on such a picture is wrong: an engine should refuse it (a page still
    loading, a screenshot of the wrong element).

    Args:
        rng: a ``random.Random`` or an integer seed.
        kind: one of :data:`BACKGROUNDS` (default: drawn at random).
        size: (width, height) in px.

    Raises:
        ValueError: unknown ``kind`` or a size below 1 px.
    """
    if not isinstance(rng, random.Random):
        rng = random.Random(rng)
    w, h = size
    if w < 1 or h < 1:
        raise ValueError(f"size must be at least 1x1 px, got {size!r}")
    if kind is None:
        kind = rng.choice(BACKGROUNDS)
    arr = _background(kind, rng, w, h)
    return Image.fromarray(np.clip(arr * 255.0 + 0.5, 0, 255).astype(np.uint8), mode="RGB")


def make_drag_pair(
    rng: random.Random | int,
    *,
    shift_native: int | None = None,
    with_handle: bool | None = None,
    **overrides: Any,
) -> DragPair:
    """Generate two screenshots of one captcha: before and after moving the piece right.

    The piece moves by a whole number of native image pixels; the browser-like scaling
    then makes the screenshot-pixel shift fractional in general. Optionally a slider track
    with a handle is drawn below the picture, and the handle moves too, by a different
    amount (real widgets map handle and piece movements with some ratio).

    Args:
        rng: a ``random.Random`` or an integer seed.
        shift_native: how far the piece moves, in native image px (default: random, from 1 px
            to 60% of the image width; ``0`` gives a pair that differs only by noise).
        with_handle: draw a slider handle below the image (default: random).
        **overrides: as for :func:`make_slider_image`; ``noise`` and ``jpeg`` are applied
            to each frame independently.

    Returns:
        The pair and the true shifts in screenshot px.

    Raises:
        TypeError: an override names no known parameter.
    """
    if not isinstance(rng, random.Random):
        rng = random.Random(rng)
    ov = dict(overrides)
    img, content, layers, p = _scene(rng, ov)
    wn, hn = p["native_width"], p["native_height"]
    if shift_native is None:
        shift_native = rng.choice((rng.randint(1, 5), rng.randint(5, int(0.6 * wn))))
    if with_handle is None:
        with_handle = rng.random() < 0.5
    p["shift_native"] = shift_native
    p["with_handle"] = with_handle
    track_h = int(0.13 * wn) if with_handle else 0
    ratio = rng.uniform(0.8, 1.25)
    handle_shift = round(shift_native / ratio)
    noise = ov.pop("noise", rng.choice((0.0, rng.uniform(0.3, 1.5))))
    jpeg = ov.pop("jpeg", 0)
    frames: list[Image.Image] = []
    for step in (0, 1):
        canvas = img.copy()
        if track_h:
            canvas = np.concatenate([canvas, np.full((track_h, wn, 3), 0.93)], axis=0)
        _draw_piece(canvas, content, layers, p["piece_x"] + step * shift_native, p["piece_y"])
        if track_h:
            _draw_handle(canvas, hn, track_h, 2 + step * handle_shift)
        q = dict(p, native_height=canvas.shape[0])
        sub = {"noise": noise, "jpeg": jpeg}
        for key in ("dpr", "scale", "resample"):
            if key in ov:
                sub[key] = ov[key]
            elif step == 1:
                sub[key] = p[key]
        pil, _, _ = _finish(rng, sub, q, canvas)
        if step == 0:
            p.update({k: q[k] for k in ("dpr", "scale", "resample")})
        frames.append(pil)
    for key in ("dpr", "scale", "resample"):
        ov.pop(key, None)
    if ov:
        raise TypeError(f"unknown overrides: {sorted(ov)}")
    p.update(noise=noise, jpeg=jpeg)
    k = frames[0].width / wn
    return DragPair(
        before=frames[0],
        after=frames[1],
        shift_px=shift_native * k,
        handle_shift_px=handle_shift * k,
        params=p,
    )


def _draw_handle(img: FArray, top: int, track_h: int, x: int) -> None:
    """A rounded grey handle with a dark arrow, at x, in the track below the picture."""
    size = int(track_h * 0.8)
    y = top + (track_h - size) // 2
    s = size * _SS
    body = Image.new("L", (s, s), 0)
    ImageDraw.Draw(body).rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 5, fill=255)
    arrow = Image.new("L", (s, s), 0)
    c = s / 2
    ImageDraw.Draw(arrow).polygon(
        [(c - s / 6, c - s / 5), (c + s / 6, c), (c - s / 6, c + s / 5)], fill=255
    )
    for layer, level in ((body, 0.55), (arrow, 0.1)):
        a = np.asarray(layer.resize((size, size), Image.Resampling.BOX), dtype=np.float64) / 255
        _paste(img, np.full((size, size, 3), level), a, x, y)
