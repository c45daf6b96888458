"""A terminal softphone: call the TRU line from a keyboard, the way Twilio would.

The softphone plays the line by printing what Twilio would speak, reads keys or
typed speech from the keyboard, signs every webhook request exactly as Twilio
does (``X-Twilio-Signature``) and follows the TwiML verb by verb.  It runs
against an in-process Flask app (:class:`InProcessTransport`) or a real URL
(:class:`HttpTransport`).  It backs the ``tru call`` command.

Input grammar (one line per prompt; see :data:`INPUT_HELP`)::

    1  /  12345#  /  1 2 3     keypresses (0-9 * #); spaces are ignored
    say my bike was stolen     speech (a line starting with "say " or a double quote;
                               other text also counts as speech where speech is accepted)
    (empty line)               silence: the Gather times out with no input
    hangup  (or Ctrl-D/Ctrl-C) the caller hangs up

At a recording prompt the line is the message; Enter presses the finish key,
an empty line records nothing, and a message ending in ``/hangup`` is recorded
and then the caller hangs up.  At a transfer prompt type ``answered [seconds]``
(or just Enter), ``no-answer``, ``busy``, ``failed`` or ``hangup``.

Where Twilio's behaviour needed a decision it is noted next to the code; the
main ones: an empty recording skips the ``<Record>`` action and continues with
the next verb (documented by Twilio); a ``<Dial>`` without ``action`` continues
with the next verb once the transfer ends; a caller hang-up during ``<Gather>``
posts no action; recording/transcription callbacks are sent right after the
``<Record>`` action request (Twilio sends them asynchronously); unknown verbs are
skipped with a warning although Twilio would fail the call.
"""

from __future__ import annotations

import math
import re
import secrets
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own webhook replies
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, NoReturn, Protocol
from urllib.parse import urlencode, urljoin, urlsplit

from twilio.request_validator import RequestValidator

__all__ = [
    "APPLICATION_ERROR_LINE",
    "DEFAULT_BASE_URL",
    "INPUT_HELP",
    "CallResult",
    "HttpTransport",
    "InProcessTransport",
    "Reply",
    "Transport",
    "run_call",
    "twilio_signature",
]

DEFAULT_BASE_URL = "https://tru.example.test"
SIGNATURE_HEADER = "X-Twilio-Signature"
USER_AGENT = "TwilioProxy/1.1 (TRU Line softphone)"
APPLICATION_ERROR_LINE = "[Twilio says: We are sorry, an application error has occurred. Goodbye.]"

INPUT_HELP = """\
How to answer the prompts:
  keys> 1          press keys: 0-9, * and # (spaces are ignored; # ends entry by default)
  keys> say hello  speak (also: a line starting with a double quote)
  keys>            an empty line is silence (the menu times out)
  hangup           hang up (Ctrl-D and Ctrl-C hang up too)
  record> ...      type the message and press Enter; end it with /hangup to hang up after it
  dial> answered   the other party answers (optionally: answered 45 for 45 seconds);
                   also no-answer, busy, failed, or hangup"""

DTMF_KEYS = frozenset("0123456789*#")
RECORD_DEFAULT_FINISH = "1234567890*#"
CHARS_PER_SECOND = 15  # typed text -> fake recording length
DEFAULT_DIAL_SECONDS = 30

# Verbs Twilio knows but this softphone does not simulate (skipped with a note).
_UNSIMULATED_VERBS = frozenset(
    {
        "Connect",
        "Echo",
        "Enqueue",
        "Leave",
        "Message",
        "Pay",
        "Prompt",
        "Refer",
        "Sms",
        "Start",
        "Stop",
    }
)


# --------------------------------------------------------------------------- transports


@dataclass(frozen=True)
class Reply:
    """An HTTP reply to a webhook request."""

    status: int
    content_type: str
    body: str


class Transport(Protocol):
    """Sends signed webhook requests the way Twilio does."""

    def post(self, url: str, params: list[tuple[str, str]]) -> Reply: ...

    def get(self, url: str) -> Reply:
        """GET ``url`` (its query string already holds the parameters), signed."""
        ...


