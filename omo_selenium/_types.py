"""Value types shared across the package, and the :class:`Solver` protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Union, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image

#: A captcha picture: encoded image bytes (PNG, JPEG, ...) or a Pillow image.
ImageInput = Union[bytes, "Image.Image"]

__all__ = ["ImageInput", "JobResult", "SliderAnswer", "Solver"]


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
        job_id: the job that produced it (``None`` for the local engine).
        elapsed: seconds from job creation to the answer.
    """

    distance: float
    job_id: int | None
    elapsed: float
