"""Staff sign-in: accounts, passwords, sessions, lockout, CSRF, headers and the audit trail.

CJIS Security Policy / OWASP ASVS L2 in spirit: no default accounts, argon2 hashes, a fresh server
session at every sign-in that logout ends, lockout after 5 failures in 15 minutes, idle and
absolute limits, CSRF on every change, strict cookies and headers, and an append-only audit trail.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from ivr import db
from ivr.cli import cli
from ivr.models import AuditEvent, LoginAttempt, StaffSession, StaffUser
from ivr.staff import accounts
from ivr.staff.audit import TRIGGERS
from tests.conftest import AUTH_TOKEN

PASSWORD = "correct horse battery staple"
WRONG = "not the password at all"
GENERIC = "Wrong username or password, or the account is locked."
IDLE_NOTICE = "You were signed out after 30 minutes without activity."
EXPIRED_NOTICE = "Your session reached its 12-hour limit. Please sign in again."
BANNER = "Authorized use only."
#: A page any signed-in admin may open, that exists whatever the report pages look like.
ADMIN_PAGE = "/staff/accounts"


# --- helpers shared with test_staff_admin -------------------------------------------------------


def add_user(app, username: str, role: str = "reviewer", password: str = PASSWORD) -> None:
    with app.extensions["tru.db"]() as session:
        now = app.extensions["tru.clock"]()
        accounts.add_user(session, username, password, role, now=now, by="test")
        session.commit()


def rows(app, statement) -> list:
    """Fresh rows from a new session, so nothing cached hides what a request stored."""
    with app.extensions["tru.db"]() as session:
        return list(session.scalars(statement))


def one(app, statement):
    found = rows(app, statement)
    assert len(found) == 1, found
    return found[0]


def audit_rows(app, event: str | None = None) -> list[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.id)
    if event is not None:
        statement = statement.where(AuditEvent.event == event)
    return rows(app, statement)


def user_row(app, username: str) -> StaffUser:
    return one(app, select(StaffUser).where(StaffUser.username == username))


def sign_in(client, username: str, password: str = PASSWORD, **form: str):
    return client.post("/staff/login", data={"username": username, "password": password, **form})


def staff_cookie(client) -> str | None:
    cookie = client.get_cookie("tru_staff", path="/staff")
    return cookie.value if cookie is not None else None


def set_cookie_attributes(response, name: str) -> tuple[str, dict[str, str]]:
    """The value and attributes (lower-cased names) of the Set-Cookie header for `name`."""
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        key, _, value = first.partition("=")
        if key == name:
            parsed = {}
            for attribute in attributes:
                attr, _, attr_value = attribute.partition("=")
                parsed[attr.lower()] = attr_value
            return value, parsed
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.getlist('Set-Cookie')}")


def login_redirect(response) -> dict[str, list[str]]:
    """Assert `response` sends the browser to the sign-in page; its query parameters."""
    assert response.status_code == 302, response.status_code
    location = urlsplit(response.headers["Location"])
    assert location.path == "/staff/login"
    return parse_qs(location.query)


def csrf_token_of(page: bytes) -> str:
    found = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1).decode()


@pytest.fixture
def web(app):
    """A test client with CSRF checks off (the CSRF tests below use `client` with them on)."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


@pytest.fixture
def alice(app) -> str:
    add_user(app, "alice", "admin")
    return "alice"


# --- accounts and passwords -----------------------------------------------------------------------


def test_a_fresh_database_has_no_staff_accounts(app, web, tmp_path):
    assert rows(app, select(StaffUser)) == []
    for username, password in [("admin", "admin"), ("admin", "password"), ("root", "root")]:
        assert sign_in(web, username, password).status_code == 401
    # A database built from the migrations alone has no account either.
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    db.upgrade(url)
    engine = db.make_engine(url, pooled=False)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM staff_users")) == 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("password", ["", "short", "elevenchars"])
def test_a_password_under_12_characters_is_refused(app, session, clock, password):
    with pytest.raises(accounts.AccountError, match="at least 12 characters"):
        accounts.add_user(session, "bob", password, "reviewer", now=clock.now, by="test")
    session.rollback()
    assert rows(app, select(StaffUser)) == []


def test_a_12_character_password_is_accepted(app):
    add_user(app, "bob", password="twelve chars")
    assert user_row(app, "bob").role == "reviewer"


def test_the_password_is_stored_as_an_argon2id_hash(app, alice):
    stored = user_row(app, alice).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    from argon2 import PasswordHasher, extract_parameters

    assert PasswordHasher().verify(stored, PASSWORD)
    assert extract_parameters(stored) == accounts.PASSWORD_PROFILE


def test_an_unknown_username_is_checked_against_a_hash_that_costs_what_a_real_one_does():
    from argon2 import PasswordHasher, extract_parameters
    from argon2.exceptions import VerifyMismatchError

    assert extract_parameters(accounts._DUMMY_HASH) == accounts.PASSWORD_PROFILE
    with pytest.raises(VerifyMismatchError):  # a real hash, of no password anyone types
        PasswordHasher().verify(accounts._DUMMY_HASH, PASSWORD)


