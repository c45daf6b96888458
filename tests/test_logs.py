"""Structured logs: JSON lines with the call SID and step, and no phone numbers."""

from __future__ import annotations

import json
import logging

import pytest

from ivr.logs import CallContext, MaskPhoneNumbers, mask_phone_numbers


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("caller +14105550123 hung up", "caller ***-***-0123 hung up"),
        ("call back at 410-555-0199", "call back at ***-***-0199"),
        ("(443) 333 1234 said", "***-***-1234 said"),
        (
            "report TRU-26-000123 and call CA0123456789abcdef",
            "report TRU-26-000123 and call CA0123456789abcdef",
        ),
    ],
)
def test_phone_numbers_are_masked(text, masked):
    assert mask_phone_numbers(text) == masked


def test_a_webhook_logs_json_with_call_sid_and_step_and_no_number(app, call, capsys, monkeypatch):
    from ivr import line as line_module

    call.dial_in()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(line_module, "advance", broken)
    call.press("1")
    lines = [json.loads(row) for row in capsys.readouterr().err.splitlines() if row.startswith("{")]
    [failure] = [row for row in lines if row["level"] == "ERROR"]
    assert failure["logger"] == "ivr.web.voice"
    assert failure["call_sid"] == call.call_sid
    assert failure["step"] == 1
    assert "RuntimeError" in failure["message"]
    assert "+14105550123" not in json.dumps(lines)


def test_numbers_in_other_handlers_records_are_masked_too(app, caplog):
    with caplog.at_level(logging.INFO, logger="ivr"):
        logging.getLogger("ivr.web.voice").info("texting %s", "+14105550123")
    assert caplog.records[-1].getMessage() == "texting ***-***-0123"


def test_filters_leave_records_usable():
    record = logging.LogRecord("ivr.x", logging.INFO, __file__, 1, "to %s", ("+14105550123",), None)
    assert MaskPhoneNumbers().filter(record) is True
    assert CallContext().filter(record) is True
    assert record.getMessage() == "to ***-***-0123"
