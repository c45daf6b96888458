"""Who responds to a call: SMART's outcomes, decided by rules kept as data (rules.yaml).

Plain Python: no Flask, no database. Give `decide` what is known about a call; it returns one
outcome, the Baltimore call type, the theft class where one applies, and reasons a person can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ivr.triage.theft import theft_class

RULES_FILE = Path(__file__).with_name("rules.yaml")

#: The outcomes, exactly these strings, in the order DOMAIN.md checks them.
OUTCOMES = (
    "emergency_911",
    "officer",
    "tru_report",
    "online_report",
    "traffic_vendor",
    "alternative_response",
    "alarm_no_response",
    "referral_311",
)
#: Everything a caller can say or answer that changes who responds.
FLAGS = frozenset(
    {
        "happening_now",
        "suspect_present",
        "injury",
        "medical",
        "weapon",
        "firearm",
        "threat",
        "impaired_driver",
        "violent",
        "sexual",
        "domestic",
        "missing_person",
        "known_suspect",
        "evidence_now",
    }
)
#: The flags that are emergencies wherever they are heard.
EMERGENCY_FLAGS = frozenset(
    {"happening_now", "suspect_present", "injury", "medical", "weapon", "threat", "impaired_driver"}
)
ALARM_KINDS = {
    "SILENT ALARM": "burglar",
    "AUDIBLE ALARM": "burglar",
    "HOLDUP ALARM": "holdup",
    "PANIC ALARM": "panic",
}
WINDOWS = ("calendar_year", "rolling_12_months")
CONDITIONS = frozenset(
    {
        "flags_any",
        "call_type_in",
        "value_at_least",
        "in_city",
        "line_open",
        "prefers_online",
        "alarm",
        "alarm_suspended",
    }
)
SETTINGS = ("value_cap", "false_alarm_threshold", "false_alarm_window")


class RulesError(ValueError):
    """rules.yaml is wrong; the message says where."""


@dataclass(frozen=True)
class Facts:
    """What is known about a call when it is triaged."""

    call_type: str | None = None
    flags: frozenset[str] = frozenset()
    value: int | None = None
    in_city: bool | None = None
    line_open: bool = True
    prefers_online: bool = False
    #: False alarms counted at the premises in the window (alarm calls only).
    false_alarms: int | None = None
    premises: str | None = None


@dataclass(frozen=True)
class Disposition:
    outcome: str
    call_type: str | None
    theft_class: str | None
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "disposition": self.outcome,
            "call_type": self.call_type,
            "theft_class": self.theft_class,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Rule:
    outcome: str
    conditions: Mapping[str, Any]
    because: str


@dataclass(frozen=True)
class Settings:
    value_cap: int = 1500
    false_alarm_threshold: int = 5
    false_alarm_window: str = "calendar_year"


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    otherwise: Rule
    settings: Settings = field(default_factory=Settings)
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def with_settings(self, **changes: Any) -> Rules:
        unknown = set(changes) - set(SETTINGS)
        if unknown:
            raise RulesError(f"unknown setting(s) {', '.join(sorted(unknown))}")
        given = {k: v for k, v in changes.items() if v is not None}
        settings = replace(self.settings, **given)
        _check_settings(settings)
        return replace(self, settings=settings)

    @property
    def call_types(self) -> frozenset[str]:
        return frozenset().union(*self.groups.values()) if self.groups else frozenset()


def _check_settings(settings: Settings) -> None:
    if isinstance(settings.value_cap, bool) or not isinstance(settings.value_cap, int):
        raise RulesError("settings.value_cap must be whole dollars")
    if settings.value_cap < 1:
        raise RulesError("settings.value_cap must be at least 1")
    threshold = settings.false_alarm_threshold
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise RulesError("settings.false_alarm_threshold must be a positive whole number")
    if settings.false_alarm_window not in WINDOWS:
        raise RulesError(f"settings.false_alarm_window must be one of {', '.join(WINDOWS)}")


def _rule(raw: Any, where: str, groups: Mapping[str, frozenset[str]]) -> Rule:
    if not isinstance(raw, dict) or set(raw) - {"outcome", "if", "because"}:
        raise RulesError(f"{where}: a rule has `outcome`, `if` and `because`")
    outcome = raw.get("outcome")
    if outcome not in OUTCOMES:
        raise RulesError(f"{where}: unknown outcome {outcome!r}")
    conditions = raw.get("if", {}) or {}
    if not isinstance(conditions, dict) or set(conditions) - CONDITIONS:
        raise RulesError(f"{where}: conditions must be among {', '.join(sorted(CONDITIONS))}")
    if "flags_any" in conditions:
        flags = conditions["flags_any"]
        if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
            raise RulesError(f"{where}: flags_any must be a list of flags")
        if not set(flags) <= FLAGS:
            raise RulesError(f"{where}: unknown flag(s) {', '.join(sorted(set(flags) - FLAGS))}")
    group = conditions.get("call_type_in")
    if isinstance(group, str) and group not in groups:
        raise RulesError(f"{where}: unknown call-type group {group!r}")
    if group is not None and not isinstance(group, str | list):
        raise RulesError(f"{where}: call_type_in is a group name or a list of call types")
    value = conditions.get("value_at_least")
    if isinstance(value, str) and value != "value_cap":
        raise RulesError(f"{where}: value_at_least names {value!r}; only value_cap is a value")
    if (
        value is not None
        and not isinstance(value, str)
        and (isinstance(value, bool) or not isinstance(value, int))
    ):
        raise RulesError(f"{where}: value_at_least is value_cap or whole dollars")
    for name in ("in_city", "line_open", "prefers_online", "alarm_suspended"):
        if name in conditions and not isinstance(conditions[name], bool):
            raise RulesError(f"{where}: {name} must be true or false")
    if "alarm" in conditions:
        kinds = conditions["alarm"]
        kinds = [kinds] if isinstance(kinds, str) else kinds
        known = set(ALARM_KINDS.values())
        if not isinstance(kinds, list) or not set(kinds) <= known:
            raise RulesError(f"{where}: alarm must be among {', '.join(sorted(known))}")
    because = raw.get("because")
    if not isinstance(because, str) or not because.strip():
        raise RulesError(f"{where}: every rule needs a `because` a person can read")
    return Rule(outcome, conditions, because)


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check the rules; a wrong file stops the service at start-up."""
    path = Path(path) if path else RULES_FILE
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or set(raw) != {"settings", "call_types", "rules", "otherwise"}:
        raise RulesError(f"{path.name}: needs settings, call_types, rules and otherwise")
    settings = Settings(**{k: v for k, v in (raw["settings"] or {}).items() if k in SETTINGS})
    if set(raw["settings"] or {}) - set(SETTINGS):
        raise RulesError(f"{path.name}: settings are {', '.join(SETTINGS)}")
    _check_settings(settings)
    groups = {}
    for name, types in (raw["call_types"] or {}).items():
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise RulesError(f"{path.name}: call_types.{name} must be a list of call types")
        groups[name] = frozenset(types)
    rules = tuple(_rule(r, f"{path.name} rule {i + 1}", groups) for i, r in enumerate(raw["rules"]))
    order = [OUTCOMES.index(r.outcome) for r in rules]
    if order != sorted(order):
        raise RulesError(f"{path.name}: rules must follow the outcome order {', '.join(OUTCOMES)}")
    return Rules(rules, _rule(raw["otherwise"], f"{path.name} otherwise", groups), settings, groups)