class _Params:
    """The multi-dict shape ``RequestValidator`` understands (repeated keys kept)."""

    def __init__(self, params: Iterable[tuple[str, str]]) -> None:
        self._items = list(params)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(key for key, _ in self._items))

    def __bool__(self) -> bool:
        return bool(self._items)

    def getall(self, key: str) -> list[str]:
        return [value for name, value in self._items if name == key]


def twilio_signature(validator: RequestValidator, url: str, params: Iterable[tuple[str, str]]):
    """``X-Twilio-Signature`` for a request to ``url`` (full URL, query included)."""
    return validator.compute_signature(url, _Params(params))


class InProcessTransport:
    """Calls a Flask app in-process through its test client.

    ``request.url`` inside the app equals the URL the softphone requested: the
    scheme and host of each URL become the test client's base URL, so absolute
    URLs on any host reach the app.  ``base_url`` resolves relative start URLs.
    """

    def __init__(self, app: Any, auth_token: str, base_url: str = DEFAULT_BASE_URL) -> None:
        self.app = app
        self.base_url = base_url
        self._validator = RequestValidator(auth_token)  # the token itself is not kept

    def __repr__(self) -> str:
        return f"InProcessTransport(app={self.app!r}, base_url={self.base_url!r})"

    def post(self, url: str, params: list[tuple[str, str]]) -> Reply:
        return self._open("POST", url, params)

    def get(self, url: str) -> Reply:
        return self._open("GET", url, [])

    def _open(self, method: str, url: str, params: list[tuple[str, str]]) -> Reply:
        url = urljoin(self.base_url, url)
        parts = urlsplit(url)
        headers = {
            SIGNATURE_HEADER: twilio_signature(self._validator, url, params),
            "User-Agent": USER_AGENT,
        }
        kwargs: dict[str, Any] = {}
        if method == "POST":
            kwargs["data"] = urlencode(params)
            kwargs["content_type"] = "application/x-www-form-urlencoded"
        client = self.app.test_client()
        response = client.open(
            parts.path or "/",
            base_url=f"{parts.scheme}://{parts.netloc}",
            query_string=parts.query,
            method=method,
            headers=headers,
            **kwargs,
        )
        try:
            return Reply(
                status=response.status_code,
                content_type=response.headers.get("Content-Type", ""),
                body=response.get_data(as_text=True),
            )
        finally:
            response.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx reply is returned as is (urllib would turn a redirected POST into a GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpTransport:
    """Calls a real webhook URL with ``urllib.request`` (form-encoded POST or GET)."""

    def __init__(self, auth_token: str, timeout: float = 15.0) -> None:
        self.timeout = timeout
        self._validator = RequestValidator(auth_token)  # the token itself is not kept
        self._opener = urllib.request.build_opener(_NoRedirect())

    def __repr__(self) -> str:
        return f"HttpTransport(timeout={self.timeout!r})"

    def post(self, url: str, params: list[tuple[str, str]]) -> Reply:
        data = urlencode(params).encode("utf-8")
        request = self._request(url, params, data)
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        return self._send(request)

    def get(self, url: str) -> Reply:
        return self._send(self._request(url, [], None))

    def _request(self, url: str, params, data: bytes | None) -> urllib.request.Request:
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"only http and https URLs can be called, not {url!r}")
        return urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=data,
            method="POST" if data is not None else "GET",
            headers={
                SIGNATURE_HEADER: twilio_signature(self._validator, url, params),
                "User-Agent": USER_AGENT,
            },
        )

    def _send(self, request: urllib.request.Request) -> Reply:
        try:
            response = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as err:
            response = err
        try:
            raw = response.read()
            charset = response.headers.get_content_charset() or "utf-8"
            return Reply(
                status=response.status,
                content_type=response.headers.get("Content-Type", ""),
                body=raw.decode(charset, errors="replace"),
            )
        finally:
            response.close()


# --------------------------------------------------------------------------- the call


@dataclass
class CallResult:
    """What happened on a call."""

    call_sid: str
    requests: list[tuple[str, list[tuple[str, str]], int]] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    ended_by: str = ""
    application_error: bool = False


class _CallerHangup(Exception):
    """The caller hung up (EOF, Ctrl-C, ``hangup`` or the scripted keys ran out)."""


class _CallEnded(Exception):
    def __init__(self, ended_by: str) -> None:
        super().__init__(ended_by)
        self.ended_by = ended_by


