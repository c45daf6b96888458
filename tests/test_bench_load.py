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


def _saturated(webhooks_per_s: float, server_ms: float, database_ms: float | None = None):
    from bench.load import Figures

    webhooks = 6000
    return Figures(
        label="",
        calls=250,
        webhooks=webhooks,
        webhooks_per_s=webhooks_per_s,
        p50=0,
        p95=0,
        p99=0,
        max=0,
        errors=0,
        error_kinds={},
        scripted_to_the_end=250,
        server_cpu_s=server_ms * webhooks / 1000,
        database_cpu_s=None if database_ms is None else database_ms * webhooks / 1000,
    )


def test_the_cpu_budget_fit_reproduces_both_apps_and_predicts_a_third():
    from bench.load import cpu_budget

    # A quiet run's figures (bench/README.md): ceiling, floor, and the line measured at 395.2/s.
    ceiling, floor = _saturated(1315.4, 0.50), _saturated(887.9, 1.13)
    budget = cpu_budget(ceiling, floor)
    assert budget is not None
    assert budget.predicted(0.50) == pytest.approx(1315.4)
    assert budget.predicted(1.13) == pytest.approx(887.9)
    assert budget.predicted(budget.budget_ms) == pytest.approx(1315.4 / 2)
    assert 1.75 < budget.budget_ms < 1.85
    assert budget.predicted(3.59) == pytest.approx(395.2, rel=0.02)


def test_the_cpu_budget_counts_postgresql_cpu_as_the_servers():
    from bench.load import cpu_budget

    floor = _saturated(830.4, 1.42, database_ms=0.35)
    assert floor.server_ms_per_webhook() == pytest.approx(1.77)
    assert cpu_budget(_saturated(1308.3, 0.52), floor) is not None


def test_no_cpu_budget_from_figures_that_cannot_be_fitted():
    from bench.load import cpu_budget

    ceiling = _saturated(1000, 0.5)
    assert cpu_budget(ceiling, _saturated(1200, 1.0)) is None  # the floor faster than the ceiling
    assert cpu_budget(ceiling, _saturated(800, 0.4)) is None  # and cheaper
    assert cpu_budget(ceiling, _saturated(600, 0.6)) is None  # slower than its CPU explains
    assert cpu_budget(ceiling, _saturated(0, 1.0)) is None
