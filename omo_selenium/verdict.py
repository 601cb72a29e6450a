"""Read the page's verdict after a drag, with or without a ``success=`` selector.

Most widgets say how a drag went in ways that do not depend on their vendor: the
captcha closes (hidden or removed), words appear on the widget (classes, aria and data
attributes, text: "success", "verified", "fail", "try again", also in Chinese; a check
mark icon), the handle and piece go back to the start, a new picture comes.
:class:`VerdictWatch` snapshots the widget (the smallest element holding both the
picture and the handle) before the press and while the button is still held, and after
release polls until one of these signs appears or the wait ends. Only new words count
(those not on the widget while holding), so instructions and hidden icons never decide.

An outcome is ``accepted`` only on positive evidence; anything ambiguous waits, then
reads ``unknown``. Failure words beat success words ("not verified").
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageChops
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from .browser.capture import Captured, recapture
from .browser.conditions import Condition, as_condition
from .browser.webdriver_errors import browser_is_lost, translate_webdriver_error
from .errors import CaptureError, SlideError
from .records import Verdict

__all__ = ["FAILURE_WORDS", "SUCCESS_WORDS", "VerdictWatch", "WidgetState", "words_of"]

logger = logging.getLogger("omo_selenium.solver")

#: Words that, appearing on the widget after release, mean the drag was accepted.
#: Words of instructions ("complete", "correct") are left out: a reset that shows the
#: hint again must not read as a success.
SUCCESS_WORDS = frozenset(
    {"success", "successful", "successfully", "succeeded", "verified", "passed", "pass", "ok",
     "solved", "validated", "approved", "check", "checkmark", "tick"}
)  # fmt: skip
#: Words that mean the drag was rejected.
FAILURE_WORDS = frozenset(
    {"fail", "failed", "failure", "error", "wrong", "again", "retry", "invalid", "incorrect",
     "denied", "rejected", "mismatch", "oops", "expired"}
)  # fmt: skip
#: Words that mean the widget is still deciding.
PENDING_WORDS = frozenset(
    {"verifying", "checking", "loading", "validating", "pending", "processing", "waiting"}
)
#: Words that turn a following success word into a failure ("not verified").
NEGATIONS = frozenset({"not", "no", "unable", "cannot", "couldn", "never", "un"})
#: The same signs in Chinese, in which many slider widgets speak ("验证通过", "验证失败
#: 请重试"). Chinese has no spaces, so these are looked for as phrases, each standing for
#: an English word above; a phrase found is taken out of the text before the later ones
#: are looked for, so the negated forms come first ("未通过", not passed, holds "通过").
#: Instructions ("拖动滑块完成拼图", drag the slider to complete the puzzle) hold none.
CHINESE_PHRASES: tuple[tuple[str, str], ...] = (
    ("未通过", "not-passed"),
    ("不通过", "not-passed"),
    ("没通过", "not-passed"),
    ("失败", "failed"),
    ("重试", "retry"),
    ("再试", "again"),
    ("错误", "error"),
    ("验证中", "verifying"),
    ("校验中", "verifying"),
    ("加载中", "loading"),
    ("成功", "success"),
    ("通过", "passed"),
)

#: Seconds between two looks at the page while waiting for the verdict (a look is one
#: script call, ~10-20 ms: the wait ends within a few tens of ms of the page's answer).
POLL_SECONDS = 0.04
#: Seconds between two comparisons of a screenshot of the captcha with the one before
#: the drag (same picture = piece back at the start; most pixels changed = new picture),
#: the first this long after release. A screenshot costs more than a look.
PICTURE_EVERY_SECONDS = 0.3
#: A closing captcha must stay closed this long before it counts as accepted.
CLOSED_FOR_SECONDS = 0.25
#: Handle within this many CSS px of its start counts as back at the start.
BACK_AT_START_CSS_PX = 2.0
#: Share of the captcha's pixels that differ above which the picture is a new one.
NEW_PICTURE_SHARE = 0.45
#: Share of pixels that differ below which the picture is the one before the drag.
SAME_PICTURE_SHARE = 0.002

_SNAPSHOT_JS = r"""
const [image, handle, given] = arguments;
function shown(el) {
  if (!el || !el.isConnected) return false;
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return false;
  if (el.checkVisibility)
    return el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const cs = getComputedStyle(el);
  return cs.display !== 'none' && cs.visibility !== 'hidden' && parseFloat(cs.opacity) > 0;
}
function common(a, b) {
  const mine = new Set();
  for (let n = a; n; n = n.parentElement) mine.add(n);
  for (let n = b; n; n = n.parentElement) if (mine.has(n)) return n;
  return document.body;
}
const root = given || (image && handle && image.isConnected && handle.isConnected
  ? common(image, handle) : null);
