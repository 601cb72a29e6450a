"""The debug view of a solve: files a person can open to see what the solver saw and did.

A :class:`DebugRecorder` writes one folder per run (one :meth:`SliderSolver.solve` call)
and one sub-folder per attempt::

    <directory>/
      index.html                    every run, newest first (rewritten by each finish())
      20261125-101502-3f9a/         one run: sortable timestamp + random suffix
        index.html                  a card per attempt, side by side; overall result
        run.json                    overall result, for the top-level index
        attempt-1/
          captcha.png               the crop exactly as sent to the solver
          annotated.png             upscaled crop: piece box (cyan), gap box (magenta),
                                    travel arrow (yellow), and a banner with the numbers
          path.png                  planned pointer offsets (x, and y scaled up) over time
          attempt.json              the numbers: offsets, ratio, timings, boxes, path
        attempt-2/
          ...

The pages are self-contained (inline CSS, relative links, no script), so a run folder
can be zipped and attached to a bug report. Writing never breaks a solve: a file that
cannot be written or drawn is logged as a WARNING and skipped.

Boxes (``GapMatch.piece_box`` / ``gap_box``) are read as ``(x, y, width, height)`` in
pixels of the captured image.

Example:
    >>> recorder = DebugRecorder("debug-runs")  # doctest: +SKIP
    >>> recorder.record_attempt(record)  # doctest: +SKIP
    >>> recorder.finish(result)  # doctest: +SKIP
    PosixPath('debug-runs/20261125-101502-3f9a/index.html')
"""

from __future__ import annotations

import functools
import html
import json
import logging
import math
import os
import re
import secrets
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from PIL import Image, ImageDraw, ImageFont

from .errors import ConfigurationError

if TYPE_CHECKING:
    from .slide import PathStep
    from .solver import AttemptRecord, SolveResult

__all__ = ["ANNOTATED_MIN_WIDTH", "DebugRecorder", "render_annotated", "render_path"]

logger = logging.getLogger("omo_selenium.debug")

#: Captures narrower than this (px) are upscaled by a whole factor in ``annotated.png``.
ANNOTATED_MIN_WIDTH = 600
PIECE_COLOUR = (0, 255, 255)
GAP_COLOUR = (255, 0, 255)
ARROW_COLOUR = (255, 220, 0)
_X_COLOUR = (31, 119, 180)
_Y_COLOUR = (230, 110, 0)
_VERDICT_COLOURS = {"ok": (80, 200, 90), "bad": (240, 80, 70), "none": (170, 170, 170)}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_Font = Union[ImageFont.ImageFont, ImageFont.FreeTypeFont]


