"""The TRU line's call handling: what to answer at each webhook, as a plain service.

The HTTP layer turns a Twilio request into one of these calls and the returned TwiML into a
response. Everything here takes a database session and the time explicitly, so it is tested
without Flask and behaves the same in every worker process: nothing about a call lives in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from ivr import alarms, calls, reports, sms
from ivr.announcements import Announcer
from ivr.calls import Arrival
from ivr.flows import (
    LANGUAGES,
    CallerInput,
    FlowSet,
    RenderContext,
    Rendered,
    State,
    advance,
    render,
)
from ivr.hours import OpeningHours
from ivr.models import Answer, Call
from ivr.triage import Facts, Rules, decide
from ivr.triage.rules import ALARM_KINDS
from ivr.triage.speech import Understanding, red_flags, understand

MAIN_FLOW = "main"
ARRIVAL = "(arrival)"
#: Where a red flag heard in any answer sends the caller: a triage that ends in 911.
RED_FLAG_STATE = (MAIN_FLOW, "red_flag")
#: Where a call that arrives while the TRU is closed starts.
CLOSED_STATE = "closed"
#: Answers (stored fields) that, said "yes", are triage flags.
FIELD_FLAGS = {
    "happening_now": "happening_now",
    "anyone_hurt": "injury",
    "suspect_present": "suspect_present",
    "known_suspect": "known_suspect",
    "weapon": "weapon",
    "firearm": "firearm",
    "driver_impaired": "impaired_driver",
    # Signs of a break-in where a burglar alarm went off: it may be happening now.
    "alarm_signs": "happening_now",
}
#: Flags a caller who "doesn't know" is taken to have: an emergency is never ruled out by doubt.
DOUBT_IS_DANGER = frozenset(
    {"happening_now", "injury", "suspect_present", "weapon", "firearm", "impaired_driver"}
)

StepUrl = Callable[[int, str], str]


@dataclass(frozen=True)
class Urls:
    """Where Twilio posts: the step action, and the recording and transcription callbacks."""

    step: StepUrl
    recording: str = "/voice/recording"
    transcription: str = "/voice/transcription"


@dataclass(frozen=True)
class Texting:
    """What the line needs to text a caller: the sender and the facts the texts quote."""

    sender: sms.Sender
    hours: OpeningHours
    tru_number: str
    online_url: str

    def queue(self, session: Session, call: Call, kind: str, now: datetime) -> None:
        to = calls.us_number(call.caller)
        if to is None:
            return  # never text a number that is not a real US number the caller confirmed
        number = call.report.number if call.report is not None else None
        if kind == "report" and number is None:
            return
        body = sms.compose(
            kind,
            call.language,
            hours=self.hours,
            tru_number=self.tru_number,
            online_url=self.online_url,
            report_number=number,
        )
        sms.queue(session, call, kind, to=to, body=body, language=call.language, now=now)


@dataclass(frozen=True)
class Line:
    flows: FlowSet
    hours: OpeningHours
    announcer: Announcer
    urls: Urls
    rules: Rules
    #: Texting callers; None when messaging is not configured (and then nothing is offered).
    texting: Texting | None = None

    # -- incoming call ------------------------------------------------------------------------

    def answer_call(self, session: Session, arrival: Arrival, now: datetime) -> str:
        """TwiML for a new call: the closed-line message, or the main flow's first menu."""
        line_open = self.hours.is_open(now)
        call = calls.get_or_create_call(session, arrival, now, line_open=line_open, flow=MAIN_FLOW)

        def decide(call: Call) -> tuple[Answer, str]:
            # The hours are read when the call arrives; a call that started at 22:59 goes on.
            call.line_open = line_open
            call.flow = MAIN_FLOW
            call.step = 1
            call.attempts = 0
            # Closed: no report is taken; the caller hears when the TRU opens and other paths.
            start = self.flows[MAIN_FLOW].initial if line_open else CLOSED_STATE
            rendered = self._enter(session, call, MAIN_FLOW, start, now)
            outcome = "open" if line_open else "closed"
            return Answer(state=ARRIVAL, event="arrival", outcome=outcome), str(rendered.twiml)

        return calls.answer_step(session, call, 0, now, decide).twiml

    # -- an answer at one step ----------------------------------------------------------------

    def answer_step(
        self, session: Session, arrival: Arrival, step: int, given: CallerInput, now: datetime
    ) -> str:
        """TwiML for the caller's input at `step`, stored once however often Twilio retries."""
        call, replay = calls.find_call_at_step(session, arrival.call_sid, step)
        if call is None or call.step == 0:
            # We never saw this call start (its first webhook was lost): start it now.
            return self.answer_call(session, arrival, now)
        if replay is not None:
            return replay.response_twiml
        if step != call.step or call.state is None or call.flow not in self.flows.flows:
            # Not the step the caller is at (a stale or out-of-order request) or a call that
            # has already ended: say where the caller is, without storing anything.
            return self._current(session, call, now)

        def decide(call: Call) -> tuple[Answer, str]:
            assert call.state is not None and call.flow is not None
            flow = self.flows[call.flow]
            state = flow.states[call.state]
            move = advance(
                flow,
                call.state,
                call.attempts,
                given,
                self._facts(call),
                now=self._local(now),
                language=call.language,
            )
            if move.language:
                call.language = move.language
            answer = Answer(
                state=call.state,
                event=_event(given),
                digits=given.digits[:40] or None,
                speech=given.speech or None,
                confidence=given.confidence,
                outcome=move.outcome[:40],
            )
            if state.record is not None and given.recording_sid:
                reports.attach_recording(
                    session,
                    call_sid=call.call_sid,
                    recording_sid=given.recording_sid,
                    url=given.recording_url or None,
                    duration=given.recording_duration,
                    status="completed" if given.recording_url else None,
                    now=now,
                )
            if given.hung_up:
                # The caller is gone, so the report is not completed: they never heard its
                # number. It stays partial, with everything said and the recording, and
                # staff call back to give them the number.
                answer.outcome = "hung_up"
                call.step = step + 1
                call.state = None
                reports.call_ended(call, now)
                return answer, _hangup()
            heard = red_flags(given.speech, call.language) if given.speech else frozenset()
            if move.stored:
                merged = {**(call.facts or {}), **move.stored}
                call.facts = {name: value for name, value in merged.items() if value is not None}
                if call.report is not None:
                    reports.record_answers(call.report, move.stored, now)
                if move.stored.get("premises") == "vehicle":
                    _theft_from_a_vehicle(call)
            if heard:
                # A red flag in the caller's words, in any answer: 911 at once.
                flagged = sorted({*(call.facts or {}).get("heard_flags", []), *heard})
                call.facts = {**(call.facts or {}), "heard_flags": flagged}
                move = replace(move, flow=RED_FLAG_STATE[0], state=RED_FLAG_STATE[1], notice=None)
                answer.outcome = "red_flag"
            call.step = step + 1
            if move.outcome == "transferred":
                # The staff member and the caller have finished talking.
                call.state = None
                return answer, _hangup()
            rendered = self._enter(
                session,
                call,
                move.flow or call.flow,
                move.state,
                now,
                notice=move.notice,
                attempts=move.attempts,
            )
            return answer, str(rendered.twiml)

        return calls.answer_step(session, call, step, now, decide, looked=True).twiml

    # -- callbacks ----------------------------------------------------------------------------

    def call_status(
        self,
        session: Session,
        arrival: Arrival,
        now: datetime,
        *,
        duration: int | None,
        sequence_number: int | None,
    ) -> Call:
        call = calls.apply_status(
            session,
            arrival,
            now,
            duration=duration,
            sequence_number=sequence_number,
            flow=MAIN_FLOW,
        )
        if call.status in calls.TERMINAL:
            reports.call_ended(call, now)
            session.commit()
        return call

    def recording_status(
        self,
        session: Session,
        *,
        call_sid: str,
        recording_sid: str,
        status: str | None,
        url: str | None,
        duration: int | None,
        now: datetime,
    ) -> None:
        reports.attach_recording(
            session,
            call_sid=call_sid,
            recording_sid=recording_sid,
            url=url,
            duration=duration,
            status=status,
            now=now,
        )
        session.commit()

    def transcription(
        self,
        session: Session,
        *,
        call_sid: str,
        recording_sid: str,
        text: str | None,
        status: str | None,
        now: datetime,
    ) -> None:
        reports.attach_transcription(
            session,
            call_sid=call_sid,
            recording_sid=recording_sid,
            text=text,
            status=status,
            now=now,
        )
        session.commit()

    # -- when things go wrong -----------------------------------------------------------------

    def technical_problem(self, language: str | None, now: datetime) -> str:
        """The spoken fallback; needs no database."""
        return str(self.announcer.technical_problem(language, line_open=self.hours.is_open(now)))

    # -- helpers ------------------------------------------------------------------------------

    def _local(self, now: datetime) -> datetime:
        return now.astimezone(self.hours.timezone)

    def _facts(self, call: Call) -> dict[str, Any]:
        facts: dict[str, Any] = dict(call.facts or {})
        if call.report is not None:
            facts.update(call.report.fields or {})
        facts["caller_number"] = calls.us_number(call.caller)
        facts["can_text"] = "yes" if self.texting and facts["caller_number"] else None
        if call.report is not None:
            facts["report_number"] = call.report.number
        return facts

    def _context(self, language: str, step: int, now: datetime) -> RenderContext:
        contexts = self.announcer.contexts(now)
        base = contexts[language if language in LANGUAGES else "en"]
        localized = {lang: context.values for lang, context in contexts.items()}
        return replace(
            base,
            localized=localized,
            action_url=self.urls.step(step, base.language),
            recording_callback_url=self.urls.recording,
            transcription_callback_url=self.urls.transcription,
            now=self._local(now),
        )

    def _enter(
        self,
        session: Session,
        call: Call,
        flow_id: str,
        state_id: str,
        now: datetime,
        *,
        notice: str | None = None,
        attempts: int = 0,
    ) -> Rendered:
        """Render entering a state, applying what entering each state on the way does."""

        def on_enter(state: State) -> Mapping[str, Any]:
            if state.report:
                report = reports.open_report(
                    session, call, state.report, now, year=self._local(now).year
                )
                reports.link_recordings(session, call)
                decided = (call.facts or {}).get("triage")
                if decided and not (report.triage or {}).get("outcome"):
                    # Triaged before the report existed (the traffic vendor path).
                    reports.record_outcome(report, decided["disposition"], decided["reasons"], now)
                    report.triage = {**report.triage, "call_type": decided["call_type"]}
            if state.disposition:
                call.disposition = state.disposition
            if state.complete_report and call.report is not None:
                reports.complete(call.report, now)
            if state.text and self.texting is not None:
                self.texting.queue(session, call, state.text, now)
            return self._facts(call)

        def triage(state: State, facts: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
            return self._triage(session, call, facts, now)

        ctx = replace(self._context(call.language, call.step, now), decide=triage)
        rendered = render(
            self.flows,
            self.flows[flow_id],
            state_id,
            ctx,
            notice=notice,
            facts=self._facts(call),
            on_enter=on_enter,
        )
        call.flow = rendered.flow or call.flow
        call.state = rendered.waiting_in
        stayed = (rendered.flow, rendered.waiting_in) == (flow_id, state_id)
        call.attempts = attempts if stayed else 0
        return rendered

    def _triage(
        self, session: Session, call: Call, facts: Mapping[str, Any], now: datetime
    ) -> tuple[str, Mapping[str, Any]]:
        """Who responds, from everything the caller has said so far; kept with the call."""
        heard = understand(str(facts["reason"]), call.language) if facts.get("reason") else None
        # The hours as they were when the call arrived: a report begun at 22:55 is finished.
        result = self.triage_words(session, facts, heard, now, line_open=call.line_open)
        call.disposition = result["disposition"]
        call.facts = {**(call.facts or {}), "call_type": result["call_type"], "triage": result}
        if call.report is not None:
            reports.record_outcome(call.report, result["disposition"], result["reasons"], now)
            call.report.triage = {**call.report.triage, "call_type": result["call_type"]}
        burglar = ALARM_KINDS.get(result["call_type"] or "") == "burglar"
        alarm_call = "yes" if burglar and not facts.get("alarm_address") else None
        return result["disposition"], {"call_type": result["call_type"], "alarm_call": alarm_call}

    def triage_words(
        self,
        session: Session,
        facts: Mapping[str, Any],
        heard: Understanding | None,
        now: datetime,
        *,
        line_open: bool | None = None,
    ) -> dict[str, Any]:
        """Triage from answers and understood words. Reads the alarm registry; writes nothing."""
        flags = {
            flag
            for name, flag in FIELD_FLAGS.items()
            if facts.get(name) == "yes" or (facts.get(name) == "unsure" and flag in DOUBT_IS_DANGER)
        }
        flags |= set(facts.get("heard_flags", []))
        call_type = facts.get("call_type")
        evidence: tuple[str, ...] = ()
        prefers_online = False
        if heard is not None:
            flags |= heard.flags
            call_type = call_type or heard.call_type
            evidence = heard.evidence
            prefers_online = heard.prefers_online
        if call_type == "LARCENY" and facts.get("premises") == "vehicle":
            call_type = "LARCENY F/AUTO"
        in_city = {"yes": True, "no": False}.get(str(facts.get("in_city")))
        false_alarms = premises = None
        address = facts.get("alarm_address")
        if ALARM_KINDS.get(call_type or "") and address:
            try:
                status = alarms.alarm_status(
                    session,
                    str(address),
                    at=self._local(now).date(),
                    window=self.rules.settings.false_alarm_window,
                    threshold=self.rules.settings.false_alarm_threshold,
                )
                false_alarms, premises = status.false_alarms, status.premises
            except ValueError:
                pass  # not an address we can key: counted as none, so an officer goes
        value = facts.get("value")
        result = decide(
            Facts(
                call_type=call_type,
                flags=frozenset(flags),
                value=int(value) if value is not None else None,
                in_city=in_city,
                line_open=self.hours.is_open(now) if line_open is None else line_open,
                prefers_online=prefers_online,
                false_alarms=false_alarms,
                premises=premises,
            ),
            self.rules,
        )
        reasons = list(result.reasons) + [f"heard: {phrase}" for phrase in evidence]
        return {**result.as_dict(), "reasons": reasons}

    def _current(self, session: Session, call: Call, now: datetime) -> str:
        """Where the caller is, said again; nothing is stored or changed."""
        if call.state is None or call.flow not in self.flows.flows:
            return _hangup()
        rendered = render(
            self.flows,
            self.flows[call.flow],
            call.state,
            self._context(call.language, call.step, now),
            facts=self._facts(call),
        )
        return str(rendered.twiml)


def _event(given: CallerInput) -> str:
    if given.dial_status:
        return "dial"
    if given.recording_sid or given.recording_url:
        return "recording"
    if given.digits or given.speech:
        return "input"
    return "timeout"


def _theft_from_a_vehicle(call: Call) -> None:
    """A theft the caller says was from a vehicle is Baltimore's LARCENY F/AUTO call type.
    Triage ran before the premises question; only the call type changes, not who responds."""
    facts = dict(call.facts or {})
    if facts.get("call_type") != "LARCENY":
        return
    facts["call_type"] = "LARCENY F/AUTO"
    if isinstance(facts.get("triage"), dict):
        facts["triage"] = {**facts["triage"], "call_type": "LARCENY F/AUTO"}
    call.facts = facts
    if call.report is not None and (call.report.triage or {}).get("call_type") == "LARCENY":
        call.report.triage = {**call.report.triage, "call_type": "LARCENY F/AUTO"}


def _hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)
