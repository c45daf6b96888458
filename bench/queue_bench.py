"""Time the staff queue at 100,000 reports: run `.venv/bin/python bench/queue_bench.py`.

Builds a fresh SQLite database (in a temporary folder) with the Alembic migrations, fills it with
100,000 calls and reports spread over two years, and prints the median and 95th percentile time
of one queue page (`ivr.staff.review.queue`: the page and its capped count) for several filter
combinations, with the query plan's use of indexes under --explain.

With TRU_BENCH_DATABASE_URL set (postgresql://user@host/db) the same runs on PostgreSQL too.
That database is EMPTIED first (every TRU table dropped and rebuilt): never point it at data you
want to keep, nor at the database the test suite is using at the same time.

Options: --reports N (default 100000), --runs N timings per case (default 25), --explain,
--no-sqlite (PostgreSQL only).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ivr import db  # noqa: E402
from ivr.config import database_url  # noqa: E402
from ivr.models import Base, Call, Report  # noqa: E402
from ivr.reports import report_number  # noqa: E402
from ivr.staff.audit import DROP_TRIGGERS, DROP_TRUNCATE_TRIGGERS  # noqa: E402
from ivr.staff.review import Filters, filtered, queue  # noqa: E402

FIRST = ["Maria", "James", "Ana", "Sam", "Lee", "Kim", "Pat", "José", "Dana", "Chris", "Robin"]
LAST = ["Lopez", "Carter", "Pérez", "Jones", "Smith", "Nguyen", "Brown", "García", "Kim", "Hill"]
ITEMS = ["a brown leather wallet", "a black phone", "my keys", "a blue mountain bike", "a laptop"]
STATUSES = [
    ("new", 40),
    ("partial", 10),
    ("not_taken", 8),
    ("in_review", 10),
    ("approved", 15),
    ("needs_callback", 3),
    ("referred_to_officer", 3),
    ("duplicate", 1),
    ("closed", 10),
]
TYPES = [("lost_property", 50), ("larceny", 40), ("traffic_accident", 10)]
OUTCOMES = [
    ("tru_report", 70),
    ("online_report", 10),
    ("traffic_vendor", 9),
    ("emergency_911", 5),
    ("officer", 5),
    ("referral_311", 1),
]
START = datetime(2025, 1, 1, 11, 0, tzinfo=UTC)
SPAN = timedelta(days=730)


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def fresh(url: str) -> None:
    engine = db.make_engine(url, pooled=False)
    with engine.begin() as connection:
        dialect = connection.dialect.name
        # The TRUNCATE trigger first: it uses the function DROP_TRIGGERS drops.
        for statement in DROP_TRUNCATE_TRIGGERS.get(dialect, []) + DROP_TRIGGERS.get(dialect, []):
            connection.execute(text(statement))
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    db.upgrade(url)


def fill(url: str, count: int, seed: int = 7) -> dict[str, Any]:
    """`count` calls with one report each, oldest first; returns values to search for."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    engine = db.make_engine(url, pooled=False)
    step = SPAN / count
    probes: dict[str, Any] = {}
    with engine.begin() as connection:
        batch = 5000
        for start in range(0, count, batch):
            calls, reports = [], []
            for i in range(start, min(count, start + batch)):
                ident = i + 1
                at = START + step * i + timedelta(seconds=rng.randint(0, 30))
                phone = f"+1410{rng.randint(2000000, 9999999)}"
                status = pick(rng, STATUSES)
                kind = pick(rng, TYPES)
                outcome = pick(rng, OUTCOMES)
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                language = "es" if rng.random() < 0.2 else "en"
                calls.append(
                    {
                        "id": ident,
                        "call_sid": f"CA{ident:032x}",
                        "caller": phone,
                        "status": "completed",
                        "language": language,
                        "line_open": True,
                        "step": 20,
                        "attempts": 0,
                        "disposition": outcome,
                        "facts": {},
                        "started_at": at,
                        "updated_at": at,
                    }
                )
                fields = {
                    "item": rng.choice(ITEMS),
                    "description": "brown leather with a silver zipper",
                    "value": rng.randint(5, 3000),
                    "where": "on the number 3 bus on Charles Street",
                    "when": (at - timedelta(days=1)).date().isoformat(),
                    "caller_name": name,
                    "callback_number": phone,
                }
                reports.append(
                    {
                        "id": ident,
                        "number": report_number(ident, at.year),
                        "call_id": ident,
                        "type": kind,
                        "status": status,
                        "language": language,
                        "caller_number": phone,
                        "callback_number": phone,
                        "needs_callback": status in ("partial", "needs_callback"),
                        "callback_requested": status in ("partial", "needs_callback"),
                        "fields": fields,
                        "triage": {"outcome": outcome, "reasons": ["no red flags"]},
                        "created_at": at,
                        "updated_at": at,
                        "completed_at": None if status == "partial" else at,
                    }
                )
                if ident == count // 3:
                    probes = {"number": reports[-1]["number"], "phone": phone}
            connection.execute(insert(Call), calls)
            connection.execute(insert(Report), reports)
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE calls"))
            connection.execute(text("ANALYZE reports"))
        else:
            connection.execute(text("ANALYZE"))
    engine.dispose()
    return probes


