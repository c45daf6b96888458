"""Call state that survives anything: races between retries, many workers, odd input."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from ivr import calls
from ivr.calls import Arrival
from ivr.models import Answer, Call
from tests.conftest import AUTH_TOKEN
from tests.twilio_sim import SimCall, Twilio

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


def test_a_retry_that_wins_the_race_gives_its_reply_to_the_loser(app):
    """Two deliveries of one step in flight at once: one answer is stored, both get its TwiML."""
    factory = app.extensions["tru.db"]
    with factory() as setup:
        call = calls.get_or_create_call(setup, Arrival("CArace"), NOW, line_open=True, flow="main")
        call.step = 1
        call.state = "language"
        setup.commit()

    def decide_while_the_other_delivery_commits(call: Call):
        with factory() as other:
            winner = other.scalar(select(Call).where(Call.call_sid == "CArace"))
            other.add(
                Answer(
                    call=winner,
                    step=1,
                    state="language",
                    event="input",
                    digits="2",
                    outcome="2",
                    response_twiml="<Response>winner</Response>",
                    received_at=NOW,
                )
            )
            other.commit()
        return Answer(state="language", event="input", digits="2", outcome="2"), "<Response/>"

    with factory() as session:
        call = calls.find_call(session, "CArace")
        result = calls.answer_step(session, call, 1, NOW, decide_while_the_other_delivery_commits)
    assert result.replayed is True
    assert result.twiml == "<Response>winner</Response>"
    with factory() as check:
        assert check.scalars(select(Answer.step)).all() == [1]


def test_two_racing_first_webhooks_make_one_call_row(app):
    factory = app.extensions["tru.db"]
    with factory() as first, factory() as second:
        a = calls.get_or_create_call(first, Arrival("CAtwin"), NOW, line_open=True, flow="main")
        first.commit()
        # The second worker looked before the first committed; its insert must not fail.
        b = calls.get_or_create_call(second, Arrival("CAtwin"), NOW, line_open=True, flow="main")
        second.commit()
        assert a.id == b.id


def test_every_webhook_of_a_call_may_be_served_by_another_worker(app, make_app, twiml_schema):
    """Three app instances on one database take turns serving a single call."""
    workers = [app, make_app(), make_app()]
    twilios = [Twilio(w.test_client(), AUTH_TOKEN, twiml_schema) for w in workers]
    call = SimCall(twilios[0])
    call.dial_in()
    call.twilio = twilios[1]
    call.press("2")
    call.twilio = twilios[2]
    reply = call.press("0")
    assert "no hay nadie del personal disponible" in reply.spoken
    call.twilio = twilios[0]
    reply = call.silence()
    assert reply.hangs_up
    with app.extensions["tru.db"]() as session:
        stored = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
        assert stored.language == "es"
        assert stored.state is None
        assert [a.step for a in stored.answers] == [0, 1, 2, 3]


def test_empty_speech_result_is_silence_and_is_reasked(call):
    call.dial_in()
    reply = call._post(call.last.next_action, call.params(SpeechResult="", Confidence="0.0"))
    assert reply.spoken.startswith("Sorry, I didn't hear a choice.")


def test_caller_numbers_are_stored_in_e164(twilio, session):
    local = SimCall(twilio, caller="(410) 555-0199")
    local.dial_in()
    stored = session.scalar(select(Call).where(Call.call_sid == local.call_sid))
    assert stored.caller == "+14105550199"


def test_naive_times_are_refused_by_the_store(session):
    import pytest

    session.add(Call(call_sid="CAnaive", started_at=datetime(2026, 1, 1), updated_at=NOW))
    with pytest.raises(Exception, match="naive"):
        session.flush()
