"""The worker pool: results in order, retired workers replaced, no busy waiting while results queue up."""

import multiprocessing.pool
import os
import subprocess
import sys
import time

from dedupe import parallel


def _megabyte(shared, lo, hi):
    return lo, bytes(1 << 20)


def _pid(shared, lo, hi):
    return os.getpid(), shared[lo:hi]


def _busy(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_results_come_in_order_from_replaced_workers():
    out = list(parallel.map_ranges(_pid, list(range(40)), 40, jobs=2, chunk=2, tasks_per_worker=2))
    assert [x for _, part in out for x in part] == list(range(40))
    assert len({pid for pid, _ in out}) > 2  # workers retired after two ranges, and replaced


def test_worker_handler_sleeps_while_results_wait_in_the_pipe(monkeypatch):
    # The standard pool's handler wakes whenever the result pipe holds unread bytes: with a slow
    # reader it spins thousands of times a second. Here it wakes only when something changes.
    wakes = []
    standard = multiprocessing.pool.Pool._wait_for_updates  # the thread runs Pool's own methods

    def counted(sentinels, notifier, timeout=None):
        wakes.append(time.perf_counter())
        return standard(sentinels, notifier, timeout)

    monkeypatch.setattr(multiprocessing.pool.Pool, "_wait_for_updates", staticmethod(counted))
    seen = []
    for lo, block in parallel.map_ranges(_megabyte, None, 30, jobs=2, chunk=1):
        _busy(0.02)  # this thread holds the interpreter: results pile up in the pipe meanwhile
        seen.append((lo, len(block)))
    assert seen == [(lo, 1 << 20) for lo in range(30)]
    assert len(wakes) < 10  # the standard pool's: ~900


_REPLACED_THEN_ENDED = """
from dedupe import cli, parallel

def first(shared, lo, hi):
    return lo

with cli._exit_codes():  # the command's SIGTERM handler, as during a run
    for _ in range(30):  # each pool ends while the workers replacing retired ones start
        assert list(parallel.map_ranges(first, None, 8, jobs=2, chunk=1, tasks_per_worker=1)) == list(range(8))
"""


def test_a_pool_ends_while_replacement_workers_start():
    # A worker forked just before its pool ends is sent SIGTERM before it is set up. With the
    # command's Python handler in place, Python dropped that signal at the fork and ending the
    # pool waited for the worker forever (most runs of this test, before).
    run = subprocess.run([sys.executable, "-c", _REPLACED_THEN_ENDED], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
