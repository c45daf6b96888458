"""Score ivr.triage.speech on the labelled sets: run `.venv/bin/python bench/triage_eval.py`.

Scores the labelled set (tests/triage_utterances.yaml), the held-out set
(tests/triage_heldout.yaml) and the blind set (tests/triage_blind.yaml, labelled before tuning)
one after the other. For each it prints per-outcome accuracy
(understand, then decide), call-type accuracy, flag precision and recall, emergency recall, the
non-emergencies sent to 911, and latency. Exits 1 when emergency recall is below 100% on any set:
an emergency routed anywhere but 911 is the one mistake the line must not make.

Options: --no-fuzzy scores without the fuzzy snapping of misheard words (to see what it buys);
--given-language passes each item's language instead of detecting it; --set FILE (repeatable)
scores those sets, in the same format, instead of the three; --show-misses lists every item
understood wrongly.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from ivr.triage.rules import EMERGENCY_FLAGS, FLAGS, OUTCOMES, Facts, decide, load_rules
from ivr.triage.speech import _understand

TESTS = Path(__file__).resolve().parents[1] / "tests"
DEFAULT_SET = TESTS / "triage_utterances.yaml"
HELDOUT_SET = TESTS / "triage_heldout.yaml"
BLIND_SET = TESTS / "triage_blind.yaml"
DEFAULT_SETS = (DEFAULT_SET, HELDOUT_SET, BLIND_SET)


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "   n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, action="append", dest="sets", metavar="FILE")
    parser.add_argument("--no-fuzzy", action="store_true")
    parser.add_argument("--given-language", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)

    rules = load_rules()
    fuzzy = not args.no_fuzzy
    _understand("warm up", None, fuzzy=fuzzy)  # first-call costs are not a caller's wait
    summary = []
    for number, path in enumerate(args.sets or DEFAULT_SETS):
        if number:
            print()
            print("=" * 72)
            print()
        summary.append((path.name, *score(path, args, rules, fuzzy)))
    if len(summary) > 1:
        print()
        print("=" * 72)
        for name, caught, emergencies, wrong_911, others in summary:
            recall = 100.0 * caught / emergencies if emergencies else 100.0
            print(
                f"{name:<26} emergency recall {caught}/{emergencies} = {recall:.1f}%, "
                f"non-emergencies sent to 911 {wrong_911}/{others}"
            )
    return 0 if all(caught == emergencies for _, caught, emergencies, _, _ in summary) else 1


def score(path: Path, args: argparse.Namespace, rules, fuzzy: bool) -> tuple[int, int, int, int]:
    """Print the figures for one set; (emergencies caught, emergencies, non-emergencies sent to
    911, non-emergencies)."""
    items: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["utterances"]

    per_outcome: Counter[str] = Counter()
    per_outcome_ok: Counter[str] = Counter()
    type_ok = exact_ok = language_ok = 0
    true_pos: Counter[str] = Counter()
    false_pos: Counter[str] = Counter()
    false_neg: Counter[str] = Counter()
    emergencies = emergencies_caught = false_alarms_911 = 0
    times: list[float] = []
    misses: list[str] = []

    for item in items:
        language = item["language"] if args.given_language else None
        started = time.perf_counter()
        heard = _understand(item["text"], language, fuzzy=fuzzy)
        times.append((time.perf_counter() - started) * 1000)
        facts = Facts(
            call_type=heard.call_type,
            flags=heard.flags,
            false_alarms=item.get("false_alarms"),
            prefers_online=heard.prefers_online,
            line_open=True,
        )
        outcome = decide(facts, rules).outcome
        want_flags = frozenset(item["flags"])

        per_outcome[item["outcome"]] += 1
        per_outcome_ok[item["outcome"]] += outcome == item["outcome"]
        type_ok += heard.call_type == item["call_type"]
        exact = heard.call_type == item["call_type"] and heard.flags == want_flags
        exact_ok += exact
        language_ok += heard.language == item["language"]
        for flag in FLAGS:
            if flag in heard.flags and flag in want_flags:
                true_pos[flag] += 1
            elif flag in heard.flags:
                false_pos[flag] += 1
            elif flag in want_flags:
                false_neg[flag] += 1
        if item["outcome"] == "emergency_911":
            emergencies += 1
            emergencies_caught += outcome == "emergency_911"
        elif outcome == "emergency_911":
            false_alarms_911 += 1
        if not exact or outcome != item["outcome"]:
            misses.append(
                f"  {item['text']!r}\n    want {item['call_type']} {sorted(want_flags)} -> "
                f"{item['outcome']}\n    got  {heard.call_type} {sorted(heard.flags)} -> {outcome}"
            )

    n = len(items)
    languages = Counter(item["language"] for item in items)
    print(f"set: {path.name}: {n} utterances ({languages['en']} en, {languages['es']} es)")
    print(
        f"settings: fuzzy={'on' if fuzzy else 'off'}, "
        f"language={'given' if args.given_language else 'detected'}"
    )
    print()
    print(f"{'outcome':<22}{'n':>5}{'correct':>9}{'%':>8}")
    all_ok = 0
    for name in OUTCOMES:
        total, ok = per_outcome[name], per_outcome_ok[name]
        all_ok += ok
        print(f"{name:<22}{total:>5}{ok:>9}{pct(ok, total):>8}")
    print(f"{'all':<22}{n:>5}{all_ok:>9}{pct(all_ok, n):>8}")
    print()
    print(f"call type accuracy:     {type_ok}/{n} {pct(type_ok, n)}")
    print(f"exact (type and flags): {exact_ok}/{n} {pct(exact_ok, n)}")
    print(f"language detected:      {language_ok}/{n} {pct(language_ok, n)}")
    print()
    print(f"{'flag':<18}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>9}")
    for flag in sorted(FLAGS, key=lambda f: (f not in EMERGENCY_FLAGS, f)):
        tp, fp, fn = true_pos[flag], false_pos[flag], false_neg[flag]
        mark = " *" if flag in EMERGENCY_FLAGS else ""
        print(f"{flag + mark:<18}{tp:>5}{fp:>5}{fn:>5}{pct(tp, tp + fp):>11}{pct(tp, tp + fn):>9}")
    tp, fp, fn = sum(true_pos.values()), sum(false_pos.values()), sum(false_neg.values())
    print(f"{'all flags':<18}{tp:>5}{fp:>5}{fn:>5}{pct(tp, tp + fp):>11}{pct(tp, tp + fn):>9}")
    print("  (* an emergency flag)")
    print()
    recall = 100.0 * emergencies_caught / emergencies if emergencies else 100.0
    print(f"emergency recall: {emergencies_caught}/{emergencies} = {recall:.1f}%")
    print(f"non-emergencies sent to 911: {false_alarms_911}/{n - emergencies}")
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    print(
        f"latency per utterance: p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, "
        f"max {times[-1]:.2f} ms"
    )
    if args.show_misses and misses:
        print()
        print(f"misses ({len(misses)}):")
        print("\n".join(misses))
    return emergencies_caught, emergencies, false_alarms_911, n - emergencies


if __name__ == "__main__":
    sys.exit(main())
