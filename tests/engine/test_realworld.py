"""The engine on all of ``../shared/realworld/``: real captchas of three deployments.

Each source must keep at least its floor of answers within 2 CSS px of the label (a
refusal counts as a miss). The floors are what the engine reached when they were last
raised (never lowered; the first ones were the figures of issue 13). With the piece
sprites given (chaoxing and ajcaptcha ship them), the given-piece matcher has its own
floors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from omo_selenium._types import GapMatch, PieceImage
from omo_selenium.engine import MIN_CONFIDENCE, locate
from omo_selenium.engine.tuning import DEFAULT_TUNING
from omo_selenium.errors import OmoCaptchaError

ROOT = Path(__file__).resolve().parent
while not (ROOT / "pyproject.toml").exists():
    ROOT = ROOT.parent
REALWORLD = ROOT.parent / "shared" / "realworld"

#: Share within 2 CSS px, screenshot alone (the piece cut out of the picture).
FLOORS = {"chaoxing": 0.993, "ajcaptcha": 0.981, "scrape_center": 0.990}
#: Share within 2 CSS px with the piece sprite given.
PIECE_FLOORS = {"chaoxing": 0.993, "ajcaptcha": 0.981}

pytestmark = pytest.mark.skipif(
    not (REALWORLD / "labels.jsonl").exists(),
    reason=f"{REALWORLD} (the labelled real captchas, ../shared/realworld) is absent",
)


@dataclass(frozen=True)
class _Case:
    source: str
    path: Path
    width_view: float
    answer_css: float
    piece: Path | None
    piece_xy: tuple[float, float] | None


def _cases() -> list[_Case]:
    out = []
    for line in (REALWORLD / "labels.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        xy = rec.get("piece_xy")
        out.append(
            _Case(
                source=rec["file"].split("/")[0],
                path=REALWORLD / rec["file"],
                width_view=float(rec["width_view"]),
                answer_css=float(rec["answer_css"]),
                piece=REALWORLD / rec["piece"] if rec.get("piece") else None,
                piece_xy=(float(xy[0]), float(xy[1])) if xy else None,
            )
        )
    return out


def _accepted_right(match: GapMatch, case: _Case) -> bool:
    """The answer is accepted and within 2 CSS px of the label."""
    return match.confidence >= MIN_CONFIDENCE and abs(match.distance_css - case.answer_css) <= 2


def _right(case: _Case, piece: PieceImage | None = None) -> bool:
    try:
        match = locate(case.path.read_bytes(), case.width_view, piece=piece)
    except OmoCaptchaError:
        return False
    return _accepted_right(match, case)


@pytest.mark.parametrize("source", sorted(FLOORS))
def test_each_source_keeps_its_floor(source: str) -> None:
    cases = [c for c in _cases() if c.source == source]
    assert cases, f"no {source} images in {REALWORLD}"
    share = sum(_right(c) for c in cases) / len(cases)
    print(f"\n{source}: {share:.3f} within 2 CSS px ({len(cases)} images)")
    assert share >= FLOORS[source]


def _case(name: str) -> _Case:
    return next(c for c in _cases() if c.path.relative_to(REALWORLD).as_posix() == name)


def _match(case: _Case, **tuning: object) -> GapMatch:
    """The engine's answer on ``case``, with these tuning fields changed."""
    return locate(case.path.read_bytes(), case.width_view, tuning=replace(DEFAULT_TUNING, **tuning))


def _distance(case: _Case, **tuning: object) -> float:
    return _match(case, **tuning).distance_css


def _confidence(case: _Case, **tuning: object) -> float:
    return _match(case, **tuning).confidence


def test_rows_of_window_frames_repeating_behind_the_piece_do_not_win() -> None:
    # the frames repeat every ~32 working px; each match one period further used to
    # outscore the gap's thin outline
    case = _case("scrape_center/captcha_0.png")
    assert _right(case)
    assert abs(_distance(case, period_strength=2.0) - case.answer_css) > 2


def test_a_decoy_beside_the_piece_that_matched_its_twin_is_not_taken_for_the_piece() -> None:
    case = _case("ajcaptcha/IMG_004.png")
    assert _right(case)
    assert abs(_distance(case, anchor_share=0.0) - case.answer_css) > 2


