"""`tru export`: one record per call, as JSON or CSV, for analysts and city comparisons."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ivr.models import Call, Report
from ivr.reports import CALL_TYPES

FIELDS = (
    "call_sid",
    "caller",
    "called",
    "started_at",
    "ended_at",
    "duration_seconds",
    "status",
    "language",
    "line_open",
    "disposition",
    "answers",
    "report",
)


def call_records(session: Session, *, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every call, oldest first, with its answers in order. Streams in batches."""
    query = (
        select(Call)
        .options(
            selectinload(Call.answers),
            selectinload(Call.report).selectinload(Report.recordings),
        )
        .order_by(Call.started_at, Call.id)
        .execution_options(yield_per=batch)
    )
    for call in session.scalars(query):
        yield {
            "call_sid": call.call_sid,
            "caller": call.caller,
            "called": call.called,
            "started_at": call.started_at.isoformat(),
            "ended_at": call.ended_at.isoformat() if call.ended_at else None,
            "duration_seconds": call.duration_seconds,
            "status": call.status,
            "language": call.language,
            "line_open": call.line_open,
            "disposition": call.disposition,
            "answers": [
                {
                    "step": answer.step,
                    "state": answer.state,
                    "event": answer.event,
                    "digits": answer.digits,
                    "speech": answer.speech,
                    "outcome": answer.outcome,
                    "received_at": answer.received_at.isoformat(),
                }
                for answer in call.answers
            ],
            "report": report_record(call.report) if call.report is not None else None,
        }


def report_record(report: Report) -> dict[str, Any]:
    return {
        "number": report.number,
        "type": report.type,
        "call_type": CALL_TYPES.get(report.type),
        "status": report.status,
        "language": report.language,
        "needs_callback": report.needs_callback,
        "caller_number": report.caller_number,
        "callback_number": report.callback_number,
        "theft_class": report.theft_class,
        "fields": report.fields,
        "triage": report.triage,
        "recordings": [
            {
                "recording_sid": r.recording_sid,
                "url": r.url,
                "duration_seconds": r.duration_seconds,
                "status": r.status,
                "transcript": r.transcript,
                "transcript_status": r.transcript_status,
            }
            for r in report.recordings
        ],
        "created_at": report.created_at.isoformat(),
        "completed_at": report.completed_at.isoformat() if report.completed_at else None,
    }


def write_json(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """A JSON array, one object per call, written as it streams."""
    count = 0
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_csv(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """CSV with one row per call; answers and report are JSON inside their cells."""
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    count = 0
    for record in records:
        row = dict(record)
        row["answers"] = json.dumps(record["answers"], ensure_ascii=False)
        row["report"] = json.dumps(record["report"], ensure_ascii=False)
        writer.writerow(row)
        count += 1
    return count
