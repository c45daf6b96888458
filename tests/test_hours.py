"""Tests for ivr.hours: when TRU answers calls, and how that is spoken to callers."""

from __future__ import annotations

import os
import time as time_module
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest

from ivr import hours as hours_module
from ivr.hours import (
    OpeningHours,
    describe_hours,
    describe_next_opening,
    parse_hours,
)

NY = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
TRU = OpeningHours(timezone=NY)


def ny(*args: int) -> datetime:
    """A Baltimore wall-clock instant."""
    return datetime(*args, tzinfo=NY)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- is_open


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # Monday 2026-03-16, an ordinary weekday.
        (ny(2026, 3, 16, 5, 59), False),
        (ny(2026, 3, 16, 5, 59, 59), False),
        (ny(2026, 3, 16, 6, 0), True),
        (ny(2026, 3, 16, 12, 0), True),
        (ny(2026, 3, 16, 22, 59), True),
        (ny(2026, 3, 16, 22, 59, 59), True),
        (ny(2026, 3, 16, 23, 0), False),
        (ny(2026, 3, 16, 23, 0, 1), False),
        (ny(2026, 3, 16, 0, 0), False),
        # Friday edges.
        (ny(2026, 3, 20, 22, 59, 59), True),
        (ny(2026, 3, 20, 23, 0), False),
        # Weekend.
        (ny(2026, 3, 21, 12, 0), False),
        (ny(2026, 3, 22, 12, 0), False),
    ],
)
def test_is_open_edges(at: datetime, expected: bool) -> None:
    assert TRU.is_open(at) is expected


@pytest.mark.parametrize("day", [date(2026, 3, 21), date(2026, 3, 22)])
@pytest.mark.parametrize("hour", [0, 6, 12, 22])
def test_weekend_closed_all_day(day: date, hour: int) -> None:
    assert TRU.is_closed_day(day) is True
    assert TRU.is_open(datetime.combine(day, time(hour), tzinfo=NY)) is False


@pytest.mark.parametrize(
    "at",
    [
        utc(2026, 7, 14, 14, 0),  # 10:00 EDT Tuesday
        datetime(2026, 7, 14, 23, 0, tzinfo=TOKYO),  # same instant in Tokyo
        ny(2026, 7, 14, 10, 0),
        datetime(2026, 7, 14, 6, 0, tzinfo=timezone(timedelta(hours=-8))),
    ],
)
def test_is_open_same_answer_in_any_input_zone(at: datetime) -> None:
    assert TRU.is_open(at) is True
    assert TRU.closes_at(at).isoformat() == "2026-07-14T23:00:00-04:00"
    assert TRU.next_opening(at).isoformat() == "2026-07-15T06:00:00-04:00"


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # 03:30Z Tuesday is 23:30 EDT Monday: closed, although Tuesday in UTC.
        (utc(2026, 7, 14, 3, 30), False),
        # 02:30Z Tuesday is 22:30 EDT Monday: open.
        (utc(2026, 7, 14, 2, 30), True),
        # 09:59Z is 05:59 EDT, 10:00Z is 06:00 EDT.
        (utc(2026, 7, 14, 9, 59), False),
        (utc(2026, 7, 14, 10, 0), True),
        # In winter 06:00 EST is 11:00Z.
        (utc(2026, 1, 13, 10, 59), False),
        (utc(2026, 1, 13, 11, 0), True),
        # Tokyo Saturday morning 10:00 is Friday 21:00 EDT: open.
        (datetime(2026, 7, 18, 10, 0, tzinfo=TOKYO), True),
        # Tokyo Monday 18:00 is Monday 05:00 EDT: closed.
        (datetime(2026, 7, 20, 18, 0, tzinfo=TOKYO), False),
    ],
)
def test_is_open_uses_baltimore_wall_clock(at: datetime, expected: bool) -> None:
    assert TRU.is_open(at) is expected


