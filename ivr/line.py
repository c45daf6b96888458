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

from ivr import calls, reports
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

MAIN_FLOW = "main"
ARRIVAL = "(arrival)"
#: Eligibility answers that, said "yes", keep a report from being taken by phone.
RED_FLAGS = ("happening_now", "anyone_hurt", "suspect_present", "weapon", "driver_impaired")

StepUrl = Callable[[int, str], str]


@dataclass(frozen=True)
class Urls:
    """Where Twilio posts: the step action, and the recording and transcription callbacks."""

    step: StepUrl
    recording: str = "/voice/recording"
    transcription: str = "/voice/transcription"


@dataclass(frozen=True)
class Line:
    flows: FlowSet
    hours: OpeningHours
    announcer: Announcer
    urls: Urls

    # -- incoming call ------------------------------------------------------------------------

    def answer_call(self, session: Session, arrival: Arrival, now: datetime) -> str:
        """TwiML for a new call: the closed-line message, or the main flow's first menu."""
        line_open = self.hours.is_open(now)
        call = calls.get_or_create_call(session, arrival, now, line_open=line_open, flow=MAIN_FLOW)

        def decide(call: Call) -> tuple[Answer, str]:
            # The hours are read when the call arrives; a call that started at 22:59 goes on.
            call.line_open = line_open
            call.flow = MAIN_FLOW
            if not line_open:
                call.state = None
                call.step = 1
                call.disposition = "online_report"
                twiml = str(self.announcer.closed(now))
                return Answer(state=ARRIVAL, event="arrival", outcome="closed"), twiml
            call.step = 1
            call.attempts = 0
            flow = self.flows[MAIN_FLOW]
            rendered = self._enter(session, call, MAIN_FLOW, flow.initial, now)
            return Answer(state=ARRIVAL, event="arrival", outcome="open"), str(rendered.twiml)

        return calls.answer_step(session, call, 0, now, decide).twiml

    # -- an answer at one step ----------------------------------------------------------------

    def answer_step(
        self, session: Session, arrival: Arrival, step: int, given: CallerInput, now: datetime
    ) -> str:
        """TwiML for the caller's input at `step`, stored once however often Twilio retries."""
        call = calls.find_call(session, arrival.call_sid)
        if call is None or call.step == 0:
            # We never saw this call start (its first webhook was lost): start it now.
            return self.answer_call(session, arrival, now)
        replay = calls.stored_answer(session, call, step)
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
            if move.stored and call.report is not None:
                reports.record_answers(call.report, move.stored, now)
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

        return calls.answer_step(session, call, step, now, decide).twiml

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
        facts: dict[str, Any] = dict(call.report.fields) if call.report is not None else {}
        facts["caller_number"] = calls.us_number(call.caller)
        if call.report is not None:
            facts["report_number"] = call.report.number
        return facts

    def _context(self, language: str, step: int, now: datetime) -> RenderContext:
        base = self.announcer.context(language if language in LANGUAGES else "en")
        return replace(
            base,
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
                reports.open_report(session, call, state.report, now, year=self._local(now).year)
                reports.link_recordings(session, call)
            if state.disposition:
                call.disposition = state.disposition
                if call.report is not None:
                    fields = call.report.fields or {}
                    reasons = [
                        f"{flag.replace('_', ' ')}: yes"
                        for flag in RED_FLAGS
                        if fields.get(flag) == "yes"
                    ]
                    reports.record_outcome(call.report, state.disposition, reasons, now)
            if state.complete_report and call.report is not None:
                reports.complete(call.report, now)
            return self._facts(call)

        rendered = render(
            self.flows,
            self.flows[flow_id],
            state_id,
            self._context(call.language, call.step, now),
            notice=notice,
            facts=self._facts(call),
            on_enter=on_enter,
        )
        call.flow = rendered.flow or call.flow
        call.state = rendered.waiting_in
        stayed = (rendered.flow, rendered.waiting_in) == (flow_id, state_id)
        call.attempts = attempts if stayed else 0
        return rendered

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


def _hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)
