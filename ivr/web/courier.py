"""Texts leave on threads of their own, never on the worker that answers callers.

A gunicorn sync worker serves one request at a time. Sent from that worker, even after the reply
(Werkzeug's call_on_close), a text held it for as long as Twilio's REST API took to answer: up to
the send timeout, twice for a connect and a read. With the API slow, every call that ends with a
text would hold a worker for seconds while other callers' webhooks queued behind it and met
Twilio's 15-second limit. The courier hands the text to a small thread pool of the worker's
process instead, and the worker goes back to answering calls.

Nothing is lost if the process dies before a text goes: it stays queued in the database, and
the next send's sweep (or `tru texts sweep`) marks it interrupted for staff to follow up.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from ivr.sms import Sender

log = logging.getLogger(__name__)

#: Threads per worker process. Two, so one text stuck on a slow API does not hold up the next.
THREADS = 2


class Courier:
    """Sends a call's queued texts on this process's own threads, after the reply is built."""

    def __init__(self, app: Flask, threads: int = THREADS) -> None:
        self.app = app
        self.threads = threads
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pid: int | None = None
        self._sending: set[Future[None]] = set()

    def deliver(self, sender: Sender, message_ids: Iterable[int], status_callback: str) -> None:
        """Send these queued texts soon, in order, on a thread of this process."""
        job = self._job(sender, list(message_ids), status_callback)
        with self._lock:
            future = self._executor().submit(job)
            self._sending.add(future)
        future.add_done_callback(self._done)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every text handed over so far has been dealt with; False on timeout."""
        with self._lock:
            sending = set(self._sending)
        _, not_done = wait(sending, timeout=timeout)
        return not not_done

    def _executor(self) -> ThreadPoolExecutor:
        # Threads do not survive a fork: a worker forked from a process that had started the
        # pool (gunicorn --preload) starts its own.
        if self._pool is None or self._pid != os.getpid():
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="tru-texts")
            self._pid = os.getpid()
            self._sending = set()
        return self._pool

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._sending.discard(future)

    def _job(
        self, sender: Sender, message_ids: list[int], status_callback: str
    ) -> Callable[[], None]:
        app = self.app

        def send() -> None:
            with app.app_context():
                factory = app.extensions["tru.db"]
                clock: Callable[[], datetime] = app.extensions["tru.clock"]
                for message_id in message_ids:
                    with factory() as session:
                        try:
                            sender.send(
                                session, message_id, clock(), status_callback=status_callback
                            )
                        except Exception:
                            log.exception("sending text message %s failed", message_id)

        return send
