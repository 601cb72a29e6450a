"""Check the labels of sprite-labelled captchas against the whole picture.

``../shared/realworld/`` checked each chaoxing and ajcaptcha label by correlating the
piece sprite's interior with the background within +-5 px of the label: a local check,
which confirms a label that points at the wrong hollow as long as the picture there has
a local maximum. This script searches every column instead. The gap is a translucent
overlay of the picture the piece was cut from, so the sprite's interior (3 px in from
its outline) correlates best where it was cut::

    python benchmarks/audit_labels.py                 # ../shared/realworld
    python benchmarks/audit_labels.py --folder DIR    # any folder in the labels.jsonl format

Prints one line per picture where the engine's answer is more than ``--tolerance`` px
from the label: the evidence at both places, the interior correlation and the outline's
(the engine's fine alignment of the piece box there, :func:`omo_selenium.engine.align.align`).
On smooth photographs the interior alone correlates nearly as well at other columns, so
neither number settles it alone; look at the picture.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from omo_selenium.engine import locate  # noqa: E402
from omo_selenium.engine.align import align  # noqa: E402

DEFAULT_FOLDER = ROOT.parent / "shared" / "realworld"


def _interior(sprite: Image.Image, inset: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the sprite's opaque pixels at least ``inset`` px from its edge."""
    inner = np.asarray(sprite.getchannel("A")) > 250
    for _ in range(inset):
        padded = np.pad(inner, 1)
        inner = inner & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    ys, xs = np.nonzero(inner)
    return ys, xs


def column_scores(picture: Image.Image, sprite: Image.Image) -> dict[int, float]:
    """Correlation of the sprite's interior with the picture at every column shift that
    keeps it inside the picture, right of where the sprite is drawn (x = 0)."""
    sprite = sprite.convert("RGBA")
    pic = np.asarray(picture.convert("RGB"), dtype=np.float64)
    spr = np.asarray(sprite, dtype=np.float64)
    ys, xs = _interior(sprite)
    if len(xs) < 20:
        return {}
    p = spr[ys, xs, :3]
    p = p - p.mean(0)
    p_norm = float(np.sqrt((p * p).sum()))
    right = int(xs.max()) + 1
    out = {}
    for dx in range(right, pic.shape[1] - right):
        g = pic[ys, xs + dx]
        g = g - g.mean(0)
        out[dx] = float((p * g).sum()) / (p_norm * float(np.sqrt((g * g).sum())) + 1e-9)
    return out


def evidence(
    picture: Image.Image, box: tuple[int, int, int, int], scores: dict[int, float], dx: float
) -> str:
    """The interior correlation (from ``scores``) and the outline's fit ``dx`` px away."""
    interior = max((v for c, v in scores.items() if abs(c - dx) <= 1), default=-1.0)
    fit = align(picture, box, dx, search_px=1.0)
    outline = -1.0 if fit is None else fit.ncc
    return f"interior {interior:.2f}, outline {outline:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--tolerance", type=float, default=2.0, help="px from the label")
    args = parser.parse_args(argv)
    checked = 0
    for line in (args.folder / "labels.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if not rec.get("piece"):
            continue
        picture = Image.open(args.folder / rec["file"]).convert("RGB")
        match = locate(picture, rec["width_view"])
        label = float(rec["answer_px"])
        checked += 1
        if abs(match.distance_px - label) <= args.tolerance:
            continue
        scores = column_scores(picture, Image.open(args.folder / rec["piece"]))
        best = max(scores, key=scores.__getitem__)
        at_label = evidence(picture, match.piece_box, scores, label)
        at_answer = evidence(picture, match.piece_box, scores, match.distance_px)
        print(
            f"{rec['file']}: label {label:g} px ({at_label}); engine "
            f"{match.distance_px:.1f} px ({at_answer}, confidence "
            f"{match.confidence:.2f}); best interior column {best} ({scores[best]:.2f})"
        )
    print(f"{checked} sprite-labelled pictures checked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