def test_importing_the_staff_accounts_hashes_nothing():
    """Every gunicorn worker imports the staff pages: a hash made then (64 MiB, ~0.1 s of CPU)
    would be paid by each worker at boot and counted in its peak memory."""
    import subprocess
    import sys

    probe = (
        "import argon2\n"
        "def refuse(*a, **k): raise SystemExit('hashed at import')\n"
        "argon2.PasswordHasher.hash = refuse\n"
        "import ivr.staff.accounts, ivr.web.staff\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own probe
        [sys.executable, "-c", probe], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("username", "role", "message"),
    [
        ("bad name", "reviewer", "usernames are letters"),
        ("", "reviewer", "usernames are letters"),
        ("bob", "superuser", "the role must be one of reviewer, supervisor, admin"),
    ],
)
def test_bad_usernames_and_roles_are_refused(app, session, clock, username, role, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add_user(session, username, PASSWORD, role, now=clock.now, by="test")


def test_a_username_cannot_be_added_twice_in_any_case(app, session, clock, alice):
    with pytest.raises(accounts.AccountError, match="user 'alice' already exists"):
        accounts.add_user(session, "ALICE", PASSWORD, "reviewer", now=clock.now, by="test")


# --- sign in and out ------------------------------------------------------------------------------


def test_login_sets_a_new_strict_session_cookie(app, web, alice):
    response = sign_in(web, alice)
    assert response.status_code == 302
    token, attributes = set_cookie_attributes(response, "tru_staff")
    assert len(token) >= 40
    assert "httponly" in attributes
    assert attributes["samesite"] == "Strict"
    assert attributes["path"] == "/staff"
    assert attributes["max-age"] == "43200"
    # Only a digest of the token is kept on the server.
    stored = one(app, select(StaffSession))
    assert stored.token_hash != token
    assert token not in stored.token_hash


@pytest.mark.parametrize(("base_url", "secure"), [("http://t", False), ("https://t", True)])
def test_without_cookie_secure_the_cookie_is_secure_under_https(
    app, make_app, alice, base_url, secure
):
    """TRU_COOKIE_SECURE=0 (development): Secure still follows the request's scheme."""
    plain = make_app(COOKIE_SECURE=False, WTF_CSRF_ENABLED=False)
    response = plain.test_client().post(
        "/staff/login", data={"username": alice, "password": PASSWORD}, base_url=base_url
    )
    assert response.status_code == 302
    _, attributes = set_cookie_attributes(response, "tru_staff")
    assert ("secure" in attributes) is secure
    assert "httponly" in attributes
    assert attributes["samesite"] == "Strict"
    assert attributes["path"] == "/staff"


def test_cookies_are_secure_by_default(app, web, alice):
    """Outside development the cookies are Secure even if the proxy hides HTTPS from the app."""
    _, attributes = set_cookie_attributes(sign_in(web, alice), "tru_staff")
    assert "secure" in attributes
    _, attributes = set_cookie_attributes(app.test_client().get("/staff/login"), "session")
    assert "secure" in attributes


def test_each_login_gets_a_different_session_token(app, web, alice):
    first, _ = set_cookie_attributes(sign_in(web, alice), "tru_staff")
    second, _ = set_cookie_attributes(sign_in(web, alice), "tru_staff")
    assert first != second
    assert len(rows(app, select(StaffSession))) == 2


def test_a_planted_session_cookie_is_replaced_at_login(app, web, alice):
    """Session fixation: whatever cookie the browser had, login issues a fresh token."""
    web.set_cookie("tru_staff", "attacker-chosen-token", path="/staff")
    token, _ = set_cookie_attributes(sign_in(web, alice), "tru_staff")
    assert token != "attacker-chosen-token"
    assert staff_cookie(web) == token


def test_the_signed_in_user_gets_pages_and_an_anonymous_one_does_not(app, web, alice):
    assert login_redirect(web.get(ADMIN_PAGE))["next"] == [ADMIN_PAGE]
    sign_in(web, alice)
    assert web.get(ADMIN_PAGE).status_code == 200


def test_logout_ends_the_session_on_the_server(app, web, alice):
    sign_in(web, alice)
    token = staff_cookie(web)
    response = web.post("/staff/logout")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/staff/login"
    _, attributes = set_cookie_attributes(response, "tru_staff")
    assert attributes["max-age"] == "0"
    assert staff_cookie(web) is None
    ended = one(app, select(StaffSession))
    assert ended.end_reason == "logout"
    assert ended.ended_at is not None
    logout = one(app, select(AuditEvent).where(AuditEvent.event == "logout"))
    assert (logout.username, logout.source, logout.outcome) == ("alice", "127.0.0.1", "success")
    # The old cookie, replayed, opens nothing.
    web.set_cookie("tru_staff", token, path="/staff")
    login_redirect(web.get(ADMIN_PAGE))


def test_a_wrong_password_gets_401_and_the_generic_message(app, web, alice):
    response = sign_in(web, alice, WRONG)
    assert response.status_code == 401
    assert GENERIC in response.get_data(as_text=True)
    assert staff_cookie(web) is None
    assert "tru_staff" not in str(response.headers.getlist("Set-Cookie"))


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(app, web, alice):
    wrong_password = sign_in(web, alice, WRONG)
    unknown_user = sign_in(web, "mallory", WRONG)
    assert unknown_user.status_code == wrong_password.status_code == 401
    assert GENERIC in unknown_user.get_data(as_text=True)
    # Byte for byte the same page, but for the form's CSRF token (it carries a timestamp).
    token = re.compile(rb'name="csrf_token" value="[^"]+"')
    assert token.sub(b"", unknown_user.get_data()) == token.sub(b"", wrong_password.get_data())


def test_usernames_are_not_case_or_space_sensitive(app, web, alice):
    assert sign_in(web, "  Alice ").status_code == 302


# --- lockout --------------------------------------------------------------------------------------


def fail(web, username: str, times: int, clock=None, step: timedelta | None = None) -> None:
    for _ in range(times):
        assert sign_in(web, username, WRONG).status_code == 401
        if clock is not None and step is not None:
            clock.now += step


def test_five_failures_in_15_minutes_lock_the_account(app, web, clock, alice):
    fail(web, alice, 4, clock, timedelta(minutes=3))
    assert user_row(app, alice).locked_at is None
    fail(web, alice, 1)
    assert user_row(app, alice).locked_at == clock.now
    # The sixth try, with the right password, is refused with the same generic answer.
    response = sign_in(web, alice)
    assert response.status_code == 401
    assert GENERIC in response.get_data(as_text=True)
    assert staff_cookie(web) is None
    lockout = one(app, select(AuditEvent).where(AuditEvent.event == "lockout"))
    assert lockout.username == "alice"
    assert lockout.object == "user alice"
    assert lockout.source == "127.0.0.1"
    assert lockout.outcome == "success"
    refused = audit_rows(app, "login")[-1]
    assert (refused.outcome, refused.detail) == ("failure", "locked")


def test_a_locked_account_stays_locked_without_a_cool_down(app, web, clock, alice):
    fail(web, alice, 5)
    clock.now += timedelta(days=3)
    assert sign_in(web, alice).status_code == 401


def test_failures_spread_over_more_than_15_minutes_do_not_lock(app, web, clock, alice):
    # At 0, 4, 8, 12 and 16 minutes: never 5 inside one 15-minute window.
    fail(web, alice, 5, clock, timedelta(minutes=4))
    assert user_row(app, alice).locked_at is None
    assert audit_rows(app, "lockout") == []
    assert sign_in(web, alice).status_code == 302


def test_a_successful_login_starts_the_count_again(app, web, clock, alice):
    fail(web, alice, 4)
    assert sign_in(web, alice).status_code == 302
    fail(web, alice, 4)
    assert user_row(app, alice).locked_at is None


def test_failures_for_an_unknown_user_lock_nothing_and_are_audited(app, web):
    fail(web, "nobody", 6)
    assert audit_rows(app, "lockout") == []
    failures = audit_rows(app, "login")
    # What was typed as an unknown username is not kept: it may be a misplaced password.
    assert [(row.username, row.outcome, row.detail) for row in failures] == [
        (None, "failure", "unknown user")
    ] * 6


def test_usernames_are_plain_ascii(app, session, clock):
    import pytest

    from ivr.staff.accounts import AccountError, add_user

    with pytest.raises(AccountError, match="usernames are"):
        add_user(session, "\u0430dmin", "a" * 12, "admin", now=clock.now, by=None)


def test_an_admin_unlocks_with_the_function(app, web, session, clock, alice):
    add_user(app, "bob")
    fail(web, "bob", 5)
    accounts.unlock_user(session, "bob", now=clock.now, by="alice")
    session.commit()
    assert user_row(app, "bob").locked_at is None
    unlocked = one(app, select(AuditEvent).where(AuditEvent.event == "account_unlocked"))
    assert (unlocked.username, unlocked.object) == ("alice", "user bob")
    # The failures before the unlock no longer count: one more does not lock again...
    clock.now += timedelta(minutes=1)
    fail(web, "bob", 1)
    assert user_row(app, "bob").locked_at is None
    assert sign_in(web, "bob").status_code == 302
    # ...and the count starts again: five new failures lock again.
    clock.now += timedelta(minutes=1)
    fail(web, "bob", 4)
    assert user_row(app, "bob").locked_at is None
    fail(web, "bob", 1)
    assert user_row(app, "bob").locked_at == clock.now
    assert len(audit_rows(app, "lockout")) == 2


# --- enabling, roles and password resets ---------------------------------------------------------


def test_enabling_a_disabled_user_lets_them_sign_in_again(app, web, session, clock, alice):
    add_user(app, "bob")
    assert sign_in(web, "bob").status_code == 302
    accounts.disable_user(session, "bob", now=clock.now, by="alice")
    session.commit()
    clock.now += timedelta(minutes=1)
    enabled = accounts.enable_user(session, " BOB ", now=clock.now, by="alice", source="10.0.0.9")
    session.commit()
    assert enabled.username == "bob"
    assert user_row(app, "bob").disabled is False
    row = one(app, select(AuditEvent).where(AuditEvent.event == "account_enabled"))
    assert (row.username, row.source, row.object, row.outcome, row.detail, row.at) == (
        "alice",
        "10.0.0.9",
        "user bob",
        "success",
        None,
        clock.now,
    )
    # The sessions the disable ended stay ended: enabling is not signing in.
    login_redirect(web.get("/staff/"))
    assert sign_in(web, "bob").status_code == 302


def test_only_a_disabled_user_can_be_enabled(app, session, clock, alice):
    with pytest.raises(accounts.AccountError, match="user 'alice' is not disabled"):
        accounts.enable_user(session, "alice", now=clock.now, by="alice")
    with pytest.raises(accounts.AccountError, match="no user 'nobody'"):
        accounts.enable_user(session, "nobody", now=clock.now, by="alice")
    assert audit_rows(app, "account_enabled") == []


def test_a_role_change_is_audited_and_applies_at_the_next_request(app, web, session, clock, alice):
    add_user(app, "bob", "admin")
    assert sign_in(web, "bob").status_code == 302
    assert web.get(ADMIN_PAGE).status_code == 200
    changed = accounts.change_role(session, "bob", "reviewer", now=clock.now, by="alice")
    session.commit()
    assert changed.role == "reviewer"
    # The session lives on with the lesser role, checked on the server at every request.
    assert web.get(ADMIN_PAGE).status_code == 403
    assert web.get("/staff/").status_code == 200
    row = one(app, select(AuditEvent).where(AuditEvent.event == "account_role_changed"))
    assert (row.username, row.object, row.outcome, row.detail) == (
        "alice",
        "user bob",
        "success",
        "admin to reviewer",
    )


@pytest.mark.parametrize(
    ("username", "role", "message"),
    [
        ("bob", "root", "the role must be one of reviewer, supervisor, admin"),
        ("bob", "reviewer", "user 'bob' is already reviewer"),
        ("nobody", "admin", "no user 'nobody'"),
    ],
)
def test_a_role_change_that_cannot_be_done_changes_nothing(
    app, session, clock, alice, username, role, message
):
    add_user(app, "bob")
    with pytest.raises(accounts.AccountError, match=re.escape(message)):
        accounts.change_role(session, username, role, now=clock.now, by="alice")
    assert user_row(app, "bob").role == "reviewer"
    assert audit_rows(app, "account_role_changed") == []


def test_the_last_enabled_admin_cannot_be_demoted_or_disabled(app, session, clock, alice):
    add_user(app, "bob", "admin")
    accounts.disable_user(session, "bob", now=clock.now, by="alice")
    session.commit()
    # A disabled admin cannot manage accounts, so bob does not count.
    for attempt in (
        lambda: accounts.change_role(session, "alice", "supervisor", now=clock.now, by="cli"),
        lambda: accounts.disable_user(session, "alice", now=clock.now, by="cli"),
    ):
        with pytest.raises(accounts.AccountError, match="alice is the last enabled admin"):
            attempt()
        session.rollback()
    assert (user_row(app, "alice").role, user_row(app, "alice").disabled) == ("admin", False)
    # With another enabled admin, either may go.
    accounts.enable_user(session, "bob", now=clock.now, by="cli")
    accounts.change_role(session, "alice", "supervisor", now=clock.now, by="cli")
    session.commit()
    assert user_row(app, "alice").role == "supervisor"
    with pytest.raises(accounts.AccountError, match="bob is the last enabled admin"):
        accounts.disable_user(session, "bob", now=clock.now, by="cli")
    session.rollback()
    # Other accounts are never held back by the rule.
    accounts.disable_user(session, "alice", now=clock.now, by="cli")
    session.commit()
    assert user_row(app, "alice").disabled is True


def test_a_password_reset_ends_the_sessions_and_only_the_new_password_works(
    app, web, session, clock, alice
):
    add_user(app, "bob")
    assert sign_in(web, "bob").status_code == 302
    other = app.test_client()
    assert sign_in(other, "bob").status_code == 302
    new_password = "a brand new passphrase"
    clock.now += timedelta(minutes=5)
    ended = accounts.reset_password(session, "bob", new_password, now=clock.now, by="alice")
    session.commit()
    assert ended == 2
    bob = user_row(app, "bob")
    assert bob.password_hash.startswith("$argon2id$")
    assert bob.password_changed_at == clock.now
    sessions = rows(app, select(StaffSession).join(StaffUser).where(StaffUser.username == "bob"))
    assert [(s.ended_at, s.end_reason) for s in sessions] == [(clock.now, "password_reset")] * 2
    # Each browser is told why it was signed out.
    assert login_redirect(web.get("/staff/"))["why"] == ["password_reset"]
    notice = web.get("/staff/login?why=password_reset").get_data(as_text=True)
    assert "An administrator reset your password." in notice
    assert sign_in(other, "bob").status_code == 401
    assert sign_in(other, "bob", new_password).status_code == 302
    row = one(app, select(AuditEvent).where(AuditEvent.event == "account_password_reset"))
    assert (row.username, row.object, row.outcome, row.detail) == (
        "alice",
        "user bob",
        "success",
        "2 sessions ended",
    )
    for row in audit_rows(app):
        assert new_password not in str(row.detail) and "$argon2" not in str(row.detail)


def test_a_password_reset_keeps_other_users_sessions(app, web, session, clock, alice):
    add_user(app, "bob")
    assert sign_in(web, alice).status_code == 302
    accounts.reset_password(session, "bob", "a brand new passphrase", now=clock.now, by="alice")
    session.commit()
    assert web.get(ADMIN_PAGE).status_code == 200


def test_a_short_password_reset_is_refused_and_changes_nothing(app, web, session, clock, alice):
    add_user(app, "bob")
    assert sign_in(web, "bob").status_code == 302
    before = user_row(app, "bob").password_hash
    with pytest.raises(accounts.AccountError, match="at least 12 characters"):
        accounts.reset_password(session, "bob", "elevenchars", now=clock.now, by="alice")
    session.rollback()
    assert user_row(app, "bob").password_hash == before
    assert web.get("/staff/").status_code == 200
    assert audit_rows(app, "account_password_reset") == []


def test_a_password_reset_does_not_lift_a_lockout(app, web, session, clock, alice):
    add_user(app, "bob")
    fail(web, "bob", 5)
    new_password = "a brand new passphrase"
    accounts.reset_password(session, "bob", new_password, now=clock.now, by="alice")
    session.commit()
    assert sign_in(web, "bob", new_password).status_code == 401
    accounts.unlock_user(session, "bob", now=clock.now, by="alice")
    session.commit()
    assert sign_in(web, "bob", new_password).status_code == 302


def cli_env(app) -> dict[str, str]:
    return {
        "TRU_ENV": "test",
        "TRU_DATABASE_URL": app.config["DATABASE_URL"],
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TRU_SECRET_KEY": "test-secret-key",
    }


def test_the_cli_adds_and_unlocks_accounts(app, web):
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["staff", "add", "alice", "--role", "reviewer", "--password-stdin"],
        input=PASSWORD + "\n",
        env=cli_env(app),
    )
    assert added.exit_code == 0, added.output
    assert added.output == "added alice (reviewer)\n"
    assert user_row(app, "alice").password_hash.startswith("$argon2id$")
    added_row = one(app, select(AuditEvent).where(AuditEvent.event == "account_added"))
    assert (added_row.username, added_row.object, added_row.detail) == (
        "cli",
        "user alice",
        "reviewer",
    )

    fail(web, "alice", 5)
    assert user_row(app, "alice").locked_at is not None
    unlocked = runner.invoke(cli, ["staff", "unlock", "alice"], env=cli_env(app))
    assert unlocked.exit_code == 0, unlocked.output
    assert unlocked.output == "unlocked alice\n"
    assert user_row(app, "alice").locked_at is None
    assert sign_in(web, "alice").status_code == 302


