"""The staff report pages: the queue, a report, its recording, staff changes and exports.

Reports come from whole calls through signed webhooks (as Twilio makes them) where the page
shows what a call leaves behind, and from rows inserted directly where only the queue's
filtering matters. Twilio's recordings API is a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from ivr.models import AuditEvent, Call, Recording, Report, ReportChange
from ivr.reports import report_number
from ivr.staff import review
from ivr.staff.accounts import add_user
from tests.conftest import AUTH_TOKEN, BALTIMORE
from tests.test_report_calls import finish_as_caller, start
from tests.test_staff_auth import assert_security_headers
from tests.twilio_sim import ACCOUNT_SID, SimCall, new_call_sid

PASSWORD = "correct horse battery staple"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 300
BASIC = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()


# --- helpers ----------------------------------------------------------------------------------


def sign_in(app, client, session, clock, *, username: str = "rita", role: str = "reviewer"):
    """A signed-in staff member. CSRF checks are off for convenience (one test keeps them)."""
    app.config["WTF_CSRF_ENABLED"] = False
    add_user(session, username, PASSWORD, role, now=clock.now, by=None)
    session.commit()
    response = client.post("/staff/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def staff(app, client, session, clock):
    return sign_in(app, client, session, clock)


def add_report(
    session,
    *,
    at: datetime = datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
    status: str = "new",
    kind: str = "lost_property",
    language: str = "en",
    outcome: str | None = "tru_report",
    name: str | None = "Maria Lopez",
    caller: str | None = "+14105550123",
    callback: str | None = None,
    needs_callback: bool = False,
    fields: dict[str, Any] | None = None,
) -> Report:
    """One call and its report, stored directly (for the queue's filters)."""
    call = Call(
        call_sid=new_call_sid(),
        caller=caller,
        status="completed",
        language=language,
        line_open=True,
        disposition=outcome,
        facts={},
        started_at=at,
        updated_at=at,
        ended_at=at + timedelta(minutes=4),
    )
    values = {"item": "a brown leather wallet"} if fields is None else dict(fields)
    if name is not None:
        values["caller_name"] = name
    report = Report(
        call=call,
        type=kind,
        status=status,
        language=language,
        caller_number=caller,
        callback_number=callback or caller,
        needs_callback=needs_callback,
        fields=values,
        triage={"outcome": outcome, "reasons": ["no red flags"]} if outcome else {},
        created_at=at,
        updated_at=at,
        completed_at=None if status == "partial" else at,
    )
    session.add(report)
    session.flush()
    report.number = report_number(report.id, at.astimezone(BALTIMORE).year)
    session.commit()
    return report


def numbers_on(response) -> list[str]:
    """Report numbers listed in the queue, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return re.findall(
        r'<a href="/staff/reports/(TRU-\d\d-\d{6})">', response.get_data(as_text=True)
    )


def audit_rows(session, event: str | None = None) -> list[AuditEvent]:
    session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if event:
        query = query.where(AuditEvent.event == event)
    return list(session.scalars(query))


def changes(session, report: Report) -> list[ReportChange]:
    session.expire_all()
    return list(
        session.scalars(
            select(ReportChange)
            .where(ReportChange.report_id == report.id)
            .order_by(ReportChange.id)
        )
    )


def page_of(response) -> str:
    return response.get_data(as_text=True)


def report_call(call: SimCall, *, name: str = "Maria Lopez", transcript: str | None = None):
    """A whole lost-property call in English, with the caller's recorded account."""
    start(call, "1", "1")
    call.press("2")  # no gun
    call.say("yes", confidence=0.87)  # in the city
    call.say("a brown leather wallet", confidence=0.91)
    call.press("1")
    call.press("2")  # wallet or bag
    call.say("brown leather with a silver zipper")
    call.press("#")  # no serial number
    call.press("60")
    call.say("yes")
    call.say("on the number 3 bus on Charles Street")
    call.say("yesterday afternoon")
    call.say("it fell out of my pocket")
    finish_as_caller(call, name=name)
    call.press("2")
    call.hang_up()
    assert call.recording_callback(duration=31).status_code == 200
    if transcript is not None:
        assert call.transcription_callback(transcript).status_code == 200


def stored_report(session, call: SimCall) -> Report:
    session.expire_all()
    found = session.scalar(select(Report).join(Call).where(Call.call_sid == call.call_sid))
    assert found is not None
    return found


# --- a stand-in for Twilio's recordings API ---------------------------------------------------


@dataclass
class FakeTwilio:
    """Serves a recording's MP3 to a request with the account's basic auth, as Twilio does."""

    status: int = 200
    seen: list[dict[str, str | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def recording_url(self, sid: str) -> str:
        return f"{self.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}"

    def wsgi(self, environ, start_response):
        request = Request(environ)
        self.seen.append(
            {
                "path": request.path,
                "authorization": request.headers.get("Authorization"),
                "range": request.headers.get("Range"),
            }
        )
        if request.headers.get("Authorization") != BASIC:
            response = Response("unauthorized", status=401)
        elif not re.fullmatch(r"/2010-04-01/Accounts/AC\w+/Recordings/RE\w+\.mp3", request.path):
            response = Response("not found", status=404)
        elif self.status != 200:
            response = Response("twilio is unwell", status=self.status)
        else:
            response = Response(MP3, mimetype="audio/mpeg")
        return response(environ, start_response)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def fake_twilio(app):
    fake = FakeTwilio()
    app.config["RECORDING_HOSTS"] = ("127.0.0.1",)
    yield fake
    fake.stop()


@pytest.fixture
def recorded(call, session, fake_twilio) -> Report:
    """A report from a whole call whose recording is kept at the stand-in Twilio."""
    report_call(call, transcript="I lost my wallet on the number 3 bus")
    report = stored_report(session, call)
    [recording] = report.recordings
    recording.url = fake_twilio.recording_url(recording.recording_sid)
    session.commit()
    return report


# --- sign-in and roles ------------------------------------------------------------------------

GET_ROUTES = [
    "/staff/",
    "/staff/reports/TRU-26-000001",
    "/staff/reports/TRU-26-000001/recordings/RE" + "1" * 32,
    "/staff/export.csv",
    "/staff/export.json",
]
POST_ROUTES = [
    "/staff/reports/TRU-26-000001/correct",
    "/staff/reports/TRU-26-000001/note",
    "/staff/reports/TRU-26-000001/status",
    "/staff/reports/TRU-26-000001/callback",
]


@pytest.mark.parametrize("path", GET_ROUTES + POST_ROUTES)
def test_signed_out_people_are_sent_to_sign_in(app, client, session, path):
    app.config["WTF_CSRF_ENABLED"] = False
    add_report(session)
    response = client.post(path) if path in POST_ROUTES else client.get(path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/staff/login"
    assert parse_qs(location.query)["next"] == [path]
    session.expire_all()
    assert session.scalars(select(ReportChange)).all() == []


def test_a_reviewer_reaches_every_route(app, staff, session, fake_twilio):
    report = add_report(session)
    session.add(
        Recording(
            recording_sid="RE" + "1" * 32,
            call_sid=report.call.call_sid,
            report_id=report.id,
            url=fake_twilio.recording_url("RE" + "1" * 32),
            status="completed",
        )
    )
    session.commit()
    assert report.number == "TRU-26-000001"
    for path in GET_ROUTES:
        response = staff.get(path)
        assert response.status_code == 200, path
        response.close()
    forms = {
        "correct": {"field": "item", "value": "a black wallet"},
        "note": {"note": "Checked with the bus company."},
        "status": {"status": "in_review"},
        "callback": {"outcome": "no_answer"},
    }
    for path in POST_ROUTES:
        response = staff.post(path, data=forms[path.rsplit("/", 1)[1]])
        assert response.status_code == 303, path
        assert response.headers["Location"] == "/staff/reports/TRU-26-000001"


def test_a_post_without_the_csrf_token_is_refused(app, client, session, clock):
    report = add_report(session)
    sign_in(app, client, session, clock)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/staff/reports/{report.number}/note", data={"note": "hello there"})
    assert response.status_code == 400
    assert "This form expired or did not come from this site." in page_of(response)
    assert changes(session, report) == []
    [refused] = audit_rows(session, "access_refused")
    assert (refused.object, refused.detail) == (f"/staff/reports/{report.number}/note", "csrf")
    # The form's own token is accepted.
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', page_of(client.get(f"/staff/reports/{report.number}"))
    )
    response = client.post(
        f"/staff/reports/{report.number}/note",
        data={"note": "hello there", "csrf_token": token.group(1)},
    )
    assert response.status_code == 303
    assert [c.new_value for c in changes(session, report)] == ["hello there"]


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_lists_newest_first_and_marks_partial_and_callback_reports(staff, session):
    complete = add_report(session, at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC), name="Ann Lee")
    partial = add_report(
        session,
        at=datetime(2026, 12, 1, 16, 0, tzinfo=UTC),
        status="partial",
        needs_callback=True,
        name="Bo Diaz",
    )
    callback = add_report(
        session,
        at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC),
        status="in_review",
        needs_callback=True,
    )
    response = staff.get("/staff/")
    assert numbers_on(response) == [callback.number, partial.number, complete.number]
    html = page_of(response)
    rows = re.findall(r"<tr( class=\"[^\"]*\")?>\s*<td><a href=\"/staff/reports/([^\"]+)\"", html)
    assert rows == [
        (' class="callback"', callback.number),
        (' class="partial callback"', partial.number),
        ("", complete.number),
    ]
    assert '<span class="tag partial">partial</span>' in html
    assert html.count('<span class="tag needs_callback">callback</span>') == 2
    assert "<td>Bo Diaz</td>" in html
    assert "Reports 1–3 of 3, newest first." in html
    assert '<time datetime="2026-12-01T17:00:00+00:00">2026-12-01 12:00</time>' in html


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"status": "partial"}, ["partial"]),
        ({"type": "larceny"}, ["larceny"]),
        ({"disposition": "emergency_911"}, ["emergency"]),
        ({"language": "es"}, ["spanish"]),
        ({"flagged": "1"}, ["callback", "partial"]),
        ({"type": "lost_property", "language": "en"}, ["callback", "partial", "plain"]),
        ({}, ["callback", "emergency", "spanish", "larceny", "partial", "plain"]),
    ],
)
def test_each_filter(staff, session, args, expected):
    made = {}
    made["plain"] = add_report(session, at=datetime(2026, 11, 20, 15, tzinfo=UTC))
    made["partial"] = add_report(
        session, at=datetime(2026, 11, 21, 15, tzinfo=UTC), status="partial", needs_callback=True
    )
    made["larceny"] = add_report(session, at=datetime(2026, 11, 22, 15, tzinfo=UTC), kind="larceny")
    made["spanish"] = add_report(session, at=datetime(2026, 11, 23, 15, tzinfo=UTC), language="es")
    made["emergency"] = add_report(
        session,
        at=datetime(2026, 11, 24, 15, tzinfo=UTC),
        status="not_taken",
        kind="traffic_accident",
        outcome="emergency_911",
    )
    made["callback"] = add_report(
        session,
        at=datetime(2026, 11, 25, 15, tzinfo=UTC),
        status="needs_callback",
        needs_callback=True,
    )
    response = staff.get("/staff/", query_string=args)
    assert numbers_on(response) == [made[name].number for name in expected]
    # The form shows the filters in use.
    html = page_of(response)
    for key, value in args.items():
        if key == "flagged":
            assert 'name="flagged" type="checkbox" value="1" checked' in html
        else:
            assert f'<option value="{value}" selected>' in html


