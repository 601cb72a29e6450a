"""A slider widget simulated without a browser, behind a recording fake WebDriver.

:class:`FakeWidgetDriver` answers the few WebDriver calls :class:`SliderSolver` makes
(scripts, screenshots, element rects, W3C actions) from a small model of a slider
widget: a textured picture with a gap, a piece that follows the handle at ``ratio``, a
verdict on release. Every W3C action sequence it receives is recorded, so tests can pin
exactly what the solver sends, and the widget can misbehave the ways real ones do
(ignore a press, jump to the pointer, answer late, reset after a failure).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image
from selenium.webdriver.remote.command import Command
from selenium.webdriver.remote.webelement import WebElement

#: Viewport size, CSS px (DPR 1).
VIEW_W, VIEW_H = 420, 320
#: The picture's place in the viewport, CSS px.
IMAGE_X, IMAGE_Y, IMAGE_W, IMAGE_H = 20, 20, 340, 212
#: The handle's place at rest, CSS px.
HANDLE_X, HANDLE_Y, HANDLE_W, HANDLE_H = 20, 244, 44, 40
#: The piece's size and row, CSS px.
PIECE, PIECE_Y = 50, 80


def _texture(seed: int, w: int, h: int) -> np.ndarray[Any, Any]:
    """A smooth, edge-rich RGB texture (deterministic)."""
    rng = np.random.default_rng(seed)
    small = rng.uniform(0, 255, size=(h // 8 + 2, w // 8 + 2, 3)).astype(np.uint8)
    big = Image.fromarray(small).resize((w + 16, h + 16), Image.Resampling.BICUBIC)
    arr = np.asarray(big, dtype=np.float32)[:h, :w]
    fine = rng.uniform(-25, 25, size=(h, w, 1)).astype(np.float32)
    return np.clip(arr + fine, 0, 255)


@dataclass
class WidgetState:
    """What the simulated widget shows."""

    gap_x: float
    picture: int = 0  # bumps on every new picture
    handle_x: float = 0.0  # CSS px from rest
    pressed: bool = False
    pointer_x: float = 0.0  # pointer, relative to where it was pressed
    hovered_since_press: bool = False
    state: str = "idle"  # idle, verifying, success, fail
    verdicts: list[bool] = field(default_factory=list)


class FakeWidgetDriver:
    """A fake WebDriver over one simulated slider widget.

    Args:
        gap_x: the gap's left edge, CSS px from the picture's left edge (the piece
            starts at 0).
        ratio: piece px per handle px.
        tolerance: how far from the gap (CSS px) a drop is accepted.
        ignore_first_press: the widget ignores a press that comes before the pointer
            rested on the handle (the first press of each drag).
        jump_on_press: on press the handle's left edge goes to the pointer's x.
        reset_on_fail: after a failure the handle goes back and a new picture comes.
        verdict_words: show the verdict as words (state classes) on the widget.
        hide_on_success: the captcha is hidden once accepted.
        throttle_ms: the widget drops a move that comes sooner than this after the
            last move it took, and never takes it later (time as the actions say).
    """

    def __init__(
        self,
        gap_x: float = 150.0,
        *,
        ratio: float = 1.0,
        tolerance: float = 4.0,
        ignore_first_press: bool = False,
        jump_on_press: bool = False,
        reset_on_fail: bool = True,
        verdict_words: bool = True,
        hide_on_success: bool = False,
        throttle_ms: float = 0.0,
    ) -> None:
        self.w3c = True
        self.session_id = "fake"
        self.ratio = ratio
        self.tolerance = tolerance
        self.ignore_first_press = ignore_first_press
        self.jump_on_press = jump_on_press
        self.reset_on_fail = reset_on_fail
        self.verdict_words = verdict_words
        self.hide_on_success = hide_on_success
        self.throttle_ms = throttle_ms
        self._clock_ms = 0.0  # the actions' own time: their durations and pauses
        self._taken_ms: float | None = None  # when the last move was taken
        self.widget = WidgetState(gap_x=gap_x)
        self.image = WebElement(self, "image-1")
        self.handle = WebElement(self, "handle-1")
        self.root = WebElement(self, "root-1")
        #: Describes an element covering the handle (``None``: nothing covers it).
        self.covered_by: str | None = None
        #: Every W3C action sequence received, as sent.
        self.actions: list[list[dict[str, Any]]] = []
        self.scripts: list[str] = []
        self.screenshots = 0
        self._presses = 0

    # -- the model ---------------------------------------------------------------

    @property
    def piece_x(self) -> float:
        """The piece's left edge, CSS px from the picture's left edge."""
        return min(max(self.widget.handle_x * self.ratio, 0.0), IMAGE_W - PIECE)

    def _place(self, handle_x: float) -> None:
        self.widget.handle_x = min(max(handle_x, 0.0), IMAGE_W - HANDLE_W)

    def _press(self) -> None:
        self._presses += 1
        if self.ignore_first_press and self._presses % 2 == 1:
            return
        self.widget.pressed = True
        self.widget.pointer_x = 0.0
        self.widget.state = "idle"
        if self.jump_on_press:
            # the handle's left edge goes to the pointer (its centre at rest)
            self._place(self.widget.handle_x + HANDLE_W / 2)
        self._jump = self.widget.handle_x

    def _move(self, dx: float) -> None:
        if not self.widget.pressed:
            return
        self.widget.pointer_x += dx
        taken = self._taken_ms
        if self.throttle_ms and taken is not None and self._clock_ms - taken < self.throttle_ms:
            return
        self._taken_ms = self._clock_ms
        self._place(self._jump + self.widget.pointer_x)

    def _release(self) -> None:
        if not self.widget.pressed:
            return
        self.widget.pressed = False
        if self.widget.handle_x < 1:
            return  # a drop at the start is no answer (as most widgets treat it)
        passed = abs(self.piece_x - self.widget.gap_x) <= self.tolerance
        self.widget.verdicts.append(passed)
        self.widget.state = "success" if passed else "fail"
        if not passed and self.reset_on_fail:
            self.new_picture()

    def new_picture(self) -> None:
        """Show a new challenge: another picture, the handle back at the start."""
        self.widget.picture += 1
        self.widget.gap_x = 120.0 + (self.widget.picture * 37) % 140
        self._place(0.0)

    def render(self) -> Image.Image:
        """The viewport as a screenshot would show it now."""
        view = np.full((VIEW_H, VIEW_W, 3), 245.0, dtype=np.float32)
        if not (self.hide_on_success and self.widget.state == "success"):
            pic = _texture(7 + self.widget.picture, IMAGE_W, IMAGE_H)
            gx = round(self.widget.gap_x)
            content = pic[PIECE_Y : PIECE_Y + PIECE, gx : gx + PIECE].copy()
            pic[PIECE_Y : PIECE_Y + PIECE, gx : gx + PIECE] *= 0.45
            piece = content.copy()
            piece[:2, :] = piece[-2:, :] = piece[:, :2] = piece[:, -2:] = 255.0
            px = round(self.piece_x)
            pic[PIECE_Y : PIECE_Y + PIECE, px : px + PIECE] = piece
            view[IMAGE_Y : IMAGE_Y + IMAGE_H, IMAGE_X : IMAGE_X + IMAGE_W] = pic
            hx = HANDLE_X + round(self.widget.handle_x)
            view[HANDLE_Y : HANDLE_Y + HANDLE_H, hx : hx + HANDLE_W] = (90.0, 90.0, 200.0)
        return Image.fromarray(view.astype(np.uint8))

    # -- the WebDriver surface -------------------------------------------------------

    def get_screenshot_as_png(self) -> bytes:
        self.screenshots += 1
        buf = io.BytesIO()
        self.render().save(buf, format="PNG")
        return buf.getvalue()

    def _rect(self, element_id: str) -> dict[str, float]:
        if element_id == self.image.id:
            return {"x": IMAGE_X, "y": IMAGE_Y, "width": IMAGE_W, "height": IMAGE_H}
        x = HANDLE_X + self.widget.handle_x
        return {"x": x, "y": HANDLE_Y, "width": HANDLE_W, "height": HANDLE_H}

    def execute_script(self, script: str, *args: Any) -> Any:
        self.scripts.append(script)
        element = args[0] if args else None
        if "getBoundingClientRect" in script and "dpr" in script and element is not None:
            r = self._rect(element.id)
            return {
                "x": r["x"],
                "y": r["y"],
                "w": r["width"],
                "h": r["height"],
                "vw": VIEW_W,
                "vh": VIEW_H,
                "sx": 0,
                "sy": 0,
                "reachable": True,
                "visible": not (self.hide_on_success and self.widget.state == "success"),
                "dpr": 1.0,
            }
        if "elementFromPoint" in script:
            if self.covered_by is None:
                return None
            return [self.covered_by, HANDLE_X + HANDLE_W / 2, HANDLE_Y + HANDLE_H / 2]
        if "naturalWidth" in script:  # is the picture loaded?
            return True
        if "root_present" in script:
            return self.snapshot()
        if script.strip().startswith("const h = arguments[0];"):  # the handle's left edge
            return HANDLE_X + self.widget.handle_x
        raise AssertionError(f"the fake widget does not know this script: {script[:80]!r}")

    def snapshot(self) -> dict[str, Any]:
        """What the verdict script reads on the page."""
        hidden = self.hide_on_success and self.widget.state == "success"
        words = ["captcha", "slider-handle", "Slide to complete the puzzle"]
        texts: list[str] = []
        if self.verdict_words:
            words.append(f"captcha is-{self.widget.state}")
            texts.append(
                {"success": "Verified", "fail": "Not quite, try again"}.get(self.widget.state, "")
            )
        return {
            "root": self.root,
            "root_present": True,
            "root_shown": not hidden,
            "image_shown": not hidden,
            "handle_x": HANDLE_X + self.widget.handle_x,
            "handle_width": HANDLE_W,
            "words": words,
            "texts": texts,
            "busy": self.widget.state == "verifying",
            "pictures": str(self.widget.picture),
            "scroll": [0, 0],
        }

    def execute(self, command: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        params = params or {}
        if command == Command.W3C_ACTIONS:
            self.actions.append(params["actions"])
            self._perform(params["actions"])
            return {"value": None}
        if command == Command.GET_ELEMENT_RECT:
            return {"value": self._rect(params["id"])}
        if command == Command.W3C_RELEASE_ACTIONS:
            return {"value": None}
        raise AssertionError(f"the fake widget does not know the command {command!r}")

    def _perform(self, sources: list[dict[str, Any]]) -> None:
        for source in sources:
            for action in source["actions"]:
                kind = action["type"]
                self._clock_ms += float(action.get("duration") or 0)
                if kind == "pointerMove":
                    if action.get("origin") == "pointer":
                        self._move(float(action["x"]))
                elif kind == "pointerDown":
                    self._press()
                elif kind == "pointerUp":
                    self._release()


def pinned(actions: list[list[dict[str, Any]]]) -> list[list[tuple[Any, ...]]]:
    """The action sequences in a compact, comparable form.

    The pause before a release is the settle less the time the solver spent looking at
    the page while holding still, which depends on the machine: on a slow one there is
    none left to send. It is left out.
    """
    out: list[list[tuple[Any, ...]]] = []
    for sources in actions:
        seq: list[tuple[Any, ...]] = []
        for source in sources:
            items = source["actions"]
            for i, action in enumerate(items):
                kind = action["type"]
                if kind == "pointerMove":
                    origin = action.get("origin")
                    where = "pointer" if origin == "pointer" else "element"
                    seq.append(("move", where, action["x"], action["y"], action["duration"]))
                elif kind == "pause":
                    if i + 1 < len(items) and items[i + 1]["type"] == "pointerUp":
                        continue
                    seq.append(("pause", action["duration"]))
                elif kind in ("pointerDown", "pointerUp"):
                    seq.append((kind, action["button"]))
        out.append(seq)
    return out