# --------------------------------------------------------------------------- next_opening


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Friday at closing -> Monday 06:00.
        (ny(2026, 3, 20, 23, 0), "2026-03-23T06:00:00-04:00"),
        (ny(2026, 3, 20, 22, 59, 59), "2026-03-23T06:00:00-04:00"),
        (ny(2026, 3, 21, 12, 0), "2026-03-23T06:00:00-04:00"),
        # Before opening on a weekday -> the same day.
        (ny(2026, 3, 16, 0, 0), "2026-03-16T06:00:00-04:00"),
        (ny(2026, 3, 16, 5, 59, 59), "2026-03-16T06:00:00-04:00"),
        # Exactly at opening, and while open -> strictly later: the next day.
        (ny(2026, 3, 16, 6, 0), "2026-03-17T06:00:00-04:00"),
        (ny(2026, 3, 16, 14, 0), "2026-03-17T06:00:00-04:00"),
        # After closing on a weekday -> the next morning.
        (ny(2026, 3, 16, 23, 30), "2026-03-17T06:00:00-04:00"),
    ],
)
def test_next_opening(after: datetime, expected: str) -> None:
    assert TRU.next_opening(after).isoformat() == expected


@pytest.mark.parametrize(
    ("after", "expected_local", "expected_utc"),
    [
        # Spring forward Sunday 2026-03-08: Friday (EST) -> Monday 06:00 EDT = 10:00Z.
        (ny(2026, 3, 6, 23, 0), "2026-03-09T06:00:00-04:00", utc(2026, 3, 9, 10, 0)),
        (ny(2026, 3, 8, 3, 30), "2026-03-09T06:00:00-04:00", utc(2026, 3, 9, 10, 0)),
        # Fall back Sunday 2026-11-01: Friday (EDT) -> Monday 06:00 EST = 11:00Z.
        (ny(2026, 10, 30, 23, 0), "2026-11-02T06:00:00-05:00", utc(2026, 11, 2, 11, 0)),
        (ny(2026, 11, 1, 1, 30), "2026-11-02T06:00:00-05:00", utc(2026, 11, 2, 11, 0)),
    ],
)
def test_next_opening_across_dst_change(
    after: datetime, expected_local: str, expected_utc: datetime
) -> None:
    result = TRU.next_opening(after)
    assert result.isoformat() == expected_local
    assert result.astimezone(UTC) == expected_utc
    assert result.astimezone(UTC).hour == expected_utc.hour
    assert result.tzinfo is NY


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # The Monday after spring forward: 06:00 EDT is 10:00Z.
        (utc(2026, 3, 9, 9, 59), False),
        (utc(2026, 3, 9, 10, 0), True),
        (utc(2026, 3, 10, 2, 59), True),  # 22:59 EDT
        (utc(2026, 3, 10, 3, 0), False),  # 23:00 EDT
        # The Monday after fall back: 06:00 EST is 11:00Z.
        (utc(2026, 11, 2, 10, 59), False),
        (utc(2026, 11, 2, 11, 0), True),
        (utc(2026, 11, 3, 3, 59), True),  # 22:59 EST
        (utc(2026, 11, 3, 4, 0), False),  # 23:00 EST
    ],
)
def test_is_open_after_dst_change_in_utc(at: datetime, expected: bool) -> None:
    assert TRU.is_open(at) is expected


def test_next_opening_input_zone_does_not_matter() -> None:
    instant = ny(2026, 3, 6, 23, 0)  # Friday closing, before spring forward
    answers = {
        TRU.next_opening(instant.astimezone(zone)).isoformat()
        for zone in (UTC, TOKYO, NY, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Pacific/Niue"))
    }
    assert answers == {"2026-03-09T06:00:00-04:00"}


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # MLK Day, Monday 2026-01-19 -> Tuesday.
        (ny(2026, 1, 16, 23, 0), "2026-01-20T06:00:00-05:00"),
        (ny(2026, 1, 19, 10, 0), "2026-01-20T06:00:00-05:00"),
        # Labor Day, Monday 2026-09-07 -> Tuesday.
        (ny(2026, 9, 4, 23, 0), "2026-09-08T06:00:00-04:00"),
        # Thanksgiving Thursday and the Friday after -> Monday.
        (ny(2026, 11, 25, 23, 0), "2026-11-30T06:00:00-05:00"),
        (ny(2026, 11, 26, 23, 0), "2026-11-30T06:00:00-05:00"),
        # Christmas 2027 is a Saturday, observed Friday 2027-12-24.
        (ny(2027, 12, 23, 23, 0), "2027-12-27T06:00:00-05:00"),
        # New Year's Day 2028 is a Saturday, observed Friday 2027-12-31.
        (ny(2027, 12, 30, 23, 0), "2028-01-03T06:00:00-05:00"),
        # Independence Day 2027 is a Sunday, observed Monday 2027-07-05.
        (ny(2027, 7, 2, 23, 0), "2027-07-06T06:00:00-04:00"),
        # Independence Day 2026 is a Saturday, observed Friday 2026-07-03.
        (ny(2026, 7, 2, 23, 0), "2026-07-06T06:00:00-04:00"),
    ],
)
def test_next_opening_skips_holidays(after: datetime, expected: str) -> None:
    assert TRU.next_opening(after).isoformat() == expected


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 1, 19), "Martin Luther King Jr. Day"),
        (date(2026, 9, 7), "Labor Day"),
        (date(2026, 11, 26), "Thanksgiving Day"),
        (date(2026, 11, 27), "American Indian Heritage Day"),
        (date(2026, 7, 3), "Independence Day (observed)"),
        (date(2027, 7, 5), "Independence Day (observed)"),
        (date(2027, 12, 24), "Christmas Day (observed)"),
        (date(2027, 12, 31), "New Year's Day (observed)"),
        (date(2027, 6, 18), "Juneteenth National Independence Day (observed)"),
        (date(2028, 11, 10), "Veterans Day (observed)"),
        (date(2026, 11, 25), None),
        (date(2026, 11, 3), None),  # Election Day is not a day off for TRU
        (date(2026, 12, 24), None),
    ],
)
def test_holiday_name(day: date, name: str | None) -> None:
    assert TRU.holiday_name(day) == name
    if name is not None:
        assert TRU.is_closed_day(day) is True