def test_dates_are_baltimore_days(staff, session):
    older = add_report(session, at=datetime(2026, 11, 30, 14, 0, tzinfo=UTC))
    # 23:30 on Dec 1 in Baltimore is 04:30 on Dec 2 in UTC.
    late = add_report(session, at=datetime(2026, 12, 2, 4, 30, tzinfo=UTC))
    early = add_report(session, at=datetime(2026, 12, 2, 5, 30, tzinfo=UTC))  # 00:30 Dec 2
    assert numbers_on(staff.get("/staff/?from=2026-12-02")) == [early.number]
    assert numbers_on(staff.get("/staff/?to=2026-12-01")) == [late.number, older.number]
    assert numbers_on(staff.get("/staff/?from=2026-12-01&to=2026-12-01")) == [late.number]


def test_a_bad_filter_is_explained(staff, session):
    add_report(session)
    response = staff.get("/staff/?from=yesterday")
    assert response.status_code == 400
    assert "Filter not applied: From must be a date like 2026-12-31." in page_of(response)
    response = staff.get("/staff/?from=2026-12-02&to=2026-12-01")
    assert response.status_code == 400
    assert "Filter not applied: the To date is before the From date." in page_of(response)
    response = staff.get("/staff/?status=lost")
    assert response.status_code == 400
    assert "Filter not applied: unknown status &#39;lost&#39;." in page_of(response)


