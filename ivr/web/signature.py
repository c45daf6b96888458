"""Only Twilio may drive the line: every Twilio route checks X-Twilio-Signature."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

log = logging.getLogger(__name__)
View = TypeVar("View", bound=Callable[..., Any])


def requested_url() -> str:
    """The URL Twilio requested, as it signed it.

    Scheme and host come from the request as ProxyFix corrected them (only when the app is told
    how many proxies to trust). Path and query are the raw bytes the client sent where the server
    keeps them, because re-quoting them can change the signed string.
    """
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw or not raw.startswith("/"):
        return request.url
    query = environ.get("QUERY_STRING", "")
    if query and "?" not in raw:
        # Some WSGI servers (and Werkzeug's test client) keep the query string apart.
        raw = f"{raw}?{query}"
    return request.host_url.rstrip("/") + raw


def is_signed_by_twilio() -> bool:
    signature = request.headers.get(SIGNATURE_HEADER, "")
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    if not signature or not token:
        return False
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    # request.form is a MultiDict: repeated parameters are all part of the signature.
    params = request.form if request.method == "POST" else {}
    return RequestValidator(token).validate(requested_url(), params, signature, algorithm)


def twilio_signed(view: View) -> View:
    """403 for any request Twilio did not sign, before the view reads or stores anything."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not is_signed_by_twilio():
            log.warning("rejected a request to %s without a valid Twilio signature", request.path)
            abort(403)
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]
