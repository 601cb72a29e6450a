"""A local slider-captcha web page with server-side verification, in several variants.

Start it from tests with :class:`DemoSite`, or from a shell with ``python -m demo_site``.
The answer (the gap's position) stays on the server: the pages, scripts, JSON and images
a browser can fetch never carry it. See ``demo_site/README.md`` for ids and variants.
"""

from __future__ import annotations

from .records import ChallengeRecord, VerificationRecord
from .server import DemoSite, serve
from .variants import Variant

__all__ = ["ChallengeRecord", "DemoSite", "Variant", "VerificationRecord", "serve"]
