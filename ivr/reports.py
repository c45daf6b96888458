"""Reports taken on the line: opening, filling, completing, and the caller's recorded account.

Plain functions over a SQLAlchemy session; no Flask. The Line calls them as the caller moves
through the report flows, inside the same transaction as the answer that caused them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ivr.models import Call, Recording, Report
from ivr.triage.theft import theft_class

REPORT_TYPES = ("lost_property", "larceny", "traffic_accident")
#: Baltimore dispatch call-type names, so exports compare with the city's own data.
CALL_TYPES = {
    "lost_property": "LOST PROPERTY",
    "larceny": "LARCENY",
    "traffic_accident": "AUTO ACCIDENT",
}


def report_number(report_id: int, year: int) -> str:
    """TRU-26-000123: the year it was taken and a number that never repeats."""
    return f"TRU-{year % 100:02d}-{report_id:06d}"


def open_report(
    session: Session, call: Call, report_type: str, now: datetime, *, year: int
) -> Report:
    """The call's report, opened on first need; a caller who switches type keeps their answers."""
    if report_type not in REPORT_TYPES:
        raise ValueError(f"unknown report type {report_type!r}")
    report = call.report
    if report is None:
        report = Report(
            call=call,
            type=report_type,
            status="partial",
            language=call.language,
            caller_number=call.caller,
            fields={},
            triage={},
            created_at=now,
            updated_at=now,
        )
        session.add(report)
        session.flush()  # the id makes the number
        report.number = report_number(report.id, year)
    elif report.type != report_type:
        report.type = report_type
    report.language = call.language
    return report


def record_answers(report: Report, stored: Mapping[str, Any], now: datetime) -> None:
    """Keep the caller's answers on the report the moment they are given."""
    if not stored:
        return
    # A new dict, so SQLAlchemy sees the JSON column change.
    # None forgets a field (an answer the caller rejected or does not know).
    merged = {**(report.fields or {}), **stored}
    report.fields = {name: value for name, value in merged.items() if value is not None}
    if "callback_number" in stored:
        report.callback_number = stored["callback_number"]
    value = report.fields.get("value")
    report.theft_class = (
        theft_class(int(value)) if report.type == "larceny" and value is not None else None
    )
    report.updated_at = now


#: Outcomes for which the line goes on to take the report (the vendor's intake is one too).
TAKEN_BY_THE_LINE = ("tru_report", "online_report", "traffic_vendor")


def record_outcome(report: Report, outcome: str, reasons: list[str], now: datetime) -> None:
    """What triage decided for this report; a report sent to 911 or an officer is not taken."""
    report.triage = {**(report.triage or {}), "outcome": outcome, "reasons": reasons}
    if outcome not in TAKEN_BY_THE_LINE and report.status == "partial":
        report.status = "not_taken"
    report.updated_at = now


def complete(report: Report, now: datetime) -> None:
    if report.status == "partial":
        report.status = "new"
        report.completed_at = now
        report.needs_callback = False
    report.updated_at = now


def call_ended(call: Call, now: datetime) -> None:
    """A call that ends while its report is still partial leaves it for staff to call back."""
    report = call.report
    if report is not None and report.status == "partial":
        report.needs_callback = True
        report.updated_at = now


def _recording(session: Session, recording_sid: str, call_sid: str, now: datetime) -> Recording:
    found = session.scalar(select(Recording).where(Recording.recording_sid == recording_sid))
    if found is not None:
        return found
    recording = Recording(
        recording_sid=recording_sid, call_sid=call_sid, created_at=now, updated_at=now
    )
    try:
        with session.begin_nested():
            session.add(recording)
    except IntegrityError:
        found = session.scalar(select(Recording).where(Recording.recording_sid == recording_sid))
        assert found is not None
        return found
    return recording


def _link(session: Session, recording: Recording) -> None:
    if recording.report_id is None:
        call = session.scalar(select(Call).where(Call.call_sid == recording.call_sid))
        if call is not None and call.report is not None:
            recording.report = call.report


def attach_recording(
    session: Session,
    *,
    call_sid: str,
    recording_sid: str,
    now: datetime,
    url: str | None = None,
    duration: int | None = None,
    status: str | None = None,
) -> Recording:
    """Store what Twilio says of a recording, from the <Record> action or its status callback."""
    recording = _recording(session, recording_sid, call_sid, now)
    if url:
        recording.url = url
    if duration is not None:
        recording.duration_seconds = duration
    # "completed" and "absent" are final; a late "in-progress" does not undo them.
    if status and recording.status not in ("completed", "absent", "failed"):
        recording.status = status
    recording.updated_at = now
    _link(session, recording)
    return recording


def attach_transcription(
    session: Session,
    *,
    call_sid: str,
    recording_sid: str,
    now: datetime,
    text: str | None,
    status: str | None,
) -> Recording:
    recording = _recording(session, recording_sid, call_sid, now)
    if text is not None:
        recording.transcript = text
    recording.transcript_status = status or recording.transcript_status
    recording.updated_at = now
    _link(session, recording)
    return recording


def link_recordings(session: Session, call: Call) -> None:
    """Recordings whose callbacks came before the report existed join it now."""
    if call.report is None:
        return
    orphans = session.scalars(
        select(Recording).where(Recording.call_sid == call.call_sid, Recording.report_id.is_(None))
    )
    for recording in orphans:
        recording.report = call.report
