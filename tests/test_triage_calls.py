"""Every triage outcome, reached by whole calls through signed webhooks, and what is stored."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from ivr import alarms
from ivr.models import Call
from tests.conftest import AUTH_TOKEN, BALTIMORE
from tests.twilio_sim import SimCall, Twilio


def stored(session, call: SimCall) -> Call:
    session.expire_all()
    found = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
    assert found is not None
    return found


def something_else(call: SimCall, words: str, *, language_key: str = "1"):
    call.dial_in()
    call.press(language_key)
    call.press("4")
    return call.say(words)


def larceny_until_value(call: SimCall, value: str):
    call.dial_in()
    call.press("1")
    call.press("2")
    for _ in range(6):
        call.press("2")
    call.press("1")
    call.say("a laptop")
    call.press("1")
    call.press(value)
    return call.press("1")


@pytest.fixture
def configured(make_app, twiml_schema):
    """An app with every transfer number set."""
    app = make_app(
        DISPATCH_NUMBER="+14105550911",
        NON_EMERGENCY_NUMBER="+14103962525",
        ALTERNATIVE_NUMBER="+14104335175",
    )
    return Twilio(app.test_client(), AUTH_TOKEN, twiml_schema)


class TestEmergency:
    def test_red_flag_words_in_any_answer_end_in_911(self, call, session):
        call.dial_in()
        call.press("1")
        call.press("1")
        call.press("2")
        call.press("1")
        reply = call.say("my wallet the guy who took it has a knife")
        assert "hang up now and dial 9 1 1" in reply.spoken
        assert reply.hangs_up
        found = stored(session, call)
        assert found.disposition == "emergency_911"
        assert "weapon" in found.facts["heard_flags"]
        assert found.report.status == "not_taken"
        assert found.report.triage["reasons"] == ["weapon → 911"]

    def test_with_a_dispatch_number_the_caller_is_transferred(self, configured, session):
        call = SimCall(configured)
        call.dial_in()
        call.press("1")
        call.press("2")
        reply = call.press("1")  # it is happening now
        dial = reply.root.find("Dial")
        assert dial is not None and dial.findtext("Number") == "+14105550911"
        assert "connecting you to 9 1 1" in reply.spoken
        reply = call.dial_result("busy")
        assert "hang up now and dial 9 1 1" in reply.spoken

    def test_an_injury_in_a_traffic_accident_is_911(self, call, session):
        call.dial_in()
        call.press("1")
        call.press("3")
        reply = call.say("yes my passenger is bleeding")
        assert "dial 9 1 1" in reply.spoken
        assert stored(session, call).disposition == "emergency_911"

    def test_a_drunk_driver_is_911(self, call, session):
        call.dial_in()
        call.press("1")
        call.press("3")
        call.press("2")
        reply = call.press("1")
        assert "dial 9 1 1" in reply.spoken
        triage = stored(session, call).facts["triage"]
        assert triage["disposition"] == "emergency_911"
        assert triage["reasons"] == ["impaired driver → 911"]


class TestDoubt:
    """A caller who doesn't know whether it is an emergency is treated as if it were."""

    @pytest.mark.parametrize(
        ("question", "words", "language_key"),
        [
            (0, "I'm not sure", "1"),  # is it happening now?
            (1, "i dont know", "1"),  # is anyone hurt?
            (4, "maybe", "1"),  # a weapon?
            (2, "no sé", "2"),  # is the person still there?
        ],
    )
    def test_unsure_at_a_safety_question_of_a_theft_is_911(
        self, call, session, question, words, language_key
    ):
        call.dial_in()
        call.press(language_key)
        call.press("2")
        for _ in range(question):
            call.press("2")
        reply = call.say(words)
        assert "9 1 1" in reply.spoken
        found = stored(session, call)
        assert found.disposition == "emergency_911"
        assert found.report.status == "not_taken"

    def test_unsure_whether_anyone_is_hurt_in_an_accident_is_911(self, call, session):
        call.dial_in()
        call.press("1")
        call.press("3")
        reply = call.say("I can't tell")
        assert "dial 9 1 1" in reply.spoken
        assert stored(session, call).facts["anyone_hurt"] == "unsure"
        assert stored(session, call).disposition == "emergency_911"

    def test_unsure_about_a_lost_gun_sends_an_officer(self, call, session):
        call.dial_in()
        call.press("1")
        call.press("1")
        reply = call.say("I don't remember")
        assert "needs a police officer" in reply.spoken
        assert stored(session, call).disposition == "officer"

    def test_an_unrelated_answer_is_asked_again_not_guessed(self, call, session):
        call.dial_in()
        call.press("1")
        call.press("2")
        reply = call.say("purple")
        assert "Is the theft happening right now?" in reply.spoken


