"""Supervisor and admin pages: the audit trail (supervisors) and staff accounts (admins).

The work is in `ivr.staff.audit` and `ivr.staff.accounts`; these views read the form, call them,
commit, and say what happened. Every change is a POST with a CSRF token (Flask-WTF checks it before
the view runs) and is answered with a redirect, so a reload cannot repeat it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ivr import db
from ivr.models import StaffUser
from ivr.staff import accounts, audit
from ivr.web.staff import bp, log, now, require, source, user

#: Rows per page of the audit trail.
AUDIT_PAGE = 100


class FilterError(ValueError):
    """A filter on the audit page that cannot be read; the message is shown to the supervisor."""


def _day(raw: str, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(f"{name} must be a date like 2026-12-31") from None


FILTERS = ("event", "user", "object", "since", "until", "before_id")


def _audit_filters(shown: dict[str, str]) -> dict[str, object]:
    """The `audit.browse` arguments the audit page's filters (as typed) mean."""
    if shown["event"] and shown["event"] not in audit.EVENTS:
        raise FilterError("unknown event")
    since = _day(shown["since"], "From")
    until = _day(shown["until"], "To")
    if since and until and until < since:
        raise FilterError("the To date is before the From date")
    before_id = None
    if shown["before_id"]:
        raw = shown["before_id"]
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise FilterError("bad page position")
        before_id = int(raw)
    return {
        "event": shown["event"] or None,
        "username": shown["user"].lower() or None,
        "object_contains": shown["object"] or None,
        # Dates are UTC days, like the times shown; "To" includes its whole day.
        "since": datetime.combine(since, time(), UTC) if since else None,
        "until": datetime.combine(until + timedelta(days=1), time(), UTC) if until else None,
        "before_id": before_id,
    }


@bp.get("/audit")
@require("supervisor")
def audit_trail():
    session = db.session()
    shown = {key: (request.args.get(key) or "").strip()[:120] for key in FILTERS}
    try:
        query = _audit_filters(shown)
    except FilterError as exc:
        log("audit_viewed", outcome="failure", detail="bad filter")
        session.commit()
        return render_template(
            "staff/audit.html", rows=[], filters=shown, events=audit.EVENTS, error=str(exc)
        ), 400
    rows = audit.browse(session, limit=AUDIT_PAGE, **query)  # type: ignore[arg-type]
    # The filters used, kept for the paging links and noted (no contents) in the audit row.
    kept = {key: value for key, value in shown.items() if value and key != "before_id"}
    log("audit_viewed", detail=" ".join(f"{k}={v}" for k, v in kept.items()) or None)
    session.commit()
    older = None
    if len(rows) == AUDIT_PAGE:
        older = url_for("staff.audit_trail", before_id=rows[-1].id, **kept)
    newest = url_for("staff.audit_trail", **kept) if shown["before_id"] else None
    return render_template(
        "staff/audit.html",
        rows=rows,
        filters=shown,
        events=audit.EVENTS,
        older=older,
        newest=newest,
        error=None,
    )


@bp.get("/accounts")
@require("admin")
def accounts_page():
    session = db.session()
    users = list(session.scalars(select(StaffUser).order_by(StaffUser.username)))
    # Nothing changes here; the commit keeps the session's last-activity time.
    session.commit()
    return render_template(
        "staff/accounts.html",
        users=users,
        roles=accounts.ROLES,
        min_password=accounts.MIN_PASSWORD_LENGTH,
    )


def _account_change(action, event: str, username: str):
    """Run one account change for the signed-in admin. `ivr.staff.accounts` writes the audit row
    of a change; a refused one is audited here, with the reason shown to the admin."""
    session = db.session()
    try:
        message = action(session)
    except accounts.AccountError as exc:
        session.rollback()
        log(event, object=f"user {username}"[:120], outcome="failure", detail=str(exc))
        session.commit()
        flash(f"Not done: {exc}.", "error")
    else:
        session.commit()
        flash(message, "ok")
    return redirect(url_for("staff.accounts_page"), code=303)


@bp.post("/accounts/add")
@require("admin")
def accounts_add():
    username = request.form.get("username", "")
    role = request.form.get("role", "")

    def add(session):
        added = accounts.add_user(
            session,
            username,
            request.form.get("password", ""),
            role,
            now=now(),
            by=user().username,
            source=source(),
        )
        return f"Added {added.username} ({added.role})."

    return _account_change(add, "account_added", username.strip().lower())


def _username() -> str:
    return request.form.get("username", "").strip().lower()


@bp.post("/accounts/disable")
@require("admin")
def accounts_disable():
    username = _username()

    def disable(session):
        if username == user().username:
            raise accounts.AccountError("you cannot disable your own account")
        accounts.disable_user(session, username, now=now(), by=user().username, source=source())
        return f"Disabled {username}; their sessions have ended."

    return _account_change(disable, "account_disabled", username)


@bp.post("/accounts/unlock")
@require("admin")
def accounts_unlock():
    username = _username()

    def unlock(session):
        accounts.unlock_user(session, username, now=now(), by=user().username, source=source())
        return f"Unlocked {username}."

    return _account_change(unlock, "account_unlocked", username)


@bp.post("/accounts/enable")
@require("admin")
def accounts_enable():
    username = _username()

    def enable(session):
        accounts.enable_user(session, username, now=now(), by=user().username, source=source())
        return f"Enabled {username}."

    return _account_change(enable, "account_enabled", username)


@bp.post("/accounts/role")
@require("admin")
def accounts_role():
    username = _username()
    role = request.form.get("role", "")

    def change(session):
        # As with disabling: an admin cannot take away their own access by a slip of the mouse.
        if username == user().username:
            raise accounts.AccountError("you cannot change your own role")
        changed = accounts.change_role(
            session, username, role, now=now(), by=user().username, source=source()
        )
        return f"{changed.username} is now {changed.role}."

    return _account_change(change, "account_role_changed", username)


@bp.post("/accounts/password")
@require("admin")
def accounts_password():
    username = _username()

    def reset(session):
        # Changing one's own password should need the current one, which this form does not
        # ask for: a hijacked session must not be able to keep the account.
        if username == user().username:
            raise accounts.AccountError(
                "you cannot reset your own password here; another admin or `tru staff password` can"
            )
        accounts.reset_password(
            session,
            username,
            request.form.get("password", ""),
            now=now(),
            by=user().username,
            source=source(),
        )
        message = f"Reset the password of {username}; their sessions have ended."
        if accounts.find_user(session, username).locked_at is not None:
            message += f" {username} is still locked: unlock the account too."
        return message

    return _account_change(reset, "account_password_reset", username)
