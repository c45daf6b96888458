"""Load benchmark: many callers at once through complete reports, against gunicorn as deployed.

    .venv/bin/python bench/load.py                 # SQLite, 250 callers, 4 workers
    .venv/bin/python bench/load.py --postgres      # the same on PostgreSQL
    .venv/bin/python bench/load.py --no-think      # callers answer at once: maximum throughput

What it does, in one run:

1. Builds a fresh database: a SQLite file in a temporary folder, or with --postgres a database of
   its own (`tru_load_bench_<pid>`, created on the server of --postgres-url and dropped at the
   end; no other database is touched). The schema comes from `tru db upgrade`, as the Procfile's
   release step builds it.
2. Starts the line with the Procfile's `web:` command line, unchanged except for
   `--bind 127.0.0.1:PORT` and `--workers N`, with TRU_ENV=production, a generated
   TWILIO_AUTH_TOKEN and TRU_SECRET_KEY, and hours that are always open (TRU_OPEN_DAYS=mon-sun,
   00:00-23:59, no holidays) so every call reaches the report flow.
3. Plays --calls callers, --concurrency at once (threads), each a complete lost-property or
   larceny report in English or Spanish, through `ivr.softphone.run_call`: every request signed as
   Twilio signs it, every Gather/Record/Redirect action followed as Twilio follows it, the status
   callback at the end, and a pause of --think seconds (random in the range) before each answer.
   Call starts are spread over --ramp seconds.
4. Counts, from the database afterwards: completed reports, and answers stored per call against
   the answers sent (lost answers). Errors are replies that are not 200, not TwiML, or the app's
   spoken "technical problem" fallback, and requests that got no reply.
5. Runs the same callers against `bench/ceiling_app.py` (a constant <Gather> for every POST) under
   the same gunicorn command line: the ceiling of this stack on this machine.
6. With --floor, runs them against `bench/floor_app.py` too, on the same database: a webhook that
   does only what none of the line's may skip (the signature check, and the caller's input stored
   once and committed, with SQLAlchemy Core) before a constant <Gather>. Whatever the line costs
   above the floor is its flows, triage and ORM; the floor's distance from the ceiling is the
   price of the durable write itself.

CPU time comes from /proc/<pid>/stat of the gunicorn master and all its descendants (utime +
stime, plus the master's cutime + cstime for workers reaped during the run), and with --postgres
from the server processes serving the benchmark database. The load generator shares the machine;
its own CPU time is printed too. Memory comes from /proc as well: the workers' resident sets after
the warm-up and at the end (growth there, run after run, would be a leak), the largest peak any
worker reached (VmHWM), and the whole gunicorn's PSS (shared pages counted once) against the
memory goal: master and workers within 512 MB, the smallest container a Procfile app is given.

All traffic goes to 127.0.0.1; the run stops by itself (requests time out after 15 s as Twilio's
do, and --max-seconds ends every call that is still going).
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import re
import resource
import secrets
import shlex
import shutil
import signal
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
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ivr.softphone import HttpTransport, Reply, run_call  # noqa: E402

if TYPE_CHECKING:
    from sqlalchemy import Connection

LINE_APP = "ivr:create_app()"
CEILING_APP = "bench.ceiling_app:create_app()"
FLOOR_APP = "bench.floor_app:create_app()"
ALWAYS_OPEN = {
    "TRU_OPEN_DAYS": "mon-sun",
    "TRU_OPEN_TIME": "00:00",
    "TRU_CLOSE_TIME": "23:59",
    "TRU_HOLIDAYS": "none",
}
TWILIO_TIMEOUT = 15.0  # seconds Twilio waits for a webhook's reply
#: The line's spoken fallback (ivr/web/voice.py, flows/prompts.yaml): an application error.
FALLBACK_MARKERS = ("technical problem", "problema técnico")
REPORT_NUMBER_HEARD = ("Your report number is", "Su número de reporte es")


@functools.cache
def text_sending_prompts() -> tuple[str, ...]:
    """The line's words once a caller has asked for the text, in each language (the shared
    prompt `text_sending` of flows/prompts.yaml, as the line itself reads it)."""
    from ivr.flows import load_flows

    return tuple(load_flows().shared["text_sending"].values())


RECORDED_ACCOUNT = "I left it on the bus this morning and it is brown leather with a zipper"

#: Complete report calls, as tests/test_report_calls.py makes them: one input per prompt, in the
#: softphone's grammar ("say ..." is speech; the recording prompt takes the caller's words).
SCRIPTS: dict[str, list[str]] = {
    "lost_property_en": [
        "1", "1",  # English, lost property
        "2", "say yes",  # no firearm, in the city
        "say a brown leather wallet", "1",  # the item, confirmed
        "2", "say brown leather with a silver zipper", "#",  # category, description, no serial
        "60#", "say yes",  # value, confirmed
        "say on the number 3 bus on Charles Street", "say yesterday afternoon",
        "say it fell out of my pocket",
        "say Maria Lopez", "1", "1", RECORDED_ACCOUNT,  # name, confirmed, callback number
        "1", "2",  # hear the report number again, then goodbye
    ],
    "lost_property_es": [
        "2", "1",
        "say no", "say sí",
        "say un teléfono samsung negro", "say sí",
        "say teléfono", "say samsung galaxy negro", "#",
        "say como 300 dólares", "1",
        "say en el parque patterson", "say el martes pasado", "say se me cayó del bolsillo",
        "say José García", "1", "1", RECORDED_ACCOUNT,
        "2",
    ],
    "larceny_en": [
        "1", "2",  # English, theft
        "2", "2", "2", "2", "2", "2", "1",  # not now, nobody hurt, no suspect..., in the city
        "say a blue mountain bike", "1",
        "say about twelve hundred dollars", "1",
        "say in front of 200 East Pratt Street", "say yesterday",
        "say from the street", "say yes there is video", "2",
        "say Sam Carter", "1", "1", RECORDED_ACCOUNT,
        "2",
    ],
    "larceny_es": [
        "2", "2",
        "2", "2", "2", "2", "2", "2", "1",
        "say una bicicleta azul", "say sí",
        "450#", "1",
        "say en la calle pratt", "say ayer",
        "1", "say no", "say no",
        "say Ana Pérez", "1", "1", RECORDED_ACCOUNT,
        "2",
    ],
}  # fmt: skip


# --------------------------------------------------------------------------- processes


def procfile_command(port: int, workers: int, app_spec: str) -> list[str]:
    """The Procfile's web command, with the bind address, worker count and app spec replaced."""
    line = next(
        (raw for raw in (ROOT / "Procfile").read_text().splitlines() if raw.startswith("web:")),
        None,
    )
    if line is None:
        raise SystemExit("Procfile has no web: line")
    values = {"PORT": str(port), "WEB_CONCURRENCY": str(workers)}

    def expand(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        default = match.group(2) or ""
        return values.get(name, default)

    text = re.sub(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)", expand, line.split(":", 1)[1])
    argv = shlex.split(text)
    if Path(argv[0]).name != "gunicorn" or LINE_APP not in argv or "--bind" not in argv:
        raise SystemExit(f"unexpected Procfile web command: {line!r}")
    argv[0] = str(Path(sys.executable).with_name("gunicorn"))
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    if "--workers" in argv:
        argv[argv.index("--workers") + 1] = str(workers)
    else:
        argv[-1:-1] = ["--workers", str(workers)]
    argv[argv.index(LINE_APP)] = app_spec
    return argv


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(**extra: str) -> dict[str, str]:
    """This environment without TRU_*, TWILIO_*, GUNICORN_*, DATABASE_URL or PORT, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRU_", "TWILIO_", "GUNICORN_")) and k not in ("DATABASE_URL", "PORT")
    }
    env.update(extra)
    return env


class Server:
    """One gunicorn, started with the Procfile's command line; stopped (and waited for) on exit."""

    def __init__(self, app_spec: str, workers: int, env: dict[str, str], workdir: Path, name: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = procfile_command(self.port, workers, app_spec)
        # gunicorn's control socket defaults to ~/.gunicorn/gunicorn.ctl, shared by every
        # gunicorn of this user: each server gets its own runtime folder instead.
        runtime = workdir / f"{name}-run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        self.env = {**env, "XDG_RUNTIME_DIR": str(runtime)}
        self.log_path = workdir / f"{name}-gunicorn.log"
        self.access_path = workdir / f"{name}-access.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with open(self.access_path, "wb") as out, open(self.log_path, "wb") as err:
            self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn command line
                self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=err
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not answer within 30 s:\n{self.log_path.read_text()}")

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log_lines(self, *needles: str) -> int:
        text = self.log_path.read_text(errors="replace")
        return sum(1 for line in text.splitlines() if any(n in line for n in needles))


TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pid: int, *, with_reaped_children: bool) -> float:
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # utime, stime, cutime, cstime are fields 14-17 of stat (11-14 here).
    ticks = int(fields[11]) + int(fields[12])
    if with_reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def _memory_kb(pid: int, field_name: str, source: str = "status") -> int | None:
    """A `field_name:  N kB` line of /proc/<pid>/status (VmRSS, VmHWM) or smaps_rollup (Pss)."""
    try:
        text = Path(f"/proc/{pid}/{source}").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1])
    return None


