"""The load benchmark's floor app does what it claims: signed webhooks only, each answer once.

Its figures are only a fair floor if it really checks the signature and really stores every
answer, once, however often a webhook is delivered. Run on a SQLite file of its own, so its
tables never reach the suite's database.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from bench import floor_app

TOKEN = "floor-test-token-0123456789abcdef"
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def floor(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'floor.sqlite3'}"
    floor_app.create_schema(url)
    monkeypatch.setenv("TRU_DATABASE_URL", url)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    app = floor_app.create_app()
    yield url, app.test_client()
    app.extensions["floor.engine"].dispose()


def post(client, path: str, form: dict[str, str], *, signed: bool = True):
    headers = {}
    if signed:
        headers["X-Twilio-Signature"] = RequestValidator(TOKEN).compute_signature(BASE + path, form)
    return client.post(
        path,
        base_url=BASE,
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def test_an_unsigned_webhook_is_refused_and_stores_nothing(floor):
    url, client = floor
    reply = post(client, "/voice", {"CallSid": "CA1"}, signed=False)
    assert reply.status_code == 403
    assert floor_app.stored_answers(url, ["CA1"]) == {}


def test_each_answer_is_stored_once_and_the_menu_moves_on(floor):
    url, client = floor
    first = post(client, "/voice", {"CallSid": "CA1", "From": "+14105550123"})
    assert first.status_code == 200
    assert 'action="/voice/step/1?lang=en"' in first.get_data(as_text=True)
    for _ in range(2):  # Twilio delivers the same step twice
        again = post(client, "/voice/step/1", {"CallSid": "CA1", "Digits": "1"})
        assert again.status_code == 200
        assert 'action="/voice/step/2?lang=en"' in again.get_data(as_text=True)
    post(client, "/voice/step/2", {"CallSid": "CA1", "SpeechResult": "my wallet"})
    post(client, "/voice/status", {"CallSid": "CA1", "CallStatus": "completed"})
    assert floor_app.stored_answers(url, ["CA1"]) == {"CA1": 3}
