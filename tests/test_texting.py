"""Texting the caller: the real twilio REST client against a local stand-in for Twilio's API."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from ivr import db, sms
from ivr.cli import cli
from ivr.config import ConfigError, load_config
from ivr.hours import parse_hours
from ivr.models import Call, TextMessage
from tests.conftest import AUTH_TOKEN, BALTIMORE
from tests.twilio_sim import ACCOUNT_SID, SimCall, Twilio


class FakeTwilioApi:
    """Answers POST /2010-04-01/Accounts/{sid}/Messages.json as Twilio does, and keeps requests."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail_with: tuple[int, int, str] | None = None
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @Request.application
    def app(self, request: Request) -> Response:
        self.requests.append(
            {
                "path": request.path,
                "auth": request.authorization
                and (request.authorization.username, request.authorization.password),
                "form": request.form.to_dict(),
            }
        )
        if self.fail_with:
            status, code, message = self.fail_with
            body = {"code": code, "message": message, "status": status, "more_info": ""}
            return Response(json.dumps(body), status=status, mimetype="application/json")
        sid = f"SM{len(self.requests):032x}"
        body = {
            "sid": sid,
            "status": "queued",
            "to": request.form.get("To"),
            "body": request.form.get("Body"),
            "account_sid": ACCOUNT_SID,
            "error_code": None,
        }
        return Response(json.dumps(body), status=201, mimetype="application/json")


@pytest.fixture(autouse=True)
def empty_database_afterwards(app):
    """The `app` fixture empties the database when a test ends; apps from `make_app` do not, and
    a text left behind (its message_sid unique) would spoil the next test's send."""
    yield


@pytest.fixture
def fake_api() -> Iterator[FakeTwilioApi]:
    api = FakeTwilioApi()
    api.thread.start()
    yield api
    api.server.shutdown()
    api.server.server_close()
    api.thread.join(timeout=5)


@pytest.fixture
def texting(make_app, fake_api, twiml_schema) -> Twilio:
    app = make_app(SMS_FROM="+14105559000", TWILIO_API_BASE=fake_api.url)
    return Twilio(app.test_client(), AUTH_TOKEN, twiml_schema)


def finish_a_report(call: SimCall):
    call.dial_in()
    call.press("2")  # Spanish
    call.press("1")
    call.press("2")
    call.press("1")
    call.say("un paraguas")
    call.press("1")
    call.press("5")
    call.say("negro")
    call.press("#")
    call.press("*")
    call.say("en la biblioteca")
    call.say("hoy")
    call.say("lo olvidé")
    call.say("Ana Ruiz")
    call.press("1")
    call.press("1")
    call.record()
    return call.press("2")  # done hearing the number


def stored_texts(app_session_factory, call: SimCall) -> list[TextMessage]:
    with app_session_factory() as session:
        return list(
            session.scalars(select(TextMessage).join(Call).where(Call.call_sid == call.call_sid))
        )


def test_the_report_number_is_texted_after_the_reply_in_the_callers_language(texting, fake_api):
    call = SimCall(texting)
    reply = finish_a_report(call)
    assert (
        "Para recibir su número de reporte por mensaje de texto al 4 1 0, 5 5 5, 0 1 2 3"
        in reply.spoken
    )
    assert fake_api.requests == []
    reply = call.say("sí")
    assert "Le estamos enviando el mensaje de texto ahora." in reply.spoken
    assert reply.hangs_up
    [request] = fake_api.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["auth"] == (ACCOUNT_SID, AUTH_TOKEN)
    form = request["form"]
    assert form["To"] == "+14105550123"
    assert form["From"] == "+14105559000"
    assert form["StatusCallback"] == "https://tru.example.test/voice/sms/status"
    assert form["Body"].startswith("Policia de Baltimore (TRU): su numero de reporte es TRU-26-")
    assert sms.segments(form["Body"]) <= 2
    factory = texting.client.application.extensions["tru.db"]
    [text] = stored_texts(factory, call)
    assert (text.kind, text.language, text.status) == ("report", "es", "queued")
    assert text.message_sid == "SM" + "0" * 31 + "1"


def test_only_the_webhook_that_queues_a_text_asks_the_database_about_texts(texting, fake_api):
    from sqlalchemy import event

    engine = db.engine_of(texting.client.application)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        call = SimCall(texting)
        finish_a_report(call)
        about_texts = [s for s in statements if "text_messages" in s]
        assert about_texts == []  # 20 webhooks, not one of them asked
        call.press("1")
        about_texts = [s for s in statements if "text_messages" in s]
        assert about_texts  # the one that queued the text, and the courier sending it
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert len(fake_api.requests) == 1