const out = {root: root, root_present: !!(root && root.isConnected), root_shown: shown(root),
             image_shown: shown(image), handle_x: null, words: [], texts: [], busy: false,
             pictures: '', scroll: [window.scrollX, window.scrollY]};
if (handle && handle.isConnected) {
  const hr = handle.getBoundingClientRect();
  out.handle_x = hr.left;
  out.handle_width = hr.width;
}
function attrs(el) {
  const cls = typeof el.className === 'string' ? el.className
    : (el.className && el.className.baseVal) || '';
  out.words.push(el.id || '', cls);
  for (const a of el.attributes) {
    const n = a.name, v = (a.value || '').trim().toLowerCase();
    if (!(n.startsWith('aria-') || n.startsWith('data-'))) continue;
    if (v === 'false' || v === '0' || v === '' || v.length > 80) continue;
    out.words.push(v === 'true' ? n : n + ' ' + v);
    if (n === 'aria-busy' && v === 'true') out.busy = true;
  }
}
if (out.root_present) {
  let n = root, up = 0;
  for (; n && up < 4; n = n.parentElement, up++) if (shown(n)) attrs(n);
  const all = root.querySelectorAll('*');
  for (let i = 0; i < all.length && i < 400; i++) if (shown(all[i])) attrs(all[i]);
  if (out.root_shown) out.texts.push((root.innerText || '').slice(0, 2000));
  let h = 5381;
  const imgs = root.querySelectorAll('img');
  for (let i = 0; i < imgs.length && i < 20; i++) {
    const s = imgs[i].currentSrc || imgs[i].src || '';
    for (let k = 0; k < s.length; k += Math.max(1, Math.floor(s.length / 512)))
      h = ((h * 33) ^ s.charCodeAt(k)) >>> 0;
    h = ((h * 33) ^ s.length) >>> 0;
  }
  if (image && image.isConnected) {
    const bg = getComputedStyle(image).backgroundImage || '';
    for (let k = 0; k < bg.length; k++) h = ((h * 33) ^ bg.charCodeAt(k)) >>> 0;
  }
  out.pictures = String(h);
  const cls = typeof root.className === 'string' ? root.className.trim() : '';
  out.signature = [root.tagName, root.id || '', cls.split(/\s+/)[0] || ''];
}
const live = document.querySelectorAll('[role=alert],[role=status],[aria-live]');
for (let i = 0; i < live.length && i < 20; i++)
  if (shown(live[i])) out.texts.push((live[i].innerText || '').slice(0, 300));
return out;
"""

# Is a shown element like the widget's old root (same tag, and same id or first class)
# in the document? Then the widget was replaced, not closed.
_LIKE_ROOT_JS = """
const [tag, id, cls] = arguments;
let found = [];
if (id) { const el = document.getElementById(id); if (el) found = [el]; }
else if (cls) found = Array.from(document.getElementsByClassName(cls)).slice(0, 20);
const opts = {opacityProperty: true, visibilityProperty: true};
return found.some((el) => el.tagName === tag && el.isConnected
  && el.getBoundingClientRect().width > 0 && (!el.checkVisibility || el.checkVisibility(opts)));
