"""What touches the browser: capture the captcha, drag the handle, wait for the page.

- :mod:`.capture`: element bounds x ``devicePixelRatio`` -> the captcha's picture;
- :mod:`.slide`: human-like pointer paths and the W3C actions that perform them;
- :mod:`.conditions`: waits on the page, in the shape of Selenium's expected conditions.
"""

from __future__ import annotations

from .capture import Captured, capture_element
from .slide import SlideStyle, plan_path

__all__ = ["Captured", "SlideStyle", "capture_element", "plan_path"]