def cases(probes: dict[str, Any]) -> list[tuple[str, dict[str, str], int]]:
    """(label, query string, page) as the queue page would receive them."""
    phone = probes["phone"]
    pretty = f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"
    return [
        ("no filter, page 1", {}, 1),
        ("no filter, page 100", {}, 100),
        ("no filter, page 2000 (last)", {}, 2000),
        ("status=partial", {"status": "partial"}, 1),
        ("status=duplicate (rare)", {"status": "duplicate"}, 1),
        ("status=duplicate, page 10", {"status": "duplicate"}, 10),
        ("type=larceny language=es", {"type": "larceny", "language": "es"}, 1),
        ("disposition=emergency_911", {"disposition": "emergency_911"}, 1),
        ("disposition=referral_311 (rare)", {"disposition": "referral_311"}, 1),
        (
            "disposition+type+language (rarest)",
            {"disposition": "referral_311", "type": "traffic_accident", "language": "es"},
            1,
        ),
        ("one week", {"from": "2026-03-02", "to": "2026-03-08"}, 1),
        (
            "one week, status=approved",
            {"from": "2026-03-02", "to": "2026-03-08", "status": "approved"},
            1,
        ),
        ("flagged (partial or callback)", {"flagged": "1"}, 1),
        ("q=report number", {"q": probes["number"]}, 1),
        ("q=phone (410) ...", {"q": pretty}, 1),
        ("q=name 'lopez' (common)", {"q": "lopez"}, 1),
        ("q=name 'maria lopez'", {"q": "maria lopez"}, 1),
        ("q=name 'zelda' (no match)", {"q": "zelda"}, 1),
        ("q=name + one month", {"q": "carter", "from": "2026-02-01", "to": "2026-02-28"}, 1),
        (
            "type+disposition+language+month",
            {
                "type": "larceny",
                "disposition": "tru_report",
                "language": "es",
                "from": "2026-01-01",
                "to": "2026-01-31",
            },
            1,
        ),
    ]


def timed(run: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    run()  # warm the cache and the statement cache
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, result


def explain(session: Session, filters: Filters, page: int) -> str:
    query = filtered(session, filters).limit(51).offset((page - 1) * 50)
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    dialect = session.get_bind().dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    rows = session.execute(text(prefix + str(compiled))).all()
    if dialect == "sqlite":
        return " | ".join(str(row[-1]) for row in rows)
    return " | ".join(str(row[0]).strip() for row in rows[:4])


def bench(label: str, url: str, count: int, runs: int, show_plan: bool) -> bool:
    print(f"\n== {label}: {count:,} reports ==")
    started = time.perf_counter()
    fresh(url)
    probes = fill(url, count)
    print(f"filled in {time.perf_counter() - started:.1f} s")
    engine = db.make_engine(url, timeout=30.0)
    slow = False
    print(f"{'case':<36} {'median':>9} {'p95':>9}  rows  total")
    with Session(engine) as session:
        for name, args, page in cases(probes):
            filters = Filters.from_args(args)
            median, p95, result = timed(lambda f=filters, p=page: queue(session, f, p), runs)
            total = "-" if result.total is None else f"{result.total:,}"
            flag = "  SLOW" if p95 >= 100 else ""
            slow = slow or bool(flag)
            print(
                f"{name:<36} {median:7.1f}ms {p95:7.1f}ms  {len(result.reports):>4}  {total}{flag}"
            )
            if show_plan:
                print(f"    plan: {explain(session, filters, page)}")
            session.expunge_all()
    engine.dispose()
    return not slow


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args(argv)
    ok = True
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            ok = bench("SQLite", url, args.reports, args.runs, args.explain) and ok
    raw = os.environ.get("TRU_BENCH_DATABASE_URL")
    if raw:
        url = database_url({"TRU_DATABASE_URL": raw}, "")
        ok = bench("PostgreSQL", url, args.reports, args.runs, args.explain) and ok
    elif args.no_sqlite:
        print("--no-sqlite given but TRU_BENCH_DATABASE_URL is not set", file=sys.stderr)
        return 2
    print("\nall cases under 100 ms at p95" if ok else "\nsome cases took 100 ms or more at p95")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
