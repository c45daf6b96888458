"""Report review: the staff queue, a report's effective fields and timeline, and staff changes.

Plain Python over a SQLAlchemy session; no Flask. The caller commits. Corrections never touch
`report.fields`: what the caller said stays there, and each correction is a `ReportChange` row
shown beside it. Every change keeps who made it and when.

The queue must stay fast at 100,000 reports (`bench/queue_bench.py`): every filter is on a column
of `reports` (status, type, language, created_at, number, the phone numbers) or a short JSON
path, the order is `id DESC` (the primary key; ids are given as reports open, so this is newest
first), a page reads 51 rows, and the total is counted only up to `COUNT_CAP`. A name search
looks in the stored JSON text before parsing it (see `_name_contains`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased, selectinload

from ivr.calls import to_e164, us_number
from ivr.models import Call, Report, ReportChange, TextMessage
from ivr.reports import CALL_TYPES, REPORT_TYPES
from ivr.triage import OUTCOMES

PAGE_SIZE = 50
#: The queue counts matching reports up to this many; beyond it the page says "more than".
COUNT_CAP = 10_000
#: Statuses the line sets (partial, new, not_taken) and those staff set.
LINE_STATUSES = ("partial", "new", "not_taken")
STAFF_STATUSES = (
    "in_review",
    "approved",
    "needs_callback",
    "referred_to_officer",
    "duplicate",
    "closed",
)
STATUSES = LINE_STATUSES + STAFF_STATUSES
#: Statuses that settle a report: a pending callback is no longer pending.
SETTLED = ("approved", "referred_to_officer", "duplicate", "closed")
LANGUAGES = ("en", "es")
CALLBACK_OUTCOMES = ("reached", "no_answer", "left_message", "wrong_number")
MAX_NOTE = 2000
MAX_VALUE = 500
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
#: A BPD central complaint number as staff type it: 26-123456, 26123456, 2612A3456 ...
CASE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,19}$")
#: TRU-26-000123, tru 26 123, 26-000123: a report number as people type it.
REPORT_NUMBER = re.compile(
    r"^(?:TRU[\s-]*)?(\d{2})[\s-]+(\d{1,6})$|^TRU[\s-]*(\d{2})(\d{6})$", re.I
)


class ReviewError(ValueError):
    """A change that cannot be made; the message is for the staff member."""


# --- the queue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the queue shows. Dates are days in the line's time zone, both ends included."""

    status: str | None = None
    type: str | None = None
    disposition: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    language: str | None = None
    q: str | None = None
    #: Only partial reports and reports waiting for a callback.
    flagged: bool = False
    timezone: str = "America/New_York"

    @classmethod
    def from_args(cls, args: Mapping[str, str], timezone: str = "America/New_York") -> Filters:
        """Read the queue's query string; raises ReviewError for a value that cannot be used."""

        def text(name: str, limit: int = 100) -> str | None:
            value = (args.get(name) or "").strip()[:limit]
            return value or None

        def choice(name: str, allowed: Sequence[str]) -> str | None:
            value = text(name)
            if value is not None and value not in allowed:
                raise ReviewError(f"unknown {name} {value!r}")
            return value

        def day(name: str, label: str) -> date | None:
            value = text(name)
            if value is None:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise ReviewError(f"{label} must be a date like 2026-12-31") from None

        found = cls(
            status=choice("status", STATUSES),
            type=choice("type", REPORT_TYPES),
            disposition=choice("disposition", OUTCOMES),
            date_from=day("from", "From"),
            date_to=day("to", "To"),
            language=choice("language", LANGUAGES),
            q=text("q"),
            flagged=(args.get("flagged") or "") in ("1", "on", "yes"),
            timezone=timezone,
        )
        if found.date_from and found.date_to and found.date_to < found.date_from:
            raise ReviewError("the To date is before the From date")
        return found

    def as_args(self) -> dict[str, str]:
        """The query string that gives these filters back (for page and export links)."""
        args = {
            "status": self.status,
            "type": self.type,
            "disposition": self.disposition,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "language": self.language,
            "q": self.q,
            "flagged": "1" if self.flagged else None,
        }
        return {key: value for key, value in args.items() if value}


@dataclass(frozen=True)
class Search:
    """How the queue reads the search box: a report number, a phone number, or a name."""

    kind: str  # number | phone | name
    value: str


