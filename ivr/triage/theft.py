"""Maryland theft classes by stolen value (Criminal Law § 7-104, since 2017).

Recorded on each larceny report; the line routes on value only through the rules' value cap.
"""

from __future__ import annotations

#: (value below which, class), lowest first.
THEFT_CLASSES = (
    (100, "misdemeanor_under_100"),
    (1_500, "misdemeanor_100_to_1500"),
    (25_000, "felony_1500_to_25000"),
    (100_000, "felony_25000_to_100000"),
)
TOP_THEFT_CLASS = "felony_100000_or_more"


def theft_class(value: int) -> str:
    """The Maryland theft class for a stolen value in whole dollars."""
    for ceiling, name in THEFT_CLASSES:
        if value < ceiling:
            return name
    return TOP_THEFT_CLASS
