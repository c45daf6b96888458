"""bench/load.py's memory figures, read from /proc as it reads gunicorn's."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from bench.load import Memory

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/smaps_rollup"), reason="needs /proc")


def test_memory_counts_a_workers_resident_and_peak_sets_and_the_whole_servers_pss():
    # A "worker" of this process that holds 80 MiB, written to so that it is resident.
    holder = subprocess.Popen(  # noqa: S603 - this interpreter, our own one-liner
        [
            sys.executable,
            "-c",
            "import sys, time; block = bytearray(80 * 2**20); print(flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        holder.stdout.readline()  # the block is made
        time.sleep(0.05)
        memory = Memory.of(os.getpid())
        assert memory.worker_rss is not None and 80 <= memory.worker_rss < 200
        assert memory.worker_peak is not None and memory.worker_peak >= memory.worker_rss
        assert memory.server_pss is not None and memory.server_pss >= memory.worker_rss
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_memory_of_a_server_without_workers_says_so():
    memory = Memory.of(os.getpid())
    assert (memory.worker_rss, memory.worker_peak) == (None, None)
    assert memory.server_pss is not None and memory.server_pss > 0
