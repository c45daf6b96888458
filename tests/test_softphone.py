"""The terminal softphone against a tiny signed-webhook Flask app defined here."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import pytest
from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Dial, VoiceResponse
from werkzeug.datastructures import MultiDict
from werkzeug.serving import make_server

from ivr.softphone import (
    APPLICATION_ERROR_LINE,
    HttpTransport,
    InProcessTransport,
    run_call,
    twilio_signature,
)

TOKEN = "test-token-for-the-softphone-0001"
BASE = "https://tru.example.test"


@dataclass
class Hit:
    method: str
    path: str
    url: str
    params: dict[str, str]
    signed: bool


def twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def make_app() -> Flask:
    app = Flask(__name__)
    hits: list[Hit] = []
    app.config["HITS"] = hits
    validator = RequestValidator(TOKEN)

    @app.before_request
    def check_signature():
        signed = validator.validate(
            request.url, request.form, request.headers.get("X-Twilio-Signature", "")
        )
        params = request.form.to_dict() if request.method == "POST" else request.args.to_dict()
        hits.append(Hit(request.method, request.path, request.url, params, signed))
        if not signed:
            abort(403)

    @app.post("/voice")
    def voice():
        r = VoiceResponse()
        g = r.gather(num_digits=1, action="menu", timeout=5)
        g.say("Baltimore Police Telephone Reporting Unit.", language="en-US")
        g.say("Press 1 for a case number, 2 to speak, 3 to leave a message.")
        r.say("We did not receive a selection.")
        r.redirect("/silence?attempt=1", method="GET")
        return twiml(r)

    @app.get("/silence")
    def silence():
        r = VoiceResponse()
        r.say(f"Goodbye after attempt {request.args['attempt']}.")
        r.hangup()
        return twiml(r)

    @app.post("/menu")
    def menu():
        digit = request.form["Digits"]
        r = VoiceResponse()
        if digit == "1":
            g = r.gather(finish_on_key="*", action="/case-number")
            s = g.say("Enter your case number, then star. For example ")
            s.say_as("12", interpret_as="digits")
        elif digit == "2":
            g = r.gather(input="speech", action="/speech", hints="theft, vandalism")
            g.say("Briefly describe what happened.")
            r.say("We did not hear you.")
            r.hangup()
        elif digit == "3":
            r.record(
                action="/recorded",
                max_length=120,
                finish_on_key="#",
                recording_status_callback="/recording-status",
                transcribe=True,
                transcribe_callback="/transcription",
            )
            r.say("No message was recorded.")
        elif digit == "4":
            r.dial("+14105550000", action="/dial-done", timeout=20)
            r.say("Unreachable.")
        elif digit == "5":
            d = Dial(timeout=20)
            d.number("+14105550001")
            r.append(d)
            r.say("The transfer has ended.")
            r.hangup()
        elif digit == "6":
            r.redirect("/broken")
        elif digit == "7":
            r.redirect("/loop")
        elif digit == "8":
            g = r.gather(num_digits=4, action="/pin", action_on_empty_result=True)
            g.say("Enter your PIN.")
            r.say("Not reached.")
        elif digit == "9":
            r.say("Not reached.")
            r.redirect("/not-xml")
        else:
            r.pause(length=2)
            r.play("https://example.test/hold.mp3")
            r.add_child("Frobnicate", "x")  # not a TwiML verb
            r.add_child("Enqueue", "support")  # a verb the softphone does not simulate
            r.say("Bye.")
        return twiml(r)

    @app.post("/case-number")
    def case_number():
        r = VoiceResponse()
        r.say(f"Case {request.form['Digits']}.")
        return twiml(r)

    @app.post("/speech")
    def speech():
        r = VoiceResponse()
        r.say(f"You said: {request.form['SpeechResult']}")
        r.hangup()
        return twiml(r)

    @app.post("/recorded")
    def recorded():
        r = VoiceResponse()
        r.say("Thank you, your message was saved.")
        r.hangup()
        return twiml(r)

    @app.post("/dial-done")
    def dial_done():
        r = VoiceResponse()
        r.say(f"Transfer {request.form['DialCallStatus']}.")
        r.hangup()
        return twiml(r)

    @app.post("/pin")
    def pin():
        r = VoiceResponse()
        r.say(f"PIN {request.form.get('Digits', 'none')}.")
        r.hangup()
        return twiml(r)

    @app.post("/broken")
    def broken():
        return "boom", 500

    @app.post("/loop")
    def loop():
        r = VoiceResponse()
        r.redirect("loop")
        return twiml(r)

    @app.post("/not-xml")
    def not_xml():
        return "hello", 200

    @app.post("/reject")
    def reject():
        r = VoiceResponse()
        r.reject(reason="busy")
        return twiml(r)

    @app.post("/ssml")
    def ssml():
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><Response>'
            '<Say voice="Polly.Joanna" language="en-GB">Your case number is '
            '<say-as interpret-as="digits">2405</say-as>.<break time="1s"/> '
            '<amazon:effect name="whispered">Call <sub alias="nine one one">911</sub>'
            "</amazon:effect> for emergencies.</Say>"
            '<Play digits="ww12"/><Say loop="2">Twice</Say><Reject/></Response>'
        )
        return Response(body, mimetype="text/xml")

    @app.post("/recording-status")
    @app.post("/transcription")
    @app.post("/status")
    def callback():
        return "", 204

    return app


@pytest.fixture
def app() -> Flask:
    return make_app()


def call(app: Flask, keys: list[str], **kwargs):
    transport = InProcessTransport(app, TOKEN)
    lines: list[str] = []
    result = run_call(transport, "/voice", keys=keys, out=lines.append, **kwargs)
    assert lines == result.transcript
    return result, app.config["HITS"]


def test_signature_matches_validator_with_repeated_keys():
    validator = RequestValidator(TOKEN)
    params = [("b", "2"), ("a", "1"), ("b", "3")]
    url = f"{BASE}/x?y=1"
    signature = twilio_signature(validator, url, params)
    assert validator.validate(url, MultiDict(params), signature)
    assert not validator.validate(url, MultiDict(params[:2]), signature)


def test_digits_with_num_digits_then_finish_key(app):
    result, hits = call(app, ["17", "1234*99"])

    assert [h.path for h in hits] == ["/voice", "/menu", "/case-number"]
    assert all(h.signed for h in hits)
    assert [h.url for h in hits] == [f"{BASE}/voice", f"{BASE}/menu", f"{BASE}/case-number"]
    first, menu, case = (h.params for h in hits)
    assert first["CallStatus"] == "ringing"
    assert first["Direction"] == "inbound"
    assert first["ApiVersion"] == "2010-04-01"
    assert first["From"] == first["Caller"] == "+14105550123"
    assert first["To"] == first["Called"] == "+14106378849"
    assert first["CallSid"] == result.call_sid
    assert result.call_sid.startswith("CA") and len(result.call_sid) == 34
    assert "Digits" not in first
    # numDigits=1: the 7 is lost; the Gather was not ended by a key.
    assert menu["Digits"] == "1"
    assert menu["FinishedOnKey"] == ""
    assert menu["CallStatus"] == "in-progress"
    assert menu["CallSid"] == result.call_sid
    # finishOnKey=*: the star and what follows it are not part of Digits.
    assert case["Digits"] == "1234"
    assert case["FinishedOnKey"] == "*"

    assert result.transcript == [
        "[en-US] Baltimore Police Telephone Reporting Unit.",
        "[en-US] Press 1 for a case number, 2 to speak, 3 to leave a message.",
        "keys> 17",
        "[en-US] Enter your case number, then star. For example 1 2",
        "keys> 1234*99",
        "[en-US] Case 1234.",
        "[end of TwiML — Twilio hangs up]",
    ]
    assert result.ended_by == "end-of-document"
    assert not result.application_error
    assert [(url, status) for url, _, status in result.requests] == [
        (f"{BASE}/voice", 200),
        (f"{BASE}/menu", 200),
        (f"{BASE}/case-number", 200),
    ]


def test_silence_falls_through_to_a_get_redirect(app):
    result, hits = call(app, [""])

    assert [(h.method, h.path) for h in hits] == [("POST", "/voice"), ("GET", "/silence")]
    get = hits[1]
    assert get.signed
    assert get.params["attempt"] == "1"
    assert get.params["CallStatus"] == "in-progress"
    assert get.url.startswith(f"{BASE}/silence?attempt=1&")
    assert result.transcript[2:] == [
        "keys> ",
        "[no input — continuing with the next verb]",
        "[en-US] We did not receive a selection.",
        "[en-US] Goodbye after attempt 1.",
        "[Twilio hangs up]",
    ]
    assert result.ended_by == "hangup-verb"


def test_action_on_empty_result_posts_without_digits(app):
    result, hits = call(app, ["8", ""])
    assert hits[-1].path == "/pin"
    assert "Digits" not in hits[-1].params
    assert result.transcript[-2:] == ["[en-US] PIN none.", "[Twilio hangs up]"]

    app.config["HITS"].clear()
    result, hits = call(app, ["8", "12345"])
    assert hits[-1].params["Digits"] == "1234"
    assert result.transcript[-2] == "[en-US] PIN 1234."


def test_speech_input(app):
    result, hits = call(app, ["2", "say my bike was stolen"])
    assert hits[-1].path == "/speech"
    assert hits[-1].params["SpeechResult"] == "my bike was stolen"
    assert hits[-1].params["Confidence"] == "0.9"
    assert "Digits" not in hits[-1].params
    assert result.transcript[-2:] == ["[en-US] You said: my bike was stolen", "[Twilio hangs up]"]


def test_keys_in_a_speech_only_gather_are_no_input(app):
    result, hits = call(app, ["2", "123"])
    assert [h.path for h in hits] == ["/voice", "/menu"]
    assert result.transcript[-4:] == [
        "[softphone: this menu takes speech only — keys are ignored]",
        "[no input — continuing with the next verb]",
        "[en-US] We did not hear you.",
        "[Twilio hangs up]",
    ]


def test_speech_in_a_keys_only_gather_is_no_input(app):
    result, hits = call(app, ['"one'])
    assert [h.path for h in hits] == ["/voice", "/silence"]


def test_record_with_status_and_transcription_callbacks(app):
    message = "Someone broke my car window on Charles Street last night."
    result, hits = call(app, ["3", message], status_url="/status")

    assert [h.path for h in hits] == [
        "/voice",
        "/menu",
        "/recorded",
        "/recording-status",
        "/transcription",
        "/status",
    ]
    assert all(h.signed for h in hits)
    action, status, transcription = (h.params for h in hits[2:5])
    assert action["Digits"] == "#"
    assert action["RecordingDuration"] == "4"  # 57 characters at 15 a second, rounded up
    assert action["RecordingSid"].startswith("RE")
    assert (
        action["RecordingUrl"]
        == ("https://api.twilio.com/2010-04-01/Accounts/AC" + "0" * 32 + "/Recordings/")
        + action["RecordingSid"]
    )
    assert status["RecordingStatus"] == "completed"
    assert status["RecordingSid"] == action["RecordingSid"]
    assert status["RecordingUrl"] == action["RecordingUrl"]
    assert status["RecordingDuration"] == "4"
    assert status["RecordingChannels"] == "1"
    assert status["RecordingSource"] == "RecordVerb"
    assert transcription["TranscriptionText"] == message
    assert transcription["TranscriptionStatus"] == "completed"
    assert transcription["TranscriptionSid"].startswith("TR")
    assert transcription["RecordingSid"] == action["RecordingSid"]
    assert transcription["RecordingUrl"] == action["RecordingUrl"]
    assert result.transcript[-4:] == [
        "[beep — recording; type the message, Enter to finish]",
        f"record> {message}",
        "[en-US] Thank you, your message was saved.",
        "[Twilio hangs up]",
    ]


def test_empty_recording_continues_with_the_next_verb(app):
    result, hits = call(app, ["3", ""])
    assert [h.path for h in hits] == ["/voice", "/menu"]
    assert result.transcript[-3:] == [
        "[nothing recorded — continuing with the next verb]",
        "[en-US] No message was recorded.",
        "[end of TwiML — Twilio hangs up]",
    ]


def test_caller_hangs_up_after_recording(app):
    result, hits = call(app, ["3", "my bike /hangup"], status_url="/status")
    assert [h.path for h in hits] == [
        "/voice",
        "/menu",
        "/recorded",
        "/recording-status",
        "/transcription",
        "/status",
    ]
    assert hits[2].params["Digits"] == "hangup"
    assert hits[2].params["CallStatus"] == "completed"
    assert hits[4].params["TranscriptionText"] == "my bike"
    assert "[en-US] Thank you, your message was saved." not in result.transcript
    assert result.ended_by == "caller"


def test_dial_with_action(app):
    result, hits = call(app, ["4", "busy"])
    assert hits[-1].path == "/dial-done"
    params = hits[-1].params
    assert params["DialCallStatus"] == "busy"
    assert params["DialCallSid"].startswith("CA")
    assert params["DialCallSid"] != result.call_sid
    assert params["DialCallDuration"] == "0"
    assert result.transcript[-5:] == [
        "[transferring the caller to +14105550000]",
        "dial> busy",
        "[transfer busy]",
        "[en-US] Transfer busy.",
        "[Twilio hangs up]",
    ]

    app.config["HITS"].clear()
    result, hits = call(app, ["4", ""])
    assert hits[-1].params["DialCallStatus"] == "completed"
    assert hits[-1].params["DialCallDuration"] == "30"


def test_dial_without_action_continues_with_the_next_verb(app):
    result, hits = call(app, ["5", "answered 12"])
    assert [h.path for h in hits] == ["/voice", "/menu"]
    assert result.transcript[-5:] == [
        "[transferring the caller to +14105550001]",
        "dial> answered 12",
        "[the other party answers; 12 s later they hang up]",
        "[en-US] The transfer has ended.",
        "[Twilio hangs up]",
    ]


def test_application_error_on_http_500(app):
    result, hits = call(app, ["6"], status_url="/status")
    assert [h.path for h in hits] == ["/voice", "/menu", "/broken", "/status"]
    assert result.transcript[-2:] == [
        f"[softphone: HTTP 500 from {BASE}/broken]",
        APPLICATION_ERROR_LINE,
    ]
    assert result.ended_by == "application-error"
    assert result.application_error
    assert hits[-1].params["CallStatus"] == "completed"


def test_application_error_on_a_reply_that_is_not_twiml(app):
    result, _ = call(app, ["9"])
    assert result.transcript[-1] == APPLICATION_ERROR_LINE
    assert result.application_error


def test_bad_signature_is_refused_and_is_an_application_error(app):
    lines: list[str] = []
    result = run_call(InProcessTransport(app, "wrong-token"), "/voice", keys=[], out=lines.append)
    assert [h.signed for h in app.config["HITS"]] == [False]
    assert result.requests[0][2] == 403
    assert result.ended_by == "application-error"
    assert "wrong-token" not in "\n".join(lines)


def test_redirect_loop_stops_at_the_limit(app):
    result, hits = call(app, ["7"], max_requests=10)
    assert len(hits) == 10
    assert [h.path for h in hits[2:]] == ["/loop"] * 8
    assert result.ended_by == "loop-limit"
    assert result.transcript[-1] == (
        "[softphone: stopped after 10 webhook requests — the TwiML seems to loop]"
    )


def test_pause_play_and_unknown_verbs(app):
    result, _ = call(app, ["0"])
    assert result.transcript[-6:] == [
        "[pause 2 s]",
        "[plays https://example.test/hold.mp3]",
        "[softphone: warning: unknown verb <Frobnicate> skipped"
        " — Twilio would end the call with an application error]",
        "[softphone: <Enqueue> is not simulated — skipped]",
        "[en-US] Bye.",
        "[end of TwiML — Twilio hangs up]",
    ]


def test_reject_first_verb_leaves_the_call_unanswered(app):
    transport = InProcessTransport(app, TOKEN)
    result = run_call(transport, "/reject", status_url="/status", keys=[], out=lambda _: None)
    assert result.ended_by == "reject"
    final = app.config["HITS"][-1].params
    assert final["CallStatus"] == "busy"
    assert final["CallDuration"] == "0"


def test_ssml_play_digits_loop_and_a_late_reject(app):
    transport = InProcessTransport(app, TOKEN)
    result = run_call(transport, "/ssml", status_url="/status", keys=[], out=lambda _: None)
    assert result.transcript == [
        "[en-GB] Your case number is 2 4 0 5. Call nine one one for emergencies.",
        "[plays DTMF tones ww12]",
        "[en-US] Twice (x2)",
        "[call rejected: not in service]",
    ]
    assert result.ended_by == "reject"
    # The call was answered before <Reject>, so it simply ends.
    assert app.config["HITS"][-1].params["CallStatus"] == "completed"


def test_interactive_ask(app):
    answers = iter(["1", "77#"])
    prompts: list[str] = []
    printed: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    result = run_call(InProcessTransport(app, TOKEN), "/voice", ask=ask, out=printed.append)
    assert prompts == ["keys> ", "keys> "]
    assert not any(line.startswith("keys>") for line in printed)  # the terminal echoes
    assert "keys> 77#" in result.transcript
    # finishOnKey="*" here, so # is an ordinary key and the Gather ends on the timeout.
    assert app.config["HITS"][-1].params["Digits"] == "77#"
    assert app.config["HITS"][-1].params["FinishedOnKey"] == ""
    assert result.ended_by == "end-of-document"


def test_caller_hangs_up_during_a_gather(app):
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        raise EOFError

    transport = InProcessTransport(app, TOKEN)
    result = run_call(transport, "/voice", status_url="/status", ask=ask, out=lambda _: None)
    assert asked == ["keys> "]
    assert [h.path for h in app.config["HITS"]] == ["/voice", "/status"]
    assert result.ended_by == "caller"
    assert result.transcript[-2:] == ["keys> (hangs up)", "[caller hangs up]"]


def test_hangup_line_and_scripted_keys_running_out(app):
    result, hits = call(app, ["hangup"])
    assert result.ended_by == "caller"
    assert [h.path for h in hits] == ["/voice"]
    result, _ = call(app, ["1"])
    assert result.ended_by == "caller"
    assert result.transcript[-2:] == ["keys> (no more scripted input)", "[caller hangs up]"]


def test_final_status_callback(app):
    ticks = iter([100.0, 107.4])
    transport = InProcessTransport(app, TOKEN)
    result = run_call(
        transport,
        f"{BASE}/voice",
        status_url=f"{BASE}/status",
        keys=["1", "42#"],
        out=lambda _: None,
        clock=lambda: next(ticks),
    )
    final = app.config["HITS"][-1]
    assert final.path == "/status" and final.signed
    params = final.params
    assert params["CallStatus"] == "completed"
    assert params["CallDuration"] == "7"
    assert params["CallSid"] == result.call_sid
    assert params["CallbackSource"] == "call-progress-events"
    assert params["SequenceNumber"] == "0"
    assert params["From"] == "+14105550123"
    assert parsedate_to_datetime(params["Timestamp"]).utcoffset() is not None
    assert result.requests[-1][0] == f"{BASE}/status"


@pytest.fixture
def live_server(app, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_http_transport_against_a_real_server(app, live_server):
    lines: list[str] = []
    result = run_call(
        HttpTransport(TOKEN, timeout=5),
        f"{live_server}/voice",
        status_url=f"{live_server}/status",
        keys=["", "hangup"],
        out=lines.append,
    )
    hits = app.config["HITS"]
    assert [(h.method, h.path) for h in hits] == [
        ("POST", "/voice"),
        ("GET", "/silence"),
        ("POST", "/status"),
    ]
    assert all(h.signed for h in hits)
    assert hits[0].url == f"{live_server}/voice"
    assert hits[0].params["CallStatus"] == "ringing"
    assert hits[1].params["attempt"] == "1"
    assert result.ended_by == "hangup-verb"
    assert lines[-2:] == ["[en-US] Goodbye after attempt 1.", "[Twilio hangs up]"]


def test_http_transport_reports_errors_and_bad_signatures(app, live_server):
    result = run_call(
        HttpTransport("wrong-token", timeout=5), f"{live_server}/voice", out=lambda _: None
    )
    assert result.requests[0][2] == 403
    assert result.application_error
    result = run_call(HttpTransport(TOKEN, timeout=5), f"{live_server}/broken", out=lambda _: None)
    assert result.requests[0][2] == 500
    assert result.ended_by == "application-error"


def test_http_transport_cannot_connect():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lines: list[str] = []
    result = run_call(
        HttpTransport(TOKEN, timeout=5), f"http://127.0.0.1:{port}/voice", out=lines.append
    )
    assert result.application_error
    assert result.requests[0][2] == 0
    assert lines[0].startswith(f"[softphone: cannot reach http://127.0.0.1:{port}/voice")
    assert lines[-1] == APPLICATION_ERROR_LINE
