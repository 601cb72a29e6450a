"""The pytest plugin, as a user meets it: a separate pytest run with our fixtures."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "test_demo_captcha.py"


def _browsers() -> set[str]:
    """Command lines of running Chromium processes started by omo_selenium.Chrome."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return {line.split(None, 1)[0] for line in out.splitlines() if "omo-chrome-" in line}


def test_plugin_options_are_listed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(
        ["*slider captcha solving (omo-selenium)*", "*--omo-grid=URL*", "*--omo-dpr=X*",
         "*--omo-headed*", "*--omo-debug-dir=PATH*"]
    )  # fmt: skip


@pytest.mark.browser
def test_example_file_passes_and_leaves_nothing_running(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(test_user_story=EXAMPLE.read_text())
    debug_dir = tmp_path / "debug"
    before = _browsers()
    result = pytester.runpytest_subprocess(
        "-q", "-p", "no:cacheprovider", "--omo-debug-dir", str(debug_dir),
        "-k", "plain or iframe or handle or recorded",
    )  # fmt: skip
    result.assert_outcomes(passed=4)
    assert _browsers() <= before, "the plugin left a browser running"
    # one debug folder per test that solved, each with a browsable index
    folders = sorted(p for p in debug_dir.iterdir() if p.is_dir())
    assert len(folders) == 4
    for folder in folders:
        assert (folder / "index.html").is_file()
        assert list(folder.glob("*/attempt-1/annotated.png"))


@pytest.mark.browser
def test_dpr_option_reaches_the_browser(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_dpr(omo_driver):
            assert omo_driver.execute_script("return window.devicePixelRatio") == 2

        def test_same_browser_for_the_session(omo_driver, request):
            assert omo_driver.current_url == "about:blank"
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "--omo-dpr", "2")
    result.assert_outcomes(passed=2)


def test_server_fixtures_speak_the_api(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from omo_selenium import AuthenticationError, OmoCaptchaClient

        def test_round_trip(omo_client, omo_server):
            assert omo_client.solve  # the client is bound to the server
            assert omo_server.url.startswith("http://127.0.0.1:")

        def test_wrong_token_is_refused(omo_server, omo_api_token):
            with OmoCaptchaClient(omo_api_token + "x", omo_server.url) as client:
                with pytest.raises(AuthenticationError):
                    client.get_job_result(1)
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
