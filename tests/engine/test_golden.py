"""Golden answers: the engine's output on a fixed handful of pictures is pinned.

``tests/data/engine_golden.json`` holds today's distances and confidences (right or
wrong) for some synthetic seeds and some files of ``../shared/realworld/``. Any change of
output fails here, so it is made deliberately: rerun ``scripts/make_engine_golden.py``
and commit the new file together with the change and its reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from omo_selenium._types import PieceImage
from omo_selenium.engine import locate
from omo_selenium.testing.synthetic import make_slider_image

ROOT = Path(__file__).resolve().parent
while not (ROOT / "pyproject.toml").exists():
    ROOT = ROOT.parent
GOLDEN = json.loads((ROOT / "tests" / "data" / "engine_golden.json").read_text())
REALWORLD = ROOT.parent / "shared" / "realworld"
#: Distances may differ by float rounding across machines/numpy builds, no more.
DISTANCE_TOL = 0.05
CONFIDENCE_TOL = 0.005


def _labels() -> dict[str, dict[str, Any]]:
    out = {}
    for line in (REALWORLD / "labels.jsonl").read_text().splitlines():
        rec = json.loads(line)
        out[rec["file"]] = rec
    return out


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_answer_is_unchanged(key: str) -> None:
    kind, name = key.split(":", 1)
    if kind == "synthetic":
        cap = make_slider_image(int(name))
        match = locate(cap.image, cap.width_view)
    else:
        if not (REALWORLD / "labels.jsonl").exists():
            pytest.skip(f"{REALWORLD} is absent (the labelled real captchas)")
        rec = _labels()[name]
        piece = None
        if kind == "piece":
            x, y = rec["piece_xy"]
            piece = PieceImage((REALWORLD / rec["piece"]).read_bytes(), x=x, y=y)
        match = locate((REALWORLD / name).read_bytes(), float(rec["width_view"]), piece=piece)
    want = GOLDEN[key]
    assert match.distance_css == pytest.approx(want["distance_css"], abs=DISTANCE_TOL)
    assert match.confidence == pytest.approx(want["confidence"], abs=CONFIDENCE_TOL)
