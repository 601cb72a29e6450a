"""The debug view: per-attempt pictures and JSON, and the HTML pages that tie them together."""

from __future__ import annotations

import json
import logging
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from omo_selenium.browser.capture import Captured
from omo_selenium.browser.slide import PathStep
from omo_selenium.debug.recorder import (
    ANNOTATED_MIN_WIDTH,
    DebugRecorder,
    render_annotated,
    render_path,
)
from omo_selenium.errors import ConfigurationError
from omo_selenium.records import AttemptRecord, SolveResult, Verdict

CYAN = (0, 255, 255)
MAGENTA = (255, 0, 255)
PIECE_BOX = (4, 40, 44, 46)  # (x, y, width, height) in image px
GAP_BOX = (170, 42, 44, 46)


@dataclass(frozen=True)
class FakeMatch:
    """Has the attributes the recorder reads from ``engine.GapMatch``."""

    piece_box: tuple[int, int, int, int]
    gap_box: tuple[int, int, int, int]
    distance_px: float
    distance_css: float
    scale: float
    confidence: float


def _picture(width: int = 300, height: int = 150) -> Image.Image:
    """A grey-green picture with no pure cyan or magenta, a dark gap and a light piece."""
    img = Image.new("RGB", (width, height))
    img.putdata(
        [
            (90 + x * 100 // width, 110, 70 + y * 80 // height)
            for y in range(height)
            for x in range(width)
        ]
    )
    draw = ImageDraw.Draw(img)
    x, y, w, h = GAP_BOX
    if x + w < width:
        draw.rectangle((x, y, x + w - 1, y + h - 1), fill=(40, 50, 40))
    x, y, w, h = PIECE_BOX
    draw.rectangle((x, y, x + w - 1, y + h - 1), fill=(200, 210, 190))
    return img


def _captured(image: Image.Image, width_view: float = 200.0) -> Captured:
    height = width_view * image.height / image.width
    return Captured(image, width_view, (10.0, 20.0, width_view, height), None, 1.5)


def _path() -> list[PathStep]:
    return [
        PathStep(10, 0, 40),
        PathStep(40, 1, 60),
        PathStep(50, -1, 60),
        PathStep(8, 0, 30),
        PathStep(-3, 0, 40),
    ]


def _record(
    number: int = 1,
    *,
    image: Image.Image | None = None,
    with_match: bool = True,
    **fields: Any,
) -> AttemptRecord:
    image = _picture() if image is None else image
    captured = _captured(image)
    distance_px = float(GAP_BOX[0] - PIECE_BOX[0])
    values: dict[str, Any] = {
        "distance_css": distance_px * captured.scale,
        "ratio": 1.05,
        "ratio_source": "measured",
        "handle_css": 105,
        "landed_css": 109.9,
        "correction_css": 1,
        "verdict": Verdict.ACCEPTED,
        "timings": {"capture": 0.125, "solve": 0.25, "slide": 0.8125, "verify": 0.5},
        "captured": captured,
        "path": _path(),
    }
    if with_match:
        values["match"] = FakeMatch(
            PIECE_BOX, GAP_BOX, distance_px, distance_px * captured.scale, captured.scale, 0.87
        )
    values.update(fields)
    return AttemptRecord(number, **values)


def _json(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "attempt.json").read_text(encoding="utf-8"))
    return data


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.images: list[str] = []
        self.cards = 0
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        a = dict(attrs)
        if tag == "img" and a.get("src"):
            self.images.append(str(a["src"]))
        for key in ("src", "href"):
            if a.get(key):
                self.refs.append(str(a[key]))
        if tag == "section" and "card" in (a.get("class") or "").split():
            self.cards += 1


