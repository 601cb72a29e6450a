"""Would a learned stage beat the engine's hand-set choice and confidence?

Issue 13 allows a learned stage if it pays for itself. This measures the two places one
would go, on the engine's own evidence, with models fitted on generated captchas only
and scored on held-out seeds and on ``../shared/realworld/`` (never fitted on):

* **choice**: among the candidates the engine aligned for a picture, which is the gap. A
  conditional logit (softmax over a picture's candidates, fitted in numpy) on each
  candidate's edge score, outline correlation, coarse score and prominence, colour
  evidence (fit, interior, seams), box position and shape, replaces the hand-set
  weighing (``_choose``: edge + colour, then the twin rule). Also reported: the oracle
  (pictures whose true shift is among the aligned candidates at all).
* **confidence**: a logistic model on the winner's evidence, fitted on right and wrong
  answers and on pictures without a gap, against the engine's confidence, at the floor
  that lets as many gapless pictures pass as the 0.1 floor does now.

The candidates are read by wrapping the engine's private choice step, so this script
follows the engine's internals; it changes no answer. Run from the repository root::

    python benchmarks/bench_learned.py --out benchmarks/results/learned.json

``--gb`` also fits scikit-learn's gradient-boosted trees for the choice, when installed
(benchmarks only; never a dependency of the package).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_realworld as bench

from omo_selenium.engine import local
from omo_selenium.engine.colour import gap_evidence
from omo_selenium.errors import OmoCaptchaError

#: Candidate features of the choice model.
CHOICE_FEATURES = (
    "edge - best edge",
    "outline ncc",
    "coarse score / best",
    "log prominence",
    "colour fit",
    "colour interior",
    "log seam",
    "log plain seam",
    "box x / width",
    "box short / long side",
    "best edge",
)
#: Winner features of the confidence model.
CONFIDENCE_FEATURES = (
    "outline ncc",
    "log prominence",
    "lead",
    "no other place",
    "fit",
    "interior",
    "log seam",
)


def _record(choose: Any, rows: list[dict[str, Any]]) -> Any:
    """A wrapper of the engine's choice step ``choose`` that records every aligned
    candidate in ``rows``."""

    def wrapped(img: Any, aligned: Any, t: Any) -> Any:
        best, lead = choose(img, aligned, t)
        for edge, fit, box, cand in aligned:
            ev = gap_evidence(img, box, fit.dx, fit.dy, tuning=t)
            rows.append(
                {
                    "edge": edge,
                    "ncc": fit.ncc,
                    "dx": fit.dx,
                    "box": list(box),
                    "score": cand.score,
                    "prominence": cand.prominence,
                    "fit": ev.fit,
                    "interior": ev.interior,
                    "seam": ev.seam,
                    "plain_seam": ev.plain_seam,
                    "winner": fit is best.fit,
                    "width": img.width,
                }
            )
        return best, lead

    return wrapped


def collect(cases: list[tuple[str, Any, float, float | None]]) -> list[dict[str, Any]]:
    """Run the engine on ``(key, image, width_view, truth)`` cases; keep its answer and
    the evidence of every candidate it aligned."""
    out = []
    original = local._choose
    try:
        for i, (key, image, width_view, truth) in enumerate(cases):
            rows: list[dict[str, Any]] = []
            local._choose = _record(original, rows)
            try:
                m = local.locate(image, width_view)
                answer, confidence, lead = m.distance_css, m.confidence, m.lead
            except OmoCaptchaError:
                answer, confidence, lead = None, 0.0, None
            out.append(
                {
                    "key": key,
                    "truth": truth,
                    "answer": answer,
                    "confidence": confidence,
                    "lead": lead,
                    "rows": rows,
                }
            )
            if (i + 1) % 500 == 0:
                print(f"  {i + 1} / {len(cases)}", file=sys.stderr)
    finally:
        local._choose = original
    return out


def _css_per_px(p: dict[str, Any]) -> float:
    """CSS px per px of the candidates' shifts (the winner's shift maps to the answer)."""
    win = [r for r in p["rows"] if r["winner"]]
    if win and p["answer"] is not None and abs(win[0]["dx"]) > 1e-6:
        return float(p["answer"] / win[0]["dx"])
    return 1.0


def _right(p: dict[str, Any]) -> bool:
    return p["truth"] is not None and p["answer"] is not None and abs(p["answer"] - p["truth"]) <= 2


def choice_matrix(p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels (within 2 CSS px of the truth) of a picture's candidates."""
    rows = p["rows"]
    top = max(r["edge"] for r in rows)
    best_score = max(r["score"] for r in rows) or 1.0
    k = _css_per_px(p)
    feats, labels = [], []
    for r in rows:
        bw, bh = r["box"][2], r["box"][3]
        feats.append(
            [
                r["edge"] - top,
                r["ncc"],
                r["score"] / best_score,
                math.log(max(r["prominence"], 1e-3)),
                r["fit"],
                r["interior"],
                math.log1p(min(r["seam"], 99.0)),
                math.log1p(min(r["plain_seam"], 99.0)),
                r["box"][0] / r["width"],
                min(bw, bh) / max(bw, bh, 1e-6),
                float(r["edge"] >= top),
            ]
        )
        labels.append(p["truth"] is not None and abs(r["dx"] * k - p["truth"]) <= 2)
    return np.array(feats, float), np.array(labels, float)


