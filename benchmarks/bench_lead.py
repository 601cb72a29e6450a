"""How often the engine's answer is ambiguous, and who is right then: the engine or the
piece's own picture.

:attr:`omo_selenium.GapMatch.lead` says how far the answer's score leads the best answer
at another place (a decoy, a period of a repeating background). On a live page the
solver checks an answer leading by less than ``steering.AMBIGUOUS_LEAD`` against the
piece seen moving (``solve_piece`` with the piece's picture from a look). This
benchmark shows, per source and threshold, how many pictures would be checked, how
many of those the engine answers right (within 2 CSS px, a refusal counts as wrong),
and, where the source ships the piece's sprite, how many the sprite answers right::

    python benchmarks/bench_lead.py --synthetic 100 --seeds 0 12345
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_realworld import (
    DEFAULT_FOLDER,
    RESULTS,
    Case,
    _piece_value,
    load_folder,
    synthetic_cases,
)

from omo_selenium.engine import MIN_CONFIDENCE, locate
from omo_selenium.errors import OmoCaptchaError

THRESHOLDS = (0.1, 0.2, 0.25, 0.3, 0.5)
TOLERANCE_CSS = 2.0


def _right(match: Any, case: Case) -> bool:
    return (
        match is not None
        and match.confidence >= MIN_CONFIDENCE
        and abs(match.distance_css - case.answer_css) <= TOLERANCE_CSS
    )


def score(case: Case) -> tuple[float | None, bool, bool | None]:
    """``(lead, engine right, sprite right or None without a sprite)`` for one case."""
    try:
        match = locate(case.data, case.width_view)
    except OmoCaptchaError:
        return None, False, None
    sprite_right = None
    piece = _piece_value(case)
    if piece is not None:
        try:
            sprite_right = _right(locate(case.data, case.width_view, piece=piece), case)
        except OmoCaptchaError:
            sprite_right = False
    return match.lead, _right(match, case), sprite_right


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--synthetic", type=int, default=100, help="images per seed (0: none)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 12345])
    parser.add_argument("--out", type=Path, default=RESULTS / "lead.json")
    args = parser.parse_args(argv)
    cases = load_folder(args.folder) if (args.folder / "labels.jsonl").is_file() else []
    for seed in args.seeds if args.synthetic else []:
        cases += synthetic_cases(args.synthetic, seed)
    by_source: dict[str, list[tuple[float | None, bool, bool | None]]] = {}
    for case in cases:
        by_source.setdefault(case.source, []).append(score(case))
    table: dict[str, Any] = {}
    for source, rows in by_source.items():
        table[source] = {"n": len(rows), "engine_right": sum(r[1] for r in rows)}
        for threshold in THRESHOLDS:
            doubtful = [r for r in rows if r[0] is not None and r[0] < threshold]
            sprites = [r[2] for r in doubtful if r[2] is not None]
            table[source][f"lead<{threshold}"] = {
                "ambiguous": len(doubtful),
                "engine_right": sum(r[1] for r in doubtful),
                "sprite_right": sum(sprites) if sprites else None,
            }
    for source, row in table.items():
        cells = []
        for t in THRESHOLDS:
            cell = row[f"lead<{t}"]
            cells.append(
                f"<{t}: {cell['ambiguous']} "
                f"(engine {cell['engine_right']}, sprite {cell['sprite_right']})"
            )
        print(f"{source:17s} n={row['n']:4d}  " + "  ".join(cells))
    result = {"load_average": [round(v, 2) for v in os.getloadavg()], "sources": table}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