def test_a_retried_webhook_never_sends_twice(texting, fake_api):
    call = SimCall(texting)
    finish_a_report(call)
    first = call.press("1")
    again = call.retry_last()
    assert again.body == first.body
    assert len(fake_api.requests) == 1


def test_a_twilio_error_is_kept_for_staff_and_never_spoken(texting, fake_api):
    fake_api.fail_with = (400, 21610, "Attempt to send to unsubscribed recipient")
    call = SimCall(texting)
    finish_a_report(call)
    reply = call.press("1")
    assert "error" not in reply.spoken.lower()
    assert reply.hangs_up
    [text] = stored_texts(texting.client.application.extensions["tru.db"], call)
    assert (text.status, text.error_code) == ("error", "21610")
    assert (
        text.error_message == "Unable to create record: Attempt to send to unsubscribed recipient"
    )
    assert len(fake_api.requests) == 1


def test_the_closed_line_offers_the_link_in_either_language(texting, fake_api, clock):
    clock.now = datetime(2026, 12, 5, 10, 0, tzinfo=BALTIMORE)  # Saturday
    call = SimCall(texting)
    reply = call.dial_in()
    assert "We are closed right now" in reply.spoken
    gather = reply.gather
    assert [s.text for s in gather.findall("Say")] == [
        "To get the online report link by text message at 4 1 0, 5 5 5, 0 1 2 3, press 1.",
        "Para recibir el enlace por mensaje de texto al 4 1 0, 5 5 5, 0 1 2 3, oprima 2.",
    ]
    reply = call.press("2")
    assert reply.spoken.startswith("Le estamos enviando")
    body = fake_api.requests[0]["form"]["Body"]
    assert body == (
        "Policia de Baltimore: haga su reporte por internet en "
        "https://www.baltimorepolice.org/online-reporting Por telefono (TRU): 410-637-8849, "
        "lun-vie 6am-11pm."
    )


def test_silence_after_the_closed_message_just_says_goodbye(texting, fake_api, clock):
    clock.now = datetime(2026, 12, 5, 10, 0, tzinfo=BALTIMORE)
    call = SimCall(texting)
    call.dial_in()
    reply = call.silence()
    assert reply.spoken == "Thank you for calling. Goodbye. Gracias por llamar. Adiós."
    assert fake_api.requests == []


def test_no_offer_without_messaging_configured(call, clock):
    clock.now = datetime(2026, 12, 5, 10, 0, tzinfo=BALTIMORE)
    reply = call.dial_in()
    assert "text message" not in reply.spoken
    assert reply.gather is None and reply.hangs_up


def test_no_offer_to_a_withheld_number(texting, clock):
    clock.now = datetime(2026, 12, 5, 10, 0, tzinfo=BALTIMORE)
    hidden = SimCall(texting, caller="anonymous")
    reply = hidden.dial_in()
    assert "text message" not in reply.spoken
    assert reply.hangs_up


def test_delivery_callbacks_are_signed_and_never_go_backwards(texting, fake_api):
    call = SimCall(texting)
    finish_a_report(call)
    call.press("1")
    factory = texting.client.application.extensions["tru.db"]
    [text] = stored_texts(factory, call)
    params = [
        ("MessageSid", text.message_sid),
        ("MessageStatus", "delivered"),
        ("AccountSid", ACCOUNT_SID),
    ]
    unsigned = texting.client.post("/voice/sms/status", data=dict(params))
    assert unsigned.status_code == 403
    assert texting.post("/voice/sms/status", params).status_code == 200
    late = [
        ("MessageSid", text.message_sid),
        ("MessageStatus", "sent"),
        ("AccountSid", ACCOUNT_SID),
    ]
    texting.post("/voice/sms/status", late)
    [text] = stored_texts(factory, call)
    assert text.status == "delivered"


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["report", "online_link"])
def test_every_text_fits_two_segments(kind, language):
    body = sms.compose(
        kind,
        language,
        hours=parse_hours(),
        tru_number="+14106378849",
        online_url="https://www.baltimorepolice.org/online-reporting",
        report_number="TRU-26-123456",
    )
    assert sms.segments(body) <= 2
    assert ("TRU-26-123456" in body) is (kind == "report")


