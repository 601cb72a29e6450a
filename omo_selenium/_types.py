"""Value types shared across the package, and the protocols solvers implement.

The base of the package: it imports nothing of ours but :mod:`omo_selenium.errors`, so
the engine, the API client and the browser layer can all depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Union, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image

#: A captcha picture: encoded image bytes (PNG, JPEG, ...) or a Pillow image.
ImageInput = Union[bytes, "Image.Image"]

#: A rectangle ``(x, y, width, height)`` in image px.
Box = tuple[int, int, int, int]

__all__ = [
    "Balance",
    "Box",
    "GapMatch",
    "ImageInput",
    "JobResult",
    "Locator",
    "PieceImage",
    "PieceSolver",
    "SliderAnswer",
    "Solver",
]


@runtime_checkable
class Solver(Protocol):
    """Anything that turns a captcha screenshot into a drag distance.

    Both :class:`~omo_selenium.OmoCaptchaClient` (remote) and
    :class:`~omo_selenium.LocalEngine` (offline) implement it.
    """

    def solve(self, image: ImageInput, width_view: float) -> float:
        """Return the distance, in CSS pixels of the displayed image, from piece to gap.

        Args:
            image: the captcha screenshot (background with the gap, and the piece).
            width_view: the CSS width at which the image is displayed on the page.
        """
        ...


@dataclass(frozen=True)
class GapMatch:
    """Where a locating solver found the piece and its gap.

    Attributes:
        piece_box: (x, y, w, h) of the piece in image px (its outline may be included).
        gap_box: (x, y, w, h) of the matching gap in image px.
        distance_px: horizontal distance piece -> gap, in image px (sub-pixel).
        distance_css: the same distance in CSS px of the displayed image; equal to
            ``distance_px`` when no ``width_view`` was given.
        scale: CSS px per image px (``width_view / image width``, or 1.0).
        confidence: 0..1, the normalised correlation of the piece's outline and texture
            with the gap's, scaled down when the match does not stand out of the matches
            at all other shifts (a picture without a gap); answers below
            :data:`~omo_selenium.engine.MIN_CONFIDENCE` are not trusted.
        lead: how far the answer's score leads the best answer at another place (a
            decoy, a period of a repeating background): small when two places fit
            alike. ``None`` when no other place came close enough to be weighed, or
            the solver does not say.
    """

    piece_box: Box
    gap_box: Box
    distance_px: float
    distance_css: float
    scale: float
    confidence: float
    lead: float | None = None


@runtime_checkable
class Locator(Protocol):
    """A solver that also reports *where* it found the piece and the gap.

    :class:`~omo_selenium.LocalEngine` implements it. :class:`~omo_selenium.SliderSolver`
    uses the boxes for its landing check (it measures on the page where the piece went)
    and the debug view draws them; a solver without ``locate`` is asked only for the
    distance.
    """

    def locate(self, image: ImageInput, width_view: float | None = None) -> GapMatch:
        """Return the piece and gap boxes and the distance; raise ``SolveFailed`` when unsure.

        Args:
            image: the captcha screenshot (background with the gap, and the piece).
            width_view: the CSS width at which the image is displayed on the page.
        """
        ...


@dataclass(frozen=True)
class PieceImage:
    """The puzzle piece as its own picture, as most real widgets draw it (an img or canvas
    laid over the background).

    Attributes:
        image: the piece's picture at the background's scale (same px per CSS px); where
            it has an alpha channel, alpha is the piece's shape.
        x: the piece's left edge at the start, in px of the background picture (``None``:
            unknown, taken as the left edge of the picture).
        y: the piece's top edge in px of the background picture (``None``: unknown, all
            rows are searched).
        start_uncovered: the background shows what lies under the piece's start (the
            piece is not drawn there), so a gap partly under the waiting piece can be
            seen and found; otherwise the gap is looked for at least the piece's width
            away from its start, where the piece cannot hide it.
    """

    image: ImageInput
    x: float | None = None
    y: float | None = None
    start_uncovered: bool = False


@runtime_checkable
class PieceSolver(Protocol):
    """A solver that can use the piece given as its own picture.

    :class:`~omo_selenium.LocalEngine` implements it (a given sprite finds the gap more
    surely than cutting the piece out of one screenshot) and so does the omocaptcha task
    API's generic slider type. :class:`~omo_selenium.SliderSolver` calls it when a
    ``piece=`` element is named, or when it has seen the piece move on the page.
    """

    def solve_piece(self, background: ImageInput, piece: PieceImage, width_view: float) -> float:
        """Return how far the piece must travel, in CSS px of the displayed background.

        Args:
            background: the picture with the gap (the piece may or may not be drawn on it).
            piece: the piece's own picture and where it starts.
            width_view: the CSS width at which ``background`` is displayed on the page.
        """
        ...


@dataclass(frozen=True)
class JobResult:
    """One ``getJobResult`` answer.

    Attributes:
        job_id: the job asked about.
        status: ``"running"``, ``"success"`` or ``"fail"``.
        result: the raw ``result`` string on success, else ``None``.
    """

    job_id: int
    status: str
    result: str | None = None

    @property
    def ready(self) -> bool:
        """True once the job is finished (success or fail)."""
        return self.status in ("success", "fail")


@dataclass(frozen=True)
class SliderAnswer:
    """A solved slider job.

    Attributes:
        distance: CSS pixels (of the ``width_view``-wide image) to drag the piece.
        job_id: the job that produced it: an int for the job API, the task id (a string)
            for the task API, ``None`` for the local engine.
        elapsed: seconds from job creation to the answer.
    """

    distance: float
    job_id: int | str | None
    elapsed: float


@dataclass(frozen=True)
class Balance:
    """What is left on an omocaptcha account.

    Attributes:
        amount: money left, in the account's currency.
        solves_left: solves left in a package (task API only; ``None`` from the job API).
        promotional: promotional money left (task API only; ``None`` from the job API).
    """

    amount: float
    solves_left: int | None = None
    promotional: float | None = None
