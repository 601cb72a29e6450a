"""Small test doubles shared by the client and server tests: images and solvers."""

from __future__ import annotations

import io
import threading
from typing import Any

from PIL import Image

#: Upper bound, in seconds, on any condition a test waits for.
WAIT = 10.0


def png(red: int = 0, size: tuple[int, int] = (24, 16)) -> bytes:
    """A small PNG whose top-left red value is ``red`` (so answers can depend on content)."""
    image = Image.new("RGB", size, (40, 80, 120))
    image.putpixel((0, 0), (red, 0, 0))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


class ContentSolver:
    """Answers the top-left red value of the image: a mixed-up answer is visible."""

    def solve(self, image: Any, width_view: float) -> float:
        with Image.open(io.BytesIO(image)) as img:
            return float(img.convert("RGB").getpixel((0, 0))[0])


class BlockingSolver:
    """Blocks every solve until ``release`` is set, then answers 7.5; ``entered`` counts
    the solves that have started."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)

    def solve(self, image: Any, width_view: float) -> float:
        self.entered.release()
        if not self.release.wait(WAIT):
            raise RuntimeError("test never released the solver")
        return 7.5


class RaisingSolver:
    """Raises ``exc`` on every solve."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def solve(self, image: Any, width_view: float) -> float:
        raise self.exc


class RecordingSolver:
    """Answers ``answer`` to every solve and keeps the ``(image, width_view)`` it was given."""

    def __init__(self, answer: float) -> None:
        self.answer = answer
        self.calls: list[tuple[Any, float]] = []

    def solve(self, image: Any, width_view: float) -> float:
        self.calls.append((image, width_view))
        return self.answer


class PieceRecordingSolver(RecordingSolver):
    """A PieceSolver: answers ``answer`` to every ``solve_piece`` and keeps its arguments."""

    def __init__(self, answer: float) -> None:
        super().__init__(answer)
        self.piece_calls: list[tuple[Any, Any, float]] = []

    def solve_piece(self, background: Any, piece: Any, width_view: float) -> float:
        self.piece_calls.append((background, piece, width_view))
        return self.answer


def rgba_png(size: tuple[int, int], colour: tuple[int, int, int, int]) -> bytes:
    """A PNG piece of one RGBA colour (alpha 0 is outside the piece's shape)."""
    buf = io.BytesIO()
    Image.new("RGBA", size, colour).save(buf, format="PNG")
    return buf.getvalue()
