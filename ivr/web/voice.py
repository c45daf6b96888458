"""Twilio voice webhooks. Thin: parse the request, ask the Line, answer with TwiML.

Every route here is signed by Twilio (403 otherwise), and none answers a caller with an error:
whatever fails behind it, the caller hears an apology and where to go next.
"""

from __future__ import annotations

import contextlib
import logging
import time
import traceback
from dataclasses import replace
from datetime import datetime

from flask import Blueprint, current_app, g, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from ivr import db, sms
from ivr.calls import Arrival
from ivr.flows import CallerInput
from ivr.line import Line
from ivr.web.courier import Courier
from ivr.web.signature import twilio_signed
from ivr.web.twiml import twiml

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/voice")
#: Where Twilio posts a text's delivery status (`text_status`).
TEXT_STATUS_PATH = "/voice/sms/status"


@bp.before_request
def start_the_clock() -> None:
    # Twilio gives up at 15 s; the database work of one webhook must finish well before.
    g.deadline = time.monotonic() + current_app.config["WEBHOOK_BUDGET"]


def step_url(step: int, language: str) -> str:
    """Where a Gather or Dial posts its result; relative to this host, as Twilio resolves it."""
    return f"/voice/step/{step}?lang={language}"


def _line() -> Line:
    return current_app.extensions["tru.line"]


def _now() -> datetime:
    return current_app.extensions["tru.clock"]()


def _arrival(form: MultiDict[str, str]) -> Arrival:
    return Arrival(
        call_sid=form.get("CallSid", "").strip()[:64],
        account_sid=form.get("AccountSid") or None,
        caller=form.get("From") or None,
        called=form.get("To") or None,
        status=form.get("CallStatus") or None,
    )


def _number(form: MultiDict[str, str], name: str) -> float | None:
    try:
        value = float(form.get(name, ""))
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


#: Durations and sequence numbers are stored in 32-bit columns; anything past them is bogus.
_LARGEST = 2**31 - 1


def _whole_number(form: MultiDict[str, str], name: str) -> int | None:
    try:
        value = int(form.get(name, ""))
    except ValueError:
        return None
    return value if 0 <= value <= _LARGEST else None


@bp.post("")
@twilio_signed
def incoming_call():
    arrival = _arrival(request.form)
    if not arrival.call_sid:
        return _technical_problem("incoming call without a CallSid")
    return _then_text(twiml(_line().answer_call(db.session(), arrival, _now())), arrival)


def _then_text(response, arrival: Arrival):
    """Texts the call queued go to the courier's threads: never sent while the caller waits,
    nor on the worker that answers the next caller's webhook."""
    line = _line()
    if line.texting is None:
        return response
    session = db.session()
    # Only a webhook that queued a text asks which of the call's texts wait: the others, nearly
    # all, cost the database nothing here. A text left queued by a worker that stopped before
    # handing it over goes with the next text sent, or `tru texts sweep` (ivr.sms.orphans).
    if not session.info.pop(sms.QUEUED_HERE, False):
        return response
    waiting = sms.pending(session, arrival.call_sid)
    if waiting:
        callback = request.host_url.rstrip("/") + TEXT_STATUS_PATH
        courier: Courier = current_app.extensions["tru.courier"]
        courier.deliver(line.texting.sender, waiting, callback)
    return response


@bp.post(TEXT_STATUS_PATH.removeprefix(bp.url_prefix or ""))
@twilio_signed
def text_status():
    """Delivery status of a text we sent (Twilio's message status callback)."""
    form = request.form
    if form.get("MessageSid"):
        sms.apply_status(
            db.session(),
            form["MessageSid"][:64],
            form.get("MessageStatus", "").strip(),
            error_code=form.get("ErrorCode") or None,
            now=_now(),
        )
    return twiml("<Response/>")


