"""Who may open what, the audit trail page, and the accounts page.

The role table covers every route of the staff blueprint: a route added without a guard, or
without a line here, fails `test_every_staff_route_is_in_the_role_table` or the role checks.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from ivr.models import AuditEvent, Base, Call, Recording, Report, StaffSession, StaffUser
from ivr.staff import accounts, audit
from tests.test_staff_auth import (
    PASSWORD,
    WRONG,
    add_user,
    audit_rows,
    csrf_token_of,
    login_redirect,
    one,
    rows,
    sign_in,
    user_row,
)

ROLES = ("reviewer", "supervisor", "admin")

#: Every route of the staff blueprint: the least role that may use it (None: open to anyone).
ROLE_TABLE: dict[str, str | None] = {
    "staff.login": None,
    "staff.logout": None,
    "staff.queue": "reviewer",
    "staff.report": "reviewer",
    "staff.recording": "reviewer",
    "staff.report_correct": "reviewer",
    "staff.report_note": "reviewer",
    "staff.report_status": "reviewer",
    "staff.report_callback": "reviewer",
    "staff.export_csv": "reviewer",
    "staff.export_json": "reviewer",
    "staff.audit_trail": "supervisor",
    "staff.dashboard": "supervisor",
    "staff.accounts_page": "admin",
    "staff.accounts_add": "admin",
    "staff.accounts_disable": "admin",
    "staff.accounts_unlock": "admin",
    "staff.accounts_enable": "admin",
    "staff.accounts_role": "admin",
    "staff.accounts_password": "admin",
}


def staff_rules(app) -> list:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("staff.")),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


#: Values for the routes' URL parts: the report and recording `sample` stores.
SAMPLE = {"number": "TRU-26-000001", "recording_sid": "RE" + "0" * 32}
#: Answers, besides 200 and redirects, that still show the guard let the request through: the
#: sample recording has no audio, so the view says 404.
ALSO_ALLOWED = {"staff.recording": {404}}


@pytest.fixture
def sample(app, clock):
    """One report with one (silent) recording, so routes about a report have one to name."""
    with app.extensions["tru.db"]() as session:
        call = Call(
            call_sid="CA" + "0" * 32,
            caller="+14105550123",
            status="completed",
            started_at=clock.now,
            updated_at=clock.now,
        )
        report = Report(
            call=call,
            number=SAMPLE["number"],
            type="lost_property",
            status="new",
            fields={"item": "a wallet"},
            triage={},
            created_at=clock.now,
            updated_at=clock.now,
        )
        session.add(report)
        session.add(
            Recording(
                recording_sid=SAMPLE["recording_sid"],
                call_sid=call.call_sid,
                report=report,
                status="absent",
            )
        )
        session.commit()


def path_of(rule) -> str:
    missing = rule.arguments - set(SAMPLE)
    assert not missing, f"{rule.endpoint}: add sample values for {sorted(missing)}"
    return rule.build({name: SAMPLE[name] for name in rule.arguments})[1]


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


@pytest.fixture
def web_app(app):
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def routes_app(web_app, sample):
    """The app with CSRF checks off and a report to open."""
    return web_app


def client_as(app, role: str | None):
    """A client signed in through the login form as a new user of `role` (None: nobody)."""
    client = app.test_client()
    if role is not None:
        username = f"{role}-{len(rows(app, select(StaffUser)))}"
        add_user(app, username, role)
        assert sign_in(client, username).status_code == 302
    return client


def fresh_session(app, username: str | None):
    """A client with a new session of an existing user, made without a trip through the form."""
    client = app.test_client()
    if username is not None:
        with app.extensions["tru.db"]() as session:
            now = app.extensions["tru.clock"]()
            result = accounts.log_in(session, username, PASSWORD, now=now, source="127.0.0.1")
            session.commit()
        assert result.token is not None
        client.set_cookie("tru_staff", result.token, path="/staff")
    return client


def request(client, method: str, path: str):
    response = client.open(path, method=method, data={})
    response.get_data()  # a streamed answer (an export) runs to its end
    response.close()
    return response


def test_every_staff_route_is_in_the_role_table(app):
    found = {rule.endpoint for rule in staff_rules(app)}
    assert found == set(ROLE_TABLE), (
        f"routes without a line in ROLE_TABLE: {sorted(found - set(ROLE_TABLE))}; "
        f"lines for routes that are gone: {sorted(set(ROLE_TABLE) - found)}"
    )


@pytest.mark.parametrize("role", [None, *ROLES])
def test_each_role_gets_what_the_table_says(routes_app, role):
    web_app = routes_app
    username = None
    if role is not None:
        username = role
        add_user(web_app, username, role)
    client = fresh_session(web_app, username)
    wrong = []
    # Logout last: it ends the session the other requests share.
    for rule in sorted(staff_rules(web_app), key=lambda rule: rule.endpoint == "staff.logout"):
        needed = ROLE_TABLE.get(rule.endpoint, "a line in ROLE_TABLE")
        path = path_of(rule)
        for method in methods_of(rule):
            response = request(client, method, path)
            status = response.status_code
            location = response.headers.get("Location", "")
            to_login = status == 302 and urlsplit(location).path == "/staff/login"
            if needed is None:
                ok = status in (200, 302, 401) and not (
                    role is not None and to_login and rule.endpoint != "staff.logout"
                )
            elif role is None:
                ok = to_login and login_redirect(response)["next"] == [path]
            elif accounts.RANKS[role] < accounts.RANKS.get(needed, 99):
                ok = status == 403
            else:
                allowed = {200, 302, 303, *ALSO_ALLOWED.get(rule.endpoint, ())}
                ok = status in allowed and not to_login
            if not ok:
                wrong.append(
                    f"{method} {path} ({rule.endpoint}, needs {needed}): {status} {location}"
                )
    assert wrong == []


def test_anonymous_requests_are_sent_to_sign_in_with_the_page_to_return_to(web_app):
    query = login_redirect(web_app.test_client().get("/staff/audit"))
    assert query["next"] == ["/staff/audit"]
    assert "why" not in query


def test_a_reviewer_is_refused_the_audit_page_and_that_is_audited(web_app, clock):
    reviewer = client_as(web_app, "reviewer")
    response = reviewer.get("/staff/audit")
    assert response.status_code == 403
    assert "Your role cannot open this page." in response.get_data(as_text=True)
    refused = one(web_app, select(AuditEvent).where(AuditEvent.event == "access_refused"))
    assert (
        refused.username,
        refused.source,
        refused.object,
        refused.outcome,
        refused.detail,
        refused.at,
    ) == ("reviewer-0", "127.0.0.1", "/staff/audit", "refused", "supervisor", clock.now)
    assert audit_rows(web_app, "audit_viewed") == []


#: Every account change on the web.
ACCOUNT_CHANGES = [
    "/staff/accounts/add",
    "/staff/accounts/disable",
    "/staff/accounts/unlock",
    "/staff/accounts/enable",
    "/staff/accounts/role",
    "/staff/accounts/password",
]


@pytest.mark.parametrize("role", ["reviewer", "supervisor"])
@pytest.mark.parametrize("path", ACCOUNT_CHANGES)
def test_only_admins_change_accounts(web_app, clock, role, path):
    add_user(web_app, "bob")
    add_user(web_app, "carol", "admin")
    with web_app.extensions["tru.db"]() as session:
        accounts.disable_user(session, "bob", now=clock.now, by="test")
        session.commit()
    for _ in range(5):
        sign_in(web_app.test_client(), "carol", WRONG)
    client = client_as(web_app, role)
    before = snapshot(web_app)
    changes_before = [row.id for row in audit_rows(web_app) if row.event.startswith("account_")]
    # A form that would do something for an admin: a new user, or a change to bob or carol.
    for username in ("bob", "carol", "dave"):
        response = client.post(
            path,
            data={"username": username, "role": "admin", "password": "a brand new passphrase"},
        )
        assert response.status_code == 403, (path, username)
    assert snapshot(web_app) == before
    assert [
        row.id for row in audit_rows(web_app) if row.event.startswith("account_")
    ] == changes_before
    refused = audit_rows(web_app, "access_refused")
    assert [(row.username, row.object, row.detail) for row in refused] == [
        (f"{role}-2", path, "admin")
    ] * 3


@pytest.mark.parametrize("path", ["/staff/accounts/add", "/staff/accounts/disable"])
def test_a_supervisor_cannot_change_accounts(web_app, path):
    add_user(web_app, "bob")
    supervisor = client_as(web_app, "supervisor")
    response = supervisor.post(path, data={"username": "bob", "role": "admin"})
    assert response.status_code == 403
    assert user_row(web_app, "bob").disabled is False
    assert audit_rows(web_app, "account_disabled") == []


def snapshot(app) -> dict[str, list]:
    """Every table's rows but the audit trail's and the sessions' last-activity times."""
    with app.extensions["tru.db"]() as session:
        tables = {}
        for table in Base.metadata.sorted_tables:
            if table.name == "audit_events":
                continue
            columns = [c for c in table.columns if c.name != "last_seen_at"]
            tables[table.name] = [
                tuple(row) for row in session.execute(select(*columns).order_by(*table.primary_key))
            ]
        return tables