@pytest.mark.parametrize(
    "day", [date(2026, 1, 19), date(2026, 9, 7), date(2026, 11, 27), date(2027, 12, 24)]
)
def test_holiday_closed_all_day(day: date) -> None:
    assert day.weekday() < 5
    assert TRU.is_open(datetime.combine(day, time(12), tzinfo=NY)) is False
    assert TRU.closes_at(datetime.combine(day, time(12), tzinfo=NY)) is None


@pytest.mark.parametrize("day", [date(2026, 12, 24), date(2027, 12, 23), date(2026, 11, 25)])
def test_day_before_holiday_is_open(day: date) -> None:
    assert TRU.is_closed_day(day) is False
    assert TRU.is_open(datetime.combine(day, time(12), tzinfo=NY)) is True


def test_holiday_calendar_none_opens_on_holidays() -> None:
    no_holidays = OpeningHours(timezone=NY, holiday_calendar=None)
    assert no_holidays.holiday_name(date(2026, 1, 19)) is None
    assert no_holidays.is_closed_day(date(2026, 1, 19)) is False
    assert no_holidays.is_open(ny(2026, 1, 19, 10, 0)) is True
    assert no_holidays.next_opening(ny(2026, 1, 16, 23, 0)).isoformat() == (
        "2026-01-19T06:00:00-05:00"
    )
    # Weekends stay closed.
    assert no_holidays.is_closed_day(date(2026, 1, 17)) is True


def test_country_only_calendar_has_no_maryland_holidays() -> None:
    federal = OpeningHours(timezone=NY, holiday_calendar="US")
    assert federal.holiday_name(date(2026, 1, 19)) == "Martin Luther King Jr. Day"
    assert federal.holiday_name(date(2026, 11, 27)) is None
    assert federal.is_open(ny(2026, 11, 27, 10, 0)) is True


def test_extra_closures() -> None:
    snow_days = OpeningHours(
        timezone=NY, extra_closures=frozenset({date(2026, 3, 16), date(2026, 3, 17)})
    )
    assert snow_days.is_closed_day(date(2026, 3, 16)) is True
    assert snow_days.holiday_name(date(2026, 3, 16)) is None
    assert snow_days.is_open(ny(2026, 3, 16, 10, 0)) is False
    assert snow_days.is_open(ny(2026, 3, 18, 10, 0)) is True
    assert snow_days.next_opening(ny(2026, 3, 13, 23, 0)).isoformat() == (
        "2026-03-18T06:00:00-04:00"
    )
    # The default instance is unaffected.
    assert TRU.is_open(ny(2026, 3, 16, 10, 0)) is True


def test_next_opening_raises_when_there_is_none() -> None:
    start = date(2026, 1, 5)  # a Monday
    mondays = frozenset(start + timedelta(weeks=w) for w in range(0, 160))
    never = OpeningHours(
        timezone=NY, weekdays=frozenset({0}), holiday_calendar=None, extra_closures=mondays
    )
    with pytest.raises(RuntimeError, match="no opening within 732 days"):
        never.next_opening(ny(2026, 1, 1, 0, 0))


