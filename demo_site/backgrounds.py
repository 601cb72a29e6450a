"""Random background pictures for the captcha: never the same image twice.

Each picture picks a theme (landscape, abstract shapes, bokeh lights, low-poly mosaic),
random colours and layout, then gets a texture of coarse and fine noise, so that gap edges
are visible to a person but not trivially flat.
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["THEMES", "render_background"]

RGB = tuple[int, int, int]


def _hsv(hue: float, sat: float, val: float) -> RGB:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, min(max(sat, 0.0), 1.0), min(max(val, 0.0), 1.0))
    return round(r * 255), round(g * 255), round(b * 255)


def _linear_gradient(width: int, height: int, start: RGB, end: RGB, angle: float) -> np.ndarray:
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    t = xs * np.cos(angle) + ys * np.sin(angle)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    a = np.array(start, dtype=np.float32)
    b = np.array(end, dtype=np.float32)
    result: np.ndarray = a * (1.0 - t[..., None]) + b * t[..., None]
    return result


def _to_image(array: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8), "RGB")


def _landscape(width: int, height: int, rng: np.random.Generator) -> Image.Image:
    k = width / 340
    hue = float(rng.random())
    sky = _linear_gradient(
        width,
        height,
        _hsv(hue, rng.uniform(0.45, 0.8), rng.uniform(0.55, 0.85)),
        _hsv(hue + rng.uniform(0.02, 0.12), rng.uniform(0.15, 0.45), rng.uniform(0.9, 1.0)),
        np.pi / 2 + rng.uniform(-0.3, 0.3),
    )
    img = _to_image(sky).convert("RGBA")
    glow = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(glow)
    sx, sy = rng.uniform(0.1, 0.9) * width, rng.uniform(0.08, 0.35) * height
    radius = rng.uniform(14, 30) * k
    sun = _hsv(rng.uniform(0.08, 0.16), rng.uniform(0.2, 0.6), 1.0)
    draw.ellipse((sx - radius, sy - radius, sx + radius, sy + radius), fill=(*sun, 235))
    for _ in range(int(rng.integers(2, 6))):
        cx, cy = rng.uniform(0, width), rng.uniform(0, 0.4 * height)
        rx, ry = rng.uniform(25, 70) * k, rng.uniform(6, 16) * k
        draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=(255, 255, 255, 110))
    img.alpha_composite(glow.filter(ImageFilter.GaussianBlur(4 * k)))
    draw = ImageDraw.Draw(img)
    layers = int(rng.integers(3, 6))
    ground_hue = hue + rng.choice([0.33, 0.5, -0.25, 0.08])
    xs = np.arange(0, width + 4, 3, dtype=np.float64)
    for i in range(layers):
        base = height * (0.38 + 0.5 * i / layers)
        ys = np.full_like(xs, base)
        for _ in range(4):
            amp = rng.uniform(3, 22) * k / (1 + 0.4 * i)
            freq = rng.uniform(0.5, 6.0)
            ys += amp * np.sin(2 * np.pi * freq * xs / width + rng.uniform(0, 2 * np.pi))
        colour = _hsv(
            ground_hue + rng.uniform(-0.04, 0.04),
            0.35 + 0.1 * i,
            0.8 - 0.55 * i / layers,
        )
        points = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
        draw.polygon([*points, (width, height), (0, height)], fill=(*colour, 255))
    return img.convert("RGB")


def _abstract(width: int, height: int, rng: np.random.Generator) -> Image.Image:
    k = width / 340
    hue = float(rng.random())
    base = _linear_gradient(
        width,
        height,
        _hsv(hue, rng.uniform(0.4, 0.9), rng.uniform(0.5, 0.95)),
        _hsv(hue + rng.uniform(0.15, 0.45), rng.uniform(0.4, 0.9), rng.uniform(0.5, 0.95)),
        rng.uniform(0, 2 * np.pi),
    )
    img = _to_image(base).convert("RGBA")
    for blur in (3.0 * k, 0.6 * k):
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for _ in range(int(rng.integers(7, 15))):
            colour = _hsv(hue + rng.uniform(-0.5, 0.5), rng.uniform(0.2, 0.9), rng.uniform(0.3, 1))
            fill = (*colour, int(rng.integers(70, 200)))
            cx, cy = rng.uniform(0, width), rng.uniform(0, height)
            size = rng.uniform(12, 70) * k
            kind = int(rng.integers(0, 3))
            if kind == 0:
                draw.ellipse((cx - size, cy - size * 0.7, cx + size, cy + size * 0.7), fill=fill)
            elif kind == 1:
                angle = rng.uniform(0, np.pi)
                corners = [
                    (cx + size * np.cos(angle + a), cy + size * 0.6 * np.sin(angle + a))
                    for a in (0.0, np.pi / 2, np.pi, 1.5 * np.pi)
                ]
                draw.polygon(corners, fill=fill)
            else:
                pts = [
                    (cx + size * np.cos(a), cy + size * np.sin(a))
                    for a in np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(3, 7))))
                ]
                draw.polygon(pts, fill=fill)
        img.alpha_composite(layer.filter(ImageFilter.GaussianBlur(blur)))
    return img.convert("RGB")


def _bokeh(width: int, height: int, rng: np.random.Generator) -> Image.Image:
    k = width / 340
    hue = float(rng.random())
    base = _linear_gradient(
        width,
        height,
        _hsv(hue, rng.uniform(0.5, 0.9), rng.uniform(0.12, 0.3)),
        _hsv(hue + rng.uniform(0.05, 0.25), rng.uniform(0.5, 0.9), rng.uniform(0.35, 0.6)),
        rng.uniform(0, 2 * np.pi),
    )
    img = _to_image(base).convert("RGBA")
    for blur, count, (rmin, rmax) in ((5.0, 16, (18, 45)), (1.2, 30, (3, 14))):
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for _ in range(count):
            colour = _hsv(hue + rng.uniform(-0.15, 0.15), rng.uniform(0.1, 0.7), 1.0)
            r = rng.uniform(rmin, rmax) * k
            cx, cy = rng.uniform(0, width), rng.uniform(0, height)
            alpha = int(rng.integers(40, 150))
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*colour, alpha))
        img.alpha_composite(layer.filter(ImageFilter.GaussianBlur(blur * k)))
    return img.convert("RGB")


def _mosaic(width: int, height: int, rng: np.random.Generator) -> Image.Image:
    hue = float(rng.random())
    field = _linear_gradient(
        width,
        height,
        _hsv(hue, rng.uniform(0.4, 0.8), rng.uniform(0.45, 0.9)),
        _hsv(hue + rng.uniform(0.1, 0.35), rng.uniform(0.4, 0.8), rng.uniform(0.45, 0.9)),
        rng.uniform(0, 2 * np.pi),
    )
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    nx, ny = int(rng.integers(7, 12)), int(rng.integers(4, 8))
    gx = np.linspace(0, width, nx + 1)
    gy = np.linspace(0, height, ny + 1)
    pts = np.stack(np.meshgrid(gx, gy), axis=-1)
    jitter = rng.uniform(-0.35, 0.35, pts.shape) * np.array([width / nx, height / ny])
    jitter[0, :, 1] = jitter[-1, :, 1] = 0
    jitter[:, 0, 0] = jitter[:, -1, 0] = 0
    pts = pts + jitter
    for j in range(ny):
        for i in range(nx):
            a, b, c, d = pts[j, i], pts[j, i + 1], pts[j + 1, i + 1], pts[j + 1, i]
            tris = [(a, b, c), (a, c, d)] if rng.random() < 0.5 else [(a, b, d), (b, c, d)]
            for tri in tris:
                cx = min(max(int(sum(p[0] for p in tri) / 3), 0), width - 1)
                cy = min(max(int(sum(p[1] for p in tri) / 3), 0), height - 1)
                colour = field[cy, cx] * rng.uniform(0.82, 1.15)
                fill = tuple(int(min(max(v, 0), 255)) for v in colour)
                draw.polygon([(float(p[0]), float(p[1])) for p in tri], fill=fill)
    return img


#: Theme name -> renderer.
THEMES: dict[str, Callable[[int, int, np.random.Generator], Image.Image]] = {
    "landscape": _landscape,
    "abstract": _abstract,
    "bokeh": _bokeh,
    "mosaic": _mosaic,
}


def _add_texture(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    width, height = img.size
    coarse = rng.normal(0.0, 1.0, (max(2, height // 10), max(2, width // 10)))
    coarse_img = Image.fromarray(((coarse + 4) * 32).clip(0, 255).astype(np.uint8), "L")
    smooth = np.asarray(coarse_img.resize((width, height), Image.Resampling.BICUBIC))
    smooth = (smooth.astype(np.float32) / 32 - 4) * rng.uniform(4, 10)
    fine = rng.normal(0.0, rng.uniform(2.5, 6.0), (height, width))
    arr = np.asarray(img, dtype=np.float32) + (smooth + fine)[..., None].astype(np.float32)
    return _to_image(arr)


def render_background(
    width: int, height: int, rng: np.random.Generator, *, theme: str | None = None
) -> Image.Image:
    """Paint a random textured picture.

    Args:
        width: width in px.
        height: height in px.
        rng: the random source (seeded by the caller for reproducible pictures).
        theme: one of :data:`THEMES`, or ``None`` to pick one at random.

    Returns:
        An RGB image of ``width`` x ``height``.

    Raises:
        ValueError: unknown theme.
    """
    name = theme if theme is not None else str(rng.choice(sorted(THEMES)))
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}")
    return _add_texture(THEMES[name](width, height, rng), rng)
