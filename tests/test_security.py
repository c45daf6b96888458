"""Only Twilio may drive the line: signature checks, repeated parameters, and the proxy case."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ivr.models import Call
from tests.conftest import AUTH_TOKEN
from tests.twilio_sim import SimCall, Twilio


def calls_stored(session) -> int:
    return session.scalar(select(func.count()).select_from(Call))


@pytest.mark.parametrize("path", ["/voice", "/voice/step/1?lang=en", "/voice/status"])
def test_unsigned_requests_are_refused_and_store_nothing(client, call, session, path):
    response = client.post(path, data=dict(call.params()))
    assert response.status_code == 403
    assert calls_stored(session) == 0


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

    def test_with_one_trusted_hop_the_public_url_validates(self, make_app, twilio):
        app = make_app(PROXY_HOPS=1)
        call = SimCall(twilio)
        assert self.post_via_proxy(app, call).status_code == 200

    def test_forwarded_headers_are_not_trusted_by_default(self, app, twilio):
        call = SimCall(twilio)
        assert self.post_via_proxy(app, call).status_code == 403

    def test_without_forwarded_headers_the_proxied_request_fails(self, make_app, twilio):
        app = make_app(PROXY_HOPS=1)
        call = SimCall(twilio)
        assert self.post_via_proxy(app, call, trust_headers=False).status_code == 403

    def test_a_spoofed_extra_hop_is_ignored(self, make_app, twilio):
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
        assert response.status_code == 200


def test_healthz_needs_no_signature_and_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "app": "ok", "database": "ok"}
