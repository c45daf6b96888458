"""What TRU Line keeps: each call, each answer a caller gave, each status Twilio reported.

Times are stored in UTC. Schema changes go through Alembic (`ivr/migrations`), never `create_all`
outside tests of the models themselves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite forgets zones; PostgreSQL keeps them)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Named constraints let Alembic alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class Call(Base):
    """One phone call to the line, keyed by Twilio's CallSid."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    account_sid: Mapped[str | None] = mapped_column(String(64))
    # E.164 when Twilio gave a real number; None for withheld or unparseable caller ID.
    caller: Mapped[str | None] = mapped_column(String(20))
    called: Mapped[str | None] = mapped_column(String(20))
    # Twilio's CallStatus, moved only forward (see ivr.calls.STATUS_RANK).
    status: Mapped[str] = mapped_column(String(20), default="ringing")
    language: Mapped[str] = mapped_column(String(8), default="en")
    # Whether the TRU was open when the call arrived: closed calls take no report.
    line_open: Mapped[bool] = mapped_column(default=False)
    flow: Mapped[str | None] = mapped_column(String(40))
    # The flow state the caller is in now, and the number the next answer will carry.
    state: Mapped[str | None] = mapped_column(String(80))
    step: Mapped[int] = mapped_column(Integer, default=0)
    # Unanswered or unrecognised tries at the current state.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Who responds (triage outcome), once decided.
    disposition: Mapped[str | None] = mapped_column(String(40))
    # Answers kept for the call's decisions (call type, the caller's reason, safety answers),
    # whether or not a report is open.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[int | None]

    answers: Mapped[list[Answer]] = relationship(
        back_populates="call", order_by="Answer.step", cascade="all, delete-orphan"
    )
    events: Mapped[list[CallEvent]] = relationship(
        back_populates="call", order_by="CallEvent.id", cascade="all, delete-orphan"
    )
    report: Mapped[Report | None] = relationship(back_populates="call", uselist=False)


class Answer(Base):
    """What the caller did at one step of the flow, stored the moment the webhook arrived.

    (call, step) is unique, so a webhook Twilio retries finds its answer already here and gets
    back the TwiML it was given the first time, instead of advancing the call twice.
    """

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("call_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(80))
    # "input" (keys or speech), "timeout", "dial" ...: what happened at this step.
    event: Mapped[str] = mapped_column(String(20))
    digits: Mapped[str | None] = mapped_column(String(40))
    speech: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    # The flow's reading of the input: the choice it matched, or "no_match"/"timeout".
    outcome: Mapped[str] = mapped_column(String(40))
    response_twiml: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="answers")


class CallEvent(Base):
    """A status callback from Twilio, kept once per (call, status) however often it is sent."""

    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    sequence_number: Mapped[int | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="events")


class Report(Base):
    """A lost-property or larceny report taken on a call.

    It exists from the moment the caller chooses the report type, with status `partial`, and
    every answer lands in `fields` as it is given: a caller who hangs up leaves a partial report
    marked for a callback. At the end of the report flow it becomes `new`, ready for review.
    """

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # TRU-YY-NNNNNN, easy to say and to quote when following up.
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    type: Mapped[str] = mapped_column(String(30))  # lost_property | larceny
    # partial -> new (complete) -> later review statuses (staff UI)
    status: Mapped[str] = mapped_column(String(20), default="partial", index=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    # Indexed for the staff queue's phone search.
    caller_number: Mapped[str | None] = mapped_column(String(20), index=True)
    callback_number: Mapped[str | None] = mapped_column(String(20), index=True)
    # Waiting for a callback now: cleared when the caller is reached or the report is settled.
    needs_callback: Mapped[bool] = mapped_column(Boolean, default=False)
    # Ever needed a callback: set with needs_callback and never cleared, so the dashboard's
    # callback rate does not fall as staff work the reports.
    callback_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Every answer of the report flow by field name (item, value, where, when_date ...).
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Maryland theft class, from the value (larceny only).
    theft_class: Mapped[str | None] = mapped_column(String(30))
    # What triage was told and what it decided (eligibility answers, outcome, reasons).
    triage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]

    call: Mapped[Call] = relationship(back_populates="report")
    recordings: Mapped[list[Recording]] = relationship(
        back_populates="report", order_by="Recording.id"
    )

    @validates("needs_callback")
    def _keep_callback_request(self, _key: str, value: bool) -> bool:
        """Whoever marks the report for a callback (the line when the caller hangs up early,
        staff with the needs-callback status) marks it as having needed one, for good."""
        if value:
            self.callback_requested = True
        return value


