"""The audit trail: one append-only row per login, lockout, report view, change, export and
account change. Rows never hold report contents, phone numbers or secrets.

The database enforces append-only: row triggers refuse UPDATE and DELETE on `audit_events`
(migration 0005), and on PostgreSQL a statement trigger refuses TRUNCATE (migration 0007; SQLite
has no TRUNCATE). The DDL lives here so tests can reuse it. The triggers stop the table's owner
too, but an owner can drop them: in production the app connects as a role that has only SELECT
and INSERT on `audit_events` (see the README's "Staff review"), and migrations run as the owner.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.models import AuditEvent

#: Trigger DDL by dialect: statements that make `audit_events` append-only.
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ],
}
DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_events_no_update",
        "DROP TRIGGER IF EXISTS audit_events_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
        "DROP FUNCTION IF EXISTS audit_events_append_only()",
    ],
}

#: PostgreSQL only: TRUNCATE fires no row trigger, so a statement trigger refuses it.
TRUNCATE_TRIGGERS = {
    "postgresql": [
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
    ],
}
DROP_TRUNCATE_TRIGGERS = {
    "postgresql": ["DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events"],
}

EVENTS = (
    "login",
    "logout",
    "session_expired",
    "lockout",
    "report_viewed",
    "report_changed",
    "recording_played",
    "export",
    "audit_viewed",
    "dashboard_viewed",
    "account_added",
    "account_disabled",
    "account_unlocked",
    "account_enabled",
    "account_role_changed",
    "account_password_reset",
    "access_refused",
    "purge",
)


def record(
    session: Session,
    event: str,
    *,
    now: datetime,
    username: str | None = None,
    source: str | None = None,
    object: str | None = None,  # noqa: A002 - the audit vocabulary's word
    outcome: str = "success",
    detail: str | None = None,
) -> AuditEvent:
    """Add one audit row to the session; the caller's commit writes it with the change."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    row = AuditEvent(
        at=now,
        username=username,
        source=(source or "")[:64] or None,
        event=event,
        object=(object or "")[:120] or None,
        outcome=outcome,
        detail=(detail or "")[:200] or None,
    )
    session.add(row)
    return row


def browse(
    session: Session,
    *,
    event: str | None = None,
    username: str | None = None,
    object_contains: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEvent]:
    """Newest first, filtered; `before_id` pages backwards."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if event:
        query = query.where(AuditEvent.event == event)
    if username:
        query = query.where(AuditEvent.username == username)
    if object_contains:
        query = query.where(AuditEvent.object.contains(object_contains, autoescape=True))
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return list(session.scalars(query))
