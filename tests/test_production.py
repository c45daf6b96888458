"""The line as production runs it: gunicorn with the Procfile's command line, TRU_ENV=production,
real processes and sockets, every request signed as Twilio signs it.

- two instances on one PostgreSQL database, the webhooks of each call alternating between them;
- a gunicorn worker SIGKILLed mid-call: the call goes on in another worker, nothing is lost;
- report numbers stay unique when many callers open reports at the same moment.

Tests marked `postgres` run when TRU_TEST_DATABASE_URL is a postgresql:// URL; they work in a
database of their own (`tru_prod_test_<pid>`, created on that server and dropped afterwards), never
in the shared test database.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from ivr import db
from ivr.config import database_url
from ivr.models import Answer, Call, Report, TextMessage
from ivr.softphone import HttpTransport, Reply, run_call

ROOT = Path(__file__).resolve().parents[1]
APP_SPEC = "ivr:create_app()"
NUMBER = re.compile(r"^TRU-\d\d-\d{6}$")
ALWAYS_OPEN = {
    "TRU_OPEN_DAYS": "mon-sun",
    "TRU_OPEN_TIME": "00:00",
    "TRU_CLOSE_TIME": "23:59",
    "TRU_HOLIDAYS": "none",
}
FALLBACK = ("technical problem", "problema técnico")
REPORT_NUMBER_HEARD = "Your report number is"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0

#: A complete lost-property report in English (tests/test_report_calls.py), one input per prompt.
LOST_PROPERTY = [
    "1", "1", "2", "say yes",
    "say a brown leather wallet", "1",
    "2", "say brown leather with a silver zipper", "#",
    "60#", "say yes",
    "say on the number 3 bus on Charles Street", "say yesterday afternoon",
    "say it fell out of my pocket",
    "say Maria Lopez", "1", "1", "I dropped my wallet on the bus this morning",
    "2",
]  # fmt: skip
#: A complete larceny report in English.
LARCENY = [
    "1", "2", "2", "2", "2", "2", "2", "2", "1",
    "say a blue mountain bike", "1",
    "say about twelve hundred dollars", "1",
    "say in front of 200 East Pratt Street", "say yesterday",
    "say from the street", "say yes there is video", "2",
    "say Sam Carter", "1", "1", "Somebody cut the lock and took my bike",
    "2",
]  # fmt: skip


# --------------------------------------------------------------------------- databases


def _postgres_admin_url() -> str:
    raw = os.environ.get("TRU_TEST_DATABASE_URL", "")
    if not raw.startswith(("postgresql://", "postgres://")):
        pytest.skip("needs PostgreSQL: set TRU_TEST_DATABASE_URL=postgresql://...")
    return urlsplit(raw)._replace(scheme="postgresql", path="/postgres").geturl()


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A database of this module's own on the test server, migrated, dropped at the end."""
    import psycopg

    admin = _postgres_admin_url()
    name = f"tru_prod_test_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlsplit(admin)._replace(path=f"/{name}").geturl()
    try:
        db.upgrade(database_url({"TRU_DATABASE_URL": url}, ""))
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tru.sqlite3'}"
    db.upgrade(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_database(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs on SQLite, and on PostgreSQL when the server is given."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def query(request: pytest.FixtureRequest) -> Iterator[Callable[[str], object]]:
    """`query(url)` opens a session on that database (closed, with its engine, afterwards)."""
    opened = []

    def open_session(url: str):
        engine = db.make_engine(database_url({"TRU_DATABASE_URL": url}, ""), pooled=False)
        from sqlalchemy.orm import Session

        session = Session(engine)
        opened.append((engine, session))
        return session

    yield open_session
    for engine, session in opened:
        session.close()
        engine.dispose()


# --------------------------------------------------------------------------- gunicorn


def procfile_command(port: int, workers: int) -> list[str]:
    """The Procfile's web command, bound to 127.0.0.1:port with `workers` workers."""
    line = next(
        raw for raw in (ROOT / "Procfile").read_text().splitlines() if raw.startswith("web:")
    )
    values = {"PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    text = re.sub(
        r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)",
        lambda m: values.get(m.group(1) or m.group(3), m.group(2) or ""),
        line.split(":", 1)[1],
    )
    argv = shlex.split(text)
    assert Path(argv[0]).name == "gunicorn" and APP_SPEC in argv and "--bind" in argv, line
    argv[0] = str(Path(sys.executable).with_name("gunicorn"))
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    if "--workers" in argv:
        argv[argv.index("--workers") + 1] = str(workers)
    else:
        argv[-1:-1] = ["--workers", str(workers)]
    return argv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


@dataclass
class Gunicorn:
    """One gunicorn serving the line; `start()` waits for /healthz, `stop()` waits for exit."""

    database: str
    auth_token: str
    workers: int = 2
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None
    runtime: str = ""
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(
        self, log_dir: Path, *, access_pids: bool = False, settings: dict[str, str] | None = None
    ) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TRU_", "TWILIO_", "GUNICORN_"))
            and k not in ("DATABASE_URL", "PORT")
        }
        # A control socket of its own (gunicorn's default is one per user, in ~/.gunicorn).
        self.runtime = tempfile.mkdtemp(prefix="tru-gunicorn-")
        env.update(
            ALWAYS_OPEN,
            TRU_ENV="production",
            TRU_DATABASE_URL=self.database,
            TWILIO_AUTH_TOKEN=self.auth_token,
            TRU_SECRET_KEY=secrets.token_hex(32),
            XDG_RUNTIME_DIR=self.runtime,
        )
        env.update(settings or {})
        if access_pids:
            # The command line stays the Procfile's; the access log also names the worker.
            env["GUNICORN_CMD_ARGS"] = "--access-logformat='%(p)s \"%(r)s\" %(s)s'"
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the Procfile's own command line
                procfile_command(self.port, self.workers),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer in {START_TIMEOUT} s:\n{self.log()}")

    def served_by(self, url: str, timeout: float = 10.0) -> int:
        """The worker that served the POST to `url` (from the access log; needs access_pids)."""
        parts = urlsplit(url)
        target = f'"POST {parts.path}{"?" + parts.query if parts.query else ""} HTTP/1.1"'
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log().splitlines():
                if target in line:
                    return int(re.match(r"<(\d+)>", line).group(1))
            # gunicorn writes the access line just after the reply has gone out.
            assert time.monotonic() < deadline, f"no access log line for {target}"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT)
        if self.runtime:
            shutil.rmtree(self.runtime, ignore_errors=True)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def workers_now(self) -> list[int]:
        """The master's live children (its workers), from /proc."""
        assert self.process is not None
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                fields = _stat_fields(int(entry.name))
                if fields and int(fields[1]) == self.process.pid and fields[0] != "Z":
                    found.append(int(entry.name))
        return sorted(found)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., list[Gunicorn]]]:
    """`servers(database_url, count=1, workers=2, ...)` starts gunicorns (in parallel) sharing one
    auth token; every one is stopped, and waited for, after the test. `settings` adds environment
    variables (TRU_...) to the production ones."""
    started: list[Gunicorn] = []

    def start(
        database: str,
        *,
        count: int = 1,
        workers: int = 2,
        access_pids: bool = False,
        settings: dict[str, str] | None = None,
    ) -> list[Gunicorn]:
        token = secrets.token_hex(16)
        batch = [Gunicorn(database, token, workers) for _ in range(count)]
        for server in batch:
            started.append(server)
            server.launch(tmp_path, access_pids=access_pids, settings=settings)
        for server in batch:
            server.wait_ready()
        return batch

    yield start
    for server in started:
        if server.process is not None and server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
    for server in started:
        server.stop()
    for server in started:
        assert server.process is not None and server.process.returncode is not None