def test_the_cli_refuses_a_short_password_and_an_unknown_user(app):
    runner = CliRunner()
    short = runner.invoke(
        cli,
        ["staff", "add", "bob", "--role", "admin", "--password-stdin"],
        input="short\n",
        env=cli_env(app),
    )
    assert short.exit_code == 1
    assert "the password must be at least 12 characters" in short.output
    assert rows(app, select(StaffUser)) == []
    unknown = runner.invoke(cli, ["staff", "unlock", "nobody"], env=cli_env(app))
    assert unknown.exit_code == 1
    assert "no user 'nobody'" in unknown.output


def test_the_cli_disables_an_account_and_ends_its_sessions(app, web):
    add_user(app, "alice", "admin")
    add_user(app, "bob")
    assert sign_in(web, "bob").status_code == 302
    result = CliRunner().invoke(cli, ["staff", "disable", "bob"], env=cli_env(app))
    assert result.exit_code == 0, result.output
    assert result.output == "disabled bob\n"
    assert user_row(app, "bob").disabled is True
    assert one(app, select(StaffSession)).end_reason == "disabled"
    assert login_redirect(web.get("/staff/"))["why"] == ["disabled"]
    disabled = one(app, select(AuditEvent).where(AuditEvent.event == "account_disabled"))
    assert (disabled.username, disabled.object, disabled.outcome) == ("cli", "user bob", "success")
    assert sign_in(web, "bob").status_code == 401


