"""Settings precedence (argument > OMOCAPTCHA_* environment > default) and solver choice."""

from __future__ import annotations

import logging

import pytest

from omo_selenium.api.client import OmoCaptchaClient
from omo_selenium.config import (
    DEFAULT_BASE_URL,
    ENV_API,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_TASK_TYPE,
    resolve_api,
    resolve_api_key,
    resolve_base_url,
    resolve_task_type,
)
from omo_selenium.defaults import default_solver
from omo_selenium.errors import ConfigurationError

KEY = "cfg-SECRET-key-31"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_API_KEY, raising=False)
    monkeypatch.delenv(ENV_BASE_URL, raising=False)
    monkeypatch.delenv(ENV_API, raising=False)
    monkeypatch.delenv(ENV_TASK_TYPE, raising=False)


# -- API key --------------------------------------------------------------------------------


def test_key_argument_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_KEY, "from-env")
    assert resolve_api_key("from-arg") == "from-arg"


def test_key_comes_from_the_environment_when_no_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_KEY, "from-env")
    assert resolve_api_key(None) == "from-env"


def test_no_key_anywhere_resolves_to_none() -> None:
    assert resolve_api_key(None) is None


def test_empty_key_in_the_environment_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_KEY, "")
    assert resolve_api_key(None) is None


@pytest.mark.parametrize("key", ["", "   ", "two words", "tab\there", "line\n"])
def test_blank_or_spaced_key_argument_is_refused(key: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        resolve_api_key(key)
    assert key.strip() == "" or key not in str(info.value)


def test_blank_key_in_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_KEY, "   ")
    with pytest.raises(ConfigurationError):
        resolve_api_key(None)


# -- base URL -------------------------------------------------------------------------------


def test_url_argument_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BASE_URL, "http://env.example:9000")
    assert resolve_base_url("http://arg.example:8000") == "http://arg.example:8000"


def test_url_comes_from_the_environment_when_no_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BASE_URL, "http://env.example:9000/")
    assert resolve_base_url(None) == "http://env.example:9000"


def test_url_defaults_to_the_public_service() -> None:
    assert resolve_base_url(None) == DEFAULT_BASE_URL == "https://omocaptcha.com"


def test_trailing_slashes_are_dropped() -> None:
    assert resolve_base_url("http://127.0.0.1:8000/prefix/") == "http://127.0.0.1:8000/prefix"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://omocaptcha.com",
        "omocaptcha.com",
        "localhost:8000",
        "http://",
        "https:///api",
        "",
        "http://host:8000/?key=1",
        "http://host:8000/#frag",
    ],
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        resolve_base_url(url)


def test_bad_url_in_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BASE_URL, "not a url")
    with pytest.raises(ConfigurationError):
        resolve_base_url(None)


# -- API and task type ----------------------------------------------------------------------


def test_api_defaults_to_the_job_api_and_the_tiktok_task_type() -> None:
    assert resolve_api(None) == "job"
    assert resolve_task_type(None) == "TiktokSliderWebTask"


def test_api_and_task_type_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API, " Task ")
    monkeypatch.setenv(ENV_TASK_TYPE, "GeetestSliderWebTask")
    assert resolve_api(None) == "task"
    assert resolve_task_type(None) == "GeetestSliderWebTask"


def test_api_and_task_type_arguments_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API, "task")
    monkeypatch.setenv(ENV_TASK_TYPE, "geetest")
    assert resolve_api("job") == "job"
    assert resolve_task_type("all") == "SliderAllWebTask"


@pytest.mark.parametrize(
    "alias,name", [("TIKTOK", "TiktokSliderWebTask"), ("geetest", "GeetestSliderWebTask")]
)
def test_task_type_short_names_are_accepted(alias: str, name: str) -> None:
    assert resolve_task_type(alias) == name


@pytest.mark.parametrize("value", ["v2", "", "jobs"])
def test_unknown_api_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match="'job' or 'task'"):
        resolve_api(value)


def test_unknown_task_type_in_the_environment_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_TASK_TYPE, "RecaptchaV2Task")
    with pytest.raises(ConfigurationError, match=ENV_TASK_TYPE):
        resolve_task_type(None)


def test_client_default_url_follows_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    assert OmoCaptchaClient(KEY).base_url == "https://omocaptcha.com"
    assert OmoCaptchaClient(KEY, api="task").base_url == "https://api.omocaptcha.com"
    monkeypatch.setenv(ENV_API, "task")
    monkeypatch.setenv(ENV_BASE_URL, "http://127.0.0.1:8090")
    client = OmoCaptchaClient(KEY, task_type="geetest")
    assert (client.api, client.base_url) == ("task", "http://127.0.0.1:8090")
    assert client.tasks.task_type == "GeetestSliderWebTask"


def test_client_with_a_bad_api_fails_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API, "soap")
    with pytest.raises(ConfigurationError, match=ENV_API):
        OmoCaptchaClient(KEY)


# -- the client applies the same precedence -------------------------------------------------


def test_client_reads_key_and_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_KEY, KEY)
    monkeypatch.setenv(ENV_BASE_URL, "http://env.example:9000")
    client = OmoCaptchaClient()
    assert client.base_url == "http://env.example:9000"
    assert client._api_key == KEY
    assert KEY not in repr(client)


def test_client_arguments_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_API_KEY, "env-key")
    monkeypatch.setenv(ENV_BASE_URL, "http://env.example:9000")
    client = OmoCaptchaClient(KEY, "http://arg.example")
    assert client.base_url == "http://arg.example"
    assert client._api_key == KEY


def test_client_without_any_key_fails_at_construction() -> None:
    with pytest.raises(ConfigurationError, match="OMOCAPTCHA_API_KEY"):
        OmoCaptchaClient()


def test_client_with_a_blank_key_fails_at_construction() -> None:
    with pytest.raises(ConfigurationError):
        OmoCaptchaClient("  ")


# -- default_solver -------------------------------------------------------------------------


def test_default_solver_is_the_client_when_a_key_is_given(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="omo_selenium")
    solver = default_solver(KEY, "http://127.0.0.1:8000")
    assert isinstance(solver, OmoCaptchaClient)
    assert solver.base_url == "http://127.0.0.1:8000"
    assert "omocaptcha service at http://127.0.0.1:8000" in caplog.text
    assert KEY not in caplog.text


def test_default_solver_is_the_client_when_the_environment_has_a_key(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="omo_selenium")
    monkeypatch.setenv(ENV_API_KEY, KEY)
    assert isinstance(default_solver(), OmoCaptchaClient)
    assert KEY not in caplog.text


def test_default_solver_is_the_local_engine_without_a_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = pytest.importorskip("omo_selenium.engine")
    caplog.set_level(logging.INFO, logger="omo_selenium")
    solver = default_solver(base_url="http://127.0.0.1:8000")
    assert isinstance(solver, engine.LocalEngine)
    assert "LocalEngine" in caplog.text


def test_default_solver_refuses_a_malformed_key() -> None:
    with pytest.raises(ConfigurationError):
        default_solver("has space")
