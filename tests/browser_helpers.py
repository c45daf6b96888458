"""Helpers for the browser tests: the app served on a real port, a stand-in for Twilio's
recordings API, and report calls driven through the signed webhooks to give staff real reports.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urljoin

from werkzeug.serving import make_server

from tests.twilio_sim import ACCOUNT_SID, SimCall, Twilio

#: One second of silence as MP3: 39 MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, mono) of
#: 417 bytes each, a frame header and zeroed side information and data, which decode to silence.
MP3_FRAME = b"\xff\xfb\x90\xc4" + bytes(413)
FAKE_MP3 = MP3_FRAME * 39
FAKE_MP3_SECONDS = 39 * 1152 / 44100
RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


class LiveServer:
    """A Flask app served by werkzeug on 127.0.0.1 in a daemon thread."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="tru-live-server",
            daemon=True,
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@dataclass
class Fetch:
    path: str
    authorization: str | None
    range: str | None


@dataclass
class FakeRecordings:
    """Twilio's recordings API as far as the app uses it: GET a recording's MP3, whole or a
    byte range (as a browser asks for when it seeks)."""

    fetches: list[Fetch] = field(default_factory=list)

    def __post_init__(self) -> None:
        fetches = self.fetches

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                wanted = self.headers.get("Range")
                fetches.append(Fetch(self.path, self.headers.get("Authorization"), wanted))
                if not re.fullmatch(r"/2010-04-01/Accounts/AC\w+/Recordings/RE\w+\.mp3", self.path):
                    self.send_error(404)
                    return
                asked = RANGE.match(wanted or "")
                first, last = 0, len(FAKE_MP3) - 1
                if asked:
                    first = int(asked.group(1))
                    last = min(int(asked.group(2) or last), last)
                body = FAKE_MP3[first : last + 1]
                self.send_response(206 if asked else 200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(len(body)))
                if asked:
                    self.send_header("Content-Range", f"bytes {first}-{last}/{len(FAKE_MP3)}")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-twilio",
            daemon=True,
        )
        self.thread.start()

    def recording_url(self, recording_sid: str) -> str:
        return f"{self.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def lost_wallet_report(
    twilio: Twilio,
    *,
    name: str,
    item: str = "a brown leather wallet",
    recording_sid: str | None = None,
    recording_url: str | None = None,
    transcript: str | None = None,
) -> SimCall:
    """A whole lost-property call in English, as tests/test_report_calls.py makes it. With a
    recording_url the caller's recorded account points there (a fake Twilio), else the caller
    says nothing after the beep."""
    call = SimCall(twilio)
    call.dial_in()
    call.press("1")  # English
    reply = call.press("1")  # lost property
    assert reply.spoken.startswith("You are reporting something you lost."), reply.spoken
    call.press("2")  # no gun
    call.say("yes")  # in the city
    call.say(item)
    call.press("1")  # that is right
    call.press("2")  # wallet or bag
    call.say("brown leather with a silver zipper")
    call.press("#")  # no serial number
    call.press("60")
    call.say("yes")
    call.say("on the number 3 bus on Charles Street")
    call.say("yesterday afternoon")
    reply = call.say("it fell out of my pocket")
    assert "say your first and last name" in reply.spoken, reply.spoken
    call.say(name)
    call.press("1")  # call back on this number
    call.press("1")
    assert call.record_verb is not None
    if recording_url is None:
        reply = call.record_nothing()
    else:
        sid = recording_sid or "RE" + "1" * 32
        call.recording_sid = sid
        action = urljoin(call.last.url, call.record_verb.get("action") or call.last.url)
        reply = call._post(
            action,
            call.params(
                RecordingUrl=recording_url,
                RecordingSid=sid,
                RecordingDuration="31",
                Digits="#",
            ),
        )
    assert "Your report number is" in reply.spoken, reply.spoken
    call.press("2")  # no need to hear the number again
    call.hang_up()
    if transcript is not None:
        assert call.transcription_callback(transcript).status_code == 200
    return call