def test_a_pair_of_decoys_above_the_piece_that_match_each_other_do_not_win() -> None:
    # the left decoy's box reaches back to the start; its left square fits the far
    # decoy barely well enough, its right square (the decoy itself) fits it best. Two
    # decoys drawn alike are also a copy of each other (the same colours at the same
    # level), which alone keeps them from winning too
    case = _case("ajcaptcha/IMG_026.png")
    assert _right(case)
    assert abs(_distance(case, anchor_share=0.0) - case.answer_css) <= 2
    assert abs(_distance(case, copy_level=0.0) - case.answer_css) <= 2
    assert abs(_distance(case, anchor_share=0.0, copy_level=0.0) - case.answer_css) > 2


def test_a_horizon_running_on_beside_the_piece_does_not_hand_the_win_to_a_decoy() -> None:
    # the horizon agrees at the gap's shift too and stretches the piece's box far to
    # the right; scored as that long box, the gap lost to a decoy of another shape
    case = _case("chaoxing/IMG_034.png")
    match = locate(case.path.read_bytes(), case.width_view)
    _, _, w, h = match.piece_box
    assert w > 2 * h
    assert _right(case)


@pytest.mark.parametrize("name", ["scrape_center/captcha_131.png", "scrape_center/captcha_308.png"])
def test_a_piece_box_ending_inside_the_piece_is_completed_to_its_right_outline(name: str) -> None:
    # the coarse window matched the piece's left outline and knob alone; measured on
    # that side only, the piece's outer shadow and the gap's inner shadow pulled the
    # answer 2-4 CSS px too far. The piece body's right edge is at image column 121
    case = _case(name)
    match = locate(case.path.read_bytes(), case.width_view)
    x, _, w, _ = match.piece_box
    assert x + w > 121
    assert _right(case)
    assert _distance(case, complete_level=float("inf")) - case.answer_css > 2


def test_a_box_over_a_striped_sky_and_the_pieces_left_side_is_rebounded_to_the_piece() -> None:
    # the coarse window matched the piece's left outline and the striped sky left of it
    # (x 0-52 of 520; the piece's body spans 35-121): measured on that side only, the
    # answer was 2.9 CSS px too far, and no column of the sky stood out for the
    # completion to the right outline
    case = _case("scrape_center/captcha_832.png")
    match = locate(case.path.read_bytes(), case.width_view)
    x, _, w, _ = match.piece_box
    assert 20 <= x <= 35 < 121 < x + w
    assert _right(case)
    assert _distance(case, bound_narrow=0.0) - case.answer_css > 2


@pytest.mark.parametrize(
    "name",
    [
        "scrape_center/captcha_271.png",
        "scrape_center/captcha_336.png",
        "scrape_center/captcha_589.png",
    ],
)
def test_a_white_veiled_piece_over_a_dark_veiled_gap_is_credible_by_its_reversed_outline(
    name: str,
) -> None:
    # the piece is a white veil over what lies at the start, the gap a dark veil: they
    # share no content, only their outline, and the coarse peak hardly stands out. The
    # outline's reversed polarity (lighter inside at the start, darker at the gap) is
    # what makes the right answer credible
    case = _case(name)
    assert _right(case)
    assert _confidence(case, polarity_straight=-1.0) < MIN_CONFIDENCE


def test_a_veiled_pieces_colours_do_not_count_against_it() -> None:
    # a white-veiled piece over a snowy picture, its gap a dark veil over a tiger: the
    # two share no content, so the colour evidence says nothing there, while the snow
    # at the bottom fits itself 42 CSS px further (interior correlation 0.94) and won.
    # The piece's outline is reversed in polarity all around at the gap, and that
    # candidate's colour evidence no longer counts against it
    case = _case("scrape_center/captcha_738.png")
    assert _right(case)
    assert abs(_distance(case, veil_reversed=2.0) - case.answer_css) > 2


def test_a_box_too_wide_for_a_piece_is_credited_by_its_left_squares_reversed_outline() -> None:
    # the coarse box ran on along a row of houses beside the veiled piece (more than
    # twice as wide as tall); measured on the whole box the outline is hardly reversed,
    # on its left square, where the piece waits, it is
    case = _case("scrape_center/captcha_925.png")
    _, _, w, h = _match(case).piece_box
    assert w > 2 * h
    assert _right(case)
    assert _confidence(case, polarity_straight=-1.0) < MIN_CONFIDENCE