# --------------------------------------------------------------------------- callers


@dataclass
class Sent:
    url: str
    status: int
    body: str
    content_type: str
    seconds: float = 0.0


class Caller:
    """The softphone's signed HTTP transport, recording what was sent and answered.

    `hosts` lists the servers; request n goes to hosts[n % len(hosts)] (signed for that URL), so
    with two the webhooks of one call alternate between them.
    """

    def __init__(self, auth_token: str, hosts: list[str]) -> None:
        self.http = HttpTransport(auth_token, timeout=15)
        self.hosts = [urlsplit(h).netloc for h in hosts]
        self.sent: list[Sent] = []

    def post(self, url: str, params: list[tuple[str, str]]) -> Reply:
        host = self.hosts[len(self.sent) % len(self.hosts)]
        url = urlsplit(url)._replace(netloc=host).geturl()
        started = time.monotonic()
        reply = self.http.post(url, params)
        seconds = time.monotonic() - started
        self.sent.append(Sent(url, reply.status, reply.body, reply.content_type, seconds))
        return reply

    def get(self, url: str) -> Reply:
        raise AssertionError(f"the line never asks for a GET ({url})")

    def answers_sent(self) -> int:
        return sum(1 for s in self.sent if re.search(r"/voice(/step/\d+)?(\?|$)", s.url))

    def call(self, start: str, keys, **kwargs):
        return run_call(
            self,
            f"{start}/voice",
            status_url="/voice/status",
            keys=keys,
            out=lambda _: None,
            **kwargs,
        )


