"""The staff web UI: sign-in, guards, security headers, and the pages TRU staff work in.

Every page needs a signed-in session of the right role (checked here on the server for every
route), every state change is a POST with a CSRF token, and every response carries the security
headers. Views stay thin: the work is in `ivr.staff` and `ivr.reports`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, g, has_request_context, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue

from ivr import db
from ivr.staff import accounts, audit

View = TypeVar("View", bound=Callable[..., Any])
COOKIE = "tru_staff"

bp = Blueprint("staff", __name__, url_prefix="/staff")


def now() -> datetime:
    return current_app.extensions["tru.clock"]()


def source() -> str | None:
    """The client's address as the trusted proxies report it (ProxyFix), else the peer's."""
    return request.remote_addr


def user() -> Any:
    return g.staff_session.user


def log(event: str, **fields: Any) -> None:
    """Audit an action of the signed-in user (committed with the change it describes)."""
    staff_session = g.get("staff_session")
    audit.record(
        db.session(),
        event,
        now=now(),
        username=staff_session.user.username if staff_session else None,
        source=source(),
        **fields,
    )


@bp.before_app_request
def load_session() -> None:
    g.staff_session = None
    g.session_ended = None
    if not request.path.startswith("/staff"):
        return
    check = accounts.current_session(
        db.session(), request.cookies.get(COOKIE), now=now(), source=source()
    )
    g.staff_session = check.staff_session
    g.session_ended = check.ended
    if check.ended in ("idle", "expired", "disabled") or db.session().dirty:
        # An ended session, or activity (last seen), is kept whatever the page does next.
        db.session().commit()


def require(role: str) -> Callable[[View], View]:
    """Only a signed-in user with at least `role` gets past; others are sent to sign in or 403."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            staff_session = g.get("staff_session")
            if staff_session is None:
                reason = g.get("session_ended")
                return redirect(url_for("staff.login", next=request.path, why=reason))
            if not accounts.may(staff_session.user.role, role):
                log("access_refused", object=request.path[:120], outcome="refused", detail=role)
                db.session().commit()
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


@bp.after_app_request
def security_headers(response):
    if not request.path.startswith("/staff"):
        return response
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
        "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def set_session_cookie(response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        secure=request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE", False),
        samesite="Strict",
        path="/staff",
        max_age=int(accounts.ABSOLUTE_TIMEOUT.total_seconds()),
    )


class SessionCookies(SecureCookieSessionInterface):
    """Flask's own cookie (it carries the CSRF token) is Secure whenever the request is HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def register_errors(app) -> None:
    """Staff pages get readable error pages; a failed CSRF check is refused and logged."""
    from flask import render_template
    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_refused(exc: CSRFError):
        if request.path.startswith("/staff"):
            log("access_refused", object=request.path[:120], outcome="refused", detail="csrf")
            db.session().commit()
        title, message = (
            "Request refused",
            "This form expired or did not come from this site. Go back, reload and try again.",
        )
        return render_template("staff/error.html", title=title, message=message), 400


@bp.errorhandler(403)
def forbidden(exc):
    from flask import render_template

    message = "Your role cannot open this page."
    return render_template("staff/error.html", title="Not allowed", message=message), 403


@bp.errorhandler(404)
def missing(exc):
    from flask import render_template

    message = "No such page or report."
    return render_template("staff/error.html", title="Not found", message=message), 404


# The views register themselves on `bp` when imported.
from ivr.web.staff import admin as _admin  # noqa: E402,F401
from ivr.web.staff import auth as _auth  # noqa: E402,F401
from ivr.web.staff import dashboard as _dashboard  # noqa: E402,F401
from ivr.web.staff import reports as _reports  # noqa: E402,F401
