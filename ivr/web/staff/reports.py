"""Staff pages: the reports queue, a report, its recordings, staff changes and exports.

Every route needs a signed-in reviewer or higher (checked by `require` on the server). Changes are
POSTs with a CSRF token (Flask-WTF checks it before the view runs), answered with a redirect back
to the report. The work is in `ivr.staff.review`; audit rows name the report and the kind of
change, never what the report says.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from ivr import db
from ivr.models import Recording, Report, ReportChange
from ivr.reports import CALL_TYPES, REPORT_TYPES
from ivr.staff import review
from ivr.triage import OUTCOMES
from ivr.web.staff import bp, log, now, require, user

#: Seconds to wait for Twilio: to connect, and between bytes of the audio.
RECORDING_TIMEOUT = (5, 30)
RECORDING_CHUNK = 64 * 1024
RANGE = re.compile(r"^bytes=\d*-\d*$")
#: Headers of Twilio's answer passed on to the browser (nothing else of Twilio's is).
RELAYED = ("Content-Length", "Content-Range", "Accept-Ranges")


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "America/New_York")


def _local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as Baltimore wall-clock time."""
    if moment is None:
        return ""
    return moment.astimezone(_zone()).strftime(fmt)


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")


def _helpers() -> dict[str, Any]:
    return {"local": _local, "words": _words}


def _error(title: str, message: str, status: int):
    return render_template("staff/error.html", title=title, message=message), status


def _filters() -> review.Filters:
    zone = current_app.config.get("TIMEZONE") or "America/New_York"
    return review.Filters.from_args(request.args, zone)


# --- the queue --------------------------------------------------------------------------------


@bp.get("/")
@require("reviewer")
def queue():
    session = db.session()
    try:
        filters = _filters()
    except review.ReviewError as exc:
        session.commit()  # keeps the session's last-activity time
        return render_template(
            "staff/queue.html",
            page=None,
            filters=review.Filters(),
            shown=request.args,
            error=str(exc),
            choices=_choices(),
            **_helpers(),
        ), 400
    raw_page = request.args.get("page", "1")
    number = int(raw_page) if raw_page.isascii() and raw_page.isdigit() else 1
    page = review.queue(session, filters, min(max(number, 1), 100_000))
    current = _current(session, page.reports)
    session.commit()
    args = filters.as_args()
    links = {
        "previous": url_for("staff.queue", **args, page=page.number - 1)
        if page.has_previous
        else None,
        "next": url_for("staff.queue", **args, page=page.number + 1) if page.has_next else None,
        "first": url_for("staff.queue", **args) if page.number > 2 else None,
        "csv": url_for("staff.export_csv", **args),
        "json": url_for("staff.export_json", **args),
    }
    return render_template(
        "staff/queue.html",
        page=page,
        current=current,
        filters=filters,
        shown=filters.as_args(),
        links=links,
        error=None,
        choices=_choices(),
        **_helpers(),
    )


def _choices() -> dict[str, Any]:
    return {
        "statuses": review.STATUSES,
        "types": REPORT_TYPES,
        "dispositions": OUTCOMES,
        "languages": {"en": "English", "es": "Spanish"},
    }


def _current(session, reports: list[Report]) -> dict[int, dict[str, Any]]:
    """Each listed report's fields as they stand after corrections (one query for the page)."""
    corrections: dict[int, list[ReportChange]] = {}
    if reports:
        for change in session.scalars(
            select(ReportChange).where(
                ReportChange.report_id.in_([r.id for r in reports]),
                ReportChange.kind == "correction",
            )
        ):
            corrections.setdefault(change.report_id, []).append(change)
    return {r.id: review.effective_values(r, corrections.get(r.id, [])) for r in reports}


# --- one report -------------------------------------------------------------------------------


def _report_or_404(number: str) -> Report:
    report = review.find_report(db.session(), number)
    if report is None:
        abort(404)
    return report


def _object(report: Report) -> str:
    return f"report {report.number}"