def read_search(q: str) -> Search:
    """A report number (TRU-26-000123, 26-123), a phone number in any format (as E.164), else a
    caller name (contains, case-insensitive)."""
    raw = q.strip()
    number = REPORT_NUMBER.match(raw)
    if number:
        year, digits = (number.group(1), number.group(2)) if number.group(1) else number.group(3, 4)
        return Search("number", f"TRU-{year}-{int(digits):06d}")
    if sum(ch.isdigit() for ch in raw) >= 7 and not any(ch.isalpha() for ch in raw):
        phone = to_e164(raw)
        if phone is not None:
            return Search("phone", phone)
    return Search("name", raw)


def _json_text(column: Any, key: str, dialect: str) -> ColumnElement[str]:
    """`column->>key` as SQL text, the path written literally (so an expression index can match
    it) and the same on SQLite and PostgreSQL."""
    if not FIELD_NAME.match(key):
        raise ValueError(f"not a field name: {key!r}")
    if dialect == "postgresql":
        return type_coerce(column.op("->>")(literal_column(f"'{key}'")), String)
    return type_coerce(func.json_extract(column, literal_column(f"'$.{key}'")), String)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _name_contains(name: str, dialect: str) -> ColumnElement[bool]:
    """The caller's name, as said or as corrected, contains `name` (ignoring case).

    On PostgreSQL a trigram index on the lower-cased name finds the matches. On SQLite a
    plain-ASCII name is first looked for in the stored JSON text, which is cheap (no JSON
    parsing) and a necessary condition: such text appears unescaped in the JSON; only reports
    that pass have the name itself read. Corrected names come from the (small) set of
    corrections, looked up once."""
    wanted = name.lower()
    pattern = f"%{_like_escape(wanted)}%"
    corrected = select(ReportChange.report_id).where(
        ReportChange.kind == "correction",
        ReportChange.field == "caller_name",
        func.lower(ReportChange.new_value).like(pattern, escape="\\"),
    )
    if dialect == "postgresql":
        # The trigram index of migration 0009 finds the matching reports (an alias: the search is
        # not correlated with the queue's own row); a name that matches nothing costs nothing.
        said = aliased(Report)
        spoken = func.lower(_json_text(said.fields, "caller_name", dialect))
        return Report.id.in_(
            select(said.id).where(spoken.like(pattern, escape="\\")).union(corrected)
        )
    conditions: list[ColumnElement[bool]] = []
    plain = wanted.isascii() and wanted.isprintable() and not any(c in wanted for c in '"\\')
    if plain and dialect == "sqlite":
        # SQLite's LIKE ignores the case of ASCII letters already.
        raw = type_coerce(Report.fields, String)
        conditions.append(raw.like(pattern, escape="\\"))
    stored = func.lower(_json_text(Report.fields, "caller_name", dialect))
    conditions.append(stored.like(pattern, escape="\\"))
    return or_(and_(*conditions), Report.id.in_(corrected))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def filtered(session: Session, filters: Filters) -> Select[tuple[Report]]:
    """Reports matching `filters`, newest first."""
    dialect = _dialect(session)
    query = select(Report)
    if filters.status:
        query = query.where(Report.status == filters.status)
    if filters.type:
        query = query.where(Report.type == filters.type)
    if filters.language:
        query = query.where(Report.language == filters.language)
    if filters.disposition:
        outcome = _json_text(Report.triage, "outcome", dialect)
        if dialect == "sqlite":
            # The outcome is a plain word, so it appears in the stored JSON text as "word": that
            # cheap test goes first, and only reports that pass have their triage parsed. (Not
            # on PostgreSQL: the extra condition makes its planner expect almost no matches and
            # read every report instead of walking the newest ones.)
            quoted = f'%"{_like_escape(filters.disposition)}"%'
            query = query.where(type_coerce(Report.triage, String).like(quoted, escape="\\"))
        query = query.where(outcome == filters.disposition)
    zone = ZoneInfo(filters.timezone)
    if filters.date_from:
        query = query.where(Report.created_at >= datetime.combine(filters.date_from, time(), zone))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), zone)
        query = query.where(Report.created_at < end)
    if filters.flagged:
        query = query.where(or_(Report.status == "partial", Report.needs_callback.is_(True)))
    if filters.q:
        search = read_search(filters.q)
        if search.kind == "number":
            query = query.where(Report.number == search.value)
        elif search.kind == "phone":
            corrected = select(ReportChange.report_id).where(
                ReportChange.kind == "correction",
                ReportChange.field == "callback_number",
                ReportChange.new_value == search.value,
            )
            query = query.where(
                or_(
                    Report.caller_number == search.value,
                    Report.callback_number == search.value,
                    Report.id.in_(corrected),
                )
            )
        else:
            query = query.where(_name_contains(search.value, dialect))
    # The id is given as the report opens, so id order is arrival order: newest first.
    return query.order_by(Report.id.desc())


