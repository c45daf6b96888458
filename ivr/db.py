"""The database: one engine per app, one session per request, migrations through Alembic."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, timeout: float = 5.0, pooled: bool = True) -> Engine:
    """An engine that fails fast: a caller waits on every query, and Twilio gives up at 15 s."""
    connect_args: dict[str, Any] = {}
    # A server connection can die under the pool (a restart, a failover): each checkout tests
    # it first. A SQLite file has no connection to lose, so it skips the test query.
    options: dict[str, Any] = {"pool_pre_ping": not url.startswith("sqlite")}
    if not pooled:
        options["poolclass"] = NullPool
    if url.startswith("sqlite"):
        # Busy wait for the writer lock instead of failing at once when workers share the file.
        connect_args["timeout"] = timeout
    elif url.startswith("postgresql"):
        connect_args["connect_timeout"] = max(1, int(timeout))
        connect_args["options"] = f"-c statement_timeout={int(timeout * 1000)}"
        if pooled:
            options["pool_timeout"] = timeout
    engine = create_engine(url, connect_args=connect_args, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets several gunicorn workers read while one writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(url: str) -> AlembicConfig:
    # Alembic is imported here, not with the module: the web workers never migrate, and
    # importing it would cost each of them 0.1 s of CPU at boot and 11 MB for good.
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would read a "%" in a password as a placeholder.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at `url` up to `revision` (the Procfile's release step runs this)."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    command.upgrade(alembic_config(url), revision)


class OverBudget(TimeoutError):
    """The webhook has used its time: the caller gets the spoken fallback, not a hang."""


def _within_budget(
    conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any, many: Any
) -> None:
    # Each statement is bounded by the database timeout; this bounds their sum, so a slow
    # database cannot hold a webhook past Twilio's 15 seconds.
    if has_request_context():
        deadline = g.get("deadline")
        if deadline is not None and time.monotonic() > deadline:
            raise OverBudget("the webhook's time budget is spent")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], timeout=app.config["DATABASE_TIMEOUT"])
    event.listen(engine, "before_cursor_execute", _within_budget)
    app.extensions["tru.db"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine_of(app: Flask) -> Engine:
    factory: sessionmaker[Session] = app.extensions["tru.db"]
    bind = factory.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


def session() -> Session:
    """This request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["tru.db"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def ping(app: Flask) -> bool:
    """Can the database answer a query right now?"""
    try:
        with engine_of(app).connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