@bp.get("/reports/<number>")
@require("reviewer")
def report(number: str):
    session = db.session()
    found = _report_or_404(number)
    changes = review.changes_of(session, found)
    log("report_viewed", object=_object(found))
    session.commit()
    return render_template(
        "staff/report.html",
        report=found,
        call=found.call,
        fields=review.effective_fields(found, changes),
        notes=[c for c in changes if c.kind == "note"],
        callbacks=[c for c in changes if c.kind == "callback"],
        timeline=review.timeline(session, found, changes),
        recordings=found.recordings,
        texts=review.texts_of(session, found),
        call_type=(found.triage or {}).get("call_type") or CALL_TYPES.get(found.type),
        staff_statuses=review.STAFF_STATUSES,
        callback_outcomes=review.CALLBACK_OUTCOMES,
        split=review.split_value,
        playable=_playable,
        **_helpers(),
    )


def _playable(recording: Recording) -> bool:
    return bool(recording.url) and recording.status not in ("absent", "failed")


# --- the recording, through the app -----------------------------------------------------------


def _media_url(stored: str | None) -> str | None:
    """Twilio's MP3 of a recording, if the stored URL is on an allowed host; else None.

    Only HTTPS, except to a loopback address (a local stand-in for Twilio in tests)."""
    if not stored:
        return None
    parts = urlsplit(stored)
    host = (parts.hostname or "").lower()
    allowed = {h.lower() for h in current_app.config.get("RECORDING_HOSTS") or ()}
    if not host or (host not in allowed and parts.netloc.lower() not in allowed):
        return None
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        return None
    if parts.query or parts.fragment or parts.username or parts.password:
        return None
    return stored if stored.endswith(".mp3") else stored + ".mp3"


@bp.get("/reports/<number>/recordings/<recording_sid>")
@require("reviewer")
def recording(number: str, recording_sid: str):
    session = db.session()
    found = _report_or_404(number)
    chosen = next((r for r in found.recordings if r.recording_sid == recording_sid), None)
    if chosen is None or not _playable(chosen):
        abort(404)
    detail = f"recording {chosen.recording_sid}"
    source = _media_url(chosen.url)
    if source is None:
        log("recording_played", object=_object(found), outcome="refused", detail=detail)
        session.commit()
        return _error(
            "Recording not fetched",
            "This recording's address is not on Twilio's recording service, so it was not "
            "fetched. Ask an administrator to check the recording settings.",
            502,
        )
    # Identity encoding: the bytes (and Content-Length) are passed on exactly as sent.
    headers = {"Accept": "audio/mpeg", "Accept-Encoding": "identity"}
    wanted_range = request.headers.get("Range", "")
    if RANGE.match(wanted_range):
        headers["Range"] = wanted_range
    http = requests.Session()
    # Twilio may redirect (HTTP to HTTPS, or to its media store); requests drops the credentials
    # whenever a redirect leaves the host they were meant for.
    http.max_redirects = 3
    try:
        upstream = http.get(
            source,
            auth=(
                current_app.config.get("TWILIO_ACCOUNT_SID") or "",
                current_app.config.get("TWILIO_AUTH_TOKEN") or "",
            ),
            headers=headers,
            stream=True,
            timeout=RECORDING_TIMEOUT,
        )
    except requests.RequestException as exc:
        http.close()
        return _twilio_failed(found, detail, type(exc).__name__)
    if upstream.status_code not in (200, 206):
        status = upstream.status_code
        upstream.close()
        http.close()
        return _twilio_failed(found, detail, f"HTTP {status}")
    log("recording_played", object=_object(found), detail=detail)
    session.commit()

    def relay() -> Iterator[bytes]:
        try:
            yield from (chunk for chunk in upstream.iter_content(RECORDING_CHUNK) if chunk)
        except requests.RequestException:
            return  # Twilio stopped mid-way: the browser sees a short file
        finally:
            upstream.close()
            http.close()

    response = Response(relay(), status=upstream.status_code, mimetype="audio/mpeg")
    for name in RELAYED:
        if upstream.headers.get(name):
            response.headers[name] = upstream.headers[name]
    response.call_on_close(upstream.close)
    response.call_on_close(http.close)
    return response


