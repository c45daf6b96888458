"""Whole report calls through signed webhooks, as Twilio makes them, and the reports they leave."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urljoin

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ivr.cli import cli
from ivr.models import Answer, Call, CallEvent, Recording, Report
from tests.conftest import AUTH_TOKEN
from tests.twilio_sim import ACCOUNT_SID, Reply, SimCall

NUMBER = re.compile(r"^TRU-26-\d{6}$")


def report_of(session, call: SimCall) -> Report:
    session.expire_all()
    found = session.scalar(select(Report).join(Call).where(Call.call_sid == call.call_sid))
    assert found is not None, "no report was opened"
    return found


def start(call: SimCall, language_key: str, menu_key: str):
    call.dial_in()
    call.press(language_key)
    return call.press(menu_key)


def finish_as_caller(call: SimCall, *, name: str, spanish: bool = False):
    """Name, callback number (the calling number), the recorded account, the report number."""
    reply = call.say(name)
    assert name in reply.spoken
    reply = call.press("1")
    assert "4 1 0, 5 5 5, 0 1 2 3" in reply.spoken, reply.spoken
    reply = call.press("1")
    assert call.record_verb.get("maxLength") == "120"
    reply = call.record(duration=31)
    assert ("Su número de reporte es" if spanish else "Your report number is") in reply.spoken
    return reply


def hang_up_while_recording(call: SimCall, *, duration: int = 12) -> Reply:
    """The caller hangs up after the beep: Twilio ends the recording and posts the <Record>
    action with Digits=hangup (and whatever was recorded); nobody hears the reply."""
    call.recording_sid = "RE" + "3" * 32
    action = urljoin(call.last.url, call.record_verb.get("action") or call.last.url)
    return call._post(
        action,
        call.params(
            "completed",
            RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"
            f"/Recordings/{call.recording_sid}",
            RecordingSid=call.recording_sid,
            RecordingDuration=str(duration),
            Digits="hangup",
        ),
    )


def to_the_recording(call: SimCall) -> Reply:
    """A lost-property call, every question answered, up to the beep."""
    start(call, "1", "1")
    call.press("2")
    call.say("yes")
    call.say("a black umbrella")
    call.press("1")
    call.press("5")
    call.say("black with a wooden handle")
    call.press("#")
    call.press("25")
    call.press("1")
    call.say("at the Pratt Street library")
    call.say("yesterday")
    call.say("I left it on a chair")
    call.say("Lee Kim")
    call.press("1")
    reply = call.press("1")
    assert call.record_verb is not None
    return reply


UMBRELLA = {
    "firearm": "no",
    "in_city": "yes",
    "item": "a black umbrella",
    "category": "other",
    "description": "black with a wooden handle",
    "value": 25,
    "where": "at the Pratt Street library",
    "when": "2026-12-01",
    "how_lost": "I left it on a chair",
    "caller_name": "Lee Kim",
    "callback_number": "+14105550123",
}


class TestLostProperty:
    def test_complete_report_in_english(self, call, session):
        reply = start(call, "1", "1")
        assert reply.spoken.startswith("You are reporting something you lost.")
        assert "Was a gun among the things you lost?" in reply.spoken
        assert reply.gather.get("input") == "dtmf speech"
        call.press("2")  # no weapon
        reply = call.say("yes")  # in the city
        assert "what did you lose" in reply.spoken
        assert reply.gather.get("hints").startswith("wallet, phone")
        reply = call.say("a brown leather wallet")
        assert reply.spoken.startswith(
            "You said: a brown leather wallet. If that is right, press 1"
        )
        reply = call.press("1")
        assert "What kind of item is it?" in reply.spoken
        call.press("2")
        call.say("brown leather with a silver zipper")
        reply = call.press("#")  # no serial number
        assert "how much is it worth" in reply.spoken
        assert reply.gather.get("finishOnKey") == "#"
        reply = call.press("60")
        assert reply.spoken.startswith("You said 60 dollars.")
        call.say("yes")
        call.say("on the number 3 bus on Charles Street")
        reply = call.say("yesterday afternoon")
        assert "how do you think it was lost" in reply.spoken
        reply = call.say("it fell out of my pocket")
        assert "say your first and last name" in reply.spoken
        reply = finish_as_caller(call, name="Maria Lopez")
        spoken_number = re.search(
            r"Your report number is: (T, R, U\. 2, 6\. [0-9, ]+\.)", reply.spoken
        )
        assert spoken_number, reply.spoken
        report = report_of(session, call)
        assert NUMBER.match(report.number)
        digits = report.number.split("-")[2]
        assert spoken_number.group(1).endswith(", ".join(digits) + ".")
        assert report.type == "lost_property"
        assert report.status == "new"
        assert report.language == "en"
        assert report.needs_callback is False
        assert report.callback_number == "+14105550123"
        assert report.theft_class is None
        assert report.fields == {
            "firearm": "no",
            "in_city": "yes",
            "item": "a brown leather wallet",
            "category": "wallet_or_bag",
            "description": "brown leather with a silver zipper",
            "value": 60,
            "where": "on the number 3 bus on Charles Street",
            "when": "2026-12-01",
            "how_lost": "it fell out of my pocket",
            "caller_name": "Maria Lopez",
            "callback_number": "+14105550123",
        }
        assert report.triage["outcome"] == "tru_report"
        stored = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
        assert stored.disposition == "tru_report"
        # The number can be heard again, then the call ends politely.
        again = call.press("1")
        assert spoken_number.group(1) in again.spoken
        bye = call.press("2")
        assert bye.hangs_up
        assert "A staff member will review your report" in bye.spoken

    def test_complete_report_in_spanish(self, call, session):
        reply = start(call, "2", "1")
        assert reply.spoken.startswith("Va a reportar algo que perdió.")
        assert all(s.get("language") == "es-US" for s in reply.root.iter("Say"))
        assert reply.gather.get("language") == "es-US"
        call.say("no")
        call.say("sí")
        reply = call.say("un teléfono samsung negro")
        assert reply.spoken.startswith("Usted dijo: un teléfono samsung negro.")
        call.say("sí")
        call.say("teléfono")  # category by speech
        call.say("samsung galaxy negro")
        call.press("#")
        reply = call.say("como 300 dólares")
        assert reply.spoken.startswith("Usted dijo 300 dólares.")
        call.press("1")
        call.say("en el parque patterson")
        call.say("el martes pasado")
        call.say("se me cayó del bolsillo")
        finish_as_caller(call, name="José García", spanish=True)
        report = report_of(session, call)
        assert report.language == "es"
        assert report.status == "new"
        assert report.fields["category"] == "electronics"
        assert report.fields["value"] == 300
        assert report.fields["when"] == "2026-12-01"
        assert report.fields["caller_name"] == "José García"


def test_a_red_flag_in_a_lost_property_answer_sends_the_caller_to_911(call, session):
    """Lost property skips the theft questions; what the caller says is still heard."""
    start(call, "1", "1")
    call.press("2")
    call.say("yes")
    reply = call.say("my purse, a man grabbed it and he is still here")
    assert "hang up now and dial 9 1 1" in reply.spoken
    assert reply.hangs_up
    report = report_of(session, call)
    assert (report.status, report.triage["outcome"]) == ("not_taken", "emergency_911")


class TestLarceny:
    def eligible(self, call, *, spanish: bool = False):
        reply = start(call, "2" if spanish else "1", "2")
        assert ("robo" if spanish else "theft") in reply.spoken
        for _ in range(6):  # now, hurt, suspect there, suspect known, weapon, gun: all no
            call.press("2")
        return call.press("1")  # in the city

    def test_complete_report_in_english_records_the_theft_class(self, call, session, clock):
        reply = self.eligible(call)
        assert "what was taken" in reply.spoken
        call.say("a blue mountain bike")
        call.press("1")
        reply = call.say("about twelve hundred dollars")
        assert reply.spoken.startswith("You said 1,200 dollars.")
        call.press("1")
        call.say("in front of 200 East Pratt Street")
        reply = call.press("1128")  # keypad date: November 28
        assert "Where was it taken from?" in reply.spoken
        call.say("from the street")
        call.say("yes there is video")
        reply = call.press("2")
        assert "say your first and last name" in reply.spoken
        finish_as_caller(call, name="Sam Carter")
        report = report_of(session, call)
        assert report.type == "larceny"
        assert report.status == "new"
        assert report.theft_class == "misdemeanor_100_to_1500"
        assert report.fields["when"] == "2026-11-28"
        assert report.fields["premises"] == "street"
        assert report.fields["evidence"] == "yes"
        assert report.fields["vehicle_involved"] == "no"
        assert {
            k: report.fields[k]
            for k in ("happening_now", "anyone_hurt", "suspect_present", "weapon")
        } == {
            "happening_now": "no",
            "anyone_hurt": "no",
            "suspect_present": "no",
            "weapon": "no",
        }

    def test_complete_report_in_spanish(self, call, session):
        reply = self.eligible(call, spanish=True)
        assert "qué le robaron" in reply.spoken
        call.say("una bicicleta azul")
        call.say("sí")
        call.press("450")
        call.press("1")
        call.say("en la calle pratt")
        call.say("ayer")
        call.press("1")  # home
        call.say("no")
        call.say("no")
        finish_as_caller(call, name="Ana Pérez", spanish=True)
        report = report_of(session, call)
        assert (report.language, report.type, report.status) == ("es", "larceny", "new")
        assert report.theft_class == "misdemeanor_100_to_1500"
        assert report.fields["premises"] == "residence"

    @pytest.mark.parametrize(
        ("answers", "flag"),
        [
            (["yes"], "happening now"),
            (["no", "yes someone is hurt"], "injury"),
            (["no", "nobody is hurt", "yes"], "suspect present"),
            (["no", "no", "no", "no", "yes"], "weapon"),
        ],
    )
    def test_a_red_flag_sends_the_caller_to_911_and_takes_no_report(
        self, call, session, answers, flag
    ):
        start(call, "1", "2")
        for said in answers:
            reply = call.say(said)
        assert "hang up now and dial 9 1 1" in reply.spoken
        assert reply.hangs_up
        report = report_of(session, call)
        assert report.status == "not_taken"
        assert report.triage == {
            "outcome": "emergency_911",
            "reasons": [f"{flag} → 911"],
            "call_type": "LARCENY",
        }
        stored = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
        assert stored.disposition == "emergency_911"

    def test_outside_the_city_is_referred(self, call, session):
        start(call, "1", "2")
        for _ in range(6):
            call.press("2")
        reply = call.press("2")
        assert "only for Baltimore City" in reply.spoken
        assert reply.hangs_up


class TestNothingLost:
    def test_a_hang_up_mid_report_leaves_a_partial_report_for_a_callback(self, call, session):
        start(call, "1", "2")
        for _ in range(6):
            call.press("2")
        call.press("1")
        call.say("my laptop")
        call.hang_up()
        report = report_of(session, call)
        assert report.status == "partial"
        assert report.needs_callback is True
        assert report.fields["item"] == "my laptop"
        assert NUMBER.match(report.number)

    def test_a_hang_up_while_recording_keeps_everything_for_a_callback(self, call, session):
        to_the_recording(call)
        reply = hang_up_while_recording(call, duration=12)
        assert reply.hangs_up
        assert "report number" not in reply.spoken
        report = report_of(session, call)
        # Every question was answered, but the caller never heard the number: staff call back.
        assert (report.status, report.needs_callback, report.completed_at) == (
            "partial",
            True,
            None,
        )
        assert report.fields == UMBRELLA
        [recording] = report.recordings
        assert (recording.recording_sid, recording.duration_seconds) == (call.recording_sid, 12)
        assert recording.url.endswith(f"/Recordings/{call.recording_sid}")
        last = session.scalars(
            select(Answer).join(Call).where(Call.call_sid == call.call_sid).order_by(Answer.step)
        ).all()[-1]
        assert (last.state, last.event, last.outcome) == ("account", "recording", "hung_up")
        # The status callback and Twilio's late callbacks change nothing of that.
        call.hang_up()
        call.recording_callback(duration=12)
        call.transcription_callback("I left my umbrella on a chair at the library")
        report = report_of(session, call)
        assert (report.status, report.needs_callback) == ("partial", True)
        [recording] = report.recordings
        assert recording.transcript == "I left my umbrella on a chair at the library"
        stored = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
        assert stored.state is None

    def test_a_hang_up_during_the_callers_details_keeps_them(self, call, session):
        start(call, "1", "2")
        for _ in range(6):
            call.press("2")
        call.press("1")
        call.say("a red scooter")
        call.press("1")
        call.press("300")
        call.press("1")
        call.say("outside 10 Light Street")
        call.say("today")
        call.press("4")
        call.press("2")
        call.press("2")
        call.say("Dana Moss")
        reply = call.press("1")
        assert "To be called back at the number you are calling from" in reply.spoken
        call.hang_up()
        report = report_of(session, call)
        assert (report.status, report.needs_callback) == ("partial", True)
        assert report.fields["caller_name"] == "Dana Moss"
        assert report.fields["where"] == "outside 10 Light Street"
        assert "callback_number" not in report.fields
        assert report.callback_number is None
        assert report.caller_number == "+14105550123"

    def test_a_hang_up_right_after_the_lost_property_questions(self, call, session):
        start(call, "1", "1")
        call.press("2")
        reply = call.say("yes")
        assert "what did you lose" in reply.spoken
        call.hang_up()
        report = report_of(session, call)
        assert (report.status, report.needs_callback) == ("partial", True)
        assert report.fields == {"firearm": "no", "in_city": "yes"}
        assert report.triage["outcome"] == "tru_report"
        assert NUMBER.match(report.number)

    def test_a_hang_up_right_after_the_theft_eligibility_questions(self, call, session):
        start(call, "2", "2")
        for _ in range(6):
            call.say("no")
        reply = call.say("sí")
        assert "qué le robaron" in reply.spoken
        call.hang_up()
        report = report_of(session, call)
        assert (report.status, report.needs_callback, report.language) == ("partial", True, "es")
        assert report.fields == {
            "happening_now": "no",
            "anyone_hurt": "no",
            "suspect_present": "no",
            "known_suspect": "no",
            "weapon": "no",
            "firearm": "no",
            "in_city": "yes",
        }

    def test_every_step_of_a_whole_call_delivered_twice_changes_nothing(self, call, session):
        """Twilio may retry any request: each answer, the recording, the report-number menu and
        the callbacks after the call. Each retry gets the same TwiML and stores nothing new."""
        first = call.dial_in()
        assert call.retry_last().body == first.body
        steps = [
            lambda: call.press("1"),  # English
            lambda: call.press("1"),  # lost property
            lambda: call.press("2"),  # no gun
            lambda: call.say("yes"),  # in the city
            lambda: call.say("a black umbrella"),
            lambda: call.press("1"),
            lambda: call.press("5"),
            lambda: call.say("black with a wooden handle"),
            lambda: call.press("#"),
            lambda: call.press("25"),
            lambda: call.press("1"),
            lambda: call.say("at the Pratt Street library"),
            lambda: call.say("yesterday"),
            lambda: call.say("I left it on a chair"),
            lambda: call.say("Lee Kim"),  # caller: name
            lambda: call.press("1"),  # that is right
            lambda: call.press("1"),  # call me back on this number
            lambda: call.record(duration=40),  # the <Record> action
            lambda: call.press("1"),  # the report number again
            lambda: call.press("2"),  # finished
        ]
        for action in steps:
            reply = action()
            again = call.retry_last()
            assert again.body == reply.body
        assert reply.hangs_up
        for _ in range(2):
            call.hang_up()
            assert call.recording_callback(duration=40).status_code == 200
            assert call.transcription_callback("I left it at the library").status_code == 200
        report = report_of(session, call)
        assert (report.status, report.needs_callback) == ("new", False)
        assert report.fields == UMBRELLA
        assert session.scalar(select(func.count()).select_from(Report)) == 1
        [recording] = session.scalars(select(Recording)).all()
        assert (recording.report_id, recording.duration_seconds) == (report.id, 40)
        assert (recording.status, recording.transcript) == ("completed", "I left it at the library")
        stored = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
        assert [a.step for a in stored.answers] == list(range(len(steps) + 1))
        assert [a.outcome for a in stored.answers][-3:] == ["recorded", "1", "2"]
        ended = session.scalars(
            select(CallEvent.status).where(CallEvent.call_id == stored.id)
        ).all()
        assert ended == ["completed"]

    def test_a_late_recording_and_transcript_reach_the_report(self, call, session):
        start(call, "1", "1")
        call.press("2")
        call.press("1")
        call.say("an umbrella")
        call.press("1")
        call.press("5")
        call.say("black")
        call.press("#")
        call.press("*")  # value unknown
        call.say("at the library")
        call.say("today")
        call.say("I left it")
        finish_as_caller(call, name="Lee Kim")
        call.press("2")
        call.hang_up()
        # Twilio's callbacks arrive after the call has ended.
        assert call.recording_callback(duration=31).status_code == 200
        assert call.transcription_callback("I left my umbrella at the library").status_code == 200
        report = report_of(session, call)
        [recording] = report.recordings
        assert recording.status == "completed"
        assert recording.duration_seconds == 31
        assert recording.url.endswith(f"/Recordings/{call.recording_sid}")
        assert recording.transcript == "I left my umbrella at the library"
        assert "value" not in report.fields

    def test_a_recording_callback_before_the_report_is_kept_and_linked(self, call, session, twilio):
        # A callback for a call we have not seen yet (Twilio's order is not guaranteed).
        response = twilio.post(
            "/voice/recording",
            call.params(
                "in-progress",
                RecordingSid="RE" + "2" * 32,
                RecordingStatus="completed",
                RecordingDuration="9",
            ),
        )
        assert response.status_code == 200
        start(call, "1", "1")
        report = report_of(session, call)
        recording = session.scalar(select(Recording).where(Recording.call_sid == call.call_sid))
        assert recording.report_id == report.id

    def test_a_silent_recording_still_completes_the_report(self, call, session):
        start(call, "1", "2")
        for _ in range(6):
            call.press("2")
        call.press("1")
        call.say("a package")
        call.press("1")
        call.press("*")
        call.say("my front porch")
        call.say("today")
        call.press("1")
        call.press("2")
        call.press("2")
        call.say("Pat Jones")
        call.press("1")
        call.press("1")
        reply = call.record_nothing()
        assert "Your report number is" in reply.spoken
        report = report_of(session, call)
        assert report.status == "new"
        assert report.recordings == []
        assert report.theft_class is None


class TestRepromptsAndRetries:
    def test_speech_not_heard_then_heard(self, call):
        start(call, "1", "1")
        call.press("2")
        call.press("1")
        reply = call.silence()
        assert reply.spoken.startswith("Sorry, I didn't hear a choice.")
        assert reply.gather.get("input") == "speech"
        reply = call.say("my glasses")
        assert reply.spoken.startswith("You said: my glasses.")

    def test_saying_no_at_the_read_back_asks_again(self, call, session):
        start(call, "1", "1")
        call.press("2")
        call.press("1")
        call.say("a brown wallet", confidence=0.3)
        reply = call.say("no")
        assert "what did you lose" in reply.spoken
        reply = call.say("a brown leather wallet")
        assert "a brown leather wallet" in reply.spoken
        call.press("1")
        assert report_of(session, call).fields["item"] == "a brown leather wallet"

    def test_where_heard_poorly_is_read_back_and_said_again(self, call, session):
        start(call, "1", "1")
        call.press("2")
        call.press("1")
        call.say("a green backpack")
        call.press("1")
        call.press("2")
        call.say("green with a laptop inside")
        call.press("#")
        reply = call.press("*")
        assert "Where did you last see it?" in reply.spoken
        assert "street" in reply.gather.get("hints")
        reply = call.say("at the lexington market", confidence=0.3)
        assert reply.spoken == (
            "You said: at the lexington market. If that is right, press 1 or say yes. "
            "To say it again, press 2 or say no."
        )
        assert reply.gather.get("input") == "dtmf speech"
        # Kept while it is read back, so a hang-up here loses nothing.
        assert report_of(session, call).fields["where"] == "at the lexington market"
        reply = call.press("2")
        assert "Where did you last see it?" in reply.spoken
        assert "where" not in report_of(session, call).fields
        reply = call.say("at Lexington Market", confidence=0.91)
        assert "When did you last see it?" in reply.spoken
        assert report_of(session, call).fields["where"] == "at Lexington Market"

    def test_where_heard_poorly_is_read_back_in_spanish_and_kept_when_right(self, call, session):
        start(call, "2", "2")
        for _ in range(6):
            call.press("2")
        call.press("1")
        call.say("un teléfono")
        call.press("1")
        call.press("200")
        reply = call.press("1")
        assert "¿Dónde ocurrió?" in reply.spoken
        reply = call.say("en la calle pratt", confidence=0.3)
        assert reply.spoken.startswith(
            "Usted dijo: en la calle pratt. Si es correcto, oprima 1 o diga sí."
        )
        assert all(say.get("language") == "es-US" for say in reply.root.iter("Say"))
        assert reply.gather.get("language") == "es-US"
        reply = call.say("sí")
        assert "¿Cuándo ocurrió" in reply.spoken
        report = report_of(session, call)
        assert report.fields["where"] == "en la calle pratt"
        outcomes = [a.outcome for a in report.call.answers][-2:]
        assert outcomes == ["unsure", "yes"]

    def test_where_heard_clearly_is_not_read_back(self, call, session):
        start(call, "1", "2")
        for _ in range(6):
            call.press("2")
        call.press("1")
        call.say("a bike")
        call.press("1")
        call.press("*")
        reply = call.say("the corner of Charles and Lombard", confidence=0.8)
        assert reply.spoken.startswith("When did it happen")

    def test_a_future_date_is_refused_and_asked_again(self, call, session):
        start(call, "1", "2")
        for _ in range(6):
            call.press("2")
        call.press("1")
        call.say("a bike")
        call.press("1")
        call.press("100")
        call.press("1")
        call.say("the corner of Charles and Lombard")
        reply = call.say("tomorrow")
        assert reply.spoken.startswith("Sorry, I need a day that has already passed.")
        reply = call.press("1299")
        assert reply.spoken.startswith("Sorry, I need a day that has already passed.")
        reply = call.say("yesterday")
        assert "Where was it taken from?" in reply.spoken
        assert report_of(session, call).fields["when"] == "2026-12-01"

    def test_a_bad_callback_number_is_refused_and_a_good_one_confirmed(self, twilio, session):
        hidden = SimCall(twilio, caller="anonymous")
        start(hidden, "1", "1")
        hidden.press("2")
        hidden.press("1")
        hidden.say("keys")
        hidden.press("1")
        hidden.press("3")
        hidden.say("a ring of three keys")
        hidden.press("#")
        hidden.press("*")
        hidden.say("the market")
        hidden.say("today")
        hidden.say("dropped them")
        hidden.say("Kim Lee")
        reply = hidden.press("1")
        # No usable caller ID: straight to asking for a number.
        assert "10-digit phone number" in reply.spoken
        reply = hidden.press("12345")
        assert reply.spoken.startswith("Sorry, that is not a phone number I can use.")
        reply = hidden.press("4433331234")
        assert reply.spoken.startswith("You said 4 4 3, 3 3 3, 1 2 3 4.")
        hidden.press("1")
        report = report_of(session, hidden)
        assert report.callback_number == "+14433331234"

    def test_three_failed_category_choices_move_on_and_say_so(self, call, session):
        start(call, "1", "1")
        call.press("2")
        call.press("1")
        call.say("a phone")
        call.press("1")
        reply = call.press("9")
        assert reply.spoken.startswith("Sorry, that is not one of the choices.")
        assert "What kind of item is it?" in reply.spoken
        call.silence()
        # Third failure: the category is a detail staff can fill in, so the report goes on.
        reply = call.press("7")
        assert reply.spoken.startswith(
            "I'm sorry we could not understand each other. "
            "Let's go on; a staff member can fill that in."
        )
        assert "Describe it" in reply.spoken
        report = report_of(session, call)
        assert "category" not in report.fields
        assert report.fields["item"] == "a phone"

    def test_three_failed_premises_choices_move_on_and_say_so_in_spanish(self, call, session):
        start(call, "2", "2")
        for _ in range(6):
            call.press("2")
        call.press("1")
        call.say("una bicicleta")
        call.press("1")
        call.press("*")
        call.say("en la calle Charles")
        reply = call.say("ayer")
        assert "¿De dónde se lo llevaron?" in reply.spoken
        call.press("8")
        call.say("no me acuerdo bien")
        reply = call.silence()
        assert reply.spoken.startswith(
            "Lo siento, no pudimos entendernos. "
            "Sigamos; un miembro del personal puede completar ese dato."
        )
        assert "¿Hay video, una foto u otra prueba del robo?" in reply.spoken
        assert "premises" not in report_of(session, call).fields

    def test_three_failures_at_an_eligibility_question_offer_a_person(self, app, call, session):
        from dataclasses import replace

        line = app.extensions["tru.line"]
        app.extensions["tru.line"] = replace(
            line, announcer=replace(line.announcer, operator_number="+14105550100")
        )
        start(call, "1", "1")
        call.silence()
        call.press("7")
        reply = call.say("purple")
        assert reply.spoken.startswith("I'm sorry we could not understand each other.")
        assert "Please hold while we connect you with a staff member." in reply.spoken
        assert reply.root.find("Dial").findtext("Number") == "+14105550100"
        # Nobody answers: the caller hears the other ways to report, and may go back.
        reply = call.dial_result("no-answer")
        assert "no staff member is available" in reply.spoken
        assert "make a report online" in reply.spoken
        assert "To go back to the main menu, press 1" in reply.spoken
        report = report_of(session, call)
        assert report.status == "partial"
        assert "firearm" not in report.fields

    def test_dont_know_said_aloud_skips_the_value(self, call, session):
        start(call, "1", "1")
        call.press("2")
        call.press("1")
        call.say("a scarf")
        call.press("1")
        call.press("5")
        call.say("red wool")
        call.press("#")
        reply = call.say("I don't know")
        assert "Where did you last see it?" in reply.spoken


def export(app, *options: str) -> str:
    env = {
        "TRU_ENV": "test",
        "TRU_DATABASE_URL": app.config["DATABASE_URL"],
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TRU_SECRET_KEY": "s",
    }
    result = CliRunner().invoke(cli, ["export", *options], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_export_includes_the_report(call, session, app):
    start(call, "1", "2")
    for _ in range(6):
        call.press("2")
    call.press("1")
    call.say("a bike")
    call.press("1")
    call.press("700")
    call.hang_up()
    [record] = json.loads(export(app))
    report = record["report"]
    assert NUMBER.match(report["number"])
    assert (report["type"], report["call_type"], report["status"]) == (
        "larceny",
        "LARCENY",
        "partial",
    )
    assert report["needs_callback"] is True
    assert report["fields"]["item"] == "a bike"
    assert report["fields"]["value"] == 700
    assert report["theft_class"] == "misdemeanor_100_to_1500"
    assert '""theft_class"": ""misdemeanor_100_to_1500""' in export(app, "--format", "csv")


def test_export_includes_the_recording_transcript_triage_language_and_caller(call, app):
    start(call, "2", "2")
    for _ in range(6):
        call.press("2")
    call.press("1")
    call.say("una bicicleta azul")
    call.press("1")
    call.press("450")
    call.press("1")
    call.say("en la calle pratt")
    call.say("ayer")
    call.press("2")  # from a vehicle
    call.say("no")
    call.say("no")
    finish_as_caller(call, name="Ana Pérez", spanish=True)
    call.press("2")
    call.hang_up()
    # Twilio's callbacks arrive after the call has ended.
    call.recording_callback(duration=31)
    call.transcription_callback("Me robaron la bicicleta de la camioneta")
    [record] = json.loads(export(app))
    assert (record["call_sid"], record["caller"], record["language"]) == (
        call.call_sid,
        "+14105550123",
        "es",
    )
    assert (record["status"], record["disposition"]) == ("completed", "tru_report")
    report = record["report"]
    assert (report["status"], report["language"], report["type"]) == ("new", "es", "larceny")
    assert (report["caller_number"], report["callback_number"]) == ("+14105550123",) * 2
    assert report["fields"]["caller_name"] == "Ana Pérez"
    assert report["fields"]["premises"] == "vehicle"
    assert report["triage"]["outcome"] == "tru_report"
    assert report["triage"]["call_type"] == "LARCENY F/AUTO"
    assert report["triage"]["reasons"]
    assert report["recordings"] == [
        {
            "recording_sid": call.recording_sid,
            "url": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"
            f"/Recordings/{call.recording_sid}",
            "duration_seconds": 31,
            "status": "completed",
            "transcript": "Me robaron la bicicleta de la camioneta",
            "transcript_status": "completed",
        }
    ]
    [row] = list(csv.DictReader(io.StringIO(export(app, "--format", "csv"))))
    assert row["language"] == "es"
    assert row["caller"] == "+14105550123"
    assert json.loads(row["report"])["recordings"] == report["recordings"]
    assert json.loads(row["report"])["triage"] == report["triage"]