class DebugRecorder:
    """Write the debug view of solves (see the module docstring for the folder layout).

    Nothing is written until the first :meth:`record_attempt`; the directory is created
    then. After :meth:`finish`, the next attempt starts a new run, so one recorder can
    follow many solves, one after the other. It is not thread-safe: give each solver
    (each thread) its own recorder; many recorders may share one ``directory``.

    Args:
        directory: where runs go; created on first write.
        run_name: the first run's folder name (made file-name safe); later runs of the
            same recorder get ``-2``, ``-3``... Default: a sortable timestamp plus a
            short random suffix, e.g. ``20261125-101502-3f9a``.

    Raises:
        ConfigurationError: ``run_name`` has no file-name-safe character.

    Example:
        >>> debug = DebugRecorder("debug-runs", run_name="checkout")  # doctest: +SKIP
    """

    def __init__(self, directory: str | os.PathLike[str], *, run_name: str | None = None) -> None:
        self.directory = Path(directory).expanduser()
        self._base_name = None if run_name is None else _safe_name(run_name)
        self._runs = 0
        self._current: str | None = None
        self._attempts: dict[int, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.directory)!r}, run_name={self.run_name!r})"

    @property
    def run_name(self) -> str:
        """The folder name of the current run (chosen now if no run is open)."""
        if self._current is None:
            self._runs += 1
            if self._base_name is None:
                stamp = time.strftime("%Y%m%d-%H%M%S")
                self._current = f"{stamp}-{secrets.token_hex(2)}"
            else:
                suffix = "" if self._runs == 1 else f"-{self._runs}"
                self._current = self._base_name + suffix
        return self._current

    @property
    def run_dir(self) -> Path:
        """The folder of the current run."""
        return self.directory / self.run_name

    def record_attempt(self, record: AttemptRecord, *, verdict_note: str | None = None) -> Path:
        """Write ``captcha.png``, ``annotated.png``, ``path.png`` and ``attempt.json``.

        Args:
            record: the attempt, as the solver filled it (any field may be missing).
            verdict_note: a few words shown next to the verdict.

        Returns:
            The attempt's folder (returned even when writing failed).
        """
        folder = self.run_dir / f"attempt-{record.number}"
        files: dict[str, str] = {}
        if not _guarded(f"folder {folder}", lambda: folder.mkdir(parents=True, exist_ok=True)):
            return folder
        captured = record.captured
        if captured is not None and _guarded(
            "captcha.png", lambda: captured.image.save(folder / "captcha.png", format="PNG")
        ):
            files["captcha"] = "captcha.png"
        if _guarded(
            "annotated.png",
            lambda: render_annotated(record, verdict_note=verdict_note).save(
                folder / "annotated.png", format="PNG"
            ),
        ):
            files["annotated"] = "annotated.png"
        if _guarded("path.png", lambda: render_path(record).save(folder / "path.png")):
            files["path"] = "path.png"
        summary = _summarize(record, verdict_note, files)
        if _guarded("attempt.json", lambda: _write_json(folder / "attempt.json", summary)):
            summary["files"]["json"] = "attempt.json"  # for the page's links
        self._attempts[record.number] = summary
        logger.debug("debug view of attempt %d written to %s", record.number, folder)
        return folder

    def finish(self, result: SolveResult | None = None) -> Path:
        """Write the run's ``index.html`` and ``run.json``, and the top-level ``index.html``.

        The next :meth:`record_attempt` then starts a new run.

        Args:
            result: the solve's outcome; ``None`` when unknown (e.g. the solve raised).

        Returns:
            The path of the run's ``index.html`` (returned even when writing failed).
        """
        run_dir = self.run_dir
        attempts = [self._attempts[n] for n in sorted(self._attempts)]
        if result is not None:
            elapsed = float(result.elapsed)
        else:
            elapsed = sum(a["timings_total"] for a in attempts)
        summary = {
            "run": run_dir.name,
            "success": None if result is None else bool(result.success),
            "attempts": len(attempts),
            "elapsed": round(elapsed, 3),
            "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        index = run_dir / "index.html"

        def write_run() -> None:
            run_dir.mkdir(parents=True, exist_ok=True)
            _write_json(run_dir / "run.json", summary)
            _write_text(index, _run_page(summary, attempts))

        if _guarded(f"{index}", write_run):
            logger.info("debug view of run %s: %s", run_dir.name, index)
        _guarded(f"{self.directory / 'index.html'}", self._write_top_index)
        self._current = None
        self._attempts = {}
        return index

    def _write_top_index(self) -> None:
        runs: list[tuple[float, dict[str, Any]]] = []
        for entry in self.directory.iterdir():
            if not entry.is_dir() or not (entry / "run.json").is_file():
                continue
            try:
                info = json.loads((entry / "run.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(info, dict):
                info["run"] = entry.name
                runs.append(((entry / "run.json").stat().st_mtime, info))
        runs.sort(key=lambda item: (item[0], item[1]["run"]), reverse=True)
        page = _top_page([info for _, info in runs])
        _write_text(self.directory / "index.html", page)


# -- drawing ---------------------------------------------------------------------------


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
    steps = [f"{name} {seconds:.2f} s" for name, seconds in record.timings.items()]
    steps.append(f"total {sum(record.timings.values()):.2f} s")
    lines.append((" | ".join(steps), white))
    if record.captured is not None and record.match is not None:
        lines.append(("cyan box: piece | magenta box: gap | yellow arrow: travel", grey))
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


# -- numbers -----------------------------------------------------------------------------


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
    if record.verdict is True:
        return "accepted", "ok"
    if record.verdict is False:
        return "rejected", "bad"
    if record.error:
        return "error", "bad"
    return "not checked", "none"


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _clean(value: Any) -> Any:
    """JSON-safe: finite floats (rounded), ints, lists; numpy scalars become numbers."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) or hasattr(value, "__index__"):
        return int(value)
    if isinstance(value, float) or hasattr(value, "__float__"):
        number = float(value)
        return round(number, 4) if math.isfinite(number) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return str(value)


def _summarize(
    record: AttemptRecord, verdict_note: str | None, files: dict[str, str]
) -> dict[str, Any]:
    timings = {name: _clean(seconds) for name, seconds in record.timings.items()}
    total = round(sum(t for t in timings.values() if t is not None), 4)
    captured, match = record.captured, record.match
    summary: dict[str, Any] = {
        "number": record.number,
        "distance_css": record.distance_css,
        "distance_px": _offset_px(record),
        "ratio": record.ratio,
        "ratio_source": record.ratio_source,
        "handle_css": record.handle_css,
        "target_handle_css": _target_handle(record),
        "landed_css": record.landed_css,
        "correction_css": record.correction_css,
        "verdict": record.verdict,
        "verdict_label": _verdict(record)[0],
        "verdict_note": verdict_note,
        "error": record.error,
        "timings": timings,
        "timings_total": total,
        "match": None,
        "capture": None,
        "annotated_scale": _upscale(captured.image.width) if captured is not None else 1,
        "path": [[s.dx, s.dy, s.duration_ms] for s in record.path],
        "files": dict(files),
    }
    if match is not None:
        summary["match"] = {
            "piece_box": list(match.piece_box),
            "gap_box": list(match.gap_box),
            "distance_px": match.distance_px,
            "distance_css": match.distance_css,
            "scale": match.scale,
            "confidence": match.confidence,
        }
    if captured is not None:
        summary["capture"] = {
            "image_size": list(captured.image.size),
            "width_view": captured.width_view,
            "scale": captured.scale,
            "css_rect": list(captured.css_rect),
            "device_pixel_ratio": captured.device_pixel_ratio,
        }
    cleaned: dict[str, Any] = _clean(summary)
    return cleaned


def _write_json(path: Path, data: dict[str, Any]) -> None:
    _write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def _write_text(path: Path, text: str) -> None:
    """Write via a temporary file and a rename, so a reader never sees half a page."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(3)}.tmp")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _safe_name(name: str) -> str:
    safe = _SAFE_NAME.sub("-", name).strip(".-")[:80]
    if not safe:
        raise ConfigurationError(f"run_name {name!r} has no file-name-safe character")
    return safe


def _guarded(what: str, action: Callable[[], object]) -> bool:
    """Run ``action``; on failure log a WARNING and return False. Never raises."""
    try:
        action()
    except OSError as exc:
        logger.warning("debug view: could not write %s: %s", what, exc)
        return False
    except Exception:  # a drawing bug must not break a solve
        logger.warning("debug view: could not make %s", what, exc_info=True)
        return False
    return True


# -- pages -----------------------------------------------------------------------------

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f3f3f3;color:#222}
header{padding:14px 20px;background:#222;color:#eee}
header h1{margin:0 0 4px;font-size:22px}
header a{color:#9cf}
td.ok{color:#2e9e3e}td.bad{color:#d8433a}td.none{color:#888}
header .ok{color:#6d6}header .bad{color:#f77}header .none{color:#bbb}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:16px;
padding:16px 20px}
.card{background:#fff;border-radius:6px;padding:12px;border-top:6px solid #999;
box-shadow:0 1px 3px rgba(0,0,0,.15)}
.card.ok{border-top-color:#2e9e3e}.card.bad{border-top-color:#d8433a}
.card.none{border-top-color:#999}
.card h2{margin:0 0 6px;font-size:17px;color:#222}
.badge{display:inline-block;padding:1px 8px;border-radius:9px;color:#fff;font-size:13px;
vertical-align:middle;background:#999}
.ok .badge{background:#2e9e3e}.bad .badge{background:#d8433a}
.card img{display:block;max-width:100%;height:auto;margin:6px 0;border:1px solid #ddd}
.note{margin:4px 0;color:#555}
.numbers{display:flex;flex-wrap:wrap;gap:4px 28px;align-items:flex-start}
.facts{display:grid;grid-template-columns:auto auto;gap:1px 12px;margin:6px 0}
.facts dt{color:#666}.facts dd{margin:0;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;margin:6px 0;font-variant-numeric:tabular-nums}
td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}
td.s{text-align:right}tr.total td{font-weight:600;border-top:1px solid #bbb}
.files a{margin-right:10px}
.runs{background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.15)}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width">\n<title>{_h(title)}</title>\n'
        f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _h(value: object) -> str:
    return html.escape(str(value), quote=True)


def _outcome(success: bool | None) -> tuple[str, str]:
    if success is None:
        return "result unknown", "none"
    return ("solved", "ok") if success else ("not solved", "bad")


def _run_page(summary: dict[str, Any], attempts: list[dict[str, Any]]) -> str:
    label, kind = _outcome(summary["success"])
    header = (
        f'<header><h1>Slider solve: <span class="{kind}">{_h(label)}</span></h1>'
        f"<div>{summary['attempts']} attempt(s), total {summary['elapsed']:.2f} s | "
        f"run {_h(summary['run'])} | finished {_h(summary['finished'])} | "
        '<a href="../index.html">all runs</a></div></header>'
    )
    cards = "\n".join(_card(a) for a in attempts) or '<p class="note">No attempt recorded.</p>'
    return _page(f"{summary['run']}: {label}", f"{header}\n<main>\n{cards}\n</main>")


def _card(a: dict[str, Any]) -> str:
    n = a["number"]
    folder = f"attempt-{n}"
    label, kind = _verdict_from_summary(a)
    parts = [
        f'<section class="card {kind}" id="{folder}">',
        f'<h2>Attempt {n} <span class="badge">{_h(label)}</span></h2>',
    ]
    for note in (a.get("verdict_note"), a.get("error")):
        if note:
            parts.append(f'<p class="note">{_h(note)}</p>')
    files = a.get("files", {})
    if "annotated" in files:
        src = f"{folder}/{files['annotated']}"
        parts.append(
            f'<a href="{_h(src)}"><img class="annotated" src="{_h(src)}" '
            f'alt="attempt {n}: capture with piece and gap"></a>'
        )
    if "path" in files:
        src = f"{folder}/{files['path']}"
        parts.append(f'<img class="path" src="{_h(src)}" alt="attempt {n}: pointer path">')
    match = a.get("match") or {}
    facts = [
        (
            "offset",
            "no answer"
            if a["distance_css"] is None
            else f"{_num(a['distance_css'])} css px = {_num(a['distance_px'])} image px",
        ),
        ("confidence", _num(match.get("confidence"), 2) if match else "- (no boxes)"),
        ("handle ratio", f"{_num(a['ratio'], 3)} ({a['ratio_source'] or 'not used'})"),
        (
            "handle travel",
            f"{_num(a['handle_css'], 0)} css px (aimed {_num(a['target_handle_css'])})",
        ),
        ("landing", f"{_num(a['landed_css'])} css px"),
        ("correction", f"{a['correction_css']:+d} css px"),
    ]
    parts.append(
        '<div class="numbers"><dl class="facts">'
        + "".join(f"<dt>{_h(k)}</dt><dd>{_h(v)}</dd>" for k, v in facts)
        + "</dl>"
    )
    rows = "".join(
        f'<tr><td>{_h(step)}</td><td class="s">{seconds:.3f} s</td></tr>'
        for step, seconds in a["timings"].items()
        if seconds is not None
    )
    parts.append(
        f'<table class="timings"><tr><th>step</th><th>time</th></tr>{rows}'
        f'<tr class="total"><td>total</td><td class="s">{a["timings_total"]:.3f} s</td></tr>'
        "</table></div>"
    )
    links = [f'<a href="{_h(folder)}/{_h(name)}">{_h(name)}</a>' for name in files.values()]
    parts.append(f'<p class="files">{"".join(links)}</p></section>')
    return "\n".join(parts)


def _verdict_from_summary(a: dict[str, Any]) -> tuple[str, str]:
    kind = {"accepted": "ok", "rejected": "bad", "error": "bad"}.get(a["verdict_label"], "none")
    return a["verdict_label"], kind


def _top_page(runs: list[dict[str, Any]]) -> str:
    rows = []
    for info in runs:
        label, kind = _outcome(info.get("success"))
        name = str(info["run"])
        elapsed = info.get("elapsed")
        rows.append(
            f'<tr><td><a href="{_h(name)}/index.html">{_h(name)}</a></td>'
            f'<td class="{kind}">{_h(label)}</td><td class="s">{_h(info.get("attempts", "-"))}'
            f'</td><td class="s">{_num(elapsed, 2) if isinstance(elapsed, (int, float)) else "-"}'
            f" s</td><td>{_h(info.get('finished', ''))}</td></tr>"
        )
    table = (
        '<table class="runs"><tr><th>run</th><th>result</th><th>attempts</th><th>time</th>'
        f"<th>finished</th></tr>{''.join(rows)}</table>"
    )
    body = (
        f"<header><h1>Slider solves</h1><div>{len(runs)} run(s), newest first</div></header>"
        f'<main style="display:block">{table}</main>'
    )
    return _page("Slider solves", body)
