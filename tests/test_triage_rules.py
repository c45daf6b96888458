"""SMART triage as data (ivr/triage/rules.py + rules.yaml): every rule, the order of the outcomes,
the value cap and Maryland theft classes, the false-alarm rule, the open/closed switch, and the
checks `load_rules` makes so that a wrong rules file stops the service at start-up.

Call-type lists and reason strings are written out here, not read from rules.yaml, so a change to
the file that changes who responds fails a test.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ivr.triage.rules import (
    EMERGENCY_FLAGS,
    FLAGS,
    OUTCOMES,
    RULES_FILE,
    Disposition,
    Facts,
    Rule,
    Rules,
    RulesError,
    Settings,
    decide,
    load_rules,
)

TRU_TYPES = (
    "LOST PROPERTY",
    "LARCENY",
    "LARCENY F/AUTO",
    "SHOPLIFTING",
    "DESTRUCT PROPTY",
    "AUTO THEFT",
    "HIT AND RUN",
)
THEFT_TYPES = ("LARCENY", "LARCENY F/AUTO", "SHOPLIFTING", "AUTO THEFT")
NOT_THEFT_TRU_TYPES = ("LOST PROPERTY", "DESTRUCT PROPTY", "HIT AND RUN")
ALWAYS_911_TYPES = (
    "AUTO ACC/INJURY",
    "DWI",
    "SHOOTING",
    "ROBBERY",
    "AGG. ASSAULT",
    "ASSAULT BY THREAT",
    "ARSON",
    "RAPE",
    "HOMICIDE",
)
OFFICER_TYPES = (
    "COMMON ASSAULT",
    "FAMILY DISTURB",
    "BURGLARY",
    "MISSING PERSON",
    "SEX OFFENSE",
    "SUSPICIOUS PERS",
    "DISORDERLY",
)
ALTERNATIVE_TYPES = ("BEHAVIOR CRISIS", "CHECK WELL BEING")
NUISANCE_TYPES = ("LOUD MUSIC", "PRKG COMPLAINT", "ABANDONED VEH", "CIVIL MATTER")
BURGLAR_ALARMS = ("SILENT ALARM", "AUDIBLE ALARM")
NEVER_SUSPENDED_ALARMS = (("HOLDUP ALARM", "holdup"), ("PANIC ALARM", "panic"))

OTHERWISE = "no rule matched the call → officer (non-emergency line)"
OUT_OF_CITY = "happened outside Baltimore City, not a TRU report → officer (non-emergency line)"
FIREARM = "firearm involved → officer"
TRAFFIC = "traffic accident with no injury and no impaired driver → traffic vendor"
ALL_CONDITIONS = (
    "alarm, alarm_suspended, call_type_in, flags_any, in_city, line_open, prefers_online, "
    "value_at_least"
)
ORDER = (
    "emergency_911, officer, tru_report, online_report, traffic_vendor, alternative_response, "
    "alarm_no_response, referral_311"
)


def facts(call_type: str | None = None, *flags: str, **known) -> Facts:
    return Facts(call_type=call_type, flags=frozenset(flags), **known)


def tru(call_type: str) -> str:
    return f"{call_type}, nothing above applies, TRU open → TRU report"


def online(call_type: str, why: str = "TRU closed") -> str:
    return f"{call_type}, nothing above applies, {why} → online report"


def cap(value: str, value_cap: str = "$1,500") -> str:
    return f"stolen value {value} is at or above the {value_cap} cap → officer"


def alarm_officer(count: int, threshold: int = 5, window: str = "calendar year") -> str:
    return (
        f"burglar alarm at a premises with {count} false alarms ({window}), "
        f"under {threshold} → officer"
    )


def alarm_off(count: int, threshold: int = 5, window: str = "calendar year") -> str:
    return (
        f"burglar alarm at a premises with {count} false alarms ({window}), "
        f"{threshold} or more → no police response"
    )


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


#: A stand-in `otherwise` that tells "no rule held" apart from every real reason.
NOTHING_HELD = Rule("referral_311", {}, "NOTHING HELD")


def rules_that_hold(f: Facts, rules: Rules) -> list[int]:
    """Indices (0-based) of every rule in rules.yaml whose conditions hold for these facts."""
    held = []
    for index, rule in enumerate(rules.rules):
        alone = dataclasses.replace(rules, rules=(rule,), otherwise=NOTHING_HELD)
        if decide(f, alone).reasons[0] != "NOTHING HELD":
            held.append(index)
    return held


# ---------------------------------------------------------------------------------------------
# 1. Each rule in rules.yaml, with facts that make exactly that rule the one that decides.
# ---------------------------------------------------------------------------------------------

#: (index of the rule in rules.yaml, facts, outcome, first reason)
EACH_RULE = [
    pytest.param(
        0,
        facts("LOST PROPERTY", "happening_now"),
        "emergency_911",
        "happening now → 911",
        id="r01-emergency-flag",
    ),
    pytest.param(
        1,
        facts("ROBBERY"),
        "emergency_911",
        "ROBBERY is an emergency call type → 911",
        id="r02-emergency-call-type",
    ),
    pytest.param(
        2,
        facts("LOST PROPERTY", "firearm"),
        "officer",
        FIREARM,
        id="r03-firearm",
    ),
    pytest.param(
        3,
        facts("LARCENY", "domestic"),
        "officer",
        "domestic → officer",
        id="r04-violent-sexual-domestic-missing",
    ),
    pytest.param(
        4,
        facts("LARCENY", "known_suspect"),
        "officer",
        "suspect known to the caller → officer",
        id="r05-known-suspect",
    ),
    pytest.param(
        5,
        facts("LARCENY F/AUTO", "evidence_now"),
        "officer",
        "evidence that must be collected now → officer",
        id="r06-evidence-now",
    ),
    pytest.param(
        6,
        facts("BURGLARY"),
        "officer",
        "BURGLARY needs an officer → officer",
        id="r07-officer-call-type",
    ),
    pytest.param(
        7,
        facts("LARCENY", value=2000),
        "officer",
        cap("$2,000"),
        id="r08-value-cap",
    ),
    pytest.param(
        8,
        facts("AUDIBLE ALARM", false_alarms=2),
        "officer",
        alarm_officer(2),
        id="r09-burglar-alarm-not-suspended",
    ),
    pytest.param(
        9,
        facts("HOLDUP ALARM"),
        "officer",
        "holdup alarms always get an officer → officer",
        id="r10-holdup-panic-alarm",
    ),
    pytest.param(
        10,
        facts("LARCENY", in_city=False),
        "officer",
        OUT_OF_CITY,
        id="r11-outside-city",
    ),
    pytest.param(
        11,
        facts("LOST PROPERTY"),
        "tru_report",
        tru("LOST PROPERTY"),
        id="r12-tru-report",
    ),
    pytest.param(
        12,
        facts("LOST PROPERTY", line_open=False),
        "online_report",
        online("LOST PROPERTY"),
        id="r13-online-report",
    ),
    pytest.param(
        13,
        facts("AUTO ACCIDENT"),
        "traffic_vendor",
        TRAFFIC,
        id="r14-traffic-vendor",
    ),
    pytest.param(
        14,
        facts("BEHAVIOR CRISIS"),
        "alternative_response",
        "BEHAVIOR CRISIS with no weapon or violence → alternative responders",
        id="r15-alternative-response",
    ),
    pytest.param(
        15,
        facts("SILENT ALARM", false_alarms=7),
        "alarm_no_response",
        alarm_off(7),
        id="r16-alarm-no-response",
    ),
    pytest.param(
        16,
        facts("LOUD MUSIC"),
        "referral_311",
        "LOUD MUSIC is a city-services matter → 311",
        id="r17-referral-311",
    ),
]


@pytest.mark.parametrize(("index", "f", "outcome", "reason"), EACH_RULE)
def test_each_rule_decides_with_its_outcome_and_reason(
    rules: Rules, index: int, f: Facts, outcome: str, reason: str
) -> None:
    assert rules.rules[index].outcome == outcome
    assert rules_that_hold(f, rules)[0] == index
    decided = decide(f, rules)
    assert decided.outcome == outcome
    assert decided.reasons[0] == reason
    assert decided.call_type == f.call_type


def test_every_rule_in_the_file_has_a_case_above(rules: Rules) -> None:
    assert sorted(p.values[0] for p in EACH_RULE) == list(range(len(rules.rules)))
    assert len(rules.rules) == 17


def test_rules_file_outcomes_in_order(rules: Rules) -> None:
    assert [r.outcome for r in rules.rules] == [
        "emergency_911",
        "emergency_911",
        *["officer"] * 9,
        "tru_report",
        "online_report",
        "traffic_vendor",
        "alternative_response",
        "alarm_no_response",
        "referral_311",
    ]
    assert rules.otherwise.outcome == "officer"
    assert rules.otherwise.because == OTHERWISE


def test_emergency_rule_names_exactly_the_emergency_flags(rules: Rules) -> None:
    assert set(rules.rules[0].conditions["flags_any"]) == EMERGENCY_FLAGS
    emergency = EMERGENCY_FLAGS
    assert emergency == {
        "happening_now",
        "suspect_present",
        "injury",
        "medical",
        "weapon",
        "threat",
        "impaired_driver",
    }
    assert EMERGENCY_FLAGS < FLAGS
    others = FLAGS - EMERGENCY_FLAGS
    assert others == {
        "firearm",
        "violent",
        "sexual",
        "domestic",
        "missing_person",
        "known_suspect",
        "evidence_now",
    }


def test_call_type_groups_loaded(rules: Rules) -> None:
    assert dict(rules.groups) == {
        "tru": frozenset(TRU_TYPES),
        "theft": frozenset(THEFT_TYPES),
        "traffic": frozenset({"AUTO ACCIDENT"}),
        "always_911": frozenset(ALWAYS_911_TYPES),
        "officer": frozenset(OFFICER_TYPES),
        "alternative": frozenset(ALTERNATIVE_TYPES),
        "alarms": frozenset(BURGLAR_ALARMS + ("HOLDUP ALARM", "PANIC ALARM")),
        "nuisance": frozenset(NUISANCE_TYPES),
    }
    assert len(rules.call_types) == 34  # theft is inside tru
    assert "AUTO ACCIDENT" in rules.call_types


@pytest.mark.parametrize("flag", sorted(EMERGENCY_FLAGS))
def test_each_emergency_flag_is_911(rules: Rules, flag: str) -> None:
    decided = decide(facts("LARCENY", flag), rules)
    assert decided.outcome == "emergency_911"
    assert decided.reasons == (f"{flag.replace('_', ' ')} → 911",)


@pytest.mark.parametrize("flag", ["violent", "sexual", "domestic", "missing_person"])
def test_each_officer_matter_flag(rules: Rules, flag: str) -> None:
    decided = decide(facts("LOST PROPERTY", flag), rules)
    assert decided.outcome == "officer"
    assert decided.reasons == (f"{flag.replace('_', ' ')} → officer",)


def test_several_flags_are_named_sorted_and_only_the_rules_own(rules: Rules) -> None:
    decided = decide(facts("LARCENY", "weapon", "happening_now", "firearm", "violent"), rules)
    assert decided.reasons[0] == "happening now, weapon → 911"
    decided = decide(facts("LARCENY", "violent", "domestic", "known_suspect"), rules)
    assert decided.reasons[0] == "domestic, violent → officer"


@pytest.mark.parametrize("call_type", ALWAYS_911_TYPES)
def test_always_911_call_types(rules: Rules, call_type: str) -> None:
    decided = decide(facts(call_type), rules)
    assert decided.outcome == "emergency_911"
    assert decided.reasons == (f"{call_type} is an emergency call type → 911",)


@pytest.mark.parametrize("call_type", OFFICER_TYPES)
def test_officer_call_types(rules: Rules, call_type: str) -> None:
    decided = decide(facts(call_type), rules)
    assert decided.outcome == "officer"
    assert decided.reasons == (f"{call_type} needs an officer → officer",)


@pytest.mark.parametrize("call_type", ALTERNATIVE_TYPES)
def test_alternative_call_types(rules: Rules, call_type: str) -> None:
    decided = decide(facts(call_type), rules)
    assert decided.outcome == "alternative_response"
    assert decided.reasons == (f"{call_type} with no weapon or violence → alternative responders",)


@pytest.mark.parametrize("call_type", NUISANCE_TYPES)
def test_nuisance_call_types(rules: Rules, call_type: str) -> None:
    decided = decide(facts(call_type), rules)
    assert decided.outcome == "referral_311"
    assert decided.reasons == (f"{call_type} is a city-services matter → 311",)


@pytest.mark.parametrize("flag", ["injury", "impaired_driver"])
def test_auto_accident_without_red_flags_is_vendor(rules: Rules, flag: str) -> None:
    assert decide(facts("AUTO ACCIDENT"), rules).reasons == (TRAFFIC,)
    assert decide(facts("AUTO ACCIDENT", flag), rules).outcome == "emergency_911"


# ---------------------------------------------------------------------------------------------
# 2. Order: where two rules both hold, the earlier outcome wins.
# ---------------------------------------------------------------------------------------------

ORDER_CASES = [
    pytest.param(
        facts("LOST PROPERTY", "weapon"),
        "emergency_911",
        "weapon → 911",
        id="emergency-flag-on-lost-property",
    ),
    pytest.param(
        facts("LARCENY", "firearm", value=5000),
        "officer",
        FIREARM,
        id="firearm-beats-value-cap",
    ),
    pytest.param(
        facts("SILENT ALARM", "happening_now", false_alarms=9),
        "emergency_911",
        "happening now → 911",
        id="suspended-burglar-alarm-happening-now",
    ),
    pytest.param(
        facts("AUDIBLE ALARM", "suspect_present", false_alarms=1),
        "emergency_911",
        "suspect present → 911",
        id="burglar-alarm-suspect-present",
    ),
    pytest.param(
        facts("AUTO ACCIDENT", "injury"),
        "emergency_911",
        "injury → 911",
        id="auto-accident-injury",
    ),
    pytest.param(
        facts("AUTO ACCIDENT", "impaired_driver"),
        "emergency_911",
        "impaired driver → 911",
        id="auto-accident-impaired-driver",
    ),
    pytest.param(
        facts("BEHAVIOR CRISIS", "weapon"),
        "emergency_911",
        "weapon → 911",
        id="behavior-crisis-weapon",
    ),
    pytest.param(
        facts("BEHAVIOR CRISIS", "violent"),
        "officer",
        "violent → officer",
        id="behavior-crisis-violent",
    ),
    pytest.param(
        facts("CHECK WELL BEING", "medical"),
        "emergency_911",
        "medical → 911",
        id="welfare-check-medical",
    ),
    pytest.param(
        facts("LOUD MUSIC", "threat"),
        "emergency_911",
        "threat → 911",
        id="nuisance-threat",
    ),
    pytest.param(
        facts("PRKG COMPLAINT", "known_suspect"),
        "officer",
        "suspect known to the caller → officer",
        id="nuisance-known-suspect",
    ),
    pytest.param(
        facts("ROBBERY", "firearm"),
        "emergency_911",
        "ROBBERY is an emergency call type → 911",
        id="emergency-type-beats-firearm",
    ),
    pytest.param(
        facts("ROBBERY", "weapon"),
        "emergency_911",
        "weapon → 911",
        id="emergency-flag-rule-before-emergency-type-rule",
    ),
    pytest.param(
        facts("BURGLARY", "firearm"),
        "officer",
        FIREARM,
        id="firearm-before-officer-call-type",
    ),
    pytest.param(
        facts("LARCENY", "firearm", "violent", "known_suspect", "evidence_now"),
        "officer",
        FIREARM,
        id="firearm-first-of-officer-rules",
    ),
    pytest.param(
        facts("LARCENY", "violent", "known_suspect"),
        "officer",
        "violent → officer",
        id="violent-before-known-suspect",
    ),
    pytest.param(
        facts("LARCENY", "known_suspect", "evidence_now"),
        "officer",
        "suspect known to the caller → officer",
        id="known-suspect-before-evidence",
    ),
    pytest.param(
        facts("LARCENY", "evidence_now", value=3000),
        "officer",
        "evidence that must be collected now → officer",
        id="evidence-before-value-cap",
    ),
    pytest.param(
        facts("LARCENY", value=3000, in_city=False),
        "officer",
        cap("$3,000"),
        id="value-cap-before-outside-city",
    ),
    pytest.param(
        facts("LARCENY", in_city=False, line_open=False),
        "officer",
        OUT_OF_CITY,
        id="outside-city-beats-online-when-closed",
    ),
    pytest.param(
        facts("SHOPLIFTING", in_city=False, prefers_online=True),
        "officer",
        OUT_OF_CITY,
        id="outside-city-beats-prefers-online",
    ),
    pytest.param(
        facts("LARCENY", "known_suspect", line_open=False),
        "officer",
        "suspect known to the caller → officer",
        id="officer-beats-online-when-closed",
    ),
    pytest.param(
        facts("LOST PROPERTY", "firearm", value=5000, line_open=False),
        "officer",
        FIREARM,
        id="lost-firearm-when-closed",
    ),
]


@pytest.mark.parametrize(("f", "outcome", "reason"), ORDER_CASES)
def test_earlier_outcome_wins(rules: Rules, f: Facts, outcome: str, reason: str) -> None:
    assert len(rules_that_hold(f, rules)) >= 2  # the case really is a contest
    decided = decide(f, rules)
    assert decided.outcome == outcome
    assert decided.reasons[0] == reason


def test_firearm_over_cap_still_records_theft_class(rules: Rules) -> None:
    decided = decide(facts("LARCENY", "firearm", value=5000), rules)
    assert decided.theft_class == "felony_1500_to_25000"
    assert decided.reasons == (FIREARM, "Maryland theft class: felony 1500 to 25000")


# ---------------------------------------------------------------------------------------------
# 3. The value cap and Maryland theft classes.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "outcome", "reason"),
    [
        (None, "tru_report", tru("LARCENY")),
        (0, "tru_report", tru("LARCENY")),
        (1499, "tru_report", tru("LARCENY")),
        (1500, "officer", cap("$1,500")),
        (1501, "officer", cap("$1,501")),
        (250000, "officer", cap("$250,000")),
    ],
)
def test_value_cap_edge_for_larceny(rules: Rules, value, outcome: str, reason: str) -> None:
    decided = decide(facts("LARCENY", value=value), rules)
    assert decided.outcome == outcome
    assert decided.reasons[0] == reason


@pytest.mark.parametrize("call_type", THEFT_TYPES)
def test_value_cap_applies_to_every_theft_type(rules: Rules, call_type: str) -> None:
    assert decide(facts(call_type, value=1499), rules).outcome == "tru_report"
    assert decide(facts(call_type, value=1500), rules).reasons[0] == cap("$1,500")


@pytest.mark.parametrize("call_type", NOT_THEFT_TRU_TYPES)
def test_value_cap_is_about_stolen_value_only(rules: Rules, call_type: str) -> None:
    decided = decide(facts(call_type, value=5000), rules)
    assert decided.outcome == "tru_report"
    assert decided.theft_class is None
    assert decided.reasons == (tru(call_type),)


def test_lost_property_value_5000_is_tru_report(rules: Rules) -> None:
    decided = decide(facts("LOST PROPERTY", value=5000), rules)
    assert decided == Disposition(
        "tru_report",
        "LOST PROPERTY",
        None,
        ("LOST PROPERTY, nothing above applies, TRU open → TRU report",),
    )


def test_with_settings_value_cap_moves_the_edge(rules: Rules) -> None:
    lower = rules.with_settings(value_cap=1000)
    assert lower.settings.value_cap == 1000
    assert decide(facts("LARCENY", value=999), lower).outcome == "tru_report"
    decided = decide(facts("LARCENY", value=1000), lower)
    assert decided.outcome == "officer"
    assert decided.reasons == (
        cap("$1,000", "$1,000"),
        "Maryland theft class: misdemeanor 100 to 1500",  # the class does not follow the cap
    )
    # The rules it came from are unchanged.
    assert rules.settings.value_cap == 1500
    assert decide(facts("LARCENY", value=1000), rules).outcome == "tru_report"


def test_with_settings_value_cap_raised(rules: Rules) -> None:
    higher = rules.with_settings(value_cap=25000)
    assert decide(facts("LARCENY", value=24999), higher).outcome == "tru_report"
    assert decide(facts("LARCENY", value=25000), higher).reasons[0] == cap("$25,000", "$25,000")


THEFT_TIERS = [
    (99, "misdemeanor_under_100", "misdemeanor under 100"),
    (100, "misdemeanor_100_to_1500", "misdemeanor 100 to 1500"),
    (1499, "misdemeanor_100_to_1500", "misdemeanor 100 to 1500"),
    (1500, "felony_1500_to_25000", "felony 1500 to 25000"),
    (24999, "felony_1500_to_25000", "felony 1500 to 25000"),
    (25000, "felony_25000_to_100000", "felony 25000 to 100000"),
    (99999, "felony_25000_to_100000", "felony 25000 to 100000"),
    (100000, "felony_100000_or_more", "felony 100000 or more"),
]


@pytest.mark.parametrize(("value", "klass", "words"), THEFT_TIERS)
def test_theft_class_for_each_maryland_tier(rules: Rules, value: int, klass: str, words: str):
    decided = decide(facts("LARCENY", value=value), rules)
    assert decided.theft_class == klass
    first = tru("LARCENY") if value < 1500 else cap(f"${value:,}")
    assert decided.reasons == (first, f"Maryland theft class: {words}")


@pytest.mark.parametrize("call_type", THEFT_TYPES)
def test_theft_class_on_every_theft_type(rules: Rules, call_type: str) -> None:
    decided = decide(facts(call_type, value=30000), rules)
    assert decided.theft_class == "felony_25000_to_100000"
    assert decided.reasons[1] == "Maryland theft class: felony 25000 to 100000"


@pytest.mark.parametrize("value", [99, 1500, 100000])
def test_no_theft_class_for_lost_property(rules: Rules, value: int) -> None:
    decided = decide(facts("LOST PROPERTY", value=value), rules)
    assert decided.theft_class is None
    assert len(decided.reasons) == 1
    assert not any("theft class" in r for r in decided.reasons)


def test_no_theft_class_without_a_value(rules: Rules) -> None:
    decided = decide(facts("LARCENY"), rules)
    assert decided.theft_class is None
    assert decided.reasons == (tru("LARCENY"),)


def test_theft_class_recorded_on_an_emergency_larceny(rules: Rules) -> None:
    decided = decide(facts("LARCENY", "suspect_present", value=150), rules)
    assert decided.outcome == "emergency_911"
    assert decided.theft_class == "misdemeanor_100_to_1500"
    assert decided.reasons == (
        "suspect present → 911",
        "Maryland theft class: misdemeanor 100 to 1500",
    )


# ---------------------------------------------------------------------------------------------
# 4. False alarms (Ordinance 22-161).
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call_type", BURGLAR_ALARMS)
@pytest.mark.parametrize(
    ("count", "outcome", "reason"),
    [
        (None, "officer", alarm_officer(0)),
        (0, "officer", alarm_officer(0)),
        (4, "officer", alarm_officer(4)),
        (5, "alarm_no_response", alarm_off(5)),
        (6, "alarm_no_response", alarm_off(6)),
    ],
)
def test_burglar_alarm_threshold(rules: Rules, call_type: str, count, outcome, reason) -> None:
    decided = decide(facts(call_type, false_alarms=count), rules)
    assert decided.outcome == outcome
    assert decided.reasons == (reason,)
    assert decided.theft_class is None


@pytest.mark.parametrize(
    ("count", "outcome", "reason"),
    [
        (4, "officer", alarm_officer(4)),
        (5, "alarm_no_response", alarm_off(5)),
    ],
)
def test_premises_reason_when_given(rules: Rules, count: int, outcome: str, reason: str) -> None:
    decided = decide(facts("SILENT ALARM", false_alarms=count, premises="123 N CHARLES ST"), rules)
    assert decided.outcome == outcome
    assert decided.reasons == (reason, "premises: 123 N CHARLES ST")


def test_premises_reason_only_on_alarm_calls(rules: Rules) -> None:
    decided = decide(facts("LARCENY", premises="123 N CHARLES ST"), rules)
    assert decided.reasons == (tru("LARCENY"),)
    decided = decide(facts("SILENT ALARM", false_alarms=1, premises=""), rules)
    assert decided.reasons == (alarm_officer(1),)


def test_threshold_from_with_settings(rules: Rules) -> None:
    three = rules.with_settings(false_alarm_threshold=3)
    assert three.settings.false_alarm_threshold == 3
    assert decide(facts("AUDIBLE ALARM", false_alarms=2), three).reasons == (alarm_officer(2, 3),)
    decided = decide(facts("AUDIBLE ALARM", false_alarms=3), three)
    assert decided.outcome == "alarm_no_response"
    assert decided.reasons == (alarm_off(3, 3),)
    # The default threshold is still five on the rules it came from.
    assert decide(facts("AUDIBLE ALARM", false_alarms=3), rules).outcome == "officer"


@pytest.mark.parametrize(("call_type", "kind"), NEVER_SUSPENDED_ALARMS)
@pytest.mark.parametrize("count", [None, 0, 5, 9, 100])
def test_holdup_and_panic_never_qualify(rules: Rules, call_type: str, kind: str, count) -> None:
    decided = decide(facts(call_type, false_alarms=count, premises="1 E PRATT ST"), rules)
    assert decided.outcome == "officer"
    assert decided.reasons == (
        f"{kind} alarms always get an officer → officer",
        "premises: 1 E PRATT ST",
    )


@pytest.mark.parametrize(("call_type", "kind"), NEVER_SUSPENDED_ALARMS)
def test_holdup_and_panic_never_qualify_at_a_low_threshold(rules, call_type, kind) -> None:
    decided = decide(facts(call_type, false_alarms=9), rules.with_settings(false_alarm_threshold=1))
    assert decided.outcome == "officer"


@pytest.mark.parametrize(
    ("window", "words"),
    [("calendar_year", "calendar year"), ("rolling_12_months", "rolling 12 months")],
)
def test_window_named_in_the_reason(rules: Rules, window: str, words: str) -> None:
    windowed = rules.with_settings(false_alarm_window=window)
    assert windowed.settings.false_alarm_window == window
    assert decide(facts("SILENT ALARM", false_alarms=4), windowed).reasons == (
        alarm_officer(4, window=words),
    )
    assert decide(facts("SILENT ALARM", false_alarms=5), windowed).reasons == (
        alarm_off(5, window=words),
    )


def test_default_window_is_calendar_year(rules: Rules) -> None:
    assert rules.settings == Settings(1500, 5, "calendar_year")


def test_with_settings_ignores_none_and_keeps_the_rest(rules: Rules) -> None:
    same = rules.with_settings(value_cap=None, false_alarm_threshold=None, false_alarm_window=None)
    assert same.settings == rules.settings
    changed = rules.with_settings(false_alarm_threshold=3)
    assert changed.settings == Settings(1500, 3, "calendar_year")
    assert changed.rules == rules.rules
    assert changed.groups == rules.groups


# ---------------------------------------------------------------------------------------------
# 5. Open or closed, the caller's preference, and the city line.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call_type", TRU_TYPES)
def test_tru_type_open_is_tru_report(rules: Rules, call_type: str) -> None:
    decided = decide(facts(call_type, line_open=True), rules)
    assert decided.outcome == "tru_report"
    assert decided.reasons == (tru(call_type),)


@pytest.mark.parametrize("call_type", TRU_TYPES)
def test_tru_type_closed_is_online_report(rules: Rules, call_type: str) -> None:
    decided = decide(facts(call_type, line_open=False), rules)
    assert decided.outcome == "online_report"
    assert decided.reasons == (online(call_type),)
    assert "TRU closed" in decided.reasons[0]


@pytest.mark.parametrize("call_type", TRU_TYPES)
def test_prefers_online_is_online_report(rules: Rules, call_type: str) -> None:
    decided = decide(facts(call_type, prefers_online=True), rules)
    assert decided.outcome == "online_report"
    assert decided.reasons == (online(call_type, "the caller prefers the web"),)


def test_prefers_online_while_closed_says_closed(rules: Rules) -> None:
    decided = decide(facts("LARCENY", line_open=False, prefers_online=True), rules)
    assert decided.outcome == "online_report"
    assert decided.reasons == (online("LARCENY"),)


def test_online_report_keeps_theft_class(rules: Rules) -> None:
    decided = decide(facts("SHOPLIFTING", value=120, line_open=False), rules)
    assert decided.outcome == "online_report"
    assert decided.reasons == (
        online("SHOPLIFTING"),
        "Maryland theft class: misdemeanor 100 to 1500",
    )


NOT_SWITCHED = [
    pytest.param(facts("LARCENY", "weapon"), "emergency_911", id="emergency-flag"),
    pytest.param(facts("ROBBERY"), "emergency_911", id="emergency-type"),
    pytest.param(facts("LOST PROPERTY", "firearm"), "officer", id="firearm"),
    pytest.param(facts("LARCENY", "known_suspect"), "officer", id="known-suspect"),
    pytest.param(facts("BURGLARY"), "officer", id="officer-type"),
    pytest.param(facts("LARCENY", value=1500), "officer", id="value-cap"),
    pytest.param(facts("LARCENY", in_city=False), "officer", id="outside-city"),
    pytest.param(facts("SILENT ALARM", false_alarms=1), "officer", id="burglar-alarm"),
    pytest.param(facts("PANIC ALARM"), "officer", id="panic-alarm"),
    pytest.param(facts("AUTO ACCIDENT"), "traffic_vendor", id="traffic"),
    pytest.param(facts("CHECK WELL BEING"), "alternative_response", id="alternative"),
    pytest.param(facts("SILENT ALARM", false_alarms=6), "alarm_no_response", id="alarm-off"),
    pytest.param(facts("ABANDONED VEH"), "referral_311", id="nuisance"),
    pytest.param(facts("UNHEARD OF"), "officer", id="otherwise"),
]


@pytest.mark.parametrize(("f", "outcome"), NOT_SWITCHED)
def test_closed_or_prefers_online_changes_nothing_else(rules: Rules, f: Facts, outcome: str):
    open_ = decide(f, rules)
    assert open_.outcome == outcome
    assert decide(dataclasses.replace(f, line_open=False), rules) == open_
    assert decide(dataclasses.replace(f, prefers_online=True), rules) == open_


@pytest.mark.parametrize("call_type", TRU_TYPES)
def test_outside_city_is_officer(rules: Rules, call_type: str) -> None:
    decided = decide(facts(call_type, in_city=False), rules)
    assert decided.outcome == "officer"
    assert decided.reasons == (OUT_OF_CITY,)


@pytest.mark.parametrize("in_city", [None, True])
@pytest.mark.parametrize("call_type", TRU_TYPES)
def test_unknown_or_inside_city_is_inside(rules: Rules, call_type: str, in_city) -> None:
    decided = decide(facts(call_type, in_city=in_city), rules)
    assert decided.outcome == "tru_report"
    assert decided.reasons == (tru(call_type),)


def test_unknown_city_closed_is_online(rules: Rules) -> None:
    assert decide(facts("LARCENY", in_city=None, line_open=False), rules).outcome == "online_report"


def test_facts_defaults() -> None:
    assert Facts() == Facts(None, frozenset(), None, None, True, False, None, None)


# ---------------------------------------------------------------------------------------------
# 6. Unknown call types and flags.
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call_type", [None, "", "UNICORN SIGHTING", "larceny", "AUTO  ACCIDENT"])
def test_unknown_call_type_is_otherwise(rules: Rules, call_type) -> None:
    f = facts(call_type, value=50, false_alarms=9, premises="1 E PRATT ST", in_city=False)
    assert rules_that_hold(f, rules) == []
    decided = decide(f, rules)
    assert decided == Disposition("officer", call_type, None, (OTHERWISE,))


def test_unknown_call_type_with_emergency_flag_is_911(rules: Rules) -> None:
    decided = decide(facts(None, "medical"), rules)
    assert decided.outcome == "emergency_911"
    assert decided.reasons == ("medical → 911",)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("bogus",), "unknown flag(s) bogus"),
        (("zzz", "aaa", "weapon"), "unknown flag(s) aaa, zzz"),
        (("Weapon",), "unknown flag(s) Weapon"),
    ],
)
def test_unknown_flag_is_value_error(rules: Rules, flags, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        decide(facts("LARCENY", *flags), rules)
    assert str(raised.value) == message
    assert not isinstance(raised.value, RulesError)


# ---------------------------------------------------------------------------------------------
# 7. load_rules checks the file.
# ---------------------------------------------------------------------------------------------

RULES_TEXT = RULES_FILE.read_text(encoding="utf-8")

TRAFFIC_RULE = """\
  - outcome: traffic_vendor
    if: {call_type_in: traffic}
    because: "traffic accident with no injury and no impaired driver → traffic vendor"
