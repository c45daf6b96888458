"""Whole report calls through signed webhooks, as Twilio makes them, and the reports they leave."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from ivr.models import Answer, Call, Recording, Report
from tests.twilio_sim import SimCall

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

    def test_every_step_delivered_twice_changes_nothing(self, call, session):
        call.dial_in()
        call.retry_last()
        for action in [
            lambda: call.press("1"),
            lambda: call.press("1"),
            lambda: call.press("2"),
            lambda: call.say("yes"),
            lambda: call.say("my keys"),
        ]:
            first = action()
            again = call.retry_last()
            assert again.body == first.body
        report = report_of(session, call)
        assert report.fields == {"firearm": "no", "in_city": "yes", "item": "my keys"}
        steps = session.scalars(
            select(Answer.step).join(Call).where(Call.call_sid == call.call_sid)
        )
        assert list(steps) == [0, 1, 2, 3, 4, 5]
        assert session.scalar(select(func.count()).select_from(Report)) == 1

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

    def test_three_failed_menu_choices_offer_a_person(self, call):
        start(call, "1", "1")
        call.press("2")
        call.press("1")
        call.say("a phone")
        call.press("1")
        call.press("9")
        call.press("8")
        reply = call.press("7")  # third wrong category: move on rather than trap the caller
        assert "could not understand each other" in reply.spoken
        assert "Describe it" in reply.spoken

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


def test_export_includes_the_report(call, session, app):
    import json

    from click.testing import CliRunner

    from ivr.cli import cli
    from tests.conftest import AUTH_TOKEN

    start(call, "1", "2")
    for _ in range(6):
        call.press("2")
    call.press("1")
    call.say("a bike")
    call.press("1")
    call.press("700")
    call.hang_up()
    env = {
        "TRU_ENV": "test",
        "TRU_DATABASE_URL": app.config["DATABASE_URL"],
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TRU_SECRET_KEY": "s",
    }
    result = CliRunner().invoke(cli, ["export"], env=env, catch_exceptions=False)
    [record] = json.loads(result.stdout)
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
    csv_result = CliRunner().invoke(cli, ["export", "--format", "csv"], env=env)
    assert '""theft_class"": ""misdemeanor_100_to_1500""' in csv_result.stdout