def test_next_opening_far_ahead_within_bound() -> None:
    start = date(2026, 1, 5)
    mondays = frozenset(start + timedelta(weeks=w) for w in range(0, 100))
    rare = OpeningHours(
        timezone=NY, weekdays=frozenset({0}), holiday_calendar=None, extra_closures=mondays
    )
    assert rare.next_opening(ny(2026, 1, 1, 0, 0)).isoformat() == "2027-12-06T06:00:00-05:00"


# --------------------------------------------------------------------------- closes_at


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (ny(2026, 3, 16, 6, 0), "2026-03-16T23:00:00-04:00"),
        (ny(2026, 3, 16, 22, 59, 59), "2026-03-16T23:00:00-04:00"),
        (utc(2026, 1, 13, 20, 0), "2026-01-13T23:00:00-05:00"),
        (datetime(2026, 1, 14, 12, 0, tzinfo=TOKYO), "2026-01-13T23:00:00-05:00"),
        (ny(2026, 3, 16, 23, 0), None),
        (ny(2026, 3, 16, 5, 59), None),
        (ny(2026, 3, 21, 12, 0), None),
    ],
)
def test_closes_at(at: datetime, expected: str | None) -> None:
    result = TRU.closes_at(at)
    assert (result.isoformat() if result else None) == expected
    if result is not None:
        assert result.tzinfo is NY


# --------------------------------------------------------------------------- consistency


@pytest.mark.parametrize(
    ("hours", "start", "expected_openings"),
    [
        (TRU, utc(2026, 3, 5, 0, 0), 5),  # spring forward week
        (TRU, utc(2026, 10, 29, 0, 0), 5),  # fall back week
        (TRU, utc(2026, 11, 24, 0, 0), 3),  # Thanksgiving week: Tue, Wed, Mon
        # Opening inside the skipped hour / repeated hour of the DST change days.
        (OpeningHours(NY, time(2, 30), time(23, 0), frozenset(range(7))), utc(2026, 3, 6), 7),
        (OpeningHours(NY, time(1, 30), time(23, 0), frozenset(range(7))), utc(2026, 10, 30), 7),
    ],
)
def test_next_opening_matches_minute_by_minute_scan(
    hours: OpeningHours, start: datetime, expected_openings: int
) -> None:
    """Walk a week minute by minute: every closed->open change must be exactly where
    next_opening says, and closes_at must agree with the open->closed change.

    Instants are compared in UTC: Python never considers a datetime inside a DST fold
    equal to one in another zone, even when they denote the same instant."""
    minute = timedelta(minutes=1)
    at = start
    was_open = hours.is_open(at)
    pending = None if was_open else hours.next_opening(at)
    openings = 0
    for _ in range(7 * 24 * 60):
        nxt = at + minute
        now_open = hours.is_open(nxt)
        if now_open and not was_open:
            assert pending is not None
            assert nxt == pending.astimezone(UTC)
            assert hours.is_open(nxt - timedelta(seconds=1)) is False
            openings += 1
        if was_open and not now_open:
            closing = hours.closes_at(at)
            assert closing is not None
            assert closing.astimezone(UTC) == nxt
            pending = hours.next_opening(at)
        at, was_open = nxt, now_open
    assert openings == expected_openings


def test_dst_gap_opening_is_normalized() -> None:
    # 02:30 does not exist on 2026-03-08 in New York; fold=0 puts it at 03:30 EDT.
    daily = OpeningHours(NY, time(2, 30), time(23, 0), frozenset(range(7)))
    result = daily.next_opening(ny(2026, 3, 7, 23, 0))
    assert result.isoformat() == "2026-03-08T03:30:00-04:00"
    assert daily.is_open(utc(2026, 3, 8, 7, 29)) is False
    assert daily.is_open(utc(2026, 3, 8, 7, 30)) is True


def test_dst_repeated_hour_opening_is_first_occurrence() -> None:
    daily = OpeningHours(NY, time(1, 30), time(23, 0), frozenset(range(7)))
    result = daily.next_opening(ny(2026, 10, 31, 23, 0))
    assert result.isoformat() == "2026-11-01T01:30:00-04:00"
    assert daily.is_open(utc(2026, 11, 1, 5, 29)) is False
    assert daily.is_open(utc(2026, 11, 1, 5, 30)) is True  # 01:30 EDT
    assert daily.is_open(utc(2026, 11, 1, 6, 45)) is True  # 01:45 EST, the second time