@dataclass
class _Next:
    """The next TwiML document to request."""

    url: str
    method: str = "POST"
    params: list[tuple[str, str]] = field(default_factory=list)
    after: Callable[[], None] | None = None  # runs once the request has been answered


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _local(tag: Any) -> str:
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rsplit("}", 1)[-1]


def _method(value: str | None) -> str:
    return "GET" if (value or "").strip().upper() == "GET" else "POST"


def _int(value: str | None, default: int) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return default


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _loop_suffix(el: ET.Element) -> str:
    loop = _int(el.get("loop"), 1)
    if loop == 0:
        return " (repeats)"
    return f" (x{loop})" if loop > 1 else ""


def _speech_text(el: ET.Element) -> str:
    """The words a ``<Say>`` speaks: SSML tags dropped, their text kept."""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        tag = _local(node.tag)
        if tag == "sub" and node.get("alias"):
            parts.append(node.get("alias", ""))
        elif tag == "say-as" and node.get("interpret-as") in ("digits", "characters", "spell-out"):
            text = "".join(node.itertext())
            parts.append(" ".join(ch for ch in text if not ch.isspace()))
        else:
            parts.append(node.text or "")
            for child in node:
                walk(child)
                parts.append(child.tail or "")

    walk(el)
    text = re.sub(r"\s+", " ", " ".join(parts)).strip()
    return re.sub(r" ([.,;:!?])", r"\1", text)


def _parse_twiml(body: str) -> ET.Element:
    body = body.lstrip("\ufeff")
    try:
        return ET.fromstring(body)  # noqa: S314 - replies from the app under test
    except ET.ParseError as err:
        if "unbound prefix" not in str(err):
            raise
        # Twilio accepts undeclared SSML prefixes such as <amazon:effect>.
        return ET.fromstring(re.sub(r"<(/?)([A-Za-z_][\w.-]*):", r"<\1\2-", body))  # noqa: S314


def _voice_country(number: str) -> str:
    return "US" if number.startswith("+1") else ""