"""
ALTERNATIVE_RULE = """\
  - outcome: alternative_response
    if: {call_type_in: alternative}
    because: "{call_type} with no weapon or violence → alternative responders"
"""
REFERRAL_BECAUSE = '    because: "{call_type} is a city-services matter → 311"\n'
OTHERWISE_BLOCK = """\
otherwise:
  outcome: officer
  because: "no rule matched the call → officer (non-emergency line)"
"""


def write_rules(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    """A copy of rules.yaml with each `old` (found exactly once) replaced by `new`."""
    text = RULES_TEXT
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_rules_default_path_and_a_copy_agree(tmp_path: Path, rules: Rules) -> None:
    copy = write_rules(tmp_path)
    assert load_rules(copy) == rules
    assert load_rules(str(copy)) == rules
    assert load_rules(RULES_FILE) == rules
    assert RULES_FILE.name == "rules.yaml"
    assert RULES_FILE.parent.name == "triage"


def test_load_rules_reads_changed_settings(tmp_path: Path) -> None:
    path = write_rules(
        tmp_path,
        ("value_cap: 1500", "value_cap: 1000"),
        ("false_alarm_threshold: 5", "false_alarm_threshold: 3"),
        ("false_alarm_window: calendar_year", "false_alarm_window: rolling_12_months"),
    )
    loaded = load_rules(path)
    assert loaded.settings == Settings(1000, 3, "rolling_12_months")
    assert decide(facts("LARCENY", value=1000), loaded).reasons[0] == cap("$1,000", "$1,000")
    assert decide(facts("SILENT ALARM", false_alarms=3), loaded).reasons == (
        alarm_off(3, 3, "rolling 12 months"),
    )


BROKEN = [
    pytest.param(
        [("outcome: traffic_vendor", "outcome: tow_truck")],
        "rules.yaml rule 14: unknown outcome 'tow_truck'",
        id="unknown-outcome",
    ),
    pytest.param(
        [("otherwise:\n  outcome: officer", "otherwise:\n  outcome: sergeant")],
        "rules.yaml otherwise: unknown outcome 'sergeant'",
        id="unknown-otherwise-outcome",
    ),
    pytest.param(
        [("if: {call_type_in: traffic}", "if: {call_type_in: traffic, weather: rain}")],
        f"rules.yaml rule 14: conditions must be among {ALL_CONDITIONS}",
        id="unknown-condition",
    ),
    pytest.param(
        [("{flags_any: [known_suspect]}", "{flags_any: [known_suspect, drunk]}")],
        "rules.yaml rule 5: unknown flag(s) drunk",
        id="unknown-flag",
    ),
    pytest.param(
        [("if: {call_type_in: traffic}", "if: {call_type_in: trafic}")],
        "rules.yaml rule 14: unknown call-type group 'trafic'",
        id="unknown-call-type-group",
    ),
    pytest.param(
        [("value_at_least: value_cap", "value_at_least: felony_cap")],
        "rules.yaml rule 8: value_at_least names 'felony_cap'; only value_cap is a value",
        id="value-at-least-unknown-setting",
    ),
    pytest.param(
        [(REFERRAL_BECAUSE, "")],
        "rules.yaml rule 17: every rule needs a `because` a person can read",
        id="missing-because",
    ),
    pytest.param(
        [(REFERRAL_BECAUSE, '    because: "   "\n')],
        "rules.yaml rule 17: every rule needs a `because` a person can read",
        id="blank-because",
    ),
    pytest.param(
        [(REFERRAL_BECAUSE, REFERRAL_BECAUSE + "    priority: low\n")],
        "rules.yaml rule 17: a rule has `outcome`, `if` and `because`",
        id="extra-rule-key",
    ),
    pytest.param(
        [(TRAFFIC_RULE + ALTERNATIVE_RULE, ALTERNATIVE_RULE + TRAFFIC_RULE)],
        f"rules.yaml: rules must follow the outcome order {ORDER}",
        id="rules-out-of-order",
    ),
    pytest.param(
        [
            (
                "\n  - outcome: officer\n    if: {flags_any: [firearm]}",
                "\n  - outcome: tru_report\n    if: {flags_any: [firearm]}",
            )
        ],
        f"rules.yaml: rules must follow the outcome order {ORDER}",
        id="tru-report-before-officer",
    ),
    pytest.param(
        [("value_cap: 1500", "value_cap: 0")],
        "settings.value_cap must be at least 1",
        id="value-cap-zero",
    ),
    pytest.param(
        [("value_cap: 1500", "value_cap: 1500.5")],
        "settings.value_cap must be whole dollars",
        id="value-cap-not-whole",
    ),
    pytest.param(
        [("value_cap: 1500", "value_cap: true")],
        "settings.value_cap must be whole dollars",
        id="value-cap-bool",
    ),
    pytest.param(
        [("false_alarm_threshold: 5", 'false_alarm_threshold: "five"')],
        "settings.false_alarm_threshold must be a positive whole number",
        id="threshold-five-as-word",
    ),
    pytest.param(
        [("false_alarm_threshold: 5", "false_alarm_threshold: 0")],
        "settings.false_alarm_threshold must be a positive whole number",
        id="threshold-zero",
    ),
    pytest.param(
        [("false_alarm_window: calendar_year", "false_alarm_window: weekly")],
        "settings.false_alarm_window must be one of calendar_year, rolling_12_months",
        id="window-weekly",
    ),
    pytest.param(
        [("false_alarm_threshold: 5", "false_alarm_threshold: 5\n  false_alarm_days: 30")],
        "rules.yaml: settings are value_cap, false_alarm_threshold, false_alarm_window",
        id="unknown-setting",
    ),
    pytest.param(
        [(OTHERWISE_BLOCK, "")],
        "rules.yaml: needs settings, call_types, rules and otherwise",
        id="missing-otherwise",
    ),
    pytest.param(
        [("\nsettings:\n", "\nsetting:\n")],
        "rules.yaml: needs settings, call_types, rules and otherwise",
        id="misspelt-settings",
    ),
    pytest.param(
        [(OTHERWISE_BLOCK, OTHERWISE_BLOCK + "extra: 1\n")],
        "rules.yaml: needs settings, call_types, rules and otherwise",
        id="extra-top-level-key",
    ),
]


@pytest.mark.parametrize(("changes", "message"), BROKEN)
def test_load_rules_rejects_a_broken_file(tmp_path: Path, changes, message: str) -> None:
    path = write_rules(tmp_path, *changes)
    with pytest.raises(RulesError) as raised:
        load_rules(path)
    assert str(raised.value) == message


def test_load_rules_rejects_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(RulesError) as raised:
        load_rules(path)
    assert str(raised.value) == "rules.yaml: needs settings, call_types, rules and otherwise"


def test_rules_error_is_a_value_error() -> None:
    assert issubclass(RulesError, ValueError)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"false_alarm_window": "weekly"},
            "settings.false_alarm_window must be one of calendar_year, rolling_12_months",
        ),
        ({"value_cap": 0}, "settings.value_cap must be at least 1"),
        ({"value_cap": -5}, "settings.value_cap must be at least 1"),
        ({"value_cap": "1500"}, "settings.value_cap must be whole dollars"),
        (
            {"false_alarm_threshold": "five"},
            "settings.false_alarm_threshold must be a positive whole number",
        ),
        (
            {"false_alarm_threshold": False},
            "settings.false_alarm_threshold must be a positive whole number",
        ),
    ],
)
def test_with_settings_rejects_bad_settings(rules: Rules, changes, message: str) -> None:
    with pytest.raises(RulesError) as raised:
        rules.with_settings(**changes)
    assert str(raised.value) == message
    assert rules.settings == Settings(1500, 5, "calendar_year")


VALIDATION_GAPS = [
    pytest.param(
        [
            (
                "if: {alarm: burglar, alarm_suspended: true}",
                "if: {alarm: burglary, alarm_suspended: true}",
            )
        ],
        id="unknown-alarm-kind",
    ),
    pytest.param(
        [("{call_type_in: tru, in_city: false}", '{call_type_in: tru, in_city: "no"}')],
        id="non-boolean-in-city",
    ),
    pytest.param(
        [("value_at_least: value_cap", "value_at_least: false_alarm_window")],
        id="value-at-least-non-dollar-setting",
    ),
    pytest.param(
        [("traffic: [AUTO ACCIDENT]", "traffic: AUTO ACCIDENT")],
        id="call-type-group-as-string",
    ),
]


@pytest.mark.parametrize("changes", VALIDATION_GAPS)
def test_load_rules_rejects_a_silently_wrong_file(tmp_path: Path, changes) -> None:
    path = write_rules(tmp_path, *changes)
    with pytest.raises(RulesError):
        load_rules(path)


# ---------------------------------------------------------------------------------------------
# 8. Disposition and OUTCOMES.
# ---------------------------------------------------------------------------------------------


def test_disposition_as_dict(rules: Rules) -> None:
    decided = decide(facts("LARCENY", value=2000), rules)
    as_dict = decided.as_dict()
    assert as_dict == {
        "disposition": "officer",
        "call_type": "LARCENY",
        "theft_class": "felony_1500_to_25000",
        "reasons": [cap("$2,000"), "Maryland theft class: felony 1500 to 25000"],
    }
    assert list(as_dict) == ["disposition", "call_type", "theft_class", "reasons"]
    assert type(as_dict["reasons"]) is list
    as_dict["reasons"].append("changed")
    assert len(decided.reasons) == 2


def test_disposition_as_dict_with_nothing_known(rules: Rules) -> None:
    assert decide(Facts(), rules).as_dict() == {
        "disposition": "officer",
        "call_type": None,
        "theft_class": None,
        "reasons": [OTHERWISE],
    }


def test_outcomes_exactly_in_order() -> None:
    assert OUTCOMES == (
        "emergency_911",
        "officer",
        "tru_report",
        "online_report",
        "traffic_vendor",
        "alternative_response",
        "alarm_no_response",
        "referral_311",
    )
    assert type(OUTCOMES) is tuple


def test_every_outcome_is_reachable(rules: Rules) -> None:
    reached = {decide(p.values[1], rules).outcome for p in EACH_RULE}
    assert reached == set(OUTCOMES)