@pytest.mark.parametrize("role", [None, *ROLES])
def test_no_get_changes_state(routes_app, role):
    web_app = routes_app
    client = client_as(web_app, role)
    add_user(web_app, "bob")
    before = snapshot(web_app)
    for rule in staff_rules(web_app):
        path = path_of(rule)
        # With the fields a change would need, in case a view read them from the query string.
        query = {
            "username": "bob",
            "role": "admin",
            "password": PASSWORD,
            "note": "a note",
            "status": "approved",
            "field": "item",
            "value": "a purse",
            "outcome": "reached",
        }
        response = client.get(path, query_string=query)
        response.get_data()
        response.close()
        if "GET" not in rule.methods:
            assert response.status_code == 405, rule.endpoint
    assert snapshot(web_app) == before


# --- the audit trail page -------------------------------------------------------------------------

DAY = datetime(2026, 12, 1, tzinfo=UTC)


def seed_audit(app, entries) -> list[int]:
    """Audit rows from (event, username, object, at); their ids in order."""
    with app.extensions["tru.db"]() as session:
        made = [
            audit.record(session, event, now=at, username=user, source="10.1.2.3", object=obj)
            for event, user, obj, at in entries
        ]
        session.commit()
        return [row.id for row in made]


def shown_ids(response) -> list[int]:
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True)
    table = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [int(found) for found in re.findall(r"<tr>\s*<td>(\d+)</td>", table)]