def test_search_by_report_number(staff, session):
    first = add_report(session)
    second = add_report(session)
    assert second.number == "TRU-26-000002"
    for typed in ("TRU-26-000002", "tru-26-000002", "26-000002", "TRU 26 2", "TRU26000002"):
        assert numbers_on(staff.get("/staff/", query_string={"q": typed})) == [second.number], typed
    assert numbers_on(staff.get("/staff/", query_string={"q": "TRU-26-000009"})) == []
    assert first.number not in numbers_on(staff.get("/staff/", query_string={"q": "26-2"}))


def test_search_by_phone_number_in_any_format(staff, session):
    by_caller = add_report(session, caller="+14105550199")
    by_callback = add_report(session, caller=None, callback="+14105550199")
    add_report(session, caller="+14435550199")
    for typed in ("(410) 555-0199", "410.555.0199", "+1 410 555 0199", "4105550199"):
        found = numbers_on(staff.get("/staff/", query_string={"q": typed}))
        assert found == [by_callback.number, by_caller.number], typed


def test_search_by_caller_name_ignores_case_and_finds_corrections(staff, session, clock):
    maria = add_report(session, name="Maria Lopez")
    jose = add_report(session, name="José García")
    add_report(session, name="Sam Carter", fields={"item": "a lopez-brand bag"})
    add_report(session, name=None)
    assert numbers_on(staff.get("/staff/?q=LOPEZ")) == [maria.number]
    assert numbers_on(staff.get("/staff/?q=ria lo")) == [maria.number]
    assert numbers_on(staff.get("/staff/?q=José")) == [jose.number]
    assert numbers_on(staff.get("/staff/?q=garc")) == [jose.number]
    assert numbers_on(staff.get("/staff/?q=100%25")) == []
    # A corrected name is found too, and the queue shows it.
    review.correct(session, maria, "caller_name", "Mariah Lopes", by="rita", now=clock.now)
    session.commit()
    response = staff.get("/staff/?q=lopes")
    assert numbers_on(response) == [maria.number]
    assert "<td>Mariah Lopes</td>" in page_of(response)