@dataclass
class Memory:
    """gunicorn's memory at one moment, in MB: its workers' resident sets (mean), the largest
    peak any worker has had since it started (VmHWM), and the whole server's proportional set
    (PSS: shared pages counted once, so it is what the machine or container must hold)."""

    worker_rss: float | None
    worker_peak: float | None
    server_pss: float | None

    @classmethod
    def of(cls, master: int) -> Memory:
        pids = descendants(master)
        workers = [p for p in pids if p != master]
        rss = [kb for p in workers if (kb := _memory_kb(p, "VmRSS")) is not None]
        peaks = [kb for p in workers if (kb := _memory_kb(p, "VmHWM")) is not None]
        pss = [kb for p in pids if (kb := _memory_kb(p, "Pss", "smaps_rollup")) is not None]
        return cls(
            worker_rss=sum(rss) / len(rss) / 1024 if rss else None,
            worker_peak=max(peaks) / 1024 if peaks else None,
            server_pss=sum(pss) / 1024 if pss else None,
        )


#: The line's memory goal: a whole gunicorn (master and workers) in 512 MB, the smallest
#: container a Procfile app is commonly given (a Heroku standard-1X dyno).
MEMORY_BUDGET_MB = 512


def machine_busy_seconds() -> float:
    """CPU seconds spent by every process on the machine (all CPUs), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


def server_cpu(master: int) -> float:
    """The master (with the workers it has reaped) and every live descendant."""
    return sum(cpu_seconds(pid, with_reaped_children=pid == master) for pid in descendants(master))


# --------------------------------------------------------------------------- databases


@dataclass
class Database:
    url: str  # SQLAlchemy URL, as the app reads TRU_DATABASE_URL
    admin_url: str | None = None  # PostgreSQL: the server's maintenance database
    name: str | None = None

    def backend_cpu(self) -> dict[int, float]:
        """CPU seconds of the PostgreSQL server processes serving this database, by pid."""
        if self.admin_url is None:
            return {}
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            pids = [
                row[0]
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.name,)
                )
            ]
        return {pid: cpu_seconds(pid, with_reaped_children=False) for pid in pids}


def migrate(url: str, env: dict[str, str]) -> None:
    tru = Path(sys.executable).with_name("tru")
    subprocess.run(  # noqa: S603 - the project's own CLI
        [str(tru), "db", "upgrade"],
        cwd=ROOT,
        env={**env, "TRU_DATABASE_URL": url},
        check=True,
        capture_output=True,
        timeout=120,
    )


def sqlite_database(workdir: Path) -> Database:
    return Database(url=f"sqlite:///{workdir / 'tru-bench.sqlite3'}")


def postgres_database(admin_url: str) -> Database:
    import psycopg

    name = f"tru_load_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    url = parts._replace(scheme="postgresql", path=f"/{name}").geturl()
    return Database(url=url, admin_url=admin_url, name=name)


def drop_postgres(database: Database) -> None:
    import psycopg

    assert database.admin_url and database.name
    with psycopg.connect(database.admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')


def by_call_sids(url: str, call_sids: list[str]) -> Iterator[tuple[Connection, list[str]]]:
    """(connection, up to 500 call SIDs) for each batch of `call_sids`, on a new unpooled engine
    for the benchmark's database, disposed of at the end."""
    from ivr import db
    from ivr.config import database_url

    engine = db.make_engine(database_url({"TRU_DATABASE_URL": url}, ""), pooled=False)
    try:
        with engine.connect() as conn:
            for start in range(0, len(call_sids), 500):
                yield conn, call_sids[start : start + 500]
    finally:
        engine.dispose()


