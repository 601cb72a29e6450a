"""``SliderSolverMixin``: adds ``solve_slider(...)`` to any WebDriver class."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

from .browser.capture import Target
from .records import SolveResult
from .solver import SliderSolver

__all__ = ["SliderSolverMixin"]


class SliderSolverMixin:
    """Mix into a WebDriver class to give it :meth:`solve_slider`.

    Example:
        >>> class MyDriver(SliderSolverMixin, webdriver.Chrome):  # doctest: +SKIP
        ...     pass
        >>> MyDriver().solve_slider(image="#captcha-image", handle="#slider-handle")
    """

    _solver_defaults: dict[str, Any]

    def solve_slider(self, image: Target, handle: Target, **options: Any) -> SolveResult:
        """Solve the slider captcha on the current page.

        Args:
            image: the captcha picture element, locator or CSS selector.
            handle: the slider handle.
            **options: :class:`SliderSolver` arguments (``solver``, ``style``, ``ratio``,
                ``check_landing``, ``verify_timeout``, ...) and :meth:`SliderSolver.solve`
                arguments (``success``, ``failure``, ``refresh``, ``attempts``, ``piece``).

        Returns:
            The :class:`SolveResult`.
        """
        if not isinstance(self, WebDriver):
            raise TypeError("SliderSolverMixin must be mixed into a WebDriver class")
        solve_keys = {"success", "failure", "refresh", "attempts", "piece"}
        merged = {**getattr(self, "_solver_defaults", {}), **options}
        solve_args = {k: v for k, v in merged.items() if k in solve_keys}
        solver_args = {k: v for k, v in merged.items() if k not in solve_keys}
        return SliderSolver(self, **solver_args).solve(image, handle, **solve_args)
