"""Test doubles for Twilio's side of a call: signed webhook posts, and a caller who follows TwiML.

`Twilio` signs form posts exactly as Twilio does and checks every TwiML reply against Twilio's
schema. `SimCall` plays one caller: it starts the call at /voice and then follows the Gather or
Dial action of each reply, as Twilio would, so a test reads like a phone call.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

BASE_URL = "https://tru.example.test"
ACCOUNT_SID = "AC" + "a" * 32
_sids = itertools.count(1)


def new_call_sid() -> str:
    return f"CA{next(_sids):032x}"


class TwimlSchemaError(AssertionError):
    pass


@dataclass
class Twilio:
    client: object
    auth_token: str
    schema: object | None = None  # lxml XMLSchema, when ../shared/twiml-xsd is present
    base_url: str = BASE_URL
    #: Wait, after each reply, for the texts it handed to the app's courier, so a test reads
    #: what was sent at once. Off, a test sees the reply as the caller does, texts still going.
    wait_for_texts: bool = True

    def sign(self, url: str, params: Iterable[tuple[str, str]]) -> str:

        return RequestValidator(self.auth_token).compute_signature(url, MultiDict(list(params)))

    def post(
        self,
        path_or_url: str,
        params: dict[str, str] | list[tuple[str, str]],
        *,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        signed_url: str | None = None,
    ):
        """POST form params as Twilio would, signed for the URL (or `signed_url` if given)."""
        url = urljoin(self.base_url + "/", path_or_url)
        pairs = list(params.items()) if isinstance(params, dict) else list(params)
        all_headers = {"X-Twilio-Signature": signature or self.sign(signed_url or url, pairs)}
        all_headers.update(headers or {})
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = self.client.post(  # type: ignore[attr-defined]
            path,
            data=MultiDict(pairs),
            headers=all_headers,
            base_url=f"{parts.scheme}://{parts.netloc}",
        )
        response.get_data()  # buffer the body, then close as a real server does (call_on_close)
        response.close()
        courier = self.client.application.extensions.get("tru.courier")  # type: ignore[attr-defined]
        if self.wait_for_texts and courier is not None:
            assert courier.drain(timeout=30), "texts still sending after 30 s"
        if response.mimetype == "text/xml":
            self.check_schema(response.get_data(as_text=True))
        return response

    def check_schema(self, body: str) -> None:
        if self.schema is None:
            return
        from lxml import etree

        document = etree.fromstring(body.encode())
        if not self.schema.validate(document):  # type: ignore[attr-defined]
            raise TwimlSchemaError(
                f"TwiML fails Twilio's schema: {self.schema.error_log.last_error}\n{body}"
            )  # type: ignore[attr-defined]


@dataclass
class Reply:
    """One TwiML reply, parsed, with the text a caller would hear."""

    status: int
    body: str
    url: str
    root: ElementTree.Element = field(init=False)

    def __post_init__(self) -> None:
        self.root = ElementTree.fromstring(self.body)

    @property
    def spoken(self) -> str:
        return " ".join(" ".join(say.itertext()).strip() for say in self.root.iter("Say"))

    @property
    def verbs(self) -> list[str]:
        return [child.tag for child in self.root]

    @property
    def gather(self) -> ElementTree.Element | None:
        return self.root.find("Gather")

    @property
    def next_action(self) -> str | None:
        for verb in self.root:
            if verb.tag in ("Gather", "Dial") and verb.get("action"):
                return urljoin(self.url, verb.get("action"))
        return None

    @property
    def hangs_up(self) -> bool:
        return self.verbs[-1:] == ["Hangup"]


@dataclass
class SimCall:
    """A caller on the line. Each method makes the request Twilio would make next."""

    twilio: Twilio
    caller: str = "+14105550123"
    called: str = "+14106378849"
    call_sid: str = field(default_factory=new_call_sid)
    replies: list[Reply] = field(default_factory=list)
    requests: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    def params(self, status: str = "in-progress", **extra: str) -> list[tuple[str, str]]:
        base = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": self.call_sid,
            "From": self.caller,
            "To": self.called,
            "Caller": self.caller,
            "Called": self.called,
            "CallStatus": status,
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
        }
        base.update(extra)
        return list(base.items())

    @property
    def last(self) -> Reply:
        return self.replies[-1]

    def _post(self, url: str, params: list[tuple[str, str]]) -> Reply:
        self.requests.append((url, params))
        response = self.twilio.post(url, params)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/xml"
        reply = Reply(response.status_code, response.get_data(as_text=True), url)
        self.replies.append(reply)
        return reply

    def dial_in(self) -> Reply:
        return self._post(f"{self.twilio.base_url}/voice", self.params("ringing"))

    def press(self, digits: str) -> Reply:
        """Key presses at the current Gather (Twilio posts Digits to its action)."""
        action = self.last.next_action
        assert action, f"nothing is waiting for keys:\n{self.last.body}"
        return self._post(action, self.params(Digits=digits))

    def say(self, words: str, confidence: float = 0.92) -> Reply:
        """Speech at the current Gather: Twilio posts SpeechResult and Confidence."""
        gather = self.last.gather
        assert gather is not None and "speech" in (gather.get("input") or ""), self.last.body
        return self._post(
            self.last.next_action or "",
            self.params(SpeechResult=words, Confidence=f"{confidence:.2f}"),
        )

    def silence(self) -> Reply:
        """The caller says nothing: the Gather's actionOnEmptyResult posts without Digits."""
        gather = self.last.gather
        assert gather is not None and gather.get("actionOnEmptyResult") == "true", self.last.body
        return self._post(self.last.next_action or "", self.params())

    @property
    def record_verb(self) -> ElementTree.Element:
        verb = self.last.root.find("Record")
        assert verb is not None, f"nothing is recording:\n{self.last.body}"
        return verb

    def record(self, duration: int = 25, recording_sid: str = "RE" + "1" * 32) -> Reply:
        """The caller speaks after the beep and presses #: Twilio posts the recording."""
        self.recording_sid = recording_sid
        action = urljoin(self.last.url, self.record_verb.get("action") or self.last.url)
        return self._post(
            action,
            self.params(
                RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"
                f"/Recordings/{recording_sid}",
                RecordingSid=recording_sid,
                RecordingDuration=str(duration),
                Digits="#",
            ),
        )

    def record_nothing(self) -> Reply:
        """Silence after the beep: Twilio skips the action and runs the next verb, a Redirect."""
        self.record_verb  # noqa: B018 - asserts a recording was asked for
        redirect = self.last.root.find("Redirect")
        assert redirect is not None and redirect.text, self.last.body
        return self._post(urljoin(self.last.url, redirect.text), self.params())

    def recording_callback(self, status: str = "completed", duration: int = 25, **extra: str):
        """Twilio's recordingStatusCallback; it may come late, after the call has ended."""
        url = urljoin(self.twilio.base_url + "/voice", self.record_url("recordingStatusCallback"))
        sid = getattr(self, "recording_sid", "RE" + "1" * 32)
        params = self.params(
            "completed",
            RecordingSid=sid,
            RecordingStatus=status,
            RecordingDuration=str(duration),
            RecordingUrl=f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}",
            **extra,
        )
        return self.twilio.post(url, params)

    def transcription_callback(self, text: str, status: str = "completed"):
        url = urljoin(self.twilio.base_url + "/voice", self.record_url("transcribeCallback"))
        sid = getattr(self, "recording_sid", "RE" + "1" * 32)
        params = self.params(
            "completed", RecordingSid=sid, TranscriptionText=text, TranscriptionStatus=status
        )
        return self.twilio.post(url, params)

    def record_url(self, attribute: str) -> str:
        for reply in reversed(self.replies):
            verb = reply.root.find("Record")
            if verb is not None and verb.get(attribute):
                return verb.get(attribute) or ""
        raise AssertionError(f"no <Record {attribute}> was ever given")

    def dial_result(self, status: str) -> Reply:
        action = self.last.next_action
        assert action and self.last.root.find("Dial") is not None, self.last.body
        return self._post(action, self.params(DialCallStatus=status, DialCallDuration="0"))

    def retry_last(self) -> Reply:
        """Twilio retrying the request it just made (a timeout on its side, say)."""
        url, params = self.requests[-1]
        return self._post(url, params)

    def hang_up(self, duration: int = 30) -> None:
        response = self.twilio.post(
            "/voice/status",
            self.params("completed", CallDuration=str(duration), SequenceNumber="3"),
        )
        assert response.status_code == 200
