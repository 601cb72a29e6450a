"""LocalEngine / locate(): accuracy on generated captchas, and every error path."""

from __future__ import annotations

import dataclasses
import io
import logging
import math
from typing import Any

import numpy as np
import pytest
from PIL import Image

from omo_selenium import Solver
from omo_selenium._types import GapMatch
from omo_selenium.engine import local as local_module
from omo_selenium.engine.local import LocalEngine, locate
from omo_selenium.engine.tuning import DEFAULT_TUNING
from omo_selenium.errors import ConfigurationError, SolveFailed
from omo_selenium.testing.synthetic import (
    BACKGROUNDS,
    DECOYS,
    GAP_STYLES,
    SHAPES,
    SyntheticCaptcha,
    make_background,
    make_slider_image,
)

#: Seeds of the fixed accuracy set.
ACCURACY_SEEDS = range(20_000, 20_200)
#: Share of the accuracy set that must land within 2 CSS px: the issue's target (measured
#: 0.98 on this set since the engine works at a bounded resolution, 0.985 before; 0.975
#: and 0.972 on 1000 images from seeds 0 and 12345, so this set is a little easier).
ACCURACY_FLOOR = 0.98
#: Share that must land within 1 CSS px (measured 0.93 on this set, 0.92 on 2000 others).
ONE_PX_FLOOR = 0.9


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _error(cap: SyntheticCaptcha, **tuning: Any) -> float:
    """How far (CSS px) the engine lands from the truth, with ``tuning`` fields changed."""
    changed = dataclasses.replace(DEFAULT_TUNING, **tuning)
    match = locate(cap.image, cap.width_view, tuning=changed)
    return abs(match.distance_css - cap.true_distance_css)


@pytest.fixture(scope="module")
def accuracy_errors() -> list[float]:
    errors = [_error(make_slider_image(seed)) for seed in ACCURACY_SEEDS]
    within = {tol: sum(e <= tol for e in errors) / len(errors) for tol in (1, 2, 5)}
    print(  # shown with pytest -s: the error distribution of the fixed set
        f"\nengine accuracy on {len(errors)} images: within 1px {within[1]:.3f}, "
        f"2px {within[2]:.3f}, 5px {within[5]:.3f}, max {max(errors):.1f} px"
    )
    return errors


def test_at_least_98_percent_land_within_two_css_px(accuracy_errors: list[float]) -> None:
    share = sum(e <= 2.0 for e in accuracy_errors) / len(accuracy_errors)
    assert share >= ACCURACY_FLOOR


def test_most_answers_are_within_one_css_px(accuracy_errors: list[float]) -> None:
    share = sum(e <= 1.0 for e in accuracy_errors) / len(accuracy_errors)
    assert share >= ONE_PX_FLOOR


def _passes(seeds: range, **overrides: object) -> int:
    return sum(_error(make_slider_image(seed, **overrides)) <= 2.0 for seed in seeds)


@pytest.mark.parametrize("shape", SHAPES)
def test_each_piece_shape_is_solved(shape: str) -> None:
    assert _passes(range(300, 305), shape=shape, decoy="none") >= 4


@pytest.mark.parametrize("gap_style", GAP_STYLES)
def test_each_gap_rendering_is_solved(gap_style: str) -> None:
    assert _passes(range(400, 405), gap_style=gap_style, decoy="none") >= 4


@pytest.mark.parametrize("decoy", [d for d in DECOYS if d != "same_rows_same_shape"])
def test_decoy_gaps_of_another_shape_or_row_lose(decoy: str) -> None:
    assert _passes(range(500, 505), decoy=decoy) >= 4


def test_same_shape_decoy_on_textured_background_loses() -> None:
    seeds = range(600, 606)
    assert _passes(seeds, decoy="same_rows_same_shape", background="noise") >= 5


def test_a_decoy_whose_outline_fits_nearly_as_well_is_told_apart_by_colour() -> None:
    # seed 920: a square gap and a rounded-square decoy on the same rows of a flat
    # background; the piece's outline correlates 0.91 with the gap and 0.79 with the
    # decoy, and the coarse score prefers the decoy. Weighed as twins, colour decides
    cap = make_slider_image(920)
    assert cap.params["decoy"] == "same_rows_shape" and cap.params["background"] == "flat"
    assert _error(cap) <= 2.0


@pytest.mark.parametrize("seed", [20064, 20556])
def test_twins_on_a_smooth_background_are_told_apart_by_the_step_across_the_outline(
    seed: int,
) -> None:
    # a gap and a decoy of the piece's own shape on the same rows of a colour gradient:
    # the piece's interior holds no texture, so its colour fit with either is noise,
    # while the picture around the real gap carries on the piece's colours (a seam of
    # 5-12 grey levels, against ~40 at the decoy)
    cap = make_slider_image(seed)
    assert cap.params["decoy"] == "same_rows_same_shape"
    assert cap.params["background"] == "gradient"
    assert _error(cap) <= 2.0
    assert _error(cap, twin_seam_weight=0.1) > 2.0