def test_segments_count_gsm_and_unicode():
    assert sms.segments("a" * 160) == 1
    assert sms.segments("a" * 161) == 2
    assert sms.segments("á" * 70) == 1
    assert sms.segments("á" * 71) == 2


def test_staff_see_a_failed_text_on_the_report_page(texting, fake_api, clock):
    fake_api.fail_with = (400, 21610, "Attempt to send to unsubscribed recipient")
    call = SimCall(texting)
    finish_a_report(call)
    call.press("1")
    app = texting.client.application
    app.config["WTF_CSRF_ENABLED"] = False
    from ivr.staff.accounts import add_user

    with app.extensions["tru.db"]() as session:
        add_user(session, "rita", "a long enough password", "reviewer", now=clock.now, by=None)
        session.commit()
        [text] = stored_texts(app.extensions["tru.db"], call)
        number = session.get(TextMessage, text.id).call.report.number
    staff = app.test_client()
    staff.post("/staff/login", data={"username": "rita", "password": "a long enough password"})
    page = staff.get(f"/staff/reports/{number}").get_data(as_text=True)
    assert "Text messages to the caller" in page
    assert "Report number (es)" in page
    assert (
        "Twilio error 21610: Unable to create record: Attempt to send to unsubscribed recipient"
        in page
    )


def test_a_messaging_service_sends_instead_of_a_number(make_app, fake_api, twiml_schema):
    app = make_app(MESSAGING_SERVICE_SID="MG" + "b" * 32, TWILIO_API_BASE=fake_api.url)
    call = SimCall(Twilio(app.test_client(), AUTH_TOKEN, twiml_schema))
    finish_a_report(call)
    call.press("1")
    [request] = fake_api.requests
    assert request["form"]["MessagingServiceSid"] == "MG" + "b" * 32
    assert "From" not in request["form"]


class HungTwilioApi:
    """Accepts each connection and reads the request, then never answers: a hung Twilio API."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.requests: list[bytes] = []
        self.held: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.held.append(connection)
            connection.settimeout(2)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                head += chunk
            self.requests.append(head.split(b"\r\n", 1)[0])

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        for connection in self.held:
            connection.close()
        self.listener.close()


@pytest.fixture
def hung_api() -> Iterator[HungTwilioApi]:
    api = HungTwilioApi()
    api.thread.start()
    yield api
    api.close()


def with_sender(app, **changes) -> None:
    """The app's line, its texts sent by a sender with `changes` (e.g. a short timeout)."""
    line = app.extensions["tru.line"]
    sender = dataclasses.replace(line.texting.sender, **changes)
    texting = dataclasses.replace(line.texting, sender=sender)
    app.extensions["tru.line"] = dataclasses.replace(line, texting=texting)


def test_the_sender_never_waits_on_twilio_without_a_timeout():
    sender = sms.Sender(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, from_number="+14105559000")
    assert sender.client().http_client.timeout == sms.SEND_TIMEOUT == 5.0
    assert sms.Sender(ACCOUNT_SID, AUTH_TOKEN, timeout=2.5).client().http_client.timeout == 2.5


def test_the_send_timeout_is_a_setting(tmp_path):
    assert load_config({}, str(tmp_path))["SMS_TIMEOUT"] == 5.0
    assert load_config({"TRU_SMS_TIMEOUT": "3"}, str(tmp_path))["SMS_TIMEOUT"] == 3.0
    for bad in ("0", "-1", "soon"):
        with pytest.raises(ConfigError, match="TRU_SMS_TIMEOUT"):
            load_config({"TRU_SMS_TIMEOUT": bad}, str(tmp_path))


def test_the_public_url_is_the_lines_address_or_nothing(tmp_path):
    assert load_config({}, str(tmp_path))["PUBLIC_URL"] is None
    for given, kept in [
        ("https://tru.example.org/", "https://tru.example.org"),
        (" https://example.org/tru ", "https://example.org/tru"),
    ]:
        assert load_config({"TRU_PUBLIC_URL": given}, str(tmp_path))["PUBLIC_URL"] == kept
    for bad in ("tru.example.org", "ftp://tru.example.org", "https://", "https://x.org/?a=1"):
        with pytest.raises(ConfigError, match="TRU_PUBLIC_URL must be the line's address"):
            load_config({"TRU_PUBLIC_URL": bad}, str(tmp_path))