def stored_counts(url: str, call_sids: list[str]) -> tuple[dict[str, int], dict[str, tuple]]:
    """Answers stored per call SID, and each call's report (number, status, type)."""
    from sqlalchemy import func, select

    from ivr.models import Answer, Call, Report

    answers: dict[str, int] = {}
    reports: dict[str, tuple] = {}
    for conn, chunk in by_call_sids(url, call_sids):
        rows = conn.execute(
            select(Call.call_sid, func.count(Answer.id))
            .join(Answer, Answer.call_id == Call.id, isouter=True)
            .where(Call.call_sid.in_(chunk))
            .group_by(Call.call_sid)
        )
        answers.update({sid: n for sid, n in rows})
        rows = conn.execute(
            select(Call.call_sid, Report.number, Report.status, Report.type)
            .join(Report, Report.call_id == Call.id)
            .where(Call.call_sid.in_(chunk))
        )
        reports.update({sid: (number, status, kind) for sid, number, status, kind in rows})
    return answers, reports


# --------------------------------------------------------------------------- texting


class FakeMessagesApi:
    """Twilio's Messages API as far as the line uses it (--texting): each POST to
    .../Messages.json is answered 201 with a new message SID, after `delay` seconds (a slow API),
    and its report number is counted. Threaded, on 127.0.0.1; nothing leaves the machine."""

    NUMBER = re.compile(r"TRU-\d\d-\d{6}")

    def __init__(self, delay: float) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs

        api = self
        self.delay = delay
        self.lock = threading.Lock()
        self.numbers: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                body = form.get("Body", [""])[0]
                time.sleep(api.delay)
                with api.lock:
                    found = api.NUMBER.search(body)
                    api.numbers.append(found.group(0) if found else "")
                    sid = f"SM{len(api.numbers):032x}"
                reply = (
                    f'{{"sid": "{sid}", "status": "queued", "error_code": null, '
                    f'"account_sid": "{TEXTING_ACCOUNT}"}}'
                ).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def settings(self) -> dict[str, str]:
        """The line's environment for texting through this API."""
        return {
            "TWILIO_ACCOUNT_SID": TEXTING_ACCOUNT,
            "TRU_SMS_FROM": "+14105559000",
            "TRU_TWILIO_API_BASE": self.url,
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


TEXTING_ACCOUNT = "AC" + "7" * 32


def text_counts(url: str, call_sids: list[str]) -> dict[str, int]:
    """The benchmark calls' texts in the database, by status (`handed over` when Twilio's API
    gave it a message SID)."""
    from sqlalchemy import func, select

    from ivr.models import Call, TextMessage

    handed_over = TextMessage.message_sid.is_not(None)
    counts: dict[str, int] = {}
    for conn, chunk in by_call_sids(url, call_sids):
        rows = conn.execute(
            select(TextMessage.status, handed_over, func.count())
            .join(Call, Call.id == TextMessage.call_id)
            .where(Call.call_sid.in_(chunk))
            .group_by(TextMessage.status, handed_over)
        )
        for status, sent, n in rows:
            key = "handed over" if sent else status
            counts[key] = counts.get(key, 0) + n
    return counts


# --------------------------------------------------------------------------- callers


@dataclass
class Request:
    path: str
    status: int  # 0: no reply (refused, reset, timed out)
    seconds: float
    error: str | None


@dataclass
class CallRecord:
    script: str
    call_sid: str = ""
    requests: list[Request] = field(default_factory=list)
    answers_sent: int = 0
    heard_report_number: bool = False
    #: The line said it is sending the text (--texting).
    asked_for_the_text: bool = False
    ended_by: str = ""
    started: float = 0.0
    ended: float = 0.0
    #: Seconds spent hearing each prompt before answering, in order (see `paced`).
    listened: list[float] = field(default_factory=list)

    @property
    def errors(self) -> list[Request]:
        return [r for r in self.requests if r.error]


class TimedTransport:
    """The softphone's HTTP transport, timed; refuses any host but the server under test."""

    def __init__(self, netloc: str, record: CallRecord) -> None:
        self.inner = HttpTransport("", timeout=TWILIO_TIMEOUT)
        self.netloc = netloc
        self.record = record

    def set_token(self, token: str) -> None:
        from twilio.request_validator import RequestValidator

        self.inner._validator = RequestValidator(token)

    def post(self, url: str, params: list[tuple[str, str]]) -> Reply:
        parts = urlsplit(url)
        if parts.netloc != self.netloc:
            self.record.requests.append(Request(parts.path, 0, 0.0, f"foreign URL {url}"))
            raise OSError(f"refusing to call {url}: only {self.netloc} is under test")
        is_answer = parts.path == "/voice" or parts.path.startswith("/voice/step/")
        if is_answer:
            self.record.answers_sent += 1
        started = time.perf_counter()
        try:
            reply = self.inner.post(url, params)
        except OSError as exc:
            elapsed = time.perf_counter() - started
            self.record.requests.append(Request(parts.path, 0, elapsed, type(exc).__name__))
            raise
        elapsed = time.perf_counter() - started
        error = None
        if reply.status != 200:
            error = f"HTTP {reply.status}"
        elif "xml" not in reply.content_type:
            error = f"content type {reply.content_type}"
        elif any(marker in reply.body for marker in FALLBACK_MARKERS):
            error = "technical-problem TwiML"
        if any(heard in reply.body for heard in REPORT_NUMBER_HEARD):
            self.record.heard_report_number = True
        if any(sending in reply.body for sending in text_sending_prompts()):
            self.record.asked_for_the_text = True
        self.record.requests.append(Request(parts.path, reply.status, elapsed, error))
        return reply

    def get(self, url: str) -> Reply:
        raise OSError("the line is never asked for GET")


@dataclass
class Plan:
    base_url: str
    token: str
    think: tuple[float, float] | None
    ramp: float
    deadline: float
    #: How much of each prompt a caller hears before answering (a fraction range: Twilio lets a
    #: key or a word interrupt a Gather's prompt); None: callers answer without listening.
    listen: tuple[float, float] | None = None
    #: Listening times to replay, by call index: the ceiling's one constant prompt is shorter
    #: than the line's, so its callers wait as long as the line's callers did, and both runs
    #: offer the same pace.
    replay: list[list[float]] | None = None
    #: Callers who, offered the report number by text at the end, say yes (--texting).
    take_the_text: bool = False


#: Twilio's neural voices speak about 160 words a minute; callers talk a little slower.
PROMPT_WORDS_PER_S = 2.7
CALLER_WORDS_PER_S = 2.5
SPOKEN = re.compile(r"^\[[a-z]{2}-[A-Z]{2}\] (.*)$")


def listening_time(heard: list[str]) -> float:
    """Seconds Twilio takes to speak the prompt lines the softphone printed."""
    words = sum(len(m.group(1).split()) for line in heard if (m := SPOKEN.match(line)))
    return words / PROMPT_WORDS_PER_S


def speaking_time(key: str) -> float:
    """Seconds the caller takes to give `key`: spoken words take time, a key press almost none."""
    text = key.removeprefix("say ") if key.startswith("say ") or " " in key else ""
    return len(text.split()) / CALLER_WORDS_PER_S


def paced(
    keys: list[str],
    plan: Plan,
    rng: random.Random,
    heard: list[str] | None = None,
    listened: list[float] | None = None,
    replay: list[float] | None = None,
) -> Iterator[str]:
    """The caller's inputs, each after the caller has heard (part of) the prompt, thought and
    spoken; none once time is up. Listening times are appended to `listened`, or taken in
    order from `replay` when given."""
    for number, key in enumerate(keys):
        pause = 0.0
        if plan.listen is not None and heard is not None:
            fraction = rng.uniform(*plan.listen)
            if replay is not None:
                hearing = replay[number] if number < len(replay) else 0.0
            else:
                hearing = fraction * listening_time(heard)
            if listened is not None:
                listened.append(hearing)
            pause += hearing + speaking_time(key)
        if heard is not None:
            heard.clear()
        if plan.think is not None:
            pause += rng.uniform(*plan.think)
        if pause:
            time.sleep(pause)
        if time.monotonic() > plan.deadline:
            return  # the caller hangs up
        yield key


def script_keys(script: str, plan: Plan) -> list[str]:
    """The caller's inputs; with texting on, a "1" for the report number by text at the end."""
    return SCRIPTS[script] + (["1"] if plan.take_the_text else [])


def play(record: CallRecord, plan: Plan, seed: int, index: int = 0) -> None:
    rng = random.Random(seed)  # noqa: S311 - pauses, not secrets
    replay = plan.replay[index] if plan.replay is not None and index < len(plan.replay) else None
    transport = TimedTransport(urlsplit(plan.base_url).netloc, record)
    transport.set_token(plan.token)
    record.started = time.perf_counter()
    heard: list[str] = []
    result = run_call(
        transport,
        f"{plan.base_url}/voice",
        status_url="/voice/status",
        keys=paced(script_keys(record.script, plan), plan, rng, heard, record.listened, replay),
        out=heard.append,
        max_requests=60,
    )
    record.ended = time.perf_counter()
    record.call_sid = result.call_sid
    record.ended_by = result.ended_by


def run_callers(
    plan: Plan, scripts: list[str], concurrency: int, seed: int, processes: int = 1
) -> tuple[list[CallRecord], float, float]:
    """Every call of `scripts`, `concurrency` at a time, from `processes` processes (each its
    share of the calls and of the concurrency, on threads). Returns the calls, the wall time and
    the CPU seconds the callers used (this process's and its children's)."""
    records = [CallRecord(script) for script in scripts]
    processes = max(1, min(processes, concurrency, len(records)))
    started = time.perf_counter()
    if processes == 1:
        before = _own_cpu()
        _play_share(
            plan, records, list(range(len(records))), list(range(concurrency)), concurrency, seed
        )
        return records, time.perf_counter() - started, _own_cpu() - before
    # One Python process cannot keep more than one CPU busy (the GIL): a fast server would be
    # measured against the generator instead. Calls and slots are dealt out round-robin, so the
    # processes together start the same calls at the same moments as one process would.
    import multiprocessing

    shares = [
        (list(range(k, len(records), processes)), list(range(k, concurrency, processes)))
        for k in range(processes)
    ]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.starmap(
            _play_in_child,
            [
                (plan, [records[i] for i in calls], calls, slots, concurrency, seed)
                for calls, slots in shares
            ],
        )
    cpu = 0.0
    for (calls, _slots), (played, child_cpu) in zip(shares, results, strict=True):
        for index, record in zip(calls, played, strict=True):
            records[index] = record
        cpu += child_cpu
    return records, time.perf_counter() - started, cpu


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _play_in_child(*share: Any) -> tuple[list[CallRecord], float]:
    """`_play_share` in a generator process: the played calls and the CPU seconds they took."""
    before = _own_cpu()
    _play_share(*share)
    return share[1], _own_cpu() - before


def _play_share(
    plan: Plan,
    records: list[CallRecord],
    indexes: list[int],
    slots: list[int],
    concurrency: int,
    seed: int,
) -> None:
    """Play `records` (calls number `indexes` of the run) on one thread per slot in `slots`."""
    queue = iter(zip(indexes, records, strict=True))
    lock = threading.Lock()

    def worker(slot: int) -> None:
        time.sleep(plan.ramp * slot / max(1, concurrency))
        while True:
            with lock:
                item = next(queue, None)
            if item is None or time.monotonic() > plan.deadline:
                return
            index, record = item
            try:
                play(record, plan, seed * 1_000_003 + index, index)
            except Exception as exc:  # a bug in the generator must not hide as a slow server
                record.requests.append(Request("(generator)", 0, 0.0, repr(exc)))

    threads = [
        threading.Thread(target=worker, args=(slot,), daemon=True) for slot in slots[: len(records)]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, plan.deadline - time.monotonic()) + TWILIO_TIMEOUT * 2)