def confidence_vector(p: dict[str, Any]) -> list[float] | None:
    """The winner's evidence, for the confidence model (``None``: no candidate)."""
    rows = p["rows"]
    win = [r for r in rows if r["winner"]]
    if not win:
        return None
    r = win[0]
    # the engine's own lead (GapMatch.lead): the winner's total over the best candidate
    # weighed at another place; None when no other place was weighed
    lead = p["lead"]
    return [
        r["ncc"],
        math.log(max(r["prominence"], 0.5)),
        min(1.0, lead) if lead is not None else 1.0,
        float(lead is None),
        r["fit"],
        r["interior"],
        math.log1p(min(r["seam"], 99.0)),
    ]


def fit_choice(pictures: list[dict[str, Any]], l2: float, rounds: int = 800) -> Any:
    """Conditional logit: softmax over each picture's candidates, by gradient descent."""
    data = [choice_matrix(p) for p in pictures if p["rows"]]
    data = [(x, y / y.sum()) for x, y in data if y.any()]
    stacked = np.concatenate([x for x, _ in data])
    mu, sd = stacked.mean(0), stacked.std(0) + 1e-9
    data = [((x - mu) / sd, y) for x, y in data]
    w = np.zeros(stacked.shape[1])
    for _ in range(rounds):
        grad = np.zeros_like(w)
        for x, y in data:
            s = x @ w
            q = np.exp(s - s.max())
            grad += x.T @ (q / q.sum() - y)
        w -= 0.5 * (grad / len(data) + l2 * w)
    return lambda x: ((x - mu) / sd) @ w


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> Any:
    """Logistic regression by Newton's method."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    a = np.c_[np.ones(len(x)), (x - mu) / sd]
    w = np.zeros(a.shape[1])
    ridge = l2 * np.diag(np.r_[0.0, np.ones(len(w) - 1)])
    for _ in range(50):
        q = 1 / (1 + np.exp(-a @ w))
        w -= np.linalg.solve((a * (q * (1 - q))[:, None]).T @ a + ridge, a.T @ (q - y) + ridge @ w)
    return lambda z: 1 / (1 + np.exp(-(np.c_[np.ones(len(z)), (z - mu) / sd] @ w)))


def score_choice(pictures: list[dict[str, Any]], predict: Any) -> dict[str, dict[str, int]]:
    """Per source: pictures, right with the engine's choice, right with the model's, and
    pictures whose true shift is among the aligned candidates at all."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in pictures:
        if p["truth"] is None:
            continue
        s = out[p["key"].split("/")[0]]
        s["pictures"] += 1
        s["engine"] += _right(p)
        if p["rows"]:
            x, y = choice_matrix(p)
            s["model"] += bool(y[int(np.argmax(predict(x)))])
            s["oracle"] += bool(y.any())
    return {k: dict(v) for k, v in out.items()}


def score_confidence(
    pictures: list[dict[str, Any]], model: Any, engine_floor: float
) -> dict[str, Any]:
    """Refused right and accepted wrong answers per source, engine against model, the
    model's floor letting as many gapless pictures pass as the engine's floor."""
    kept = [(p, v) for p in pictures if (v := confidence_vector(p)) is not None]
    prob = model(np.array([v for _, v in kept]))
    engine = np.array([p["confidence"] for p, _ in kept])
    gapless = np.array([p["truth"] is None for p, _ in kept])
    passing = int((engine[gapless] >= engine_floor).sum())
    floor = float(np.sort(prob[gapless])[::-1][max(passing, 1) - 1])
    out: dict[str, Any] = {"model_floor": floor, "gapless_passing_engine": passing}
    for name, conf, fl in (("engine", engine, engine_floor), ("model", prob, floor)):
        per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (p, _), c in zip(kept, conf, strict=True):
            s = per[p["key"].split("/")[0]]
            right = _right(p)
            s["refused_right"] += right and c < fl
            s["accepted_wrong"] += (not right) and c >= fl
        out[name] = {k: dict(v) for k, v in per.items()}
    return out


