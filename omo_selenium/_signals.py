"""Block a long-running command until SIGINT/SIGTERM (or an event), then let it clean up.

Shared by ``omo-selenium serve``, ``grid`` and ``demo-site``: handlers are installed only
on the main thread (elsewhere, set the event) and the previous ones are restored.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["StopWaiter", "stop_on_signals"]


class StopWaiter:
    """What :func:`stop_on_signals` yields: wait here until a stop is asked for."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event
        self.signals: list[int] = []

    def wait(self, *, poll: float = 0.1, check: Callable[[], None] | None = None) -> int | None:
        """Block until a signal arrives or the event is set.

        Args:
            poll: seconds between two looks.
            check: called on every look; raise from it to stop waiting with an error
                (e.g. a child process died).

        Returns:
            The signal number, or ``None`` when the event ended the wait.
        """
        while not self.signals and not self.event.wait(poll):
            if check is not None:
                check()
        return self.signals[0] if self.signals else None


@contextmanager
def stop_on_signals(event: threading.Event | None = None) -> Iterator[StopWaiter]:
    """Turn SIGINT and SIGTERM into a stop request for the ``with`` block."""
    waiter = StopWaiter(event if event is not None else threading.Event())

    def on_signal(signum: int, frame: FrameType | None) -> None:
        # No locks or logging here: a signal may arrive while the main thread holds one.
        waiter.signals.append(signum)

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        yield waiter
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