@pytest.mark.parametrize("seed", [433, 467])
def test_twins_whose_piece_boxes_were_bounded_differently_are_weighed_on_one_box(
    seed: int,
) -> None:
    # a gap and a decoy of the piece's own shape on a photograph; at the decoy the
    # piece's box came out shorter than at the gap, and colour evidence measured on two
    # different boxes compared the boxes, not the places
    cap = make_slider_image(seed)
    assert cap.params["decoy"] == "same_rows_same_shape"
    assert cap.params["background"] == "photo"
    assert _error(cap) <= 2.0
    assert _error(cap, twin_overlap=1.01) > 2.0


@pytest.mark.parametrize("seed", [916, 10760])
def test_twins_on_a_flat_background_are_told_apart_by_the_grain_the_gap_keeps(
    seed: int,
) -> None:
    # a gap and a decoy of the piece's own shape on a flat colour: same outline, same
    # colours, same step across the outline. Only the faint grain of the background
    # tells them apart: the piece was cut from the gap's place, so the gap keeps its
    # grain to the pixel, and the decoy shows other grain
    cap = make_slider_image(seed)
    assert cap.params["decoy"] == "same_rows_same_shape"
    assert cap.params["background"] == "flat"
    assert _error(cap) <= 2.0
    assert _error(cap, twin_fine_weight=0.0) > 2.0


def test_twins_filled_grey_over_noise_are_weighed_inside_the_outline_they_share() -> None:
    # seed 569: a jigsaw piece with a glowing outline over a noisy gradient; its gap and
    # a decoy of its shape are both filled grey. The colour fit explains the whole box
    # at either (no pixel stands out of the noise), so its mask held the piece's glow
    # and the interior correlated -0.21 with the real gap. Inside the outline the piece
    # shares with each, the interior correlates 0.92 with the gap and 0.0 with the decoy
    cap = make_slider_image(569)
    assert cap.params["decoy"] == "same_rows_same_shape"
    assert cap.params["background"] == "noise" and cap.params["gap_style"] == "gray"
    assert _error(cap) <= 2.0
    assert _error(cap, outline_mask_from=1.01) > 2.0


@pytest.mark.parametrize("seed", [20238, 20536])
def test_a_line_matching_another_line_does_not_outscore_the_piece(seed: int) -> None:
    # a background of drawn shapes: a shape's straight side near the start (a box 9 px
    # wide and 99 tall, or 32 by 196) matches another straight side further right,
    # better than the piece's outline matches its gap in the coarse search
    cap = make_slider_image(seed)
    assert cap.params["background"] == "shapes"
    assert _error(cap) <= 2.0
    assert _error(cap, line_penalty=0.0) > 2.0


def test_shapes_that_repeat_in_the_picture_are_no_gap_for_the_piece() -> None:
    # seed 457: a triangle piece over a background of drawn shapes; a shape at the
    # start and one further right are the same colours, pixel for pixel, and their
    # outlines fit best. A gap is drawn by changing the picture: a copy is not one
    cap = make_slider_image(457)
    assert cap.params["background"] == "shapes" and cap.params["decoy"] == "none"
    assert _error(cap) <= 2.0
    assert _error(cap, copy_level=0.0) > 2.0


def test_a_picture_of_shapes_without_a_gap_is_refused_when_the_best_match_is_a_copy() -> None:
    # two drawn shapes of the same colours fit each other's outline closely (0.92 before
    # the copy rule), but nothing was changed where a gap would be drawn
    picture = make_background(10_074, "shapes", size=(340, 170))
    assert locate(picture, 340).confidence == 0.0
    with pytest.raises(SolveFailed):
        LocalEngine().solve(_png(picture), width_view=340)
    no_rule = dataclasses.replace(DEFAULT_TUNING, copy_level=0.0)
    assert locate(picture, 340, tuning=no_rule).confidence > DEFAULT_TUNING.min_confidence