def older_link(response) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">Older</a>', response.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def supervisor(web_app):
    return client_as(web_app, "supervisor")


@pytest.fixture
def trail(web_app, supervisor):
    """A few rows over three UTC days; the supervisor's own login row comes after them."""
    return seed_audit(
        web_app,
        [
            ("report_viewed", "alice", "report TRU-26-000123", DAY - timedelta(minutes=1)),
            ("report_viewed", "bob", "report TRU-26-000124", DAY),
            ("report_changed", "alice", "report TRU-26-000124", DAY + timedelta(hours=12)),
            ("export", "bob", "reports 2026-11", DAY + timedelta(hours=23, minutes=59)),
            ("account_added", "carol", "user 50%_off", DAY + timedelta(days=1)),
        ],
    )


def test_the_audit_page_lists_newest_first(web_app, supervisor, trail):
    ids = shown_ids(supervisor.get("/staff/audit"))
    # By id, newest first: the trail, then the supervisor's account and login rows before it.
    assert ids == sorted((row.id for row in audit_rows(web_app) if row.id in ids), reverse=True)
    assert ids[:5] == trail[::-1]
    assert [row.event for row in audit_rows(web_app)][:2] == ["account_added", "login"]
    assert len(ids) == 7
    page = supervisor.get("/staff/audit").get_data(as_text=True)
    assert "report TRU-26-000124" in page
    assert "10.1.2.3" in page
    assert "2026-12-01 12:00:00" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"event": "report_viewed"}, [1, 0]),
        ({"user": "alice"}, [2, 0]),
        ({"user": "ALICE "}, [2, 0]),
        ({"object": "TRU-26-00012"}, [2, 1, 0]),
        ({"object": "000124", "user": "bob"}, [1]),
        ({"object": "50%_"}, [4]),
        ({"object": "%"}, [4]),
        ({"object": "_"}, [4]),
        ({"since": "2026-12-01", "until": "2026-12-01"}, [3, 2, 1]),
        ({"since": "2026-12-02", "user": "carol"}, [4]),
        ({"until": "2026-11-30"}, [0]),
        ({"event": "report_viewed", "until": "2026-11-30"}, [0]),
        ({"event": "purge"}, []),
    ],
)
def test_the_audit_page_filters(web_app, supervisor, trail, query, expected):
    assert shown_ids(supervisor.get("/staff/audit", query_string=query)) == [
        trail[i] for i in expected
    ]