# --------------------------------------------------------------------------- process TZ


@pytest.fixture(params=["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
def process_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a test with the process's local zone set to something far from Baltimore."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time_module.tzset()
    try:
        yield request.param
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time_module.tzset()


def test_answer_does_not_depend_on_process_tz(process_tz: str) -> None:
    expected_offset = {"Pacific/Kiritimati": "+1400", "Pacific/Pago_Pago": "-1100", "UTC": "+0000"}
    assert time_module.strftime("%z", time_module.localtime()) == expected_offset[process_tz]

    friday_close = utc(2026, 3, 7, 4, 0)  # Friday 23:00 EST
    local = friday_close.astimezone()  # an aware datetime in the process's zone
    for at in (friday_close, local):
        assert TRU.is_open(at) is False
        assert TRU.is_open(at - timedelta(seconds=1)) is True
        assert TRU.next_opening(at).isoformat() == "2026-03-09T06:00:00-04:00"
    assert describe_next_opening(TRU.next_opening(local), local, "en") == "Monday at 6 a.m."

    parsed = parse_hours()
    assert parsed.is_open(utc(2026, 3, 9, 10, 0)) is True
    assert parsed.is_open(utc(2026, 3, 9, 9, 59, 59)) is False


# --------------------------------------------------------------------------- input checks


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 3, 16, 10, 0)
    with pytest.raises(ValueError, match="at must be timezone-aware"):
        TRU.is_open(naive)
    with pytest.raises(ValueError, match="after must be timezone-aware"):
        TRU.next_opening(naive)
    with pytest.raises(ValueError, match="at must be timezone-aware"):
        TRU.closes_at(naive)
    with pytest.raises(ValueError, match="opening must be timezone-aware"):
        describe_next_opening(naive, ny(2026, 3, 16, 10, 0), "en")
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        describe_next_opening(ny(2026, 3, 16, 10, 0), naive, "en")


def test_day_methods_reject_datetimes() -> None:
    with pytest.raises(TypeError, match="expected a datetime.date"):
        TRU.is_closed_day(ny(2026, 3, 16, 10, 0))
    with pytest.raises(TypeError, match="expected a datetime.date"):
        TRU.holiday_name(datetime(2026, 1, 19))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"timezone": "America/New_York"}, TypeError, "timezone must be a tzinfo"),
        ({"opens": time(23), "closes": time(6)}, ValueError, "must be earlier than closes"),
        ({"opens": time(6), "closes": time(6)}, ValueError, "must be earlier than closes"),
        ({"opens": time(6, tzinfo=UTC)}, ValueError, "opens must be a naive datetime.time"),
        ({"weekdays": frozenset()}, ValueError, "at least one day"),
        ({"weekdays": frozenset({0, 7})}, ValueError, r"got \[7\]"),
        (
            {"extra_closures": frozenset({datetime(2026, 1, 2)})},
            ValueError,
            "must contain datetime.date",
        ),
        ({"holiday_calendar": "XX"}, ValueError, "unknown holiday calendar 'XX'"),
        ({"holiday_calendar": "US-ZZ"}, ValueError, "unknown holiday calendar 'US-ZZ'"),
        ({"holiday_calendar": "US MD"}, ValueError, "'US MD'"),
    ],
)
def test_opening_hours_validation(kwargs: dict, error: type[Exception], message: str) -> None:
    kwargs = {"timezone": NY} | kwargs
    with pytest.raises(error, match=message):
        OpeningHours(**kwargs)


def test_opening_hours_normalizes_collections_and_is_hashable() -> None:
    hours = OpeningHours(
        timezone=NY,
        weekdays={0, 1},  # type: ignore[arg-type]
        extra_closures=[date(2026, 1, 2)],  # type: ignore[arg-type]
        holiday_calendar="us-md",
    )
    assert hours.weekdays == frozenset({0, 1})
    assert isinstance(hours.weekdays, frozenset)
    assert hours.extra_closures == frozenset({date(2026, 1, 2)})
    assert hours.holiday_calendar == "US-MD"
    assert hash(hours) == hash(
        OpeningHours(
            timezone=NY,
            weekdays=frozenset({0, 1}),
            extra_closures=frozenset({date(2026, 1, 2)}),
        )
    )
    with pytest.raises(AttributeError):
        hours.opens = time(7)  # type: ignore[misc]


