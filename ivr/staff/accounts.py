"""Staff accounts and sessions: argon2 passwords, lockout, server-side sessions with idle and
absolute limits. Plain Python over a SQLAlchemy session; no Flask.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr.models import LoginAttempt, StaffSession, StaffUser
from ivr.staff import audit

ROLES = ("reviewer", "supervisor", "admin")
#: ASCII only: no look-alike letters from other scripts ("аdmin" with a Cyrillic a).
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: What each role may do; higher roles include the lower ones.
RANKS = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
#: Sessions touch last_seen at most this often, so a page view is not always a write.
TOUCH_EVERY = timedelta(seconds=60)

#: Argon2id with RFC 9106's low-memory profile (64 MiB, 3 passes, 4 lanes), named rather than
#: left to the library's default, so the hash below always costs what a real one costs.
PASSWORD_PROFILE = profiles.RFC_9106_LOW_MEMORY
_hasher = PasswordHasher.from_parameters(PASSWORD_PROFILE)
#: Verified against when the username is unknown, so both paths take the same time. A hash of a
#: throwaway password with PASSWORD_PROFILE (a test checks it), written out rather than made at
#: import: every gunicorn worker imports this, and each hash holds 64 MiB and ~0.1 s of CPU.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$KQdyuekMTcCIhdgAkZjLuA"
    "$9F1eelHqfTrd0WFUdKRAh0BydU7aOQ4yqdCMLQLPf0U"
)


class AccountError(ValueError):
    """A request about an account that cannot be done; the message is for the operator."""


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("the password is too long")


def find_user(session: Session, username: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))


def add_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    now: datetime,
    by: str | None,
    source: str | None = None,
) -> StaffUser:
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise AccountError("usernames are letters, digits, dot, dash or underscore (up to 64)")
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    check_password(password)
    if find_user(session, name) is not None:
        raise AccountError(f"user {name!r} already exists")
    user = StaffUser(
        username=name,
        password_hash=_hasher.hash(password),
        role=role,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    audit.record(
        session,
        "account_added",
        now=now,
        username=by,
        source=source,
        object=f"user {name}",
        detail=role,
    )
    return user


def disable_user(
    session: Session, username: str, *, now: datetime, by: str | None, source: str | None = None
) -> None:
    user = _existing(session, username)
    _keep_an_admin(session, user)
    user.disabled = True
    _end_sessions(session, user, now=now, why="disabled")
    audit.record(
        session,
        "account_disabled",
        now=now,
        username=by,
        source=source,
        object=f"user {user.username}",
    )


def enable_user(
    session: Session, username: str, *, now: datetime, by: str | None, source: str | None = None
) -> StaffUser:
    """Let a disabled account sign in again. Its old sessions stay ended, and a lockout stays."""
    user = _existing(session, username)
    if not user.disabled:
        raise AccountError(f"user {user.username!r} is not disabled")
    user.disabled = False
    audit.record(
        session,
        "account_enabled",
        now=now,
        username=by,
        source=source,
        object=f"user {user.username}",
    )
    return user


def change_role(
    session: Session,
    username: str,
    role: str,
    *,
    now: datetime,
    by: str | None,
    source: str | None = None,
) -> StaffUser:
    """Give an account another role. Sessions are kept: every request reads the role afresh, so
    the change applies from the user's next request."""
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    user = _existing(session, username)
    if user.role == role:
        raise AccountError(f"user {user.username!r} is already {role}")
    if role != "admin":
        _keep_an_admin(session, user)
    before = user.role
    user.role = role
    audit.record(
        session,
        "account_role_changed",
        now=now,
        username=by,
        source=source,
        object=f"user {user.username}",
        detail=f"{before} to {role}",
    )
    return user


def reset_password(
    session: Session,
    username: str,
    password: str,
    *,
    now: datetime,
    by: str | None,
    source: str | None = None,
) -> int:
    """Set a new password and end the user's sessions (whoever knew the old one may hold one);
    how many ended. A lockout stays until an unlock: the reset is not a way around one."""
    user = _existing(session, username)
    check_password(password)
    user.password_hash = _hasher.hash(password)
    user.password_changed_at = now
    ended = _end_sessions(session, user, now=now, why="password_reset")
    audit.record(
        session,
        "account_password_reset",
        now=now,
        username=by,
        source=source,
        object=f"user {user.username}",
        detail=f"{ended} sessions ended",
    )
    return ended


def _end_sessions(session: Session, user: StaffUser, *, now: datetime, why: str) -> int:
    ended = 0
    for open_session in session.scalars(
        select(StaffSession).where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
    ):
        open_session.ended_at = now
        open_session.end_reason = why
        ended += 1
    return ended


def _keep_an_admin(session: Session, user: StaffUser) -> None:
    """Refuse to disable or demote the last enabled admin: nobody could manage accounts on the
    web after it (only `tru staff` on the server could)."""
    if user.role != "admin" or user.disabled:
        return
    # The admin rows stay locked until the commit (on PostgreSQL; SQLite has one writer anyway),
    # so two admins demoting each other at once cannot both see the other still there.
    admins = session.scalars(
        select(StaffUser.id)
        .where(StaffUser.role == "admin", StaffUser.disabled.is_(False))
        .with_for_update()
    ).all()
    if set(admins) <= {user.id}:
        raise AccountError(
            f"{user.username} is the last enabled admin; make or enable another admin first"
        )


