"""Where a webhook's CPU goes: `.venv/bin/python bench/webhook_parts.py [--postgres]`.

Plays the load benchmark's complete report calls (`bench/load.py`'s SCRIPTS, signed, every
TwiML action followed) through the line in this process, with the Flask test client instead of
gunicorn, and times the app's parts with `time.process_time` around each: no profiler, whose
per-call overhead would inflate the ORM's many small calls. It prints, per webhook, the app's
CPU in all and each part's, with its share. Indented rows happen inside the rows above them (the
flushes, statements and commits inside the load and the commit, and earlier autoflushes); "the
rest" is what the unindented parts leave: Flask, the flows' own bookkeeping, storing recordings...

The database is a fresh SQLite file in a temporary folder, or with --postgres a database of its
own on the server of --postgres-url, dropped at the end. The hours are always open, as in the
load benchmark. Options: --calls N measured calls (60), --warmup N calls first (8), --runs N
(3: the machine's speed may drift, the shares hold).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_DIALECT = "sqlalchemy.engine.default:DefaultDialect"
#: (label, depth, where, attribute): each part timed, in the order printed. Depth 0 parts do not
#: overlap one another, so what they leave of the app's time is "the rest".
PARTS: list[tuple[str, int, str, str]] = [
    ("the signature check, the form parse and URL", 0, "ivr.web.signature", "is_signed_by_twilio"),
    ("find_call_at_step: the ORM loads the call", 0, "ivr.calls", "find_call_at_step"),
    ("the flow's move (advance: the caller's input read)", 0, "ivr.line", "advance"),
    ("the red-flag scan of what the caller said", 0, "ivr.line", "red_flags"),
    ("the prompt context (hours, next opening, numbers)", 0, "ivr.line:Line", "_context"),
    ("render: entering the next state, its prompts, the TwiML tree", 0, "ivr.line", "render"),
    ("the TwiML tree to XML", 0, "twilio.twiml:TwiML", "to_xml"),
    ("Session.commit: the ORM's flush and the commit", 0, "sqlalchemy.orm:Session", "commit"),
    ("every ORM flush (the commit's and earlier ones)", 1, "sqlalchemy.orm:Session", "flush"),
    ("the database's own work: statements", 1, _DIALECT, "do_execute"),
    ("the database's own work: commits", 1, _DIALECT, "do_commit"),
]


def _owner(where: str) -> Any:
    import importlib

    module, _, cls = where.partition(":")
    found = importlib.import_module(module)
    return getattr(found, cls) if cls else found


@contextlib.contextmanager
def timed_parts(spent: Counter[str], calls: Counter[str]) -> Iterator[None]:
    """Wrap each of PARTS to add its CPU seconds to `spent`; unwrapped again on exit."""
    originals = []
    for label, _depth, where, name in PARTS:
        owner = _owner(where)
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        originals.append((owner, name, original))

        def wrapper(*args: Any, _f: Callable = original, _label: str = label, **kwargs: Any):
            started = time.process_time()
            try:
                return _f(*args, **kwargs)
            finally:
                spent[_label] += time.process_time() - started
                calls[_label] += 1

        setattr(owner, name, wrapper)
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def run(url: str, args: argparse.Namespace) -> None:
    import secrets

    from bench.load import ALWAYS_OPEN, SCRIPTS
    from ivr import create_app, db
    from ivr.config import load_config
    from ivr.softphone import InProcessTransport, run_call

    db.upgrade(url)
    token = secrets.token_hex(16)
    # The load benchmark's settings (hours always open), read as the app reads its environment.
    environment = {
        **ALWAYS_OPEN,
        "TRU_ENV": "production",
        "TWILIO_AUTH_TOKEN": token,
        "TRU_SECRET_KEY": secrets.token_hex(32),
        "TRU_DATABASE_URL": url,
    }
    app = create_app(load_config(environment, ROOT / "instance"))
    app_cpu = [0.0, 0]
    inner = app.wsgi_app

    def timed_app(environ: Any, start_response: Any) -> Any:
        started = time.process_time()
        try:
            return inner(environ, start_response)
        finally:
            app_cpu[0] += time.process_time() - started
            app_cpu[1] += 1

    app.wsgi_app = timed_app  # type: ignore[method-assign]
    transport = InProcessTransport(app, token, "http://127.0.0.1:8000")
    names = sorted(SCRIPTS)

    def calls(count: int) -> None:
        for i in range(count):
            run_call(
                transport,
                "/voice",
                status_url="/voice/status",
                keys=iter(SCRIPTS[names[i % len(names)]]),
                out=lambda _line: None,
                max_requests=60,
            )

    calls(args.warmup)
    for number in range(1, args.runs + 1):
        spent: Counter[str] = Counter()
        counted: Counter[str] = Counter()
        app_cpu[:] = [0.0, 0]
        with timed_parts(spent, counted):
            calls(args.calls)
        total, webhooks = app_cpu
        print(f"\nrun {number}: {args.calls} calls, {webhooks} webhooks")
        print(f"{'ms a webhook':>12} {'share':>6} {'calls':>6}  part")
        print(f"{1000 * total / webhooks:12.3f} {100:5.0f}% {1:6.2f}  the app, in all")
        top = 0.0
        for label, depth, _where, _name in PARTS:
            top += spent[label] if depth == 0 else 0.0
            print(
                f"{1000 * spent[label] / webhooks:12.3f} {100 * spent[label] / total:5.0f}% "
                f"{counted[label] / webhooks:6.2f}  {'  ' * depth}{label}"
            )
        rest = total - top
        print(f"{1000 * rest / webhooks:12.3f} {100 * rest / total:5.0f}% {'':>6}  the rest")
    db.engine_of(app).dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args(argv)
    if args.postgres:
        from bench.load import drop_postgres, postgres_database

        database = postgres_database(args.postgres_url)
        try:
            print("== PostgreSQL")
            run(database.url, args)
        finally:
            drop_postgres(database)
    else:
        with tempfile.TemporaryDirectory() as folder:
            print("== SQLite")
            run(f"sqlite:///{Path(folder) / 'parts.sqlite3'}", args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