@pytest.mark.parametrize("scale", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("dpr", [1.0, 2.0])
def test_image_scales_and_device_pixel_ratios(scale: float, dpr: float) -> None:
    assert _passes(range(700, 704), scale=scale, dpr=dpr, native_width=300, decoy="none") >= 3


def test_piece_starting_a_few_px_in_is_solved() -> None:
    assert _passes(range(800, 805), piece_x=6, decoy="none") >= 4


def test_piece_set_in_by_nearly_a_tenth_of_the_width_is_solved() -> None:
    # 28 px of a 260-500 px wide picture (6-11 %): a box that far in is not a decoy
    assert _passes(range(820, 840), piece_x=28, decoy="none") >= 19


def test_jpeg_and_noise_are_tolerated() -> None:
    assert _passes(range(900, 905), jpeg=60, noise=2.5, decoy="none") >= 4


def test_match_reports_boxes_scale_and_css_distance() -> None:
    cap = make_slider_image(11, decoy="none", shape="square")
    match = locate(cap.image, cap.width_view)
    assert match.scale == pytest.approx(cap.width_view / cap.image.width)
    assert match.distance_css == pytest.approx(match.distance_px * match.scale)
    assert 0.0 <= match.confidence <= 1.0
    px, py, pw, ph = match.piece_box
    gx, gy, gw, gh = match.gap_box
    assert px <= cap.piece_box[0] + cap.piece_box[2] / 2 < px + pw
    assert abs(gx - (px + match.distance_px)) <= 1
    assert (gw, gh) == (pw, ph)
    assert abs(gy - py) <= max(3, 0.1 * ph)


def test_without_width_view_distance_is_in_image_px() -> None:
    cap = make_slider_image(12)
    match = locate(cap.image)
    assert match.scale == 1.0
    assert match.distance_css == match.distance_px


def test_gap_match_is_frozen() -> None:
    match = locate(make_slider_image(13).image)
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.distance_px = 0.0  # type: ignore[misc]
    assert isinstance(match, GapMatch)


def test_pil_image_and_png_bytes_give_the_same_answer() -> None:
    cap = make_slider_image(14)
    engine = LocalEngine()
    assert engine.solve(cap.image, cap.width_view) == engine.solve(_png(cap.image), cap.width_view)


def test_engine_implements_the_solver_protocol() -> None:
    assert isinstance(LocalEngine(), Solver)


def test_solve_logs_one_debug_line_with_result_and_time(caplog: pytest.LogCaptureFixture) -> None:
    cap = make_slider_image(15, decoy="none")
    with caplog.at_level(logging.DEBUG, logger="omo_selenium"):
        distance = LocalEngine().solve(cap.image, cap.width_view)
    lines = [r for r in caplog.records if r.name == "omo_selenium.engine"]
    assert len(lines) == 1
    assert f"{distance:.1f}" in lines[0].getMessage()
    assert " ms" in lines[0].getMessage()


@pytest.mark.parametrize("bad", [b"not an image", b"", "captcha.png", 42, None])
def test_unreadable_image_raises_configuration_error(bad: object) -> None:
    with pytest.raises(ConfigurationError):
        LocalEngine().solve(bad, 340)  # type: ignore[arg-type]


@pytest.mark.parametrize("width_view", [0, -340, math.nan, math.inf, "340", True, None])
def test_bad_width_view_raises_configuration_error(width_view: object) -> None:
    cap = make_slider_image(16)
    with pytest.raises(ConfigurationError):
        LocalEngine().solve(cap.image, width_view)  # type: ignore[arg-type]


def test_bad_width_view_is_refused_by_locate_too() -> None:
    with pytest.raises(ConfigurationError, match="width_view"):
        locate(make_slider_image(17).image, -1.0)


def test_blank_image_raises_solve_failed() -> None:
    blank = Image.new("RGB", (340, 170), (120, 120, 120))
    with pytest.raises(SolveFailed):
        LocalEngine().solve(blank, 340)


def test_smooth_gradient_without_piece_raises_solve_failed() -> None:
    ramp = np.tile(np.linspace(0, 255, 340).astype(np.uint8), (170, 1))
    with pytest.raises(SolveFailed):
        LocalEngine().solve(Image.fromarray(ramp).convert("RGB"), 340)


def test_tiny_image_raises_solve_failed() -> None:
    with pytest.raises(SolveFailed, match="too small"):
        LocalEngine().solve(Image.new("RGB", (30, 15), (0, 0, 0)), 30)


def test_pictures_without_a_gap_are_mostly_refused() -> None:
    # generated backgrounds of every kind, with no piece and no gap: every answer would
    # be wrong. The engine lets some through (benchmarks/bench_realworld.py --gapless
    # measures how many); at most a fifth here
    refused = 0
    pictures = [make_background(seed, kind) for seed in range(6) for kind in BACKGROUNDS]
    for picture in pictures:
        try:
            LocalEngine().locate(picture, 340)
        except SolveFailed:
            refused += 1
    assert refused >= 0.8 * len(pictures)


def _uniform_noise(seed: int) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, (170, 340, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def test_engine_locate_refuses_low_confidence_but_module_locate_reports_it() -> None:
    image = _uniform_noise(0)
    match = locate(image, 340)
    assert match.confidence < LocalEngine().min_confidence
    with pytest.raises(SolveFailed, match="no credible gap"):
        LocalEngine().locate(image, 340)


@pytest.mark.parametrize("seed", range(5))
def test_pure_noise_never_passes_as_a_credible_gap(seed: int) -> None:
    with pytest.raises(SolveFailed):
        LocalEngine().solve(_uniform_noise(seed), 340)


def test_real_gaps_are_credible() -> None:
    floor = LocalEngine().min_confidence
    caps = [make_slider_image(seed, decoy="none") for seed in range(1000, 1010)]
    assert sum(locate(c.image, c.width_view).confidence >= floor for c in caps) >= 9


@pytest.mark.parametrize("seed", [178, 12363, 12430, 12492, 12517])
def test_a_piece_that_fits_its_gap_closely_is_credible_without_a_standout_peak(
    seed: int,
) -> None:
    # in these pictures other shifts score nearly as well in the coarse search (a decoy,
    # a texture); the confidence used to refuse the right answer for it
    cap = make_slider_image(seed)
    floor = LocalEngine().min_confidence
    match = locate(cap.image, cap.width_view)
    assert abs(match.distance_css - cap.true_distance_css) <= 2.0
    assert match.confidence >= floor
    # the peak alone (nor close fit, nor an outline reversed in polarity) refuses it
    peak_only = dataclasses.replace(DEFAULT_TUNING, credible_ncc=2.0, polarity_straight=-1.0)
    assert locate(cap.image, cap.width_view, tuning=peak_only).confidence < floor


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_min_confidence_outside_0_1_is_refused(value: float) -> None:
    with pytest.raises(ConfigurationError):
        LocalEngine(min_confidence=value)


def test_peak_smoothing_merges_a_double_edge_and_keeps_a_single_peak() -> None:
    from omo_selenium.engine.align import _smooth_rows

    x = np.arange(41, dtype=np.float64)
    double = np.exp(-0.5 * ((x - 18) / 1.0) ** 2) + np.exp(-0.5 * ((x - 22) / 1.0) ** 2)
    single = np.exp(-0.5 * ((x - 12) / 1.0) ** 2)
    grid = np.stack([double, single])
    smoothed = _smooth_rows(grid, 2.0)
    assert int(np.argmax(grid[0])) in (18, 22)  # raw: one of the two edges
    assert int(np.argmax(smoothed[0])) == 20  # smoothed: the line's centre
    assert int(np.argmax(smoothed[1])) == 12
    assert _smooth_rows(grid, 0.0) is grid


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    return ix * iy / (aw * ah + bw * bh - ix * iy)


def test_reported_piece_box_covers_the_piece() -> None:
    # the debug view draws these boxes, and the alignment measures on them (measured:
    # median IoU 0.87, least 0.65 on this set)
    caps = [make_slider_image(seed, decoy="none") for seed in range(1100, 1140)]
    overlaps = [_iou(locate(c.image, c.width_view).piece_box, c.piece_box) for c in caps]
    assert min(overlaps) >= 0.5
    assert float(np.median(overlaps)) >= 0.8


def test_reconstruct_keeps_what_connects_to_the_seed() -> None:
    from omo_selenium.engine.morph import reconstruct

    mask = np.zeros((7, 9), dtype=bool)
    mask[1, 1:4] = True  # a bar ...
    mask[2, 4] = True  # ... joined diagonally to a second one
    mask[3, 5:8] = True
    mask[5, 0:3] = True  # not connected
    seed = np.zeros_like(mask)
    seed[1, 1] = True
    region = reconstruct(mask, seed)
    assert region[3, 7] and region[2, 4]
    assert not region[5].any()
    assert not reconstruct(mask, np.zeros_like(mask)).any()


def test_an_accepted_doubtful_answer_is_not_moved_far_by_a_square_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a doubtful answer (confidence 0.16, right) is read again on a square at its place;
    # here a square that fits 5 px further, more credibly (a part of another outline,
    # as a jigsaw's body square is over a gap shaded inside its outline). The accepted
    # answer keeps its shift; turned off, the square's reading takes it 5 px away
    cap = make_slider_image(821)
    first = locate(cap.image, cap.width_view)
    assert DEFAULT_TUNING.min_confidence <= first.confidence < DEFAULT_TUNING.veil_gate
    assert abs(first.distance_css - cap.true_distance_css) <= 2

    def square_further(
        img: Any, box: Any, fit: Any, t: Any, fade: Any, open_side: bool = False
    ) -> Any:
        return dataclasses.replace(fit, dx=fit.dx + 5.0, ncc=0.95), box

    monkeypatch.setattr(local_module, "_veiled", square_further)
    kept = locate(cap.image, cap.width_view)
    assert kept.distance_css == pytest.approx(first.distance_css)
    assert kept.confidence == pytest.approx(first.confidence)
    moved = _error(cap, veil_keep_accepted=False)
    assert moved > 2
