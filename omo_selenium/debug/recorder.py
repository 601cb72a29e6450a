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

import json
import logging
import math
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError
from .draw import (
    ANNOTATED_MIN_WIDTH,
    _offset_px,
    _target_handle,
    _upscale,
    _verdict,
    render_annotated,
    render_landing,
    render_look,
    render_path,
)
from .pages import _run_page, _top_page

if TYPE_CHECKING:
    from ..records import AttemptRecord, SolveResult

__all__ = ["ANNOTATED_MIN_WIDTH", "DebugRecorder", "render_annotated", "render_path"]

logger = logging.getLogger("omo_selenium.debug")

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


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
        """Write ``captcha.png``, ``annotated.png``, ``path.png`` and ``attempt.json``,
        plus ``look.png`` (the piece seen moving, when the solver refused the picture) and
        ``landing.png`` (the last look before release), when there was one.

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
        look = record.look
        if look is not None and _guarded(
            "look.png", lambda: render_look(look).save(folder / "look.png", format="PNG")
        ):
            files["look"] = "look.png"
        landing = record.landing
        scale = record.captured.scale if record.captured is not None else 1.0
        if landing is not None and _guarded(
            "landing.png",
            lambda: render_landing(landing, scale=scale).save(folder / "landing.png"),
        ):
            files["landing"] = "landing.png"
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


# -- summaries and files ---------------------------------------------------------------


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
        "verdict_reason": record.verdict_reason,
        "answered_by": record.answered_by,
        "jump_css": record.jump_css,
        "presses": record.presses,
        "look": None
        if record.look is None
        else {
            "start_x": record.look.start_x,
            "y": record.look.y,
            "size": list(record.look.sprite.size),
            "shift_px": record.look.shift_px,
            "handle_css": record.look.handle_css,
        },
        "landing": None
        if record.landing is None
        else {
            "found_x": record.landing.found_x,
            "target_x": record.landing.target_x,
            "how": record.landing.how,
        },
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
