"""Triage: who responds to a call, and why. Plain Python, no Flask, no database session."""

from ivr.triage.rules import (
    EMERGENCY_FLAGS,
    FLAGS,
    OUTCOMES,
    Disposition,
    Facts,
    Rules,
    RulesError,
    decide,
    load_rules,
)

__all__ = [
    "EMERGENCY_FLAGS",
    "FLAGS",
    "OUTCOMES",
    "Disposition",
    "Facts",
    "Rules",
    "RulesError",
    "decide",
    "load_rules",
]
