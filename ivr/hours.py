"""Opening hours of the Baltimore Police Telephone Reporting Unit (TRU).

This module is deliberately pure: no Flask, no database, no reading of the clock.
Every function takes the instant it should reason about, so the call flow can ask
"are we open right now?" and tests can ask the same question about any instant.

Why it is written the way it is:

* TRU keeps Baltimore hours whatever zone the server runs in, so every decision is
  made on the wall clock of ``OpeningHours.timezone`` and never on the process's
  local time (``TZ``) or on naive datetimes, which are rejected outright.
* Opening and closing are wall-clock times, so the instants they name move with
  daylight saving time (06:00 EST is 11:00Z, 06:00 EDT is 10:00Z). All comparisons
  are done on UTC instants so the repeated hour at fall-back cannot confuse them.
* The unit is closed on the observed City of Baltimore holidays. The ``holidays``
  package's ``US``/``MD`` calendar with ``observed=True`` matches them (it includes
  the Friday after Thanksgiving, "American Indian Heritage Day", and moves Saturday
  holidays to Friday and Sunday holidays to Monday). Anything else (a snow day, a
  one-off closure) is configured as an extra closure date.
* ``is_open`` runs on every incoming call, so holiday tables are built once per
  (calendar, year) and cached at module level, and then only read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = [
    "OpeningHours",
    "describe_hours",
    "describe_next_opening",
    "parse_hours",
]

#: How far ahead ``next_opening`` looks before giving up. Two years is far more than
#: any real closure, and it guarantees the search ends even if the configuration
#: (e.g. extra closures covering every open weekday) leaves no opening at all.
MAX_SEARCH_DAYS = 366 * 2

_WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ES_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
ES_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)

#: Beyond this many days ahead a spoken date also names the year, so that a caller
#: told about an opening almost a year away is not misled into the current year.
_SAY_YEAR_AFTER_DAYS = 300

_HHMM = re.compile(r"(\d{1,2}):(\d{2})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --------------------------------------------------------------------------- holidays


def _split_calendar(calendar: str) -> tuple[str, str | None]:
    """Split ``"US-MD"`` into ``("US", "MD")`` and ``"US"`` into ``("US", None)``."""
    country, _, subdiv = calendar.partition("-")
    return country, (subdiv or None)


@lru_cache(maxsize=256)
def _holiday_names(calendar: str, year: int) -> Mapping[date, str]:
    """Observed holidays of one calendar year, as a read-only ``date -> name`` mapping.

    Cached per (calendar, year) so the ``holidays`` package does its work once per
    process instead of on every call. We copy the result into an immutable mapping
    rather than keep the ``HolidayBase`` object because that object grows itself
    lazily when asked about other years, which is shared mutable state under a
    threaded web server. Only dates inside ``year`` are kept: an observed day that
    falls in another year (New Year's Day 2028, a Saturday, is observed on Friday
    2027-12-31) is listed by the package under the year it falls in, so it is found
    when that year is loaded.
    """
    country, subdiv = _split_calendar(calendar)
    try:
        table = holidays.country_holidays(country, subdiv=subdiv, years=year, observed=True)
    except NotImplementedError as exc:  # holidays' way of saying "unknown country/subdiv"
        raise ValueError(f"unknown holiday calendar {calendar!r}: {exc}") from None
    return MappingProxyType({day: name for day, name in table.items() if day.year == year})


# --------------------------------------------------------------------------- hours


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """When the unit answers calls, expressed in its own local time.

    Immutable (and hashable) so one instance can be built from configuration at
    start-up and shared by every request without locking.

    ``closes`` is exclusive: with the default 23:00, 22:59:59 is open and 23:00:00 is
    closed, so a caller is never told "we're open" in the very second staff leave.
    ``opens`` must be earlier than ``closes`` on the same day (no overnight shifts).
    Opening/closing times that do not exist or happen twice on a DST change day are
    resolved with the standard ``fold=0`` rule (the offset in force before the change),
    consistently for ``is_open``, ``next_opening`` and ``closes_at``.
    """

    timezone: ZoneInfo  # any tzinfo works; a ZoneInfo is what gets DST right
    opens: time = time(6, 0)
    closes: time = time(23, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0 ... Sunday=6
    holiday_calendar: str | None = "US-MD"  # "CC" or "CC-SUBDIV"; None disables holidays
    extra_closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        """Validate eagerly so a bad configuration fails at start-up, not mid-call."""
        if not isinstance(self.timezone, tzinfo):
            raise TypeError(f"timezone must be a tzinfo such as ZoneInfo, got {self.timezone!r}")
        for name in ("opens", "closes"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"{name} must be a naive datetime.time, got {value!r}")
        if not self.opens < self.closes:
            raise ValueError(
                f"opens ({self.opens:%H:%M}) must be earlier than closes ({self.closes:%H:%M})"
            )
        # Accept any iterable for convenience but store frozensets, keeping the
        # instance hashable and immutable.
        weekdays = frozenset(self.weekdays)
        if not weekdays:
            raise ValueError("weekdays must name at least one day")
        bad = sorted(d for d in weekdays if not isinstance(d, int) or not 0 <= d <= 6)
        if bad:
            raise ValueError(f"weekdays must be integers 0 (Monday) to 6 (Sunday), got {bad!r}")
        object.__setattr__(self, "weekdays", weekdays)

        closures = frozenset(self.extra_closures)
        for day in closures:
            # A datetime is a date subclass but never equals a date, so it would
            # silently never match; refuse it.
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"extra_closures must contain datetime.date values, got {day!r}")
        object.__setattr__(self, "extra_closures", closures)

        if self.holiday_calendar is not None:
            calendar = self.holiday_calendar.strip().upper()
            if not re.fullmatch(r"[A-Z]{2,3}(-[A-Z0-9]+)?", calendar):
                raise ValueError(
                    "holiday_calendar must look like 'US' or 'US-MD', "
                    f"got {self.holiday_calendar!r}"
                )
            _holiday_names(calendar, 2000)  # raises ValueError for unknown calendars
            object.__setattr__(self, "holiday_calendar", calendar)

    # -- days

    def holiday_name(self, day: date) -> str | None:
        """Name of the observed holiday on ``day`` (a local date), or None.

        Extra closures are not holidays and have no name; ``is_closed_day`` covers them.
        """
        _require_plain_date(day)
        if self.holiday_calendar is None:
            return None
        return _holiday_names(self.holiday_calendar, day.year).get(day)

    def is_closed_day(self, day: date) -> bool:
        """True when the unit does not open at all on ``day`` (a local date):
        a day outside ``weekdays``, an observed holiday, or an extra closure."""
        _require_plain_date(day)
        return (
            day.weekday() not in self.weekdays
            or day in self.extra_closures
            or self.holiday_name(day) is not None
        )

    # -- instants

    def _opening_instant(self, day: date) -> datetime:
        return _instant(day, self.opens, self.timezone)

    def _closing_instant(self, day: date) -> datetime:
        return _instant(day, self.closes, self.timezone)

    def is_open(self, at: datetime) -> bool:
        """True when a call arriving at instant ``at`` is within opening hours.

        ``at`` may be in any zone (Twilio and servers usually give UTC) but must be
        timezone-aware: a naive datetime has no defined instant, and guessing the
        server's zone is exactly the bug this module exists to prevent.
        """
        _require_aware(at, "at")
        day = at.astimezone(self.timezone).date()
        if self.is_closed_day(day):
            return False
        moment = at.astimezone(UTC)
        return self._opening_instant(day) <= moment < self._closing_instant(day)

    def closes_at(self, at: datetime) -> datetime | None:
        """Today's closing instant (in ``self.timezone``) if open at ``at``, else None.

        Lets the call flow warn a caller who would not finish before closing.
        """
        if not self.is_open(at):
            return None
        day = at.astimezone(self.timezone).date()
        return self._closing_instant(day).astimezone(self.timezone)

    def next_opening(self, after: datetime) -> datetime:
        """The earliest opening instant strictly after ``after``, in ``self.timezone``.

        "Strictly" so that at exactly 06:00 the answer is the *next* day's opening,
        and while open it is the next day's opening too (what a caller asking "when do
        you open again?" after hours would expect). The search is bounded by
        ``MAX_SEARCH_DAYS`` and raises RuntimeError if the configuration leaves no
        opening in that window, rather than looping forever on a live call.
        """
        _require_aware(after, "after")
        moment = after.astimezone(UTC)
        day = after.astimezone(self.timezone).date()
        for offset in range(MAX_SEARCH_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self.is_closed_day(candidate):
                continue
            opening = self._opening_instant(candidate)
            if opening > moment:
                return opening.astimezone(self.timezone)
        raise RuntimeError(
            f"no opening within {MAX_SEARCH_DAYS} days after {after.isoformat()}; "
            "check weekdays, holidays and extra closures"
        )


def _instant(day: date, wall: time, zone: tzinfo) -> datetime:
    """The UTC instant at which the wall clock in ``zone`` shows ``wall`` on ``day``.

    Going through UTC normalizes wall times that do not exist (spring-forward gap)
    and picks the first of two that exist twice (fall-back), per ``fold=0``.
    """
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware (got naive {value.isoformat()}); "
            "use e.g. datetime.now(UTC)"
        )


def _require_plain_date(value: date) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(
            f"expected a datetime.date (a local date in the hours' timezone), got {value!r}"
        )


# --------------------------------------------------------------------------- parsing


def parse_hours(
    *,
    timezone: str = "America/New_York",
    opens: str = "06:00",
    closes: str = "23:00",
    days: str = "mon-fri",
    holiday_calendar: str | None = "US-MD",
    closures: str = "",
) -> OpeningHours:
    """Build ``OpeningHours`` from configuration strings (environment variables).

    Every error is a one-line ValueError naming the offending value, so a typo in
    deployment configuration is obvious in the start-up log.

    * ``timezone``: an IANA name such as ``America/New_York``.
    * ``opens``/``closes``: 24-hour ``HH:MM``.
    * ``days``: comma-separated day names or ranges: ``mon-fri``, ``mon,wed,fri``,
      ``mon-sun``, ``sat-sun``; full names work too, and a range may wrap (``fri-mon``).
    * ``holiday_calendar``: ``CC`` or ``CC-SUBDIV`` for the ``holidays`` package;
      ``none`` or empty turns holidays off.
    * ``closures``: comma-separated ISO dates (``2026-12-24,2026-12-31``).
    """
    zone_name = timezone.strip()
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {timezone!r}: expected an IANA name like 'America/New_York'"
        ) from None

    open_time = _parse_clock(opens, "opens")
    close_time = _parse_clock(closes, "closes")
    if not open_time < close_time:
        raise ValueError(f"opens {opens!r} must be earlier than closes {closes!r}")

    calendar: str | None = None
    if holiday_calendar is not None and holiday_calendar.strip().lower() not in ("", "none"):
        calendar = holiday_calendar

    return OpeningHours(
        timezone=zone,
        opens=open_time,
        closes=close_time,
        weekdays=_parse_days(days),
        holiday_calendar=calendar,
        extra_closures=_parse_closures(closures),
    )


def _parse_clock(text: str, name: str) -> time:
    match = _HHMM.fullmatch(text.strip())
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
    raise ValueError(f"invalid {name} time {text!r}: expected 24-hour HH:MM such as '06:00'")


def _parse_weekday(token: str, whole: str) -> int:
    key = token.strip().lower()
    if key in _WEEKDAY_KEYS:
        return _WEEKDAY_KEYS.index(key)
    if key in _WEEKDAY_FULL:
        return _WEEKDAY_FULL.index(key)
    raise ValueError(f"invalid day {token.strip()!r} in days {whole!r}: use mon, tue, ... sun")


def _parse_days(text: str) -> frozenset[int]:
    result: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        if "-" in part:
            start_text, _, end_text = part.partition("-")
            start = _parse_weekday(start_text, text)
            end = _parse_weekday(end_text, text)
            length = (end - start) % 7 + 1  # ranges may wrap past Sunday
            result.update((start + i) % 7 for i in range(length))
        else:
            result.add(_parse_weekday(part, text))
    if not result:
        raise ValueError(f"days {text!r} names no days: use e.g. 'mon-fri' or 'mon,wed,fri'")
    return frozenset(result)


def _parse_closures(text: str) -> frozenset[date]:
    result: set[date] = set()
    for part in text.split(","):
        token = part.strip()
        if not token:
            continue
        try:
            if not _ISO_DATE.fullmatch(token):
                raise ValueError
            result.add(date.fromisoformat(token))
        except ValueError:
            raise ValueError(
                f"invalid closure date {token!r}: expected ISO YYYY-MM-DD such as '2026-12-24'"
            ) from None
    return frozenset(result)


# --------------------------------------------------------------------------- speech


def _is_spanish(language: str) -> bool:
    """Treat "es", "es-MX", "es_US" ... as Spanish; anything else falls back to English."""
    return (language or "").strip().lower()[:2] == "es"


def _en_clock(t: time) -> str:
    """Spoken clock time: "6 a.m.", "6:30 a.m.", "noon", "midnight", "12:30 a.m."."""
    if t.minute == 0 and t.hour == 12:
        return "noon"
    if t.minute == 0 and t.hour == 0:
        return "midnight"
    hour = t.hour % 12 or 12
    suffix = "a.m." if t.hour < 12 else "p.m."
    return f"{hour} {suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d} {suffix}"


def _es_period(hour: int) -> str:
    if hour == 0 or hour >= 20:
        return "de la noche"
    if hour < 12:
        return "de la mañana"
    return "de la tarde"


def _es_clock(t: time) -> str:
    """Clock time without article: "6 de la mañana", "6:30 de la mañana", "mediodía"."""
    if t.minute == 0 and t.hour == 12:
        return "mediodía"
    if t.minute == 0 and t.hour == 0:
        return "medianoche"
    hour = t.hour % 12 or 12
    number = str(hour) if t.minute == 0 else f"{hour}:{t.minute:02d}"
    return f"{number} {_es_period(t.hour)}"


def _es_at(t: time) -> str:
    """Spanish "at <time>": "a las 6 de la mañana", "a la 1 de la tarde", "al mediodía"."""
    clock = _es_clock(t)
    if clock == "mediodía":
        return "al mediodía"
    if clock == "medianoche":
        return "a la medianoche"
    article = "la" if t.hour % 12 == 1 else "las"
    return f"a {article} {clock}"


def describe_next_opening(opening: datetime, now: datetime, language: str) -> str:
    """Words a caller hears for when the unit next opens, e.g. "tomorrow at 6 a.m.".

    "Today"/"tomorrow" are judged on calendar dates in ``opening``'s own zone (the
    unit's zone when ``opening`` comes from ``next_opening``), not the server's, so a
    caller at 11:30 p.m. Baltimore time hears "tomorrow" even though it is already
    the next day in UTC. Within the next six days the weekday is enough; beyond that
    the date is spoken too, and the year when it is far off. Unknown languages get
    English.
    """
    _require_aware(opening, "opening")
    _require_aware(now, "now")
    today = now.astimezone(opening.tzinfo).date()
    day = opening.date()
    ahead = (day - today).days
    wall = opening.time()
    spanish = _is_spanish(language)

    if spanish:
        at = _es_at(wall)
        if ahead == 0:
            return f"hoy {at}"
        if ahead == 1:
            return f"mañana {at}"
        weekday = ES_WEEKDAYS[day.weekday()]
        if 2 <= ahead <= 6:
            return f"el {weekday} {at}"
        when = f"el {weekday} {day.day} de {ES_MONTHS[day.month - 1]}"
        if abs(ahead) > _SAY_YEAR_AFTER_DAYS:
            when += f" de {day.year}"
        return f"{when} {at}"

    at = f"at {_en_clock(wall)}"
    if ahead == 0:
        return f"today {at}"
    if ahead == 1:
        return f"tomorrow {at}"
    weekday = EN_WEEKDAYS[day.weekday()]
    if 2 <= ahead <= 6:
        return f"{weekday} {at}"
    when = f"{weekday}, {EN_MONTHS[day.month - 1]} {day.day}"
    if abs(ahead) > _SAY_YEAR_AFTER_DAYS:
        when += f", {day.year}"
    return f"{when}, {at}"


def _day_runs(weekdays: Iterable[int]) -> list[tuple[int, int]]:
    """Group weekdays into runs of consecutive days, wrapping Sunday into Monday.

    {0,1,2,3,4} -> [(0, 4)]; {0,2,4} -> [(0,0), (2,2), (4,4)]; {4,5,6,0} -> [(4, 0)].
    A week with every day is one run (0, 6).
    """
    days = set(weekdays)
    if len(days) == 7:
        return [(0, 6)]
    # Start just after a day that is not included, so no run is split at Sunday.
    start = next(d for d in range(7) if (d - 1) % 7 not in days and d in days)
    runs: list[tuple[int, int]] = []
    current: list[int] = []
    for i in range(7):
        d = (start + i) % 7
        if d in days:
            current.append(d)
        elif current:
            runs.append((current[0], current[-1]))
            current = []
    if current:
        runs.append((current[0], current[-1]))
    return runs


def _join(items: list[str], conjunction: str) -> str:
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def describe_hours(hours: OpeningHours, language: str) -> str:
    """The opening hours as a caller hears them, derived from the settings so the
    recording never drifts from what ``is_open`` enforces.

    en: "Monday through Friday, 6 a.m. to 11 p.m."; es: "de lunes a viernes, de 6 de
    la mañana a 11 de la noche". Runs of three or more days are spoken as ranges, other
    days are listed ("Monday, Wednesday and Friday"). Holidays are not mentioned here.
    """
    runs = _day_runs(hours.weekdays)
    every_day = len(hours.weekdays) == 7

    if _is_spanish(language):
        if every_day:
            days = "todos los días"
        else:
            parts: list[str] = []
            for first, last in runs:
                count = (last - first) % 7 + 1
                if count >= 3:
                    parts.append(f"de {ES_WEEKDAYS[first]} a {ES_WEEKDAYS[last]}")
                else:
                    parts.extend(ES_WEEKDAYS[(first + i) % 7] for i in range(count))
            days = _join(parts, "y")
        return f"{days}, de {_es_clock(hours.opens)} a {_es_clock(hours.closes)}"

    if every_day:
        days = "every day"
    else:
        parts = []
        for first, last in runs:
            count = (last - first) % 7 + 1
            if count >= 3:
                parts.append(f"{EN_WEEKDAYS[first]} through {EN_WEEKDAYS[last]}")
            else:
                parts.extend(EN_WEEKDAYS[(first + i) % 7] for i in range(count))
        days = _join(parts, "and")
    return f"{days}, {_en_clock(hours.opens)} to {_en_clock(hours.closes)}"
