"""The courier: texts handed to a thread pool of the worker's own process."""

from __future__ import annotations

import threading

from ivr.web import courier as courier_module
from ivr.web.courier import Courier


class RecordingSender:
    """Stands in for sms.Sender: records what it was asked to send, and may wait to be let go."""

    def __init__(self, hold: threading.Event | None = None, timeout: float = 5.0) -> None:
        self.hold = hold
        self.timeout = timeout
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
    parent_threads = list(courier._workers)
    # As in a worker forked (gunicorn --preload) from a process whose threads had started.
    monkeypatch.setattr(courier_module.os, "getpid", lambda: -1)
    courier.deliver(sender, [2], "cb")
    assert courier.drain(timeout=5)
    assert not set(courier._workers) & set(parent_threads)
    assert [i for i, _, _ in sender.sent] == [1, 2]


class Exiting:
    """The main thread as a courier thread sees it once the interpreter is exiting."""

    def is_alive(self) -> bool:
        return False


def test_a_stopping_worker_sends_what_can_end_before_gunicorn_kills_it(app, monkeypatch):
    courier = Courier(app)
    sender = RecordingSender(timeout=5.0)  # at worst 10 s a send: well within the 30 s
    monkeypatch.setattr(courier_module.threading, "main_thread", Exiting)
    courier.deliver(sender, [1, 2], "cb")
    assert courier.drain(timeout=5)
    assert [i for i, _, _ in sender.sent] == [1, 2]


def test_a_stopping_worker_leaves_queued_what_could_outlast_its_graceful_timeout(app, monkeypatch):
    """Texts not started in time stay queued, for the next send or `tru texts sweep` to send
    late (ivr.sms.orphans): a text killed mid-send is one nobody can tell went or not."""
    courier = Courier(app)
    sender = RecordingSender(timeout=15.0)  # up to 30 s a send: it might not end in time
    monkeypatch.setattr(courier_module.threading, "main_thread", Exiting)
    courier.deliver(sender, [1, 2], "cb")
    assert courier.drain(timeout=5)
    assert sender.sent == []
    monkeypatch.undo()
    # Its threads stop once they find the process exiting; a later text is sent all the same.
    courier.deliver(sender, [3], "cb")
    assert courier.drain(timeout=5)
    assert [i for i, _, _ in sender.sent] == [3]