class TestStaff:
    def test_a_caller_put_through_to_staff_is_a_tru_call(self, make_app, twiml_schema, session):
        app = make_app(OPERATOR_NUMBER="+14106378849")
        call = SimCall(Twilio(app.test_client(), AUTH_TOKEN, twiml_schema))
        call.dial_in()
        call.press("1")
        reply = call.press("0")
        assert reply.root.find("Dial") is not None
        assert stored(session, call).disposition == "tru_report"
        call.dial_result("completed")
        assert stored(session, call).disposition == "tru_report"

    def test_nobody_there_sends_the_caller_online(self, call, session):
        call.dial_in()
        call.press("1")
        reply = call.press("0")
        assert "make a report online" in reply.spoken or "online" in reply.spoken
        assert stored(session, call).disposition == "online_report"


class TestOfficer:
    def test_a_value_at_the_cap_needs_an_officer_and_keeps_the_theft_class(self, call, session):
        reply = larceny_until_value(call, "1500")
        assert "needs a police officer" in reply.spoken
        assert "non-emergency line at 3 1 1" in reply.spoken
        assert reply.hangs_up
        report = stored(session, call).report
        assert report.theft_class == "felony_1500_to_25000"
        assert report.status == "not_taken"
        assert report.triage["outcome"] == "officer"
        assert (
            report.triage["reasons"][0]
            == "stolen value $1,500 is at or above the $1,500 cap → officer"
        )

    def test_just_under_the_cap_is_a_tru_report(self, call, session):
        reply = larceny_until_value(call, "1499")
        assert "Where did it happen?" in reply.spoken
        assert stored(session, call).report.triage["outcome"] == "tru_report"

    def test_an_officer_hand_off_transfers_to_the_non_emergency_line(self, configured):
        call = SimCall(configured)
        reply = larceny_until_value(call, "5000")
        dial = reply.root.find("Dial")
        assert dial is not None and dial.findtext("Number") == "+14103962525"

    def test_a_lost_gun_needs_an_officer(self, call, session):
        call.dial_in()
        call.press("1")
        call.press("1")
        reply = call.press("1")
        assert "needs a police officer" in reply.spoken
        assert stored(session, call).report.triage["reasons"] == ["firearm involved → officer"]

    def test_a_known_suspect_needs_an_officer(self, call, session):
        call.dial_in()
        call.press("1")
        call.press("2")
        call.press("2")
        call.press("2")
        call.press("2")
        reply = call.press("1")
        assert "needs a police officer" in reply.spoken
        assert stored(session, call).disposition == "officer"


