"""Fixtures: an app on a fresh database per test, a clock tests can set, and Twilio's side.

The database is SQLite in a temporary folder by default; set TRU_TEST_DATABASE_URL (CI sets it to
the PostgreSQL server) to run the same tests against PostgreSQL. The schema is built once per run
with the Alembic migrations, exactly as production builds it, and emptied after every test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, text

from ivr import create_app, db
from ivr.config import database_url
from ivr.models import Base
from ivr.staff.audit import DROP_TRIGGERS, TRIGGERS
from tests.twilio_sim import SimCall, Twilio

BALTIMORE = ZoneInfo("America/New_York")
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
XSD_DIR = Path(
    os.environ.get("TRU_TWIML_XSD_DIR")
    or Path(__file__).resolve().parents[2] / "shared" / "twiml-xsd"
)
XSD_FILE = XSD_DIR / "twiml_v20100401_twilioRealtimeCallSchema.xsd"

#: A Wednesday morning: the TRU is open.
OPEN_TIME = datetime(2026, 12, 2, 10, 0, tzinfo=BALTIMORE)


@dataclass
class Clock:
    now: datetime = OPEN_TIME

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def database_url_for_tests(tmp_path_factory: pytest.TempPathFactory) -> str:
    raw = os.environ.get("TRU_TEST_DATABASE_URL")
    url = (
        database_url({"TRU_DATABASE_URL": raw}, "")
        if raw
        else f"sqlite:///{tmp_path_factory.mktemp('db') / 'tru-test.sqlite3'}"
    )
    engine = db.make_engine(url, pooled=False)
    with engine.begin() as connection:
        # Start from nothing even if an earlier run died half-way.
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    db.upgrade(url)
    return url


@pytest.fixture(scope="session")
def twiml_schema():
    if not XSD_FILE.is_file():
        return None
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(XSD_FILE)))


@pytest.fixture
def check_twiml(twiml_schema) -> Callable[[str], None]:
    """`check_twiml(body)` fails the test unless body is TwiML Twilio's schema accepts; for
    replies that do not come through `Twilio.post` (other clients, real servers). Like every
    other schema check it does nothing where ../shared/twiml-xsd is absent (see
    test_twiml_schema_is_available_for_the_checks, which skips saying so)."""
    return Twilio(client=None, auth_token=AUTH_TOKEN, schema=twiml_schema).check_schema


@pytest.fixture
def clock() -> Clock:
    return Clock()


def app_settings(database_url: str, clock: Clock, **overrides: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "TRU_ENV": "test",
        "TESTING": True,
        "DATABASE_URL": database_url,
        "DATABASE_TIMEOUT": 2.0,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
        "SECRET_KEY": "test-secret-key",
        "CLOCK": clock,
        "OPERATOR_NUMBER": None,
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def app(database_url_for_tests: str, clock: Clock) -> Iterator:
    app = create_app(app_settings(database_url_for_tests, clock))
    yield app
    app.extensions["tru.courier"].drain(timeout=30)  # no text still writing to the database
    engine = db.engine_of(app)
    empty_database(engine)
    engine.dispose()


def empty_database(engine) -> None:
    """Every table emptied for the next test. The audit trail refuses DELETE and TRUNCATE (that
    is the point), so its triggers step aside for this cleanup only, inside its transaction: on
    PostgreSQL the TRUNCATE trigger is disabled (the suite connects as the tables' owner, which
    may do that) and enabled again before the commit; on SQLite they are dropped and put back.
    A failure rolls back with the triggers as they were."""
    with engine.begin() as connection:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            guard = "audit_events_no_truncate"
            connection.execute(text(f"ALTER TABLE audit_events DISABLE TRIGGER {guard}"))
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            connection.execute(text(f"ALTER TABLE audit_events ENABLE TRIGGER {guard}"))
            return
        for statement in DROP_TRIGGERS.get(dialect, []):
            connection.execute(text(statement))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        for statement in TRIGGERS.get(dialect, []):
            connection.execute(text(statement))


@pytest.fixture
def make_app(database_url_for_tests: str, clock: Clock) -> Iterator:
    """Build extra apps with other settings; their connection pools are closed afterwards."""
    made = []

    def build(database_url: str | None = None, **overrides: object):
        built = create_app(app_settings(database_url or database_url_for_tests, clock, **overrides))
        made.append(built)
        return built

    yield build
    for built in made:
        built.extensions["tru.courier"].drain(timeout=30)
        db.engine_of(built).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def twilio(client, twiml_schema) -> Twilio:
    return Twilio(client=client, auth_token=AUTH_TOKEN, schema=twiml_schema)


@pytest.fixture
def call(twilio: Twilio) -> SimCall:
    return SimCall(twilio)


@pytest.fixture
def session(app):
    """A database session outside any request, for asserting what was stored."""
    factory = app.extensions["tru.db"]
    with factory() as session:
        yield session


def table_names(app) -> set[str]:
    return set(inspect(db.engine_of(app)).get_table_names())