def test_viewing_the_audit_trail_is_audited_with_the_filters(web_app, supervisor, trail, clock):
    supervisor.get("/staff/audit", query_string={"event": "export", "user": "bob"})
    viewed = one(web_app, select(AuditEvent).where(AuditEvent.event == "audit_viewed"))
    assert (viewed.username, viewed.source, viewed.outcome, viewed.detail, viewed.at) == (
        "supervisor-0",
        "127.0.0.1",
        "success",
        "event=export user=bob",
        clock.now,
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"event": "no_such_event"}, "unknown event"),
        ({"since": "yesterday"}, "From must be a date like 2026-12-31"),
        ({"until": "2026-13-01"}, "To must be a date like 2026-12-31"),
        ({"since": "2026-12-02", "until": "2026-12-01"}, "the To date is before the From date"),
        ({"before_id": "12abc"}, "bad page position"),
        ({"before_id": "²"}, "bad page position"),
    ],
)
def test_a_bad_filter_is_explained_not_ignored(web_app, supervisor, trail, query, message):
    response = supervisor.get("/staff/audit", query_string=query)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert f"Filter not applied: {html.escape(message)}." in body
    assert "No audit events match." in body
    viewed = one(web_app, select(AuditEvent).where(AuditEvent.event == "audit_viewed"))
    assert (viewed.outcome, viewed.detail) == ("failure", "bad filter")


def test_the_audit_page_pages_back_with_the_filters_kept(web_app, supervisor):
    made = seed_audit(
        web_app,
        [("report_viewed", "alice", f"report {i}", DAY + timedelta(seconds=i)) for i in range(230)],
    )
    seed_audit(web_app, [("export", "alice", "x", DAY)])
    first = supervisor.get("/staff/audit", query_string={"event": "report_viewed"})
    assert shown_ids(first) == made[::-1][:100]
    link = older_link(first)
    assert link is not None
    assert "event=report_viewed" in link
    second = supervisor.get(link)
    assert shown_ids(second) == made[::-1][100:200]
    assert "Newest</a>" in second.get_data(as_text=True)
    third = supervisor.get(older_link(second))
    assert shown_ids(third) == made[::-1][200:]
    assert older_link(third) is None


def test_an_admin_may_read_the_audit_trail_too(web_app, trail):
    admin = client_as(web_app, "admin")
    assert shown_ids(admin.get("/staff/audit", query_string={"user": "carol"})) == [trail[4]]


