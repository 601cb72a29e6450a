"""The local server's jobs: a bounded, expiring store and a bounded worker pool.

Used by :mod:`omo_selenium.server` only. Nothing here knows about HTTP.
"""

from __future__ import annotations

import hmac
import logging
import math
import queue
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .._types import PieceImage, Solver
from ..errors import SolveFailed
from .pieces import solve_with_piece

__all__ = ["Job", "JobStore", "QueueFull", "WorkerPool"]

logger = logging.getLogger("omo_selenium.server")

#: Job ids are drawn at random from ``1 .. 2**53 - 1``: exact in JSON and JavaScript, and
#: 53 random bits, so that nobody finds a job by guessing its id.
_MAX_JOB_ID = 2**53 - 1


@dataclass
class Job:
    """One captcha job, from ``createJob`` until it expires.

    Attributes:
        job_id: the id the client polls with.
        image: the decoded image bytes, dropped once the job is finished.
        width_view: the CSS width the distance is measured in.
        created: ``clock()`` time of creation.
        piece: the piece as its own picture (the task API's generic slider type), set
            before the job is queued and dropped when a worker takes it; ``None`` for a
            single screenshot.
        status: ``"running"``, ``"success"`` or ``"fail"``.
        result: the distance as text (``"123.4"``) on success, else ``None``.
        owner: a digest of the token that created the job; only it may read the job.
    """

    job_id: int
    image: bytes
    width_view: float
    created: float
    piece: PieceImage | None = None
    status: str = "running"
    result: str | None = None
    owner: bytes = b""


class JobStore:
    """Thread-safe job table, bounded in size and in time.

    Jobs live ``ttl`` seconds after creation; beyond ``max_jobs`` the oldest are evicted.
    Since jobs are kept in creation order, both rules drop from the front.

    Args:
        max_jobs: the most jobs kept at once.
        ttl: seconds a job, and its answer, stays readable after creation.
        clock: a monotonic clock in seconds (injectable for tests).
        max_pending_bytes: image bytes of unfinished jobs, all together, at most
            (``None``: no bound beyond ``max_jobs``).
    """

    def __init__(
        self,
        *,
        max_jobs: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        max_pending_bytes: int | None = None,
    ) -> None:
        self.max_jobs = max_jobs
        self.ttl = ttl
        self.max_pending_bytes = max_pending_bytes
        self._pending_bytes = 0
        self._clock = clock
        self._jobs: OrderedDict[int, Job] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._purge()
            return len(self._jobs)

    def add(self, image: bytes, width_view: float, *, owner: bytes = b"") -> Job:
        """Create and store a running job under a fresh random id.

        Raises:
            QueueFull: the images of unfinished jobs would exceed ``max_pending_bytes``.
        """
        with self._lock:
            self._purge()
            limit = self.max_pending_bytes
            if limit is not None and self._pending_bytes + len(image) > limit:
                raise QueueFull(f"{self._pending_bytes} image bytes already wait")
            while len(self._jobs) >= self.max_jobs:
                evicted, _ = self._jobs.popitem(last=False)
                logger.debug("job %d evicted (store full)", evicted)
            job_id = secrets.randbelow(_MAX_JOB_ID) + 1
            while job_id in self._jobs:
                job_id = secrets.randbelow(_MAX_JOB_ID) + 1
            job = Job(
                job_id=job_id,
                image=image,
                width_view=width_view,
                created=self._clock(),
                owner=owner,
            )
            self._jobs[job_id] = job
            self._pending_bytes += len(image)
            return job

    def get(self, job_id: int, *, owner: bytes | None = None) -> tuple[str, str | None] | None:
        """Return ``(status, result)`` of a job, or ``None`` if unknown, evicted or expired.

        With ``owner`` given, a job created by another owner is also ``None``
        (indistinguishable from an unknown one, on purpose).
        """
        with self._lock:
            self._purge()
            job = self._jobs.get(job_id)
            if job is None or (owner is not None and not hmac.compare_digest(job.owner, owner)):
                return None
            return job.status, job.result

    def discard(self, job: Job) -> None:
        """Forget a job (one that could not be queued)."""
        with self._lock:
            if self._jobs.get(job.job_id) is job:
                del self._jobs[job.job_id]
                self._release(job)

    def finish(self, job: Job, status: str, result: str | None = None) -> None:
        """Record a job's outcome and drop its image."""
        with self._lock:
            job.status = status
            job.result = result
            self._release(job)

    def _release(self, job: Job) -> None:
        """Drop a job's image and its share of the pending bytes; the caller holds the lock."""
        self._pending_bytes -= len(job.image)
        job.image = b""

    def _purge(self) -> None:
        """Drop expired jobs; the caller holds the lock."""
        limit = self._clock() - self.ttl
        while self._jobs:
            oldest = next(iter(self._jobs.values()))
            if oldest.created > limit:
                break
            self._jobs.popitem(last=False)
            logger.debug("job %d expired", oldest.job_id)


