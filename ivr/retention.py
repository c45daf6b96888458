"""Retention: personal data and recordings past their time are removed; the rest stays.

What goes: phone numbers, names, the caller's words (answers, speech, transcripts, texts) and
recordings, for calls that started before the cutoff. What stays: the call and report rows with
their numbers, types, statuses, dispositions and times (the city's statistics), and the whole
audit trail, which the database keeps append-only. The purge itself is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ivr.models import Answer, Call, Recording, Report, ReportChange, TextMessage
from ivr.staff import audit

#: Report fields that are not about a person: kept for the statistics.
KEPT_FIELDS = frozenset(
    {
        "category",
        "premises",
        "value",
        "in_city",
        "evidence",
        "vehicle_involved",
        "vehicles_drivable",
    }
)


@dataclass(frozen=True)
class Purged:
    calls: int
    reports: int
    recordings: int
    texts: int


def purge(
    session: Session, *, before: datetime, now: datetime, by: str | None, dry_run: bool = False
) -> Purged:
    """Remove personal data of calls that started before `before` (again harmlessly)."""
    call_ids = list(session.scalars(select(Call.id).where(Call.started_at < before)))
    old_calls = select(Call.call_sid).where(Call.started_at < before)
    report_ids = select(Report.id).where(Report.call_id.in_(call_ids))
    counts = Purged(
        calls=len(call_ids),
        reports=len(list(session.scalars(report_ids))),
        recordings=len(
            list(session.scalars(select(Recording.id).where(Recording.call_sid.in_(old_calls))))
        ),
        texts=len(
            list(session.scalars(select(TextMessage.id).where(TextMessage.call_id.in_(call_ids))))
        ),
    )
    if dry_run:
        return counts
    session.execute(delete(Recording).where(Recording.call_sid.in_(old_calls)))
    session.execute(delete(TextMessage).where(TextMessage.call_id.in_(call_ids)))
    session.execute(
        update(Answer)
        .where(Answer.call_id.in_(call_ids))
        .values(speech=None, digits=None, response_twiml="")
    )
    session.execute(update(Call).where(Call.id.in_(call_ids)).values(caller=None, facts={}))
    for report in session.scalars(select(Report).where(Report.call_id.in_(call_ids))):
        report.caller_number = None
        report.callback_number = None
        report.fields = {k: v for k, v in (report.fields or {}).items() if k in KEPT_FIELDS}
        report.triage = {k: v for k, v in (report.triage or {}).items() if k != "reasons"}
    session.execute(
        update(ReportChange)
        .where(ReportChange.report_id.in_(report_ids))
        .values(old_value=None, new_value=None)
    )
    audit.record(
        session,
        "purge",
        now=now,
        username=by,
        object=f"calls before {before.date().isoformat()}",
        detail=(
            f"{counts.calls} calls, {counts.reports} reports, {counts.recordings} recordings, "
            f"{counts.texts} texts"
        ),
    )
    session.commit()
    return counts
