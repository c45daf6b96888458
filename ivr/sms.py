"""Text the caller what they need: their report number, or the online-report link and the hours.

Plain Python: composing the texts, queueing them once per call, sending one with the `twilio`
REST client, and keeping its delivery status. No Flask; the web layer decides *when* to send
(after the TwiML has gone back to Twilio), so a caller never waits on the messaging API.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from ivr.hours import OpeningHours
from ivr.models import Call, TextMessage

log = logging.getLogger(__name__)

KINDS = ("report", "online_link")
#: Seconds to wait on Twilio's REST API (to connect, and then for each read), by default. A send
#: runs on a courier thread of the worker (ivr/web/courier.py); a hung API must give up soon, or
#: the texts queued behind it wait, and a worker told to stop waits for them.
SEND_TIMEOUT = 5.0
#: A text still sending after this long was interrupted (a killed worker, a restart) at a point
#: where nobody knows whether Twilio has it: marked for staff, never resent.
STALE_AFTER = timedelta(minutes=15)
#: A text still queued (never claimed) this long after it was queued has lost the courier that
#: was to send it (its worker stopped first): the next send, or `tru texts sweep`, sends it late.
ORPHANED_AFTER = timedelta(minutes=2)
#: A text nobody has sent within this long is marked for staff rather than sent so late.
SEND_LATE_WITHIN = timedelta(hours=24)
#: Orphans sent after one text at most, so a send never turns into a long batch.
ORPHANS_PER_PASS = 20
#: Our own statuses, before Twilio has the message (no message_sid yet).
UNSENT = ("queued", "sending")
#: GSM-7 basic set: texts within it take 160 characters a segment (153 when split).
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Twilio's message statuses by how far along they are; a late callback never moves one back.
STATUS_RANK = {
    "queued": 0,
    "sending": 1,
    "accepted": 2,
    "scheduled": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "read": 5,
    "error": 4,
}
_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "es": ("lun", "mar", "mie", "jue", "vie", "sab", "dom"),
}


def segments(text: str) -> int:
    """How many SMS segments `text` takes (GSM-7: 160/153 a segment; otherwise UCS-2: 70/67)."""
    single, multi = (160, 153) if set(text) <= GSM7 else (70, 67)
    if len(text) <= single:
        return 1
    return -(-len(text) // multi)


def _clock(t) -> str:
    suffix = "am" if t.hour < 12 else "pm"
    hour = t.hour % 12 or 12
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"


def short_hours(hours: OpeningHours, language: str) -> str:
    """ "Mon-Fri 6am-11pm": the hours in as few characters as a text needs."""
    names = _DAYS.get(language, _DAYS["en"])
    days = sorted(hours.weekdays)
    contiguous = days == list(range(days[0], days[-1] + 1))
    span = f"{names[days[0]]}-{names[days[-1]]}" if contiguous else ",".join(names[d] for d in days)
    return f"{span} {_clock(hours.opens)}-{_clock(hours.closes)}"


def _phone(e164: str) -> str:
    digits = e164[-10:]
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def compose(
    kind: str,
    language: str,
    *,
    hours: OpeningHours,
    tru_number: str,
    online_url: str,
    report_number: str | None = None,
) -> str:
    """The text, in the caller's language, within two segments (Spanish keeps to GSM-7)."""
    when = short_hours(hours, language)
    phone = _phone(tru_number)
    if kind == "report":
        if language == "es":
            return (
                f"Policia de Baltimore (TRU): su numero de reporte es {report_number}. "
                f"Mencionelo al llamar al {phone}, {when}."
            )
        return (
            f"Baltimore Police TRU: your report number is {report_number}. "
            f"Quote it when you follow up: {phone}, {when}."
        )
    if kind == "online_link":
        if language == "es":
            return (
                f"Policia de Baltimore: haga su reporte por internet en {online_url} "
                f"Por telefono (TRU): {phone}, {when}."
            )
        return (
            f"Baltimore Police: make your report online at {online_url} "
            f"By phone (TRU): {phone}, {when}."
        )
    raise ValueError(f"unknown text kind {kind!r}")


#: Set in a session's `info` when `queue` queues a text in it. The web layer then sends the call's
#: waiting texts, and on every other webhook asks the database nothing about texts.
QUEUED_HERE = "tru.texts_queued"