@dataclass(frozen=True)
class Page:
    reports: list[Report]
    number: int
    size: int
    has_next: bool
    #: Matching reports, or None when there are more than COUNT_CAP (or counting was skipped).
    total: int | None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The position of the first report on this page (1-based), 0 when empty."""
        return (self.number - 1) * self.size + 1 if self.reports else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.reports)


def cheap_to_count(filters: Filters) -> bool:
    """Whether counting the matches is cheap: only when every filter is on a plain column. A
    disposition or a name is read from JSON in each report, so counting them reads every report
    (the page itself stops at 51 matches)."""
    return not filters.disposition and not (filters.q and read_search(filters.q).kind == "name")


def queue(session: Session, filters: Filters, page: int = 1, *, size: int = PAGE_SIZE) -> Page:
    """One page of the queue, newest first. The total is known on the last page, else counted
    up to COUNT_CAP when that is cheap (`cheap_to_count`), else left None."""
    page = max(1, page)
    query = filtered(session, filters)
    rows = list(session.scalars(query.limit(size + 1).offset((page - 1) * size)))
    has_next = len(rows) > size
    rows = rows[:size]
    total: int | None = None
    if not has_next and (rows or page == 1):
        total = (page - 1) * size + len(rows)
    elif cheap_to_count(filters):
        capped = query.order_by(None).with_only_columns(Report.id).limit(COUNT_CAP + 1)
        counted = session.scalar(select(func.count()).select_from(capped.subquery())) or 0
        total = counted if counted <= COUNT_CAP else None
    return Page(rows, page, size, has_next, total)


def find_report(session: Session, number: str) -> Report | None:
    return session.scalar(
        select(Report)
        .where(Report.number == number.strip().upper())
        .options(
            selectinload(Report.call).selectinload(Call.answers),
            selectinload(Report.call).selectinload(Call.events),
            selectinload(Report.recordings),
        )
    )


# --- effective fields -------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldView:
    field: str
    original: Any
    current: Any
    corrected_by: str | None = None
    corrected_at: datetime | None = None

    @property
    def corrected(self) -> bool:
        return self.corrected_by is not None

    def __iter__(self) -> Iterator[Any]:
        """Unpacks as (field, original, current, corrected_by, corrected_at)."""
        return iter((self.field, self.original, self.current, self.corrected_by, self.corrected_at))


def changes_of(session: Session, report: Report) -> list[ReportChange]:
    return list(
        session.scalars(
            select(ReportChange)
            .where(ReportChange.report_id == report.id)
            .order_by(ReportChange.at, ReportChange.id)
        )
    )


def effective_fields(
    report: Report, changes: Iterable[ReportChange] | None = None
) -> list[FieldView]:
    """Each field as the caller gave it and as it stands after the latest correction, in the
    order the caller answered; fields added by staff come last."""
    if changes is None:
        from sqlalchemy.orm import object_session

        session = object_session(report)
        changes = changes_of(session, report) if session is not None else []
    latest: dict[str, ReportChange] = {}
    for change in sorted(changes, key=lambda c: (c.at, c.id or 0)):
        if change.kind == "correction" and change.field:
            latest[change.field] = change
    original = report.fields or {}
    names = list(original) + [name for name in latest if name not in original]
    views = []
    for name in names:
        change = latest.get(name)
        if change is None:
            views.append(FieldView(name, original.get(name), original.get(name)))
        else:
            views.append(
                FieldView(name, original.get(name), change.new_value, change.username, change.at)
            )
    return views


def effective_values(report: Report, changes: Iterable[ReportChange] | None = None) -> dict:
    return {view.field: view.current for view in effective_fields(report, changes)}


# --- changes ----------------------------------------------------------------------------------


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


def _change(
    session: Session,
    report: Report,
    kind: str,
    *,
    by: str,
    now: datetime,
    field: str | None = None,
    old: str | None = None,
    new: str | None = None,
) -> ReportChange:
    change = ReportChange(
        report_id=report.id,
        kind=kind,
        field=field,
        old_value=old,
        new_value=new,
        username=by,
        at=now,
    )
    session.add(change)
    report.updated_at = now
    return change


def correct(
    session: Session, report: Report, field: str, value: str, *, by: str, now: datetime
) -> ReportChange:
    """Correct one field. The caller's answer stays in `report.fields`; `old_value` is the value
    that stood before this correction (the caller's, or an earlier correction)."""
    name = (field or "").strip()
    if not FIELD_NAME.match(name):
        raise ReviewError("choose a field to correct")
    new = (value or "").strip()
    if not new:
        raise ReviewError("the corrected value is empty")
    if name == "callback_number":
        # Kept as E.164, like the caller's own, so the queue's phone search finds it.
        phone = us_number(to_e164(new))
        if phone is None:
            raise ReviewError("the callback number must be a US phone number")
        new = phone
    if len(new) > MAX_VALUE:
        raise ReviewError(f"the corrected value is longer than {MAX_VALUE} characters")
    current = effective_values(report, changes_of(session, report)).get(name)
    if _as_text(current) == new:
        raise ReviewError(f"{name} already has that value")
    return _change(
        session, report, "correction", by=by, now=now, field=name, old=_as_text(current), new=new
    )


def add_note(
    session: Session, report: Report, text: str, *, by: str, now: datetime
) -> ReportChange:
    note = (text or "").strip()
    if not note:
        raise ReviewError("the note is empty")
    if len(note) > MAX_NOTE:
        raise ReviewError(f"the note is longer than {MAX_NOTE} characters")
    return _change(session, report, "note", by=by, now=now, new=note)


def set_status(
    session: Session,
    report: Report,
    status: str,
    *,
    by: str,
    now: datetime,
    case_number: str | None = None,
) -> ReportChange:
    """Move a report to a staff status. `approved` needs the case number it was filed under
    (kept as "approved: 26-123456"); `needs_callback` marks the report for a callback, and a
    settled status (approved, referred, duplicate, closed) clears a pending callback."""
    if status not in STAFF_STATUSES:
        raise ReviewError(f"unknown status {status!r}")
    new = status
    if status == "approved":
        case = (case_number or "").strip()
        if not case:
            raise ReviewError("approving a report needs its case number")
        if not CASE_NUMBER.match(case):
            raise ReviewError("the case number is letters, digits and dashes (up to 20)")
        new = f"approved: {case}"
    elif status == report.status:
        raise ReviewError(f"the report is already {status}")
    old = report.status
    report.status = status
    if status == "needs_callback":
        report.needs_callback = True
    elif status in SETTLED:
        report.needs_callback = False
    return _change(session, report, "status", by=by, now=now, field="status", old=old, new=new)


def record_callback(
    session: Session,
    report: Report,
    outcome: str,
    note: str | None = None,
    *,
    by: str,
    now: datetime,
) -> ReportChange:
    """One attempt to call the caller back (kept as "no_answer" or "no_answer: their note").
    Reaching the caller ends the need for a callback."""
    if outcome not in CALLBACK_OUTCOMES:
        raise ReviewError(f"unknown callback outcome {outcome!r}")
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise ReviewError(f"the note is longer than {MAX_NOTE} characters")
    if outcome == "reached":
        report.needs_callback = False
    return _change(
        session,
        report,
        "callback",
        by=by,
        now=now,
        field="callback",
        new=f"{outcome}: {text}" if text else outcome,
    )


def split_value(value: str | None) -> tuple[str, str]:
    """A stored status or callback value in two: ("approved", "26-123456") from
    "approved: 26-123456", ("no_answer", "") from "no_answer"."""
    head, _, tail = (value or "").partition(": ")
    return head, tail


# --- timeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # call | status | answer | report | recording | staff
    text: str
    by: str | None = None
    detail: str | None = None
    order: int = field(default=0, compare=False)


def answer_input(answer: Any) -> str:
    """What the caller did at a step, in words: keys, speech with its confidence, or nothing."""
    parts = []
    if answer.digits:
        parts.append(f"keys {answer.digits}")
    if answer.speech:
        said = f"said “{answer.speech}”"
        if answer.confidence is not None:
            said += f" (confidence {answer.confidence:.2f})"
        parts.append(said)
    if not parts:
        parts.append("no input" if answer.event in ("input", "timeout") else answer.event)
    return "; ".join(parts)


def change_text(change: ReportChange) -> str:
    if change.kind == "correction":
        return f"corrected {change.field}"
    if change.kind == "status":
        status, case = split_value(change.new_value)
        return f"status {change.old_value} → {status}" + (f" (case {case})" if case else "")
    if change.kind == "callback":
        outcome, _ = split_value(change.new_value)
        return f"callback attempt: {outcome.replace('_', ' ')}"
    return change.kind  # a note


def timeline(
    session: Session, report: Report, changes: Sequence[ReportChange] | None = None
) -> list[Entry]:
    """Everything that happened to the report, oldest first: the call and its status events,
    each answer, the report opening and completing, recordings, and each staff change."""
    if changes is None:
        changes = changes_of(session, report)
    call = report.call
    entries: list[Entry] = []

    def add(at: datetime | None, kind: str, text: str, **extra: Any) -> None:
        if at is not None:
            entries.append(Entry(at, kind, text, order=len(entries), **extra))

    add(call.started_at, "call", "call started")
    for event in call.events:
        add(event.received_at, "status", f"Twilio status {event.status}")
    for answer in call.answers:
        add(
            answer.received_at,
            "answer",
            f"step {answer.step} {answer.state}: {answer_input(answer)}",
            detail=answer.outcome,
        )
    add(report.created_at, "report", f"report opened ({report.type.replace('_', ' ')})")
    add(report.completed_at, "report", "report completed")
    for recording in report.recordings:
        length = f", {recording.duration_seconds} s" if recording.duration_seconds else ""
        add(recording.created_at, "recording", f"recording {recording.status or 'started'}{length}")
    add(call.ended_at, "call", f"call ended ({call.status})")
    for change in changes:
        detail = change.new_value if change.kind in ("note", "correction") else None
        add(change.at, "staff", change_text(change), by=change.username, detail=detail)
    return sorted(entries, key=lambda e: (e.at, e.order))


# --- export -----------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "number",
    "type",
    "call_type",
    "status",
    "disposition",
    "language",
    "needs_callback",
    "created_at",
    "completed_at",
    "caller_number",
    "callback_number",
    "theft_class",
    "fields",
)


