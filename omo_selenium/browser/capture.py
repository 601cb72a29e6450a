"""Take the captcha picture from the page: element bounds x devicePixelRatio -> crop.

The crop comes from a viewport screenshot, so whatever is drawn over the element
(the piece is often a separate canvas or img laid on the background) is in it too.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Union

from PIL import Image
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from ..errors import CaptureError, ConfigurationError
from .webdriver_errors import translate_webdriver_error

__all__ = [
    "Captured",
    "Target",
    "capture_element",
    "element_rect",
    "read_own_pixels",
    "recapture",
    "resolve_element",
    "rows_of",
]

logger = logging.getLogger("omo_selenium.capture")

#: What names an element: a WebElement, a ``(By.X, value)`` locator, or a CSS selector.
Target = Union[WebElement, tuple[str, str], str]

# Bounds in the top-level viewport (CSS px), adding frame offsets for same-origin iframes.
_RECT_JS = """
const el = arguments[0];
const scroll = arguments[1];
function topRect() {
  const r = el.getBoundingClientRect();
  let x = r.left, y = r.top, w = window, reachable = true;
  while (w !== w.top) {
    let fe = null;
    try { fe = w.frameElement; } catch (e) { fe = null; }
    if (!fe) { reachable = false; break; }
    const fr = fe.getBoundingClientRect();
    const cs = w.parent.getComputedStyle(fe);
    x += fr.left + fe.clientLeft + parseFloat(cs.paddingLeft);
    y += fr.top + fe.clientTop + parseFloat(cs.paddingTop);
    w = w.parent;
  }
  let vw = window.innerWidth, vh = window.innerHeight;
  let sx = 0, sy = 0;
  if (reachable) {
    vw = window.top.innerWidth; vh = window.top.innerHeight;
    sx = window.top.scrollX; sy = window.top.scrollY;
  }
  return {x: x, y: y, w: r.width, h: r.height, vw: vw, vh: vh, sx: sx, sy: sy,
          reachable: reachable};
}
let b = topRect();
const outside = b.x < 0 || b.y < 0 || b.x + b.w > b.vw || b.y + b.h > b.vh;
if (scroll && outside) {
  el.scrollIntoView({block: 'center', inline: 'center'});
  b = topRect();
}
const cs = window.getComputedStyle(el);
b.visible = cs.display !== 'none' && cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0;
b.dpr = window.devicePixelRatio;
return b;
"""


@dataclass(frozen=True)
class Captured:
    """A captcha picture taken from the page.

    Attributes:
        image: the cropped picture, in device pixels.
        width_view: the element's displayed width in CSS px (what the API calls ``width_view``).
        css_rect: ``(x, y, width, height)`` in CSS px of the top-level viewport.
        device_box: ``(left, top, right, bottom)`` of the crop in screenshot pixels, or
            ``None`` when the picture came from an element screenshot (cross-origin frame).
        device_pixel_ratio: ``window.devicePixelRatio`` at capture time.
        screenshot_seconds: how long the browser took to take the screenshot.
        scroll: the top-level page's ``(scrollX, scrollY)`` at capture time, CSS px.
    """

    image: Image.Image
    width_view: float
    css_rect: tuple[float, float, float, float]
    device_box: tuple[int, int, int, int] | None
    device_pixel_ratio: float
    screenshot_seconds: float = 0.0
    scroll: tuple[float, float] = (0.0, 0.0)

    @property
    def scale(self) -> float:
        """CSS px per image px of :attr:`image`."""
        return self.width_view / self.image.width

    def png(self) -> bytes:
        """The picture encoded as PNG."""
        buf = io.BytesIO()
        self.image.save(buf, format="PNG")
        return buf.getvalue()


def resolve_element(driver: WebDriver, target: Target, *, timeout: float = 0.0) -> WebElement:
    """Return the element ``target`` names, waiting up to ``timeout`` s for it to be present.

    Raises:
        CaptureError: nothing matches within the timeout.
        ConfigurationError: ``target`` is not a WebElement, locator tuple or CSS selector.
    """
    if isinstance(target, WebElement):
        return target
    if isinstance(target, str):
        locator = ("css selector", target)
    elif isinstance(target, tuple) and len(target) == 2 and all(isinstance(p, str) for p in target):
        locator = target
    else:
        raise ConfigurationError(
            "expected a WebElement, a (By.X, value) locator or a CSS selector, "
            f"got {type(target).__name__}"
        )
    try:
        if timeout > 0:
            found: WebElement = WebDriverWait(driver, timeout).until(
                lambda d: d.find_element(*locator)
            )
            return found
        return driver.find_element(*locator)
    except (NoSuchElementException, TimeoutException) as exc:
        raise CaptureError(f"no element matches {locator[0]}={locator[1]!r}") from exc
    except WebDriverException as exc:
        # a malformed selector, a lost browser: never a raw Selenium error
        what = f"find {locator[0]}={locator[1]!r}"
        raise translate_webdriver_error(exc, CaptureError, what) from exc


def _device_box(x: float, y: float, w: float, h: float, dpr: float) -> tuple[int, int, int, int]:
    """Screenshot pixels of a CSS rect, rounded the way Chrome clips element screenshots.

    Chrome snaps a box's origin to the nearest device pixel, halves going up (CSS 37 at
    DPR 1.5 starts at pixel 56), and keeps its rounded size, so the crop never loses a row
    to two roundings.
    """
    left, top = math.floor(x * dpr + 0.5), math.floor(y * dpr + 0.5)
    return (left, top, left + round(w * dpr), top + round(h * dpr))


def _crop(png: bytes, box: tuple[int, int, int, int]) -> Image.Image:
    with Image.open(io.BytesIO(png)) as shot:
        if box[2] > shot.width or box[3] > shot.height:
            raise CaptureError(
                f"element box {box} lies outside the {shot.width}x{shot.height} screenshot"
            )
        cropped: Image.Image = shot.convert("RGB").crop(box)
        return cropped


def _grab(
    driver: WebDriver, box: tuple[int, int, int, int], dpr: float, scroll: tuple[float, float]
) -> tuple[Image.Image, float]:
    """The screenshot pixels inside ``box``, and the seconds the browser took.

    Chromium drivers that speak DevTools (local ``webdriver.Chrome``) are asked for just
    that clip of the page, which gives the same pixels as cropping the whole viewport
    (the capture tests check it) about three times faster; any other driver takes the
    viewport screenshot and crops it.

    Raises:
        WebDriverException: the browser could not take the screenshot.
    """
    started = time.monotonic()
    execute_cdp = getattr(driver, "execute_cdp_cmd", None)
    if callable(execute_cdp):
        left, top, right, bottom = box
        clip = {
            "x": left / dpr + scroll[0],
            "y": top / dpr + scroll[1],
            "width": (right - left) / dpr,
            "height": (bottom - top) / dpr,
            "scale": 1,
        }
        try:
            answer = execute_cdp("Page.captureScreenshot", {"format": "png", "clip": clip})
            data = base64.b64decode(answer["data"])
            image = Image.open(io.BytesIO(data)).convert("RGB")
            if image.size == (right - left, bottom - top):
                return image, time.monotonic() - started
            logger.debug("clipped capture came back %s, not %s", image.size, box)
        except (WebDriverException, KeyError, TypeError, ValueError, OSError):
            logger.debug("clipped capture failed; cropping a full screenshot", exc_info=True)
        started = time.monotonic()
    png = driver.get_screenshot_as_png()
    seconds = time.monotonic() - started
    return _crop(png, box), seconds


def element_rect(driver: WebDriver, element: WebElement) -> tuple[float, float, float, float]:
    """``(x, y, width, height)`` of ``element`` in CSS px of the top-level viewport.

    The same bounds :func:`capture_element` crops by, without a screenshot (nothing is
    scrolled).

    Raises:
        CaptureError: the element went away, is hidden or has no size.
    """
    try:
        bounds: dict[str, Any] = driver.execute_script(_RECT_JS, element, False)
    except StaleElementReferenceException as exc:
        raise CaptureError("the element went away while measuring it") from exc
    except WebDriverException as exc:
        raise translate_webdriver_error(exc, CaptureError, "measure the element") from exc
    if not bounds["visible"] or bounds["w"] < 1 or bounds["h"] < 1:
        raise CaptureError(
            f"element is hidden or has no size ({bounds['w']:.0f}x{bounds['h']:.0f})"
        )
    return (float(bounds["x"]), float(bounds["y"]), float(bounds["w"]), float(bounds["h"]))


def capture_element(driver: WebDriver, target: Target, *, scroll: bool = True) -> Captured:
    """Crop the element's picture out of a viewport screenshot.

    The crop box is the element's ``getBoundingClientRect()`` times
    ``window.devicePixelRatio``, snapped to device pixels as Chrome does.
    The element is scrolled into view first when it is not fully visible. Frame
    offsets are added when the element lives in a (same-origin) iframe the driver has
    switched into; for a cross-origin frame the element's own screenshot is used.

    Args:
        driver: any WebDriver (local or Remote).
        target: the captcha picture element (it should include the overlaid piece).
        scroll: scroll the element into view when it is partly outside the viewport.

    Returns:
        The crop, its CSS width (``width_view``) and where it was taken.

    Raises:
        CaptureError: the element is missing, hidden, has no size or lies off-screen.
    """
    element = resolve_element(driver, target)
    try:
        bounds: dict[str, Any] = driver.execute_script(_RECT_JS, element, scroll)
        if not bounds["visible"] or bounds["w"] < 1 or bounds["h"] < 1:
            raise CaptureError(
                f"captcha element is hidden or has no size ({bounds['w']:.0f}x{bounds['h']:.0f})"
            )
        dpr = float(bounds["dpr"]) or 1.0
        css_rect = (float(bounds["x"]), float(bounds["y"]), float(bounds["w"]), float(bounds["h"]))
        if not bounds["reachable"]:
            logger.debug("element is in a cross-origin frame; using its own screenshot")
            image = Image.open(io.BytesIO(element.screenshot_as_png)).convert("RGB")
            return Captured(image, css_rect[2], css_rect, None, dpr)
        x, y, w, h = css_rect
        box = _device_box(x, y, w, h, dpr)
        if box[0] < 0 or box[1] < 0:
            raise CaptureError(f"captcha element is off-screen at CSS ({x:.0f}, {y:.0f})")
        page_scroll = (float(bounds["sx"]), float(bounds["sy"]))
        image, shot_seconds = _grab(driver, box, dpr, page_scroll)
    except StaleElementReferenceException as exc:
        raise CaptureError("captcha element went away while capturing it") from exc
    except WebDriverException as exc:
        raise translate_webdriver_error(exc, CaptureError, "capture the captcha") from exc
    logger.debug("captured %dx%d px at dpr %.2f, width_view %.1f", *image.size, dpr, w)
    return Captured(image, w, css_rect, box, dpr, shot_seconds, page_scroll)


def recapture(driver: WebDriver, previous: Captured) -> Captured:
    """Take a fresh picture of the same place, reusing ``previous``'s bounds.

    Cheaper than :func:`capture_element` (no script, no scrolling): used while dragging,
    when the page must not move.

    Raises:
        CaptureError: ``previous`` has no screenshot box, or the screenshot failed.
    """
    if previous.device_box is None:
        raise CaptureError("cannot re-capture an element-screenshot capture")
    try:
        image, seconds = _grab(
            driver, previous.device_box, previous.device_pixel_ratio, previous.scroll
        )
    except WebDriverException as exc:
        raise translate_webdriver_error(exc, CaptureError, "take a screenshot") from exc
    return dataclasses.replace(previous, image=image, screenshot_seconds=seconds)


def rows_of(captured: Captured, top: int, bottom: int) -> Captured | None:
    """``captured`` narrowed to its picture's rows ``top`` to ``bottom`` (image px).

    A look at a few rows (where the piece slides) is a smaller screenshot and a smaller
    comparison than a look at the whole captcha; :func:`recapture` of the result takes
    just those rows again. ``None`` when ``captured`` came from an element screenshot or
    the rows hold nothing.
    """
    if captured.device_box is None:
        return None
    top, bottom = max(0, top), min(captured.image.height, bottom)
    if bottom - top < 2:
        return None
    left, box_top, right, _ = captured.device_box
    image = captured.image.crop((0, top, captured.image.width, bottom))
    return dataclasses.replace(
        captured, image=image, device_box=(left, box_top + top, right, box_top + bottom)
    )


# The element's own pixels with their transparency: a <canvas> as it is, an <img> drawn
# on a canvas of its natural size. null when there is none, or when the browser refuses
# to read them (a cross-origin picture taints the canvas).
_OWN_PIXELS_JS = """
const el = arguments[0];
let canvas = null;
if (el.tagName === 'CANVAS') {
  canvas = el;
} else if (el.tagName === 'IMG' && el.complete && el.naturalWidth > 0) {
  canvas = document.createElement('canvas');
  canvas.width = el.naturalWidth;
  canvas.height = el.naturalHeight;
  canvas.getContext('2d').drawImage(el, 0, 0);
}
if (!canvas || canvas.width === 0 || canvas.height === 0) return null;
try { return canvas.toDataURL('image/png'); } catch (e) { return null; }
"""
#: Largest data URL read back from the page (a piece sprite is a few KiB).
MAX_PIXELS_URL_CHARS = 8_000_000


def read_own_pixels(
    driver: WebDriver, element: WebElement, size: tuple[int, int]
) -> Image.Image | None:
    """Return an ``<img>`` or ``<canvas>`` element's own picture with its alpha, at ``size``.

    A screenshot of an element that is drawn over another shows what lies behind its
    transparent parts; the element's own pixels keep its shape. Used for a puzzle piece
    that the page draws as its own element.

    Args:
        driver: the driver showing the element.
        element: an ``img`` or ``canvas``.
        size: the size wanted, in px of the screenshot it will be compared with.

    Returns:
        The RGBA picture resized to ``size``, or ``None`` when the element is of another
        kind, not loaded, cross-origin (unreadable) or fully opaque (no shape to use).
    """
    try:
        url = driver.execute_script(_OWN_PIXELS_JS, element)
    except WebDriverException as exc:
        logger.debug("could not read the element's own pixels: %s", exc)
        return None
    prefix = "data:image/png;base64,"
    if not isinstance(url, str) or not url.startswith(prefix) or len(url) > MAX_PIXELS_URL_CHARS:
        return None
    try:
        picture = Image.open(io.BytesIO(base64.b64decode(url[len(prefix) :]))).convert("RGBA")
    except (OSError, ValueError):
        return None
    alpha = picture.getchannel("A")
    if alpha.getextrema()[0] == 255:
        return None  # fully opaque: a screenshot shows the same, and no shape is known
    if size[0] <= 0 or size[1] <= 0:
        return None
    return picture.resize(size, Image.Resampling.LANCZOS)
