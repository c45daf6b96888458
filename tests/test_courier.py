"""The courier: texts handed to a thread pool of the worker's own process."""

from __future__ import annotations

import threading

from ivr.web import courier as courier_module
from ivr.web.courier import Courier


class RecordingSender:
    """Stands in for sms.Sender: records what it was asked to send, and may wait to be let go."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.hold = hold
        self.sent: list[tuple[int, str | None, str]] = []

    def send(self, session, message_id, now, *, status_callback=None):
        if self.hold is not None:
            self.hold.wait(5)
        self.sent.append((message_id, status_callback, threading.current_thread().name))


def test_texts_go_in_order_on_the_couriers_threads(app):
    courier = Courier(app)
    sender = RecordingSender()
    courier.deliver(sender, [3, 4], "https://tru.example.test/voice/sms/status")
    assert courier.drain(timeout=5)
    assert [(i, cb) for i, cb, _ in sender.sent] == [
        (3, "https://tru.example.test/voice/sms/status"),
        (4, "https://tru.example.test/voice/sms/status"),
    ]
    assert all(name.startswith("tru-texts") for _, _, name in sender.sent)


def test_drain_says_when_a_text_is_still_going(app):
    courier = Courier(app)
    let_go = threading.Event()
    sender = RecordingSender(hold=let_go)
    courier.deliver(sender, [1], "cb")
    assert courier.drain(timeout=0.05) is False
    let_go.set()
    assert courier.drain(timeout=5)
    assert [i for i, _, _ in sender.sent] == [1]


def test_a_failing_send_is_logged_and_the_next_text_still_goes(app, caplog):
    class Flaky(RecordingSender):
        def send(self, session, message_id, now, *, status_callback=None):
            if message_id == 1:
                raise RuntimeError("boom")
            super().send(session, message_id, now, status_callback=status_callback)

    courier = Courier(app)
    sender = Flaky()
    courier.deliver(sender, [1, 2], "cb")
    assert courier.drain(timeout=5)
    assert [i for i, _, _ in sender.sent] == [2]
    assert "sending text message 1 failed" in caplog.text


def test_a_forked_worker_starts_threads_of_its_own(app, monkeypatch):
    courier = Courier(app)
    sender = RecordingSender()
    courier.deliver(sender, [1], "cb")
    assert courier.drain(timeout=5)
    parent_pool = courier._pool
    # As in a worker forked (gunicorn --preload) from a process whose pool had started.
    monkeypatch.setattr(courier_module.os, "getpid", lambda: -1)
    courier.deliver(sender, [2], "cb")
    assert courier.drain(timeout=5)
    assert courier._pool is not parent_pool
    assert [i for i, _, _ in sender.sent] == [1, 2]
