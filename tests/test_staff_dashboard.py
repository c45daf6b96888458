"""The supervisors' dashboard: the numbers (across DST changes), the SVG charts, and the page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from ivr.hours import parse_hours
from ivr.models import AuditEvent, Call, Report
from ivr.staff import accounts
from ivr.staff import dashboard as stats
from ivr.triage.rules import OUTCOMES

BALTIMORE = ZoneInfo("America/New_York")
HOURS = parse_hours()
SVG = "{http://www.w3.org/2000/svg}"
PASSWORD = "correct horse battery staple"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def add_call(session, n, started_at, *, disposition=None, language="en", line_open=True) -> Call:
    call = Call(
        call_sid=f"CA{n:032d}",
        started_at=started_at,
        disposition=disposition,
        language=language,
        line_open=line_open,
    )
    session.add(call)
    return call


def add_report(session, call, created_at, *, type, status="new", needs_callback=False) -> Report:  # noqa: A002
    report = Report(
        call=call,
        type=type,
        status=status,
        needs_callback=needs_callback,
        created_at=created_at,
    )
    session.add(report)
    return report


@pytest.fixture
def autumn(session):
    """Calls and reports around the fall-back change (Sunday 1 November 2026, 2 a.m. EDT)."""
    c1 = add_call(session, 1, utc(2026, 10, 31, 3, 59), disposition="officer")  # Fri 23:59 EDT
    c2 = add_call(session, 2, utc(2026, 10, 31, 4, 0), disposition="tru_report", line_open=False)
    # 01:30 twice on Sunday: first EDT, then EST.
    c3 = add_call(
        session, 3, utc(2026, 11, 1, 5, 30), disposition="online_report", language="es",
        line_open=False,
    )  # fmt: skip
    add_call(session, 4, utc(2026, 11, 1, 6, 30), disposition="emergency_911", line_open=False)
    add_call(session, 5, utc(2026, 11, 2, 15, 0), disposition="officer")  # Mon 10:00 EST
    c6 = add_call(
        session, 6, utc(2026, 11, 2, 20, 15), disposition="referral_311", language="es"
    )  # Mon 15:15
    add_call(session, 7, utc(2026, 11, 2, 21, 0), disposition="alarm_no_response")  # Mon 16:00
    add_call(session, 8, utc(2026, 11, 3, 4, 59), line_open=False)  # Mon 23:59 EST, undecided
    c9 = add_call(session, 9, utc(2026, 11, 3, 5, 0), disposition="tru_report")  # Tue 00:00 EST
    c10 = add_call(
        session, 10, utc(2026, 11, 2, 16, 0), disposition="tru_report", language="zh"
    )  # Mon 11:00
    add_report(
        session, c2, utc(2026, 10, 31, 4, 5), type="lost_property", status="partial",
        needs_callback=True,
    )  # fmt: skip
    add_report(session, c3, utc(2026, 11, 1, 5, 35), type="larceny")
    add_report(
        session, c10, utc(2026, 11, 2, 16, 5), type="larceny", status="partial",
        needs_callback=True,
    )  # fmt: skip
    add_report(session, c6, utc(2026, 11, 2, 20, 20), type="larceny", needs_callback=True)
    # Outside the range on either side.
    add_report(
        session, c1, utc(2026, 10, 31, 3, 59, 30), type="larceny", status="partial",
        needs_callback=True,
    )  # fmt: skip
    add_report(session, c9, utc(2026, 11, 3, 5, 0), type="lost_property", status="partial")
    session.commit()


AUTUMN = stats.bounds(date(2026, 10, 31), date(2026, 11, 2), BALTIMORE)


# --------------------------------------------------------------------------- summary


def test_bounds_are_baltimore_midnights_across_the_change():
    start, end = AUTUMN
    assert start == datetime(2026, 10, 31, tzinfo=BALTIMORE)
    assert end == datetime(2026, 11, 3, tzinfo=BALTIMORE)
    assert [moment.astimezone(UTC) for moment in AUTUMN] == [
        utc(2026, 10, 31, 4, 0),
        utc(2026, 11, 3, 5, 0),
    ]


def test_summary_counts_calls_in_baltimore_time(session, autumn):
    result = stats.summary(session, *AUTUMN, HOURS, 45)

    assert result.calls == 8
    hours = [0] * 24
    hours[0], hours[1], hours[10], hours[11], hours[15], hours[16], hours[23] = 1, 2, 1, 1, 1, 1, 1
    assert result.by_hour == tuple(hours)
    # Monday .. Sunday
    assert result.by_weekday == (5, 0, 0, 0, 0, 1, 2)
    assert result.after_hours == 4
    assert result.after_hours_rate == 0.5


def test_summary_dispositions_diversions_and_officer_hours(session, autumn):
    result = stats.summary(session, *AUTUMN, HOURS, 45)

    assert list(result.dispositions.items()) == [
        ("emergency_911", 1),
        ("officer", 1),
        ("tru_report", 2),
        ("online_report", 1),
        ("traffic_vendor", 0),
        ("alternative_response", 0),
        ("alarm_no_response", 1),
        ("referral_311", 1),
        ("undecided", 1),
    ]
    assert result.diverted == 5
    assert result.diverted_rate == 5 / 8
    assert result.minutes_per_dispatch == 45
    assert result.officer_hours_saved == 3.75
    assert stats.summary(session, *AUTUMN, HOURS, 60).officer_hours_saved == 5.0


def test_summary_languages_and_reports(session, autumn):
    result = stats.summary(session, *AUTUMN, HOURS, 45)

    assert list(result.languages.items()) == [("en", 5), ("es", 2), ("zh", 1)]
    assert result.reports == 4
    assert list(result.reports_by_type.items()) == [("larceny", 3), ("lost_property", 1)]
    assert result.partial_reports == 2
    assert result.callback_reports == 3
    assert result.partial_rate == 0.5
    assert result.callback_rate == 0.75


def test_callback_rate_counts_reports_staff_have_since_called_back(session, autumn):
    """Staff clear `needs_callback` when they reach the caller; the report still needed one."""
    waiting = session.scalars(select(Report).where(Report.needs_callback.is_(True))).all()
    for report in waiting:
        report.needs_callback = False
        report.status = "approved"
    session.commit()

    result = stats.summary(session, *AUTUMN, HOURS, 45)
    assert result.callback_reports == 3
    assert result.callback_rate == 0.75
    assert all(report.callback_requested for report in waiting)


def test_summary_unknown_stored_outcome_follows_the_known_ones(session):
    add_call(session, 1, utc(2026, 11, 2, 15, 0), disposition="retired_outcome")
    add_call(session, 2, utc(2026, 11, 2, 15, 1), disposition="officer")
    session.commit()

    result = stats.summary(session, *AUTUMN, HOURS, 45)

    assert list(result.dispositions)[: len(OUTCOMES)] == list(OUTCOMES)
    assert list(result.dispositions)[len(OUTCOMES) :] == ["retired_outcome", "undecided"]
    assert result.dispositions["retired_outcome"] == 1
    # Anywhere but an officer or 911 is a diversion.
    assert result.diverted == 1


def test_summary_spring_forward_day_has_23_hours(session):
    start, end = stats.bounds(date(2027, 3, 14), date(2027, 3, 14), BALTIMORE)
    # Same-zone subtraction is wall-clock time in Python; the instants are 23 hours apart.
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        utc(2027, 3, 14, 5),
        utc(2027, 3, 15, 4),
    )
    add_call(session, 1, utc(2027, 3, 14, 4, 59))  # Sat 23:59 EST: outside
    add_call(session, 2, utc(2027, 3, 14, 5, 0))  # Sun 00:00 EST
    add_call(session, 3, utc(2027, 3, 14, 6, 59))  # 01:59 EST
    add_call(session, 4, utc(2027, 3, 14, 7, 0))  # 03:00 EDT: 2 a.m. never happens
    add_call(session, 5, utc(2027, 3, 15, 3, 59))  # Sun 23:59 EDT
    add_call(session, 6, utc(2027, 3, 15, 4, 0))  # Mon 00:00 EDT: outside
    session.commit()

    result = stats.summary(session, start, end, HOURS, 45)

    assert result.calls == 4
    hours = [0] * 24
    hours[0] = hours[1] = hours[3] = hours[23] = 1
    assert result.by_hour == tuple(hours)
    assert result.by_weekday == (0, 0, 0, 0, 0, 0, 4)
    assert result.after_hours == 0
    assert result.diverted == 0
    assert result.dispositions["undecided"] == 4


def test_summary_of_nothing(session):
    result = stats.summary(session, *AUTUMN, HOURS, 45)

    assert result.calls == 0
    assert result.by_hour == (0,) * 24
    assert result.by_weekday == (0,) * 7
    assert result.after_hours == 0
    assert result.dispositions == {**dict.fromkeys(OUTCOMES, 0), "undecided": 0}
    assert result.diverted == 0
    assert result.officer_hours_saved == 0
    assert result.languages == {}
    assert result.reports == 0
    assert result.reports_by_type == {}
    assert result.partial_rate is None
    assert result.callback_rate is None
    assert result.after_hours_rate is None
    assert result.diverted_rate is None


def test_summary_refuses_naive_times(session):
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        stats.summary(session, datetime(2026, 11, 1), AUTUMN[1], HOURS, 45)


# --------------------------------------------------------------------------- date range

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (None, None, stats.DateRange(date(2026, 11, 3), TODAY)),
        ("", "  ", stats.DateRange(date(2026, 11, 3), TODAY)),
        ("2026-11-20", None, stats.DateRange(date(2026, 11, 20), TODAY)),
        (None, "2026-06-30", stats.DateRange(date(2026, 6, 1), date(2026, 6, 30))),
        ("2026-01-01", "2026-01-01", stats.DateRange(date(2026, 1, 1), date(2026, 1, 1))),
        ("2027-01-05", None, stats.DateRange(date(2027, 1, 5), date(2027, 1, 5))),
        (
            "2026-12-03",
            "2026-12-01",
            stats.DateRange(date(2026, 11, 3), TODAY, "The start date is after the end date."),
        ),
        (
            "yesterday",
            None,
            stats.DateRange(date(2026, 11, 3), TODAY, "'yesterday' is not a date (YYYY-MM-DD)"),
        ),
        (
            "2020-01-01",
            "2026-01-01",
            stats.DateRange(date(2026, 11, 3), TODAY, "Choose a range of at most 731 days."),
        ),
    ],
)
def test_choose_range(first, last, expected):
    assert stats.choose_range(TODAY, first, last) == expected


def test_date_range_counts_days_inclusively():
    assert stats.DateRange(date(2026, 11, 3), TODAY).days == 30


# --------------------------------------------------------------------------- charts


def bars(root: ET.Element) -> list[tuple[str, list[str], dict[str, str]]]:
    """(tooltip, texts, rect attributes) of each bar."""
    found = []
    for group in root.iter(f"{SVG}g"):
        texts = [t.text for t in group.findall(f"{SVG}text")]
        rect = group.find(f"{SVG}rect")
        found.append((group.findtext(f"{SVG}title"), texts, rect.attrib))
    return found


def test_bar_chart_is_accessible_well_formed_svg():
    svg = stats.bar_chart("Calls by outcome", [("TRU report", 4), ("Officer", 2), ("311", 0)])
    root = ET.fromstring(svg)

    assert root.tag == f"{SVG}svg"
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == "Calls by outcome"
    assert root.findtext(f"{SVG}title") == "Calls by outcome"
    assert root.findtext(f"{SVG}desc") == "TRU report: 4; Officer: 2; 311: 0"
    found = bars(root)
    assert [(title, texts) for title, texts, _ in found] == [
        ("TRU report: 4", ["TRU report", "4"]),
        ("Officer: 2", ["Officer", "2"]),
        ("311: 0", ["311", "0"]),
    ]
    widths = [float(rect["width"]) for _, _, rect in found]
    assert widths[0] == 2 * widths[1]
    assert widths[2] == 0
    assert "style" not in svg
    assert "script" not in svg


def test_bar_chart_columns():
    svg = stats.bar_chart("By hour", [(f"{h:02d}", h % 3) for h in range(24)], columns=True)
    root = ET.fromstring(svg)

    found = bars(root)
    assert len(found) == 24
    assert found[2][1] == ["2", "02"]
    assert found[2][0] == "02: 2"
    heights = [float(rect["height"]) for _, _, rect in found]
    assert heights[:3] == [0.0, 60.0, 120.0]
    assert root.findtext(f"{SVG}desc").startswith("00: 0; 01: 1; 02: 2; 03: 0")


def test_bar_chart_escapes_labels_and_title():
    svg = stats.bar_chart('Calls <by> "type" & more', [("<script>alert(1)</script>", 1234)])
    root = ET.fromstring(svg)

    assert "<script>" not in svg
    assert root.attrib["aria-label"] == 'Calls <by> "type" & more'
    assert root.findtext(f"{SVG}title") == 'Calls <by> "type" & more'
    [(title, texts, _)] = bars(root)
    assert title == "<script>alert(1)</script>: 1,234"
    assert texts == ["<script>alert(1)</script>", "1,234"]


def test_bar_chart_without_items():
    root = ET.fromstring(stats.bar_chart("Reports by type", []))

    assert root.findtext(f"{SVG}desc") == "No data."
    assert [t.text for t in root.iter(f"{SVG}text")] == ["No data"]
    assert list(root.iter(f"{SVG}g")) == []


# --------------------------------------------------------------------------- the page


@pytest.fixture
def sign_in(app, client, session, clock):
    app.config["WTF_CSRF_ENABLED"] = False

    def sign_in(role: str, username: str | None = None):
        username = username or role
        accounts.add_user(session, username, PASSWORD, role, now=clock.now, by=None)
        session.commit()
        response = client.post("/staff/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302
        return username

    return sign_in


def audit_rows(session, event: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.event == event)))


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(chunk) for chunk in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def test_unauthenticated_is_sent_to_sign_in(client, session):
    response = client.get("/staff/dashboard")

    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login?next=/staff/dashboard"
    assert audit_rows(session, "dashboard_viewed") == []


def test_reviewer_is_refused(client, session, sign_in):
    sign_in("reviewer", "rita")

    response = client.get("/staff/dashboard")

    assert response.status_code == 403
    [refused] = audit_rows(session, "access_refused")
    assert (refused.username, refused.object, refused.outcome, refused.detail) == (
        "rita",
        "/staff/dashboard",
        "refused",
        "supervisor",
    )
    assert audit_rows(session, "dashboard_viewed") == []


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_page_renders_for_supervisors_and_admins(client, session, sign_in, role):
    add_call(session, 1, utc(2026, 12, 1, 15, 0), disposition="tru_report")  # Tue 10:00 EST
    add_call(session, 2, utc(2026, 12, 2, 2, 0), disposition="officer", line_open=False)
    session.commit()
    who = sign_in(role)

    response = client.get("/staff/dashboard")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tuesday 3 November 2026 to Wednesday 2 December 2026 (30 days)" in html
    assert 'value="2026-11-03"' in html
    assert 'value="2026-12-02"' in html
    assert "<strong>2</strong> calls" in html
    assert "<strong>1</strong> after hours (50.0%)" in html
    assert "<strong>1</strong> calls (50.0%)" in html  # diverted
    assert "<strong>0.8</strong> estimated officer-hours saved." in html
    assert "of\n      45 minutes (the MINUTES_PER_DISPATCH setting)" in html
    assert "Monday through Friday, 6 a.m. to 11 p.m." in html
    # CSP: nothing inline to run or style.
    assert "<script" not in html
    assert "style=" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]

    charts = svgs(html)
    assert [chart.attrib["aria-label"] for chart in charts] == [
        "Calls by hour of day (Baltimore time, 24-hour clock)",
        "Calls by day of week",
        "Calls by outcome",
        "Reports by type",
        "Calls by language",
    ]
    hours, weekdays, outcomes, reports, languages = charts
    assert hours.findtext(f"{SVG}desc").split("; ")[10] == "10: 1"
    assert hours.findtext(f"{SVG}desc").split("; ")[21] == "21: 1"  # Tue 21:00 EST
    assert weekdays.findtext(f"{SVG}desc") == (
        "Mon: 0; Tue: 2; Wed: 0; Thu: 0; Fri: 0; Sat: 0; Sun: 0"
    )
    assert outcomes.findtext(f"{SVG}desc") == (
        "911 emergency: 0; Officer dispatched: 1; TRU report: 1; Online report: 0; "
        "Traffic vendor: 0; Alternative response: 0; Alarm, no response: 0; "
        "311 referral: 0; Not decided: 0"
    )
    assert languages.findtext(f"{SVG}desc") == "English: 2"
    assert reports.findtext(f"{SVG}desc") == "No data."
    assert "<tr><td>TRU report</td><td>1</td></tr>" in html

    [viewed] = audit_rows(session, "dashboard_viewed")
    assert (viewed.username, viewed.object, viewed.outcome, viewed.detail) == (
        who,
        "dashboard",
        "success",
        "2026-11-03 to 2026-12-02",
    )


def test_page_takes_a_date_range(client, session, sign_in, autumn):
    sign_in("supervisor", "sam")

    response = client.get("/staff/dashboard?from=2026-10-31&to=2026-11-02")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Saturday 31 October 2026 to Monday 2 November 2026 (3 days)" in html
    assert "<strong>8</strong> calls" in html
    assert "<strong>4</strong> after hours (50.0%)" in html
    assert "<strong>5</strong> calls (62.5%)" in html
    assert "<strong>3.8</strong> estimated officer-hours saved." in html
    assert "<strong>4</strong> reports started" in html
    assert "<strong>50.0%</strong> still partial\n      (2 of 4)" in html
    assert "<strong>75.0%</strong> need a callback\n      (3 of 4)" in html
    assert "<tr><td>zh</td><td>1</td></tr>" in html
    reports = svgs(html)[3]
    assert reports.findtext(f"{SVG}desc") == "Larceny: 3; Lost property: 1"
    [viewed] = audit_rows(session, "dashboard_viewed")
    assert viewed.detail == "2026-10-31 to 2026-11-02"


def test_page_says_when_the_dates_cannot_be_used(client, session, sign_in):
    sign_in("admin", "ada")

    response = client.get("/staff/dashboard?from=2026-12-05&to=2026-12-01")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The start date is after the end date. Showing the last 30 days instead." in html
    assert 'value="2026-11-03"' in html
    [viewed] = audit_rows(session, "dashboard_viewed")
    assert viewed.detail == "2026-11-03 to 2026-12-02"