def export_count(session: Session, filters: Filters) -> tuple[int, int | None]:
    """How many reports the export will hold, and the highest id among them (the export stops
    there, so reports arriving meanwhile do not change the count it was audited with)."""
    query = filtered(session, filters).order_by(None).subquery()
    count, top = session.execute(select(func.count(), func.max(query.c.id))).one()
    return int(count or 0), top


def export_records(
    session: Session, filters: Filters, *, up_to: int | None, batch: int = 500
) -> Iterator[dict[str, Any]]:
    """The filtered reports, newest first, each with its effective (corrected) fields."""
    if up_to is None:
        return
    query = filtered(session, filters).where(Report.id <= up_to)
    last: int | None = None
    while True:
        page = query if last is None else query.where(Report.id < last)
        reports = list(session.scalars(page.limit(batch)))
        if not reports:
            return
        corrections: dict[int, list[ReportChange]] = {}
        for change in session.scalars(
            select(ReportChange).where(
                ReportChange.report_id.in_([r.id for r in reports]),
                ReportChange.kind == "correction",
            )
        ):
            corrections.setdefault(change.report_id, []).append(change)
        for report in reports:
            yield export_record(report, corrections.get(report.id, []))
        last = reports[-1].id
        session.expunge_all()


def export_record(report: Report, changes: Iterable[ReportChange]) -> dict[str, Any]:
    return {
        "number": report.number,
        "type": report.type,
        "call_type": CALL_TYPES.get(report.type),
        "status": report.status,
        "disposition": (report.triage or {}).get("outcome"),
        "language": report.language,
        "needs_callback": report.needs_callback,
        "created_at": report.created_at.isoformat(),
        "completed_at": report.completed_at.isoformat() if report.completed_at else None,
        "caller_number": report.caller_number,
        "callback_number": report.callback_number,
        "theft_class": report.theft_class,
        "fields": effective_values(report, changes),
    }


def texts_of(session: Session, report: Report) -> list[TextMessage]:
    """The texts the line sent this report's caller, with their delivery status or error."""
    return list(
        session.scalars(
            select(TextMessage)
            .where(TextMessage.call_id == report.call_id)
            .order_by(TextMessage.id)
        )
    )
