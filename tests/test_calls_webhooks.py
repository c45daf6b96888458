"""Whole calls driven through signed webhooks, as Twilio drives them, and what they leave stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ivr.models import Answer, Call, CallEvent
from tests.conftest import BALTIMORE
from tests.twilio_sim import SimCall


def stored_call(session, call: SimCall) -> Call:
    found = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
    assert found is not None
    return found


def test_open_line_greets_in_both_languages_and_asks_for_a_language(call, session):
    reply = call.dial_in()
    assert reply.verbs == ["Say", "Say", "Say", "Say", "Gather"]
    assert "Telephone Reporting Unit" in reply.spoken
    assert "hang up and dial 9 1 1" in reply.spoken
    assert "cuelgue y marque el 9 1 1" in reply.spoken
    gather = reply.gather
    assert gather.get("action") == "/voice/step/1?lang=en"
    assert gather.get("numDigits") == "1"
    assert gather.get("input") == "dtmf"
    assert [s.get("language") for s in gather.findall("Say")] == ["en-US", "es-US"]
    stored = stored_call(session, call)
    assert stored.caller == "+14105550123"
    assert stored.line_open is True
    assert stored.state == "language"
    assert stored.step == 1
    assert stored.started_at.tzinfo is not None


def test_spanish_caller_hears_the_menu_in_spanish_and_the_choice_is_stored(call, session):
    call.dial_in()
    reply = call.press("2")
    assert "oprima 0" in reply.spoken
    assert all(say.get("language") == "es-US" for say in reply.root.iter("Say"))
    assert reply.gather.get("action") == "/voice/step/2?lang=es"
    stored = stored_call(session, call)
    assert stored.language == "es"
    assert stored.state == "main_menu"
    answers = [(a.step, a.state, a.digits, a.outcome) for a in stored.answers]
    assert answers == [(0, "(arrival)", None, "open"), (1, "language", "2", "2")]


def test_something_else_keeps_the_callers_words_and_triages_them(call, session):
    call.dial_in()
    call.press("1")
    reply = call.press("4")
    assert reply.spoken == "In a few words, please tell us why you are calling."
    assert reply.gather.get("input") == "speech"
    assert reply.gather.get("language") == "en-US"
    reply = call.say("my neighbor's music is too loud")
    assert "This is handled by Baltimore City 3 1 1, not the police." in reply.spoken
    assert reply.hangs_up
    answers = stored_call(session, call).answers
    assert (answers[-1].state, answers[-1].speech, answers[-1].outcome) == (
        "ask_reason",
        "my neighbor's music is too loud",
        "done",
    )


def test_star_repeats_the_menu_without_counting_a_failure(call, session):
    call.dial_in()
    call.press("1")
    reply = call.press("*")
    assert "To report something you lost, press 1." in reply.spoken
    assert "Sorry" not in reply.spoken
    assert stored_call(session, call).attempts == 0


def test_silence_and_wrong_keys_reprompt_then_offer_a_person(call, session):
    call.dial_in()
    call.press("1")
    reply = call.silence()
    assert reply.spoken.startswith("Sorry, I didn't hear a choice.")
    assert reply.gather is not None
    reply = call.press("7")
    assert reply.spoken.startswith("Sorry, that is not one of the choices.")
    assert stored_call(session, call).attempts == 2
    # Third failure: no staff number is configured, so the caller is told how else to report.
    reply = call.press("9")
    assert "could not understand each other" in reply.spoken
    assert "no staff member is available" in reply.spoken
    assert "online" in reply.spoken
    assert "4 1 0, 6 3 7, 8 8 4 9" in reply.spoken
    # No dead end: the caller may go back to the menu, or hang up; silence says goodbye.
    assert "To go back to the main menu, press 1" in reply.spoken
    reply = call.press("1")
    assert "To report something you lost, press 1" in reply.spoken
    call.press("0")
    reply = call.silence()
    assert "Goodbye" in reply.spoken
    assert reply.hangs_up


def test_garbage_digits_are_a_wrong_key_not_an_error(call):
    call.dial_in()
    call.press("1")
    reply = call.press("1'; DROP TABLE calls;--")
    assert reply.spoken.startswith("Sorry, that is not one of the choices.")


def test_language_menu_never_strands_a_silent_caller(call, session):
    call.dial_in()
    call.silence()
    call.silence()
    reply = call.silence()
    assert "To report something you lost, press 1." in reply.spoken
    assert stored_call(session, call).language == "en"


def test_retried_webhook_returns_the_same_twiml_and_stores_one_answer(call, session):
    call.dial_in()
    first = call.press("2")
    again = call.retry_last()
    assert again.body == first.body
    stored = stored_call(session, call)
    assert [a.step for a in stored.answers] == [0, 1]
    assert stored.step == 2


def test_retried_incoming_call_is_one_call(call, session):
    first = call.dial_in()
    again = call.dial_in()
    assert again.body == first.body
    assert session.scalar(select(func.count()).select_from(Call)) == 1


def test_a_stale_step_repeats_where_the_caller_is_and_stores_nothing(call, session, twilio):
    call.dial_in()
    call.press("1")
    # A request for step 5, which was never offered.
    response = twilio.post("/voice/step/5?lang=en", call.params(Digits="1"))
    assert response.status_code == 200
    assert b"To report something you lost, press 1." in response.data
    assert [a.step for a in stored_call(session, call).answers] == [0, 1]


def test_transfer_to_staff_when_a_number_is_configured(app, call, session):
    from dataclasses import replace

    line = app.extensions["tru.line"]
    app.extensions["tru.line"] = replace(
        line, announcer=replace(line.announcer, operator_number="+14105550100")
    )
    call.dial_in()
    call.press("1")
    reply = call.press("0")
    dial = reply.root.find("Dial")
    assert dial is not None and dial.findtext("Number") == "+14105550100"
    assert dial.get("action") == "/voice/step/3?lang=en"
    reply = call.dial_result("no-answer")
    assert "no staff member is available" in reply.spoken
    assert "To go back to the main menu, press 1" in reply.spoken
    outcomes = [a.outcome for a in stored_call(session, call).answers]
    assert outcomes[-1] == "dial:no-answer"
    assert stored_call(session, call).disposition == "online_report"


def test_status_callbacks_are_idempotent_and_never_go_backwards(call, session, twilio, clock):
    call.dial_in()
    ended = datetime(2026, 12, 2, 10, 5, tzinfo=BALTIMORE)
    clock.now = ended
    call.hang_up(duration=42)
    call.hang_up(duration=42)  # delivered twice
    # A late "in-progress" after the call completed.
    twilio.post("/voice/status", call.params("in-progress", SequenceNumber="1"))
    twilio.post("/voice/status", call.params("ringing", SequenceNumber="0"))
    session.expire_all()
    stored = stored_call(session, call)
    assert stored.status == "completed"
    assert stored.duration_seconds == 42
    assert stored.ended_at == ended
    events = session.scalars(select(CallEvent.status).where(CallEvent.call_id == stored.id))
    assert sorted(events) == ["completed", "in-progress", "ringing"]


def test_status_callback_before_the_call_webhook_creates_the_call(twilio, session):
    early = SimCall(twilio)
    twilio.post("/voice/status", early.params("ringing"))
    reply = early.dial_in()
    assert reply.gather is not None
    stored = stored_call(session, early)
    assert stored.line_open is True
    assert stored.status == "ringing"


def test_a_step_for_an_unknown_call_starts_it_rather_than_failing(twilio, session):
    lost = SimCall(twilio)
    response = twilio.post("/voice/step/4?lang=en", lost.params(Digits="1"))
    assert response.status_code == 200
    assert b"For English, press 1." in response.data
    assert stored_call(session, lost).state == "language"


def test_missing_callsid_gets_spoken_fallback_not_400(twilio):
    response = twilio.post("/voice", {"From": "+14105550123"})
    assert response.status_code == 200
    assert b"technical problem" in response.data


def test_unknown_voice_route_gets_spoken_fallback(twilio, call):
    response = twilio.post("/voice/nowhere", call.params())
    assert response.status_code == 200
    assert b"technical problem" in response.data


def test_withheld_caller_id_is_stored_as_none(twilio, session):
    hidden = SimCall(twilio, caller="anonymous")
    hidden.dial_in()
    assert stored_call(session, hidden).caller is None


def test_answers_are_written_before_the_reply_leaves(call, app):
    """Nothing lost: a fresh connection sees the answer as soon as the webhook returned."""
    call.dial_in()
    call.press("2")
    with app.extensions["tru.db"]() as fresh:
        count = fresh.scalar(select(func.count()).select_from(Answer))
    assert count == 2