def queue(
    session: Session, call: Call, kind: str, *, to: str, body: str, language: str, now: datetime
) -> TextMessage:
    """The call's text of this kind, queued once: a retried webhook finds the same row."""
    found = session.scalar(
        select(TextMessage).where(TextMessage.call_id == call.id, TextMessage.kind == kind)
    )
    if found is not None:
        return found
    message = TextMessage(
        call=call,
        kind=kind,
        to=to,
        body=body,
        language=language,
        status="queued",
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        found = session.scalar(
            select(TextMessage).where(TextMessage.call_id == call.id, TextMessage.kind == kind)
        )
        assert found is not None
        return found
    session.info[QUEUED_HERE] = True
    return message


def pending(session: Session, call_sid: str) -> list[int]:
    """The call's texts still waiting to be sent. Not one Twilio already has: its own status
    is often "queued" too, but a message_sid says it was handed over."""
    return list(
        session.scalars(
            select(TextMessage.id)
            .join(Call)
            .where(
                Call.call_sid == call_sid,
                TextMessage.status == "queued",
                TextMessage.message_sid.is_(None),
            )
        )
    )


def sweep(
    session: Session,
    *,
    now: datetime,
    older_than: timedelta = STALE_AFTER,
    dry_run: bool = False,
) -> int:
    """Mark the texts that will not be sent as errors for staff; returns how many. Those stuck
    *sending* longer than `older_than` (Twilio may or may not have them, so they are never
    resent), and those still *queued* after SEND_LATE_WITHIN (younger ones are sent late, see
    `orphans`). Cheap (status is indexed) and safe beside a live send: the claim and this update
    both only move a row that is still unsent."""
    unsent = TextMessage.message_sid.is_(None)
    stuck = {
        "sending": (
            TextMessage.status == "sending",
            unsent,
            TextMessage.updated_at < now - older_than,
        ),
        "queued": (
            TextMessage.status == "queued",
            unsent,
            TextMessage.updated_at < now - max(older_than, SEND_LATE_WITHIN),
        ),
    }
    if dry_run:
        return sum(
            len(session.scalars(select(TextMessage.id).where(*where)).all())
            for where in stuck.values()
        )
    reasons = {
        "queued": "not sent: no worker sent it within a day",
        "sending": "interrupted while sending: not confirmed sent",
    }
    count = 0
    for status, where in stuck.items():
        result = session.execute(
            update(TextMessage)
            .where(*where)
            .values(
                status="error",
                error_code="interrupted",
                error_message=reasons[status],
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        count += result.rowcount or 0
    session.commit()
    if count:
        log.warning("marked %d interrupted text message(s) as not sent", count)
    return count


def orphans(session: Session, *, now: datetime, limit: int = ORPHANS_PER_PASS) -> list[int]:
    """Queued texts whose courier is gone, oldest first: never claimed ORPHANED_AFTER after they
    were queued, and recent enough (SEND_LATE_WITHIN) to be worth sending late. Nobody has
    handed them to Twilio, so sending them cannot send anything twice (the claim sees to a
    courier that is merely late)."""
    return list(
        session.scalars(
            select(TextMessage.id)
            .where(
                TextMessage.status == "queued",
                TextMessage.message_sid.is_(None),
                TextMessage.updated_at < now - ORPHANED_AFTER,
                TextMessage.updated_at >= now - SEND_LATE_WITHIN,
            )
            .order_by(TextMessage.id)
            .limit(limit)
        )
    )


def _unreachable(exc: Exception, timeout: float) -> tuple[str, str]:
    """(error_code, error_message) for staff when Twilio's API could not be used at all."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timeout", f"not sent: could not connect to Twilio within {timeout:g} s"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timeout", f"not confirmed: Twilio did not answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "unreachable", "not confirmed: the connection to Twilio failed"
    return type(exc).__name__[:20], "could not reach Twilio"


@dataclass(frozen=True)
class Sender:
    """Sends queued texts through Twilio's REST API from a number or a Messaging Service."""

    account_sid: str
    auth_token: str
    from_number: str | None = None
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    #: Where the REST API lives (tests point it at a local stand-in for Twilio).
    api_base: str | None = None
    #: Seconds to wait on the API (connect, then each read) before the text is stored as failed.
    timeout: float = SEND_TIMEOUT
    #: Each send also resolves texts stuck longer than this (None: `tru texts sweep` only).
    stale_after: timedelta | None = STALE_AFTER

    def client(self) -> Client:
        # The default TwilioHttpClient waits forever; no retries either (max_retries=None).
        client = Client(
            self.account_sid, self.auth_token, http_client=TwilioHttpClient(timeout=self.timeout)
        )
        if self.api_base:
            client.api.base_url = self.api_base
        return client

    def send(
        self,
        session: Session,
        message_id: int,
        now: datetime,
        *,
        status_callback: str | None = None,
        tidy: bool = True,
    ) -> TextMessage | None:
        """Send one queued text, once. Claimed first, so two workers never both send it. Then,
        unless told not to, `tidy` up after others: orphans sent, lost texts marked."""
        claimed = (
            session.query(TextMessage)
            .filter(
                TextMessage.id == message_id,
                TextMessage.status == "queued",
                TextMessage.message_sid.is_(None),
            )
            .update({"status": "sending", "updated_at": now}, synchronize_session=False)
        )
        session.commit()
        if not claimed:
            return None
        message = session.get(TextMessage, message_id)
        assert message is not None
        options = {"to": message.to, "body": message.body}
        if self.messaging_service_sid:
            options["messaging_service_sid"] = self.messaging_service_sid
        else:
            options["from_"] = self.from_number
        callback = status_callback or self.status_callback
        if callback:
            options["status_callback"] = callback
        # No transaction, and no pooled connection, is held while Twilio's API takes its time.
        session.commit()
        client: Client | None = None
        try:
            client = self.client()
            sent = client.messages.create(**options)
        except TwilioRestException as exc:
            # Opted out (21610), not a mobile number (21614), invalid (21211)...: kept for staff.
            message.status = "error"
            message.error_code = str(exc.code or exc.status)
            message.error_message = (exc.msg or "")[:300]
        except Exception as exc:  # the network, a timeout: kept, not retried into a flood
            message.status = "error"
            message.error_code, message.error_message = _unreachable(exc, self.timeout)
            log.warning("text message %s not sent: %s", message_id, exc)
        else:
            message.message_sid = sent.sid
            message.status = sent.status or "accepted"
            if sent.error_code:
                message.error_code = str(sent.error_code)
        finally:
            pool = getattr(client and client.http_client, "session", None)
            if pool is not None:
                pool.close()  # no sockets left open in a long-lived worker
        message.updated_at = now
        session.commit()
        if tidy and self.stale_after is not None:
            self.tidy(session, now, older_than=self.stale_after, status_callback=status_callback)
        return message

    def tidy(
        self,
        session: Session,
        now: datetime,
        *,
        older_than: timedelta = STALE_AFTER,
        status_callback: str | None = None,
    ) -> tuple[int, int]:
        """Send the orphans (texts whose courier is gone) and mark the texts that will not be
        sent for staff (`sweep`); returns (sent, marked). Never raises: tidying up other texts
        never costs the one just sent its stored status."""
        sent = marked = 0
        try:
            for message_id in orphans(session, now=now):
                sent += (
                    self.send(session, message_id, now, status_callback=status_callback, tidy=False)
                    is not None
                )
            marked = sweep(session, now=now, older_than=older_than)
        except Exception:
            session.rollback()
            log.exception("tidying up text messages failed")
        if sent:
            log.warning("sent %d text message(s) late: their worker stopped first", sent)
        return sent, marked


def apply_status(
    session: Session,
    message_sid: str,
    status: str,
    *,
    error_code: str | None,
    now: datetime,
) -> TextMessage | None:
    """A delivery status callback: stored once, never moving a message backwards."""
    message = session.scalar(select(TextMessage).where(TextMessage.message_sid == message_sid))
    if message is None or status not in STATUS_RANK:
        return message
    if STATUS_RANK[status] > STATUS_RANK.get(message.status, 0):
        message.status = status
        if error_code:
            message.error_code = error_code[:20]
        message.updated_at = now
    session.commit()
    return message
