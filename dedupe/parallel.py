"""Per-record stages across worker processes, results in input order whatever the worker count."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

_shared: Any = None  # what every task reads (the records, the config): set in each worker once


def worker_count(jobs: int) -> int:
    """`jobs`, or the cores this process may use when `jobs` is 0.

    Example:
        >>> worker_count(3), worker_count(0) >= 1
        (3, True)
    """
    if jobs:
        return jobs
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _init(shared: Any) -> None:
    global _shared
    _shared = shared
    # The parent handles Ctrl-C and SIGTERM and ends the pool; a worker just stops. The signals
    # were blocked from its fork (`_stop_signals_blocked`): one sent meanwhile lands only now.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


@contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    """SIGINT and SIGTERM held back in this thread, and in the threads and processes it starts.

    A worker forked while the parent has a Python handler for SIGTERM (the CLI has) lost a
    SIGTERM that came before it was set up: Python drops signals pending at a fork. The pool
    ending at that moment (a retired worker's replacement just started) then waited for it forever.
    """
    if not hasattr(signal, "pthread_sigmask"):  # not on POSIX: no fork either
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _call(task: tuple[Callable[[Any, int, int], Any], int, int]) -> Any:
    fn, lo, hi = task
    return fn(_shared, lo, hi)


def map_ranges(fn: Callable[[Any, int, int], Any], shared: Any, n: int, jobs: int,
               chunk: int = 500, tasks_per_worker: int | None = None) -> Iterator[Any]:
    """`fn(shared, lo, hi)` over consecutive ranges of `range(n)`, yielded in order.

    With one worker (or `n <= chunk`) everything runs here. Otherwise `shared` goes to each worker
    once (inherited by fork on Linux, pickled in memory elsewhere; nothing is read back from disk)
    and only the ranges and results travel. `fn` must be a module-level function. With
    `tasks_per_worker`, a worker is replaced by a fresh fork after that many ranges: the pages of
    `shared` it touched, and so copied, are given back.

    Example:
        >>> list(map_ranges(lambda xs, lo, hi: sum(xs[lo:hi]), [1, 2, 3, 4], 4, jobs=1, chunk=2))
        [3, 7]
    """
    tasks = [(fn, lo, min(lo + chunk, n)) for lo in range(0, n, chunk)]
    workers = min(worker_count(jobs), len(tasks))
    if workers <= 1:
        yield from (fn(shared, lo, hi) for _, lo, hi in tasks)
        return
    with _pool(workers, shared, tasks_per_worker) as pool:
        yield from pool.imap(_call, tasks)


def map_tasks(fn: Callable[[Any, Any], Any], shared: Any, tasks: Iterable[Any], jobs: int) -> Iterator[Any]:
    """`fn(shared, task)` for each task, yielded in order, while the tasks are still being made.

    Tasks are drawn here (in the caller's thread) only a few ahead of the results, so a task
    stream that reads its input overlaps the reading with the work, in bounded memory. Tasks and
    results travel pickled in memory; `shared` goes to each worker once, as in `map_ranges`.

    Example:
        >>> list(map_tasks(lambda base, t: base + t, 10, iter([1, 2, 3]), jobs=1))
        [11, 12, 13]
    """
    workers = worker_count(jobs)
    if workers <= 1:
        yield from (fn(shared, task) for task in tasks)
        return
    with _pool(workers, shared) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append(pool.apply_async(_call_task, ((fn, task),)))
            while len(pending) > 2 * workers or (pending and pending[0].ready()):
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


@contextmanager
def _pool(workers: int, shared: Any, tasks_per_worker: int | None = None) -> Iterator[Any]:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    # Frozen objects are left alone by the workers' garbage collector, so the pages they share
    # with this process after the fork are not copied just to be scanned.
    gc.freeze()
    try:
        # The pool's threads fork the replacements of retired workers: they start with the
        # signals held back too, and so does every worker.
        with _stop_signals_blocked():
            pool = _Pool(workers, initializer=_init, initargs=(shared,), maxtasksperchild=tasks_per_worker,
                         context=multiprocessing.get_context(method))
        with pool:
            _widen_result_pipe(pool)
            yield pool
    finally:
        gc.unfreeze()


class _Pool(multiprocessing.pool.Pool):
    """The standard pool, with a worker-replacing thread that sleeps while results wait to be read.

    The standard thread also wakes whenever the result pipe holds unread bytes: while a megabyte
    result crosses the pipe it spun, some 4,000 times a second (about 1 s of this process's CPU on
    200,000 records, taken from the reading it shares the GIL with). Exited workers wake it through
    their own sentinels, and a closed, terminated or drained pool through the change notifier.
    """

    def _get_sentinels(self) -> list:
        return [self._change_notifier._reader]


def _call_task(item: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    fn, task = item
    return fn(_shared, task)


def _widen_result_pipe(pool: Any) -> None:
    # Every result (features, blocks of output lines) crosses one pipe. At the default 64 KB a
    # megabyte result takes sixteen wake-ups of writer and reader; a 1 MB pipe (Linux's limit
    # for anyone) halves the parent's time spent reading. Elsewhere the default pipe serves.
    try:
        import fcntl
        fcntl.fcntl(pool._outqueue._reader.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass
