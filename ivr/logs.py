"""Structured logs: one JSON object a line, with the call SID and step, phone numbers masked.

What a caller said never goes in a log; a phone number that slips into a message is masked to
its last four digits by the filter here, whoever logged it.
"""

from __future__ import annotations

import logging
import re
import sys

from pythonjsonlogger.json import JsonFormatter

#: US numbers in the shapes they appear in: +14105550123, 410-555-0123, (410) 555 0123.
PHONE = re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?(\d{4})(?!\w)")
MASK = "***-***-"
_CONFIGURED = "_tru_json_logging"


def mask_phone_numbers(text: str) -> str:
    return PHONE.sub(lambda found: MASK + found.group(1), text)


class MaskPhoneNumbers(logging.Filter):
    """Masks phone numbers in the message and in every string field of the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_phone_numbers(record.getMessage())
        record.args = None
        for name, value in list(vars(record).items()):
            if name not in ("msg", "message", "asctime") and isinstance(value, str):
                setattr(record, name, mask_phone_numbers(value))
        return True


class CallContext(logging.Filter):
    """Adds the call SID and step of the webhook being served, when there is one."""

    def filter(self, record: logging.LogRecord) -> bool:
        from flask import has_request_context, request

        if has_request_context() and request.path.startswith("/voice"):
            if not hasattr(record, "call_sid"):
                record.call_sid = request.form.get("CallSid", "")[:64] or None
            if not hasattr(record, "step"):
                record.step = (request.view_args or {}).get("step")
        return True


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (gunicorn and test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(level: int = logging.INFO) -> None:
    """JSON logs for the `ivr` loggers on stderr, once per process."""
    logger = logging.getLogger("ivr")
    logger.setLevel(level)
    if getattr(logger, _CONFIGURED, False):
        return
    handler = _Stderr()
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger", "asctime": "time"},
        )
    )
    handler.addFilter(CallContext())
    handler.addFilter(MaskPhoneNumbers())
    logger.addHandler(handler)
    # Logger filters are not inherited: mask at every ivr logger, so records reach any other
    # handler (gunicorn's, pytest's) masked too.
    masking = MaskPhoneNumbers()
    for name, each in logging.root.manager.loggerDict.items():
        if (name == "ivr" or name.startswith("ivr.")) and isinstance(each, logging.Logger):
            each.addFilter(masking)
    setattr(logger, _CONFIGURED, True)