def test_pages_of_fifty_keep_the_filters(staff, session):
    base = datetime(2026, 10, 1, 12, tzinfo=UTC)
    made = [add_report(session, at=base + timedelta(hours=i), kind="larceny") for i in range(120)]
    add_report(session, at=base, kind="lost_property")
    newest_first = [r.number for r in reversed(made)]

    first = staff.get("/staff/?type=larceny")
    assert numbers_on(first) == newest_first[:50]
    html = page_of(first)
    assert "Reports 1–50 of 120, newest first." in html
    assert "Page 1 of 3" in html
    assert '<a href="/staff/?type=larceny&amp;page=2" rel="next">Next</a>' in html
    assert 'rel="prev"' not in html
    assert '<a href="/staff/export.csv?type=larceny">CSV</a>' in html

    second = staff.get("/staff/?type=larceny&page=2")
    assert numbers_on(second) == newest_first[50:100]
    assert '<a href="/staff/?type=larceny&amp;page=1" rel="prev">Previous</a>' in page_of(second)

    third = staff.get("/staff/?type=larceny&page=3")
    assert numbers_on(third) == newest_first[100:]
    html = page_of(third)
    assert "Reports 101–120 of 120, newest first." in html
    assert 'rel="next"' not in html
    assert '<a href="/staff/?type=larceny">First</a>' in html

    assert numbers_on(staff.get("/staff/?type=larceny&page=9")) == []
    assert numbers_on(staff.get("/staff/?type=larceny&page=nonsense")) == newest_first[:50]


def test_the_count_is_skipped_where_it_would_read_every_report(session):
    for i in range(3):
        add_report(session, at=datetime(2026, 10, 1, 12 + i, tzinfo=UTC))
    two = review.queue(session, review.Filters(), 1, size=2)
    assert (len(two.reports), two.has_next, two.total, two.pages) == (2, True, 3, 2)
    by_name = review.queue(session, review.Filters(q="maria"), 1, size=2)
    assert (len(by_name.reports), by_name.has_next, by_name.total) == (2, True, None)
    last = review.queue(session, review.Filters(q="maria"), 2, size=2)
    assert (len(last.reports), last.has_next, last.total) == (1, False, 3)


