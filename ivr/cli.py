"""The `tru` command: run, migrate, call and export the TRU line."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import Flask

from ivr.config import ConfigError, development_secrets, load_config


def _instance_path() -> str:
    # The same instance folder create_app() uses, without building the whole app.
    return Flask("ivr", instance_relative_config=True).instance_path


def _config() -> dict:
    try:
        return load_config(os.environ, _instance_path())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _app(test_config: dict | None = None):
    from ivr import create_app
    from ivr import db as database

    try:
        app = create_app(test_config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    # Close the pool when the command is done, so no connection outlives it.
    click.get_current_context().call_on_close(database.engine_of(app).dispose)
    return app


def _clock_starting_at(text: str):
    """A clock that reads `text` (local time) now and runs on from it in real time."""
    from time import monotonic
    from zoneinfo import ZoneInfo

    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a time like 2026-12-07 10:00", param_hint="--at"
        ) from None
    if start.tzinfo is None:
        zone = os.environ.get("TRU_TIMEZONE") or "America/New_York"
        start = start.replace(tzinfo=ZoneInfo(zone))
    began = monotonic()
    return lambda: (start + timedelta(seconds=monotonic() - began)).astimezone(UTC)


def _development_by_default() -> None:
    """Tools for people on their own machine run in development unless told otherwise."""
    if not os.environ.get("TRU_ENV"):
        os.environ["TRU_ENV"] = "development"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """TRU Line: the Baltimore Police Telephone Reporting Unit phone line."""


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations (the Procfile's release step)."""
    from ivr import db as database

    config = _config()
    database.upgrade(config["DATABASE_URL"], revision)
    click.echo(f"database at {_masked(config['DATABASE_URL'])} is at revision {revision}")


@cli.group()
def flows() -> None:
    """The call flows in flows/."""


@flows.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Default: flows/.")
def flows_check(directory: str | None) -> None:
    """Validate every flow; print each problem as FILE: state 'S': PROBLEM."""
    from ivr.flowgraph import check_flows, summary
    from ivr.flows import load_flows

    problems = check_flows(directory or _config()["FLOWS_DIR"])
    for line in problems:
        click.echo(line, err=True)
    if problems:
        sys.exit(1)
    for line in summary(load_flows(directory or _config()["FLOWS_DIR"])):
        click.echo(line)
    click.echo("flows OK")


@flows.command("graph")
@click.argument("flow")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Default: flows/.")
def flows_graph(flow: str, directory: str | None) -> None:
    """Print FLOW as a Mermaid diagram."""
    from ivr.flowgraph import mermaid
    from ivr.flows import FlowError, load_flows

    try:
        loaded = load_flows(directory or _config()["FLOWS_DIR"])
    except FlowError as exc:
        raise click.ClickException(str(exc)) from None
    if flow not in loaded.flows:
        raise click.ClickException(f"no flow {flow!r}; flows: {', '.join(sorted(loaded.flows))}")
    click.echo(mermaid(loaded, flow), nl=False)


@cli.command()
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--address", help="Premises, for alarm calls (checked in the false-alarm registry).")
@click.option("--language", type=click.Choice(["en", "es"]), help="Default: detected.")
@click.option(
    "--at",
    "at",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
    help="Triage as of this Baltimore time (default: now); decides TRU open or closed.",
)
def triage(text: str | None, as_json: bool, address: str | None, language: str | None, at) -> None:
    """Who responds to TEXT (or to each line of standard input), and why."""
    import json

    from ivr.triage.speech import understand

    app = _tool_app() if not os.environ.get("TRU_ENV") else _app()
    line = app.extensions["tru.line"]
    now = app.extensions["tru.clock"]()
    if at is not None:
        now = at.replace(tzinfo=line.hours.timezone)
    utterances = [text] if text is not None else (row.rstrip("\n") for row in sys.stdin)
    with app.extensions["tru.db"]() as session:
        for utterance in utterances:
            if not utterance.strip():
                continue
            heard = understand(utterance, language)
            facts = {"reason": utterance}
            if address:
                facts["alarm_address"] = address
            result = line.triage_words(session, facts, heard, now)
            if as_json:
                click.echo(json.dumps(result, ensure_ascii=False))
            else:
                click.echo(
                    f"{result['disposition']}\t{result['call_type'] or '-'}\t"
                    + "; ".join(result["reasons"])
                )


@cli.group()
def alarms() -> None:
    """The false-alarm registry (burglar alarms, Ordinance 22-161)."""