def test_texts_sent_in_a_webhook_report_their_status_to_the_address_twilio_called(
    make_app, fake_api, twiml_schema
):
    """The webhook's own host wins over TRU_PUBLIC_URL: Twilio signed the request for it."""
    app = make_app(
        SMS_FROM="+14105559000", TWILIO_API_BASE=fake_api.url, PUBLIC_URL="https://elsewhere.org"
    )
    call = SimCall(Twilio(app.test_client(), AUTH_TOKEN, twiml_schema))
    finish_a_report(call)
    call.press("1")
    [sent] = fake_api.requests
    assert sent["form"]["StatusCallback"] == "https://tru.example.test/voice/sms/status"


def test_a_hung_twilio_api_is_given_up_on_within_the_timeout_and_kept_for_staff(
    make_app, hung_api, twiml_schema
):
    app = make_app(SMS_FROM="+14105559000", TWILIO_API_BASE=hung_api.url)
    with_sender(app, timeout=0.5)
    twilio = Twilio(app.test_client(), AUTH_TOKEN, twiml_schema, wait_for_texts=False)
    call = SimCall(twilio)
    finish_a_report(call)
    started = time.monotonic()
    reply = call.press("1")  # the reply goes out at once; the text goes on the courier's thread
    waited = time.monotonic() - started
    assert "Le estamos enviando el mensaje de texto ahora." in reply.spoken
    assert "error" not in reply.spoken.lower()
    assert waited < 0.5
    deadline = time.monotonic() + 5
    while not hung_api.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    # While the API hangs, the courier holds no database connection (nor a transaction).
    assert db.engine_of(app).pool.checkedout() == 0
    assert app.extensions["tru.courier"].drain(timeout=5)
    assert time.monotonic() - started >= 0.5  # the text waited out its timeout, elsewhere
    assert hung_api.requests == [
        f"POST /2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json HTTP/1.1".encode()
    ]  # asked once, never retried
    [text] = stored_texts(app.extensions["tru.db"], call)
    assert (text.status, text.error_code) == ("error", "timeout")
    assert text.error_message == "not confirmed: Twilio did not answer within 0.5 s"
    assert text.message_sid is None
    call.retry_last()
    assert app.extensions["tru.courier"].drain(timeout=5)
    assert len(hung_api.requests) == 1


def test_an_unreachable_twilio_api_is_kept_for_staff(make_app, twiml_schema):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: the connection is refused
    app = make_app(SMS_FROM="+14105559000", TWILIO_API_BASE=f"http://127.0.0.1:{port}")
    call = SimCall(Twilio(app.test_client(), AUTH_TOKEN, twiml_schema))
    finish_a_report(call)
    reply = call.press("1")
    assert reply.hangs_up and "error" not in reply.spoken.lower()
    [text] = stored_texts(app.extensions["tru.db"], call)
    assert (text.status, text.error_code) == ("error", "unreachable")
    assert text.error_message == "not confirmed: the connection to Twilio failed"


def test_a_text_twilio_has_queued_is_never_sent_again(texting, fake_api):
    call = SimCall(texting)
    finish_a_report(call)
    call.press("1")
    factory = texting.client.application.extensions["tru.db"]
    [text] = stored_texts(factory, call)
    assert (text.status, text.message_sid is not None) == ("queued", True)  # Twilio's "queued"
    with factory() as session:
        assert sms.pending(session, call.call_sid) == []
        sender = texting.client.application.extensions["tru.line"].texting.sender
        assert sender.send(session, text.id, datetime.now(UTC)) is None
    assert len(fake_api.requests) == 1


def _text_row(session, call_sid: str, kind: str, status: str, at: datetime, sid=None):
    call = session.scalar(select(Call).where(Call.call_sid == call_sid)) or Call(
        call_sid=call_sid, caller="+14105550123"
    )
    session.add(call)
    message = TextMessage(
        call=call,
        kind=kind,
        to="+14105550123",
        body="Baltimore Police TRU",
        language="en",
        status=status,
        message_sid=sid,
        created_at=at,
        updated_at=at,
    )
    session.add(message)
    session.flush()
    return message.id


