"""The package's public surface."""

from __future__ import annotations

import subprocess
import sys

import omo_selenium

EXPECTED = {
    "ApiError", "AttemptRecord", "AuthenticationError", "BrowserLost", "CaptureError", "Captured",
    "Chrome",
    "ConfigurationError", "DebugRecorder", "GapMatch", "ImageInput", "JobResult", "LocalEngine",
    "LocalGrid", "Locator", "OmoCaptchaClient", "OmoCaptchaError", "OmoServer", "PieceImage",
    "PieceSolver", "ProtocolError", "Remote", "SlideError", "SlideStyle", "SliderAnswer",
    "SliderSolver", "SliderSolverMixin",
    "SolveFailed", "SolveResult", "SolveTimeout", "Solver", "TransportError",
    "Verdict", "VerificationFailed", "__version__", "capture_element", "default_options",
    "default_solver",
    "find_chromedriver", "plan_path",
}  # fmt: skip


def test_public_names_are_pinned() -> None:
    assert set(omo_selenium.__all__) == EXPECTED


def test_every_public_name_resolves() -> None:
    for name in omo_selenium.__all__:
        assert getattr(omo_selenium, name) is not None, name


def test_every_error_derives_from_the_root() -> None:
    for name in omo_selenium.__all__:
        value = getattr(omo_selenium, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, omo_selenium.OmoCaptchaError), name


def test_importing_the_package_and_plugin_stays_cheap() -> None:
    code = (
        "import sys, omo_selenium, omo_selenium.testing.pytest_plugin; "
        "heavy = [m for m in ('numpy', 'selenium', 'requests', 'PIL') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_module_entry_point_prints_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "omo_selenium", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    for command in ("demo", "serve", "demo-site", "solve"):
        assert command in out.stdout