def test_the_cli_will_not_disable_the_last_enabled_admin(app):
    add_user(app, "alice", "admin")
    result = CliRunner().invoke(cli, ["staff", "disable", "alice"], env=cli_env(app))
    assert result.exit_code == 1
    assert "alice is the last enabled admin" in result.output
    assert user_row(app, "alice").disabled is False
    assert audit_rows(app, "account_disabled") == []


def test_the_cli_asks_for_the_password_twice_without_echoing_it(app, web):
    result = CliRunner().invoke(
        cli,
        ["staff", "add", "alice", "--role", "supervisor"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
        env=cli_env(app),
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Password: \nRepeat for confirmation: \nadded alice (supervisor)\n"
    assert user_row(app, "alice").role == "supervisor"
    assert sign_in(web, "alice").status_code == 302


def test_the_cli_asks_again_when_the_two_passwords_differ(app):
    result = CliRunner().invoke(
        cli,
        ["staff", "add", "alice", "--role", "reviewer"],
        input=f"{PASSWORD}\n{WRONG}\n{PASSWORD}\n{PASSWORD}\n",
        env=cli_env(app),
    )
    assert result.exit_code == 0, result.output
    assert "The two entered values do not match." in result.output
    assert PASSWORD not in result.output and WRONG not in result.output
    # The account has the password that was typed twice alike.
    with app.extensions["tru.db"]() as session:
        now = app.extensions["tru.clock"]()
        assert accounts.log_in(session, "alice", PASSWORD, now=now, source=None).token


def test_the_cli_prompts_through_getpass_on_a_terminal(app, monkeypatch, capsys):
    # Without the test runner, whose stand-in replaces the terminal prompt: this is the path a
    # person at the server takes, where getpass reads without echo.
    import getpass

    for name, value in cli_env(app).items():
        monkeypatch.setenv(name, value)
    asked = []
    typed = iter(["too short", "too short", PASSWORD, PASSWORD])

    def fake_getpass(prompt: str = "Password: ", stream=None) -> str:
        asked.append(prompt)
        return next(typed)

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    with pytest.raises(click.ClickException, match="at least 12 characters"):
        cli.main(["staff", "add", "alice", "--role", "reviewer"], standalone_mode=False)
    assert rows(app, select(StaffUser)) == []
    cli.main(["staff", "add", "alice", "--role", "reviewer"], standalone_mode=False)
    assert asked == ["Password: ", "Repeat for confirmation: "] * 2
    assert user_row(app, "alice").role == "reviewer"
    out = capsys.readouterr().out
    assert out == "added alice (reviewer)\n"


def test_the_cli_enables_an_account(app, web, session, clock):
    add_user(app, "alice", "admin")
    add_user(app, "bob")
    accounts.disable_user(session, "bob", now=clock.now, by="alice")
    session.commit()
    result = CliRunner().invoke(cli, ["staff", "enable", "Bob"], env=cli_env(app))
    assert result.exit_code == 0, result.output
    assert result.output == "enabled bob\n"
    assert user_row(app, "bob").disabled is False
    enabled = one(app, select(AuditEvent).where(AuditEvent.event == "account_enabled"))
    assert (enabled.username, enabled.object, enabled.outcome) == ("cli", "user bob", "success")
    assert sign_in(web, "bob").status_code == 302
    again = CliRunner().invoke(cli, ["staff", "enable", "bob"], env=cli_env(app))
    assert again.exit_code == 1
    assert "user 'bob' is not disabled" in again.output


def test_the_cli_changes_a_role(app):
    add_user(app, "alice", "admin")
    add_user(app, "bob")
    runner = CliRunner()
    result = runner.invoke(cli, ["staff", "role", "bob", "--role", "admin"], env=cli_env(app))
    assert result.exit_code == 0, result.output
    assert result.output == "bob is now admin\n"
    assert user_row(app, "bob").role == "admin"
    changed = one(app, select(AuditEvent).where(AuditEvent.event == "account_role_changed"))
    assert (changed.username, changed.object, changed.detail) == (
        "cli",
        "user bob",
        "reviewer to admin",
    )
    bad = runner.invoke(cli, ["staff", "role", "bob", "--role", "root"], env=cli_env(app))
    assert bad.exit_code == 2
    assert user_row(app, "bob").role == "admin"


def test_the_cli_resets_a_password_and_ends_the_sessions(app, web):
    add_user(app, "bob")
    assert sign_in(web, "bob").status_code == 302
    new_password = "a brand new passphrase"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["staff", "password", "bob", "--password-stdin"],
        input=new_password + "\n",
        env=cli_env(app),
    )
    assert result.exit_code == 0, result.output
    assert result.output == "reset the password of bob; 1 sessions ended\n"
    assert login_redirect(web.get("/staff/"))["why"] == ["password_reset"]
    assert sign_in(web, "bob").status_code == 401
    assert sign_in(web, "bob", new_password).status_code == 302
    reset = one(app, select(AuditEvent).where(AuditEvent.event == "account_password_reset"))
    assert (reset.username, reset.object, reset.detail) == ("cli", "user bob", "1 sessions ended")
    prompted = runner.invoke(
        cli,
        ["staff", "password", "bob"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
        env=cli_env(app),
    )
    assert prompted.exit_code == 0, prompted.output
    assert PASSWORD not in prompted.output
    assert sign_in(web, "bob").status_code == 302
    short = runner.invoke(
        cli, ["staff", "password", "bob", "--password-stdin"], input="short\n", env=cli_env(app)
    )
    assert short.exit_code == 1
    assert "the password must be at least 12 characters" in short.output
    assert len(audit_rows(app, "account_password_reset")) == 2


def test_a_configured_cool_down_unlocks_by_itself(app, make_app, clock):
    cooled = make_app(LOCKOUT_COOLDOWN_MINUTES=30, WTF_CSRF_ENABLED=False)
    web = cooled.test_client()
    add_user(cooled, "alice")
    fail(web, "alice", 5)
    locked_at = clock.now
    clock.now = locked_at + timedelta(minutes=29)
    assert sign_in(web, "alice").status_code == 401
    clock.now = locked_at + timedelta(minutes=30)
    assert sign_in(web, "alice").status_code == 302
    assert user_row(cooled, "alice").locked_at is None


def test_after_a_cool_down_one_wrong_password_does_not_lock_again_and_five_do(app, make_app, clock):
    cooled = make_app(LOCKOUT_COOLDOWN_MINUTES=30, WTF_CSRF_ENABLED=False)
    web = cooled.test_client()
    add_user(cooled, "alice")
    fail(web, "alice", 5, clock, timedelta(minutes=1))
    locked_at = clock.now - timedelta(minutes=1)
    assert user_row(cooled, "alice").locked_at == locked_at
    # The first try after the cool-down is a wrong password: the cool-down's unlock comes first,
    # and the five failures before it no longer count, though they are inside 15 minutes of it.
    clock.now = locked_at + timedelta(minutes=30)
    fail(web, "alice", 1)
    assert user_row(cooled, "alice").locked_at is None
    cooled_unlock = one(cooled, select(AuditEvent).where(AuditEvent.event == "account_unlocked"))
    assert (cooled_unlock.username, cooled_unlock.detail) == (None, "cool-down")
    fail(web, "alice", 3, clock, timedelta(minutes=1))
    assert user_row(cooled, "alice").locked_at is None
    # The fifth failure since the cool-down locks again.
    fail(web, "alice", 1)
    assert user_row(cooled, "alice").locked_at == clock.now
    assert len(audit_rows(cooled, "lockout")) == 2
    assert sign_in(web, "alice").status_code == 401


# --- idle and absolute limits ---------------------------------------------------------------------


def test_29_idle_minutes_keep_the_session(app, web, clock, alice):
    sign_in(web, alice)
    clock.now += timedelta(minutes=29)
    assert web.get(ADMIN_PAGE).status_code == 200
    assert audit_rows(app, "session_expired") == []


def test_30_idle_minutes_end_the_session(app, web, clock, alice):
    sign_in(web, alice)
    clock.now += timedelta(minutes=30)
    query = login_redirect(web.get(ADMIN_PAGE))
    assert query["why"] == ["idle"]
    assert query["next"] == [ADMIN_PAGE]
    assert IDLE_NOTICE in web.get("/staff/login?why=idle").get_data(as_text=True)
    expired = one(app, select(AuditEvent).where(AuditEvent.event == "session_expired"))
    assert (expired.username, expired.detail) == ("alice", "idle")
    assert one(app, select(StaffSession)).end_reason == "idle"
    # Ended for good: coming back sooner does not revive it.
    clock.now -= timedelta(minutes=20)
    login_redirect(web.get(ADMIN_PAGE))


def test_activity_keeps_the_session_alive(app, web, clock, alice):
    sign_in(web, alice)
    for _ in range(4):
        clock.now += timedelta(minutes=25)
        assert web.get(ADMIN_PAGE).status_code == 200


def test_every_signed_in_request_counts_as_activity(app, web, clock, alice):
    sign_in(web, alice)
    clock.now += timedelta(minutes=20)
    assert web.get("/staff/login", query_string={"next": ADMIN_PAGE}).status_code == 302
    clock.now += timedelta(minutes=25)
    assert web.get(ADMIN_PAGE).status_code == 200


def test_an_expired_session_is_audited_with_the_source(app, web, clock, alice):
    sign_in(web, alice)
    clock.now += timedelta(minutes=30)
    web.get(ADMIN_PAGE)
    assert one(app, select(AuditEvent).where(AuditEvent.event == "session_expired")).source == (
        "127.0.0.1"
    )


def test_12_hours_end_the_session_even_with_activity(app, web, clock, alice):
    started = clock.now
    sign_in(web, alice)
    while clock.now < started + timedelta(hours=12) - timedelta(minutes=20):
        clock.now += timedelta(minutes=20)
        assert web.get(ADMIN_PAGE).status_code == 200
    clock.now = started + timedelta(hours=12)
    assert login_redirect(web.get(ADMIN_PAGE))["why"] == ["expired"]
    assert EXPIRED_NOTICE in web.get("/staff/login?why=expired").get_data(as_text=True)
    expired = one(app, select(AuditEvent).where(AuditEvent.event == "session_expired"))
    assert (expired.username, expired.detail) == ("alice", "expired")


def test_disabling_a_user_ends_their_sessions(app, web, session, clock, alice):
    add_user(app, "bob", "admin")
    sign_in(web, "bob")
    assert web.get(ADMIN_PAGE).status_code == 200
    accounts.disable_user(session, "bob", now=clock.now, by="alice")
    session.commit()
    login_redirect(web.get(ADMIN_PAGE))
    assert one(app, select(StaffSession)).end_reason == "disabled"
    disabled = one(app, select(AuditEvent).where(AuditEvent.event == "account_disabled"))
    assert (disabled.username, disabled.object) == ("alice", "user bob")
    # And a disabled user cannot sign in again.
    response = sign_in(web, "bob")
    assert response.status_code == 401
    assert GENERIC in response.get_data(as_text=True)
    assert audit_rows(app, "login")[-1].detail == "disabled"


def test_a_user_disabled_by_an_admin_is_told_why(app, web, session, clock, alice):
    add_user(app, "bob", "admin")
    sign_in(web, "bob")
    accounts.disable_user(session, "bob", now=clock.now, by="alice")
    session.commit()
    assert login_redirect(web.get(ADMIN_PAGE))["why"] == ["disabled"]


def test_a_session_of_a_user_disabled_in_the_database_ends_too(app, web, alice):
    sign_in(web, alice)
    with app.extensions["tru.db"]() as session:
        session.get(StaffUser, user_row(app, alice).id).disabled = True
        session.commit()
    assert login_redirect(web.get(ADMIN_PAGE))["why"] == ["disabled"]
    assert one(app, select(StaffSession)).end_reason == "disabled"


# --- CSRF and methods -----------------------------------------------------------------------------


def test_login_with_the_form_token_works(app, client, alice):
    token = csrf_token_of(client.get("/staff/login").get_data())
    response = client.post(
        "/staff/login", data={"username": alice, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert staff_cookie(client) is not None


def test_login_without_a_csrf_token_is_refused_and_changes_nothing(app, client, alice):
    response = client.post("/staff/login", data={"username": alice, "password": PASSWORD})
    assert response.status_code == 400
    assert staff_cookie(client) is None
    assert rows(app, select(StaffSession)) == []
    assert rows(app, select(LoginAttempt)) == []
    assert audit_rows(app, "login") == []
    refused = one(app, select(AuditEvent).where(AuditEvent.event == "access_refused"))
    assert (refused.object, refused.outcome, refused.detail) == ("/staff/login", "refused", "csrf")


def signed_in_with_csrf(client, username: str) -> str:
    """Sign in through the real form (CSRF on); the token a signed-in page gives its forms."""
    token = csrf_token_of(client.get("/staff/login").get_data())
    response = client.post(
        "/staff/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return csrf_token_of(client.get(ADMIN_PAGE).get_data())


def test_signing_in_issues_a_new_csrf_token(app, client, alice):
    before = csrf_token_of(client.get("/staff/login").get_data())
    after = signed_in_with_csrf(client, alice)
    assert after != before
    # The token from before the sign-in no longer works...
    assert client.post("/staff/logout", data={"csrf_token": before}).status_code == 400
    assert one(app, select(StaffSession)).ended_at is None
    refused = one(app, select(AuditEvent).where(AuditEvent.event == "access_refused"))
    assert (refused.username, refused.detail) == ("alice", "csrf")
    # ...the new one does.
    assert client.post("/staff/logout", data={"csrf_token": after}).status_code == 302


def test_a_token_from_before_a_sign_out_is_refused_to_the_next_person(app, client, alice):
    add_user(app, "bob", "admin")
    alices = signed_in_with_csrf(client, alice)
    assert client.post("/staff/logout", data={"csrf_token": alices}).status_code == 302
    # Bob at the same browser: alice's token is refused, even for the sign-in form.
    response = client.post(
        "/staff/login", data={"username": "bob", "password": PASSWORD, "csrf_token": alices}
    )
    assert response.status_code == 400
    assert staff_cookie(client) is None
    assert audit_rows(app, "login")[-1].username == "alice"
    # Once bob signs in with his own login page's token, alice's is refused on his pages too.
    bobs = signed_in_with_csrf(client, "bob")
    assert bobs != alices
    form = {"username": alice, "csrf_token": alices}
    assert client.post("/staff/accounts/disable", data=form).status_code == 400
    assert user_row(app, alice).disabled is False
    assert client.post("/staff/logout", data={"csrf_token": alices}).status_code == 400
    assert rows(app, select(StaffSession).where(StaffSession.ended_at.is_(None)))
    form["csrf_token"] = bobs
    assert client.post("/staff/accounts/disable", data=form).status_code == 303
    assert user_row(app, alice).disabled is True


def test_a_token_from_another_browser_is_refused(app, client, alice):
    add_user(app, "bob", "admin")
    alices = signed_in_with_csrf(app.test_client(), alice)
    signed_in_with_csrf(client, "bob")
    assert client.post("/staff/logout", data={"csrf_token": alices}).status_code == 400


def test_logout_without_a_csrf_token_is_refused_and_the_session_lives(app, client, alice):
    token = signed_in_with_csrf(client, alice)
    response = client.post("/staff/logout")
    assert response.status_code == 400
    assert one(app, select(StaffSession)).ended_at is None
    assert audit_rows(app, "logout") == []
    assert client.get(ADMIN_PAGE).status_code == 200
    # With the token it works.
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302
    assert one(app, select(StaffSession)).end_reason == "logout"


def test_a_wrong_csrf_token_is_refused(app, client, alice):
    signed_in_with_csrf(client, alice)
    response = client.post("/staff/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert one(app, select(StaffSession)).ended_at is None


def test_a_csrf_refusal_names_the_signed_in_user(app, client, alice):
    signed_in_with_csrf(client, alice)
    assert client.post("/staff/logout").status_code == 400
    refused = one(app, select(AuditEvent).where(AuditEvent.event == "access_refused"))
    assert refused.username == "alice"


def test_get_on_logout_is_not_allowed_and_changes_nothing(app, web, alice):
    sign_in(web, alice)
    assert web.get("/staff/logout").status_code == 405
    assert one(app, select(StaffSession)).ended_at is None
    assert web.get(ADMIN_PAGE).status_code == 200


def test_get_on_login_never_signs_in(app, web, alice):
    response = web.get(f"/staff/login?username={alice}&password={PASSWORD.replace(' ', '+')}")
    assert response.status_code == 200
    assert staff_cookie(web) is None
    assert rows(app, select(StaffSession)) == []
    assert rows(app, select(LoginAttempt)) == []


# --- headers, banner, redirects -------------------------------------------------------------------


def assert_security_headers(response, *, https: bool) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    if https:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    else:
        assert "Strict-Transport-Security" not in response.headers


def test_staff_pages_carry_the_security_headers(app, web, alice):
    assert_security_headers(web.get("/staff/login"), https=False)
    assert_security_headers(web.get(ADMIN_PAGE), https=False)  # the redirect to sign in
    assert_security_headers(sign_in(web, alice, WRONG), https=False)
    assert_security_headers(sign_in(web, alice), https=False)
    assert_security_headers(web.get(ADMIN_PAGE), https=False)
    assert_security_headers(web.get("/staff/no-such-page"), https=False)


def test_hsts_only_under_https(app, web, alice):
    https = "https://tru.example.test"
    assert_security_headers(web.get("/staff/login", base_url=https), https=True)
    assert_security_headers(web.get("/staff/login"), https=False)


def test_the_login_page_shows_the_use_banner(app, web):
    page = web.get("/staff/login").get_data(as_text=True)
    assert BANNER in page
    assert "All activity is logged and monitored" in page
    assert "<script" not in page
    assert "style=" not in page


def test_the_session_cookie_is_httponly(app, client):
    _, attributes = set_cookie_attributes(client.get("/staff/login"), "session")
    assert "httponly" in attributes


def test_the_session_cookie_is_samesite_strict(app, client):
    _, attributes = set_cookie_attributes(client.get("/staff/login"), "session")
    assert attributes["samesite"] == "Strict"


def test_every_cookie_is_secure_under_https(app, make_app):
    plain = make_app(COOKIE_SECURE=False)
    response = plain.test_client().get("/staff/login", base_url="https://tru.example.test")
    _, attributes = set_cookie_attributes(response, "session")
    assert "secure" in attributes


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/staff",
        "//evil.example/staff",
        "/\\evil.example",
        "\\\\evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "/voice",
        "",
    ],
)
def test_next_cannot_send_the_browser_elsewhere(app, web, alice, target):
    response = sign_in(web, alice, next=target)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc) == ("", "")
    assert location.path.startswith("/staff")
    assert not location.path.startswith("//")
    # Signed in already, the login page's redirect is held to the same rule.
    again = urlsplit(web.get("/staff/login", query_string={"next": target}).headers["Location"])
    assert (again.scheme, again.netloc) == ("", "")
    assert again.path.startswith("/staff")


def test_next_returns_to_the_staff_page_asked_for(app, web, alice):
    response = sign_in(web, alice, next=ADMIN_PAGE)
    assert response.headers["Location"] == ADMIN_PAGE


# --- the audit trail ------------------------------------------------------------------------------


def test_login_audit_rows_have_source_and_no_password(app, web, clock, alice):
    sign_in(web, alice, WRONG)
    sign_in(web, alice)
    failure, success = audit_rows(app, "login")
    assert (failure.username, failure.source, failure.outcome, failure.detail) == (
        "alice",
        "127.0.0.1",
        "failure",
        "wrong password",
    )
    assert (success.username, success.source, success.outcome) == ("alice", "127.0.0.1", "success")
    for row in (failure, success):
        assert row.at == clock.now
        assert row.at.utcoffset() == timedelta(0)
    for row in audit_rows(app):
        for column in ("username", "source", "event", "object", "outcome", "detail"):
            value = getattr(row, column) or ""
            assert PASSWORD not in value
            assert WRONG not in value
    attempts = rows(app, select(LoginAttempt).order_by(LoginAttempt.id))
    assert [(a.username, a.succeeded, a.source) for a in attempts] == [
        ("alice", False, "127.0.0.1"),
        ("alice", True, "127.0.0.1"),
    ]


def test_the_source_is_the_forwarded_client_behind_a_trusted_proxy(app, make_app):
    proxied = make_app(PROXY_HOPS=1, WTF_CSRF_ENABLED=False)
    add_user(proxied, "alice")
    proxied.test_client().post(
        "/staff/login",
        data={"username": "alice", "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    assert audit_rows(proxied, "login")[0].source == "203.0.113.7"


def test_a_spoofed_forwarded_for_is_ignored_without_a_proxy(app, web, alice):
    web.post(
        "/staff/login",
        data={"username": alice, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    assert audit_rows(app, "login")[0].source == "127.0.0.1"


def _insert_audit_row(app, clock) -> int:
    with app.extensions["tru.db"]() as session:
        from ivr.staff import audit

        row = audit.record(session, "login", now=clock.now, username="alice", source="10.0.0.1")
        session.commit()
        return row.id


def assert_append_only(engine, row_id: int) -> None:
    statements = [
        "UPDATE audit_events SET outcome = 'failure', username = 'someone' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
        "DELETE FROM audit_events",
    ]
    if engine.dialect.name == "postgresql":
        # TRUNCATE fires no row trigger; a statement trigger refuses it (SQLite has none).
        statements += ["TRUNCATE audit_events", "TRUNCATE audit_events RESTART IDENTITY CASCADE"]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement), {"id": row_id})
    with engine.connect() as connection:
        kept = connection.execute(
            text("SELECT username, outcome FROM audit_events WHERE id = :id"), {"id": row_id}
        ).one()
        assert tuple(kept) == ("alice", "success")


def test_the_app_cannot_update_or_delete_audit_rows(app, clock):
    """Through the app's own engine, on whichever database the suite runs on."""
    row_id = _insert_audit_row(app, clock)
    assert_append_only(db.engine_of(app), row_id)


def test_the_orm_cannot_change_an_audit_row_either(app, clock):
    row_id = _insert_audit_row(app, clock)
    with app.extensions["tru.db"]() as session:
        session.get(AuditEvent, row_id).outcome = "failure"
        with pytest.raises(DBAPIError, match="append-only"):
            session.commit()
    with app.extensions["tru.db"]() as session:
        session.delete(session.get(AuditEvent, row_id))
        with pytest.raises(DBAPIError, match="append-only"):
            session.commit()
    assert one(app, select(AuditEvent)).outcome == "success"


def test_sqlite_migrations_make_the_audit_trail_append_only(app, make_app, clock, tmp_path):
    """SQLite whatever database the suite runs on (the test above covers PostgreSQL when
    TRU_TEST_DATABASE_URL points the suite at it, as CI does)."""
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    db.upgrade(url)
    other = make_app(url)
    row_id = _insert_audit_row(other, clock)
    assert_append_only(db.engine_of(other), row_id)


def test_the_suites_cleanup_empties_the_trail_and_leaves_it_append_only(app, clock):
    """tests/conftest.py steps round the triggers to empty the tables between tests; they are
    on again afterwards."""
    from tests.conftest import empty_database

    engine = db.engine_of(app)
    _insert_audit_row(app, clock)
    empty_database(engine)
    assert rows(app, select(AuditEvent)) == []
    assert_append_only(engine, _insert_audit_row(app, clock))


def test_the_audit_triggers_exist_in_the_test_database(app):
    engine = db.engine_of(app)
    dialect = engine.dialect.name
    assert dialect in TRIGGERS
    with engine.connect() as connection:
        if dialect == "sqlite":
            names = connection.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).all()
            assert {"audit_events_no_update", "audit_events_no_delete"} <= set(names)
        else:
            names = connection.scalars(
                text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass")
            ).all()
            assert {"audit_events_no_change", "audit_events_no_truncate"} <= set(names)
            # Enabled (the suite's cleanup disables the TRUNCATE one only inside its own
            # transaction).
            states = dict(
                connection.execute(
                    text(
                        "SELECT tgname, tgenabled FROM pg_trigger "
                        "WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal"
                    )
                ).all()
            )
            assert states["audit_events_no_change"] == "O"
            assert states["audit_events_no_truncate"] == "O"


def test_every_audit_row_time_is_utc(app, web, clock, alice):
    sign_in(web, alice)
    web.post("/staff/logout")
    times = [row.at for row in audit_rows(app)]
    assert times
    assert all(at.utcoffset() == timedelta(0) and at == clock.now for at in times)
    with app.extensions["tru.db"]() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == len(times)
