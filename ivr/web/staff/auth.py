"""Sign in and out."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, g, redirect, render_template, request, session, url_for

from ivr import db
from ivr.staff import accounts
from ivr.web.staff import COOKIE, bp, now, set_session_cookie, source

EXPIRED = {
    "idle": "You were signed out after 30 minutes without activity.",
    "expired": "Your session reached its 12-hour limit. Please sign in again.",
    "disabled": "This account has been disabled.",
    "password_reset": "An administrator reset your password. Sign in with the new one.",
}


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the login form cannot be used to redirect elsewhere."""
    if target and target.startswith("/staff") and not urlsplit(target).netloc:
        return target
    return url_for("staff.queue")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if g.get("staff_session") is not None:
            return redirect(_safe_next(request.args.get("next")))
        notice = EXPIRED.get(request.args.get("why") or "")
        return render_template("staff/login.html", notice=notice, next=request.args.get("next"))
    minutes = current_app.config.get("LOCKOUT_COOLDOWN_MINUTES")
    database = db.session()
    result = accounts.log_in(
        database,
        request.form.get("username", ""),
        request.form.get("password", ""),
        now=now(),
        source=source(),
        cooldown=timedelta(minutes=minutes) if minutes else None,
    )
    database.commit()
    if result.token is None:
        # One message whatever went wrong: it must not tell an attacker which part was right.
        message = "Wrong username or password, or the account is locked."
        return (
            render_template(
                "staff/login.html", error=message, next=request.form.get("next"), status=401
            ),
            401,
        )
    response = redirect(_safe_next(request.form.get("next")))
    # A fresh session id at every sign-in; any old cookie is replaced.
    set_session_cookie(response, result.token)
    _new_csrf_token()
    return response


def _new_csrf_token() -> None:
    """Forget Flask's session, which holds the CSRF token's secret: a token handed out before
    this sign-in or sign-out (to someone else at this browser, or to an attacker who planted
    it) is refused from now on, and the next page gets a new one."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


@bp.post("/logout")
def logout():
    staff_session = g.get("staff_session")
    if staff_session is not None:
        accounts.log_out(db.session(), staff_session, now=now(), source=source())
        db.session().commit()
    _new_csrf_token()
    response = redirect(url_for("staff.login"))
    response.delete_cookie(COOKIE, path="/staff")
    return response