# --- the accounts page ----------------------------------------------------------------------------


@pytest.fixture
def admin(web_app):
    return client_as(web_app, "admin")


def flashes(client) -> list[str]:
    page = client.get("/staff/accounts").get_data(as_text=True)
    return [
        html.unescape(m)
        for m in re.findall(r'<p class="flash [a-z]+" role="status">(.*?)</p>', page)
    ]


def test_the_accounts_page_lists_users_with_role_and_state(web_app, admin, clock):
    add_user(web_app, "bob")
    add_user(web_app, "carol", "supervisor")
    add_user(web_app, "dave")
    with web_app.extensions["tru.db"]() as session:
        accounts.disable_user(session, "carol", now=clock.now, by="test")
        session.commit()
    for _ in range(5):
        sign_in(web_app.test_client(), "dave", WRONG)
    page = admin.get("/staff/accounts").get_data(as_text=True)
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    listed = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td>(.*?)</td>", table, re.S)
    states = {
        name: (role, " ".join(re.sub(r"<[^>]+>", " ", state).split()))
        for name, role, state in listed
    }
    assert states == {
        "admin-0": ("admin", "active"),
        "bob": ("reviewer", "active"),
        "carol": ("supervisor", "disabled"),
        "dave": ("reviewer", "locked since 2026-12-02 15:00 UTC"),
    }
    assert "Unlock dave" in page
    assert "Disable bob" in page
    assert "Disable carol" not in page
    assert "Disable admin-0" not in page  # not one's own account
    assert PASSWORD not in page
    assert "$argon2" not in page


def test_an_admin_adds_a_user(web_app, admin, clock):
    response = admin.post(
        "/staff/accounts/add", data={"username": "Bob", "role": "supervisor", "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/accounts"
    assert flashes(admin) == ["Added bob (supervisor)."]
    bob = user_row(web_app, "bob")
    assert bob.role == "supervisor"
    assert bob.password_hash.startswith("$argon2id$")
    added = one(
        web_app,
        select(AuditEvent).where(
            AuditEvent.event == "account_added", AuditEvent.username == "admin-0"
        ),
    )
    assert (added.event, added.username, added.object, added.detail, added.outcome, added.at) == (
        "account_added",
        "admin-0",
        "user bob",
        "supervisor",
        "success",
        clock.now,
    )
    assert sign_in(web_app.test_client(), "bob").status_code == 302


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"username": "bob", "role": "reviewer", "password": "elevenchars"},
            "Not done: the password must be at least 12 characters.",
        ),
        (
            {"username": "bob", "role": "root", "password": PASSWORD},
            "Not done: the role must be one of reviewer, supervisor, admin.",
        ),
        (
            {"username": "bob smith", "role": "reviewer", "password": PASSWORD},
            "Not done: usernames are letters, digits, dot, dash or underscore (up to 64).",
        ),
        (
            {"username": "admin-0", "role": "reviewer", "password": PASSWORD},
            "Not done: user 'admin-0' already exists.",
        ),
        ({}, "Not done: usernames are letters, digits, dot, dash or underscore (up to 64)."),
    ],
)
def test_a_refused_add_is_explained_and_audited(web_app, admin, form, message):
    response = admin.post("/staff/accounts/add", data=form)
    assert response.status_code == 303
    assert flashes(admin) == [message]
    assert [user.username for user in rows(web_app, select(StaffUser))] == ["admin-0"]
    refused = one(
        web_app,
        select(AuditEvent).where(
            AuditEvent.event == "account_added", AuditEvent.username == "admin-0"
        ),
    )
    assert (refused.username, refused.source, refused.outcome) == (
        "admin-0",
        "127.0.0.1",
        "failure",
    )
    assert refused.detail == message.removeprefix("Not done: ").removesuffix(".")
    for row in audit_rows(web_app):
        assert PASSWORD not in (row.detail or "")
        assert "elevenchars" not in (row.detail or "")