def test_a_name_search_on_postgresql_is_answered_from_the_trigram_index(session):
    """Migration 0009's index matches the search's expression, so a name that matches nothing
    is not a read of every report (bench/queue_bench.py: 0.1 ms, not 200, at 100,000)."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's (set TRU_TEST_DATABASE_URL)")
    from sqlalchemy import text

    add_report(session, name="Maria Lopez")
    query = review.filtered(session, review.Filters(q="zelda")).limit(51)
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    # The table is tiny, so the planner would scan it anyway: asked not to, it shows the index.
    session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(session.scalars(text(f"EXPLAIN {compiled}")))
    session.rollback()
    assert "ix_reports_caller_name_trgm" in plan


def test_how_the_search_box_is_read():
    assert review.read_search("tru-26-123") == review.Search("number", "TRU-26-000123")
    assert review.read_search(" 26-000123 ") == review.Search("number", "TRU-26-000123")
    assert review.read_search("(410) 555-0123") == review.Search("phone", "+14105550123")
    assert review.read_search("+1 443 555 0100") == review.Search("phone", "+14435550100")
    assert review.read_search("Maria") == review.Search("name", "Maria")
    assert review.read_search("12345") == review.Search("name", "12345")


# --- one report -------------------------------------------------------------------------------


def test_the_report_page_shows_the_whole_call(staff, call, session):
    report_call(call, transcript="I lost my wallet on the number 3 bus")
    report = stored_report(session, call)
    [recording] = report.recordings

    response = staff.get(f"/staff/reports/{report.number}")

    assert response.status_code == 200
    html = page_of(response)
    assert f"<h1>Report {report.number}</h1>" in html
    # Every answer: keys, or speech with its confidence.
    answers = re.findall(
        r'<td class="digits">([^<]*)</td>\s*<td class="speech">([^<]*)</td>\s*'
        r'<td class="confidence">([^<]*)</td>',
        html,
    )
    assert ("2", "", "") in answers
    assert ("", "yes", "0.87") in answers
    assert ("", "a brown leather wallet", "0.91") in answers
    assert ("60", "", "") in answers
    assert ("", "Maria Lopez", "0.92") in answers
    assert len(answers) == len(report.call.answers)
    # The fields, the disposition and its reasons.
    assert '<tr id="field-item">' in html
    assert '<td class="value">a brown leather wallet</td>' in html
    assert '<td class="value">60</td>' in html
    assert "<strong>tru report</strong> (tru_report)" in html
    for reason in report.triage["reasons"]:
        assert f"<li>{reason}</li>" in html
    # The recording plays through the app, never from Twilio directly.
    src = f"/staff/reports/{report.number}/recordings/{recording.recording_sid}"
    assert f'<audio controls preload="none" src="{src}">' in html
    assert "api.twilio.com" not in html
    assert AUTH_TOKEN not in html
    assert (
        '<blockquote class="transcript">I lost my wallet on the number 3 bus</blockquote>' in html
    )
    # The timeline: the call, Twilio's status, answers, the report.
    timeline = re.findall(r"<li class=\"(\w+)\"><time[^>]*>[^<]*</time> ([^<]*)</li>", html)
    kinds = [kind for kind, _ in timeline]
    assert kinds[0] == "call" and timeline[0][1] == "call started"
    assert ("status", "Twilio status completed") in timeline
    assert ("report", "report opened (lost property)") in timeline
    assert ("report", "report completed") in timeline
    assert ("recording", "recording completed, 31 s") in timeline
    assert kinds.count("answer") == len(report.call.answers)
    assert ("call", "call ended (completed)") in timeline
    # Viewing is audited, by report number only.
    [viewed] = audit_rows(session, "report_viewed")
    assert (viewed.username, viewed.object, viewed.outcome, viewed.detail) == (
        "rita",
        f"report {report.number}",
        "success",
        None,
    )


def test_a_report_without_a_recording_says_so(staff, session):
    report = add_report(session)
    html = page_of(staff.get(f"/staff/reports/{report.number}"))
    assert '<p class="no-recording">No recording: the caller left no recorded account.</p>' in html
    assert "<audio" not in html


def test_a_recording_without_audio_says_so(staff, session):
    report = add_report(session)
    session.add(
        Recording(
            recording_sid="RE" + "4" * 32,
            call_sid=report.call.call_sid,
            report_id=report.id,
            status="absent",
            transcript_status="failed",
        )
    )
    session.commit()
    html = page_of(staff.get(f"/staff/reports/{report.number}"))
    assert '<p class="no-recording">No audio for this recording (absent).</p>' in html
    assert '<p class="no-transcript">No transcript (failed).</p>' in html
    assert "<audio" not in html
    response = staff.get(f"/staff/reports/{report.number}/recordings/RE" + "4" * 32)
    assert response.status_code == 404


def test_an_unknown_report_is_not_found(staff):
    response = staff.get("/staff/reports/TRU-26-999999")
    assert response.status_code == 404
    assert "No such page or report." in page_of(response)


# --- the recording ----------------------------------------------------------------------------


def test_the_recording_streams_through_the_app_with_twilios_credentials(
    staff, session, recorded, fake_twilio
):
    [recording] = recorded.recordings
    response = staff.get(f"/staff/reports/{recorded.number}/recordings/{recording.recording_sid}")
    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.data == MP3
    assert response.headers["Content-Length"] == str(len(MP3))
    assert fake_twilio.seen == [
        {
            "path": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording.recording_sid}.mp3",
            "authorization": BASIC,
            "range": None,
        }
    ]
    # Nothing of Twilio's reaches the browser.
    assert fake_twilio.url not in str(response.headers)
    assert AUTH_TOKEN not in str(response.headers)
    [played] = audit_rows(session, "recording_played")
    assert (played.username, played.object, played.outcome, played.detail) == (
        "rita",
        f"report {recorded.number}",
        "success",
        f"recording {recording.recording_sid}",
    )
    # The page links the app's own route; the Twilio address and credentials stay on the server.
    html = page_of(staff.get(f"/staff/reports/{recorded.number}"))
    assert fake_twilio.url not in html
    assert AUTH_TOKEN not in html and ACCOUNT_SID not in html


def test_every_page_with_report_data_carries_no_store_and_the_security_headers(
    app, client, session, clock, recorded
):
    # A supervisor, so the dashboard is in reach too.
    supervisor = sign_in(app, client, session, clock, username="sam", role="supervisor")
    [recording] = recorded.recordings
    pages = {
        "queue": "/staff/",
        "filtered queue": "/staff/?q=Maria",
        "report": f"/staff/reports/{recorded.number}",
        "recording": f"/staff/reports/{recorded.number}/recordings/{recording.recording_sid}",
        "CSV export": "/staff/export.csv",
        "JSON export": "/staff/export.json",
        "dashboard": "/staff/dashboard",
    }
    for name, path in pages.items():
        response = supervisor.get(path)
        assert response.status_code == 200, name
        response.get_data()  # a streamed answer runs to its end
        response.close()
        assert response.headers["Cache-Control"] == "no-store", name
        assert response.headers["Pragma"] == "no-cache", name
        assert_security_headers(response, https=False)


def test_a_range_request_is_passed_on(staff, recorded, fake_twilio):
    [recording] = recorded.recordings
    path = f"/staff/reports/{recorded.number}/recordings/{recording.recording_sid}"
    staff.get(path, headers={"Range": "bytes=0-"}).close()
    staff.get(path, headers={"Range": "bytes=0-; evil"}).close()
    assert [seen["range"] for seen in fake_twilio.seen] == ["bytes=0-", None]


def test_a_recording_on_a_host_not_allowed_is_refused(app, staff, session, recorded, fake_twilio):
    app.config["RECORDING_HOSTS"] = ("api.twilio.com",)
    [recording] = recorded.recordings
    response = staff.get(f"/staff/reports/{recorded.number}/recordings/{recording.recording_sid}")
    assert response.status_code == 502
    assert "not on Twilio&#39;s recording service" in page_of(response)
    assert fake_twilio.seen == []
    [refused] = audit_rows(session, "recording_played")
    assert (refused.outcome, refused.detail) == ("refused", f"recording {recording.recording_sid}")


def test_plain_http_to_twilio_is_refused(app, staff, session, recorded, fake_twilio):
    app.config["RECORDING_HOSTS"] = ("api.twilio.com",)
    [recording] = recorded.recordings
    recording.url = f"http://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE1"
    session.commit()
    response = staff.get(f"/staff/reports/{recorded.number}/recordings/{recording.recording_sid}")
    assert response.status_code == 502


def test_a_twilio_failure_is_a_502_page(staff, session, recorded, fake_twilio):
    fake_twilio.status = 500
    [recording] = recorded.recordings
    response = staff.get(f"/staff/reports/{recorded.number}/recordings/{recording.recording_sid}")
    assert response.status_code == 502
    html = page_of(response)
    assert "Twilio did not provide this recording just now." in html
    assert "twilio is unwell" not in html and fake_twilio.url not in html
    [failed] = audit_rows(session, "recording_played")
    assert (failed.outcome, failed.detail) == (
        "failure",
        f"recording {recording.recording_sid} HTTP 500",
    )


def test_twilio_unreachable_is_a_502_page(staff, session, recorded, fake_twilio):
    fake_twilio.stop()
    [recording] = recorded.recordings
    response = staff.get(f"/staff/reports/{recorded.number}/recordings/{recording.recording_sid}")
    assert response.status_code == 502
    assert audit_rows(session, "recording_played")[0].detail == (
        f"recording {recording.recording_sid} ConnectionError"
    )


def test_wrong_credentials_are_a_502_page(app, staff, recorded, fake_twilio):
    app.config["TWILIO_AUTH_TOKEN"] = "not-the-token"
    [recording] = recorded.recordings
    response = staff.get(f"/staff/reports/{recorded.number}/recordings/{recording.recording_sid}")
    assert response.status_code == 502
    assert fake_twilio.seen[0]["authorization"] != BASIC


def test_another_reports_recording_is_not_found(staff, session, recorded, fake_twilio):
    other = add_report(session)
    [recording] = recorded.recordings
    response = staff.get(f"/staff/reports/{other.number}/recordings/{recording.recording_sid}")
    assert response.status_code == 404
    assert (
        staff.get(f"/staff/reports/{recorded.number}/recordings/RE" + "9" * 32).status_code == 404
    )
    assert fake_twilio.seen == []


# --- changes ----------------------------------------------------------------------------------


def test_a_correction_keeps_the_original(staff, session, clock):
    report = add_report(session, fields={"item": "a brown wallet", "value": 60})
    clock.now += timedelta(minutes=15)  # a session idle for 30 minutes ends
    response = staff.post(
        f"/staff/reports/{report.number}/correct", data={"field": "item", "value": "a black wallet"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/staff/reports/{report.number}"
    [change] = changes(session, report)
    assert (change.kind, change.field, change.old_value, change.new_value, change.username) == (
        "correction",
        "item",
        "a brown wallet",
        "a black wallet",
        "rita",
    )
    assert change.at == clock.now
    session.refresh(report)
    assert report.fields == {"item": "a brown wallet", "value": 60, "caller_name": "Maria Lopez"}
    # A second correction: old_value is the first correction.
    staff.post(f"/staff/reports/{report.number}/correct", data={"field": "value", "value": "75"})
    staff.post(
        f"/staff/reports/{report.number}/correct", data={"field": "item", "value": "a black purse"}
    )
    assert [(c.field, c.old_value, c.new_value) for c in changes(session, report)] == [
        ("item", "a brown wallet", "a black wallet"),
        ("value", "60", "75"),
        ("item", "a black wallet", "a black purse"),
    ]
    assert list(review.effective_fields(report)[0]) == [
        "item",
        "a brown wallet",
        "a black purse",
        "rita",
        clock.now,
    ]
    html = page_of(staff.get(f"/staff/reports/{report.number}"))
    assert '<del class="original">a brown wallet</del>' in html
    assert '<ins class="current">a black purse</ins>' in html
    assert 'by rita at <time datetime="2026-12-02T15:15:00+00:00">2026-12-02 10:15</time>' in html
    assert "Corrected where." in page_of(
        staff.post(
            f"/staff/reports/{report.number}/correct",
            data={"field": "where", "value": "Penn Station"},
            follow_redirects=True,
        )
    )
    assert [r.detail for r in audit_rows(session, "report_changed")] == [
        "field item",
        "field value",
        "field item",
        "field where",
    ]


def test_a_correction_that_changes_nothing_is_refused(staff, session):
    report = add_report(session)
    response = staff.post(
        f"/staff/reports/{report.number}/correct",
        data={"field": "item", "value": "a brown leather wallet"},
        follow_redirects=True,
    )
    assert "Not done: item already has that value." in page_of(response)
    assert changes(session, report) == []
    [refused] = audit_rows(session, "report_changed")
    assert (refused.outcome, refused.detail) == ("failure", "field item")


def test_a_corrected_callback_number_is_kept_as_e164(staff, session):
    report = add_report(session)
    staff.post(
        f"/staff/reports/{report.number}/correct",
        data={"field": "callback_number", "value": "(443) 555-0100"},
    )
    [change] = changes(session, report)
    assert change.new_value == "+14435550100"
    assert numbers_on(staff.get("/staff/?q=443-555-0100")) == [report.number]
    response = staff.post(
        f"/staff/reports/{report.number}/correct",
        data={"field": "callback_number", "value": "12345"},
        follow_redirects=True,
    )
    assert "Not done: the callback number must be a US phone number." in page_of(response)


def test_notes(staff, session, clock):
    report = add_report(session)
    response = staff.post(
        f"/staff/reports/{report.number}/note",
        data={"note": "  Caller says the wallet had a library card.  "},
        follow_redirects=True,
    )
    html = page_of(response)
    assert "Note added." in html
    assert "Caller says the wallet had a library card." in html
    [note] = changes(session, report)
    assert (note.kind, note.field, note.new_value, note.username, note.at) == (
        "note",
        None,
        "Caller says the wallet had a library card.",
        "rita",
        clock.now,
    )
    response = staff.post(
        f"/staff/reports/{report.number}/note", data={"note": "   "}, follow_redirects=True
    )
    assert "Not done: the note is empty." in page_of(response)
    assert [(r.outcome, r.detail) for r in audit_rows(session, "report_changed")] == [
        ("success", "note"),
        ("failure", "note"),
    ]


@pytest.mark.parametrize("status", review.STAFF_STATUSES)
def test_each_status(staff, session, status):
    report = add_report(session)
    data = {"status": status}
    if status == "approved":
        data["case_number"] = "26-123456"
    response = staff.post(
        f"/staff/reports/{report.number}/status", data=data, follow_redirects=True
    )
    assert f"Status set to {status.replace('_', ' ')}." in page_of(response)
    session.refresh(report)
    assert report.status == status
    assert report.needs_callback is (status == "needs_callback")
    [change] = changes(session, report)
    expected = "approved: 26-123456" if status == "approved" else status
    assert (change.kind, change.field, change.old_value, change.new_value, change.username) == (
        "status",
        "status",
        "new",
        expected,
        "rita",
    )
    [audited] = audit_rows(session, "report_changed")
    assert (audited.object, audited.detail) == (f"report {report.number}", f"status {status}")


def test_approving_needs_a_case_number(staff, session):
    report = add_report(session)
    response = staff.post(
        f"/staff/reports/{report.number}/status", data={"status": "approved"}, follow_redirects=True
    )
    assert "Not done: approving a report needs its case number." in page_of(response)
    response = staff.post(
        f"/staff/reports/{report.number}/status",
        data={"status": "approved", "case_number": "<b>"},
        follow_redirects=True,
    )
    assert "Not done: the case number is letters, digits and dashes (up to 20)." in page_of(
        response
    )
    session.refresh(report)
    assert report.status == "new"
    assert changes(session, report) == []
    assert [(r.outcome, r.detail) for r in audit_rows(session, "report_changed")] == [
        ("failure", "status approved"),
        ("failure", "status approved"),
    ]


def test_an_unknown_status_is_refused(staff, session):
    report = add_report(session)
    response = staff.post(
        f"/staff/reports/{report.number}/status", data={"status": "deleted"}, follow_redirects=True
    )
    assert "Not done: unknown status &#39;deleted&#39;." in page_of(response)
    assert audit_rows(session, "report_changed")[0].detail == "status ?"


def test_callback_attempts(staff, session, clock):
    report = add_report(session, status="partial", needs_callback=True)
    response = staff.post(
        f"/staff/reports/{report.number}/callback",
        data={"outcome": "no_answer", "note": ""},
        follow_redirects=True,
    )
    assert "Callback attempt recorded: no answer." in page_of(response)
    staff.post(
        f"/staff/reports/{report.number}/callback",
        data={"outcome": "left_message", "note": "Voicemail, asked to call TRU"},
    )
    session.refresh(report)
    assert report.needs_callback is True
    staff.post(f"/staff/reports/{report.number}/callback", data={"outcome": "reached"})
    session.refresh(report)
    assert report.needs_callback is False
    assert [(c.kind, c.field, c.new_value, c.username) for c in changes(session, report)] == [
        ("callback", "callback", "no_answer", "rita"),
        ("callback", "callback", "left_message: Voicemail, asked to call TRU", "rita"),
        ("callback", "callback", "reached", "rita"),
    ]
    html = page_of(staff.get(f"/staff/reports/{report.number}"))
    assert "callback, left message: Voicemail, asked to call TRU</li>" in html
    assert "callback attempt: no answer — rita</li>" in html
    response = staff.post(
        f"/staff/reports/{report.number}/callback",
        data={"outcome": "hung_up"},
        follow_redirects=True,
    )
    assert "Not done: unknown callback outcome &#39;hung_up&#39;." in page_of(response)
    assert [r.detail for r in audit_rows(session, "report_changed")] == [
        "callback no_answer",
        "callback left_message",
        "callback reached",
        "callback ?",
    ]


def test_staff_changes_join_the_timeline(staff, session, clock):
    report = add_report(session)
    clock.now += timedelta(minutes=10)
    staff.post(f"/staff/reports/{report.number}/status", data={"status": "in_review"})
    clock.now += timedelta(minutes=5)
    staff.post(
        f"/staff/reports/{report.number}/correct", data={"field": "item", "value": "a purse"}
    )
    html = page_of(staff.get(f"/staff/reports/{report.number}"))
    staff_entries = re.findall(r'<li class="staff"><time[^>]*>([^<]*)</time> ([^<]*)</li>', html)
    assert staff_entries == [
        ("2026-12-02 10:10:00", "status new → in_review — rita"),
        ("2026-12-02 10:15:00", "corrected item — rita: a purse"),
    ]


def test_audit_rows_never_hold_report_contents(staff, session, call):
    report_call(call, name="Maria Lopez")
    report = stored_report(session, call)
    secrets = ["Maria", "wallet", "Voicemail", "26-654321", "+1410", "Baltimore", "purse"]
    path = f"/staff/reports/{report.number}"
    staff.get(path)
    staff.post(f"{path}/correct", data={"field": "item", "value": "a purse"})
    staff.post(f"{path}/note", data={"note": "Baltimore bus wallet"})
    staff.post(f"{path}/callback", data={"outcome": "left_message", "note": "Voicemail"})
    staff.post(f"{path}/status", data={"status": "approved", "case_number": "26-654321"})
    staff.get("/staff/export.csv?q=Maria")
    rows = audit_rows(session)
    assert [(r.event, r.detail) for r in rows if r.event not in ("account_added", "login")] == [
        ("report_viewed", None),
        ("report_changed", "field item"),
        ("report_changed", "note"),
        ("report_changed", "callback left_message"),
        ("report_changed", "status approved"),
        ("export", "1 reports, csv"),
    ]
    for row in rows:
        text = " ".join(str(v) for v in (row.object, row.detail, row.source, row.username))
        for secret in secrets:
            assert secret not in text, (row.event, secret)


# --- exports ----------------------------------------------------------------------------------


def test_the_csv_export_holds_the_filtered_reports_with_corrections(staff, session, clock):
    wallet = add_report(
        session, at=datetime(2026, 11, 30, 15, tzinfo=UTC), fields={"item": "=HYPERLINK(1)"}
    )
    bike = add_report(session, at=datetime(2026, 12, 1, 15, tzinfo=UTC), kind="larceny")
    add_report(session, at=datetime(2026, 12, 1, 16, tzinfo=UTC), language="es")
    review.correct(session, bike, "item", "a red bike", by="rita", now=clock.now)
    session.commit()

    response = staff.get("/staff/export.csv?language=en")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="tru-reports-20261202-1000.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(page_of(response))))
    assert [r["number"] for r in rows] == [bike.number, wallet.number]
    assert list(rows[0]) == list(review.EXPORT_FIELDS)
    assert {k: rows[0][k] for k in ("type", "call_type", "status", "disposition", "language")} == {
        "type": "larceny",
        "call_type": "LARCENY",
        "status": "new",
        "disposition": "tru_report",
        "language": "en",
    }
    assert rows[0]["created_at"] == "2026-12-01T15:00:00+00:00"
    assert rows[0]["caller_number"] == "+14105550123"
    assert json.loads(rows[0]["fields"]) == {"item": "a red bike", "caller_name": "Maria Lopez"}
    assert json.loads(rows[1]["fields"])["item"] == "=HYPERLINK(1)"
    [exported] = audit_rows(session, "export")
    assert (exported.username, exported.object, exported.detail) == (
        "rita",
        "reports",
        "2 reports, csv",
    )


def test_the_json_export_pages_through_everything(staff, session):
    base = datetime(2026, 10, 1, 12, tzinfo=UTC)
    made = [
        add_report(session, at=base + timedelta(minutes=i), status="approved") for i in range(60)
    ]
    add_report(session, at=base, status="closed")
    response = staff.get("/staff/export.json?status=approved")
    assert response.mimetype == "application/json"
    records = json.loads(page_of(response))
    assert [r["number"] for r in records] == [r.number for r in reversed(made)]
    assert records[0] == {
        "number": made[-1].number,
        "type": "lost_property",
        "call_type": "LOST PROPERTY",
        "status": "approved",
        "disposition": "tru_report",
        "language": "en",
        "needs_callback": False,
        "created_at": "2026-10-01T12:59:00+00:00",
        "completed_at": "2026-10-01T12:59:00+00:00",
        "caller_number": "+14105550123",
        "callback_number": "+14105550123",
        "theft_class": None,
        "fields": {"item": "a brown leather wallet", "caller_name": "Maria Lopez"},
    }
    assert audit_rows(session, "export")[0].detail == "60 reports, json"
    assert json.loads(page_of(staff.get("/staff/export.json?q=nobody"))) == []
    assert audit_rows(session, "export")[1].detail == "0 reports, json"


def test_export_records_in_batches(session):
    made = [add_report(session, at=datetime(2026, 10, 1, 12, i, tzinfo=UTC)) for i in range(7)]
    count, top = review.export_count(session, review.Filters())
    assert (count, top) == (7, made[-1].id)
    late = add_report(session, at=datetime(2026, 10, 2, 12, tzinfo=UTC))
    exported = list(review.export_records(session, review.Filters(), up_to=top, batch=3))
    assert [r["number"] for r in exported] == [r.number for r in reversed(made)]
    assert late.number not in [r["number"] for r in exported]


def test_a_bad_export_filter_is_explained(staff, session):
    response = staff.get("/staff/export.csv?to=soon")
    assert response.status_code == 400
    assert "Filter not applied: To must be a date like 2026-12-31." in page_of(response)
    assert audit_rows(session, "export") == []
