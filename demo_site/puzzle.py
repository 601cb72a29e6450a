"""Cut a puzzle out of a background: the piece, the shaded gap, and decoy gaps.

Pure image work (numpy and Pillow), no HTTP: :func:`generate_puzzle` turns a variant and
a seed into :class:`PuzzleImages`, whose answer fields stay on the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from .backgrounds import render_background
from .variants import (
    SHAPES,
    Variant,
    gap_x_range,
    gap_y_range,
    outside_start_range,
    piece_padding,
    piece_shape_size,
)

__all__ = ["PuzzleImages", "generate_puzzle", "shape_mask"]

Box = tuple[int, int, int, int]
_SUPERSAMPLE = 4


@dataclass(frozen=True)
class PuzzleImages:
    """One generated puzzle. Only ``background`` and ``piece`` are ever sent to a browser.

    Attributes:
        clean: the picture before the gap and decoys were shaded (RGB).
        background: the picture with the gap (and decoys) shaded (RGB).
        piece: the piece, cut from ``clean`` at the gap, with outline and shadow (RGBA,
            a square of :func:`~demo_site.variants.piece_size` px).
        mask: the piece's shape in piece-image coordinates (L, 255 inside).
        gap_x: left edge, in natural px, where the piece image fits (the answer).
        gap_y: top edge, in natural px, of the piece image and of the gap.
        decoys: boxes ``(left, top, right, bottom)`` of the decoy gaps.
        start_x: where the piece image's left edge starts, in natural px of the picture
            (0, or negative with ``outside=1``: partly left of the picture).
    """

    clean: Image.Image
    background: Image.Image
    piece: Image.Image
    mask: Image.Image
    gap_x: int
    gap_y: int
    decoys: tuple[Box, ...]
    start_x: int = 0


def _jigsaw(draw: ImageDraw.ImageDraw, o: float, s: float) -> None:
    r = 0.13 * s
    q = 1.55 * r
    left, top, right, bottom = o, o + q, o + s - q, o + s
    draw.rounded_rectangle((left, top, right, bottom), radius=0.07 * s, fill=255)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    kx, ky = cx, top - 0.55 * r  # knob on the top edge
    draw.ellipse((kx - r, ky - r, kx + r, ky + r), fill=255)
    kx, ky = right + 0.55 * r, cy  # knob on the right edge
    draw.ellipse((kx - r, ky - r, kx + r, ky + r), fill=255)
    nr = 0.8 * r  # blank on the left edge
    nx = left + 0.45 * r
    draw.ellipse((nx - nr, cy - nr, nx + nr, cy + nr), fill=0)


def _shield(draw: ImageDraw.ImageDraw, o: float, s: float) -> None:
    pts = [(o, o + 0.14 * s), (o + 0.5 * s, o), (o + s, o + 0.14 * s), (o + s, o + 0.5 * s)]
    for i in range(1, 17):  # quadratic curve down to the point, and back up
        t = i / 16
        x = (1 - t) ** 2 * s + 2 * t * (1 - t) * s + t * t * 0.5 * s
        y = (1 - t) ** 2 * 0.5 * s + 2 * t * (1 - t) * 0.88 * s + t * t * s
        pts.append((o + x, o + y))
    pts += [(o + s - x, y) for x, y in reversed(pts[4:-1])]
    pts.append((o, o + 0.5 * s))
    draw.polygon(pts, fill=255)


def _star(draw: ImageDraw.ImageDraw, o: float, s: float) -> None:
    cx, cy = o + s / 2, o + 0.53 * s
    pts = []
    for i in range(10):
        radius = 0.52 * s if i % 2 == 0 else 0.24 * s
        angle = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(pts, fill=255)


def shape_mask(shape: str, size: int, padding: int) -> Image.Image:
    """Draw an anti-aliased shape mask.

    Args:
        shape: one of :data:`~demo_site.variants.SHAPES`.
        size: side of the shape's bounding box, px.
        padding: empty margin around the box, px.

    Returns:
        An ``L`` image of ``size + 2 * padding`` px square, 255 inside the shape.

    Raises:
        ValueError: unknown shape.
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}")
    side = size + 2 * padding
    hi = Image.new("L", (side * _SUPERSAMPLE, side * _SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(hi)
    o, s = padding * _SUPERSAMPLE, size * _SUPERSAMPLE
    if shape == "jigsaw":
        _jigsaw(draw, o, s)
    elif shape == "square":
        draw.rounded_rectangle((o, o, o + s, o + s), radius=0.12 * s, fill=255)
    elif shape == "circle":
        draw.ellipse((o, o, o + s, o + s), fill=255)
    elif shape == "shield":
        _shield(draw, o, s)
    else:
        _star(draw, o, s)
    return hi.resize((side, side), Image.Resampling.BOX)


def _edge(mask: Image.Image, scale: float) -> Image.Image:
    width = 3 if scale < 1.5 else 5
    return ImageChops.subtract(mask, mask.filter(ImageFilter.MinFilter(width)))


def _shade_gap(
    bg: np.ndarray, mask: Image.Image, x: int, y: int, style: str, scale: float, strength: float
) -> None:
    h, w = mask.height, mask.width
    region = bg[y : y + h, x : x + w]
    m = np.asarray(mask, dtype=np.float32)[..., None] / 255.0 * strength
    edge = np.asarray(_edge(mask, scale), dtype=np.float32)[..., None] / 255.0 * strength
    if style == "classic":
        shifted = mask.transform(
            mask.size, Image.Transform.AFFINE, (1, 0, -2 * scale, 0, 1, -2 * scale)
        )
        inner = ImageChops.subtract(mask, shifted).filter(ImageFilter.GaussianBlur(1.5 * scale))
        inset = np.asarray(inner, dtype=np.float32)[..., None] / 255.0 * strength
        region *= 1.0 - 0.55 * m
        region *= 1.0 - 0.35 * inset
        region[:] = region * (1 - 0.6 * edge) + 255.0 * 0.6 * edge
    elif style == "glow":
        region[:] = region * (1 - 0.5 * m) + 255.0 * 0.5 * m
        region[:] = region * (1 - 0.8 * edge) + 255.0 * 0.8 * edge
    else:  # flat
        region[:] = region * (1 - 0.6 * m) + 25.0 * 0.6 * m


def _cut_piece(
    clean: Image.Image, mask: Image.Image, x: int, y: int, style: str, scale: float
) -> Image.Image:
    side = mask.width
    rgb = clean.crop((x, y, x + side, y + side))
    piece = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    edge = _edge(mask, scale)
    if style == "classic":
        offset = max(1, round(scale))
        shadow_mask = mask.transform(
            mask.size, Image.Transform.AFFINE, (1, 0, -offset, 0, 1, -offset)
        ).filter(ImageFilter.GaussianBlur(1.6 * scale))
        shadow = Image.new("RGBA", (side, side), (0, 0, 0, 0))
        shadow.putalpha(shadow_mask.point(lambda v: v * 0.7))
        piece.alpha_composite(shadow)
        outline: tuple[int, int, int] = (255, 255, 255)
        outline_alpha = 0.9
    elif style == "glow":
        halo = mask.filter(ImageFilter.MaxFilter(3)).filter(ImageFilter.GaussianBlur(2.0 * scale))
        glow = Image.new("RGBA", (side, side), (255, 236, 160, 0))
        glow.putalpha(halo)
        piece.alpha_composite(glow)
        outline, outline_alpha = (255, 250, 225), 0.95
    else:
        outline, outline_alpha = (40, 40, 40), 0.7
    body = rgb.convert("RGBA")
    body.putalpha(mask)
    piece.alpha_composite(body)
    ring = Image.new("RGBA", (side, side), (*outline, 0))
    ring.putalpha(edge.point(lambda v: v * outline_alpha))
    piece.alpha_composite(ring)
    return piece


def _overlaps(a: Box, b: Box, margin: int) -> bool:
    apart_x = a[2] + margin <= b[0] or b[2] + margin <= a[0]
    apart_y = a[3] + margin <= b[1] or b[3] + margin <= a[1]
    return not (apart_x or apart_y)


def _place_decoys(
    variant: Variant, rng: np.random.Generator, gap: Box, bg: np.ndarray
) -> tuple[Box, ...]:
    scale, side = variant.scale, gap[2] - gap[0]
    x_low = gap_x_range(variant)[0]
    y_low, y_high = gap_y_range(variant)
    width, _ = variant.natural_size()
    placed: list[Box] = []
    for index in range(variant.decoys):
        other_row = index % 2 == 0
        for _ in range(60):
            if other_row:
                shape, size = variant.shape, piece_shape_size(scale)
                rows = [y for y in range(y_low, y_high + 1) if abs(y - gap[1]) >= side]
                if not rows:
                    other_row = False
                    continue
                y = int(rng.choice(rows))
            else:
                shape = str(rng.choice([s for s in SHAPES if s != variant.shape]))
                size = round(piece_shape_size(scale) * rng.uniform(0.75, 1.0))
                y = int(rng.integers(y_low, y_high + 1))
            mask = shape_mask(shape, size, piece_padding(scale))
            x = int(rng.integers(x_low, max(x_low, width - mask.width) + 1))
            box = (x, y, x + mask.width, y + mask.height)
            if _overlaps(box, gap, 2) or any(_overlaps(box, b, 2) for b in placed):
                continue
            if rng.random() < 0.5:
                mask = mask.transpose(Image.Transpose.ROTATE_90)
            _shade_gap(bg, mask, x, y, variant.style, scale, float(rng.uniform(0.8, 1.0)))
            placed.append(box)
            break
    return tuple(placed)


def generate_puzzle(variant: Variant, seed: int) -> PuzzleImages:
    """Generate one puzzle for ``variant``, reproducibly from ``seed``.

    Args:
        variant: size, shape, style and decoy count come from it.
        seed: any integer; equal seeds give equal puzzles.

    Returns:
        The images and the answer (server side only).
    """
    rng = np.random.default_rng(seed)
    width, height = variant.natural_size()
    clean = render_background(width, height, rng)
    mask = shape_mask(variant.shape, piece_shape_size(variant.scale), piece_padding(variant.scale))
    x_low, x_high = gap_x_range(variant)
    y_low, y_high = gap_y_range(variant)
    gap_x = int(rng.integers(x_low, x_high + 1))
    gap_y = int(rng.integers(y_low, y_high + 1))
    bg = np.asarray(clean, dtype=np.float32).copy()
    gap: Box = (gap_x, gap_y, gap_x + mask.width, gap_y + mask.height)
    decoys = _place_decoys(variant, rng, gap, bg)
    _shade_gap(bg, mask, gap_x, gap_y, variant.style, variant.scale, 1.0)
    background = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8), "RGB")
    piece = _cut_piece(clean, mask, gap_x, gap_y, variant.style, variant.scale)
    start_x = 0
    if variant.outside:  # drawn last: the other variants' puzzles stay as they were
        low, high = outside_start_range(variant.scale)
        start_x = -int(rng.integers(low, high + 1))
    return PuzzleImages(
        clean=clean,
        background=background,
        piece=piece,
        mask=mask,
        gap_x=gap_x,
        gap_y=gap_y,
        decoys=decoys,
        start_x=start_x,
    )