def test_an_admin_disables_a_user_and_their_sessions_end(web_app, admin):
    bob = client_as(web_app, "reviewer")
    response = admin.post("/staff/accounts/disable", data={"username": "reviewer-1"})
    assert response.status_code == 303
    assert flashes(admin) == ["Disabled reviewer-1; their sessions have ended."]
    assert user_row(web_app, "reviewer-1").disabled is True
    bob_session = one(
        web_app,
        select(StaffSession).join(StaffUser).where(StaffUser.username == "reviewer-1"),
    )
    assert bob_session.end_reason == "disabled"
    login_redirect(bob.get("/staff/"))
    disabled = one(web_app, select(AuditEvent).where(AuditEvent.event == "account_disabled"))
    assert (disabled.username, disabled.object, disabled.outcome) == (
        "admin-0",
        "user reviewer-1",
        "success",
    )


def test_an_admin_cannot_disable_their_own_account(web_app, admin):
    admin.post("/staff/accounts/disable", data={"username": "Admin-0"})
    assert flashes(admin) == ["Not done: you cannot disable your own account."]
    assert user_row(web_app, "admin-0").disabled is False


def test_disabling_an_unknown_user_is_explained(web_app, admin):
    admin.post("/staff/accounts/disable", data={"username": "nobody"})
    assert flashes(admin) == ["Not done: no user 'nobody'."]
    refused = one(web_app, select(AuditEvent).where(AuditEvent.event == "account_disabled"))
    assert (refused.object, refused.outcome) == ("user nobody", "failure")


def test_an_admin_unlocks_a_user(web_app, admin):
    add_user(web_app, "bob")
    for _ in range(5):
        sign_in(web_app.test_client(), "bob", WRONG)
    assert user_row(web_app, "bob").locked_at is not None
    response = admin.post("/staff/accounts/unlock", data={"username": "bob"})
    assert response.status_code == 303
    assert flashes(admin) == ["Unlocked bob."]
    assert user_row(web_app, "bob").locked_at is None
    unlocked = one(web_app, select(AuditEvent).where(AuditEvent.event == "account_unlocked"))
    assert (unlocked.username, unlocked.object, unlocked.outcome) == (
        "admin-0",
        "user bob",
        "success",
    )
    assert sign_in(web_app.test_client(), "bob").status_code == 302


def test_account_changes_on_the_web_record_the_admins_address(web_app, admin):
    admin.post(
        "/staff/accounts/add", data={"username": "bob", "role": "reviewer", "password": PASSWORD}
    )
    added = one(
        web_app,
        select(AuditEvent).where(
            AuditEvent.event == "account_added", AuditEvent.username == "admin-0"
        ),
    )
    assert added.source == "127.0.0.1"