def test_the_sweep_marks_what_will_not_be_sent_and_resends_nothing(app, fake_api, clock):
    now = clock.now
    old = now - timedelta(minutes=20)
    factory = app.extensions["tru.db"]
    with factory() as session:
        ids = {
            "queued_old": _text_row(session, "CA1", "report", "queued", old),
            "sending_old": _text_row(session, "CA2", "report", "sending", old),
            "queued_new": _text_row(session, "CA3", "report", "queued", now - timedelta(minutes=1)),
            "twilio_has_it": _text_row(session, "CA4", "report", "queued", old, sid="SM" + "4" * 9),
            "delivered": _text_row(session, "CA1", "online_link", "delivered", old),
            "queued_a_day": _text_row(
                session, "CA5", "report", "queued", now - timedelta(hours=25)
            ),
        }
        session.commit()
        assert sms.sweep(session, now=now, dry_run=True) == 2
        assert sms.sweep(session, now=now) == 2
        assert sms.sweep(session, now=now) == 0
        rows = {name: session.get(TextMessage, i) for name, i in ids.items()}
        assert [(rows[n].status, rows[n].error_code, rows[n].error_message) for n in rows] == [
            ("queued", None, None),  # its courier is gone: an orphan, sent late (below)
            ("error", "interrupted", "interrupted while sending: not confirmed sent"),
            ("queued", None, None),  # its courier may still be on its way
            ("queued", None, None),
            ("delivered", None, None),
            ("error", "interrupted", "not sent: no worker sent it within a day"),
        ]
        assert rows["sending_old"].updated_at == now
        # Unclaimed for over two minutes, and under a day old: any sender may send it.
        assert sms.orphans(session, now=now) == [ids["queued_old"]]
    assert fake_api.requests == []


def test_every_send_also_sends_the_texts_left_queued_and_marks_the_interrupted(
    texting, fake_api, clock
):
    """A worker that stops (a restart, a kill) with texts still waiting for its courier leaves
    them queued, never handed to Twilio: the next text sent takes them along, each once. One
    left *sending* may have reached Twilio: marked for staff, never resent."""
    factory = texting.client.application.extensions["tru.db"]
    with factory() as session:
        left = _text_row(session, "CA8", "report", "queued", clock.now - timedelta(minutes=3))
        stuck = _text_row(session, "CA9", "report", "sending", clock.now - timedelta(hours=1))
        session.commit()
    call = SimCall(texting)
    finish_a_report(call)
    call.press("1")
    assert len(fake_api.requests) == 2
    assert fake_api.requests[1]["form"]["Body"] == "Baltimore Police TRU"  # the one left behind
    with factory() as session:
        orphan = session.get(TextMessage, left)
        assert (orphan.status, orphan.message_sid) == ("queued", "SM" + "0" * 31 + "2")
        assert sms.orphans(session, now=clock.now) == []
        assert session.get(TextMessage, stuck).status == "error"
    call.retry_last()
    assert len(fake_api.requests) == 2  # nothing twice


def test_tru_texts_sweep_for_a_scheduled_job(app, fake_api):
    factory = app.extensions["tru.db"]
    now = datetime.now(UTC)
    with factory() as session:
        left = _text_row(session, "CA1", "report", "queued", now - timedelta(hours=1))
        stuck = _text_row(session, "CA2", "report", "sending", now - timedelta(hours=1))
        session.commit()
    env = {
        "TRU_ENV": "test",
        "TRU_DATABASE_URL": app.config["DATABASE_URL"],
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TRU_SECRET_KEY": "s",
    }
    texting = {
        **env,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TRU_SMS_FROM": "+14105559000",
        "TRU_TWILIO_API_BASE": fake_api.url,
        # No webhook to take the address from: Twilio reports the late text's delivery here.
        "TRU_PUBLIC_URL": "https://tru.example.org/",
    }
    result = CliRunner().invoke(cli, ["texts", "sweep", "--dry-run"], env=texting)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "would send 1 texts late; would mark 1 as not sent"
    result = CliRunner().invoke(cli, ["texts", "sweep", "--older-than", "90"], env=env)
    assert result.stdout.strip() == "sent 0 texts late; marked 0 interrupted texts as not sent"
    # Without messaging configured, the text left queued waits (for a day) for a sender.
    result = CliRunner().invoke(cli, ["texts", "sweep"], env=env)
    assert result.stdout.strip() == "sent 0 texts late; marked 1 interrupted texts as not sent"
    assert fake_api.requests == []
    result = CliRunner().invoke(cli, ["texts", "sweep"], env=texting)
    assert result.stdout.strip() == "sent 1 texts late; marked 0 interrupted texts as not sent"
    [late] = fake_api.requests
    assert late["form"]["StatusCallback"] == "https://tru.example.org/voice/sms/status"
    with factory() as session:
        assert session.get(TextMessage, stuck).error_message == (
            "interrupted while sending: not confirmed sent"
        )
        assert session.get(TextMessage, left).message_sid == "SM" + "0" * 31 + "1"


