"""Drawing for the debug view: the annotated capture and the drag-path plot.

Used by :mod:`omo_selenium.debug`; pure functions of an :class:`AttemptRecord` that
return Pillow images.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Union

from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from ..browser.slide import PathStep
    from ..records import AttemptRecord, LandingLook, PieceLook

__all__ = [
    "ANNOTATED_MIN_WIDTH",
    "render_annotated",
    "render_landing",
    "render_look",
    "render_path",
]

#: Captures narrower than this (px) are upscaled by a whole factor in ``annotated.png``.
ANNOTATED_MIN_WIDTH = 600
PIECE_COLOUR = (0, 255, 255)
GAP_COLOUR = (255, 0, 255)
ARROW_COLOUR = (255, 220, 0)
_X_COLOUR = (31, 119, 180)
_Y_COLOUR = (230, 110, 0)
_VERDICT_COLOURS = {"ok": (80, 200, 90), "bad": (240, 80, 70), "none": (170, 170, 170)}
_Font = Union[ImageFont.ImageFont, ImageFont.FreeTypeFont]


def render_annotated(record: AttemptRecord, *, verdict_note: str | None = None) -> Image.Image:
    """Draw the capture with what the solver found, and a banner with the numbers.

    The capture is upscaled by a whole factor (nearest neighbour) when narrower than
    :data:`ANNOTATED_MIN_WIDTH`, so image pixel ``(x, y)`` is at ``(x*k, y*k)``; ``k``
    is saved as ``annotated_scale`` in ``attempt.json``. With a match, the piece box is
    cyan, the gap box magenta (2 px outlines) and a yellow arrow shows the travel;
    without one (remote solver), a magenta vertical line marks the answered offset.

    Args:
        record: the attempt.
        verdict_note: a few words shown next to the verdict.

    Returns:
        An RGB image: the picture on top, the banner below it.
    """
    captured = record.captured
    k = _upscale(captured.image.width) if captured is not None else 1
    if captured is not None:
        src = captured.image.convert("RGB")
        pic = src.resize((src.width * k, src.height * k), Image.Resampling.NEAREST)
    else:
        pic = Image.new("RGB", (ANNOTATED_MIN_WIDTH, 80), (60, 60, 60))
        ImageDraw.Draw(pic).text((12, 30), "no picture captured", fill="white", font=_font(16))
    draw = ImageDraw.Draw(pic)
    match = record.match
    if captured is not None and match is not None:
        piece = _corners(match.piece_box, k)
        gap = _corners(match.gap_box, k)
        if piece is not None and gap is not None:
            y = (gap[1] + gap[3]) // 2
            _arrow(draw, (piece[0], y), (gap[0], y))
        for box, colour, name in ((piece, PIECE_COLOUR, "piece"), (gap, GAP_COLOUR, "gap")):
            if box is not None:
                x0, y0, x1, y1 = box
                draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), outline=(0, 0, 0), width=1)
                draw.rectangle(box, outline=colour, width=2)
                if y0 >= 22:
                    _tag(draw, (x0 + 3, y0 - 19), name, colour)
                elif y1 + 22 <= pic.height:
                    _tag(draw, (x0 + 3, y1 + 6), name, colour)
                else:
                    _tag(draw, (x0 + 6, y0 + 6), name, colour)
    elif captured is not None:
        offset_px = _offset_px(record)
        look = record.look
        if look is not None:
            # the piece the solver saw moving, where it started; the answer counts from it
            box = (round(look.start_x), round(look.y), look.sprite.width, look.sprite.height)
            corners = _corners(box, k)
            if corners is not None:
                draw.rectangle(corners, outline=PIECE_COLOUR, width=2)
                _tag(draw, (corners[0] + 3, corners[3] + 6), "piece (seen moving)", PIECE_COLOUR)
            if offset_px is not None:
                offset_px += look.start_x
        if offset_px is not None:
            x = round(offset_px * k)
            bottom = pic.height - 1
            draw.rectangle((x - 4, 0, x + 3, bottom), fill=(255, 255, 255))
            draw.rectangle((x - 3, 0, x + 2, bottom), fill=(0, 0, 0))
            draw.rectangle((x - 1, 0, x, bottom), fill=GAP_COLOUR)
            _tag(draw, (x + 6, 4), f"answer {_num(record.distance_css)} css px", GAP_COLOUR)
    banner = _banner(_banner_lines(record, verdict_note), max(pic.width, ANNOTATED_MIN_WIDTH))
    out = Image.new("RGB", (banner.width, pic.height + banner.height), (30, 30, 30))
    out.paste(pic, (0, 0))
    out.paste(banner, (0, pic.height))
    return out


def _on_checkerboard(sprite: Image.Image, zoom: int) -> Image.Image:
    """``sprite`` enlarged over a checkerboard, so its transparent parts show."""
    sprite = sprite.convert("RGBA")
    w, h = sprite.width * zoom, sprite.height * zoom
    board = Image.new("RGBA", (w, h), (200, 200, 200, 255))
    paint = ImageDraw.Draw(board)
    cell = 4 * zoom
    for y in range(0, h, cell):
        for x in range(0, w, cell):
            if (x // cell + y // cell) % 2:
                paint.rectangle((x, y, x + cell - 1, y + cell - 1), fill=(150, 150, 150, 255))
    board.alpha_composite(sprite.resize((w, h), Image.Resampling.NEAREST))
    return board.convert("RGB")


def render_landing(landing: LandingLook, *, scale: float = 1.0) -> Image.Image:
    """The last look before release: the piece's own pixels it was followed by (left,
    on a checkerboard), and the rows the look took, with the piece where it was found
    (cyan) and where the gap is (magenta); a line gives both and the distance.

    Args:
        landing: the look.
        scale: CSS px per image px (to say the distance in CSS px too).
    """
    k = _upscale(landing.image.width)
    rows = landing.image.convert("RGB").resize(
        (landing.image.width * k, landing.image.height * k), Image.Resampling.NEAREST
    )
    draw = ImageDraw.Draw(rows)
    _, y, w, h = landing.piece_box
    top = y - landing.top
    target = _corners((landing.target_x, top, w, h), k)
    if target is not None:
        _dashed(draw, (target[0], 0), (target[0], rows.height), GAP_COLOUR)
        draw.rectangle(target, outline=GAP_COLOUR, width=1)
    if landing.found_x is not None:
        found = _corners((landing.found_x, top, w, h), k)
        if found is not None:
            draw.rectangle(found, outline=PIECE_COLOUR, width=2)
        off = landing.found_x - landing.target_x
        text = (
            f"before release: piece at x {landing.found_x:.1f} px ({landing.how}), gap at "
            f"{landing.target_x:.1f} px: {off:+.1f} px = {off * scale:+.1f} css px"
        )
    else:
        text = f"before release: the piece was not found; gap at x {landing.target_x:.1f} px"
    sprite = _on_checkerboard(landing.sprite, 2) if landing.sprite is not None else None
    left = sprite.width + 10 if sprite is not None else 0
    width = max(left + rows.width + 20, 7 * len(text) + 20)
    out = Image.new(
        "RGB", (width, max(rows.height, sprite.height if sprite else 0) + 32), (30, 30, 30)
    )
    if sprite is not None:
        out.paste(sprite, (10, 22))
    out.paste(rows, (10 + left, 22))
    ImageDraw.Draw(out).text((10, 5), text, fill=(235, 235, 235), font=_font(12))
    return out


def render_look(look: PieceLook, *, zoom: int = 3) -> Image.Image:
    """The piece the solver saw moving, on a checkerboard (its alpha shows), enlarged,
    over a line saying where it started and how far it moved."""
    sprite = look.sprite.convert("RGBA")
    board = _on_checkerboard(sprite, zoom)
    w, h = board.size
    text = (
        f"piece seen moving: {sprite.width}x{sprite.height} px from x {look.start_x:.0f}, "
        f"y {look.y:.0f}; moved {look.shift_px:.1f} px for {look.handle_css:.0f} css px"
    )
    out = Image.new("RGB", (max(w + 20, 7 * len(text) + 20), h + 32), (30, 30, 30))
    out.paste(board, (10, 22))
    ImageDraw.Draw(out).text((10, 5), text, fill=(235, 235, 235), font=_font(12))
    return out


def render_path(record: AttemptRecord, *, size: tuple[int, int] = (480, 200)) -> Image.Image:
    """Plot the planned pointer offsets over time: cumulative x and y (scaled up) in ms.

    The dashed line is the handle travel aimed at (``distance_css / ratio``).

    Args:
        record: the attempt; its ``path`` holds the pointer moves.
        size: ``(width, height)`` of the plot in px.

    Returns:
        An RGB image.
    """
    width, height = size
    left, right, top, bottom = 46, 12, 26, 30
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((left, top, width - right, height - bottom), outline=(120, 120, 120))
    times, xs, ys = _cumulative(record.path)
    if len(times) < 2:
        centre = ((left + width - right) / 2, (top + height - bottom) / 2)
        grey = (90, 90, 90)
        draw.text(centre, "no pointer moves recorded", fill=grey, font=_font(13), anchor="mm")
        return img
    font = _font(11)
    target = _target_handle(record)
    gain = _y_gain(xs, ys)
    values = [0.0, *xs, *(y * gain for y in ys), *([target] if target is not None else [])]
    low, high = min(values), max(values)
    if high - low < 4:
        low, high = low - 2, high + 2
    pad = 0.06 * (high - low)
    low, high = low - pad, high + pad
    t_max = max(times[-1], 1.0)

    def at(t: float, v: float) -> tuple[float, float]:
        return (
            left + t / t_max * (width - left - right),
            top + (high - v) / (high - low) * (height - top - bottom),
        )

    for v in _ticks(low, high, 4):
        _, y = at(0, v)
        draw.line((left + 1, y, width - right - 1, y), fill=(232, 232, 232))
        draw.text((left - 4, y), _tick_label(v), fill=(90, 90, 90), font=font, anchor="rm")
    for t in _ticks(0, t_max, 5):
        x, _ = at(t, low)
        draw.line((x, height - bottom, x, height - bottom + 3), fill=(90, 90, 90))
        draw.text(
            (x, height - bottom + 5), _tick_label(t), fill=(90, 90, 90), font=font, anchor="mt"
        )
    draw.text((width - right, height - 3), "ms", fill=(90, 90, 90), font=font, anchor="rd")
    if target is not None:
        _dashed(draw, at(0, target), at(t_max, target), (110, 110, 110))
    draw.line([at(t, x) for t, x in zip(times, xs, strict=True)], fill=_X_COLOUR, width=2)
    draw.line([at(t, y * gain) for t, y in zip(times, ys, strict=True)], fill=_Y_COLOUR, width=2)
    legend: list[tuple[str, tuple[int, int, int]]] = [("x css px", _X_COLOUR)]
    legend.append((f"y css px (scaled {gain:g}x)" if gain != 1 else "y css px", _Y_COLOUR))
    if target is not None:
        legend.append((f"target {target:.1f}", (110, 110, 110)))
    x = float(left)
    for text, colour in legend:
        draw.line((x, 12, x + 16, 12), fill=colour, width=2)
        draw.text((x + 20, 12), text, fill=(40, 40, 40), font=font, anchor="lm")
        x += 32 + draw.textlength(text, font=font)
    return img


@functools.lru_cache(maxsize=8)
def _font(size: int) -> _Font:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: a fixed bitmap font
        return ImageFont.load_default()


def _upscale(width: int) -> int:
    return max(1, min(8, math.ceil(ANNOTATED_MIN_WIDTH / max(width, 1))))


def _corners(box: Sequence[float], k: int) -> tuple[int, int, int, int] | None:
    x, y, w, h = (float(v) for v in box)
    if not (w > 0 and h > 0):
        return None
    return (round(x * k), round(y * k), round((x + w) * k) - 1, round((y + h) * k) - 1)


def _arrow(draw: ImageDraw.ImageDraw, start: tuple[int, int], end: tuple[int, int]) -> None:
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    if length < 1:
        return
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    size = min(12.0, length / 2)
    head = [
        (x1, y1),
        (x1 - ux * size - uy * size / 2, y1 - uy * size + ux * size / 2),
        (x1 - ux * size + uy * size / 2, y1 - uy * size - ux * size / 2),
    ]
    draw.line((x0, y0, x1 - ux * size, y1 - uy * size), fill=(0, 0, 0), width=5)
    draw.line((x0, y0, x1 - ux * size, y1 - uy * size), fill=ARROW_COLOUR, width=3)
    draw.polygon(head, fill=ARROW_COLOUR, outline=(0, 0, 0))


def _tag(
    draw: ImageDraw.ImageDraw, at: tuple[int, int], text: str, colour: tuple[int, int, int]
) -> None:
    font = _font(12)
    left, top, right, bottom = draw.textbbox(at, text, font=font)
    draw.rectangle((left - 3, top - 2, right + 3, bottom + 2), fill=(0, 0, 0))
    draw.text(at, text, fill=colour, font=font)


def _dashed(
    draw: ImageDraw.ImageDraw,
    start: tuple[float, float],
    end: tuple[float, float],
    colour: tuple[int, int, int],
    dash: float = 6.0,
) -> None:
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    steps = max(1, int(length // (2 * dash)))
    for i in range(steps + 1):
        a, b = (2 * i * dash) / length, min(1.0, (2 * i + 1) * dash / length)
        if a >= 1:
            break
        draw.line(
            (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a, x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
            fill=colour,
            width=1,
        )


def _banner(lines: list[tuple[str, tuple[int, int, int]]], width: int) -> Image.Image:
    font = _font(14)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    wrapped: list[tuple[str, tuple[int, int, int]]] = []
    for text, colour in lines:
        current = ""
        for word in text.split(" "):
            candidate = f"{current} {word}".strip()
            if current and probe.textlength(candidate, font=font) > width - 20:
                wrapped.append((current, colour))
                current = word
            else:
                current = candidate
        wrapped.append((current, colour))
    line_height = 19
    img = Image.new("RGB", (width, 12 + line_height * len(wrapped)), (30, 30, 30))
    draw = ImageDraw.Draw(img)
    for i, (text, colour) in enumerate(wrapped):
        draw.text((10, 6 + i * line_height), text, fill=colour, font=font)
    return img


def _banner_lines(
    record: AttemptRecord, verdict_note: str | None
) -> list[tuple[str, tuple[int, int, int]]]:
    label, kind = _verdict(record)
    white, grey = (235, 235, 235), (175, 175, 175)
    head = f"attempt {record.number}: {label}"
    if verdict_note:
        head += f" - {verdict_note}"
    if record.error and record.error != verdict_note:
        head += f" - {record.error}"
    lines = [(head, _VERDICT_COLOURS[kind])]
    if record.distance_css is None:
        lines.append(("no answer from the solver", white))
    else:
        offset = f"offset {_num(record.distance_css)} css px = {_num(_offset_px(record))} image px"
        if record.match is not None:
            offset += f" | confidence {_num(record.match.confidence, 2)}"
        lines.append((offset, white))
    if record.ratio is not None or record.handle_css is not None:
        ratio = f"handle ratio {_num(record.ratio, 3)} ({record.ratio_source or 'not used'})"
        handle = f"handle travel {_num(record.handle_css, 0)} css px"
        lines.append((f"{ratio} | {handle} (aimed {_num(_target_handle(record))})", white))
        lines.append(
            (
                f"landing measured {_num(record.landed_css)} css px | "
                f"correction {record.correction_css:+d} css px",
                white,
            )
        )
    if record.verdict_reason:
        lines.append((f"verdict read from: {record.verdict_reason}", white))
    if record.look is not None:
        look = record.look
        lines.append(
            (
                f"look: piece {look.sprite.width}x{look.sprite.height} px seen moving from "
                f"x {look.start_x:.0f} (moved {look.shift_px:.1f} px for "
                f"{look.handle_css:.0f} css px of handle) | answered by {record.answered_by}",
                white,
            )
        )
    if record.jump_css or record.presses > 1:
        lines.append(
            (
                f"handle jump on press {record.jump_css:+.1f} css px | presses {record.presses}",
                white,
            )
        )
    steps = [f"{name} {seconds:.2f} s" for name, seconds in record.timings.items()]
    steps.append(f"total {sum(record.timings.values()):.2f} s")
    lines.append((" | ".join(steps), white))
    if record.captured is not None and record.match is not None:
        lines.append(("cyan box: piece | magenta box: gap | yellow arrow: travel", grey))
    elif record.captured is not None and record.distance_css is not None and record.look:
        lines.append(("cyan box: the piece seen moving | magenta line: where it goes", grey))
    elif record.captured is not None and record.distance_css is not None:
        lines.append(("magenta line: answered offset from the left edge (no boxes)", grey))
    return lines


def _ticks(low: float, high: float, count: int) -> list[float]:
    raw = (high - low) / max(count, 1)
    if not raw > 0:
        return [low]
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def _tick_label(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-6 else f"{value:.1f}"


def _y_gain(xs: list[float], ys: list[float]) -> float:
    x_span = max((abs(x) for x in xs), default=0.0) or 1.0
    y_span = max((abs(y) for y in ys), default=0.0)
    if y_span == 0:
        return 1.0
    fitting = [g for g in (1, 2, 5, 10, 20, 50) if y_span * g <= 0.3 * x_span]
    return float(fitting[-1]) if fitting else 1.0


def _cumulative(path: Sequence[PathStep]) -> tuple[list[float], list[float], list[float]]:
    times, xs, ys = [0.0], [0.0], [0.0]
    for step in path:
        times.append(times[-1] + step.duration_ms)
        xs.append(xs[-1] + step.dx)
        ys.append(ys[-1] + step.dy)
    return times, xs, ys


def _target_handle(record: AttemptRecord) -> float | None:
    if record.distance_css is None:
        return None
    return record.distance_css / (record.ratio or 1.0)


def _offset_px(record: AttemptRecord) -> float | None:
    if record.match is not None:
        return float(record.match.distance_px)
    if record.distance_css is not None and record.captured is not None:
        return record.distance_css / record.captured.scale
    return None


def _verdict(record: AttemptRecord) -> tuple[str, str]:
    if record.verdict == "accepted":
        return "accepted", "ok"
    if record.verdict == "rejected":
        return "rejected", "bad"
    if record.verdict == "unknown":
        return "verdict unknown", "none"
    if record.error:
        return "error", "bad"
    return "not checked", "none"


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"