def test_an_admin_enables_a_disabled_user(web_app, admin, clock):
    add_user(web_app, "bob")
    with web_app.extensions["tru.db"]() as session:
        accounts.disable_user(session, "bob", now=clock.now, by="test")
        session.commit()
    page = admin.get("/staff/accounts").get_data(as_text=True)
    assert "Enable bob" in page
    assert "Enable admin-0" not in page
    response = admin.post("/staff/accounts/enable", data={"username": "Bob"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/accounts"
    assert flashes(admin) == ["Enabled bob."]
    assert user_row(web_app, "bob").disabled is False
    enabled = one(web_app, select(AuditEvent).where(AuditEvent.event == "account_enabled"))
    assert (enabled.username, enabled.source, enabled.object, enabled.outcome, enabled.at) == (
        "admin-0",
        "127.0.0.1",
        "user bob",
        "success",
        clock.now,
    )
    assert sign_in(web_app.test_client(), "bob").status_code == 302


def test_enabling_an_enabled_user_is_explained_and_audited(web_app, admin):
    add_user(web_app, "bob")
    admin.post("/staff/accounts/enable", data={"username": "bob"})
    assert flashes(admin) == ["Not done: user 'bob' is not disabled."]
    refused = one(web_app, select(AuditEvent).where(AuditEvent.event == "account_enabled"))
    assert (refused.username, refused.object, refused.outcome, refused.detail) == (
        "admin-0",
        "user bob",
        "failure",
        "user 'bob' is not disabled",
    )


def test_an_admin_changes_a_role(web_app, admin, clock):
    bob = client_as(web_app, "reviewer")
    assert bob.get("/staff/dashboard").status_code == 403
    response = admin.post(
        "/staff/accounts/role", data={"username": "reviewer-1", "role": "supervisor"}
    )
    assert response.status_code == 303
    assert flashes(admin) == ["reviewer-1 is now supervisor."]
    assert user_row(web_app, "reviewer-1").role == "supervisor"
    # bob's session carries on, now with the supervisor's pages.
    assert bob.get("/staff/dashboard").status_code == 200
    changed = one(web_app, select(AuditEvent).where(AuditEvent.event == "account_role_changed"))
    assert (changed.username, changed.object, changed.outcome, changed.detail, changed.at) == (
        "admin-0",
        "user reviewer-1",
        "success",
        "reviewer to supervisor",
        clock.now,
    )


def test_the_role_and_password_forms_leave_out_ones_own_account(web_app, admin):
    add_user(web_app, "bob")
    page = admin.get("/staff/accounts").get_data(as_text=True)
    for form_id in ("change-role", "reset-password"):
        form = page.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]
        assert re.findall(r'<option value="([^"]+)">[^<]*</option>', form)[0] == "bob"
        assert 'value="admin-0"' not in form


BAD_ROLE = "the role must be one of reviewer, supervisor, admin"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"username": "admin-0", "role": "reviewer"},
            "Not done: you cannot change your own role.",
        ),
        ({"username": "bob", "role": "root"}, f"Not done: {BAD_ROLE}."),
        ({"username": "bob", "role": "reviewer"}, "Not done: user 'bob' is already reviewer."),
        ({"username": "nobody", "role": "admin"}, "Not done: no user 'nobody'."),
        ({}, f"Not done: {BAD_ROLE}."),
    ],
)
def test_a_refused_role_change_is_explained_and_audited(web_app, admin, form, message):
    add_user(web_app, "bob")
    admin.post("/staff/accounts/role", data=form)
    assert flashes(admin) == [message]
    assert {u.username: u.role for u in rows(web_app, select(StaffUser))} == {
        "admin-0": "admin",
        "bob": "reviewer",
    }
    refused = one(web_app, select(AuditEvent).where(AuditEvent.event == "account_role_changed"))
    assert (refused.username, refused.outcome) == ("admin-0", "failure")
    assert refused.detail == message.removeprefix("Not done: ").removesuffix(".")


def test_a_demoted_admin_loses_the_accounts_pages_at_once(web_app, admin):
    add_user(web_app, "carol", "admin")
    carol = web_app.test_client()
    assert sign_in(carol, "carol").status_code == 302
    carol.post("/staff/accounts/role", data={"username": "admin-0", "role": "supervisor"})
    assert user_row(web_app, "admin-0").role == "supervisor"
    # admin-0's open session now has a supervisor's rights, and cannot demote carol back.
    response = admin.post("/staff/accounts/role", data={"username": "carol", "role": "reviewer"})
    assert response.status_code == 403
    assert admin.get("/staff/accounts").status_code == 403
    assert admin.get("/staff/dashboard").status_code == 200
    assert user_row(web_app, "carol").role == "admin"