def unlock_user(
    session: Session, username: str, *, now: datetime, by: str | None, source: str | None = None
) -> None:
    user = _existing(session, username)
    _unlock(session, user, now=now, why="unlock")
    audit.record(
        session,
        "account_unlocked",
        now=now,
        username=by,
        source=source,
        object=f"user {user.username}",
    )


def _existing(session: Session, username: str) -> StaffUser:
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None
    token: str | None = None
    #: Why a login failed, for the audit (the person only ever sees one generic message).
    refusal: str | None = None


def _recent_failures(session: Session, username: str, now: datetime) -> int:
    """Failed logins in the last 15 minutes since the last success (a sign-in, or the marker an
    unlock leaves). "Since" goes by id, the order the attempts were stored in, so a failure in
    the same instant as an unlock (the cool-down's, in the same request) still counts."""
    last_success = session.scalar(
        select(func.max(LoginAttempt.id)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True)
        )
    )
    query = select(func.count()).where(
        LoginAttempt.username == username,
        LoginAttempt.succeeded.is_(False),
        LoginAttempt.at > now - LOCKOUT_WINDOW,
    )
    if last_success is not None:
        query = query.where(LoginAttempt.id > last_success)
    return session.scalar(query) or 0


def _unlock(session: Session, user: StaffUser, *, now: datetime, why: str) -> None:
    """Clear a lockout; the failures before it no longer count toward the next one."""
    user.locked_at = None
    session.add(LoginAttempt(username=user.username, succeeded=True, source=why, at=now))


def log_in(
    session: Session,
    username: str,
    password: str,
    *,
    now: datetime,
    source: str | None,
    cooldown: timedelta | None = None,
) -> LoginResult:
    """Check a login. On success a new session token; every try is counted and audited."""
    name = username.strip().lower()[:64]
    user = find_user(session, name)
    cooled = cooldown is not None and user is not None and user.locked_at is not None
    if cooled and now - user.locked_at >= cooldown:  # type: ignore[operator,union-attr]
        # As an admin's unlock does: the failures that locked the account are forgotten, so
        # one mistyped password after the cool-down does not lock it again.
        _unlock(session, user, now=now, why="cool-down")  # type: ignore[arg-type]
        audit.record(
            session, "account_unlocked", now=now, object=f"user {name}", detail="cool-down"
        )
    try:
        password_ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        password_ok = False
    refusal = None
    if user is None:
        refusal = "unknown user"
    elif user.disabled:
        refusal = "disabled"
    elif user.locked_at is not None:
        refusal = "locked"
    elif not password_ok:
        refusal = "wrong password"
    if user is not None:
        session.add(LoginAttempt(username=name, succeeded=refusal is None, source=source, at=now))
    if refusal is not None:
        # What was typed as an unknown username may be a password typed in the wrong box:
        # it is not kept.
        audit.record(
            session,
            "login",
            now=now,
            username=name if user is not None else None,
            source=source,
            outcome="failure",
            detail=refusal,
        )
        if user is not None and user.locked_at is None and refusal == "wrong password":
            session.flush()
            if _recent_failures(session, name, now) >= LOCKOUT_FAILURES:
                user.locked_at = now
                audit.record(
                    session,
                    "lockout",
                    now=now,
                    username=name,
                    source=source,
                    object=f"user {name}",
                    detail=f"{LOCKOUT_FAILURES} failed logins in 15 minutes",
                )
        return LoginResult(None, refusal=refusal)
    assert user is not None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_digest(token), user=user, source=source, created_at=now, last_seen_at=now
        )
    )
    audit.record(session, "login", now=now, username=name, source=source)
    return LoginResult(user, token)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionCheck:
    staff_session: StaffSession | None
    #: Why there is no live session: None (no cookie or unknown), "idle", "expired", "disabled",
    #: "password_reset", "ended".
    ended: str | None = None


def current_session(
    session: Session, token: str | None, *, now: datetime, source: str | None = None
) -> SessionCheck:
    """The live session for a browser's token, ending it here if it has idled or expired."""
    if not token:
        return SessionCheck(None)
    found = session.scalar(select(StaffSession).where(StaffSession.token_hash == _digest(token)))
    if found is None:
        return SessionCheck(None)
    if found.ended_at is not None:
        # Say why it ended when the person should know (an admin disabled the account).
        told_reasons = ("idle", "expired", "disabled", "password_reset")
        told = found.end_reason if found.end_reason in told_reasons else "ended"
        return SessionCheck(None, told)
    reason = None
    if now - found.created_at >= ABSOLUTE_TIMEOUT:
        reason = "expired"
    elif now - found.last_seen_at >= IDLE_TIMEOUT:
        reason = "idle"
    elif found.user.disabled:
        reason = "disabled"
    if reason is not None:
        found.ended_at = now
        found.end_reason = reason
        audit.record(
            session,
            "session_expired",
            now=now,
            username=found.user.username,
            source=source,
            detail=reason,
        )
        return SessionCheck(None, reason)
    if now - found.last_seen_at >= TOUCH_EVERY:
        found.last_seen_at = now
    return SessionCheck(found)


def log_out(
    session: Session, staff_session: StaffSession, *, now: datetime, source: str | None
) -> None:
    staff_session.ended_at = now
    staff_session.end_reason = "logout"
    audit.record(session, "logout", now=now, username=staff_session.user.username, source=source)


def may(role: str, needed: str) -> bool:
    """Does `role` include what `needed` may do? (admin ⊇ supervisor ⊇ reviewer)"""
    return RANKS.get(role, -1) >= RANKS[needed]