class Recording(Base):
    """The caller's own account, recorded with <Record>, and its transcript.

    Keyed by Twilio's RecordingSid and tied to the call; the recording status and transcription
    callbacks may arrive before or long after the call's other webhooks, in any order.
    """

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_sid: Mapped[str] = mapped_column(String(64), unique=True)
    call_sid: Mapped[str] = mapped_column(String(64), index=True)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str | None] = mapped_column(String(500))
    duration_seconds: Mapped[int | None]
    # in-progress | completed | absent | failed (Twilio's RecordingStatus)
    status: Mapped[str | None] = mapped_column(String(20))
    transcript: Mapped[str | None] = mapped_column(Text)
    transcript_status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    report: Mapped[Report | None] = relationship(back_populates="recordings")


class AlarmResponse(Base):
    """A police response to a burglar alarm at a premises (Baltimore Ordinance 22-161).

    `premises` is the normalized address key (ivr.alarms.premises_key) the false-alarm count is
    kept by; `address` is the address as given. Alarms at one premises on one day are one event:
    (premises, day, falseness) is unique. Responses that do not count (cancelled, new install,
    medical alert, a real incident) are kept with `false_alarm` False.
    """

    __tablename__ = "alarm_responses"
    __table_args__ = (UniqueConstraint("premises", "occurred_on", "false_alarm"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    premises: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(String(300))
    occurred_on: Mapped[date]
    false_alarm: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- staff review ---------------------------------------------------------------------------


class StaffUser(Base):
    """A TRU staff account. No default accounts: `tru staff add` makes them."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # argon2id hash (argon2-cffi); never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))  # reviewer | supervisor | admin
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when too many logins fail; cleared by an admin (or the configured cool-down).
    locked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginAttempt(Base):
    """Each login try, kept to count failures for the lockout (5 in 15 minutes)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class StaffSession(Base):
    """A signed-in staff session, kept on the server: logout and expiry end it here.

    The browser holds a random token; only its SHA-256 is stored.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # logout | idle | expired | disabled | password_reset
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[StaffUser] = relationship()


class AuditEvent(Base):
    """The append-only audit trail. Database triggers refuse UPDATE and DELETE on it (and TRUNCATE
    on PostgreSQL).

    Who did what to which object, from where, with what outcome: never report contents,
    phone numbers or secrets.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    source: Mapped[str | None] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(40), index=True)
    # e.g. "report TRU-26-000123", "user alice"
    object: Mapped[str | None] = mapped_column(String(120), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # success | failure | refused
    # A short, content-free note: "status approved", "field value", "8 rows".
    detail: Mapped[str | None] = mapped_column(String(200))


class ReportChange(Base):
    """A staff change to a report: a corrected field, a note, a status, a callback attempt.

    Corrections never overwrite what the caller said: `report.fields` keeps the original and the
    latest correction of each field is shown beside it.
    """

    __tablename__ = "report_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    # correction | note | status | callback
    kind: Mapped[str] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class TextMessage(Base):
    """A text message the line sends a caller (their report number, or the online-report link).

    One per call and kind, so a retried webhook never sends twice. Sent after the TwiML reply,
    never while the caller waits; the delivery status callback keeps `status` current, and a
    failure is kept here for staff, never retried into a flood.
    """

    __tablename__ = "text_messages"
    __table_args__ = (UniqueConstraint("call_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # report | online_link
    to: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    # queued -> sending -> accepted/queued/sent -> delivered | undelivered | failed; error
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    error_code: Mapped[str | None] = mapped_column(String(20))
    error_message: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    call: Mapped[Call] = relationship()


#: Indexes that only PostgreSQL has, built by hand in their migrations (SQLAlchemy's models
#: cannot declare a trigram GIN index that SQLite would skip): the caller-name search's index.
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_reports_caller_name_trgm"})


def in_the_models(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Alembic's `include_name`: what autogenerate compares with the models. The PostgreSQL-only
    indexes are left out, so it never offers to drop them."""
    return not (type_ == "index" and name in POSTGRESQL_ONLY_INDEXES)