# --------------------------------------------------------------------------- one target


@dataclass
class Figures:
    label: str
    calls: int
    webhooks: int
    webhooks_per_s: float
    p50: float
    p95: float
    p99: float
    max: float
    errors: int
    error_kinds: dict[str, int]
    scripted_to_the_end: int
    completed_reports: int | None = None
    duplicate_report_numbers: int | None = None
    answers_sent: int | None = None
    answers_stored: int | None = None
    lost_answers: int | None = None
    calls_missing_answers: int | None = None
    server_cpu_s: float = 0.0
    database_cpu_s: float | None = None
    generator_cpu_s: float = 0.0
    wall_s: float = 0.0
    log_errors: int = 0
    machine_cpu_s: float = 0.0
    #: --texting: callers who heard "sending the text", texts the API got (and got twice), and
    #: the texts in the database by status.
    texts_asked: int | None = None
    texts_to_the_api: int | None = None
    texts_twice: int | None = None
    text_statuses: dict[str, int] = field(default_factory=dict)
    #: gunicorn's memory after the warm-up calls, and after the measured ones.
    memory_before: Memory | None = None
    memory_after: Memory | None = None
    #: Each call's listening times, by call index (replayed by the ceiling's callers).
    listened: list[list[float]] = field(default_factory=list)

    def other_cpu_s(self) -> float:
        """CPU the rest of the machine used meanwhile (other people's work, the kernel...)."""
        ours = self.server_cpu_s + (self.database_cpu_s or 0.0) + self.generator_cpu_s
        return max(0.0, self.machine_cpu_s - ours)

    def server_ms_per_webhook(self) -> float | None:
        """CPU milliseconds of the server side (gunicorn and PostgreSQL) a webhook."""
        spent = self.server_cpu_s + (self.database_cpu_s or 0.0)
        return 1000 * spent / self.webhooks if self.webhooks and spent else None

    def webhooks_per_cpu_s(self) -> float | None:
        """Webhooks served per CPU-second of the server side: the throughput the stack would
        have with whole CPUs to itself, whatever else ran."""
        ms = self.server_ms_per_webhook()
        return 1000 / ms if ms else None

    def cpu_per_call_ms(self) -> float | None:
        done = self.completed_reports if self.completed_reports is not None else None
        done = self.scripted_to_the_end if done is None else done
        return 1000 * self.server_cpu_s / done if done else None