def _links(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


# -- one attempt ---------------------------------------------------------------------------


def test_attempt_folder_holds_capture_annotation_path_plot_and_json(tmp_path: Path) -> None:
    picture = _picture()
    folder = DebugRecorder(tmp_path, run_name="run").record_attempt(_record(image=picture))

    assert folder == tmp_path / "run" / "attempt-1"
    for name in ("captcha.png", "annotated.png", "path.png", "attempt.json"):
        assert (folder / name).is_file(), name
    with Image.open(folder / "captcha.png") as saved:
        assert saved.convert("RGB").tobytes() == picture.tobytes()
    assert _json(folder)["files"] == {
        "captcha": "captcha.png",
        "annotated": "annotated.png",
        "path": "path.png",
    }


def test_annotated_picture_outlines_gap_in_magenta_and_piece_in_cyan(tmp_path: Path) -> None:
    folder = DebugRecorder(tmp_path, run_name="run").record_attempt(_record())
    k = _json(folder)["annotated_scale"]
    assert k == 2  # 300 px wide -> upscaled past 600
    with Image.open(folder / "annotated.png") as opened:
        img = opened.convert("RGB")
    assert img.width >= ANNOTATED_MIN_WIDTH

    for (x, y, w, h), colour in ((GAP_BOX, MAGENTA), (PIECE_BOX, CYAN)):
        left, top, right, bottom = x * k, y * k, (x + w) * k - 1, (y + h) * k - 1
        mid_x, mid_y = (left + right) // 2, (top + bottom) // 2
        edges = [
            (left, mid_y + 5),
            (left + 1, mid_y + 5),
            (right, mid_y + 5),
            (right - 1, mid_y + 5),
            (mid_x, top),
            (mid_x, top + 1),
            (mid_x, bottom),
            (mid_x, bottom - 1),
        ]
        for point in edges:
            assert img.getpixel(point) == colour, (colour, point)
        # Just inside the outline is the picture again, at the same mapping.
        assert img.getpixel((left + 3, bottom - 3)) == _picture().getpixel((x + 1, y + h - 2))


def test_large_capture_is_annotated_at_its_own_scale(tmp_path: Path) -> None:
    record = _record(image=_picture(700, 200))
    folder = DebugRecorder(tmp_path, run_name="run").record_attempt(record)

    assert _json(folder)["annotated_scale"] == 1
    with Image.open(folder / "annotated.png") as img:
        x, y, _, h = GAP_BOX
        assert img.convert("RGB").getpixel((x, y + h // 2 + 5)) == MAGENTA
        assert img.width == 700


def test_json_timings_add_up_to_total_and_fields_round_trip(tmp_path: Path) -> None:
    record = _record(3, verdict=Verdict.REJECTED, error="the page did not accept the drag")
    data = _json(DebugRecorder(tmp_path).record_attempt(record, verdict_note="slid too far"))

    assert data["timings"] == record.timings
    assert data["timings_total"] == pytest.approx(sum(data["timings"].values()))
    assert data["timings_total"] == pytest.approx(1.6875)
    for name in (
        "number",
        "ratio",
        "ratio_source",
        "handle_css",
        "landed_css",
        "correction_css",
        "verdict",
        "error",
    ):
        assert data[name] == getattr(record, name), name
    assert data["distance_css"] == pytest.approx(record.distance_css, abs=1e-4)
    assert data["verdict_note"] == "slid too far"
    assert data["match"]["gap_box"] == list(GAP_BOX)
    assert data["match"]["piece_box"] == list(PIECE_BOX)
    assert data["match"]["confidence"] == pytest.approx(0.87)
    assert data["path"] == [[s.dx, s.dy, s.duration_ms] for s in record.path]
    assert data["capture"]["image_size"] == [300, 150]


def test_json_stays_valid_with_numbers_that_are_not_finite(tmp_path: Path) -> None:
    record = _record(distance_css=math.nan, landed_css=math.inf, with_match=False)
    data = _json(DebugRecorder(tmp_path).record_attempt(record))

    assert data["distance_css"] is None
    assert data["landed_css"] is None


def test_remote_answer_without_boxes_draws_a_line_at_the_offset(tmp_path: Path) -> None:
    record = _record(with_match=False)
    folder = DebugRecorder(tmp_path, run_name="run").record_attempt(record)

    data = _json(folder)
    assert data["match"] is None
    k = data["annotated_scale"]
    offset_px = GAP_BOX[0] - PIECE_BOX[0]
    with Image.open(folder / "annotated.png") as opened:
        img = opened.convert("RGB")
    line_x = round(offset_px * k)
    picture_height = _picture().height * k
    assert {img.getpixel((line_x, y)) for y in range(40, picture_height, 37)} == {MAGENTA}
    top_half = img.crop((0, 0, img.width, picture_height))
    assert CYAN not in {colour for _, colour in top_half.getcolors(1 << 20) or []}


def test_attempt_that_captured_nothing_still_renders(tmp_path: Path) -> None:
    record = AttemptRecord(2, error="CaptureError: element is hidden", timings={"capture": 0.5})
    folder = DebugRecorder(tmp_path).record_attempt(record)

    data = _json(folder)
    assert not (folder / "captcha.png").exists()
    assert (folder / "annotated.png").is_file() and (folder / "path.png").is_file()
    assert data["files"] == {"annotated": "annotated.png", "path": "path.png"}
    assert data["verdict_label"] == "error" and data["capture"] is None


def test_drawing_failure_is_logged_and_the_rest_is_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = FakeMatch((1, 2), (3,), 1.0, 1.0, 1.0, 0.5)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="omo_selenium.debug"):
        folder = DebugRecorder(tmp_path).record_attempt(_record(match=broken))

    assert "annotated" not in _json(folder)["files"]
    assert (folder / "path.png").is_file()
    assert any("annotated.png" in r.getMessage() for r in caplog.records)


def test_path_plot_draws_x_and_scaled_y_against_time() -> None:
    plot = render_path(_record())
    colours = {colour for _, colour in plot.getcolors(1 << 20) or []}

    assert plot.size == (480, 200)
    assert (31, 119, 180) in colours  # x
    assert (230, 110, 0) in colours  # y
    assert (110, 110, 110) in colours  # dashed target line
    empty = render_path(AttemptRecord(1))
    assert empty.size == (480, 200)


def test_annotation_can_be_rendered_without_a_recorder() -> None:
    img = render_annotated(_record(verdict=None), verdict_note="no success check given")
    assert img.width >= ANNOTATED_MIN_WIDTH and img.height > 300


# -- runs and pages ------------------------------------------------------------------------


def test_finished_run_page_shows_every_attempt_with_existing_images(tmp_path: Path) -> None:
    recorder = DebugRecorder(tmp_path, run_name="run")
    first = _record(1, verdict=Verdict.REJECTED, error="the page did not accept the drag")
    second = _record(2, with_match=False)
    recorder.record_attempt(first)
    recorder.record_attempt(second)
    index = recorder.finish(SolveResult(True, [first, second], 3.5))

    assert index == tmp_path / "run" / "index.html"
    page = _links(index)
    assert page.cards == 2
    assert "script" not in page.tags
    for n in (1, 2):
        assert f"attempt-{n}/annotated.png" in page.images
        assert f"attempt-{n}/path.png" in page.images
    for ref in page.refs:
        assert not re.match(r"^[a-z]+:|^/", ref), f"not a relative link: {ref}"
        assert (index.parent / ref).exists(), ref
    text = index.read_text(encoding="utf-8")
    assert "solved" in text and "3.50 s" in text
    assert json.loads((tmp_path / "run" / "run.json").read_text())["success"] is True


def test_top_level_index_lists_every_run(tmp_path: Path) -> None:
    recorder = DebugRecorder(tmp_path, run_name="checkout")
    recorder.record_attempt(_record())
    first = recorder.finish()
    recorder.record_attempt(_record())
    second = recorder.finish(SolveResult(False, [], 1.0))
    other = DebugRecorder(tmp_path)
    other.record_attempt(_record())
    third = other.finish()

    assert first.parent.name == "checkout" and second.parent.name == "checkout-2"
    top = _links(tmp_path / "index.html")
    listed = {ref for ref in top.refs if ref.endswith("index.html")}
    assert listed == {f"{p.parent.name}/index.html" for p in (first, second, third)}
    for ref in listed:
        assert (tmp_path / ref).is_file()


def test_default_run_name_is_a_sortable_timestamp_with_a_suffix(tmp_path: Path) -> None:
    a, b = DebugRecorder(tmp_path), DebugRecorder(tmp_path)

    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{4}", a.run_name)
    assert a.run_name != b.run_name
    assert a.run_name == a.run_name  # stable until finish()


def test_run_name_is_made_safe_for_file_names(tmp_path: Path) -> None:
    recorder = DebugRecorder(tmp_path, run_name="tests/test_x.py::test_a[1 2]")
    assert recorder.run_name == "tests-test_x.py-test_a-1-2"
    assert recorder.run_dir.parent == tmp_path
    with pytest.raises(ConfigurationError):
        DebugRecorder(tmp_path, run_name="../..")


def test_unwritable_directory_logs_a_warning_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    recorder = DebugRecorder(blocker / "debug")

    with caplog.at_level(logging.WARNING, logger="omo_selenium.debug"):
        folder = recorder.record_attempt(_record())
        index = recorder.finish(SolveResult(True, [], 0.1))

    assert not folder.exists() and not index.exists()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) >= 2


def test_module_imports_without_numpy_or_selenium() -> None:
    code = (
        "import sys, omo_selenium.debug; "
        "print(sorted(m for m in ('numpy', 'selenium') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


# -- in a browser --------------------------------------------------------------------------


@pytest.mark.browser
def test_run_page_displays_every_card_and_image_in_chromium(tmp_path: Path, chrome: Any) -> None:
    recorder = DebugRecorder(tmp_path, run_name="run")
    records = [
        _record(1, verdict=Verdict.REJECTED, error="the page did not accept the drag"),
        _record(2, with_match=False),
        _record(3),
    ]
    for record in records:
        recorder.record_attempt(record)
    index = recorder.finish(SolveResult(True, records, 4.25))

    chrome.get(index.resolve().as_uri())
    cards = chrome.execute_script(
        "return Array.from(document.querySelectorAll('section.card')).map(c => {"
        "  const r = c.getBoundingClientRect();"
        "  return {id: c.id, w: r.width, h: r.height,"
        "          imgs: Array.from(c.querySelectorAll('img')).map(i => "
        "             ({src: i.getAttribute('src'), complete: i.complete,"
        "               natural: i.naturalWidth, shown: i.getBoundingClientRect().width}))};"
        "});"
    )
    assert [c["id"] for c in cards] == ["attempt-1", "attempt-2", "attempt-3"]
    for card in cards:
        assert card["w"] > 0 and card["h"] > 0
        assert len(card["imgs"]) == 2, card
        for img in card["imgs"]:
            assert img["complete"] and img["natural"] > 0 and img["shown"] > 0, img


def test_the_look_and_how_the_verdict_was_read_are_shown(tmp_path: Path) -> None:
    from omo_selenium.records import PieceLook

    sprite = Image.new("RGBA", (30, 28), (200, 40, 40, 255))
    record = _record(image=_picture())
    record.look = PieceLook(sprite, start_x=2.0, y=40.0, shift_px=36.5, handle_css=30.0)
    record.answered_by = "solve_piece (look)"
    record.verdict, record.verdict_reason = Verdict.REJECTED, "the handle went back to the start"
    recorder = DebugRecorder(tmp_path, run_name="run")
    folder = recorder.record_attempt(record)
    recorder.finish(SolveResult(False, [record], 1.0))

    with Image.open(folder / "look.png") as look:
        assert look.width >= 3 * 30 and look.height >= 3 * 28  # enlarged sprite
        assert (200, 40, 40) in {c for _, c in look.convert("RGB").getcolors(1 << 16) or []}
    data = _json(folder)
    assert data["verdict"] == "rejected"
    assert data["verdict_reason"] == "the handle went back to the start"
    assert data["look"]["start_x"] == 2.0 and data["look"]["size"] == [30, 28]
    page = (tmp_path / "run" / "index.html").read_text(encoding="utf-8")
    assert "verdict read from: the handle went back to the start" in page
    assert 'src="attempt-1/look.png"' in page and "solve_piece (look)" in page


def test_the_last_look_before_release_shows_the_piece_against_the_gap(tmp_path: Path) -> None:
    from omo_selenium.records import LandingLook

    rows = Image.new("RGB", (300, 50), (60, 60, 60))
    sprite = Image.new("RGBA", (30, 30), (0, 0, 0, 0))
    ImageDraw.Draw(sprite).ellipse((2, 2, 27, 27), fill=(250, 200, 0, 255))
    record = _record(image=_picture())
    record.landing = LandingLook(
        rows, top=30, piece_box=(5, 40, 30, 30), found_x=121.5, target_x=120.0,
        how="its own pixels", sprite=sprite,
    )  # fmt: skip
    recorder = DebugRecorder(tmp_path, run_name="run")
    folder = recorder.record_attempt(record)
    recorder.finish(SolveResult(True, [record], 1.0))

    with Image.open(folder / "landing.png") as landing:
        colours = {c for _, c in landing.convert("RGB").getcolors(1 << 16) or []}
        assert (250, 200, 0) in colours  # the piece's own pixels
        assert (0, 255, 255) in colours and (255, 0, 255) in colours  # found / gap
    data = _json(folder)
    assert data["landing"] == {"found_x": 121.5, "target_x": 120.0, "how": "its own pixels"}
    page = (tmp_path / "run" / "index.html").read_text(encoding="utf-8")
    assert 'src="attempt-1/landing.png"' in page


def test_a_solve_on_the_demo_page_records_its_last_look(
    tmp_path: Path, chrome: Any, demo_site: Any
) -> None:
    from omo_selenium import LocalEngine, SliderSolver
    from omo_selenium.testing.demo import HANDLE, IMAGE

    chrome.get(demo_site.url_for(ratio="1.3"))
    result = SliderSolver(chrome, LocalEngine(), debug_dir=tmp_path).solve(IMAGE, HANDLE)
    assert result.success, result.error
    landing = result.attempts[-1].landing
    assert landing is not None and landing.found_x is not None
    assert abs(landing.found_x - landing.target_x) <= 1.0  # what the server then passed
    assert list(tmp_path.glob("*/attempt-*/landing.png"))