"""

_HANDLE_LEFT_JS = """
const h = arguments[0];
return h && h.isConnected ? h.getBoundingClientRect().left : null;
"""

_CAMEL = re.compile(r"([a-z])([A-Z])")
_SPLIT = re.compile(r"[^a-z]+")


def words_of(strings: Iterable[str]) -> frozenset[str]:
    """The words in class names, attributes and text, lower case; a success word right
    after a negation ("not verified") becomes ``"not-<word>"``, a failure. Chinese phrases
    count as the words they stand for (:data:`CHINESE_PHRASES`)."""
    found: set[str] = set()
    for text in strings:
        for phrase, word in CHINESE_PHRASES:
            if phrase in text:
                found.add(word)
                text = text.replace(phrase, " ")
        tokens = [t for t in _SPLIT.split(_CAMEL.sub(r"\1 \2", text).lower()) if len(t) >= 2]
        for i, token in enumerate(tokens):
            if token in SUCCESS_WORDS and i > 0 and tokens[i - 1] in NEGATIONS:
                found.add(f"not-{token}")
            else:
                found.add(token)
    return frozenset(found)


@dataclass(frozen=True)
class WidgetState:
    """One snapshot of the widget.

    Attributes:
        root_present: the widget's root element is still in the document.
        root_shown: it is displayed.
        image_shown: the captcha's picture is displayed.
        handle_x: the handle's left edge in the viewport, CSS px (``None``: gone).
        words: the words shown on and around the widget.
        busy: the widget says it is busy (``aria-busy``).
        pictures: a fingerprint of the widget's image sources.
        scroll: the page's scroll position, CSS px.
        signature: the root's tag, id and first class (to find a replacement by).
        handle_width: the handle's width, CSS px (``None``: gone).
    """

    root_present: bool
    root_shown: bool
    image_shown: bool
    handle_x: float | None
    words: frozenset[str]
    busy: bool
    pictures: str
    scroll: tuple[float, float]
    signature: tuple[str, str, str] | None = None
    handle_width: float | None = None
    root: WebElement | None = field(default=None, repr=False, compare=False)

    @classmethod
    def gone(cls) -> WidgetState:
        """The state of a widget whose root left the document."""
        return cls(False, False, False, None, frozenset(), False, "", (0.0, 0.0))


def judge(
    held: WidgetState, now: WidgetState, *, start_x: float | None
) -> tuple[Verdict, str] | None:
    """The verdict one snapshot gives, or ``None`` when it says nothing yet.

    Args:
        held: the widget while the button was still held (the baseline for words).
        now: the widget after release.
        start_x: the handle's left edge before the press.
    """
    new = now.words - held.words
    failed = sorted(w for w in new if w in FAILURE_WORDS or w.startswith("not-"))
    if failed:
        return Verdict.REJECTED, f"words on the widget: {', '.join(failed)}"
    succeeded = sorted(new & SUCCESS_WORDS)
    if succeeded:
        return Verdict.ACCEPTED, f"words on the widget: {', '.join(succeeded)}"
    if held.root_present and not now.root_present:
        return Verdict.ACCEPTED, "the captcha was removed from the page"
    if held.root_shown and now.root_present and not now.root_shown:
        return Verdict.ACCEPTED, "the captcha was hidden"
    if now.busy or new & PENDING_WORDS:
        return None
    if now.pictures and held.pictures and now.pictures != held.pictures:
        return Verdict.REJECTED, "a new picture was loaded"
    if (
        start_x is not None
        and held.handle_x is not None
        and now.handle_x is not None
        and abs(held.handle_x - start_x) > 2 * BACK_AT_START_CSS_PX
        and abs(now.handle_x - start_x) <= BACK_AT_START_CSS_PX
    ):
        return Verdict.REJECTED, "the handle went back to the start"
    return None


def _signature(raw: Any) -> tuple[str, str, str] | None:
    if not isinstance(raw, list) or len(raw) != 3 or not (raw[1] or raw[2]):
        return None
    return str(raw[0]), str(raw[1]), str(raw[2])


def picture_change(before: Image.Image, after: Image.Image) -> float:
    """Share of pixels that differ clearly (any channel by more than 24 levels)."""
    if before.size != after.size:
        return 1.0
    diff = ImageChops.difference(before.convert("RGB"), after.convert("RGB")).convert("L")
    histogram = diff.point(lambda v: 255 if v > 24 else 0).histogram()
    return histogram[255] / float(before.width * before.height)


def reissued(before: Image.Image, now: Image.Image) -> str | None:
    """How ``now`` shows a captcha given again, against ``before`` (the picture before
    the drag): see :func:`reissue_kind`."""
    return reissue_kind(picture_change(before, now))


def reissue_kind(share: float) -> str | None:
    """What a :func:`picture_change` share against the picture before the drag says:
    ``"at start"`` (the same picture, the piece back at its start), ``"new"`` (most of
    it changed: a new picture), or ``None`` (neither: the dropped piece, a shake, a
    message drawn over it)."""
    if share <= SAME_PICTURE_SHARE:
        return "at start"
    if share >= NEW_PICTURE_SHARE:
        return "new"
    return None


@dataclass
class _Wait:
    """What the verdict wait remembers between two looks."""

    closed_since: float | None = None
    #: ``time.monotonic()`` from which the next screenshot may be compared.
    next_picture: float = 0.0


class VerdictWatch:
    """Watch one widget through a drag and read its verdict after release.

    Args:
        driver: the browser, switched into the widget's frame.
        image: the captcha picture element.
        handle: the slider handle.
        relocate: finds the captcha picture again (``None`` when it was given as an
            element): a captcha replaced by another is a rejection, not a close.
    """

    def __init__(
        self,
        driver: WebDriver,
        image: WebElement,
        handle: WebElement,
        relocate: Callable[[], WebElement | None] | None = None,
    ) -> None:
        self.driver = driver
        self.image = image
        self.handle = handle
        self.relocate = relocate
        self.before: WidgetState | None = None
        self.held: WidgetState | None = None

    def snapshot(self) -> WidgetState:
        """The widget as it is now.

        Raises:
            BrowserLost: the browser is gone.
        """
        root = self.before.root if self.before is not None else None
        try:
            raw: dict[str, Any] = self.driver.execute_script(
                _SNAPSHOT_JS, self.image, self.handle, root
            )
        except StaleElementReferenceException:
            return WidgetState.gone()
        except WebDriverException as exc:
            if browser_is_lost(exc):
                raise translate_webdriver_error(exc, SlideError, "read the page") from exc
            if root is not None and "no such" in (exc.msg or "").lower():
                return WidgetState.gone()  # the frame or the widget went away
            raise translate_webdriver_error(exc, SlideError, "read the page") from exc
        handle_x, handle_width = raw.get("handle_x"), raw.get("handle_width")
        scroll = raw.get("scroll") or (0, 0)
        return WidgetState(
            root_present=bool(raw.get("root_present")),
            root_shown=bool(raw.get("root_shown")),
            image_shown=bool(raw.get("image_shown")),
            handle_x=float(handle_x) if isinstance(handle_x, (int, float)) else None,
            words=words_of([*raw.get("words", []), *raw.get("texts", [])]),
            busy=bool(raw.get("busy")),
            pictures=str(raw.get("pictures") or ""),
            scroll=(float(scroll[0]), float(scroll[1])),
            signature=_signature(raw.get("signature")),
            handle_width=float(handle_width) if isinstance(handle_width, (int, float)) else None,
            root=raw.get("root") if isinstance(raw.get("root"), WebElement) else root,
        )

    def handle_left(self) -> float | None:
        """The handle's left edge in the viewport now, CSS px (``None``: not seen).

        A lighter read than :meth:`snapshot`, for checks made while the button is held.

        Raises:
            SlideError: the browser is gone or would not answer.
        """
        try:
            x = self.driver.execute_script(_HANDLE_LEFT_JS, self.handle)
        except StaleElementReferenceException:
            return None
        except WebDriverException as exc:
            raise translate_webdriver_error(exc, SlideError, "read the page") from exc
        return float(x) if isinstance(x, (int, float)) else None

    def before_press(self) -> WidgetState:
        """Snapshot before the press: the handle's start and the widget's root."""
        self.before = self.snapshot()
        return self.before

    def while_held(self) -> WidgetState:
        """Snapshot while the button is held: the words any verdict is compared to."""
        self.held = self.snapshot()
        return self.held

    def _replaced(self) -> bool:
        """Whether a new captcha stands where the old one was (found again by the
        caller's target, or a shown element like the widget's root)."""
        try:
            if self.relocate is not None:
                found = self.relocate()
                if found is not None and found != self.image and found.is_displayed():
                    return True
            signature = self.before.signature if self.before is not None else None
            if signature:
                return bool(self.driver.execute_script(_LIKE_ROOT_JS, *signature))
        except (WebDriverException, CaptureError):
            return False
        return False

    def verdict(
        self,
        *,
        timeout: float,
        captured: Captured | None,
        success: Condition | None = None,
        failure: Condition | None = None,
    ) -> tuple[Verdict, str]:
        """Wait up to ``timeout`` s for the page's verdict after release.

        Args:
            timeout: seconds to wait for a sign.
            captured: the captcha's picture before the drag (compared with fresh
                screenshots: the same picture means the piece went back, a different
                one a new challenge); ``None`` skips the comparison.
            success: the caller's success check; when given, only it and ``failure``
                decide, and no success by the deadline is a rejection.
            failure: the caller's failure check (ends the wait early).

        Returns:
            The verdict and how it was read.
        """
        ok = as_condition(success) if success is not None else None
        bad = as_condition(failure) if failure is not None else None
        held = self.held or self.before or WidgetState.gone()
        start_x = self.before.handle_x if self.before is not None else None
        deadline = time.monotonic() + timeout
        wait = _Wait(next_picture=time.monotonic() + PICTURE_EVERY_SECONDS)
        while True:
            if ok is not None and ok(self.driver):
                return Verdict.ACCEPTED, "success= condition"
            if bad is not None and bad(self.driver):
                return Verdict.REJECTED, "failure= condition"
            if ok is None:
                try:
                    decided = self._infer(held, start_x, captured, wait)
                except SlideError as exc:  # a page between two documents, a closing frame
                    logger.debug("the page could not be read (%s); waiting", exc)
                    decided = None
                if decided is not None:
                    return decided
            if time.monotonic() + POLL_SECONDS > deadline:
                break
            time.sleep(POLL_SECONDS)
        if ok is not None:
            return Verdict.REJECTED, f"success= not shown within {timeout:.1f} s"
        return Verdict.UNKNOWN, f"no sign of a verdict within {timeout:.1f} s"

    def _infer(
        self,
        held: WidgetState,
        start_x: float | None,
        captured: Captured | None,
        wait: _Wait,
    ) -> tuple[Verdict, str] | None:
        """One look at the page: the verdict it shows, or ``None`` for not yet."""
        now = self.snapshot()
        decided = judge(held, now, start_x=start_x)
        if decided is not None and decided[0] is Verdict.ACCEPTED and "captcha" in decided[1]:
            # closing: it must stay closed, and not be replaced by a new captcha
            if self._replaced():
                return Verdict.REJECTED, "the captcha was replaced by a new one"
            wait.closed_since = wait.closed_since or time.monotonic()
            if time.monotonic() - wait.closed_since < CLOSED_FOR_SECONDS:
                return None
            return decided
        wait.closed_since = None
        if decided is not None or captured is None or not now.image_shown:
            return decided
        if time.monotonic() < wait.next_picture or now.busy:
            return None
        wait.next_picture = time.monotonic() + PICTURE_EVERY_SECONDS
        decided = self._compare_picture(captured)
        if decided is not None:
            # the widget may have changed since the snapshot: a picture taken as it
            # closed or showed its verdict does not count
            again = self.snapshot()
            if not again.image_shown or judge(held, again, start_x=start_x):
                return None
        return decided

    def _compare_picture(self, captured: Captured) -> tuple[Verdict, str] | None:
        try:
            fresh = recapture(self.driver, captured)
        except CaptureError:
            return None
        share = picture_change(captured.image, fresh.image)
        how = reissue_kind(share)
        if how == "at start":
            return Verdict.REJECTED, "the piece went back to the start"
        if how == "new":
            return Verdict.REJECTED, f"a new picture is shown ({share:.0%} of it changed)"
        return None
