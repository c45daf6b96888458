"""The staff pages in a real browser: headless Chromium (Debian's) driven by Playwright.

The app is served on 127.0.0.1 from the same app object the tests make reports with (signed
webhooks through the test client), so the `clock` fixture moves time for the browser too.
Recordings come from a stand-in for Twilio's API on another local port.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from argon2 import PasswordHasher
from flask import url_for
from sqlalchemy import select

from ivr import db
from ivr.models import AuditEvent, Call, Report, StaffUser
from ivr.staff import accounts
from tests.browser_helpers import (
    FAKE_MP3,
    FAKE_MP3_SECONDS,
    FakeRecordings,
    LiveServer,
    lost_wallet_report,
)
from tests.conftest import AUTH_TOKEN, empty_database
from tests.twilio_sim import ACCOUNT_SID, Twilio

CHROMIUM = "/usr/bin/chromium"
if not Path(CHROMIUM).is_file():
    pytest.skip(
        f"the browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
WRONG = "wrong horse battery staple"
REFUSED_LOGIN = "Wrong username or password, or the account is locked."
IDLE_NOTICE = "You were signed out after 30 minutes without activity."
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: fetch() in the page, with an optional Range header: status, type, Content-Range and bytes.
FETCH_BYTES = """async ([src, range]) => {
    const response = await fetch(src, range ? {headers: {Range: range}} : {});
    const body = new Uint8Array(await response.arrayBuffer());
    return {
        status: response.status,
        type: response.headers.get("content-type"),
        range: response.headers.get("content-range"),
        bytes: Array.from(body),
    };
}"""


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    playwright = sync_api.sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
    except BaseException:
        playwright.stop()
        raise
    yield launched
    launched.close()
    playwright.stop()


@pytest.fixture
def fake_twilio():
    fake = FakeRecordings()
    yield fake
    fake.stop()


@pytest.fixture
def staff_app(make_app, fake_twilio):
    app = make_app(RECORDING_HOSTS=("127.0.0.1",))
    yield app
    empty_database(db.engine_of(app))


@pytest.fixture
def live(staff_app):
    server = LiveServer(staff_app)
    yield server
    server.stop()


@pytest.fixture
def page(browser, live):
    """A fresh browser context on the served app. Anything the page logs as an error (a script
    error, or a style, script or media the Content-Security-Policy blocked) fails the test;
    Chromium's note on each 4xx response is expected and left out."""
    context = browser.new_context(base_url=live.url)
    context.set_default_timeout(10_000)
    opened = context.new_page()
    problems: list[str] = []
    opened.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    context.close()
    assert problems == [], "the browser reported errors"


@pytest.fixture
def users(staff_app, clock, monkeypatch) -> dict[str, str]:
    """One account per role, named after it; all share PASSWORD."""
    # argon2 at its production cost takes most of a second a hash here; these tests are about
    # the pages, so sign-ins hash with the same algorithm at the lowest cost.
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    with staff_app.extensions["tru.db"]() as session:
        for role in accounts.ROLES:
            accounts.add_user(session, f"{role}1", PASSWORD, role, now=clock.now, by=None)
        session.commit()
    return {role: f"{role}1" for role in accounts.ROLES}


@pytest.fixture
def phone(staff_app, twiml_schema) -> Twilio:
    """Twilio's side of the line, posting signed webhooks to the served app object."""
    return Twilio(client=staff_app.test_client(), auth_token=AUTH_TOKEN, schema=twiml_schema)


@pytest.fixture
def wallet_report(phone, staff_app) -> Report:
    call = lost_wallet_report(phone, name="Maria Lopez")
    return report_of(staff_app, call.call_sid)


@pytest.fixture
def recorded_report(phone, staff_app, fake_twilio) -> Report:
    sid = "RE" + "7" * 32
    call = lost_wallet_report(
        phone,
        name="Sam Carter",
        item="a black phone",
        recording_sid=sid,
        recording_url=fake_twilio.recording_url(sid),
        transcript="I left my phone on the bus",
    )
    return report_of(staff_app, call.call_sid)


# --- helpers ----------------------------------------------------------------------------------


def report_of(app, call_sid: str) -> Report:
    with app.extensions["tru.db"]() as session:
        found = session.scalar(select(Report).join(Call).where(Call.call_sid == call_sid))
        assert found is not None and found.status == "new"
        return found