class TestOtherOutcomes:
    def test_a_call_begun_before_closing_time_is_finished(self, call, session, clock):
        # The caller has answered for minutes: the report is taken, not sent online at 23:00.
        clock.now = datetime(2026, 12, 2, 22, 58, tzinfo=BALTIMORE)
        call.dial_in()
        call.press("1")
        call.press("2")
        clock.now = datetime(2026, 12, 2, 23, 1, tzinfo=BALTIMORE)
        for _ in range(6):
            call.press("2")
        call.press("1")
        call.say("a bike")
        call.press("1")
        call.press("300")
        reply = call.press("1")
        assert "Where did it happen?" in reply.spoken
        assert stored(session, call).disposition == "tru_report"

    def test_a_call_that_arrives_closed_is_sent_online(self, call, session, clock):
        clock.now = datetime(2026, 12, 2, 23, 1, tzinfo=BALTIMORE)
        reply = call.dial_in()
        assert "We are closed right now" in reply.spoken
        assert "baltimorepolice dot org" in reply.spoken
        assert "baltimorepolice punto org" in reply.spoken
        assert stored(session, call).disposition == "online_report"

    def test_a_traffic_accident_goes_to_the_vendor_with_location_and_callback(self, call, session):
        call.dial_in()
        call.press("1")
        call.press("3")
        call.say("no")
        reply = call.say("no")
        assert "traffic accident service can help" in reply.spoken
        reply = call.say("Charles Street and North Avenue")
        assert "Can all the vehicles be driven safely?" in reply.spoken
        reply = call.press("2")
        assert "blocking traffic" in reply.spoken
        call.say("yes")
        call.say("Dana Smith")
        call.press("1")
        call.press("1")  # call back at the calling number
        call.record(duration=20)
        reply = call.press("2")
        assert "traffic accident service will call you back" in reply.spoken
        found = stored(session, call)
        assert found.disposition == "traffic_vendor"
        report = found.report
        assert (report.type, report.status) == ("traffic_accident", "new")
        assert report.fields["where"] == "Charles Street and North Avenue"
        assert report.fields["vehicles_drivable"] == "no"
        assert report.fields["blocking_traffic"] == "yes"
        assert report.callback_number == "+14105550123"
        assert report.triage["outcome"] == "traffic_vendor"

    def test_a_poorly_heard_accident_location_is_read_back(self, call, session):
        call.dial_in()
        call.press("1")
        call.press("3")
        call.say("no")
        call.say("no")
        reply = call.say("charles and north", confidence=0.31)
        assert "You said: charles and north. If that is right, press 1" in reply.spoken
        reply = call.press("2")  # not right: asked again
        assert "Where is the accident?" in reply.spoken
        reply = call.say("Charles Street and North Avenue", confidence=0.35)
        assert "You said: Charles Street and North Avenue." in reply.spoken
        reply = call.say("yes")
        assert "Can all the vehicles be driven safely?" in reply.spoken
        found = stored(session, call)
        assert found.report.fields["where"] == "Charles Street and North Avenue"

    def test_a_crisis_goes_to_alternative_responders(self, call, session):
        reply = something_else(
            call, "my brother is having a mental health crisis he is not violent"
        )
        assert "crisis and wellness team" in reply.spoken
        assert "9 8 8" in reply.spoken
        found = stored(session, call)
        assert found.disposition == "alternative_response"
        assert found.facts["triage"]["call_type"] == "BEHAVIOR CRISIS"

    def test_noise_goes_to_311_in_spanish(self, call, session):
        reply = something_else(call, "mi vecino tiene la música muy alta", language_key="2")
        assert "3 1 1 de la ciudad de Baltimore" in reply.spoken
        assert stored(session, call).disposition == "referral_311"

    def test_something_else_that_is_a_theft_goes_to_the_theft_report(self, call, session):
        reply = something_else(call, "somebody stole my bike from my porch")
        assert "You are reporting a theft." in reply.spoken
        assert stored(session, call).report.type == "larceny"


