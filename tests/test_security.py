"""Only Twilio may drive the line: signature checks, repeated parameters, and the proxy case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from ivr import db
from ivr.models import Base, Call, TextMessage
from tests.conftest import AUTH_TOKEN
from tests.twilio_sim import ACCOUNT_SID, Reply, SimCall, Twilio


def calls_stored(session) -> int:
    return session.scalar(select(func.count()).select_from(Call))


RECORDING_SID = "RE" + "7" * 32
MESSAGE_SID = "SM" + "7" * 32


def text_sent_on_the_call(call: SimCall, session) -> None:
    """A text Twilio has accepted, so a delivery status callback has something to update."""
    stored = session.scalar(select(Call).where(Call.call_sid == call.call_sid))
    session.add(
        TextMessage(
            call=stored,
            kind="report",
            to=call.caller,
            language="en",
            body="Baltimore Police TRU",
            status="sent",
            message_sid=MESSAGE_SID,
        )
    )
    session.commit()


@dataclass(frozen=True)
class TwilioRequest:
    """A request Twilio makes to one route. Signed, it changes `stores_in` (None: stores nothing),
    so "nothing changed" after the unsigned request means the signature check stopped it."""

    path: str
    params: dict[str, str] = field(default_factory=dict)
    stores_in: str | None = None
    #: The call has dialled in first (the step and text routes act only on a known call).
    started: bool = False
    setup: Callable[[SimCall, object], None] | None = None


#: One request for every POST route under /voice, by URL rule; a test below fails when the app
#: has a route this does not list, so no new Twilio route can skip the signature check.
TWILIO_REQUESTS = {
    "/voice": TwilioRequest("/voice", stores_in="calls"),
    "/voice/step/<int:step>": TwilioRequest(
        "/voice/step/1?lang=en", {"Digits": "1"}, stores_in="answers", started=True
    ),
    "/voice/status": TwilioRequest(
        "/voice/status", {"CallStatus": "completed", "CallDuration": "30"}, stores_in="calls"
    ),
    "/voice/recording": TwilioRequest(
        "/voice/recording",
        {
            "RecordingSid": RECORDING_SID,
            "RecordingStatus": "completed",
            "RecordingDuration": "25",
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"
            f"/Recordings/{RECORDING_SID}",
        },
        stores_in="recordings",
    ),
    "/voice/transcription": TwilioRequest(
        "/voice/transcription",
        {
            "RecordingSid": RECORDING_SID,
            "TranscriptionText": "someone took my bike",
            "TranscriptionStatus": "completed",
        },
        stores_in="recordings",
    ),
    "/voice/sms/status": TwilioRequest(
        "/voice/sms/status",
        {"MessageSid": MESSAGE_SID, "MessageStatus": "delivered"},
        stores_in="text_messages",
        started=True,
        setup=text_sent_on_the_call,
    ),
    "/voice/fallback": TwilioRequest("/voice/fallback?lang=en", {"ErrorCode": "11200"}),
    "/voice/<path:unknown>": TwilioRequest("/voice/no/such/route"),
}


def every_row(app) -> dict[str, list[tuple]]:
    """The whole database, table by table, read afresh."""
    with db.engine_of(app).connect() as connection:
        return {
            table.name: sorted(connection.execute(select(table)).all(), key=repr)
            for table in Base.metadata.sorted_tables
        }


def test_every_post_route_under_voice_is_in_the_signature_check(app):
    def is_twilios(rule) -> bool:
        under_voice = rule.rule == "/voice" or rule.rule.startswith("/voice/")
        return "POST" in rule.methods and (under_voice or rule.endpoint.startswith("voice."))

    posted = {rule.rule for rule in app.url_map.iter_rules() if is_twilios(rule)}
    assert posted == set(TWILIO_REQUESTS)
    adapter = app.url_map.bind("tru.example.test")
    for rule, request in TWILIO_REQUESTS.items():
        matched, _ = adapter.match(urlsplit(request.path).path, method="POST", return_rule=True)
        assert matched.rule == rule, request.path


@pytest.mark.parametrize("rule", list(TWILIO_REQUESTS))
def test_unsigned_requests_are_refused_and_store_nothing(app, client, twilio, call, session, rule):
    request = TWILIO_REQUESTS[rule]
    if request.started:
        call.dial_in()
    if request.setup:
        request.setup(call, session)
    params = call.params(**request.params)
    before = every_row(app)

    response = client.post(request.path, data=MultiDict(params))
    assert response.status_code == 403
    assert every_row(app) == before

    # The same request signed is acted on: the unsigned one was refused for its signature alone.
    assert twilio.post(request.path, params).status_code == 200
    after = every_row(app)
    changed = {name for name in before if after[name] != before[name]}
    if request.stores_in is None:
        assert changed == set()
    else:
        assert request.stores_in in changed


def test_a_signature_made_with_another_token_is_refused(client, call, session):
    impostor = Twilio(client=client, auth_token="not-the-auth-token")
    assert impostor.post("/voice", call.params()).status_code == 403
    assert calls_stored(session) == 0


def test_tampered_parameters_are_refused(twilio, call, session):
    params = call.params()
    signature = twilio.sign("https://tru.example.test/voice", params)
    tampered = [(k, "+19995550000" if k == "From" else v) for k, v in params]
    response = twilio.post("/voice", tampered, signature=signature)
    assert response.status_code == 403
    assert calls_stored(session) == 0


def test_a_signature_for_another_url_is_refused(twilio, call):
    response = twilio.post(
        "/voice/step/1?lang=en",
        call.params(Digits="1"),
        signed_url="https://tru.example.test/voice",
    )
    assert response.status_code == 403


def test_tampered_query_string_is_refused(twilio, call):
    call.dial_in()
    response = twilio.post(
        "/voice/step/1?lang=es",
        call.params(Digits="1"),
        signed_url="https://tru.example.test/voice/step/1?lang=en",
    )
    assert response.status_code == 403


def test_repeated_form_parameters_are_all_signed(twilio, call, session):
    """Twilio signs every value of a repeated key; dropping or changing one breaks the signature."""
    params = call.params() + [("StirVerstat", "TN-Validation-Passed-A"), ("StirVerstat", "x")]
    assert twilio.post("/voice", params).status_code == 200
    signature = twilio.sign("https://tru.example.test/voice", params)
    changed = params[:-1] + [("StirVerstat", "y")]
    assert twilio.post("/voice", changed, signature=signature).status_code == 403
    assert calls_stored(session) == 1


def test_http_scheme_does_not_validate_a_signature_made_for_https(twilio, call):
    params = call.params()
    signature = twilio.sign("https://tru.example.test/voice", params)
    response = twilio.post("http://tru.example.test/voice", params, signature=signature)
    assert response.status_code == 403


class TestBehindAProxy:
    """TLS ends at a proxy; the app sees http://internal:8000 but Twilio signed the public URL."""

    PUBLIC = "https://line.baltimore.example"

    def post_via_proxy(self, app, call, *, trust_headers: bool = True):
        client = app.test_client()
        twilio = Twilio(client=client, auth_token=AUTH_TOKEN)
        params = call.params()
        signature = twilio.sign(f"{self.PUBLIC}/voice", params)
        from werkzeug.datastructures import MultiDict

        headers = {"X-Twilio-Signature": signature}
        if trust_headers:
            headers |= {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "line.baltimore.example",
                "X-Forwarded-For": "54.172.60.1",
            }
        return client.post(
            "/voice", data=MultiDict(params), headers=headers, base_url="http://internal:8000"
        )

    def assert_welcomed(self, response, check_twiml) -> None:
        assert response.status_code == 200
        assert response.mimetype == "text/xml"
        body = response.get_data(as_text=True)
        check_twiml(body)
        # The caller's next answer must reach the public URL too, never the internal address.
        gather = Reply(response.status_code, body, f"{self.PUBLIC}/voice").gather
        assert gather.get("action") == "/voice/step/1?lang=en"

    def test_with_one_trusted_hop_the_public_url_validates(self, make_app, twilio, check_twiml):
        app = make_app(PROXY_HOPS=1)
        call = SimCall(twilio)
        self.assert_welcomed(self.post_via_proxy(app, call), check_twiml)

    def test_forwarded_headers_are_not_trusted_by_default(self, app, twilio):
        call = SimCall(twilio)
        assert self.post_via_proxy(app, call).status_code == 403

    def test_without_forwarded_headers_the_proxied_request_fails(self, make_app, twilio):
        app = make_app(PROXY_HOPS=1)
        call = SimCall(twilio)
        assert self.post_via_proxy(app, call, trust_headers=False).status_code == 403

    def test_a_spoofed_extra_hop_is_ignored(self, make_app, twilio, check_twiml):
        """With one trusted hop only the proxy's own (last) forwarded value counts."""
        app = make_app(PROXY_HOPS=1)
        client = app.test_client()
        call = SimCall(twilio)
        params = call.params()
        signer = Twilio(client=client, auth_token=AUTH_TOKEN)
        from werkzeug.datastructures import MultiDict

        response = client.post(
            "/voice",
            data=MultiDict(params),
            headers={
                "X-Twilio-Signature": signer.sign(f"{self.PUBLIC}/voice", params),
                # A client put "evil.example" first; the proxy appended the real host.
                "X-Forwarded-Host": "evil.example, line.baltimore.example",
                "X-Forwarded-Proto": "http, https",
            },
            base_url="http://internal:8000",
        )
        self.assert_welcomed(response, check_twiml)


def test_healthz_needs_no_signature_and_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "app": "ok", "database": "ok"}