def test_holiday_table_is_built_once_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, object]] = []
    real = holidays.country_holidays

    def counting(country: str, **kwargs: object) -> holidays.HolidayBase:
        calls.append((country, kwargs.get("years")))
        return real(country, **kwargs)

    hours_module._holiday_names.cache_clear()
    monkeypatch.setattr(holidays, "country_holidays", counting)
    hours = OpeningHours(timezone=NY)
    calls.clear()
    for minute in range(0, 24 * 60 * 3, 7):
        hours.is_open(ny(2026, 5, 1) + timedelta(minutes=minute))
    hours.next_opening(ny(2026, 12, 31, 23, 0))
    assert calls == [("US", 2026), ("US", 2027)]
    hours_module._holiday_names.cache_clear()


# --------------------------------------------------------------------------- parse_hours


def test_parse_hours_defaults_match_tru() -> None:
    assert parse_hours() == OpeningHours(timezone=NY)
    assert parse_hours() == TRU


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("mon,wed,fri", {0, 2, 4}),
        ("mon-sun", {0, 1, 2, 3, 4, 5, 6}),
        ("sat-sun", {5, 6}),
        ("fri-mon", {4, 5, 6, 0}),
        (" Mon - Wed , FRI ", {0, 1, 2, 4}),
        ("monday-friday", {0, 1, 2, 3, 4}),
        ("tue", {1}),
        ("mon,mon", {0}),
        ("mon,", {0}),
    ],
)
def test_parse_hours_days(days: str, expected: set[int]) -> None:
    assert parse_hours(days=days).weekdays == frozenset(expected)


@pytest.mark.parametrize("value", [None, "", "none", "None", " NONE "])
def test_parse_hours_holiday_calendar_off(value: str | None) -> None:
    assert parse_hours(holiday_calendar=value).holiday_calendar is None


@pytest.mark.parametrize(
    ("value", "expected"), [("US-MD", "US-MD"), ("us-md", "US-MD"), ("US", "US")]
)
def test_parse_hours_holiday_calendar(value: str, expected: str) -> None:
    assert parse_hours(holiday_calendar=value).holiday_calendar == expected


def test_parse_hours_full() -> None:
    hours = parse_hours(
        timezone="America/Chicago",
        opens="8:30",
        closes="17:00",
        days="mon,wed,fri",
        holiday_calendar="none",
        closures=" 2026-12-24, 2026-12-31 ,",
    )
    assert hours == OpeningHours(
        timezone=ZoneInfo("America/Chicago"),
        opens=time(8, 30),
        closes=time(17, 0),
        weekdays=frozenset({0, 2, 4}),
        holiday_calendar=None,
        extra_closures=frozenset({date(2026, 12, 24), date(2026, 12, 31)}),
    )
    assert hours.is_open(datetime(2026, 3, 16, 8, 30, tzinfo=ZoneInfo("America/Chicago")))
    assert not hours.is_open(datetime(2026, 3, 16, 8, 29, tzinfo=ZoneInfo("America/Chicago")))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "unknown timezone 'Mars/Olympus_Mons'"),
        ({"timezone": ""}, "unknown timezone ''"),
        ({"timezone": "../etc/passwd"}, r"unknown timezone '\.\./etc/passwd'"),
        ({"opens": "6am"}, "invalid opens time '6am'"),
        ({"opens": "24:00"}, "invalid opens time '24:00'"),
        ({"closes": "23:60"}, "invalid closes time '23:60'"),
        ({"closes": ""}, "invalid closes time ''"),
        (
            {"opens": "23:00", "closes": "06:00"},
            "opens '23:00' must be earlier than closes '06:00'",
        ),
        ({"days": "mon-fry"}, "invalid day 'fry' in days 'mon-fry'"),
        ({"days": "weekdays"}, "invalid day 'weekdays'"),
        ({"days": ""}, "days '' names no days"),
        ({"days": ",,"}, "days ',,' names no days"),
        ({"holiday_calendar": "XX"}, "unknown holiday calendar 'XX'"),
        ({"holiday_calendar": "US-ZZ"}, "unknown holiday calendar 'US-ZZ'"),
        ({"closures": "2026-02-30"}, "invalid closure date '2026-02-30'"),
        ({"closures": "2026-12-24,12/31/2026"}, "invalid closure date '12/31/2026'"),
        ({"closures": "20261224"}, "invalid closure date '20261224'"),
    ],
)
def test_parse_hours_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as excinfo:
        parse_hours(**kwargs)
    assert "\n" not in str(excinfo.value)