def _synthetic(n: int, seed: int) -> list[tuple[str, Any, float, float | None]]:
    return [
        (f"{c.source}/{c.name}", c.data, c.width_view, c.answer_css)
        for c in bench.synthetic_cases(n, seed)
    ]


def _gapless(n: int, base: int) -> list[tuple[str, Any, float, float | None]]:
    return [
        (f"gapless/{kind}_{base + i}", picture, width_view, None)
        for i, (kind, picture, width_view) in enumerate(bench.gapless_pictures(n, base))
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", type=int, default=1500, help="generated captchas to fit on")
    ap.add_argument("--train-seed", type=int, default=700_000)
    ap.add_argument("--train-gapless", type=int, default=600, help="gapless pictures to fit on")
    ap.add_argument(
        "--synthetic", type=int, default=1000, help="held-out generated captchas per seed"
    )
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 12345])
    ap.add_argument("--gapless", type=int, default=300, help="held-out gapless pictures")
    ap.add_argument("--folder", type=Path, default=bench.DEFAULT_FOLDER)
    ap.add_argument(
        "--gb", action="store_true", help="also fit gradient-boosted trees (scikit-learn)"
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    print("fitting set ...", file=sys.stderr)
    train = collect(_synthetic(args.train, args.train_seed) + _gapless(args.train_gapless, 30_000))
    held: list[tuple[str, Any, float, float | None]] = []
    if args.folder.is_dir():
        held += [
            (f"{c.source}/{c.name}", c.data, c.width_view, c.answer_css)
            for c in bench.load_folder(args.folder)
        ]
    for seed in args.seeds:
        held += _synthetic(args.synthetic, seed)
    held += _gapless(args.gapless, 10_000)
    print("held-out set ...", file=sys.stderr)
    test = collect(held)

    result: dict[str, Any] = {
        "choice_features": CHOICE_FEATURES,
        "confidence_features": CONFIDENCE_FEATURES,
    }
    result["choice"] = {}
    for l2 in (1e-3, 1e-2, 1e-1):
        predict = fit_choice(train, l2)
        result["choice"][f"logit l2={l2}"] = {
            "fitted": score_choice(train, predict),
            "held_out": score_choice(test, predict),
        }
    if args.gb:
        from sklearn.ensemble import HistGradientBoostingClassifier

        mats = [choice_matrix(p) for p in train if p["rows"]]
        mats = [(x, y) for x, y in mats if y.any()]
        gb = HistGradientBoostingClassifier(
            max_depth=4, max_iter=200, learning_rate=0.05, l2_regularization=1.0
        )
        gb.fit(np.concatenate([x for x, _ in mats]), np.concatenate([y for _, y in mats]))
        result["choice"]["gradient-boosted trees"] = {
            "held_out": score_choice(test, lambda x: gb.predict_proba(x)[:, 1])
        }
    vecs = [(v, _right(p)) for p in train if (v := confidence_vector(p)) is not None]
    model = fit_logistic(np.array([v for v, _ in vecs]), np.array([y for _, y in vecs], float))
    result["confidence"] = score_confidence(test, model, local.MIN_CONFIDENCE)
    result["minutes"] = round((time.perf_counter() - t0) / 60, 1)

    for name, r in result["choice"].items():
        print(f"choice, {name} (held out):")
        for source, s in r["held_out"].items():
            print(
                f"  {source:18s} engine {s['engine']:4d}  model {s.get('model', 0):4d}  "
                f"oracle {s.get('oracle', 0):4d}  of {s['pictures']}"
            )
    c = result["confidence"]
    print(f"confidence, floors matched on gapless pictures ({c['gapless_passing_engine']} pass):")
    for source in c["engine"]:
        e, m = c["engine"][source], c["model"].get(source, {})
        print(
            f"  {source:18s} refused right {e.get('refused_right', 0):3d} -> "
            f"{m.get('refused_right', 0):3d}  accepted wrong "
            f"{e.get('accepted_wrong', 0):3d} -> {m.get('accepted_wrong', 0):3d}"
        )
    if args.out:
        args.out.write_text(json.dumps(result, indent=1, default=lambda o: o.item()) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
