"""The package's public surface."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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
    "Balance",
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


def test_the_demo_site_works_from_the_installed_path_alone(tmp_path: Path) -> None:
    # -I: no current directory on sys.path, so the repository's demo_site/ cannot stand in.
    code = (
        "import sys; from omo_selenium.demo_site import DemoSite, Variant; "
        "from omo_selenium.demo_site.pages import render_page, read_static; "
        "assert 'demo_site' not in sys.modules; "
        "assert 'captcha-image' in render_page(Variant()); "
        "assert read_static('captcha.js') is not None; print('ok')"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "ok", out.stderr[-2000:]


def test_the_wheel_installs_one_top_level_package_with_the_demo_site(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build a wheel here (no setuptools>=77?): {built.stderr[-300:]}")
    (wheel,) = tmp_path.glob("omo_selenium-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"omo_selenium"}
    for needed in ("omo_selenium/demo_site/server.py", "omo_selenium/demo_site/static/captcha.js"):
        assert needed in names
    assert "omo_selenium/py.typed" in names
