"""The closed line, and a caller never failed: database outages and errors get spoken TwiML."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
from sqlalchemy import select

from ivr.models import Answer, Call
from tests.conftest import AUTH_TOKEN, BALTIMORE
from tests.twilio_sim import Reply, SimCall, Twilio


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


#: The spoken fallback while no staff number is set: the apology, 911, then where to go instead
#: (the online report, calling back); the TRU's own number and the default online-report site.
FALLBACK_EN = [
    "We're sorry. The reporting line is having a technical problem and cannot take your call "
    "right now.",
    "If this is an emergency, hang up and dial 9 1 1.",
    "You can also make a report online, at any time, at baltimorepolice dot org slash online "
    "reporting.",
    "Please call us back later, at 4 1 0, 6 3 7, 8 8 4 9.",
    "Thank you for calling. Goodbye.",
]
FALLBACK_ES = [
    "Lo sentimos. La línea de reportes tiene un problema técnico y no puede atender su llamada "
    "en este momento.",
    "Si es una emergencia, cuelgue y marque el 9 1 1.",
    "También puede hacer un reporte por internet, a cualquier hora, en baltimorepolice punto org "
    "barra online reporting.",
    "Por favor llámenos más tarde, al 4 1 0, 6 3 7, 8 8 4 9.",
    "Gracias por llamar. Adiós.",
]


def says(verbs) -> list[tuple[str | None, str]]:
    """Each <Say> among the verbs (a reply's root, or some of its children) as (language, words)."""
    return [(verb.get("language"), "".join(verb.itertext())) for verb in verbs if verb.tag == "Say"]


def outage_reply(app, schema, path: str) -> Reply:
    twilio = Twilio(app.test_client(), AUTH_TOKEN, schema)
    response = twilio.post(path, SimCall(twilio).params(Digits="1"))
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return Reply(response.status_code, response.get_data(as_text=True), path)


@pytest.fixture
def dead_database_app(make_app):
    """The app pointed at a PostgreSQL port where nothing listens: every query fails fast."""
    return make_app(DEAD_DATABASE, DATABASE_TIMEOUT=1.0)


@pytest.mark.parametrize(
    ("path", "spoken"),
    [
        # No language chosen yet: both, English first.
        (
            "/voice",
            [("en-US", line) for line in FALLBACK_EN] + [("es-US", line) for line in FALLBACK_ES],
        ),
        ("/voice/step/3?lang=es", [("es-US", line) for line in FALLBACK_ES]),
        ("/voice/step/3?lang=en", [("en-US", line) for line in FALLBACK_EN]),
    ],
)
def test_database_outage_is_answered_with_spoken_twiml(
    dead_database_app, twiml_schema, path, spoken
):
    reply = outage_reply(dead_database_app, twiml_schema, path)
    assert says(reply.root) == spoken
    assert reply.verbs == ["Say"] * len(spoken) + ["Hangup"]


def test_database_outage_on_the_status_callback_is_still_answered_with_twiml(
    dead_database_app, twiml_schema
):
    # Twilio ignores TwiML on a status callback, but a 5xx there shows as an error on the call.
    reply = outage_reply(dead_database_app, twiml_schema, "/voice/status")
    assert says(reply.root) == [("en-US", line) for line in FALLBACK_EN] + [
        ("es-US", line) for line in FALLBACK_ES
    ]
    assert reply.hangs_up


def test_database_outage_speaks_in_the_callers_language(dead_database_app, twiml_schema):
    reply = outage_reply(dead_database_app, twiml_schema, "/voice/step/3?lang=es")
    assert {language for language, _ in says(reply.root)} == {"es-US"}
    assert "technical problem" not in reply.body


def test_database_outage_transfers_to_staff_while_open(make_app, twiml_schema):
    app = make_app(DEAD_DATABASE, DATABASE_TIMEOUT=1.0, OPERATOR_NUMBER="+14105550100")
    reply = outage_reply(app, twiml_schema, "/voice")
    dial = reply.root.find("Dial")
    assert (dial.text, dial.get("timeout")) == ("+14105550100", "25")
    verbs = list(reply.root)
    assert says(verbs[: verbs.index(dial)]) == [
        ("en-US", FALLBACK_EN[0]),
        ("en-US", FALLBACK_EN[1]),
        ("en-US", "Please hold while we connect you with a staff member."),
        ("es-US", FALLBACK_ES[0]),
        ("es-US", FALLBACK_ES[1]),
        ("es-US", "Por favor espere mientras le comunicamos con un miembro del personal."),
    ]
    # Nobody picks up: the caller still hears the online report and when to call back.
    assert says(verbs[verbs.index(dial) + 1 :]) == [("en-US", line) for line in FALLBACK_EN[2:]] + [
        ("es-US", line) for line in FALLBACK_ES[2:]
    ]
    assert reply.hangs_up


def test_database_outage_while_closed_offers_no_transfer(make_app, clock, twiml_schema):
    clock.now = at(2026, 12, 5, 12, 0)  # Saturday: nobody to put the caller through to
    app = make_app(DEAD_DATABASE, DATABASE_TIMEOUT=1.0, OPERATOR_NUMBER="+14105550100")
    reply = outage_reply(app, twiml_schema, "/voice/step/3?lang=en")
    assert says(reply.root) == [("en-US", line) for line in FALLBACK_EN]
    assert "Dial" not in reply.verbs


@pytest.mark.parametrize("path", ["/voice", "/voice/step/3?lang=es", "/voice/fallback"])
def test_when_the_spoken_fallback_fails_too_the_static_one_is_served(
    dead_database_app, twiml_schema, monkeypatch, caplog, path
):
    from ivr.announcements import Announcer
    from ivr.web.voice import LAST_RESORT

    def unreadable_prompts(self, language, *, line_open):
        raise KeyError("technical_problem")

    monkeypatch.setattr(Announcer, "technical_problem", unreadable_prompts)
    with caplog.at_level("ERROR"):
        reply = outage_reply(dead_database_app, twiml_schema, path)
    assert reply.body == LAST_RESORT
    assert reply.verbs == ["Say", "Say", "Hangup"]
    # Even the last resort names 911 and the next best path, calling back, in both languages.
    assert says(reply.root) == [
        (
            "en-US",
            "We are sorry. The Baltimore Police reporting line is having a technical problem. "
            "If this is an emergency, hang up and dial 9 1 1. Otherwise, please call back later.",
        ),
        (
            "es-US",
            "Lo sentimos. La línea de reportes tiene un problema técnico. Si es una emergencia, "
            "cuelgue y marque el 9 1 1. Si no, por favor llame más tarde.",
        ),
    ]
    assert "the spoken fallback itself failed; answering with the static one" in caplog.messages


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