def warmup_scripts(args: argparse.Namespace) -> list[str]:
    names = sorted(SCRIPTS)
    return [names[i % len(names)] for i in range(args.warmup)]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(
    label: str,
    app_spec: str,
    args: argparse.Namespace,
    workdir: Path,
    database: Database | None,
    scripts: list[str],
    replay: list[list[float]] | None = None,
    stored: Callable[[str, list[str]], tuple[dict[str, int], dict[str, tuple]]] | None = None,
    texting: FakeMessagesApi | None = None,
) -> Figures:
    """Play the callers against `app_spec`; `stored` counts what the database kept per call
    (answers, reports): the line's tables unless told otherwise. With `texting`, the app texts
    through that API, and the texts are counted once the server has stopped (and with it, the
    workers' couriers have finished)."""
    stored = stored or stored_counts
    token = secrets.token_hex(16)
    env = clean_environment(
        TRU_ENV="production",
        TWILIO_AUTH_TOKEN=token,
        TRU_SECRET_KEY=secrets.token_hex(32),
        **ALWAYS_OPEN,
        **(texting.settings() if texting else {}),
    )
    if database is not None:
        env["TRU_DATABASE_URL"] = database.url
    name = label.split()[0]
    with Server(app_spec, args.workers, env, workdir, name) as server:
        if args.warmup:
            warm = Plan(server.url, token, None, 0.0, time.monotonic() + 120)
            run_callers(warm, warmup_scripts(args), 2 * args.workers, seed=args.seed + 1)
        plan = Plan(
            server.url,
            token,
            None if args.no_think else (args.think_min, args.think_max),
            args.ramp,
            time.monotonic() + args.max_seconds,
            listen=None if args.no_think or args.no_listen else (args.listen_min, args.listen_max),
            replay=replay,
            take_the_text=args.texting is not None,
        )
        if texting is not None:
            texting.numbers.clear()  # the warm-up calls' texts are not counted
        memory_before = Memory.of(server.pid)
        cpu_before = server_cpu(server.pid)
        db_before = database.backend_cpu() if database else {}
        busy_before = machine_busy_seconds()
        records, wall, generator_cpu = run_callers(
            plan, scripts, args.concurrency, seed=args.seed, processes=args.processes
        )
        busy_after = machine_busy_seconds()
        cpu_after = server_cpu(server.pid)
        memory_after = Memory.of(server.pid)
        db_after = database.backend_cpu() if database else {}
        server.stop()
        log_errors = server.log_lines("[ERROR]", "[CRITICAL]", "WORKER TIMEOUT", "Traceback")

    requests = [r for rec in records for r in rec.requests if r.path != "(generator)"]
    answered = [r for r in requests if r.status]
    first = min((rec.started for rec in records if rec.started), default=0.0)
    last = max((rec.ended for rec in records if rec.ended), default=0.0)
    span = max(1e-9, last - first)
    kinds: dict[str, int] = {}
    for rec in records:
        for r in rec.errors:
            kinds[r.error or "?"] = kinds.get(r.error or "?", 0) + 1
    latencies = [1000 * r.seconds for r in answered]
    figures = Figures(
        label=label,
        calls=len(records),
        webhooks=len(requests),
        webhooks_per_s=len(answered) / span,
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        p99=percentile(latencies, 99),
        max=max(latencies, default=float("nan")),
        errors=sum(kinds.values()),
        listened=[rec.listened for rec in records],
        error_kinds=kinds,
        scripted_to_the_end=sum(
            1 for rec in records if not rec.errors and rec.ended_by in ("hangup-verb", "caller")
        ),
        server_cpu_s=cpu_after - cpu_before,
        database_cpu_s=(
            sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items())
            if database and database.admin_url
            else None
        ),
        generator_cpu_s=generator_cpu,
        wall_s=wall,
        log_errors=log_errors,
        machine_cpu_s=busy_after - busy_before,
        memory_before=memory_before,
        memory_after=memory_after,
    )
    if texting is not None:
        figures.texts_asked = sum(1 for rec in records if rec.asked_for_the_text)
        figures.texts_to_the_api = len(texting.numbers)
        figures.texts_twice = len(texting.numbers) - len(set(texting.numbers))
        if database is not None:
            figures.text_statuses = text_counts(
                database.url, [rec.call_sid for rec in records if rec.call_sid]
            )
    if database is not None:
        sids = [rec.call_sid for rec in records if rec.call_sid]
        answers, reports = stored(database.url, sids)
        makes_reports = stored is stored_counts
        figures.answers_sent = sum(rec.answers_sent for rec in records)
        figures.answers_stored = sum(answers.values())
        missing = [max(0, rec.answers_sent - answers.get(rec.call_sid, 0)) for rec in records]
        figures.lost_answers = sum(missing)
        figures.calls_missing_answers = sum(1 for m in missing if m)
        if makes_reports:
            done = [r for r in reports.values() if r[1] == "new"]
            figures.completed_reports = len(done)
            numbers = [r[0] for r in reports.values()]
            figures.duplicate_report_numbers = len(numbers) - len(set(numbers))
    return figures