def path_for(app, endpoint: str, **values: object) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def is_post_to(path: str):
    return lambda response: (
        response.request.method == "POST" and urlsplit(response.url).path == path
    )


def sign_in(page, app, username: str, password: str = PASSWORD):
    """Fill and send the sign-in form on the current page; the POST's response."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_response(is_post_to(path_for(app, "staff.login"))) as posted:
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return posted.value


def open_signed_in(page, app, username: str, endpoint: str = "staff.queue", **values: object):
    """Ask for a page, get sent to sign in, sign in, and land back on it."""
    wanted = path_for(app, endpoint, **values)
    page.goto(wanted)
    assert urlsplit(page.url).path == path_for(app, "staff.login")
    response = sign_in(page, app, username)
    assert response.status == 302
    assert urlsplit(page.url).path == wanted
    return page


def audit_events(app, event: str) -> list[AuditEvent]:
    with app.extensions["tru.db"]() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)
            )
        )


def staff_user(app, username: str) -> StaffUser:
    with app.extensions["tru.db"]() as session:
        found = session.scalar(select(StaffUser).where(StaffUser.username == username))
        assert found is not None
        return found


def staff_cookie(page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"] == "tru_staff"]


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), data[:16]
    assert len(data) > 1000


# --- sign-in ----------------------------------------------------------------------------------


def test_signing_in_returns_to_the_page_asked_for(page, staff_app, users):
    page.goto(path_for(staff_app, "staff.queue"))
    assert urlsplit(page.url).path == path_for(staff_app, "staff.login")
    assert parse_qs(urlsplit(page.url).query)["next"] == [path_for(staff_app, "staff.queue")]
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert page.get_by_role("note").inner_text().startswith("Authorized use only.")

    response = sign_in(page, staff_app, "reviewer1")

    assert response.status == 302
    assert urlsplit(page.url).path == path_for(staff_app, "staff.queue")
    assert page.get_by_text("reviewer1 (reviewer)", exact=True).is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    [cookie] = staff_cookie(page)
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/staff")
    assert [e.username for e in audit_events(staff_app, "login")] == ["reviewer1"]


def test_signing_out_ends_the_session(page, staff_app, users):
    open_signed_in(page, staff_app, "reviewer1")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == path_for(staff_app, "staff.login")
    assert staff_cookie(page) == []
    page.goto(path_for(staff_app, "staff.queue"))
    assert urlsplit(page.url).path == path_for(staff_app, "staff.login")


def test_a_wrong_password_is_refused_with_the_one_message(page, staff_app, users):
    page.goto(path_for(staff_app, "staff.login"))
    response = sign_in(page, staff_app, "reviewer1", WRONG)
    assert response.status == 401
    assert page.get_by_role("alert").inner_text() == REFUSED_LOGIN
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert staff_cookie(page) == []
    # An unknown user is told exactly the same.
    response = sign_in(page, staff_app, "nobody", WRONG)
    assert response.status == 401
    assert page.get_by_role("alert").inner_text() == REFUSED_LOGIN


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(
    page, staff_app, users, clock
):
    page.goto(path_for(staff_app, "staff.login"))
    for attempt in range(1, 6):
        response = sign_in(page, staff_app, "reviewer1", WRONG)
        assert response.status == 401, attempt
        assert page.get_by_role("alert").inner_text() == REFUSED_LOGIN
        locked = staff_user(staff_app, "reviewer1").locked_at
        assert (locked is not None) == (attempt == 5), attempt
    [lockout] = audit_events(staff_app, "lockout")
    assert lockout.object == "user reviewer1"

    clock.now += timedelta(minutes=1)
    response = sign_in(page, staff_app, "reviewer1", PASSWORD)

    assert response.status == 401
    assert page.get_by_role("alert").inner_text() == REFUSED_LOGIN
    assert urlsplit(page.url).path == path_for(staff_app, "staff.login")
    assert staff_cookie(page) == []
    assert audit_events(staff_app, "login")[-1].detail == "locked"
    # Another account is not affected.
    response = sign_in(page, staff_app, "supervisor1", PASSWORD)
    assert response.status == 302


def test_an_idle_session_ends_after_30_minutes(page, staff_app, users, clock):
    open_signed_in(page, staff_app, "reviewer1")
    queue = path_for(staff_app, "staff.queue")
    clock.now += timedelta(minutes=29)
    page.reload()
    assert urlsplit(page.url).path == queue  # still signed in; this view counts as activity
    clock.now += timedelta(minutes=30)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.wait_for_load_state()

    assert urlsplit(page.url).path == path_for(staff_app, "staff.login")
    assert parse_qs(urlsplit(page.url).query)["why"] == ["idle"]
    assert page.get_by_role("status").inner_text() == IDLE_NOTICE
    assert page.get_by_role("button", name="Sign out").count() == 0
    [ended] = audit_events(staff_app, "session_expired")
    assert (ended.username, ended.detail) == ("reviewer1", "idle")
    # Signing in again goes back to where the person was.
    assert sign_in(page, staff_app, "reviewer1").status == 302
    assert urlsplit(page.url).path == queue


# --- roles and CSRF ---------------------------------------------------------------------------


def test_a_reviewer_is_refused_the_audit_trail(page, staff_app, users):
    open_signed_in(page, staff_app, "reviewer1")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link").all_inner_texts() == ["Reports"]

    response = page.goto(path_for(staff_app, "staff.audit_trail"))

    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Not allowed"
    assert page.get_by_text("Your role cannot open this page.").is_visible()
    refused = audit_events(staff_app, "access_refused")
    assert [(e.username, e.object, e.detail) for e in refused] == [
        ("reviewer1", path_for(staff_app, "staff.audit_trail"), "supervisor")
    ]


def test_an_admin_enables_an_account_and_demotes_a_signed_in_supervisor(
    browser, page, live, staff_app, users, clock
):
    with staff_app.extensions["tru.db"]() as session:
        accounts.disable_user(session, "reviewer1", now=clock.now, by="test")
        session.commit()
    # supervisor1 is signed in in another browser while the admin changes their role.
    elsewhere = browser.new_context(base_url=live.url)
    try:
        supervisor = elsewhere.new_page()
        open_signed_in(supervisor, staff_app, "supervisor1", "staff.dashboard")

        open_signed_in(page, staff_app, "admin1", "staff.accounts_page")
        reviewer_row = page.get_by_role("row").filter(
            has=page.get_by_role("cell", name="reviewer1", exact=True)
        )
        assert reviewer_row.get_by_role("cell").nth(2).inner_text() == "disabled"
        with page.expect_response(is_post_to(path_for(staff_app, "staff.accounts_enable"))) as sent:
            reviewer_row.get_by_role("button", name="Enable reviewer1").click()
        page.wait_for_load_state()
        assert sent.value.status == 303
        assert page.get_by_role("status").inner_text() == "Enabled reviewer1."
        assert reviewer_row.get_by_role("cell").nth(2).inner_text() == "active"
        assert staff_user(staff_app, "reviewer1").disabled is False

        form = page.locator("#change-role")
        assert "admin1" not in form.get_by_label("Account").inner_text()  # not one's own
        form.get_by_label("Account").select_option("supervisor1")
        form.get_by_label("New role").select_option("reviewer")
        with page.expect_response(is_post_to(path_for(staff_app, "staff.accounts_role"))) as sent:
            form.get_by_role("button", name="Change role").click()
        page.wait_for_load_state()
        assert sent.value.status == 303
        assert page.get_by_role("status").inner_text() == "supervisor1 is now reviewer."
        supervisor_row = page.get_by_role("row").filter(
            has=page.get_by_role("cell", name="supervisor1", exact=True)
        )
        assert supervisor_row.get_by_role("cell").nth(1).inner_text() == "reviewer"

        # The other browser's next request gets a reviewer's answer.
        assert supervisor.reload().status == 403
        nav = supervisor.get_by_role("navigation", name="Main")
        assert nav.get_by_role("link").all_inner_texts() == ["Reports"]
    finally:
        elsewhere.close()
    assert [(e.username, e.object) for e in audit_events(staff_app, "account_enabled")] == [
        ("admin1", "user reviewer1")
    ]
    [changed] = audit_events(staff_app, "account_role_changed")
    assert (changed.username, changed.object, changed.detail) == (
        "admin1",
        "user supervisor1",
        "supervisor to reviewer",
    )


# --- reports ----------------------------------------------------------------------------------


def test_a_reviewer_approves_a_report_with_its_case_number(
    page, staff_app, users, wallet_report, tmp_path
):
    number = wallet_report.number
    open_signed_in(page, staff_app, "reviewer1")
    assert page.get_by_role("heading", level=1).inner_text() == "Reports"
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
    assert row.get_by_role("cell").all_inner_texts() == [
        number,
        "2026-12-02 10:00",
        "lost property",
        "new",
        "tru report",
        "en",
        "Maria Lopez",
        "+14105550123",
    ]
    page.screenshot(path=tmp_path / "queue.png", full_page=True)
    assert_png(tmp_path / "queue.png")

    row.get_by_role("link", name=number).click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == path_for(staff_app, "staff.report", number=number)
    assert page.get_by_role("heading", level=1).inner_text() == f"Report {number}"
    page.get_by_label("New status").select_option("approved")
    page.get_by_label("Case number").fill("26-123456")
    with page.expect_response(
        is_post_to(path_for(staff_app, "staff.report_status", number=number))
    ) as posted:
        page.get_by_role("button", name="Set status").click()
    page.wait_for_load_state()

    assert posted.value.status == 303
    assert urlsplit(page.url).path == path_for(staff_app, "staff.report", number=number)
    assert page.get_by_role("status").inner_text() == "Status set to approved."
    assert page.locator("h1 + p .tag").first.inner_text() == "approved"
    timeline = page.get_by_role("region", name="Timeline").get_by_role("listitem")
    assert timeline.last.inner_text() == (
        "2026-12-02 10:00:00 status new → approved (case 26-123456) — reviewer1"
    )
    with staff_app.extensions["tru.db"]() as session:
        assert session.get(Report, wallet_report.id).status == "approved"
    changed = audit_events(staff_app, "report_changed")
    assert [(e.object, e.detail, e.outcome) for e in changed] == [
        (f"report {number}", "status approved", "success")
    ]
    # The queue shows the new status.
    page.get_by_role("link", name="Back to the reports").click()
    page.wait_for_load_state()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
    assert row.get_by_role("cell").nth(3).inner_text() == "approved"


def test_approving_without_a_case_number_is_refused(page, staff_app, users, wallet_report):
    number = wallet_report.number
    open_signed_in(page, staff_app, "reviewer1", "staff.report", number=number)
    page.get_by_label("New status").select_option("approved")
    page.get_by_role("button", name="Set status").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == (
        "Not done: approving a report needs its case number."
    )
    assert page.locator("h1 + p .tag").first.inner_text() == "new"
    with staff_app.extensions["tru.db"]() as session:
        assert session.get(Report, wallet_report.id).status == "new"


def test_a_recording_plays_through_the_app(page, staff_app, users, recorded_report, fake_twilio):
    number = recorded_report.number
    with staff_app.extensions["tru.db"]() as session:
        [recording] = session.get(Report, recorded_report.id).recordings
    stream = path_for(
        staff_app, "staff.recording", number=number, recording_sid=recording.recording_sid
    )
    open_signed_in(page, staff_app, "reviewer1", "staff.report", number=number)

    audio = page.locator("audio")
    assert audio.count() == 1
    assert audio.get_attribute("src") == stream
    assert audio.get_attribute("controls") is not None
    recorded = page.get_by_role("region", name="Recorded account")
    assert recorded.locator("blockquote").inner_text() == "I left my phone on the bus"
    assert fake_twilio.fetches == []  # preload="none": nothing fetched until asked

    src = audio.evaluate("element => element.src")
    fetched = page.evaluate(FETCH_BYTES, [src, None])
    ranged = page.evaluate(FETCH_BYTES, [src, "bytes=417-833"])
    # The browser's own player: metadata read from the MP3 through the app (CSP, cookie, type).
    duration = audio.evaluate(
        """element => new Promise((resolve, reject) => {
            element.addEventListener("loadedmetadata", () => resolve(element.duration));
            element.addEventListener(
                "error", () => reject(new Error(`media error ${element.error.code}`))
            );
            element.preload = "metadata";
            element.load();
        })"""
    )

    assert (fetched["status"], fetched["type"], fetched["range"]) == (200, "audio/mpeg", None)
    assert bytes(fetched["bytes"]) == FAKE_MP3
    assert (ranged["status"], ranged["type"], ranged["range"]) == (
        206,
        "audio/mpeg",
        f"bytes 417-833/{len(FAKE_MP3)}",
    )
    assert bytes(ranged["bytes"]) == FAKE_MP3[417:834]
    assert duration == pytest.approx(FAKE_MP3_SECONDS, abs=0.1)
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    media = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording.recording_sid}.mp3"
    assert {(f.path, f.authorization) for f in fake_twilio.fetches} == {
        (media, f"Basic {credentials}")
    }
    assert [f.range for f in fake_twilio.fetches[:2]] == [None, "bytes=417-833"]
    played = audit_events(staff_app, "recording_played")
    assert len(played) == len(fake_twilio.fetches) >= 3
    assert {(e.username, e.object, e.detail, e.outcome) for e in played} == {
        ("reviewer1", f"report {number}", f"recording {recording.recording_sid}", "success")
    }


def test_a_form_with_a_tampered_csrf_token_is_refused(page, staff_app, users, wallet_report):
    number = wallet_report.number
    open_signed_in(page, staff_app, "reviewer1", "staff.report", number=number)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Set status"))
    token = form.locator("input[name=csrf_token]")
    original = token.input_value()
    page.evaluate(
        "input => { input.value = input.value.slice(0, -6) + 'AAAAAA'; }",
        token.element_handle(),
    )
    assert token.input_value() != original
    page.get_by_label("New status").select_option("approved")
    page.get_by_label("Case number").fill("26-123456")

    with page.expect_response(
        is_post_to(path_for(staff_app, "staff.report_status", number=number))
    ) as posted:
        page.get_by_role("button", name="Set status").click()
    page.wait_for_load_state()

    assert posted.value.status == 400
    assert page.get_by_role("heading", level=1).inner_text() == "Request refused"
    assert page.get_by_text(
        "This form expired or did not come from this site. Go back, reload and try again."
    ).is_visible()
    with staff_app.extensions["tru.db"]() as session:
        assert session.get(Report, wallet_report.id).status == "new"
    assert audit_events(staff_app, "report_changed") == []
    refused = audit_events(staff_app, "access_refused")
    assert [(e.object, e.outcome, e.detail) for e in refused] == [
        (path_for(staff_app, "staff.report_status", number=number), "refused", "csrf")
    ]


def test_a_csrf_refusal_is_audited_under_the_signed_in_user(page, staff_app, users):
    open_signed_in(page, staff_app, "reviewer1")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Sign out"))
    token = form.locator("input[name=csrf_token]")
    page.evaluate("input => { input.value = 'forged'; }", token.element_handle())
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Request refused"
    [refused] = audit_events(staff_app, "access_refused")
    assert (refused.username, refused.object, refused.detail) == (
        "reviewer1",
        path_for(staff_app, "staff.logout"),
        "csrf",
    )


# --- dashboard --------------------------------------------------------------------------------


def test_a_supervisor_sees_the_dashboard_charts(page, staff_app, users, wallet_report, tmp_path):
    open_signed_in(page, staff_app, "supervisor1")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link").all_inner_texts() == ["Reports", "Dashboard", "Audit trail"]
    nav.get_by_role("link", name="Dashboard").click()
    page.wait_for_load_state()

    assert urlsplit(page.url).path == path_for(staff_app, "staff.dashboard")
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    charts = page.locator("svg[role=img]")
    assert charts.first.is_visible()
    assert sorted(charts.nth(i).get_attribute("aria-label") for i in range(charts.count())) == [
        "Calls by day of week",
        "Calls by hour of day (Baltimore time, 24-hour clock)",
        "Calls by language",
        "Calls by outcome",
        "Reports by type",
    ]
    by_type = page.get_by_role("img", name="Reports by type")
    assert by_type.is_visible()
    assert by_type.locator("g").all_text_contents() == ["Lost property: 1Lost property1"]
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    assert_png(tmp_path / "dashboard.png")
    viewed = audit_events(staff_app, "dashboard_viewed")
    assert [(e.username, e.object) for e in viewed] == [("supervisor1", "dashboard")]