def test_a_veiled_square_over_a_detailed_picture_is_credited_by_its_ring() -> None:
    # houses on a cliff, the piece a white veil over them and the gap a dark one: the
    # houses' own edges, shared by both veils, keep their polarity and outweigh the
    # outline over the whole crop. On the square's ring the outline alone is reversed
    # (0.57 against 0.13 over the crop), and the square reading is taken
    case = _case("scrape_center/captcha_1000.png")
    assert _right(case)
    off = _match(case, veil_ring=0.0)
    assert not _accepted_right(off, case)


def test_a_refused_answer_is_read_again_on_a_veiled_square_with_an_open_side() -> None:
    # people at a table, the piece a white veil with knobs on its left and bottom sides
    # and the gap a dark veil whose bottom side runs into dark chairs: on four sides the
    # most closed square is a small one below the piece, of the smallest size searched,
    # and the answer was refused 56 CSS px off; on its three strongest sides the
    # piece's square is found, and read on it the answer is right
    case = _case("scrape_center/captcha_860.png")
    assert _right(case)
    off = _match(case, veil_open_side=False)
    assert not _accepted_right(off, case)


def test_a_scaled_down_screenshots_reversed_outline_is_measured_at_full_resolution() -> None:
    # a 520 px screenshot searched at 340 px: scaled down, the veiled piece's outline
    # blurs into the texture around it and is reversed too weakly to count; at full
    # resolution, where the answer was measured, it counts
    case = _case("scrape_center/captcha_607.png")
    assert _right(case)
    assert _confidence(case, polarity_straight=-1.0) < MIN_CONFIDENCE


@pytest.mark.parametrize("name", ["scrape_center/captcha_383.png", "scrape_center/captcha_916.png"])
def test_the_full_resolution_re_measure_is_taken_a_little_beyond_its_search(name: str) -> None:
    # scaled down, the gap's soft inner shadow pulls the shift 2-3 CSS px off; the crisp
    # re-measure at full resolution finds the outline just beyond its search window,
    # and there, with the outline aligned, the veiled pair is also credible (916 is
    # also read right on its square veil without it: that second reading is off here)
    case = _case(name)
    assert _right(case)
    off = _distance(case, full_res_reach=DEFAULT_TUNING.full_res_search, veil_gate=0.0)
    assert abs(off - case.answer_css) > 2


@pytest.mark.parametrize("source", sorted(PIECE_FLOORS))
def test_each_source_keeps_its_floor_with_the_piece_given(source: str) -> None:
    cases = [c for c in _cases() if c.source == source and c.piece and c.piece_xy]
    assert cases, f"no {source} sprites in {REALWORLD}"
    share = 0.0
    for c in cases:
        assert c.piece is not None and c.piece_xy is not None
        piece = PieceImage(c.piece.read_bytes(), x=c.piece_xy[0], y=c.piece_xy[1])
        share += _right(c, piece)
    share /= len(cases)
    print(f"\n{source} with the piece: {share:.3f} within 2 CSS px ({len(cases)} images)")
    assert share >= PIECE_FLOORS[source]


@pytest.mark.parametrize("name", ["captcha_533", "captcha_757", "captcha_813"])
def test_a_doubtful_answer_is_read_again_on_the_square_veil_of_the_piece(name: str) -> None:
    # the white-veiled piece waits ~17 CSS px in, over a texture; its box ran on into
    # the background beside it, so the shift was measured off the outline (533: 2.6 CSS
    # px) or the answer was refused (757, 813). The square at the start whose outline
    # is reversed in polarity the most near that shift is the piece's body: read again
    # on it, the answer is right and credible
    case = _case(f"scrape_center/{name}.png")
    assert _right(case)
    off = _match(case, veil_gate=0.0)
    assert not _accepted_right(off, case)


def test_a_refused_answer_is_read_again_on_square_veils_at_the_other_places() -> None:
    # a row of seated people repeats along the picture, and a match of it won (and was
    # refused); the white-veiled piece's own place came second with a box run into the
    # background. Read on its square veil, that place is right and credible; the
    # answer then leads nothing (the choice had put another place first), so a live
    # solve checks it against the piece seen moving
    case = _case("scrape_center/captcha_570.png")
    assert _right(case)
    assert _match(case).lead == 0.0
    off = _match(case, veil_elsewhere=False)
    assert off.confidence < MIN_CONFIDENCE and abs(off.distance_css - case.answer_css) > 2
