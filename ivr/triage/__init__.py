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
from ivr.triage.theft import theft_class

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
    "theft_class",
]
