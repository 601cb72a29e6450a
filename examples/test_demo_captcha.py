"""Example: regression tests of a page with a slider captcha, using omo-selenium's fixtures.

Copy this file into your own suite. With omo-selenium installed, the fixtures below
(``omo_driver``, ``slider_solver``, ``demo_site``) are available without any import.
Point ``omo_driver.get`` at your own staging page and adjust the selectors.

Run it:  pytest examples/test_demo_captcha.py   (add --omo-debug-dir debug/ to see each solve)
"""

from __future__ import annotations

import pytest

# The demo page's elements. On your site, use your own selectors.
CAPTCHA = {
    "image": "#captcha-image",
    "handle": "#slider-handle",
    "success": "#captcha-result[data-state=success]",
    "failure": "#captcha-result[data-state=fail]",
    "refresh": "#captcha-refresh",
}

VARIANTS = {
    "plain": {},
    "scaled": {"scale": "1.6"},
    "iframe": {"iframe": "1"},
    "below-the-fold": {"fold": "1"},
    "decoys": {"decoys": "3"},
    "star-piece": {"shape": "star", "style": "glow"},
    "handle-ratio": {"ratio": "0.8"},
    "late-verdict": {"delay": "1000"},
    "sampled-pointer": {"sample": "50"},
    "strict": {"strict": "1"},
}


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_sign_in_page_captcha_is_solved(omo_driver, slider_solver, demo_site, variant):
    omo_driver.get(demo_site.url_for(**variant))
    if variant.get("iframe"):
        omo_driver.switch_to.frame("captcha-frame")

    result = slider_solver.solve(**CAPTCHA, attempts=3)

    assert result.success, result.error
    # The site's own verdict agrees, and the piece landed within a few pixels of the gap.
    verdict = demo_site.verifications[-1]
    assert verdict.passed
    assert abs(verdict.error_css_px) <= 3


def test_the_solve_is_recorded_attempt_by_attempt(omo_driver, slider_solver, demo_site):
    omo_driver.get(demo_site.url_for())
    result = slider_solver.solve(**CAPTCHA)

    first = result.attempts[0]
    assert first.distance_css is not None and first.distance_css > 0
    assert set(first.timings) >= {"screenshot", "solve", "slide", "verify"}
