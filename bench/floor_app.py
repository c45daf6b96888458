"""The floor for `bench/load.py`: the least a webhook of the line must do, on this stack.

Between the ceiling (`bench/ceiling_app.py`, a constant <Gather> and nothing else) and TRU Line
lies work no implementation of the line may skip. Each webhook here does only that:

1. checks X-Twilio-Signature, with the line's own check (`ivr.web.signature`), 403 otherwise;
2. in one transaction on the line's engine (`ivr.db.make_engine`: the same pool, timeouts and
   SQLite settings): finds or makes the call's row, stores the caller's input once under
   (call, step), so a retried webhook stores nothing twice, moves the call's step on, commits;
3. answers with a constant <Gather> whose action is the next step.

No flows, no triage, no ORM: SQLAlchemy Core, one SELECT, one INSERT, one UPDATE and the commit.
Its tables (`floor_calls`, `floor_answers`) live beside the line's in the benchmark's database;
`create_schema` makes them before gunicorn starts.

    gunicorn ... 'bench.floor_app:create_app()'   (run from the repository root)
"""

from __future__ import annotations

import os

from flask import Flask, Response, abort, request
from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from ivr import db
from ivr.config import database_url
from ivr.web.signature import is_signed_by_twilio

metadata = MetaData()
calls = Table(
    "floor_calls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("call_sid", String(64), nullable=False, unique=True),
    Column("step", Integer, nullable=False),
)
answers = Table(
    "floor_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("call_id", ForeignKey("floor_calls.id"), nullable=False),
    Column("step", Integer, nullable=False),
    Column("digits", String(40)),
    Column("speech", String(2000)),
    UniqueConstraint("call_id", "step"),
)

_FIND = select(calls.c.id).where(calls.c.call_sid == bindparam("sid"))
_NEW = insert(calls).values(call_sid=bindparam("sid"), step=0).returning(calls.c.id)
_STORE = insert(answers)
_MOVE = update(calls).where(calls.c.id == bindparam("cid")).values(step=bindparam("next"))

_GATHER = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Gather action="/voice/step/{step}?lang=en" actionOnEmptyResult="true" input="dtmf speech" '
    'language="en-US" timeout="5">'
    '<Say language="en-US" voice="Polly.Joanna-Neural">Press 1 or say yes.</Say>'
    "</Gather></Response>"
)


def _url() -> str:
    return database_url(os.environ, "")


def create_schema(url: str) -> None:
    engine = db.make_engine(database_url({"TRU_DATABASE_URL": url}, ""), pooled=False)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def stored_answers(url: str, call_sids: list[str]) -> dict[str, int]:
    """Answers stored per call SID (for the benchmark's lost-answer count)."""
    engine = db.make_engine(database_url({"TRU_DATABASE_URL": url}, ""), pooled=False)
    found: dict[str, int] = {}
    try:
        with engine.connect() as conn:
            for start in range(0, len(call_sids), 500):
                rows = conn.execute(
                    select(calls.c.call_sid, func.count(answers.c.id))
                    .join(answers, answers.c.call_id == calls.c.id, isouter=True)
                    .where(calls.c.call_sid.in_(call_sids[start : start + 500]))
                    .group_by(calls.c.call_sid)
                )
                found.update({sid: n for sid, n in rows})
    finally:
        engine.dispose()
    return found


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["TWILIO_AUTH_TOKEN"] = os.environ["TWILIO_AUTH_TOKEN"]
    engine = db.make_engine(_url())
    app.extensions["floor.engine"] = engine

    def store(step: int) -> None:
        sid = request.form.get("CallSid", "")[:64]
        with engine.connect() as conn:
            try:
                with conn.begin():
                    call_id = conn.scalar(_FIND, {"sid": sid})
                    if call_id is None:
                        call_id = conn.scalar(_NEW, {"sid": sid})
                    conn.execute(
                        _STORE,
                        {
                            "call_id": call_id,
                            "step": step,
                            "digits": request.form.get("Digits", "")[:40] or None,
                            "speech": request.form.get("SpeechResult", "")[:2000] or None,
                        },
                    )
                    conn.execute(_MOVE, {"cid": call_id, "next": step + 1})
            except IntegrityError:
                pass  # a retry of a stored step (or a racing first webhook): nothing twice

    def answer(step: int) -> Response:
        if not is_signed_by_twilio():
            abort(403)
        store(step)
        return Response(_GATHER.format(step=step + 1), mimetype="text/xml")

    @app.post("/voice")
    def incoming() -> Response:
        return answer(0)

    @app.post("/voice/step/<int:step>")
    def step(step: int) -> Response:
        return answer(step)

    @app.post("/voice/<path:other>")
    def callback(other: str) -> Response:
        if not is_signed_by_twilio():
            abort(403)
        return Response("<Response/>", mimetype="text/xml")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status": "ok"}', mimetype="application/json")

    return app