class TestFalseAlarms:
    ADDRESS = "123 N. Charles St."

    def record(self, app, count: int, year: int = 2026) -> None:
        with app.extensions["tru.db"]() as session:
            for day in range(1, count + 1):
                alarms.record_alarm(
                    session,
                    self.ADDRESS,
                    date(year, 3, day),
                    now=datetime(year, 3, day, 12, tzinfo=BALTIMORE),
                )
            session.commit()

    def alarm_call(self, call):
        reply = something_else(call, "my burglar alarm keeps going off")
        assert "address where the alarm is going off" in reply.spoken
        return call.say("123 North Charles Street")

    def test_five_false_alarms_this_year_mean_no_police_response(self, app, call, session):
        self.record(app, 5)
        reply = self.alarm_call(call)
        assert "any sign of a break-in" in reply.spoken
        reply = call.say("no nobody is there")
        assert "Police do not respond to burglar alarms at this address" in reply.spoken
        assert stored(session, call).disposition == "alarm_no_response"
        triage = stored(session, call).facts["triage"]
        assert triage["disposition"] == "alarm_no_response"
        assert triage["reasons"][:2] == [
            "burglar alarm at a premises with 5 false alarms (calendar year), 5 or more"
            " → no police response",
            "premises: 123 N CHARLES ST",
        ]

    @pytest.mark.parametrize("answer", ["yes", "i'm not sure"])
    def test_signs_of_a_break_in_at_a_suspended_premises_are_911(self, app, call, session, answer):
        self.record(app, 5)
        self.alarm_call(call)
        reply = call.say(answer)
        assert "dial 9 1 1" in reply.spoken
        found = stored(session, call)
        assert found.disposition == "emergency_911"
        assert found.facts["triage"]["disposition"] == "emergency_911"
        assert found.facts["alarm_signs"] == ("yes" if answer == "yes" else "unsure")

    def test_four_false_alarms_still_get_an_officer(self, app, call, session):
        self.record(app, 4)
        reply = self.alarm_call(call)
        assert "needs a police officer" in reply.spoken
        assert stored(session, call).disposition == "officer"

    def test_last_years_false_alarms_do_not_count(self, app, call, session):
        self.record(app, 6, year=2025)
        self.alarm_call(call)
        assert stored(session, call).disposition == "officer"


#: A Wednesday morning in 2026: the TRU is open, and the alarms below are this year's.
AT = ("--at", "2026-12-02T10:00")


