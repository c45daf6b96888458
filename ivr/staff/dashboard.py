"""The supervisors' dashboard: what the line did over a range of Baltimore dates.

Plain Python over a SQLAlchemy session, no Flask. `summary` counts calls and reports in a range,
`bar_chart` draws a count series as a small self-contained SVG (no script, no style, no network),
and `choose_range`/`bounds` turn the page's `from`/`to` dates into UTC instants.

Counts by disposition, language, after-hours and report type are GROUP BY / SUM(CASE) queries
that run the same on SQLite and PostgreSQL. Hour of day and day of week are Baltimore wall-clock
values, which need the time-zone rules (DST) the two databases spell differently, so they are
counted in Python over the `started_at` of the calls in the range, streamed in batches: fine up
to some 100,000 calls a range (a few years of this line's traffic). Beyond that, move them into
the database (`AT TIME ZONE` on PostgreSQL) or a daily rollup table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from html import escape

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ivr.hours import OpeningHours
from ivr.models import Call, Report
from ivr.triage.rules import OUTCOMES

#: Outcomes that send police: every other decided call is one SMART diverted from an officer.
NOT_DIVERTED = frozenset({"officer", "emergency_911"})
#: The disposition key of calls no one decided on (hung up early, closed line, still ringing).
UNDECIDED = "undecided"

DEFAULT_DAYS = 30
#: The longest range the page accepts (hour/day counting happens in Python, see above).
MAX_DAYS = 731

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
OUTCOME_LABELS = {
    "emergency_911": "911 emergency",
    "officer": "Officer dispatched",
    "tru_report": "TRU report",
    "online_report": "Online report",
    "traffic_vendor": "Traffic vendor",
    "alternative_response": "Alternative response",
    "alarm_no_response": "Alarm, no response",
    "referral_311": "311 referral",
    UNDECIDED: "Not decided",
}
LANGUAGE_LABELS = {"en": "English", "es": "Spanish"}
REPORT_TYPE_LABELS = {"lost_property": "Lost property", "larceny": "Larceny"}

_BATCH = 5000


@dataclass(frozen=True)
class Summary:
    """Counts for calls started, and reports created, in [start, end)."""

    start: datetime
    end: datetime
    minutes_per_dispatch: int
    calls: int
    #: 24 counts, midnight to 11 p.m., Baltimore wall clock.
    by_hour: tuple[int, ...]
    #: 7 counts, Monday to Sunday, Baltimore dates.
    by_weekday: tuple[int, ...]
    #: Calls that came in while the TRU was closed (`line_open` False).
    after_hours: int
    #: Calls per outcome: every outcome in OUTCOMES order (zeros too), then any other stored
    #: value, then UNDECIDED for calls without one.
    dispositions: dict[str, int]
    #: Decided calls whose outcome was neither an officer nor 911.
    diverted: int
    officer_hours_saved: float
    #: Calls per language, most first.
    languages: dict[str, int]
    reports: int
    #: Reports per type, most first.
    reports_by_type: dict[str, int]
    partial_reports: int
    callback_reports: int

    @property
    def partial_rate(self) -> float | None:
        return self.partial_reports / self.reports if self.reports else None

    @property
    def callback_rate(self) -> float | None:
        return self.callback_reports / self.reports if self.reports else None

    @property
    def after_hours_rate(self) -> float | None:
        return self.after_hours / self.calls if self.calls else None

    @property
    def diverted_rate(self) -> float | None:
        return self.diverted / self.calls if self.calls else None


def _by_count(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def summary(
    session: Session,
    start: datetime,
    end: datetime,
    hours: OpeningHours,
    minutes_per_dispatch: int,
) -> Summary:
    """What happened from `start` (inclusive) to `end` (exclusive), both aware instants.

    Calls count by `started_at`, reports by `created_at`; hours and weekdays are read on the
    wall clock of `hours.timezone`.
    """
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be timezone-aware")
    zone = hours.timezone
    in_range = (Call.started_at >= start, Call.started_at < end)

    calls, after_hours = session.execute(
        select(
            func.count(Call.id),
            func.coalesce(func.sum(case((Call.line_open.is_(False), 1), else_=0)), 0),
        ).where(*in_range)
    ).one()

    stored = dict(
        session.execute(
            select(Call.disposition, func.count(Call.id))
            .where(*in_range)
            .group_by(Call.disposition)
        ).all()
    )
    dispositions = {outcome: stored.pop(outcome, 0) for outcome in OUTCOMES}
    undecided = stored.pop(None, 0)
    dispositions.update(sorted(stored.items()))
    dispositions[UNDECIDED] = undecided
    diverted = sum(
        count
        for outcome, count in dispositions.items()
        if outcome != UNDECIDED and outcome not in NOT_DIVERTED
    )

    languages = _by_count(
        dict(
            session.execute(
                select(Call.language, func.count(Call.id)).where(*in_range).group_by(Call.language)
            ).all()
        )
    )

    by_hour = [0] * 24
    by_weekday = [0] * 7
    started = session.execute(
        select(Call.started_at).where(*in_range).execution_options(yield_per=_BATCH)
    ).scalars()
    for moment in started:
        local = moment.astimezone(zone)
        by_hour[local.hour] += 1
        by_weekday[local.weekday()] += 1

    report_range = (Report.created_at >= start, Report.created_at < end)
    reports, partial, callbacks = session.execute(
        select(
            func.count(Report.id),
            func.coalesce(func.sum(case((Report.status == "partial", 1), else_=0)), 0),
            # Ever needed one, not waiting now: the rate does not fall as staff call back.
            func.coalesce(func.sum(case((Report.callback_requested.is_(True), 1), else_=0)), 0),
        ).where(*report_range)
    ).one()
    reports_by_type = _by_count(
        dict(
            session.execute(
                select(Report.type, func.count(Report.id))
                .where(*report_range)
                .group_by(Report.type)
            ).all()
        )
    )

    return Summary(
        start=start,
        end=end,
        minutes_per_dispatch=minutes_per_dispatch,
        calls=int(calls),
        by_hour=tuple(by_hour),
        by_weekday=tuple(by_weekday),
        after_hours=int(after_hours),
        dispositions=dispositions,
        diverted=diverted,
        officer_hours_saved=diverted * minutes_per_dispatch / 60,
        languages=languages,
        reports=int(reports),
        reports_by_type=reports_by_type,
        partial_reports=int(partial),
        callback_reports=int(callbacks),
    )


# --------------------------------------------------------------------------- date range


@dataclass(frozen=True)
class DateRange:
    first: date
    last: date  # inclusive
    #: Why the dates asked for were not used, for the page to say; None when they were.
    problem: str | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _parse(text: str | None) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:20]!r} is not a date (YYYY-MM-DD)") from None


def choose_range(today: date, first: str | None, last: str | None) -> DateRange:
    """The dates to show from the page's `from`/`to` (YYYY-MM-DD, inclusive, Baltimore dates).

    Missing ends default to today and the 30 days ending there; unreadable, reversed or too
    long ranges fall back to the last 30 days, with the problem said.
    """
    default = DateRange(today - timedelta(days=DEFAULT_DAYS - 1), today)
    try:
        start, end = _parse(first), _parse(last)
    except ValueError as exc:
        return DateRange(default.first, default.last, str(exc))
    end = end or (today if start is None else max(start, today))
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        return DateRange(default.first, default.last, "The start date is after the end date.")
    if (end - start).days + 1 > MAX_DAYS:
        return DateRange(default.first, default.last, f"Choose a range of at most {MAX_DAYS} days.")
    return DateRange(start, end)


def bounds(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """Local midnight starting `first` to local midnight after `last`, as aware instants."""
    return (
        datetime.combine(first, time(0), tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
    )


# --------------------------------------------------------------------------- charts

INK = "#1b1f24"
MUTED = "#5a6470"
BAR = "#1f4e8c"
GRID = "#d8dde3"
WIDTH = 400


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _describe(items: Sequence[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {value:,}" for label, value in items) or "No data."


def bar_chart(title: str, items: Sequence[tuple[str, int]], *, columns: bool = False) -> str:
    """A bar chart of `items` (label, count) as SVG markup, each bar labelled with its value.

    Horizontal bars by default (long labels read well); `columns=True` draws upright columns
    for many short labels, like the 24 hours of a day. Every label and the title are escaped;
    the chart is role="img" with the title as its name and every value in its <desc>.
    """
    items = [(str(label), max(0, int(value))) for label, value in items]
    biggest = max((value for _, value in items), default=0) or 1
    parts: list[str] = []
    if not items:
        height = 40
        parts.append(
            f'<text x="{WIDTH / 2:g}" y="24" text-anchor="middle" font-size="13" '
            f'fill="{MUTED}">No data</text>'
        )
    elif columns:
        top, plot, bottom = 18, 120, 22
        height = top + plot + bottom
        step = WIDTH / len(items)
        bar = max(step * 0.7, 1)
        font = 12 if step >= 30 else 11 if step >= 16 else 8
        parts.append(
            f'<line x1="0" y1="{top + plot}" x2="{WIDTH}" y2="{top + plot}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        for index, (label, value) in enumerate(items):
            size = plot * value / biggest
            x = index * step + (step - bar) / 2
            middle = index * step + step / 2
            parts.append(
                f"<g><title>{_e(label)}: {value:,}</title>"
                f'<rect x="{x:.1f}" y="{top + plot - size:.1f}" width="{bar:.1f}" '
                f'height="{size:.1f}" fill="{BAR}"/>'
                f'<text x="{middle:.1f}" y="{top + plot - size - 3:.1f}" text-anchor="middle" '
                f'font-size="{font}" fill="{INK}">{value:,}</text>'
                f'<text x="{middle:.1f}" y="{top + plot + 16:.1f}" text-anchor="middle" '
                f'font-size="{font}" fill="{MUTED}">{_e(label)}</text></g>'
            )
    else:
        row, bar_height, top = 28, 18, 4
        height = top * 2 + row * len(items)
        label_width = min(180, 12 + 8 * max(len(label) for label, _ in items))
        room = WIDTH - label_width - 60
        for index, (label, value) in enumerate(items):
            y = top + index * row + (row - bar_height) / 2
            size = room * value / biggest
            parts.append(
                f"<g><title>{_e(label)}: {value:,}</title>"
                f'<text x="{label_width - 6}" y="{y + 14:.1f}" text-anchor="end" '
                f'font-size="14" fill="{INK}">{_e(label)}</text>'
                f'<rect x="{label_width}" y="{y:.1f}" width="{size:.1f}" '
                f'height="{bar_height}" fill="{BAR}"/>'
                f'<text x="{label_width + size + 4:.1f}" y="{y + 14:.1f}" font-size="14" '
                f'fill="{INK}">{value:,}</text></g>'
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{_e(title)}">'
        f"<title>{_e(title)}</title><desc>{_e(_describe(items))}</desc>" + "".join(parts) + "</svg>"
    )
