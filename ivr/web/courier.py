"""Texts leave on threads of their own, never on the worker that answers callers.

A gunicorn sync worker serves one request at a time. Sent from that worker, even after the reply
(Werkzeug's call_on_close), a text held it for as long as Twilio's REST API took to answer: up to
the send timeout, twice for a connect and a read. With the API slow, every call that ends with a
text would hold a worker for seconds while other callers' webhooks queued behind it and met
Twilio's 15-second limit. The courier hands the text to a small thread pool of the worker's
process instead, and the worker goes back to answering calls.

Nothing is lost if the process stops before a text goes (a restart that outlasts gunicorn's
graceful timeout, a killed worker): the text stays queued in the database, never handed to
Twilio, and the next text sent anywhere on the line, or `tru texts sweep`, sends it late
(`ivr.sms.orphans`). One the process was sending when it died is marked for staff instead.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from ivr.sms import Sender

log = logging.getLogger(__name__)

#: Threads per worker process. Two, so one text stuck on a slow API does not hold up the next.
THREADS = 2
#: How often an idle thread looks whether its process is exiting.
IDLE_POLL = 0.5
#: How long a stopping gunicorn worker may take before it is killed: gunicorn's default
#: --graceful-timeout, which the Procfile keeps.
GRACEFUL_TIMEOUT = 30.0

Job = Callable[[], None]


class Courier:
    """Sends a call's queued texts on this process's own threads, after the reply is built.

    Its threads are its own rather than a ThreadPoolExecutor's: at exit an executor finishes
    every job it was given, before the interpreter even marks the main thread stopped, so a
    backlog of texts behind a slow API would outlast gunicorn's graceful timeout and be killed
    mid-send, when nobody can tell whether Twilio had the text. These threads see the main
    thread stop and go on sending only while a send can still end before the worker is killed;
    the rest stay queued in the database, to go late with the next text sent on the line
    (`ivr.sms.orphans`).
    """

    def __init__(self, app: Flask, threads: int = THREADS) -> None:
        self.app = app
        self.threads = threads
        self._lock = threading.Condition()
        self._jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._pid: int | None = None
        self._outstanding = 0
        self._exit_seen: float | None = None

    def deliver(self, sender: Sender, message_ids: Iterable[int], status_callback: str) -> None:
        """Send these queued texts soon, in order, on a thread of this process."""
        job = self._job(sender, list(message_ids), status_callback)
        with self._lock:
            self._staff()
            self._outstanding += 1
            self._jobs.put(job)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every text handed over so far has been dealt with; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._outstanding == 0, timeout)

    def _staff(self) -> None:
        """Threads for this process (called with the lock held). Threads do not survive a fork:
        a worker forked from a process that had started them (gunicorn --preload) starts its
        own, with a queue of its own."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._jobs = queue.SimpleQueue()
            self._workers = []
            self._outstanding = 0
        self._workers = [worker for worker in self._workers if worker.is_alive()]
        while len(self._workers) < self.threads:
            worker = threading.Thread(
                target=self._work,
                args=(self._jobs,),
                name=f"tru-texts-{len(self._workers)}",
                daemon=False,  # joined at exit, once the main thread has stopped (see above)
            )
            worker.start()
            self._workers.append(worker)

    def _work(self, jobs: queue.SimpleQueue[Job]) -> None:
        while True:
            try:
                job = jobs.get(timeout=IDLE_POLL)
            except queue.Empty:
                if not threading.main_thread().is_alive():
                    return  # the process is exiting, and nothing is left to hand over
                continue
            try:
                job()
            except Exception:
                log.exception("a text courier job failed")
            finally:
                with self._lock:
                    self._outstanding -= 1
                    self._lock.notify_all()

    def _too_late_to_start(self, send_timeout: float) -> bool:
        """Whether the process is exiting and a send started now might not end before gunicorn
        kills the worker: one may wait twice the send timeout (to connect, then to read)."""
        if threading.main_thread().is_alive():
            return False
        with self._lock:
            if self._exit_seen is None:
                self._exit_seen = time.monotonic()
            spent = time.monotonic() - self._exit_seen
        return spent + 2 * send_timeout + 1.0 > GRACEFUL_TIMEOUT

    def _job(self, sender: Sender, message_ids: list[int], status_callback: str) -> Job:
        app = self.app

        def send() -> None:
            with app.app_context():
                factory = app.extensions["tru.db"]
                clock: Callable[[], datetime] = app.extensions["tru.clock"]
                for message_id in message_ids:
                    if self._too_late_to_start(sender.timeout):
                        log.info("worker stopping: text message %s left queued", message_id)
                        continue
                    with factory() as session:
                        try:
                            sender.send(
                                session, message_id, clock(), status_callback=status_callback
                            )
                        except Exception:
                            log.exception("sending text message %s failed", message_id)

        return send