def assert_served_well(caller: Caller, result, check_twiml: Callable[[str], None]) -> None:
    problems = [
        (s.url, s.status, s.content_type)
        for s in caller.sent
        if s.status != 200
        or s.content_type.split(";")[0] != "text/xml"
        or any(marker in s.body for marker in FALLBACK)
    ]
    assert not problems, problems
    for sent in caller.sent:
        check_twiml(sent.body)
    assert not result.application_error, result.transcript[-5:]


def stored(session, call_sid: str) -> tuple[list[int], Report | None]:
    """The steps answered on the call (in order, repeats kept) and its report."""
    session.expire_all()
    steps = list(
        session.scalars(
            select(Answer.step).join(Call).where(Call.call_sid == call_sid).order_by(Answer.step)
        )
    )
    report = session.scalar(select(Report).join(Call).where(Call.call_sid == call_sid))
    return steps, report


def run_threads(target: Callable[[int], None], count: int, timeout: float = 60) -> None:
    """Run target(0..count-1) in threads; re-raise the first failure."""
    failures: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            target(index)
        except BaseException as exc:  # noqa: BLE001 - reported in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "callers still on the line"
    if failures:
        raise failures[0]


# --------------------------------------------------------------------------- tests


@pytest.mark.postgres
def test_two_instances_share_every_call_through_one_postgres(
    postgres_url, servers, query, check_twiml
):
    first, second = servers(postgres_url, count=2)
    token = first.auth_token
    calls: list[tuple[Caller, object]] = [None] * 20  # type: ignore[list-item]

    def place(index: int) -> None:
        # Each request of a call goes to the other instance than the one before it.
        hosts = [first.url, second.url] if index % 2 else [second.url, first.url]
        caller = Caller(token, hosts)
        calls[index] = (caller, caller.call(first.url, LOST_PROPERTY if index % 2 else LARCENY))

    run_threads(place, len(calls))

    session = query(postgres_url)
    numbers = []
    for caller, result in calls:
        assert_served_well(caller, result, check_twiml)
        assert result.ended_by == "hangup-verb"
        assert any(REPORT_NUMBER_HEARD in s.body for s in caller.sent)
        hosts = [urlsplit(s.url).netloc for s in caller.sent]
        assert all(a != b for a, b in zip(hosts, hosts[1:], strict=False))
        steps, report = stored(session, result.call_sid)
        # Every answer stored exactly once, in order, whichever instance took it.
        assert steps == list(range(caller.answers_sent())), result.call_sid
        assert report is not None and report.status == "new" and NUMBER.match(report.number)
        assert report.fields["caller_name"] in ("Maria Lopez", "Sam Carter")
        assert len(report.recordings) == 1
        numbers.append(report.number)
    assert len(set(numbers)) == len(numbers) == 20