def floor_counts(url: str, call_sids: list[str]) -> tuple[dict[str, int], dict[str, tuple]]:
    """What the floor app stored: answers per call SID; it makes no reports."""
    from bench.floor_app import stored_answers

    return stored_answers(url, call_sids), {}


# --------------------------------------------------------------------------- output


@dataclass(frozen=True)
class CpuBudget:
    """What a target share of the ceiling allows a webhook, fitted on two measured apps.

    At saturation each app's throughput is fitted as `k / (cpu + other)`: `cpu` its server CPU
    a webhook (gunicorn, and PostgreSQL when it runs), `other` what every webhook costs whatever
    the app (the load generator, the kernel, the waits), `k` what the machine gives them. Two
    apps on the same machine, the ceiling and the floor, fix `k` and `other`.
    """

    capacity: float  # k, CPU-milliseconds a second
    other_ms: float  # per webhook, whatever the app
    budget_ms: float  # the server CPU a webhook may cost to reach the target

    def predicted(self, cpu_ms: float) -> float:
        """Webhooks a second of an app spending `cpu_ms` of server CPU a webhook."""
        return self.capacity / (cpu_ms + self.other_ms)


def cpu_budget(ceiling: Figures, floor: Figures, share: float = 0.5) -> CpuBudget | None:
    """The server CPU a webhook may cost for `share` of the ceiling, or None if unfittable."""
    top, bottom = ceiling.server_ms_per_webhook(), floor.server_ms_per_webhook()
    fast, slow = ceiling.webhooks_per_s, floor.webhooks_per_s
    if top is None or bottom is None or bottom <= top or not slow or fast <= slow:
        return None
    other = (slow * bottom - fast * top) / (fast - slow)
    if other < 0:
        return None
    capacity = fast * (top + other)
    return CpuBudget(capacity, other, capacity / (share * fast) - other)


def fmt(value: float | int | None, spec: str = ".0f") -> str:
    if value is None:
        return "n/a"
    return format(value, spec)


