"""The verdict read from small widgets unlike the demo's: each answers in its own way."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from omo_selenium import SliderSolver

pytestmark = pytest.mark.browser

#: A bare slider widget; ``window.ANSWER(root)`` decides what it shows after release.
PAGE = """<!doctype html><html><body style="margin:20px">
<div id="w" class="widget"><div id="img" style="width:300px;height:150px;position:relative;
background:repeating-linear-gradient(45deg,#c44 0 7px,#48c 7px 15px,#eb3 15px 22px)">
<div id="piece" style="position:absolute;left:0;top:50px;width:40px;height:40px;
background:repeating-linear-gradient(-45deg,#fff 0 5px,#222 5px 9px)"></div></div>
<div id="track" style="width:300px;height:40px;background:#ddd;position:relative">
<div id="handle" style="position:absolute;left:0;top:0;width:40px;height:40px;
background:#55f;touch-action:none"></div></div></div>
<p id="status"></p>
<script>
const handle = document.getElementById('handle'), piece = document.getElementById('piece');
let start = null;
handle.addEventListener('pointerdown', (e) => {
  start = e.clientX; handle.setPointerCapture(e.pointerId); e.preventDefault(); });
handle.addEventListener('pointermove', (e) => {
  if (start === null) return;
  const x = Math.max(0, Math.min(260, e.clientX - start));
  handle.style.left = x + 'px'; piece.style.left = x + 'px'; });
handle.addEventListener('pointerup', () => {
  start = null; setTimeout(() => window.ANSWER(document.getElementById('w')), 400); });
</script></body></html>"""

ANSWERS = {
    # accepted
    "removed": ("root.remove()", "accepted"),
    "hidden": ("root.style.display = 'none'", "accepted"),
    "class": ("root.classList.add('widget--verified')", "accepted"),
    "aria-live text": (
        "document.getElementById('status').setAttribute('role', 'status');"
        "document.getElementById('status').textContent = 'Passed, thanks'",
        "accepted",
    ),
    "page replaced": (
        "document.open(); document.write('<p>Welcome back</p>'); document.close()",
        "accepted",
    ),
    # rejected
    "replaced": (
        "const n = root.cloneNode(true);"
        "n.querySelector('#img').style.background = '#385';"
        "n.querySelector('#handle').style.left = '0px';"
        "n.querySelector('#piece').style.left = '0px';"
        "root.replaceWith(n)",
        "rejected",
    ),
    "back at start": (
        "root.querySelector('#handle').style.left = '0px';"
        "root.querySelector('#piece').style.left = '0px'",
        "rejected",
    ),
    "error class": ("root.classList.add('has-error')", "rejected"),
    "not verified": (
        "const m = document.createElement('span'); m.textContent = 'Not verified';"
        "root.appendChild(m)",
        "rejected",
    ),
    # nothing decisive
    "silence": ("void 0", "unknown"),
}


class Fixed:
    """Answers 120 CSS px whatever the picture (the widgets here judge nothing)."""

    def solve(self, image: Any, width_view: float) -> float:
        return 120.0


@pytest.mark.parametrize("name", ANSWERS)
def test_each_widget_answer_is_read(chrome: WebDriver, name: str) -> None:
    script, expected = ANSWERS[name]
    chrome.get("data:text/html," + urllib.parse.quote(PAGE))
    chrome.execute_script(f"window.ANSWER = (root) => {{ {script}; }};")
    sliders = SliderSolver(chrome, Fixed(), check_landing=False, verify_timeout=1.5)  # type: ignore[arg-type]
    result = sliders.solve("#img", "#handle", attempts=1)
    record = result.attempts[0]
    assert record.verdict == expected, record.verdict_reason
    assert result.success is (expected == "accepted")