# --------------------------------------------------------------------------- describe_next_opening


@pytest.mark.parametrize(
    ("opening", "now", "en", "es"),
    [
        # Same day.
        (
            ny(2026, 3, 16, 6, 0),
            ny(2026, 3, 16, 2, 0),
            "today at 6 a.m.",
            "hoy a las 6 de la mañana",
        ),
        # Next day, including late evening.
        (
            ny(2026, 3, 17, 6, 0),
            ny(2026, 3, 16, 23, 30),
            "tomorrow at 6 a.m.",
            "mañana a las 6 de la mañana",
        ),
        # Two to six days ahead: the weekday.
        (
            ny(2026, 3, 23, 6, 0),
            ny(2026, 3, 20, 23, 0),
            "Monday at 6 a.m.",
            "el lunes a las 6 de la mañana",
        ),
        (
            ny(2026, 3, 23, 6, 0),
            ny(2026, 3, 17, 0, 0),
            "Monday at 6 a.m.",
            "el lunes a las 6 de la mañana",
        ),
        (
            ny(2026, 11, 30, 6, 0),
            ny(2026, 11, 25, 23, 0),
            "Monday at 6 a.m.",
            "el lunes a las 6 de la mañana",
        ),
        # Seven or more days ahead: the date as well.
        (
            ny(2026, 1, 5, 6, 0),
            ny(2025, 12, 29, 23, 0),
            "Monday, January 5, at 6 a.m.",
            "el lunes 5 de enero a las 6 de la mañana",
        ),
        (
            ny(2026, 3, 23, 6, 0),
            ny(2026, 3, 16, 0, 0),
            "Monday, March 23, at 6 a.m.",
            "el lunes 23 de marzo a las 6 de la mañana",
        ),
        (
            ny(2026, 9, 16, 6, 0),
            ny(2026, 8, 20, 12, 0),
            "Wednesday, September 16, at 6 a.m.",
            "el miércoles 16 de septiembre a las 6 de la mañana",
        ),
        # Very far ahead: the year too.
        (
            ny(2027, 12, 6, 6, 0),
            ny(2026, 1, 1, 0, 0),
            "Monday, December 6, 2027, at 6 a.m.",
            "el lunes 6 de diciembre de 2027 a las 6 de la mañana",
        ),
    ],
)
def test_describe_next_opening_days(opening: datetime, now: datetime, en: str, es: str) -> None:
    assert describe_next_opening(opening, now, "en") == en
    assert describe_next_opening(opening, now, "es") == es


@pytest.mark.parametrize(
    ("wall", "en", "es"),
    [
        (time(6, 0), "today at 6 a.m.", "hoy a las 6 de la mañana"),
        (time(6, 30), "today at 6:30 a.m.", "hoy a las 6:30 de la mañana"),
        (time(9, 5), "today at 9:05 a.m.", "hoy a las 9:05 de la mañana"),
        (time(1, 0), "today at 1 a.m.", "hoy a la 1 de la mañana"),
        (time(11, 59), "today at 11:59 a.m.", "hoy a las 11:59 de la mañana"),
        (time(12, 0), "today at noon", "hoy al mediodía"),
        (time(12, 30), "today at 12:30 p.m.", "hoy a las 12:30 de la tarde"),
        (time(13, 0), "today at 1 p.m.", "hoy a la 1 de la tarde"),
        (time(13, 15), "today at 1:15 p.m.", "hoy a la 1:15 de la tarde"),
        (time(19, 45), "today at 7:45 p.m.", "hoy a las 7:45 de la tarde"),
        (time(20, 0), "today at 8 p.m.", "hoy a las 8 de la noche"),
        (time(23, 0), "today at 11 p.m.", "hoy a las 11 de la noche"),
        (time(0, 0), "today at midnight", "hoy a la medianoche"),
        (time(0, 30), "today at 12:30 a.m.", "hoy a las 12:30 de la noche"),
    ],
)
def test_describe_next_opening_clock(wall: time, en: str, es: str) -> None:
    opening = datetime.combine(date(2026, 3, 16), wall, tzinfo=NY)
    now = ny(2026, 3, 16, 0, 0)
    assert describe_next_opening(opening, now, "en") == en
    assert describe_next_opening(opening, now, "es") == es