@alarms.command("add")
@click.argument("address")
@click.option("--on", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option(
    "--not-false", is_flag=True, help="Police found a real incident, or it doesn't count."
)
def alarms_add(address: str, day, not_false: bool) -> None:
    """Record a police response to an alarm at ADDRESS."""
    from ivr import alarms as registry

    app = _tool_app() if not os.environ.get("TRU_ENV") else _app()
    now = app.extensions["tru.clock"]()
    rules = app.extensions["tru.line"].rules.settings
    with app.extensions["tru.db"]() as session:
        try:
            registry.record_alarm(session, address, day.date(), false_alarm=not not_false, now=now)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        status = registry.alarm_status(
            session,
            address,
            at=day.date(),
            window=rules.false_alarm_window,
            threshold=rules.false_alarm_threshold,
        )
    verdict = "no police response" if status.suspended else "police respond"
    click.echo(
        f"{status.premises}: {status.false_alarms} false alarm(s) "
        f"({status.window.replace('_', ' ')}) -> {verdict}"
    )


@alarms.command("list")
@click.argument("address", required=False)
def alarms_list(address: str | None) -> None:
    """Alarm responses, newest first (for one premises with ADDRESS)."""
    from ivr import alarms as registry

    app = _tool_app() if not os.environ.get("TRU_ENV") else _app()
    with app.extensions["tru.db"]() as session:
        try:
            rows = registry.list_alarms(session, address)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        for row in rows:
            kind = "false" if row.false_alarm else "not false"
            click.echo(f"{row.occurred_on.isoformat()}\t{row.premises}\t{kind}")


@cli.group()
def staff() -> None:
    """Staff accounts for the review UI. There are no default accounts."""


def _staff_action(action) -> None:
    from ivr.staff.accounts import AccountError

    app = _tool_app() if not os.environ.get("TRU_ENV") else _app()
    now = app.extensions["tru.clock"]()
    with app.extensions["tru.db"]() as session:
        try:
            message = action(session, now)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
    click.echo(message)


@staff.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["reviewer", "supervisor", "admin"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def staff_add(username: str, role: str, password_stdin: bool) -> None:
    """Add USERNAME; the password is asked for (or read from standard input)."""
    from ivr.staff import accounts

    password = _read_password(password_stdin)
    _staff_action(
        lambda session, now: (
            accounts.add_user(session, username, password, role, now=now, by="cli")
            and f"added {username.strip().lower()} ({role})"
        )
    )


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@staff.command("disable")
@click.argument("username")
def staff_disable(username: str) -> None:
    """Disable USERNAME and end their sessions."""
    from ivr.staff import accounts

    _staff_action(
        lambda session, now: (
            accounts.disable_user(session, username, now=now, by="cli") or f"disabled {username}"
        )
    )


@staff.command("unlock")
@click.argument("username")
def staff_unlock(username: str) -> None:
    """Unlock USERNAME after a lockout."""
    from ivr.staff import accounts

    _staff_action(
        lambda session, now: (
            accounts.unlock_user(session, username, now=now, by="cli") or f"unlocked {username}"
        )
    )


@staff.command("enable")
@click.argument("username")
def staff_enable(username: str) -> None:
    """Let disabled USERNAME sign in again."""
    from ivr.staff import accounts

    _staff_action(
        lambda session, now: (
            f"enabled {accounts.enable_user(session, username, now=now, by='cli').username}"
        )
    )


@staff.command("role")
@click.argument("username")
@click.option("--role", type=click.Choice(["reviewer", "supervisor", "admin"]), required=True)
def staff_role(username: str, role: str) -> None:
    """Give USERNAME another role (from their next request on)."""
    from ivr.staff import accounts

    def change(session, now) -> str:
        changed = accounts.change_role(session, username, role, now=now, by="cli")
        return f"{changed.username} is now {changed.role}"

    _staff_action(change)


@staff.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def staff_password(username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME and end their sessions."""
    from ivr.staff import accounts

    password = _read_password(password_stdin)

    def reset(session, now) -> str:
        ended = accounts.reset_password(session, username, password, now=now, by="cli")
        return f"reset the password of {username.strip().lower()}; {ended} sessions ended"

    _staff_action(reset)


@cli.command()
@click.option("--older-than", "days", type=click.IntRange(min=1), required=True, help="Days.")
@click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
def purge(days: int, dry_run: bool) -> None:
    """Remove recordings and personal data of calls older than DAYS; the audit trail stays."""
    from datetime import timedelta

    from ivr.retention import purge as purge_calls

    app = _tool_app() if not os.environ.get("TRU_ENV") else _app()
    now = app.extensions["tru.clock"]()
    with app.extensions["tru.db"]() as session:
        counts = purge_calls(
            session, before=now - timedelta(days=days), now=now, by="cli", dry_run=dry_run
        )
    verb = "would purge" if dry_run else "purged"
    click.echo(
        f"{verb} {counts.calls} calls, {counts.reports} reports, "
        f"{counts.recordings} recordings, {counts.texts} texts"
    )


@cli.group()
def texts() -> None:
    """Text messages to callers."""


@texts.command("sweep")
@click.option(
    "--older-than",
    "minutes",
    type=click.IntRange(min=1),
    default=15,
    show_default=True,
    help="Minutes a text may stay sending before it counts as interrupted.",
)
@click.option("--dry-run", is_flag=True, help="Count what would be sent or marked; change nothing.")
def texts_sweep(minutes: int, dry_run: bool) -> None:
    """Send the texts a stopped worker left queued; mark the ones that will not be sent.

    A text still queued two minutes after it was queued has lost the worker that was to send it
    (a restart, a killed worker): it is sent now, if it is less than a day old and messaging is
    configured. A text left *sending* (Twilio may or may not have it) is never resent: it is
    marked as not sent for staff, as is one nobody sent within a day. Run it every few minutes
    from cron or the Heroku Scheduler: `tru texts sweep`. Each text sent also does this, so it
    only matters on a quiet line.
    """
    from datetime import timedelta

    from ivr import sms

    app = _tool_app() if not os.environ.get("TRU_ENV") else _app()
    now = app.extensions["tru.clock"]()
    older_than = timedelta(minutes=minutes)
    texting = app.extensions["tru.line"].texting
    with app.extensions["tru.db"]() as session:
        if dry_run:
            late = len(sms.orphans(session, now=now)) if texting is not None else 0
            marked = sms.sweep(session, now=now, older_than=older_than, dry_run=True)
            click.echo(f"would send {late} texts late; would mark {marked} as not sent")
            return
        if texting is not None:
            late, marked = texting.sender.tidy(session, now, older_than=older_than)
        else:
            late, marked = 0, sms.sweep(session, now=now, older_than=older_than)
    click.echo(f"sent {late} texts late; marked {marked} interrupted texts as not sent")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")))
@click.option("--workers", type=int, default=2, show_default=True)
def serve(host: str, port: int, workers: int) -> None:
    """Run the line under gunicorn, as production does (development mode unless TRU_ENV says)."""
    _development_by_default()
    _app()  # fail here with one line, not in every worker
    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).with_name("gunicorn"))
    click.echo(f"TRU Line ({os.environ['TRU_ENV']}) on http://{host}:{port}", err=True)
    os.execv(  # noqa: S606 - replaces this process with the server
        gunicorn,
        [
            gunicorn,
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "20",
            "--access-logfile",
            "-",
            "ivr:create_app()",
        ],
    )


@cli.command()
@click.option("--url", help="Base URL of a running line (default: the app, in this process).")
@click.option("--from", "caller", default="+14105550123", show_default=True)
@click.option("--to", "called", default="+14106378849", show_default=True)
@click.option(
    "--keys",
    help="Scripted caller: inputs separated by commas, e.g. '2,1,,hangup' (empty = silence).",
)
@click.option(
    "--at",
    "at",
    metavar="'YYYY-MM-DD HH:MM'",
    help="Place the call at this local (TRU_TIMEZONE) time, to try open or closed hours. "
    "In-process only.",
)
def call(url: str | None, caller: str, called: str, keys: str | None, at: str | None) -> None:
    """Call the line from this terminal: hear the prompts, type keys or speech."""
    from ivr.softphone import INPUT_HELP, HttpTransport, InProcessTransport, run_call

    _development_by_default()
    scripted = keys.split(",") if keys is not None else None
    if at and url:
        raise click.UsageError("--at sets this process's clock; it cannot move a running line's.")
    if url:
        base = url.rstrip("/")
        token = (
            os.environ.get("TWILIO_AUTH_TOKEN")
            or development_secrets(_instance_path())["TWILIO_AUTH_TOKEN"]
        )
        transport = HttpTransport(token)
    else:
        app = _app({"CLOCK": _clock_starting_at(at)} if at else None)
        if not app.config["TWILIO_AUTH_TOKEN"]:
            raise click.ClickException(
                "TWILIO_AUTH_TOKEN is not set: the softphone signs its requests with it"
            )
        base = "https://tru.example.test"
        transport = InProcessTransport(app, app.config["TWILIO_AUTH_TOKEN"], base_url=base)
    if scripted is None:
        click.echo(INPUT_HELP, err=True)
    result = run_call(
        transport,
        f"{base}/voice",
        caller=caller,
        called=called,
        status_url=f"{base}/voice/status",
        keys=scripted,
    )
    click.echo(f"[call {result.call_sid} ended: {result.ended_by}]")
    if result.application_error:
        sys.exit(1)


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
def export(fmt: str, output) -> None:
    """Every call with its answers, one record per call."""
    from ivr.export import call_records, write_csv, write_json

    app = _app() if os.environ.get("TRU_ENV") else _tool_app()
    with app.extensions["tru.db"]() as session:
        writer = write_json if fmt == "json" else write_csv
        count = writer(call_records(session), output)
    click.echo(f"{count} call(s) exported", err=True)


def _tool_app():
    _development_by_default()
    return _app()


def _masked(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main() -> None:
    cli(prog_name="tru")