def _twilio_failed(found: Report, detail: str, why: str):
    log("recording_played", object=_object(found), outcome="failure", detail=f"{detail} {why}")
    db.session().commit()
    return _error(
        "Recording unavailable",
        "Twilio did not provide this recording just now. Try again in a minute; if it keeps "
        "failing, the recording may have been deleted at Twilio.",
        502,
    )


# --- changes ----------------------------------------------------------------------------------


def _change(number: str, detail: str, make, done: str):
    """Run one staff change to a report, audit it (by kind, never contents), commit, and go back
    to the report with what happened."""
    session = db.session()
    found = _report_or_404(number)
    try:
        make(session, found)
    except review.ReviewError as exc:
        session.rollback()
        log("report_changed", object=_object(found), outcome="failure", detail=detail)
        session.commit()
        flash(f"Not done: {exc}.", "error")
    else:
        log("report_changed", object=_object(found), detail=detail)
        session.commit()
        flash(done, "ok")
    return redirect(url_for("staff.report", number=found.number), code=303)


def _form(name: str, limit: int = 4000) -> str:
    return (request.form.get(name) or "")[:limit]


@bp.post("/reports/<number>/correct")
@require("reviewer")
def report_correct(number: str):
    field = _form("field", 60).strip()
    shown = field if review.FIELD_NAME.match(field) else "?"

    def make(session, found):
        review.correct(session, found, field, _form("value"), by=user().username, now=now())

    return _change(number, f"field {shown}", make, f"Corrected {_words(shown)}.")


@bp.post("/reports/<number>/note")
@require("reviewer")
def report_note(number: str):
    def make(session, found):
        review.add_note(session, found, _form("note"), by=user().username, now=now())

    return _change(number, "note", make, "Note added.")


@bp.post("/reports/<number>/status")
@require("reviewer")
def report_status(number: str):
    status = _form("status", 40)
    shown = status if status in review.STAFF_STATUSES else "?"

    def make(session, found):
        review.set_status(
            session,
            found,
            status,
            by=user().username,
            now=now(),
            case_number=_form("case_number", 40),
        )

    return _change(number, f"status {shown}", make, f"Status set to {_words(shown)}.")


@bp.post("/reports/<number>/callback")
@require("reviewer")
def report_callback(number: str):
    outcome = _form("outcome", 40)
    shown = outcome if outcome in review.CALLBACK_OUTCOMES else "?"

    def make(session, found):
        review.record_callback(
            session, found, outcome, _form("note"), by=user().username, now=now()
        )

    return _change(
        number, f"callback {shown}", make, f"Callback attempt recorded: {_words(shown)}."
    )


# --- exports ----------------------------------------------------------------------------------


def _export(kind: str):
    session = db.session()
    try:
        filters = _filters()
    except review.ReviewError as exc:
        session.commit()
        return _error("Export not made", f"Filter not applied: {exc}.", 400)
    count, top = review.export_count(session, filters)
    log("export", object="reports", detail=f"{count} reports, {kind}")
    session.commit()
    factory = current_app.extensions["tru.db"]
    stamp = now().astimezone(_zone()).strftime("%Y%m%d-%H%M")

    def records() -> Iterator[dict[str, Any]]:
        with factory() as export_session:
            yield from review.export_records(export_session, filters, up_to=top)

    body = _csv(records()) if kind == "csv" else _json(records())
    mimetype = "text/csv" if kind == "csv" else "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="tru-reports-{stamp}.{kind}"'
    return response


#: Spreadsheet programs run a cell that starts with these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d.]*$")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _csv(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(review.EXPORT_FIELDS)
    yield flush()
    for record in records:
        row = dict(record)
        # A JSON object starts with "{", which no spreadsheet reads as a formula.
        row["fields"] = json.dumps(record["fields"], ensure_ascii=False)
        writer.writerow([_cell(row[name]) for name in review.EXPORT_FIELDS])
        yield flush()


def _json(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    first = True
    yield "["
    for record in records:
        yield ("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False)
        first = False
    yield "]\n" if first else "\n]\n"


@bp.get("/export.csv")
@require("reviewer")
def export_csv():
    return _export("csv")


@bp.get("/export.json")
@require("reviewer")
def export_json():
    return _export("json")
