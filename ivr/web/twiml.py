"""The one way TwiML leaves the app."""

from __future__ import annotations

from flask import Response
from twilio.twiml.voice_response import VoiceResponse


def twiml(document: VoiceResponse | str) -> Response:
    """A TwiML document as Twilio expects it: 200, text/xml, never cached by a proxy."""
    response = Response(str(document), status=200, mimetype="text/xml")
    response.headers["Cache-Control"] = "no-store"
    return response
