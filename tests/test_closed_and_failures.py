"""The closed line, and a caller never failed: database outages and errors get spoken TwiML."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
from sqlalchemy import select

from ivr.models import Answer, Call
from tests.conftest import AUTH_TOKEN, BALTIMORE
from tests.twilio_sim import SimCall, Twilio


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BALTIMORE)


@pytest.mark.parametrize(
    ("now", "is_open"),
    [
        (at(2026, 12, 2, 5, 59), False),
        (at(2026, 12, 2, 6, 0), True),
        (at(2026, 12, 2, 22, 59), True),
        (at(2026, 12, 2, 23, 0), False),
        (at(2026, 12, 5, 12, 0), False),  # Saturday
        (at(2026, 11, 26, 12, 0), False),  # Thanksgiving
    ],
)
def test_the_hours_decide_between_the_menu_and_the_closed_message(call, clock, now, is_open):
    clock.now = now
    reply = call.dial_in()
    assert (reply.gather is not None) is is_open
    assert ("We are closed right now" in reply.spoken) is (not is_open)


@pytest.mark.parametrize(
    ("now", "english", "spanish"),
    [
        (at(2026, 12, 4, 23, 0), "We open again Monday at 6 a.m.", "el lunes a las 6 de la mañana"),
        (at(2026, 12, 2, 5, 30), "We open again today at 6 a.m.", "hoy a las 6 de la mañana"),
        (
            at(2026, 12, 2, 23, 30),
            "We open again tomorrow at 6 a.m.",
            "mañana a las 6 de la mañana",
        ),
        # Friday after Thanksgiving is a Maryland holiday: Thursday night -> Monday.
        (at(2026, 11, 25, 23, 15), "We open again Monday at 6 a.m.", "el lunes a las 6"),
    ],
)
def test_closed_callers_hear_when_the_tru_opens_next(call, clock, session, now, english, spanish):
    clock.now = now
    reply = call.dial_in()
    assert english in reply.spoken
    assert spanish in reply.spoken
    assert "Monday through Friday, 6 a.m. to 11 p.m." in reply.spoken
    assert "hang up and dial 9 1 1" in reply.spoken
    assert "report online" in reply.spoken
    assert "baltimorepolice dot org" in reply.spoken
    assert reply.hangs_up
    assert reply.gather is None, "no report is taken while closed"
    stored = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
    assert stored.line_open is False
    assert stored.disposition == "online_report"
    assert [(a.state, a.outcome) for a in stored.answers] == [("(arrival)", "closed")]


def test_a_step_arriving_after_closing_time_continues_the_call(call, clock):
    clock.now = at(2026, 12, 2, 22, 59)
    call.dial_in()
    clock.now = at(2026, 12, 2, 23, 0, 30)
    reply = call.press("1")
    assert "press 0" in reply.spoken


def test_a_closed_call_that_presses_keys_anyway_is_not_advanced(call, clock, session, twilio):
    clock.now = at(2026, 12, 5, 9, 0)
    call.dial_in()
    response = twilio.post("/voice/step/1?lang=en", call.params(Digits="1"))
    assert response.status_code == 200
    assert b"<Hangup" in response.data
    stored = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
    assert [a.step for a in stored.answers] == [0]


DEAD_DATABASE = "postgresql+psycopg://tru@127.0.0.1:9/none"


@pytest.fixture
def dead_database_app(make_app):
    """The app pointed at a PostgreSQL port where nothing listens: every query fails fast."""
    return make_app(DEAD_DATABASE, DATABASE_TIMEOUT=1.0)


@pytest.mark.parametrize("path", ["/voice", "/voice/step/3?lang=es", "/voice/status"])
def test_database_outage_is_answered_with_spoken_twiml(dead_database_app, twiml_schema, path):
    twilio = Twilio(dead_database_app.test_client(), AUTH_TOKEN, twiml_schema)
    call = SimCall(twilio)
    response = twilio.post(path, call.params(Digits="1"))
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    if path != "/voice/status":
        body = response.get_data(as_text=True)
        assert ("La línea de reportes tiene un problema técnico" in body) or (
            "technical problem" in body
        )
        assert "9 1 1" in body
        assert "<Hangup" in body


def test_database_outage_speaks_in_the_callers_language(dead_database_app, twiml_schema):
    twilio = Twilio(dead_database_app.test_client(), AUTH_TOKEN, twiml_schema)
    body = twilio.post("/voice/step/3?lang=es", SimCall(twilio).params(Digits="1")).get_data(
        as_text=True
    )
    assert "problema técnico" in body
    assert "technical problem" not in body


def test_database_outage_transfers_to_staff_while_open(make_app, twiml_schema):
    app = make_app(DEAD_DATABASE, DATABASE_TIMEOUT=1.0, OPERATOR_NUMBER="+14105550100")
    twilio = Twilio(app.test_client(), AUTH_TOKEN, twiml_schema)
    body = twilio.post("/voice", SimCall(twilio).params()).get_data(as_text=True)
    assert "<Dial" in body and "+14105550100" in body


def test_healthz_reports_an_unreachable_database(dead_database_app):
    response = dead_database_app.test_client().get("/healthz")
    assert response.get_json() == {"status": "degraded", "app": "ok", "database": "unreachable"}


def test_an_unexpected_error_is_logged_without_personal_data(app, call, caplog, monkeypatch):
    from ivr import line as line_module

    def broken(*args, **kwargs):
        raise RuntimeError("caller said 12 Elm Street, phone +14105550123")

    monkeypatch.setattr(line_module, "advance", broken)
    call.dial_in()
    with caplog.at_level("ERROR"):
        reply = call.press("1")
    assert "technical problem" in reply.spoken
    assert reply.hangs_up
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "RuntimeError" in logged
    assert "Elm Street" not in logged
    assert "+14105550123" not in logged


def test_a_failed_step_stores_no_half_answer(app, call, session, monkeypatch):
    from ivr import line as line_module

    call.dial_in()
    monkeypatch.setattr(line_module, "render", lambda *a, **k: 1 / 0)
    reply = call.press("1")
    assert "technical problem" in reply.spoken
    assert [a.step for a in session.scalars(select(Answer))] == [0]


def test_a_webhook_over_its_time_budget_is_answered_with_the_fallback(make_app, twiml_schema):
    slow = make_app(WEBHOOK_BUDGET=0.0)
    twilio = Twilio(slow.test_client(), AUTH_TOKEN, twiml_schema)
    response = twilio.post("/voice", SimCall(twilio).params())
    assert response.status_code == 200
    assert b"technical problem" in response.data


@pytest.mark.skipif(
    not os.environ.get("TRU_TEST_DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL's statement_timeout (set TRU_TEST_DATABASE_URL)",
)
def test_a_slow_database_is_cut_off_by_the_statement_timeout(make_app, monkeypatch, twiml_schema):
    import time

    from sqlalchemy import text

    from ivr import line as line_module

    app = make_app(DATABASE_TIMEOUT=1.0)
    original = line_module.calls.get_or_create_call

    def slow_database(session, *args, **kwargs):
        session.execute(text("SELECT pg_sleep(5)"))
        return original(session, *args, **kwargs)

    monkeypatch.setattr(line_module.calls, "get_or_create_call", slow_database)
    twilio = Twilio(app.test_client(), AUTH_TOKEN, twiml_schema)
    started = time.monotonic()
    response = twilio.post("/voice", SimCall(twilio).params())
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    assert b"technical problem" in response.data