def test_describe_next_opening_compares_dates_in_opening_zone() -> None:
    opening = ny(2026, 3, 17, 6, 0)  # Tuesday 06:00 EDT = 10:00Z
    now_utc = utc(2026, 3, 17, 3, 30)  # Monday 23:30 EDT, already Tuesday in UTC
    assert describe_next_opening(opening, now_utc, "en") == "tomorrow at 6 a.m."
    now_tokyo = now_utc.astimezone(TOKYO)  # Tuesday 12:30 in Tokyo
    assert describe_next_opening(opening, now_tokyo, "es") == "mañana a las 6 de la mañana"
    # The opening's own wall clock is what is spoken, not UTC's.
    assert describe_next_opening(opening.astimezone(NY), now_utc, "en").endswith("6 a.m.")


def test_describe_next_opening_with_next_opening_result() -> None:
    now = utc(2026, 11, 27, 4, 30)  # Thursday 23:30 EST, Thanksgiving night
    assert describe_next_opening(TRU.next_opening(now), now, "en") == "Monday at 6 a.m."
    assert describe_next_opening(TRU.next_opening(now), now, "es") == (
        "el lunes a las 6 de la mañana"
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "tomorrow at 6 a.m."),
        ("en-US", "tomorrow at 6 a.m."),
        ("es", "mañana a las 6 de la mañana"),
        ("es-MX", "mañana a las 6 de la mañana"),
        ("es_US", "mañana a las 6 de la mañana"),
        ("ES", "mañana a las 6 de la mañana"),
        ("fr", "tomorrow at 6 a.m."),
        ("", "tomorrow at 6 a.m."),
    ],
)
def test_describe_next_opening_language(language: str, expected: str) -> None:
    assert describe_next_opening(ny(2026, 3, 17, 6), ny(2026, 3, 16, 23), language) == expected


# --------------------------------------------------------------------------- describe_hours


@pytest.mark.parametrize(
    ("hours", "en", "es"),
    [
        (
            TRU,
            "Monday through Friday, 6 a.m. to 11 p.m.",
            "de lunes a viernes, de 6 de la mañana a 11 de la noche",
        ),
        (
            parse_hours(days="mon,wed,fri"),
            "Monday, Wednesday and Friday, 6 a.m. to 11 p.m.",
            "lunes, miércoles y viernes, de 6 de la mañana a 11 de la noche",
        ),
        (
            parse_hours(days="mon-sun"),
            "every day, 6 a.m. to 11 p.m.",
            "todos los días, de 6 de la mañana a 11 de la noche",
        ),
        (
            parse_hours(days="sat-sun"),
            "Saturday and Sunday, 6 a.m. to 11 p.m.",
            "sábado y domingo, de 6 de la mañana a 11 de la noche",
        ),
        (
            parse_hours(days="tue"),
            "Tuesday, 6 a.m. to 11 p.m.",
            "martes, de 6 de la mañana a 11 de la noche",
        ),
        (
            parse_hours(days="mon-wed,fri"),
            "Monday through Wednesday and Friday, 6 a.m. to 11 p.m.",
            "de lunes a miércoles y viernes, de 6 de la mañana a 11 de la noche",
        ),
        (
            parse_hours(days="fri-mon"),
            "Friday through Monday, 6 a.m. to 11 p.m.",
            "de viernes a lunes, de 6 de la mañana a 11 de la noche",
        ),
        (
            parse_hours(days="mon-fri,sun"),
            "Sunday through Friday, 6 a.m. to 11 p.m.",
            "de domingo a viernes, de 6 de la mañana a 11 de la noche",
        ),
        (
            parse_hours(opens="08:30", closes="17:00"),
            "Monday through Friday, 8:30 a.m. to 5 p.m.",
            "de lunes a viernes, de 8:30 de la mañana a 5 de la tarde",
        ),
        (
            parse_hours(opens="00:00", closes="12:00"),
            "Monday through Friday, midnight to noon",
            "de lunes a viernes, de medianoche a mediodía",
        ),
    ],
)
def test_describe_hours(hours: OpeningHours, en: str, es: str) -> None:
    assert describe_hours(hours, "en") == en
    assert describe_hours(hours, "es") == es
    assert describe_hours(hours, "de") == en
