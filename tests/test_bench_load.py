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


def test_the_stand_in_messages_api_answers_twilios_client_and_counts_report_numbers():
    from bench.load import TEXTING_ACCOUNT, FakeMessagesApi
    from ivr.sms import Sender

    api = FakeMessagesApi(delay=0)
    try:
        settings = api.settings()
        client = Sender(
            account_sid=settings["TWILIO_ACCOUNT_SID"],
            auth_token="t" * 32,
            from_number=settings["TRU_SMS_FROM"],
            api_base=settings["TRU_TWILIO_API_BASE"],
            timeout=5,
        ).client()
        first = client.messages.create(
            to="+14105550100", from_="+14105559000", body="Report TRU-26-000123. Keep it."
        )
        second = client.messages.create(to="+14105550100", from_="+14105559000", body="no number")
        assert first.sid.startswith("SM") and first.sid != second.sid
        assert first.account_sid == TEXTING_ACCOUNT
        assert api.numbers == ["TRU-26-000123", ""]
    finally:
        api.close()


def test_callers_ask_for_the_text_only_when_the_run_texts():
    from bench.load import SCRIPTS, Plan, script_keys

    script = next(iter(SCRIPTS))
    plan = Plan(base_url="http://127.0.0.1:1", token="x", think=None, ramp=0.0, deadline=0.0)
    assert script_keys(script, plan) == SCRIPTS[script]
    plan.take_the_text = True
    assert script_keys(script, plan) == [*SCRIPTS[script], "1"]