class _Call:
    def __init__(
        self,
        transport: Transport,
        *,
        caller: str,
        called: str,
        status_url: str | None,
        keys: Iterable[str] | None,
        out: Callable[[str], None],
        ask: Callable[[str], str],
        max_requests: int,
        account_sid: str,
        clock: Callable[[], float],
    ) -> None:
        self.transport = transport
        self.caller = caller
        self.called = called
        self.status_url = status_url
        self.keys = iter(keys) if keys is not None else None
        self.out = out
        self.ask = ask
        self.max_requests = max_requests
        self.account_sid = account_sid
        self.clock = clock
        self.call_status = "ringing"
        self.answered_at: float | None = None
        self.fetches = 0
        self.result = CallResult(call_sid=_sid("CA"))

    # ------------------------------------------------------------------ output and input

    def say(self, line: str) -> None:
        self.result.transcript.append(line)
        self.out(line)

    def read(self, prompt: str) -> str:
        """One line from the caller; raises _CallerHangup when the caller hangs up."""
        if self.keys is not None:
            try:
                line = next(self.keys)
            except StopIteration:
                self.say(f"{prompt}(no more scripted input)")
                raise _CallerHangup from None
            self.say(f"{prompt}{line}")
        else:
            try:
                line = self.ask(prompt)
            except (EOFError, KeyboardInterrupt):
                self.out("")  # end the prompt's line on the terminal
                self.result.transcript.append(f"{prompt}(hangs up)")
                raise _CallerHangup from None
            self.result.transcript.append(f"{prompt}{line}")
        if line.strip().lower() == "hangup":
            raise _CallerHangup
        return line

    # ------------------------------------------------------------------ requests

    def voice_params(self) -> list[tuple[str, str]]:
        return [
            ("AccountSid", self.account_sid),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", self.result.call_sid),
            ("CallStatus", self.call_status),
            ("Called", self.called),
            ("CalledCountry", _voice_country(self.called)),
            ("Caller", self.caller),
            ("CallerCountry", _voice_country(self.caller)),
            ("Direction", "inbound"),
            ("From", self.caller),
            ("FromCountry", _voice_country(self.caller)),
            ("To", self.called),
            ("ToCountry", _voice_country(self.called)),
        ]

    def _send(self, method: str, url: str, params: list[tuple[str, str]]) -> Reply:
        if method == "GET":
            query = urlencode(params)
            if query:
                url = f"{url}{'&' if '?' in url else '?'}{query}"
            reply = self.transport.get(url)
        else:
            reply = self.transport.post(url, params)
        self.result.requests.append((url, params, reply.status))
        return reply

    def fetch(self, nxt: _Next) -> ET.Element:
        """Request TwiML; the call ends on an application error or the loop limit."""
        try:
            if self.fetches >= self.max_requests:
                self.say(
                    f"[softphone: stopped after {self.max_requests} webhook requests"
                    " — the TwiML seems to loop]"
                )
                raise _CallEnded("loop-limit")
            self.fetches += 1
            params = self.voice_params() + nxt.params
            try:
                reply = self._send(nxt.method, nxt.url, params)
            except OSError as err:
                self.result.requests.append((nxt.url, params, 0))
                self.application_error(f"cannot reach {nxt.url}: {err}")
            if self.answered_at is None:
                self.answered_at = self.clock()
            if self.call_status == "ringing":
                self.call_status = "in-progress"
            if not 200 <= reply.status < 300:
                self.application_error(f"HTTP {reply.status} from {nxt.url}")
            try:
                root = _parse_twiml(reply.body)
            except ET.ParseError as err:
                self.application_error(f"the reply from {nxt.url} is not XML ({err})")
            if _local(root.tag) != "Response":
                self.application_error(
                    f"the reply from {nxt.url} is <{_local(root.tag)}>, not <Response>"
                )
            return root
        finally:
            if nxt.after is not None:
                nxt.after()

    def application_error(self, why: str) -> NoReturn:
        self.say(f"[softphone: {why}]")
        self.say(APPLICATION_ERROR_LINE)
        self.result.application_error = True
        raise _CallEnded("application-error")

    def notify(self, url: str, params: list[tuple[str, str]], method: str = "POST") -> None:
        """A callback whose reply Twilio ignores (status, recording, transcription)."""
        try:
            reply = self._send(method, url, params)
        except OSError as err:
            self.result.requests.append((url, params, 0))
            self.say(f"[softphone: warning: callback {url} failed: {err}]")
            return
        if not 200 <= reply.status < 300:
            self.say(f"[softphone: warning: callback {url} answered HTTP {reply.status}]")

    # ------------------------------------------------------------------ the call

    def run(self, start_url: str) -> CallResult:
        nxt: _Next | None = _Next(start_url)
        try:
            while nxt is not None:
                root = self.fetch(nxt)
                nxt = self.execute(root, nxt.url)
            raise _CallEnded("end-of-document")
        except _CallerHangup:
            self.say("[caller hangs up]")
            self.result.ended_by = "caller"
        except _CallEnded as end:
            self.result.ended_by = end.ended_by
            if end.ended_by == "end-of-document":
                self.say("[end of TwiML — Twilio hangs up]")
        self.finish()
        return self.result

    def finish(self) -> None:
        final_status = "completed"
        duration = 0
        if self.call_status in ("busy", "no-answer"):  # rejected before answering
            final_status = self.call_status
        elif self.answered_at is not None:
            duration = max(0, round(self.clock() - self.answered_at))
        self.call_status = final_status
        if not self.status_url:
            return
        params = self.voice_params() + [
            ("CallDuration", str(duration)),
            ("CallbackSource", "call-progress-events"),
            ("SequenceNumber", "0"),
            ("Timestamp", format_datetime(datetime.now(UTC))),
        ]
        self.notify(self.status_url, params)

    def execute(self, root: ET.Element, doc_url: str) -> _Next | None:
        """Run one document; returns the next document to fetch, or None at its end."""
        handlers: dict[str, Callable[[ET.Element, str], _Next | None]] = {
            "Say": self.verb_play,
            "Play": self.verb_play,
            "Pause": self.verb_play,
            "Gather": self.verb_gather,
            "Record": self.verb_record,
            "Dial": self.verb_dial,
            "Redirect": self.verb_redirect,
            "Hangup": self.verb_hangup,
        }
        first = True
        for el in root:
            verb = _local(el.tag)
            if not verb:
                continue  # a comment
            if verb == "Reject":
                self.reject(el, first)
            first = False
            handler = handlers.get(verb)
            if handler is None:
                if verb in _UNSIMULATED_VERBS:
                    self.say(f"[softphone: <{verb}> is not simulated — skipped]")
                else:
                    self.say(
                        f"[softphone: warning: unknown verb <{verb}> skipped"
                        " — Twilio would end the call with an application error]"
                    )
                continue
            nxt = handler(el, doc_url)
            if nxt is not None:
                return nxt
        return None

    def resolve(self, doc_url: str, url: str | None) -> str:
        return urljoin(doc_url, (url or "").strip())

    # ------------------------------------------------------------------ verbs

    def play(self, el: ET.Element) -> None:
        verb = _local(el.tag)
        if verb == "Say":
            language = el.get("language") or "en-US"
            self.say(f"[{language}] {_speech_text(el)}{_loop_suffix(el)}")
        elif verb == "Play":
            digits = el.get("digits")
            if digits:
                self.say(f"[plays DTMF tones {digits}]")
            else:
                self.say(f"[plays {(el.text or '').strip()}]{_loop_suffix(el)}")
        elif verb == "Pause":
            self.say(f"[pause {_int(el.get('length'), 1)} s]")
        else:
            self.say(f"[softphone: warning: <{verb}> cannot be nested in <Gather> — skipped]")

    def verb_play(self, el: ET.Element, doc_url: str) -> None:
        self.play(el)

    def verb_hangup(self, el: ET.Element, doc_url: str) -> NoReturn:
        self.say("[Twilio hangs up]")
        raise _CallEnded("hangup-verb")

    def reject(self, el: ET.Element, first: bool) -> NoReturn:
        # Twilio: <Reject> as the first verb of the first document leaves the call
        # unanswered, ending with status busy (reason="busy") or no-answer.  Later on,
        # the call is already answered, so it simply ends (status completed).
        busy = (el.get("reason") or "rejected").strip() == "busy"
        if first and self.fetches == 1:
            self.answered_at = None
            self.call_status = "busy" if busy else "no-answer"
        self.say("[call rejected: busy signal]" if busy else "[call rejected: not in service]")
        raise _CallEnded("reject")

    def verb_redirect(self, el: ET.Element, doc_url: str) -> _Next:
        target = (el.text or "").strip()
        if not target:
            self.say("[softphone: warning: empty <Redirect> — requesting the current document]")
        return _Next(self.resolve(doc_url, target), _method(el.get("method")))

    def verb_gather(self, el: ET.Element, doc_url: str) -> _Next | None:
        for child in el:
            if _local(child.tag):
                self.play(child)
        inputs = set((el.get("input") or "dtmf").lower().split())
        dtmf_ok = "dtmf" in inputs
        speech_ok = "speech" in inputs
        finish_key = el.get("finishOnKey", "#")
        num_digits = _int(el.get("numDigits"), 0)
        prompt = "keys/speech> " if dtmf_ok and speech_ok else "speech> " if speech_ok else "keys> "

        line = self.read(prompt).strip()
        extra: list[tuple[str, str]] = []
        compact = re.sub(r"\s+", "", line)
        if not line:
            pass  # silence
        elif line.startswith('"') or line.lower().startswith("say "):
            text = line[1:] if line.startswith('"') else line[4:]
            text = text.strip().strip('"').strip()
            if not speech_ok:
                self.say("[softphone: this menu takes keys only — speech is not heard]")
            elif text:
                extra = [("SpeechResult", text), ("Confidence", "0.9")]
        elif set(compact) <= DTMF_KEYS:
            if not dtmf_ok:
                self.say("[softphone: this menu takes speech only — keys are ignored]")
            else:
                digits, finished = self.collect_digits(compact, finish_key, num_digits)
                if digits:
                    extra = [("Digits", digits), ("FinishedOnKey", finished)]
                elif finished:
                    # Only the finish key was pressed: an empty result, like silence.
                    extra = [("FinishedOnKey", finished)]
        elif speech_ok:
            extra = [("SpeechResult", line), ("Confidence", "0.9")]
        else:
            self.say(
                "[softphone: not understood — type keys (0-9 * #), 'say <words>',"
                " an empty line for silence, or 'hangup']"
            )

        has_input = any(name in ("Digits", "SpeechResult") for name, _ in extra)
        if has_input or _is_true(el.get("actionOnEmptyResult")):
            return _Next(self.resolve(doc_url, el.get("action")), _method(el.get("method")), extra)
        self.say("[no input — continuing with the next verb]")
        return None

    @staticmethod
    def collect_digits(keys: str, finish_key: str, num_digits: int) -> tuple[str, str]:
        """Digits as Twilio collects them, and the finish key if it ended the Gather.

        The Gather ends at the finish key (not part of Digits), when numDigits keys
        have been pressed, or at the timeout (end of the line); later keys are lost.
        """
        digits = ""
        for key in keys:
            if finish_key and key == finish_key[0]:
                return digits, key
            digits += key
            if num_digits and len(digits) >= num_digits:
                break
        return digits, ""

    def verb_record(self, el: ET.Element, doc_url: str) -> _Next | None:
        if (el.get("playBeep") or "true").strip().lower() == "false":
            self.say("[recording (no beep); type the message, Enter to finish]")
        else:
            self.say("[beep — recording; type the message, Enter to finish]")
        line = self.read("record> ").strip()
        hangup_after = line.lower().endswith("/hangup")
        text = line[: -len("/hangup")].strip() if hangup_after else line
        status_url = el.get("recordingStatusCallback")
        status_method = _method(el.get("recordingStatusCallbackMethod"))
        events = (el.get("recordingStatusCallbackEvent") or "completed").replace(",", " ").split()
        rec_sid = _sid("RE")
        rec_url = (
            f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}/Recordings/{rec_sid}"
        )

        if not text:
            # Twilio: "if Twilio receives an empty recording, it will not make a
            # request to the action URL" — the call continues with the next verb.
            if status_url and "absent" in events:
                self.notify(
                    self.resolve(doc_url, status_url),
                    self.recording_params(rec_sid, rec_url, 0, "absent"),
                    status_method,
                )
            if hangup_after:
                raise _CallerHangup
            self.say("[nothing recorded — continuing with the next verb]")
            return None

        max_length = _int(el.get("maxLength"), 3600) or 3600
        duration = max(1, math.ceil(len(text) / CHARS_PER_SECOND))
        finish_keys = el.get("finishOnKey", RECORD_DEFAULT_FINISH)
        digits: str | None
        if hangup_after:
            digits = "hangup"
        elif duration >= max_length:
            self.say(f"[recording stopped at maxLength {max_length} s]")
            digits = None
        elif finish_keys:
            digits = "#" if "#" in finish_keys else finish_keys[0]
        else:
            digits = None  # no finish key: the recording ends on the silence timeout
        duration = min(duration, max_length)

        extra = [
            ("RecordingDuration", str(duration)),
            ("RecordingSid", rec_sid),
            ("RecordingUrl", rec_url),
        ]
        if digits is not None:
            extra.append(("Digits", digits))

        def callbacks() -> None:
            if status_url and "completed" in events:
                self.notify(
                    self.resolve(doc_url, status_url),
                    self.recording_params(rec_sid, rec_url, duration, "completed"),
                    status_method,
                )
            transcribe_url = el.get("transcribeCallback")
            if _is_true(el.get("transcribe")) and transcribe_url:
                tr_sid = _sid("TR")
                self.notify(
                    self.resolve(doc_url, transcribe_url),
                    self.voice_params()
                    + [
                        ("RecordingSid", rec_sid),
                        ("RecordingUrl", rec_url),
                        ("TranscriptionSid", tr_sid),
                        ("TranscriptionStatus", "completed"),
                        ("TranscriptionText", text),
                        (
                            "TranscriptionUrl",
                            f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}"
                            f"/Transcriptions/{tr_sid}",
                        ),
                    ],
                )

        action = self.resolve(doc_url, el.get("action"))
        method = _method(el.get("method"))
        if hangup_after:
            # The caller is gone: Twilio still requests the action (Digits=hangup,
            # CallStatus=completed) but ignores the TwiML it returns.
            self.call_status = "completed"
            self.notify(action, self.voice_params() + extra, method)
            callbacks()
            raise _CallerHangup
        return _Next(action, method, extra, after=callbacks)

    def verb_dial(self, el: ET.Element, doc_url: str) -> _Next | None:
        targets = []
        for child in el:
            noun = _local(child.tag)
            text = " ".join("".join(child.itertext()).split())
            if noun == "Queue":
                targets.append(f"queue {text}")
            elif noun == "Conference":
                targets.append(f"conference {text}")
            elif noun == "Client":
                targets.append(f"client {text}")
            elif noun:
                targets.append(text)
        direct = (el.text or "").strip()
        if direct:
            targets.insert(0, direct)
        self.say(f"[transferring the caller to {' and '.join(targets) or '(nobody)'}]")

        action = el.get("action")
        dial_sid = _sid("CA")
        try:
            answer = self.read("dial> ").strip().lower().split()
        except _CallerHangup:
            if action:
                # Twilio requests the Dial action when the caller hangs up, and
                # ignores the TwiML it returns.
                self.call_status = "completed"
                self.notify(
                    self.resolve(doc_url, action),
                    self.voice_params()
                    + [
                        ("DialCallDuration", "0"),
                        ("DialCallSid", dial_sid),
                        ("DialCallStatus", "completed"),
                    ],
                    _method(el.get("method")),
                )
            raise
        word = answer[0] if answer else "completed"
        status = {
            "answered": "completed",
            "answer": "completed",
            "yes": "completed",
            "y": "completed",
            "completed": "completed",
            "no-answer": "no-answer",
            "noanswer": "no-answer",
            "no": "no-answer",
            "busy": "busy",
            "failed": "failed",
            "canceled": "canceled",
        }.get(word)
        if status is None:
            self.say("[softphone: not understood — treating the transfer as answered]")
            status = "completed"
        seconds = 0
        if status == "completed":
            seconds = _int(answer[1] if len(answer) > 1 else None, DEFAULT_DIAL_SECONDS)
            self.say(f"[the other party answers; {seconds} s later they hang up]")
        elif status == "no-answer":
            self.say(f"[no answer after {_int(el.get('timeout'), 30)} s]")
        else:
            self.say(f"[transfer {status}]")

        if action:
            return _Next(
                self.resolve(doc_url, action),
                _method(el.get("method")),
                [
                    ("DialCallDuration", str(seconds)),
                    ("DialCallSid", dial_sid),
                    ("DialCallStatus", status),
                ],
            )
        # Twilio: without an action, the call continues with the next verb (and
        # ends if there is none) once the transfer is over.
        return None

    def recording_params(
        self, rec_sid: str, rec_url: str, duration: int, status: str
    ) -> list[tuple[str, str]]:
        return [
            ("AccountSid", self.account_sid),
            ("CallSid", self.result.call_sid),
            ("RecordingChannels", "1"),
            ("RecordingDuration", str(duration)),
            ("RecordingSid", rec_sid),
            ("RecordingSource", "RecordVerb"),
            ("RecordingStartTime", format_datetime(datetime.now(UTC))),
            ("RecordingStatus", status),
            ("RecordingUrl", rec_url),
        ]


