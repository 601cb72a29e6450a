"""Write tests/data/engine_golden.json: today's engine answers on a fixed handful of
pictures, pinned by tests/engine/test_golden.py so that every change of output is
deliberate. Rerun after an intended change and commit the new file with the reason::

    python scripts/make_engine_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from omo_selenium._types import PieceImage  # noqa: E402
from omo_selenium.engine import locate  # noqa: E402
from omo_selenium.testing.synthetic import make_slider_image  # noqa: E402

#: Synthetic seeds pinned.
SEEDS = (3, 17, 75, 97, 148, 150, 151, 500, 901, 4242)
#: Realworld files pinned (relative to ../shared/realworld), a mix of right and wrong today.
FILES = (
    "chaoxing/IMG_001.png",
    "chaoxing/IMG_034.png",
    "chaoxing/IMG_066.png",
    "ajcaptcha/IMG_015.png",
    "ajcaptcha/IMG_036.png",
    "scrape_center/captcha_0.png",
    "scrape_center/captcha_121.png",
    "scrape_center/captcha_383.png",
    "scrape_center/captcha_916.png",
)
#: Realworld files pinned with their piece sprite given (locate(..., piece=)).
PIECE_FILES = ("chaoxing/IMG_001.png", "chaoxing/IMG_058.png", "ajcaptcha/IMG_036.png")
REALWORLD = ROOT.parent / "shared" / "realworld"


def main() -> int:
    """Measure and write the golden file."""
    widths, recs = {}, {}
    for line in (REALWORLD / "labels.jsonl").read_text().splitlines():
        rec = json.loads(line)
        widths[rec["file"]] = rec["width_view"]
        recs[rec["file"]] = rec
    out: dict[str, dict[str, float]] = {}
    for seed in SEEDS:
        cap = make_slider_image(seed)
        m = locate(cap.image, cap.width_view)
        out[f"synthetic:{seed}"] = {
            "distance_css": round(m.distance_css, 2),
            "confidence": round(m.confidence, 3),
        }
    for name in FILES:
        m = locate((REALWORLD / name).read_bytes(), widths[name])
        out[f"realworld:{name}"] = {
            "distance_css": round(m.distance_css, 2),
            "confidence": round(m.confidence, 3),
        }
    for name in PIECE_FILES:
        rec = recs[name]
        piece = PieceImage(
            (REALWORLD / rec["piece"]).read_bytes(), x=rec["piece_xy"][0], y=rec["piece_xy"][1]
        )
        m = locate((REALWORLD / name).read_bytes(), widths[name], piece=piece)
        out[f"piece:{name}"] = {
            "distance_css": round(m.distance_css, 2),
            "confidence": round(m.confidence, 3),
        }
    path = ROOT / "tests" / "data" / "engine_golden.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