def test_a_worker_killed_mid_call_loses_nothing(any_database, servers, query, check_twiml):
    [server] = servers(any_database, workers=2, access_pids=True)
    caller = Caller(server.auth_token, [server.url])
    kill_before = (5, 12)  # the inputs before which a worker dies
    killed: list[tuple[int, int]] = []  # (worker killed, number of requests sent by then)

    def kill_the_worker_that_served(url: str) -> int:
        victim = server.served_by(url)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while victim in server.workers_now():
            assert time.monotonic() < deadline, "the master never reaped the killed worker"
            time.sleep(0.02)
        return victim

    def keys() -> Iterator[str]:
        for index, key in enumerate(LOST_PROPERTY):
            if index in kill_before:
                # The caller is listening to the reply to their last answer: its worker dies.
                killed.append((kill_the_worker_that_served(caller.sent[-1].url), len(caller.sent)))
            yield key

    result = caller.call(server.url, keys())

    assert_served_well(caller, result, check_twiml)
    assert result.ended_by == "hangup-verb"
    assert len(killed) == len(kill_before)
    for victim, sent_before in killed:
        # The next webhook was answered, by another worker.
        assert server.served_by(caller.sent[sent_before].url) != victim
    assert not {victim for victim, _ in killed} & set(server.workers_now())
    session = query(any_database)
    steps, report = stored(session, result.call_sid)
    assert steps == list(range(caller.answers_sent()))
    assert report is not None and report.status == "new"
    assert report.fields["item"] == "a brown leather wallet"
    assert report.fields["value"] == 60
    assert report.fields["caller_name"] == "Maria Lopez"
    assert len(report.recordings) == 1
    # The master replaced the killed workers.
    deadline = time.monotonic() + 10
    while len(server.workers_now()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(server.workers_now()) == 2


def test_report_numbers_stay_unique_when_callers_open_reports_at_once(
    any_database, servers, query, check_twiml
):
    [server] = servers(any_database, workers=3)
    callers = 40
    together = threading.Barrier(callers, timeout=30)
    results: list[tuple[Caller, object]] = [None] * callers  # type: ignore[list-item]

    def place(index: int) -> None:
        caller = Caller(server.auth_token, [server.url])

        def keys() -> Iterator[str]:
            yield "1"  # English
            together.wait()  # everyone chooses a report at the same moment
            yield "1" if index % 2 else "2"  # lost property / theft: the report is opened

        results[index] = (caller, caller.call(server.url, keys()))

    run_threads(place, callers)

    session = query(any_database)
    numbers = []
    for caller, result in results:
        assert_served_well(caller, result, check_twiml)
        menu_reply = caller.sent[2].body
        assert "lost" in menu_reply or "theft" in menu_reply, menu_reply
        _, report = stored(session, result.call_sid)
        assert report is not None, result.call_sid
        assert NUMBER.match(report.number)
        assert report.status == "partial" and report.needs_callback  # the caller hung up
        numbers.append(report.number)
    assert len(set(numbers)) == callers, sorted(numbers)


def test_a_hung_texting_api_never_holds_the_worker_that_answers_callers(
    sqlite_url, servers, query, check_twiml
):
    """One sync worker. The caller takes the report number by text, and Twilio's REST API hangs:
    the next caller is answered at once, while the text waits out its timeout on the courier's
    thread, and is then kept for staff as not confirmed."""
    from tests.test_texting import HungTwilioApi

    api = HungTwilioApi()
    api.thread.start()
    try:
        [server] = servers(
            sqlite_url,
            workers=1,
            settings={
                "TWILIO_ACCOUNT_SID": "AC" + "c" * 32,
                "TRU_SMS_FROM": "+14105559000",
                "TRU_TWILIO_API_BASE": api.url,
                "TRU_SMS_TIMEOUT": "4",
            },
        )
        caller = Caller(server.auth_token, [server.url])
        result = caller.call(server.url, [*LOST_PROPERTY, "1"])  # "1": the number by text
        assert_served_well(caller, result, check_twiml)
        [texted] = [
            i for i, sent in enumerate(caller.sent) if "sending the text message now" in sent.body
        ]
        # The call's status callback came in while the text hung: it was answered at once.
        assert caller.sent[texted + 1].url.endswith("/voice/status")
        assert [sent.seconds < 1.5 for sent in caller.sent[texted:]] == [True, True]
        deadline = time.monotonic() + 5
        while not api.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(api.requests) == 1  # the text is out, and Twilio's API is not answering

        started = time.monotonic()
        reply = caller.http.post(
            f"{server.url}/voice",
            [
                ("CallSid", "CA" + "d" * 32),
                ("AccountSid", "AC" + "0" * 32),
                ("From", "+14105550199"),
                ("To", "+14106378849"),
                ("CallStatus", "ringing"),
            ],
        )
        waited = time.monotonic() - started
        assert reply.status == 200 and "<Gather" in reply.body
        assert waited < 1.5, f"the next caller waited {waited:.1f} s behind a text"

        session = query(sqlite_url)
        deadline = time.monotonic() + 15
        while True:
            session.expire_all()
            text = session.scalar(
                select(TextMessage).join(Call).where(Call.call_sid == result.call_sid)
            )
            if text.status == "error" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert (text.status, text.error_code) == ("error", "timeout")
        assert text.message_sid is None
    finally:
        api.close()