def run_call(
    transport: Transport,
    start_url: str,
    *,
    caller: str = "+14105550123",
    called: str = "+14106378849",
    status_url: str | None = None,
    keys: Iterable[str] | None = None,
    out: Callable[[str], None] = print,
    ask: Callable[[str], str] = input,
    max_requests: int = 200,
    account_sid: str = "AC" + "0" * 32,
    clock: Callable[[], float] = time.monotonic,
) -> CallResult:
    """Place one call to ``start_url`` and play it through ``out``/``ask``.

    With ``keys`` the caller's lines come from that iterable (each echoed after
    its prompt so the transcript reads like a session) and the call hangs up when
    it runs out; otherwise they come from ``ask``.  ``max_requests`` bounds the
    TwiML requests (callbacks are not counted).  A relative ``start_url`` is
    resolved against the transport's ``base_url`` (if it has one), a relative
    ``status_url`` against the start URL.
    """
    base = getattr(transport, "base_url", None)
    if base:
        start_url = urljoin(base, start_url)
    if not urlsplit(start_url).scheme:
        raise ValueError(f"start_url must be absolute, not {start_url!r}")
    if status_url:
        status_url = urljoin(start_url, status_url)
    call = _Call(
        transport,
        caller=caller,
        called=called,
        status_url=status_url,
        keys=keys,
        out=out,
        ask=ask,
        max_requests=max_requests,
        account_sid=account_sid,
        clock=clock,
    )
    return call.run(start_url)