class QueueFull(Exception):
    """The worker queue cannot take another job right now."""


class WorkerPool:
    """``workers`` threads solving jobs from a queue of at most ``max_queue`` waiting jobs.

    A solver raising :class:`SolveFailed` marks the job ``fail``; any other exception, or an
    answer that is not a finite distance within ``[0, width_view]``, also marks it ``fail``
    and logs a WARNING. A worker never dies of a solver's error.

    Args:
        solver: turns an image into a distance.
        store: where outcomes are recorded.
        workers: number of solving threads.
        max_queue: jobs that may wait for a worker; beyond it :meth:`submit` refuses.
        name: prefix of the thread names.
    """

    def __init__(
        self, solver: Solver, store: JobStore, *, workers: int, max_queue: int, name: str
    ) -> None:
        self._solver = solver
        self._store = store
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=max_queue)
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-worker-{i}", daemon=True)
            for i in range(workers)
        ]
        self._clock = time.monotonic

    @property
    def threads(self) -> list[threading.Thread]:
        """The worker threads (for diagnostics and tests)."""
        return list(self._threads)

    def start(self) -> None:
        """Start the worker threads."""
        for thread in self._threads:
            thread.start()

    def submit(self, job: Job) -> None:
        """Queue a job without waiting.

        Raises:
            QueueFull: ``max_queue`` jobs are already waiting.
        """
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise QueueFull from None

    def stop(self, timeout: float) -> None:
        """Fail the jobs still waiting, stop the workers and join them (bounded by ``timeout``).

        A worker stuck inside the solver cannot be interrupted; it is left behind (it is a
        daemon thread) with a WARNING.
        """
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                self._store.finish(job, "fail")
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if not thread.is_alive():
                continue
            try:  # one wake-up per worker; idle workers make room as they take theirs
                self._queue.put(None, timeout=max(0.0, deadline - time.monotonic()))
            except queue.Full:
                break
        for thread in self._threads:
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                logger.warning("%s did not stop within %.1fs (solver stuck?)", thread.name, timeout)

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            self._solve(job)

    def _solve(self, job: Job) -> None:
        started = self._clock()
        piece, job.piece = job.piece, None
        try:
            if piece is None:
                distance = self._solver.solve(job.image, job.width_view)
            else:
                distance = solve_with_piece(self._solver, job.image, piece, job.width_view)
        except SolveFailed as exc:
            logger.info("job %d: fail (%s) in %.3fs", job.job_id, exc, self._clock() - started)
            self._store.finish(job, "fail")
            return
        except Exception as exc:
            # One line per failed job; the traceback only when debugging.
            logger.warning(
                "job %d: the solver raised %s: %s; marking it fail",
                job.job_id,
                type(exc).__name__,
                str(exc)[:200],
                exc_info=logger.isEnabledFor(logging.DEBUG),
            )
            self._store.finish(job, "fail")
            return
        if (
            isinstance(distance, bool)
            or not isinstance(distance, (int, float))
            or not math.isfinite(distance)
            or not 0 <= distance <= job.width_view
        ):
            logger.warning(
                "job %d: the solver answered %r, not a distance within [0, %g]; marking it fail",
                job.job_id,
                distance,
                job.width_view,
            )
            self._store.finish(job, "fail")
            return
        self._store.finish(job, "success", format_distance(distance))
        logger.info("job %d: success (%s) in %.3fs", job.job_id, distance, self._clock() - started)


def format_distance(distance: float) -> str:
    """Render a distance as the API's ``result`` text: one decimal, no trailing ``.0``.

    >>> format_distance(50.0), format_distance(123.44)
    ('50', '123.4')
    """
    text = f"{distance:.1f}"
    return text[:-2] if text.endswith(".0") else text