def test_an_admin_resets_a_password_and_the_users_sessions_end(web_app, admin, clock):
    bob = client_as(web_app, "reviewer")
    new_password = "a brand new passphrase"
    response = admin.post(
        "/staff/accounts/password", data={"username": "reviewer-1", "password": new_password}
    )
    assert response.status_code == 303
    assert flashes(admin) == ["Reset the password of reviewer-1; their sessions have ended."]
    assert login_redirect(bob.get("/staff/"))["why"] == ["password_reset"]
    assert sign_in(web_app.test_client(), "reviewer-1").status_code == 401
    assert sign_in(web_app.test_client(), "reviewer-1", new_password).status_code == 302
    # The admin's own session is untouched.
    assert admin.get("/staff/accounts").status_code == 200
    reset = one(web_app, select(AuditEvent).where(AuditEvent.event == "account_password_reset"))
    assert (reset.username, reset.source, reset.object, reset.outcome, reset.detail) == (
        "admin-0",
        "127.0.0.1",
        "user reviewer-1",
        "success",
        "1 sessions ended",
    )
    for row in audit_rows(web_app):
        assert new_password not in f"{row.object} {row.detail}"


def test_a_reset_for_a_locked_user_says_the_lock_stays(web_app, admin):
    add_user(web_app, "bob")
    for _ in range(5):
        sign_in(web_app.test_client(), "bob", WRONG)
    admin.post(
        "/staff/accounts/password",
        data={"username": "bob", "password": "a brand new passphrase"},
    )
    assert flashes(admin) == [
        "Reset the password of bob; their sessions have ended. "
        "bob is still locked: unlock the account too."
    ]
    assert user_row(web_app, "bob").locked_at is not None


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"username": "bob", "password": "elevenchars"},
            "Not done: the password must be at least 12 characters.",
        ),
        (
            {"username": "admin-0", "password": "a brand new passphrase"},
            "Not done: you cannot reset your own password here; another admin or "
            "`tru staff password` can.",
        ),
        (
            {"username": "nobody", "password": "a brand new passphrase"},
            "Not done: no user 'nobody'.",
        ),
    ],
)
def test_a_refused_password_reset_is_explained_and_audited(web_app, admin, form, message):
    add_user(web_app, "bob")
    hashes = {u.username: u.password_hash for u in rows(web_app, select(StaffUser))}
    admin.post("/staff/accounts/password", data=form)
    assert flashes(admin) == [message]
    assert {u.username: u.password_hash for u in rows(web_app, select(StaffUser))} == hashes
    assert admin.get("/staff/accounts").status_code == 200
    refused = one(web_app, select(AuditEvent).where(AuditEvent.event == "account_password_reset"))
    assert (refused.username, refused.outcome) == ("admin-0", "failure")
    assert refused.detail == message.removeprefix("Not done: ").removesuffix(".")
    for row in audit_rows(web_app):
        assert form["password"] not in f"{row.object} {row.detail}"


@pytest.mark.parametrize("path", ACCOUNT_CHANGES)
def test_account_changes_need_the_csrf_token(app, clock, path):
    app.config["WTF_CSRF_ENABLED"] = True
    add_user(app, "root1", "admin")
    add_user(app, "bob")
    if path.endswith("enable"):
        with app.extensions["tru.db"]() as session:
            accounts.disable_user(session, "bob", now=clock.now, by="test")
            session.commit()
    client = app.test_client()
    token = csrf_token_of(client.get("/staff/login").get_data())
    client.post(
        "/staff/login", data={"username": "root1", "password": PASSWORD, "csrf_token": token}
    )
    before = snapshot(app)
    form = {"username": "bob", "role": "admin", "password": "a brand new passphrase"}
    assert client.post(path, data=form).status_code == 400
    assert snapshot(app) == before
    # The page's own form, token included, works.
    page_token = csrf_token_of(client.get("/staff/accounts").get_data())
    assert (
        client.post(
            path,
            data={
                **form,
                "username": "carol" if path.endswith("add") else "bob",
                "csrf_token": page_token,
            },
        ).status_code
        == 303
    )
    assert snapshot(app) != before