@bp.post("/step/<int:step>")
@twilio_signed
def step_answer(step: int):
    arrival = _arrival(request.form)
    if not arrival.call_sid:
        return _technical_problem("step without a CallSid")
    form = request.form
    given = CallerInput(
        digits=form.get("Digits", "").strip()[:40],
        speech=form.get("SpeechResult", "").strip()[:2000],
        confidence=_number(form, "Confidence"),
        dial_status=form.get("DialCallStatus", "").strip(),
        recording_url=form.get("RecordingUrl", "").strip()[:500],
        recording_sid=form.get("RecordingSid", "").strip()[:64],
        recording_duration=_whole_number(form, "RecordingDuration"),
    )
    if given.digits == "hangup":
        # <Record> reports a caller who hung up while recording as Digits=hangup.
        given = replace(given, digits="", hung_up=True)
    return _then_text(
        twiml(_line().answer_step(db.session(), arrival, step, given, _now())), arrival
    )


@bp.post("/recording")
@twilio_signed
def recording_status():
    """Twilio's recordingStatusCallback: may come before, during or long after the call."""
    form = request.form
    call_sid, recording_sid = form.get("CallSid", "")[:64], form.get("RecordingSid", "")[:64]
    if call_sid and recording_sid:
        _line().recording_status(
            db.session(),
            call_sid=call_sid,
            recording_sid=recording_sid,
            status=form.get("RecordingStatus") or None,
            url=form.get("RecordingUrl") or None,
            duration=_whole_number(form, "RecordingDuration"),
            now=_now(),
        )
    return twiml("<Response/>")


@bp.post("/transcription")
@twilio_signed
def transcription():
    """Twilio's transcribeCallback for the caller's recorded account."""
    form = request.form
    call_sid, recording_sid = form.get("CallSid", "")[:64], form.get("RecordingSid", "")[:64]
    if call_sid and recording_sid:
        _line().transcription(
            db.session(),
            call_sid=call_sid,
            recording_sid=recording_sid,
            text=form.get("TranscriptionText"),
            status=form.get("TranscriptionStatus") or None,
            now=_now(),
        )
    return twiml("<Response/>")


@bp.post("/status")
@twilio_signed
def call_status():
    arrival = _arrival(request.form)
    if arrival.call_sid:
        _line().call_status(
            db.session(),
            arrival,
            _now(),
            duration=_whole_number(request.form, "CallDuration"),
            sequence_number=_whole_number(request.form, "SequenceNumber"),
        )
    return twiml("<Response/>")


@bp.post("/fallback")
@twilio_signed
def fallback():
    """Twilio's fallback URL (the number's "primary handler fails"): the spoken fallback, built
    from settings alone so it works with the database down. Point the number's fallback here."""
    log.error(
        "Twilio used the fallback URL (error %s) for call %s",
        request.form.get("ErrorCode", "?")[:10],
        request.form.get("CallSid", "?")[:64],
    )
    return twiml(_line().technical_problem(request.args.get("lang"), _now()))


@bp.post("/<path:unknown>")
@twilio_signed
def unknown_route(unknown: str):
    # A number pointed at a wrong path still gets a spoken answer, not Twilio's error message.
    return _technical_problem("no such voice route")


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.code == 403:
        return exc
    return _technical_problem(f"HTTP {exc.code}")


@bp.errorhandler(Exception)
def unexpected_error(exc: Exception):
    # Messages are left out: a database error quotes the SQL parameters, which hold answers.
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))
    return _technical_problem(f"{type(exc).__name__} at {where}")


def _technical_problem(reason: str):
    with contextlib.suppress(Exception):  # the database may be the thing that is down
        db.session().rollback()
    # The call SID and path identify the call for staff; nothing the caller said is logged.
    log.error(
        "voice webhook failed (%s) at %s for call %s; caller given the spoken fallback",
        reason,
        request.path,
        request.form.get("CallSid", "?")[:64],
    )
    try:
        return twiml(_line().technical_problem(request.args.get("lang"), _now()))
    except Exception:
        log.exception("the spoken fallback itself failed; answering with the static one")
        return twiml(LAST_RESORT)


#: Said when even the fallback cannot be built: no settings, no database, no flows.
LAST_RESORT = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Say language="en-US">We are sorry. The Baltimore Police reporting line is having a '
    "technical problem. If this is an emergency, hang up and dial 9 1 1. Otherwise, please call "
    "back later.</Say>"
    '<Say language="es-US">Lo sentimos. La línea de reportes tiene un problema técnico. Si es '
    "una emergencia, cuelgue y marque el 9 1 1. Si no, por favor llame más tarde.</Say>"
    "<Hangup/></Response>"
)
