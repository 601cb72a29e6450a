"""HTML for the demo pages, rendered from the templates in ``static/``.

Nothing here knows a challenge: the pages carry only the variant's page behaviour
(display size, handle ratio, pointer sampling, and the amounts drawn for hover, jump,
verdict and reset variants) and the URLs to fetch a challenge from.
"""

from __future__ import annotations

import html
import json
import random
import re
from importlib import resources

from .behaviour import PageBehaviour
from .variants import DISPLAY_HEIGHT, DISPLAY_WIDTH, Variant

__all__ = ["FRAME_HEIGHT", "FRAME_WIDTH", "read_static", "render_frame", "render_page"]

#: CSS size of the iframe that holds the widget (``iframe=1``).
FRAME_WIDTH = 404
#: CSS height of the iframe that holds the widget (``iframe=1``).
FRAME_HEIGHT = 404

# "omo_selenium.demo_site" once installed, "demo_site" from a checkout
_PACKAGE = __package__ or "demo_site"
_SERVED = re.compile(r"^[a-z0-9_-]+\.(css|js|svg|png)$")
_CONTENT_TYPES = {
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
}

_ARTICLE = """
  <article class="article" id="article">
    <h2>Spring field notes</h2>
    <p>Every March the orchard behind the warehouse wakes up a week before anyone expects it.
    The first blossoms open on the south row, where the wall keeps the frost away, and by the
    time the north row follows the bees have already found the way in.</p>
    <div class="figure"></div>
    <h3>What we changed this year</h3>
    <p>We moved the packing tables closer to the loading bay, which cut the walk for every
    parcel roughly in half. The old tables went to the repair shop, where they now hold
    bicycles, lamps and one very patient sewing machine.</p>
    <p>Orders placed before noon now leave the same day. Orders placed after noon leave the next
    morning, together with a short note from whoever packed them.</p>
    <h3>Things people asked about</h3>
    <p>Yes, the ceramic mugs are still made two streets away. No, the blue glaze will not come
    back this season: the kiln needs a new lining first, and that takes until summer.</p>
    <div class="figure alt"></div>
    <p>Gift cards never expire. Parcels can be picked up at the front desk on weekdays, and the
    desk keeps them for two weeks before they go back to the shelf.</p>
    <h3>Before you sign in</h3>
    <p>Scroll on: the sign-in form is at the end of this page. We ask for a quick puzzle first,
    so that the people who buy our mugs are people.</p>
  </article>
"""


#: This package's name: ``demo_site`` from the repository, ``omo_selenium.demo_site`` installed.
_PACKAGE = __name__.rpartition(".")[0]


def _static(name: str) -> str:
    return (resources.files(_PACKAGE) / "static" / name).read_text(encoding="utf-8")


def read_static(name: str) -> tuple[bytes, str] | None:
    """Return ``(body, content type)`` of a servable static asset, or ``None``.

    Only plain file names ending in ``.css``, ``.js``, ``.svg`` or ``.png`` are served.
    """
    match = _SERVED.match(name)
    if match is None:
        return None
    path = resources.files(_PACKAGE) / "static" / name
    if not path.is_file():
        return None
    return path.read_bytes(), _CONTENT_TYPES[match.group(1)]


def _widget(variant: Variant, rng: random.Random | None) -> str:
    query = variant.to_query()
    config = {
        "challenge_url": "/api/challenge" + (f"?{query}" if query else ""),
        "verify_url": "/api/verify",
        "display_width": DISPLAY_WIDTH,
        "display_height": DISPLAY_HEIGHT,
        "ratio": round(variant.effective_ratio(), 6),
        "sample": variant.sample,
    }
    if variant.has_page_behaviour():
        config.update(PageBehaviour.draw(variant, rng or random.Random()).config())
    text = json.dumps(config).replace("<", "\\u003c")
    return _static("widget.html").replace("{{config}}", text)


def render_page(variant: Variant, rng: random.Random | None = None) -> str:
    """Return the outer demo page: a sign-in form holding the widget (or its iframe).

    ``rng`` draws the page's behaviour amounts (:class:`~demo_site.behaviour.PageBehaviour`);
    ``None`` draws them unseeded.
    """
    if variant.iframe:
        query = variant.without_frame().to_query()
        src = "/widget" + (f"?{query}" if query else "")
        captcha = (
            f'<iframe id="captcha-frame" title="Security check" src="{html.escape(src)}" '
            f'width="{FRAME_WIDTH}" height="{FRAME_HEIGHT}" scrolling="no"></iframe>'
        )
    else:
        captcha = _widget(variant, rng)
    label = variant.to_query() or "default"
    return (
        _static("page.html")
        .replace("{{before}}", _ARTICLE if variant.fold else "")
        .replace("{{variant}}", html.escape(label))
        .replace("{{captcha}}", captcha)
    )


def render_frame(variant: Variant, rng: random.Random | None = None) -> str:
    """Return the page that goes inside the iframe: the widget alone (``rng`` as above)."""
    return _static("frame.html").replace("{{captcha}}", _widget(variant.without_frame(), rng))
