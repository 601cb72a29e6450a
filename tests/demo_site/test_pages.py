"""The pages: documented ids, a config without the answer, scripts and styles."""

from __future__ import annotations

import json
import re
from typing import Any

import requests

from omo_selenium.demo_site import DemoSite, Variant
from omo_selenium.demo_site.pages import render_page
from tests.demo_site.conftest import PAGE_CONFIG_KEYS, TIMEOUT, attempt, new_challenge


def page_config(html: str) -> dict[str, Any]:
    match = re.search(r'<script id="captcha-config" type="application/json">(.*?)</script>', html)
    assert match is not None
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def test_page_has_the_documented_ids_and_a_config_without_the_answer(site: DemoSite) -> None:
    response = requests.get(site.url_for(ratio=1.3, sample=50, scale=1.6), timeout=TIMEOUT)
    html = response.text

    assert response.status_code == 200
    for element_id in (
        "captcha",
        "captcha-image",
        "captcha-bg",
        "captcha-piece",
        "slider-track",
        "slider-handle",
        "captcha-result",
        "captcha-refresh",
    ):
        assert f'id="{element_id}"' in html
    assert 'data-state="idle"' in html
    assert "Slide to complete the puzzle" in html
    config = page_config(html)
    assert set(config) == PAGE_CONFIG_KEYS
    assert config["ratio"] == 1.3 and config["sample"] == 50
    assert config["challenge_url"] == "/api/challenge?scale=1.6&ratio=1.3&sample=50"
    assert site.challenges == []  # the page itself issues nothing; its script asks


def test_iframe_variant_embeds_the_widget_page(site: DemoSite) -> None:
    outer = requests.get(site.url_for(iframe=True, scale=1.6, fold=True), timeout=TIMEOUT).text
    inner = requests.get(f"{site.url}/widget?scale=1.6", timeout=TIMEOUT).text

    assert 'id="captcha-frame"' in outer and 'src="/widget?scale=1.6"' in outer
    assert 'id="captcha"' not in outer
    assert 'id="article"' in outer
    assert 'id="captcha"' in inner and page_config(inner)["challenge_url"].endswith("scale=1.6")


def test_fold_variant_puts_an_article_before_the_form() -> None:
    html = render_page(Variant(fold=True))

    assert html.index('id="article"') < html.index('id="captcha"')
    assert 'id="article"' not in render_page(Variant())


def test_bad_variant_page_is_a_400(site: DemoSite) -> None:
    response = requests.get(f"{site.url}/?scale=100", timeout=TIMEOUT)

    assert response.status_code == 400
    assert "scale" in response.text


def test_scripts_and_styles_are_served(site: DemoSite) -> None:
    script = requests.get(f"{site.url}/static/captcha.js", timeout=TIMEOUT)
    style = requests.get(f"{site.url}/static/captcha.css", timeout=TIMEOUT)

    assert script.status_code == style.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert style.headers["Content-Type"].startswith("text/css")
    assert "pointerdown" in script.text and "touch-action: none" in style.text


def test_responses_carry_only_plain_headers(site: DemoSite) -> None:
    data = new_challenge(site)
    responses = [
        requests.get(site.url_for(), timeout=TIMEOUT),
        requests.get(site.url + data["piece"], timeout=TIMEOUT),
        attempt(site, data["id"], 0),
    ]
    allowed = {
        "server",
        "date",
        "content-type",
        "content-length",
        "cache-control",
        "x-content-type-options",
    }

    for response in responses:
        assert {name.lower() for name in response.headers} <= allowed
