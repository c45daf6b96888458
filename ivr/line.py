"""The TRU line's call handling: what to answer at each webhook, as a plain service.

The HTTP layer turns a Twilio request into one of these calls and the returned TwiML into a
response. Everything here takes a database session and the time explicitly, so it is tested
without Flask and behaves the same in every worker process: nothing about a call lives in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from twilio.twiml.voice_response import VoiceResponse

from ivr import calls
from ivr.announcements import Announcer
from ivr.calls import Arrival
from ivr.flows import LANGUAGES, CallerInput, FlowSet, RenderContext, advance, render
from ivr.hours import OpeningHours
from ivr.models import Answer, Call

MAIN_FLOW = "main"
ARRIVAL = "(arrival)"

StepUrl = Callable[[int, str], str]


@dataclass(frozen=True)
class Line:
    flows: FlowSet
    hours: OpeningHours
    announcer: Announcer
    #: The action URL for a step number and language, e.g. "/voice/step/3?lang=es".
    step_url: StepUrl

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
            flow = self.flows[MAIN_FLOW]
            rendered = render(self.flows, flow, flow.initial, self._context(call.language, 1, now))
            call.state = rendered.waiting_in
            call.step = 1
            call.attempts = 0
            call.disposition = rendered.disposition or call.disposition
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
            return self._current(call, now)

        def decide(call: Call) -> tuple[Answer, str]:
            assert call.state is not None and call.flow is not None
            flow = self.flows[call.flow]
            move = advance(flow, call.state, call.attempts, given)
            if move.language:
                call.language = move.language
            answer = Answer(
                state=call.state,
                event="dial" if given.dial_status else ("input" if given.digits else "timeout"),
                digits=given.digits[:40] or None,
                outcome=move.outcome[:40],
            )
            call.step = step + 1
            if move.outcome == "transferred":
                # The staff member and the caller have finished talking.
                call.state = None
                return answer, _hangup()
            rendered = render(
                self.flows,
                flow,
                move.state,
                self._context(call.language, call.step, now),
                notice=move.notice,
            )
            call.state = rendered.waiting_in
            call.attempts = move.attempts if rendered.waiting_in == move.state else 0
            call.disposition = rendered.disposition or call.disposition
            return answer, str(rendered.twiml)

        return calls.answer_step(session, call, step, now, decide).twiml

    # -- status callbacks ---------------------------------------------------------------------

    def call_status(
        self,
        session: Session,
        arrival: Arrival,
        now: datetime,
        *,
        duration: int | None,
        sequence_number: int | None,
    ) -> Call:
        return calls.apply_status(
            session,
            arrival,
            now,
            duration=duration,
            sequence_number=sequence_number,
            flow=MAIN_FLOW,
        )

    # -- when things go wrong -----------------------------------------------------------------

    def technical_problem(self, language: str | None, now: datetime) -> str:
        """The spoken fallback; needs no database."""
        return str(self.announcer.technical_problem(language, line_open=self.hours.is_open(now)))

    # -- helpers ------------------------------------------------------------------------------

    def _context(self, language: str, step: int, now: datetime) -> RenderContext:
        base = self.announcer.context(language if language in LANGUAGES else "en")
        return RenderContext(
            language=base.language,
            action_url=self.step_url(step, base.language),
            voices=base.voices,
            values=base.values,
            operator_number=base.operator_number,
        )

    def _current(self, call: Call, now: datetime) -> str:
        if call.state is None or call.flow not in self.flows.flows:
            return _hangup()
        rendered = render(
            self.flows,
            self.flows[call.flow],
            call.state,
            self._context(call.language, call.step, now),
        )
        return str(rendered.twiml)


def _hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)