def _alarm_kind(call_type: str | None) -> str | None:
    return ALARM_KINDS.get(call_type or "")


def _holds(rule: Rule, facts: Facts, rules: Rules) -> bool:
    settings = rules.settings
    for name, want in rule.conditions.items():
        if name == "flags_any":
            if not facts.flags & set(want):
                return False
        elif name == "call_type_in":
            types = rules.groups[want] if isinstance(want, str) else set(want)
            if facts.call_type not in types:
                return False
        elif name == "value_at_least":
            floor = getattr(settings, want) if isinstance(want, str) else int(want)
            if facts.value is None or facts.value < floor:
                return False
        elif name == "in_city":
            # Unknown counts as inside: the report flows ask, and other calls are city calls.
            if (facts.in_city is not False) is not want:
                return False
        elif name == "line_open":
            if facts.line_open is not want:
                return False
        elif name == "prefers_online":
            if facts.prefers_online is not want:
                return False
        elif name == "alarm":
            kinds = {want} if isinstance(want, str) else set(want)
            if _alarm_kind(facts.call_type) not in kinds:
                return False
        elif name == "alarm_suspended":
            suspended = (facts.false_alarms or 0) >= settings.false_alarm_threshold
            if suspended is not want:
                return False
    return True


def _words(flags: frozenset[str], rule: Rule) -> str:
    named = sorted(flags & set(rule.conditions.get("flags_any", ())))
    return ", ".join(flag.replace("_", " ") for flag in named)


def _reason(rule: Rule, facts: Facts, rules: Rules) -> str:
    settings = rules.settings
    values = {
        "flags": _words(facts.flags, rule),
        "call_type": facts.call_type or "an unknown call type",
        "value": f"${facts.value:,}" if facts.value is not None else "unknown",
        "value_cap": f"${settings.value_cap:,}",
        "false_alarms": facts.false_alarms or 0,
        "threshold": settings.false_alarm_threshold,
        "window": settings.false_alarm_window.replace("_", " "),
        "alarm": _alarm_kind(facts.call_type) or "alarm",
        "why_online": "TRU closed" if not facts.line_open else "the caller prefers the web",
    }
    return rule.because.format(**values)


def decide(facts: Facts, rules: Rules) -> Disposition:
    """The first rule that holds, in the order of the outcomes."""
    unknown = facts.flags - FLAGS
    if unknown:
        raise ValueError(f"unknown flag(s) {', '.join(sorted(unknown))}")
    chosen = next((r for r in rules.rules if _holds(r, facts, rules)), rules.otherwise)
    reasons = [_reason(chosen, facts, rules)]
    if facts.premises and _alarm_kind(facts.call_type):
        reasons.append(f"premises: {facts.premises}")
    larceny = facts.call_type in ("LARCENY", "LARCENY F/AUTO", "SHOPLIFTING", "AUTO THEFT")
    klass = theft_class(facts.value) if larceny and facts.value is not None else None
    if klass:
        reasons.append(f"Maryland theft class: {klass.replace('_', ' ')}")
    return Disposition(chosen.outcome, facts.call_type, klass, tuple(reasons))
