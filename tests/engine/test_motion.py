"""measure_piece_shift: how far the piece moved between two screenshots."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from omo_selenium.engine.motion import measure_piece_shift
from omo_selenium.errors import ConfigurationError
from omo_selenium.testing.synthetic import make_drag_pair


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.parametrize("seed", range(30))
def test_shift_is_measured_within_one_px(seed: int) -> None:
    pair = make_drag_pair(seed, shift_native=2 + (seed * 37) % 150)
    measured = measure_piece_shift(pair.before, pair.after)
    assert measured is not None
    assert measured == pytest.approx(pair.shift_px, abs=1.0)


@pytest.mark.parametrize("seed", range(100, 106))
def test_small_first_drag_is_measured_within_one_px(seed: int) -> None:
    pair = make_drag_pair(seed, shift_native=3 + seed % 4, with_handle=False)
    measured = measure_piece_shift(pair.before, pair.after)
    assert measured is not None
    assert measured == pytest.approx(pair.shift_px, abs=1.0)


@pytest.mark.parametrize("seed", range(200, 206))
def test_piece_is_measured_not_the_slider_handle(seed: int) -> None:
    pair = make_drag_pair(seed, shift_native=40, with_handle=True)
    assert abs(pair.handle_shift_px - pair.shift_px) > 1.0  # the two really differ
    measured = measure_piece_shift(pair.before, pair.after)
    assert measured is not None
    assert measured == pytest.approx(pair.shift_px, abs=1.0)


@pytest.mark.parametrize("seed", range(5))
def test_no_movement_gives_none(seed: int) -> None:
    pair = make_drag_pair(seed, shift_native=0, noise=1.0)
    assert measure_piece_shift(pair.before, pair.after) is None


def test_identical_screenshots_give_none() -> None:
    pair = make_drag_pair(1, shift_native=30)
    assert measure_piece_shift(pair.before, pair.before.copy()) is None


@pytest.mark.parametrize("seed", range(3))
def test_move_to_the_left_gives_none(seed: int) -> None:
    pair = make_drag_pair(seed, shift_native=60, with_handle=False)
    assert measure_piece_shift(pair.after, pair.before) is None


def test_png_bytes_and_pil_images_agree() -> None:
    pair = make_drag_pair(7, shift_native=25)
    from_pil = measure_piece_shift(pair.before, pair.after)
    from_png = measure_piece_shift(_png(pair.before), _png(pair.after))
    assert from_pil == from_png


def test_max_shift_at_or_above_the_truth_keeps_the_answer() -> None:
    pair = make_drag_pair(9, shift_native=30, with_handle=False)
    limit = int(pair.shift_px) + 3
    measured = measure_piece_shift(pair.before, pair.after, max_shift_px=limit)
    assert measured == pytest.approx(pair.shift_px, abs=1.0)


def test_screenshots_of_different_sizes_are_refused() -> None:
    small = Image.new("RGB", (100, 50))
    big = Image.new("RGB", (101, 50))
    with pytest.raises(ConfigurationError, match="differ in size"):
        measure_piece_shift(small, big)


@pytest.mark.parametrize("limit", [0, -5, 2.5, True])
def test_bad_max_shift_is_refused(limit: object) -> None:
    img = Image.new("RGB", (100, 50))
    with pytest.raises(ConfigurationError, match="max_shift_px"):
        measure_piece_shift(img, img, max_shift_px=limit)  # type: ignore[arg-type]


def test_unreadable_image_is_refused() -> None:
    img = Image.new("RGB", (100, 50))
    with pytest.raises(ConfigurationError):
        measure_piece_shift(b"not an image", img)
