"""The supervisors' dashboard: calls, outcomes and reports over a range of Baltimore dates."""

from __future__ import annotations

from flask import current_app, render_template, request
from markupsafe import Markup

from ivr import db
from ivr.hours import describe_hours
from ivr.staff import dashboard as stats
from ivr.web.staff import bp, log, now, require


def _rows(
    counts: dict[str, int], labels: dict[str, str], *, humanize: bool = True
) -> list[tuple[str, int]]:
    """(label, count) rows; keys without a label are shown as words, or as stored."""

    def label(key: str) -> str:
        if key in labels:
            return labels[key]
        return key.replace("_", " ").capitalize() if humanize else key

    return [(label(key), count) for key, count in counts.items()]


@bp.get("/dashboard")
@require("supervisor")
def dashboard():
    hours = current_app.extensions["tru.line"].hours
    zone = hours.timezone
    today = now().astimezone(zone).date()
    chosen = stats.choose_range(today, request.args.get("from"), request.args.get("to"))
    start, end = stats.bounds(chosen.first, chosen.last, zone)
    minutes = current_app.config["MINUTES_PER_DISPATCH"]
    result = stats.summary(db.session(), start, end, hours, minutes)

    tables = {
        "hours": [(f"{hour:02d}:00", count) for hour, count in enumerate(result.by_hour)],
        "weekdays": list(zip(stats.WEEKDAYS, result.by_weekday, strict=True)),
        "dispositions": _rows(result.dispositions, stats.OUTCOME_LABELS),
        "reports": _rows(result.reports_by_type, stats.REPORT_TYPE_LABELS),
        "languages": _rows(result.languages, stats.LANGUAGE_LABELS, humanize=False),
    }
    charts = {
        "hours": stats.bar_chart(
            "Calls by hour of day (Baltimore time, 24-hour clock)",
            [(f"{hour:02d}", count) for hour, count in enumerate(result.by_hour)],
            columns=True,
        ),
        "weekdays": stats.bar_chart("Calls by day of week", tables["weekdays"], columns=True),
        "dispositions": stats.bar_chart("Calls by outcome", tables["dispositions"]),
        "reports": stats.bar_chart("Reports by type", tables["reports"]),
        "languages": stats.bar_chart("Calls by language", tables["languages"]),
    }

    log("dashboard_viewed", object="dashboard", detail=f"{chosen.first} to {chosen.last}")
    db.session().commit()
    return render_template(
        "staff/dashboard.html",
        chosen=chosen,
        summary=result,
        tables=tables,
        # bar_chart escapes every label and value itself.
        charts={name: Markup(svg) for name, svg in charts.items()},  # noqa: S704
        opening_hours=describe_hours(hours, "en"),
        zone=getattr(zone, "key", str(zone)),
    )
