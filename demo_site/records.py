"""What the demo site remembers about challenges and verifications (server side only)."""

from __future__ import annotations

from dataclasses import dataclass

from .variants import Variant

__all__ = ["ChallengeRecord", "VerificationRecord"]


@dataclass(frozen=True)
class ChallengeRecord:
    """One issued challenge, with its answer. Never sent to a browser.

    Attributes:
        id: the opaque challenge id the page received.
        variant: the variant it was generated for.
        gap_x: where the piece image's left edge fits, in natural image px (the answer).
        gap_y: the piece image's top edge, in natural image px.
        scale: natural image px per displayed CSS px.
        ratio: piece px moved per handle px on the page.
        piece_width: width of the piece image, in natural px.
        issued_at: ``time.time()`` when it was issued.
        start_x: where the piece image's left edge starts, natural px of the picture
            (negative with ``outside=1``).
    """

    id: str
    variant: Variant
    gap_x: int
    gap_y: int
    scale: float
    ratio: float
    piece_width: int
    issued_at: float
    start_x: int = 0

    @property
    def distance_css_px(self) -> float:
        """CSS px the piece must travel from its start to the gap."""
        return (self.gap_x - self.start_x) / self.scale

    @property
    def handle_css_px(self) -> float:
        """CSS px the handle must be dragged to put the piece into the gap."""
        return self.distance_css_px / self.ratio

    def piece_x_at(self, handle_css: float) -> float:
        """Where the page puts the piece's left edge (natural px of the picture) when the
        handle is ``handle_css`` CSS px from its start (before the page clamps it)."""
        return self.start_x + handle_css * self.ratio * self.scale


@dataclass(frozen=True)
class VerificationRecord:
    """One verification attempt on a known challenge.

    Attributes:
        challenge_id: the challenge it was for.
        passed: the server accepted it.
        reason: ``"passed"``, ``"missed"`` (too far from the gap), ``"robotic"`` (strict
            variant), ``"expired"``, ``"replayed"`` (already solved) or
            ``"too_many_failures"``.
        x: where the page dropped the piece, natural px.
        error_natural_px: ``x - gap_x`` (signed: positive means dropped right of the gap).
        error_css_px: the same error in displayed CSS px.
        trajectory_points: number of ``[t_ms, x, y]`` samples the page sent.
        drag_ms: the last sample's time, i.e. how long the drag took.
        received_at: ``time.time()`` when the request arrived.
    """

    challenge_id: str
    passed: bool
    reason: str
    x: float
    error_natural_px: float
    error_css_px: float
    trajectory_points: int
    drag_ms: float
    received_at: float