# --- nobody to take the call, and the places no offer is made -----------------------------------


def nobody_available(call: SimCall, language_key: str = "1"):
    """Straight to a staff member; no operator number is set, so nobody can take the call."""
    call.dial_in()
    call.press(language_key)
    return call.press("0")


def test_nobody_available_offers_the_online_link_by_text(texting, fake_api):
    call = SimCall(texting)
    reply = nobody_available(call)
    assert "no staff member is available" in reply.spoken
    assert "make a report online" in reply.spoken
    assert reply.gather.findall("Say")[-1].text == (
        "To go back to the main menu, press 1. "
        "To get the online report link by text message at 4 1 0, 5 5 5, 0 1 2 3, press 2. "
        "Otherwise, you can hang up."
    )
    assert fake_api.requests == []
    reply = call.press("2")
    assert reply.spoken == "We are sending the text message now. Thank you for calling. Goodbye."
    assert reply.hangs_up
    [request] = fake_api.requests
    assert request["form"]["To"] == "+14105550123"
    assert request["form"]["Body"].startswith("Baltimore Police: make your report online at ")
    factory = texting.client.application.extensions["tru.db"]
    [text] = stored_texts(factory, call)
    assert (text.kind, text.language) == ("online_link", "en")
    with factory() as session:
        stored = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
        assert stored.disposition == "online_report"


def test_nobody_available_takes_the_text_offer_by_speech_in_spanish(texting, fake_api):
    call = SimCall(texting)
    reply = nobody_available(call, "2")
    assert "oprima 2" in reply.gather.findall("Say")[-1].text
    reply = call.say("mándeme un mensaje de texto")
    assert reply.spoken.startswith("Le estamos enviando el mensaje de texto ahora.")
    [request] = fake_api.requests
    assert request["form"]["Body"].startswith("Policia de Baltimore: haga su reporte por internet")


def test_nobody_available_makes_no_offer_to_a_number_outside_the_us(texting, fake_api):
    call = SimCall(texting, caller="+442079460958")
    reply = nobody_available(call)
    assert "text message" not in reply.spoken
    assert "To go back to the main menu, press 1. Otherwise, you can hang up." in reply.spoken
    reply = call.press("2")  # no such choice here: asked again, nothing sent
    assert reply.spoken.startswith("Sorry, that is not one of the choices.")
    assert "text message" not in reply.spoken
    assert fake_api.requests == []


def test_nobody_available_makes_no_offer_without_messaging_configured(call):
    reply = nobody_available(call)
    assert "no staff member is available" in reply.spoken
    assert "text message" not in reply.spoken
    reply = call.press("2")
    assert reply.spoken.startswith("Sorry, that is not one of the choices.")
    reply = call.silence()
    assert reply.hangs_up and "text message" not in reply.spoken


def test_no_offer_at_the_end_of_a_report_without_messaging_configured(call):
    reply = finish_a_report(call)
    assert reply.spoken == (
        "Un miembro del personal revisará su reporte y es posible que le llame. "
        "Gracias por llamar. Adiós."
    )
    assert reply.hangs_up


def wants_to_report_online(call: SimCall):
    call.dial_in()
    call.press("1")
    call.press("4")
    return call.say("I lost my wallet and I want to report it online")


def test_the_online_report_outcome_offers_the_link_by_text(texting, fake_api):
    call = SimCall(texting)
    reply = wants_to_report_online(call)
    assert "cannot take this report by phone right now" in reply.spoken
    assert "To get the online report link by text message at 4 1 0, 5 5 5, 0 1 2 3" in (
        reply.spoken
    )
    reply = call.say("yes")
    assert reply.spoken.startswith("We are sending the text message now.")
    assert len(fake_api.requests) == 1


def test_no_offer_after_the_online_report_outcome_without_messaging_configured(call, session):
    reply = wants_to_report_online(call)
    assert "cannot take this report by phone right now" in reply.spoken
    assert "make a report online" in reply.spoken
    assert "text message" not in reply.spoken
    assert reply.gather is None and reply.hangs_up
    stored = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
    assert stored.disposition == "online_report"