class TestCli:
    def env(self, app):
        return {
            "TRU_ENV": "test",
            "TRU_DATABASE_URL": app.config["DATABASE_URL"],
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TRU_SECRET_KEY": "s",
        }

    def run(self, app, *args, stdin=None):
        from click.testing import CliRunner

        from ivr.cli import cli

        return CliRunner().invoke(cli, list(args), env=self.env(app), input=stdin)

    def test_triage_text_as_json(self, app):
        import json

        result = self.run(app, "triage", "--json", *AT, "someone stole my bike he had a gun")
        assert result.exit_code == 0, result.output
        record = json.loads(result.stdout)
        # A theft with a gun is a robbery: an emergency.
        assert record["disposition"] == "emergency_911"
        assert record["call_type"] == "ROBBERY"
        assert record["reasons"][0] == "weapon → 911"

    def test_triage_reads_one_utterance_a_line_from_stdin(self, app):
        import json

        lines = "i lost my wallet\nmy neighbors music is too loud\n\nmi hermano tiene una crisis\n"
        result = self.run(app, "triage", "--json", *AT, stdin=lines)
        outcomes = [json.loads(row)["disposition"] for row in result.stdout.splitlines()]
        assert outcomes == ["tru_report", "referral_311", "alternative_response"]

    def test_triage_when_the_tru_is_closed(self, app):
        import json

        result = self.run(app, "triage", "--json", "--at", "2026-12-05T10:00", "i lost my keys")
        record = json.loads(result.stdout)
        assert record["disposition"] == "online_report"
        assert (
            record["reasons"][0]
            == "LOST PROPERTY, nothing above applies, TRU closed → online report"
        )

    def test_triage_plain_text(self, app):
        result = self.run(app, "triage", *AT, "my car alarm is going off")
        assert result.exit_code == 0, result.output
        # One line: outcome, call type, then the reasons (no address, so no false alarms
        # counted) and the words that decided it.
        assert result.stdout == (
            "officer\tAUDIBLE ALARM\tburglar alarm at a premises with 0 false alarms "
            '(calendar year), under 5 → officer; heard: "alarm" (AUDIBLE ALARM)\n'
        )

    def test_alarms_add_and_list_and_triage_with_an_address(self, app):
        for day in ("2026-01-05", "2026-02-05", "2026-03-05", "2026-04-05"):
            assert self.run(app, "alarms", "add", "123 N. Charles St.", "--on", day).exit_code == 0
        result = self.run(
            app, "alarms", "add", "123 North Charles Street Baltimore MD", "--on", "2026-04-05"
        )
        # The same day at the same premises is one event.
        assert (
            result.stdout.strip()
            == "123 N CHARLES ST: 4 false alarm(s) (calendar year) -> police respond"
        )
        self.run(app, "alarms", "add", "123 n charles st", "--on", "2026-06-01", "--not-false")
        result = self.run(app, "alarms", "add", "123 N Charles St", "--on", "2026-07-01")
        assert result.stdout.strip().endswith(
            "5 false alarm(s) (calendar year) -> no police response"
        )
        listed = self.run(app, "alarms", "list", "123 North Charles Street").stdout.splitlines()
        assert listed[0] == "2026-07-01\t123 N CHARLES ST\tfalse"
        assert listed[1] == "2026-06-01\t123 N CHARLES ST\tnot false"
        assert len(listed) == 6
        import json

        result = self.run(
            app, "triage", "--json", *AT, "--address", "123 N Charles St", "my alarm went off"
        )
        assert json.loads(result.stdout)["disposition"] == "alarm_no_response"

    def test_alarms_list_without_an_address_lists_every_premises(self, app):
        assert self.run(app, "alarms", "list").stdout == ""
        self.run(app, "alarms", "add", "123 N. Charles St.", "--on", "2026-03-05")
        self.run(app, "alarms", "add", "10 E Baltimore St", "--on", "2026-05-01", "--not-false")
        self.run(app, "alarms", "add", "123 North Charles Street", "--on", "2026-04-05")
        result = self.run(app, "alarms", "list")
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [
            "2026-05-01\t10 E BALTIMORE ST\tnot false",
            "2026-04-05\t123 N CHARLES ST\tfalse",
            "2026-03-05\t123 N CHARLES ST\tfalse",
        ]

    def test_alarms_add_refuses_a_bad_address(self, app):
        result = self.run(app, "alarms", "add", "Charles Street", "--on", "2026-01-05")
        assert result.exit_code == 1
        assert "no street number" in result.output


def test_a_caller_who_asks_to_report_online_is_sent_online(call, session):
    reply = something_else(call, "i want to do the report online my bike was stolen")
    assert "cannot take this report by phone right now" in reply.spoken
    assert stored(session, call).disposition == "online_report"


class TestReadBack:
    def theft_until_value(self, call):
        call.dial_in()
        call.press("1")
        call.press("2")
        for _ in range(6):
            call.press("2")
        call.press("1")
        call.say("a laptop")
        call.press("1")

    def test_a_rejected_value_decides_nothing_and_is_not_kept(self, call, session):
        self.theft_until_value(call)
        reply = call.say("two thousand dollars")
        assert "2,000 dollars" in reply.spoken
        call.press("2")  # that is not right
        reply = call.press("*")  # and I don't know
        assert "Where did it happen?" in reply.spoken
        found = stored(session, call)
        assert found.disposition == "tru_report"
        assert "value" not in found.report.fields
        assert found.report.theft_class is None
        # What the caller said is still in the call's answers, for staff.
        assert any(a.speech == "two thousand dollars" for a in found.answers)

    def test_a_theft_from_a_vehicle_is_larceny_from_auto(self, call, session):
        self.theft_until_value(call)
        call.press("300")
        call.press("1")
        call.say("on Eastern Avenue")
        reply = call.say("last monday")
        # The day as the line understood it, before the next question.
        assert reply.spoken.startswith("I have that as Monday, November 30.")
        call.press("2")  # from a vehicle
        found = stored(session, call)
        assert found.facts["call_type"] == "LARCENY F/AUTO"
        assert found.report.triage["call_type"] == "LARCENY F/AUTO"
        assert found.report.fields["premises"] == "vehicle"
