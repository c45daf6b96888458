"""The webhook-parts benchmark runs whole calls and leaves the code it timed as it found it."""

from __future__ import annotations

from collections import Counter

import ivr.line
from bench import webhook_parts


def test_it_times_every_part_of_whole_calls(capsys) -> None:
    assert webhook_parts.main(["--calls", "1", "--warmup", "0", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "the app, in all" in out
    for label, _depth, _where, _name in webhook_parts.PARTS:
        assert label in out
    assert "the rest" in out


def test_the_timed_parts_are_unwrapped_afterwards() -> None:
    before = (ivr.line.render, ivr.line.Line.__dict__["_context"])
    spent: Counter[str] = Counter()
    with webhook_parts.timed_parts(spent, Counter()):
        assert ivr.line.render is not before[0]
    assert (ivr.line.render, ivr.line.Line.__dict__["_context"]) == before
