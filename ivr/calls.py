"""Call state: the rules for keeping each call's row and answers right under Twilio's retries.

Plain functions over a SQLAlchemy session; no Flask. Every write is idempotent:
- a call row is created once per CallSid, whichever webhook arrives first;
- an answer is stored once per (call, step) and carries the TwiML it was answered with, so a
  retried webhook gets the same reply instead of moving the call on twice;
- status callbacks may come twice or out of order, and a call's status never moves backwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import phonenumbers
from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ivr.models import Answer, Call, CallEvent

#: Twilio's call statuses by how far along a call is. Every terminal status ranks the same, so
#: the first one reported stands and a late "in-progress" never reopens a finished call.
STATUS_RANK = {
    "queued": 0,
    "initiated": 1,
    "ringing": 2,
    "in-progress": 3,
    "completed": 4,
    "busy": 4,
    "failed": 4,
    "no-answer": 4,
    "canceled": 4,
}
TERMINAL = frozenset(s for s, rank in STATUS_RANK.items() if rank == 4)


@lru_cache(maxsize=4096)
def to_e164(raw: str | None, region: str = "US") -> str | None:
    """A caller ID as E.164, or None when it is withheld ("anonymous") or not a phone number."""
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def us_number(e164: str | None) -> str | None:
    """The number if it is a real US number (one a callback could reach), else None."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, "US")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 1 or not phonenumbers.is_valid_number_for_region(number, "US"):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Arrival:
    """The parts of a Twilio voice request that identify a call."""

    call_sid: str
    account_sid: str | None = None
    caller: str | None = None
    called: str | None = None
    status: str | None = None


#: Built once: every webhook runs these, and building a statement costs more than running it.
#: A call's report comes in the same query, as nearly every webhook of a call reads both.
_CALL_BY_SID = (
    select(Call).options(joinedload(Call.report)).where(Call.call_sid == bindparam("call_sid"))
)
_ANSWER_AT_STEP = select(Answer).where(
    Answer.call_id == bindparam("call_id"), Answer.step == bindparam("step")
)


_CALL_AND_ANSWER_AT_STEP = (
    select(Call, Answer)
    .options(joinedload(Call.report))
    .outerjoin(Answer, and_(Answer.call_id == Call.id, Answer.step == bindparam("step")))
    .where(Call.call_sid == bindparam("call_sid"))
)


def find_call(session: Session, call_sid: str) -> Call | None:
    return session.scalar(_CALL_BY_SID, {"call_sid": call_sid})


def find_call_at_step(
    session: Session, call_sid: str, step: int
) -> tuple[Call | None, Answer | None]:
    """The call, and its answer at `step` if one is stored (a retry), in one query."""
    row = session.execute(_CALL_AND_ANSWER_AT_STEP, {"call_sid": call_sid, "step": step}).first()
    return (row[0], row[1]) if row is not None else (None, None)


def get_or_create_call(
    session: Session, arrival: Arrival, now: datetime, *, line_open: bool, flow: str
) -> Call:
    """The call's row, created on first sight. Safe when two processes race on the same call."""
    call = find_call(session, arrival.call_sid)
    if call is not None:
        return call
    call = Call(
        call_sid=arrival.call_sid,
        account_sid=arrival.account_sid,
        caller=to_e164(arrival.caller),
        called=to_e164(arrival.called),
        status=arrival.status if arrival.status in STATUS_RANK else "ringing",
        line_open=line_open,
        flow=flow,
        step=0,
        attempts=0,
        started_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(call)
    except IntegrityError:
        # Another worker stored it between our look and our insert.
        call = find_call(session, arrival.call_sid)
        assert call is not None
    return call


def stored_answer(session: Session, call: Call, step: int) -> Answer | None:
    return session.scalar(_ANSWER_AT_STEP, {"call_id": call.id, "step": step})


@dataclass(frozen=True)
class StepResult:
    twiml: str
    replayed: bool


def answer_step(
    session: Session,
    call: Call,
    step: int,
    now: datetime,
    decide: Callable[[Call], tuple[Answer, str]],
    *,
    looked: bool = False,
) -> StepResult:
    """Store the answer to `step` once and return the TwiML for it.

    `decide(call)` reads the call's state, changes it (state, step, language...) and returns the
    answer row and the TwiML reply. When the answer is already stored, a retry, `decide` is not
    called and the stored reply is returned. The answer and the call's new state are committed
    together, so the line never remembers an answer without the move it caused, or the reverse.
    `looked` says the caller has just looked for the stored answer in this transaction; a retry
    racing past that look still ends in the unique (call, step) key below.
    """
    if not looked:
        existing = stored_answer(session, call, step)
        if existing is not None:
            return StepResult(existing.response_twiml, replayed=True)
    answer, twiml = decide(call)
    # By key, not `answer.call = call`: the relationship would queue the answer on the call's
    # (unloaded) answers collection and make the flush order them, work no webhook needs.
    answer.call_id = call.id
    answer.step = step
    answer.response_twiml = twiml
    answer.received_at = now
    call.updated_at = now
    session.add(answer)
    try:
        session.commit()
    except IntegrityError:
        # A concurrent retry of this very step won the insert: give its reply, not ours.
        session.rollback()
        fresh = find_call(session, call.call_sid)
        winner = stored_answer(session, fresh, step) if fresh is not None else None
        if winner is None:
            raise
        return StepResult(winner.response_twiml, replayed=True)
    return StepResult(twiml, replayed=False)


def apply_status(
    session: Session,
    arrival: Arrival,
    now: datetime,
    *,
    duration: int | None = None,
    sequence_number: int | None = None,
    flow: str,
) -> Call:
    """Record a status callback. Repeats are ignored, late arrivals never move a call backwards."""
    status = arrival.status or ""
    call = get_or_create_call(session, arrival, now, line_open=False, flow=flow)
    if status not in STATUS_RANK:
        session.commit()
        return call
    seen = session.scalar(
        select(CallEvent).where(CallEvent.call_id == call.id, CallEvent.status == status)
    )
    if seen is None:
        try:
            with session.begin_nested():
                session.add(
                    CallEvent(
                        call=call, status=status, sequence_number=sequence_number, received_at=now
                    )
                )
        except IntegrityError:
            pass  # the same callback, delivered twice at once
    if STATUS_RANK[status] > STATUS_RANK.get(call.status, 0):
        call.status = status
        call.updated_at = now
        if status in TERMINAL:
            call.ended_at = now
    if status in TERMINAL and call.status in TERMINAL and duration is not None:
        call.duration_seconds = duration
    session.commit()
    return call