def print_figures(
    app: Figures,
    ceiling: Figures,
    args: argparse.Namespace,
    backend: str,
    floor: Figures | None = None,
) -> bool:
    think = "none (--no-think)" if args.no_think else f"{args.think_min}-{args.think_max} s"
    if args.no_think or args.no_listen:
        listen = "none"
    else:
        listen = f"{args.listen_min:.0%}-{args.listen_max:.0%} of each prompt"
    print()
    print(
        f"== {backend}: {args.calls} calls ({args.concurrency} at once), {args.workers} workers, "
        f"listen {listen}, think {think}, ramp {args.ramp} s, {os.cpu_count()} CPUs"
    )

    def stored_pair(f: Figures) -> str:
        return "n/a" if f.answers_sent is None else f"{f.answers_sent} / {f.answers_stored}"

    def lost(f: Figures) -> str:
        return "n/a" if f.lost_answers is None else f"{f.lost_answers} ({f.calls_missing_answers})"

    rows: list[tuple[str, Callable[[Figures], str]]] = [
        ("calls played", lambda f: fmt(f.calls, "d")),
        ("webhook requests", lambda f: fmt(f.webhooks, "d")),
        ("wall time (s)", lambda f: fmt(f.wall_s, ".1f")),
        ("webhooks per second", lambda f: fmt(f.webhooks_per_s, ".1f")),
        ("latency p50 (ms)", lambda f: fmt(f.p50, ".1f")),
        ("latency p95 (ms)", lambda f: fmt(f.p95, ".1f")),
        ("latency p99 (ms)", lambda f: fmt(f.p99, ".1f")),
        ("latency max (ms)", lambda f: fmt(f.max, ".1f")),
        ("errors", lambda f: fmt(f.errors, "d")),
        ("calls scripted to the end", lambda f: fmt(f.scripted_to_the_end, "d")),
        ("completed reports (database)", lambda f: fmt(f.completed_reports, "d")),
        ("duplicate report numbers", lambda f: fmt(f.duplicate_report_numbers, "d")),
        ("answers sent / stored", stored_pair),
        ("lost answers (calls)", lost),
        ("gunicorn CPU (s)", lambda f: fmt(f.server_cpu_s, ".1f")),
        ("gunicorn CPU per completed call (ms)", lambda f: fmt(f.cpu_per_call_ms(), ".1f")),
        ("webhooks per server CPU-second", lambda f: fmt(f.webhooks_per_cpu_s(), ".0f")),
        ("PostgreSQL CPU (s)", lambda f: fmt(f.database_cpu_s, ".1f")),
        ("load generator CPU (s)", lambda f: fmt(f.generator_cpu_s, ".1f")),
        ("machine CPU busy, all processes (s)", lambda f: fmt(f.machine_cpu_s, ".1f")),
        ("  of which not this benchmark (s)", lambda f: fmt(f.other_cpu_s(), ".1f")),
        (
            "worker RSS after warm-up, mean (MB)",
            lambda f: fmt(f.memory_before and f.memory_before.worker_rss, ".1f"),
        ),
        (
            "worker RSS at the end, mean (MB)",
            lambda f: fmt(f.memory_after and f.memory_after.worker_rss, ".1f"),
        ),
        (
            "worker peak RSS, largest (MB)",
            lambda f: fmt(f.memory_after and f.memory_after.worker_peak, ".1f"),
        ),
        (
            "gunicorn memory at the end (PSS, MB)",
            lambda f: fmt(f.memory_after and f.memory_after.server_pss, ".1f"),
        ),
        ("gunicorn log errors", lambda f: fmt(f.log_errors, "d")),
    ]
    if args.texting is not None:
        rows += [
            ("texts asked for (callers told: sending)", lambda f: fmt(f.texts_asked, "d")),
            ("texts sent to Twilio's API", lambda f: fmt(f.texts_to_the_api, "d")),
            ("texts sent twice", lambda f: fmt(f.texts_twice, "d")),
            (
                "texts stored: handed over / queued / other",
                lambda f: (
                    "n/a"
                    if f.texts_asked is None
                    else "{} / {} / {}".format(
                        f.text_statuses.get("handed over", 0),
                        f.text_statuses.get("queued", 0),
                        sum(
                            n
                            for k, n in f.text_statuses.items()
                            if k not in ("handed over", "queued")
                        ),
                    )
                ),
            ),
        ]
    skipped = ceiling.calls == 0
    columns = [("TRU Line", app)] + ([("floor", floor)] if floor else []) + [("ceiling", ceiling)]
    width = max(len(name) for name, _ in rows)
    print(f"{'':{width}}" + "".join(f"  {title:>14}" for title, _ in columns))
    for name, show in rows:
        cells = [show(f) if not (f is ceiling and skipped) else "-" for _, f in columns]
        print(f"{name:{width}}" + "".join(f"  {cell:>14}" for cell in cells))
    for title, f in columns:
        if f.error_kinds:
            print(f"errors by kind ({title}):", f.error_kinds)
    ratio = app.webhooks_per_s / ceiling.webhooks_per_s if ceiling.webhooks_per_s else 0.0
    cpu_ratio = (
        app.cpu_per_call_ms() / ceiling.cpu_per_call_ms()
        if app.cpu_per_call_ms() and ceiling.cpu_per_call_ms()
        else None
    )
    per_cpu = (
        app.webhooks_per_cpu_s() / ceiling.webhooks_per_cpu_s()
        if app.webhooks_per_cpu_s() and ceiling.webhooks_per_cpu_s()
        else None
    )
    if not skipped:
        print(
            f"throughput / ceiling: {ratio:.0%} measured, {fmt(per_cpu and 100 * per_cpu, '.0f')}% "
            f"per server CPU-second;  CPU per call / ceiling: {fmt(cpu_ratio, '.1f')}x"
        )
        if floor is not None and ceiling.webhooks_per_s:
            print(
                f"floor / ceiling: {floor.webhooks_per_s / ceiling.webhooks_per_s:.0%} measured;  "
                f"line / floor: {app.webhooks_per_s / floor.webhooks_per_s:.0%}"
                if floor.webhooks_per_s
                else "floor: no webhooks answered"
            )
            budget = cpu_budget(ceiling, floor) if args.no_think else None
            line_ms = app.server_ms_per_webhook()
            if budget is not None and line_ms is not None:
                print(
                    f"half the ceiling allows {budget.budget_ms:.2f} ms of server CPU a webhook; "
                    f"the line spends {line_ms:.2f}, the floor "
                    f"{fmt(floor.server_ms_per_webhook(), '.2f')} (fit on the floor and ceiling, "
                    f"which puts the line at {budget.predicted(line_ms):.0f} webhooks/s)"
                )
    checks: list[tuple[str, bool | None]] = [
        (f"{args.concurrency} concurrent calls", args.concurrency >= 250),
        ("p99 < 100 ms", app.p99 < 100),
        ("zero errors", app.errors == 0),
        ("zero lost answers", app.lost_answers == 0),
        ("every call completed a report", app.completed_reports == app.calls),
        (
            f"gunicorn memory < {MEMORY_BUDGET_MB} MB (PSS)",
            app.memory_after.server_pss < MEMORY_BUDGET_MB
            if app.memory_after and app.memory_after.server_pss is not None
            else None,
        ),
        # With pauses the ceiling only serves what the callers offer: the ratio says how much of
        # that offered load the line kept up with. The stack's ceiling is measured with --no-think.
        (
            "throughput >= 50% of the ceiling",
            ratio >= 0.5 if args.no_think and not skipped else None,
        ),
    ]
    if args.texting is not None:
        checks.append(
            (
                "every text asked for sent once, or left queued to go late",
                app.texts_asked == app.calls
                and app.texts_twice == 0
                and app.texts_to_the_api == app.text_statuses.get("handed over", 0)
                and app.text_statuses.get("handed over", 0) + app.text_statuses.get("queued", 0)
                == app.calls,
            )
        )
    words = {True: "met", False: "MISSED", None: "not judged"}
    why = "no ceiling run" if skipped else "see --no-think"
    unjudged = {"throughput >= 50% of the ceiling": f"not judged ({why})"}
    print(
        "targets: "
        + "; ".join(
            f"{name}: {unjudged.get(name, words[ok]) if ok is None else words[ok]}"
            for name, ok in checks
        )
    )
    return all(ok is not False for _, ok in checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=250, help="calls to play (default 250)")
    parser.add_argument(
        "--concurrency", type=int, help="calls at once (default: --calls, all of them)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="load generator processes, calls dealt out among them (default 1; see bench/README)",
    )
    parser.add_argument("--think", default="0.5-2", help="seconds before each answer: MIN-MAX")
    parser.add_argument(
        "--listen",
        default="0.5-1",
        help="fraction of each prompt a caller hears before answering: MIN-MAX (default 0.5-1)",
    )
    parser.add_argument(
        "--no-listen", action="store_true", help="answer without hearing the prompts out"
    )
    parser.add_argument(
        "--no-think", action="store_true", help="answer at once, no listening (throughput)"
    )
    parser.add_argument(
        "--ramp", type=float, help="seconds over which calls start (default 10; 0 with --no-think)"
    )
    parser.add_argument("--warmup", type=int, help="unmeasured calls first (default: 2 per worker)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument(
        "--postgres-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="server (maintenance database) where the benchmark database is created and dropped",
    )
    parser.add_argument("--no-ceiling", action="store_true", help="skip the ceiling app")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run the floor app: signature check and a durable write, nothing else",
    )
    parser.add_argument(
        "--texting",
        type=float,
        nargs="?",
        const=0.2,
        metavar="DELAY",
        help="the line texts callers through a local stand-in for Twilio's Messages API that "
        "answers after DELAY seconds (default 0.2); every caller asks for the report number "
        "by text at the end",
    )
    parser.add_argument("--max-seconds", type=float, default=600, help="stop every call after")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args(argv)
    args.concurrency = args.concurrency or args.calls
    args.think_min, _, high = args.think.partition("-")
    args.think_min, args.think_max = float(args.think_min), float(high or args.think_min)
    args.listen_min, _, high = args.listen.partition("-")
    args.listen_min, args.listen_max = float(args.listen_min), float(high or args.listen_min)
    if not 0 <= args.listen_min <= args.listen_max <= 1:
        parser.error("--listen takes fractions of a prompt between 0 and 1, e.g. 0.5-1")
    if args.ramp is None:
        args.ramp = 0.0 if args.no_think else 10.0
    if args.warmup is None:
        args.warmup = 2 * args.workers
    if urlsplit(args.postgres_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--postgres-url must be a server on this machine (127.0.0.1)")

    rng = random.Random(args.seed)  # noqa: S311 - which script each caller plays
    names = sorted(SCRIPTS)
    scripts = [rng.choice(names) for _ in range(args.calls)]
    workdir = Path(tempfile.mkdtemp(prefix="tru-load-"))
    backend = "PostgreSQL" if args.postgres else "SQLite"
    database: Database | None = None
    texting = FakeMessagesApi(args.texting) if args.texting is not None else None
    try:
        database = (
            postgres_database(args.postgres_url) if args.postgres else sqlite_database(workdir)
        )
        migrate(database.url, clean_environment(TRU_ENV="production"))
        print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}")
        app = measure("line", LINE_APP, args, workdir, database, scripts, texting=texting)
        floor = None
        if args.floor:
            from bench.floor_app import create_schema

            create_schema(database.url)
            floor = measure(
                "floor",
                FLOOR_APP,
                args,
                workdir,
                database,
                scripts,
                replay=app.listened,
                stored=floor_counts,
            )
        ceiling = (
            measure("ceiling", CEILING_APP, args, workdir, None, scripts, replay=app.listened)
            if not args.no_ceiling
            else Figures("ceiling", 0, 0, 0, *(float("nan"),) * 4, 0, {}, 0)
        )
        ok = print_figures(app, ceiling, args, backend, floor)
    finally:
        if texting is not None:
            texting.close()
        if database is not None and database.admin_url:
            drop_postgres(database)
        if args.keep:
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
