"""The look: when the solver refuses the picture, the piece is seen moving on the page
and the solver is asked again with the piece's own picture (PieceSolver)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from omo_selenium import AttemptRecord, PieceImage, SliderSolver, SolveFailed, SolveResult
from omo_selenium._types import GapMatch
from omo_selenium.browser.slide import SlideStyle
from omo_selenium.engine.local import LocalEngine
from omo_selenium.images import open_image

from .fake_widget import PIECE, PIECE_Y, FakeWidgetDriver

STYLE = SlideStyle(seed=11)


class RefusingPieceSolver:
    """Refuses the whole picture; with the piece's picture, finds the gap by normalised
    correlation along the piece's rows (a test double, not the engine)."""

    def __init__(self) -> None:
        self.pieces: list[PieceImage] = []

    def solve(self, image: Any, width_view: float) -> float:
        raise SolveFailed("confidence under the floor")

    def solve_piece(self, background: Any, piece: PieceImage, width_view: float) -> float:
        self.pieces.append(piece)
        bg = np.asarray(open_image(background).convert("L"), dtype=np.float64)
        sprite = np.asarray(open_image(piece.image).convert("RGBA"), dtype=np.float64)
        alpha = sprite[..., 3] > 0
        alpha[:4], alpha[-4:], alpha[:, :4], alpha[:, -4:] = False, False, False, False
        grey = sprite[..., :3].mean(axis=2)[alpha]
        grey = (grey - grey.mean()) / (grey.std() + 1e-9)
        h, w = alpha.shape
        y = round(piece.y or 0)
        best, best_x = -2.0, 0
        for x in range(round(piece.x or 0) + w // 2, bg.shape[1] - w + 1):
            patch = bg[y : y + h, x : x + w][alpha]
            score = float(((patch - patch.mean()) / (patch.std() + 1e-9) * grey).mean())
            if score > best:
                best, best_x = score, x
        return (best_x - (piece.x or 0)) * width_view / bg.shape[1]


def _solve_once(driver: FakeWidgetDriver, solver: Any) -> SolveResult:
    """One attempt on the fake widget; its verdict is read within half a second."""
    return SliderSolver(driver, solver, style=STYLE, verify_timeout=0.5).solve(  # type: ignore[arg-type]
        driver.image, driver.handle, attempts=1
    )


def _passed_by_the_look(result: SolveResult, driver: FakeWidgetDriver) -> AttemptRecord:
    """The attempt the page accepted, answered by the piece seen moving (so the record,
    and the debug view drawn from it, hold no located boxes)."""
    record = result.attempts[0]
    assert result.success, record.error
    assert driver.widget.verdicts == [True]
    assert record.answered_by == "solve_piece (look)"
    assert record.match is None
    return record


@pytest.mark.parametrize("ratio", [1.0, 1.25])
def test_a_refused_picture_is_solved_from_the_piece_seen_moving(ratio: float) -> None:
    driver = FakeWidgetDriver(gap_x=190.0, ratio=ratio)
    solver = RefusingPieceSolver()
    record = _passed_by_the_look(_solve_once(driver, solver), driver)
    assert record.look is not None and solver.pieces
    piece = solver.pieces[0]
    assert piece.x == pytest.approx(0, abs=2) and piece.y == pytest.approx(80, abs=2)
    assert record.ratio_source == "measured"
    assert record.ratio == pytest.approx(ratio, abs=0.05)
    assert len(driver.actions) >= 3  # press, the look's move, the rest and release


def test_without_solve_piece_a_refusal_drags_nothing() -> None:
    driver = FakeWidgetDriver(gap_x=190.0)

    class Refusing:
        def solve(self, image: Any, width_view: float) -> float:
            raise SolveFailed("confidence under the floor")

    result = SliderSolver(driver, Refusing(), style=STYLE).solve(  # type: ignore[arg-type]
        driver.image, driver.handle, attempts=1
    )
    assert not result.success and "SolveFailed" in (result.error or "")
    assert driver.actions == [] and driver.widget.verdicts == []
    with pytest.raises(SolveFailed):
        result.raise_for_failure()


def test_a_piece_that_cannot_be_seen_is_released_at_the_start() -> None:
    driver = FakeWidgetDriver(gap_x=190.0)
    driver._move = lambda dx: None  # type: ignore[method-assign]  # the piece never moves
    driver._place(0.0)
    result = SliderSolver(driver, RefusingPieceSolver(), style=STYLE).solve(  # type: ignore[arg-type]
        driver.image, driver.handle, attempts=1
    )
    assert not result.success
    assert driver.widget.verdicts in ([], [False])
    assert driver.widget.handle_x == 0


def test_a_refused_picture_is_not_retried_when_nothing_asks_for_another() -> None:
    driver = FakeWidgetDriver(gap_x=190.0)

    class Refusing:
        calls = 0

        def solve(self, image: Any, width_view: float) -> float:
            self.calls += 1
            raise SolveFailed("confidence under the floor")

    solver = Refusing()
    result = SliderSolver(driver, solver, style=STYLE, element_timeout=0.5).solve(  # type: ignore[arg-type]
        driver.image, driver.handle, attempts=3
    )
    # no drag, no refresh=: the page shows the same picture, asking again is pointless
    assert solver.calls == 1 and len(result.attempts) == 1
    assert isinstance(result.attempts[0].exception, SolveFailed)


def test_the_look_presses_again_when_the_first_press_was_ignored() -> None:
    driver = FakeWidgetDriver(gap_x=200.0, ignore_first_press=True)
    record = _passed_by_the_look(_solve_once(driver, RefusingPieceSolver()), driver)
    assert record.presses == 2


class MislocatingPieceSolver(RefusingPieceSolver):
    """Locates a 'piece' in rows where nothing moves (as on a periodic background) and a
    wrong gap; with the piece's own picture it finds the real gap."""

    def __init__(self, wrong_css: float, top: int = 150) -> None:
        super().__init__()
        self.wrong_css = wrong_css
        self.top = top

    def locate(self, image: Any, width_view: float | None = None) -> GapMatch:
        box = (0, self.top, 50, 50)
        gap = (round(self.wrong_css), self.top, 50, 50)
        return GapMatch(box, gap, self.wrong_css, self.wrong_css, 1.0, 0.3)

    def solve(self, image: Any, width_view: float) -> float:
        return self.wrong_css


@pytest.mark.parametrize("gap_x", [120.0, 200.0])  # a whole drag, and a first leg
# rows apart from the piece's, and right below it: the rows a look takes then hold the
# piece's lower edge, whose travel must not be taken for the located thing's
@pytest.mark.parametrize("top", [150, 134], ids=["apart", "beside"])
def test_a_located_piece_that_does_not_move_is_answered_again_by_the_piece_seen(
    gap_x: float, top: int
) -> None:
    driver = FakeWidgetDriver(gap_x=gap_x)
    solver = MislocatingPieceSolver(wrong_css=gap_x - 25, top=top)
    record = _passed_by_the_look(_solve_once(driver, solver), driver)
    assert record.look is not None and solver.pieces
    assert record.distance_css == pytest.approx(gap_x, abs=1.5)


class DecoySolver(RefusingPieceSolver):
    """Locates the piece right, and a decoy 40 px short of the gap; ``lead`` says how
    much better the decoy fitted than the best other place."""

    def __init__(self, gap_x: float, lead: float | None) -> None:
        super().__init__()
        self.answer = gap_x - 40
        self.lead = lead

    def locate(self, image: Any, width_view: float | None = None) -> GapMatch:
        gap = (round(self.answer), PIECE_Y, PIECE, PIECE)
        return GapMatch(
            (0, PIECE_Y, PIECE, PIECE), gap, self.answer, self.answer, 1.0, 0.5, self.lead
        )

    def solve(self, image: Any, width_view: float) -> float:
        return self.answer


@pytest.mark.parametrize("gap_x", [120.0, 200.0])  # a whole drag, and a first leg
def test_an_answer_that_hardly_leads_another_place_is_checked_by_the_piece_seen(
    gap_x: float,
) -> None:
    driver = FakeWidgetDriver(gap_x=gap_x)
    record = _passed_by_the_look(_solve_once(driver, DecoySolver(gap_x, lead=0.1)), driver)
    assert record.distance_css == pytest.approx(gap_x, abs=1.5)


@pytest.mark.parametrize("lead", [None, 0.6])
def test_an_answer_that_leads_clearly_is_not_second_guessed(lead: float | None) -> None:
    driver = FakeWidgetDriver(gap_x=200.0)
    solver = DecoySolver(200.0, lead=lead)
    result = _solve_once(driver, solver)
    # the decoy is where the drag goes: nothing asked the piece seen moving
    assert not result.success
    assert driver.widget.verdicts == [False] and solver.pieces == []
    assert result.attempts[0].distance_css == pytest.approx(160, abs=1.5)


class EngineThatRefusesTheScreenshot(LocalEngine):
    """The local engine, refusing the whole screenshot (as it does when the piece hides
    most of its gap) but answering with the piece's own picture."""

    def solve(self, image: Any, width_view: float) -> float:
        raise SolveFailed("confidence under the floor")


def test_a_gap_partly_under_the_waiting_piece_is_found_once_the_piece_moved_off_it() -> None:
    # slider-captcha-js draws its gap from 8 px on: at rest the piece hides most of it
    driver = FakeWidgetDriver(gap_x=PIECE * 0.6, tolerance=2.0)
    record = _passed_by_the_look(_solve_once(driver, EngineThatRefusesTheScreenshot()), driver)
    assert record.distance_css == pytest.approx(PIECE * 0.6, abs=2.0)
