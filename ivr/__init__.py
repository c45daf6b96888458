"""TRU Line: the Twilio voice line of Baltimore's police Telephone Reporting Unit."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

# Flask, the database and the web wiring are imported inside the functions that need them, so that
# importing a plain-Python part of the package (ivr.triage, ivr.hours) does not load the web app.
if TYPE_CHECKING:
    from flask import Flask

    from ivr.hours import OpeningHours
    from ivr.line import Line, Texting


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, then checks, then the services and blueprints."""
    from datetime import UTC, datetime

    from flask import Flask
    from flask_wtf.csrf import CSRFProtect
    from werkzeug.middleware.proxy_fix import ProxyFix

    from ivr import db, logs
    from ivr.config import check_production, development_secrets, load_config

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(os.environ, app.instance_path))
    if test_config is not None:
        app.config.from_mapping(test_config)
    check_production(app.config)
    if app.config["TRU_ENV"] == "development" and not (
        app.config["TWILIO_AUTH_TOKEN"] and app.config["SECRET_KEY"]
    ):
        generated = development_secrets(app.instance_path)
        app.config["TWILIO_AUTH_TOKEN"] = (
            app.config["TWILIO_AUTH_TOKEN"] or generated["TWILIO_AUTH_TOKEN"]
        )
        app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or generated["SECRET_KEY"]

    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]

    db.init_app(app)
    app.extensions["tru.clock"] = app.config.get("CLOCK") or (lambda: datetime.now(UTC))
    app.extensions["tru.line"] = _line(app.config)
    from ivr import answers

    answers.warm_up(app.extensions["tru.clock"]())
    from ivr.web.courier import Courier

    app.extensions["tru.courier"] = Courier(app)

    from ivr.web import health, voice
    from ivr.web import staff as staff_web

    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = app.config.get("COOKIE_SECURE", False)
    app.session_interface = staff_web.SessionCookies()
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # bound to the staff session instead
    app.register_blueprint(voice.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(staff_web.bp)
    # After the staff blueprint, so a signed-in user is known when a CSRF check refuses them.
    csrf = CSRFProtect(app)
    # Twilio cannot send a CSRF token; its webhooks are guarded by their signatures instead.
    csrf.exempt(voice.bp)
    staff_web.register_errors(app)
    logs.configure()
    return app


def _line(config: Mapping[str, Any]) -> Line:
    from ivr.announcements import Announcer, spoken_number
    from ivr.config import ConfigError
    from ivr.flows import Voice, load_flows
    from ivr.line import Line, Urls
    from ivr.triage import RulesError, load_rules

    flows = load_flows(config["FLOWS_DIR"])
    hours = opening_hours(config)
    announcer = Announcer(
        flows=flows,
        hours=hours,
        voices={
            "en": Voice(config["VOICE_EN"], "en-US"),
            "es": Voice(config["VOICE_ES"], "es-US"),
        },
        online_report_url=config["ONLINE_REPORT_URL"],
        tru_number=spoken_number(config["TRU_NUMBER"]),
        operator_number=config["OPERATOR_NUMBER"],
        numbers={
            "dispatch": config["DISPATCH_NUMBER"],
            "non_emergency": config["NON_EMERGENCY_NUMBER"],
            "alternative": config["ALTERNATIVE_NUMBER"],
        },
    )
    from ivr.web.voice import step_url

    try:
        rules = load_rules().with_settings(
            value_cap=config["VALUE_CAP"],
            false_alarm_threshold=config["FALSE_ALARM_THRESHOLD"],
            false_alarm_window=config["FALSE_ALARM_WINDOW"],
        )
    except RulesError as exc:
        raise ConfigError(f"triage settings: {exc}") from None
    return Line(
        flows=flows,
        hours=hours,
        announcer=announcer,
        urls=Urls(step=step_url),
        rules=rules,
        texting=_texting(config, hours),
    )


def _texting(config: Mapping[str, Any], hours: OpeningHours) -> Texting | None:
    """Texting is on only with an account and a number or Messaging Service to send from."""
    from ivr.line import Texting
    from ivr.sms import Sender
    from ivr.web.voice import TEXT_STATUS_PATH

    sender_ready = config["SMS_FROM"] or config["MESSAGING_SERVICE_SID"]
    if not (config["TWILIO_ACCOUNT_SID"] and config["TWILIO_AUTH_TOKEN"] and sender_ready):
        return None
    sender = Sender(
        account_sid=config["TWILIO_ACCOUNT_SID"],
        auth_token=config["TWILIO_AUTH_TOKEN"],
        from_number=config["SMS_FROM"],
        messaging_service_sid=config["MESSAGING_SERVICE_SID"],
        api_base=config["TWILIO_API_BASE"],
        timeout=config["SMS_TIMEOUT"],
        status_callback=(config["PUBLIC_URL"] + TEXT_STATUS_PATH if config["PUBLIC_URL"] else None),
    )
    return Texting(
        sender=sender,
        hours=hours,
        tru_number=config["TRU_NUMBER"],
        online_url=config["ONLINE_REPORT_URL"],
    )


#: parse_hours() argument -> (config key, environment variable)
HOURS_SETTINGS = {
    "timezone": ("TIMEZONE", "TRU_TIMEZONE"),
    "opens": ("OPEN_TIME", "TRU_OPEN_TIME"),
    "closes": ("CLOSE_TIME", "TRU_CLOSE_TIME"),
    "days": ("OPEN_DAYS", "TRU_OPEN_DAYS"),
    "holiday_calendar": ("HOLIDAY_CALENDAR", "TRU_HOLIDAYS"),
    "closures": ("EXTRA_CLOSURES", "TRU_CLOSURES"),
}


def opening_hours(config: Mapping[str, Any]) -> OpeningHours:
    """The TRU's hours from the settings; a bad one stops start-up with its variable named."""
    from ivr.config import ConfigError
    from ivr.hours import parse_hours

    given = {argument: config[key] for argument, (key, _) in HOURS_SETTINGS.items()}
    try:
        return parse_hours(**given)
    except ValueError as exc:
        for argument, (_, variable) in HOURS_SETTINGS.items():
            try:
                parse_hours(**{argument: given[argument]})
            except ValueError:
                raise ConfigError(f"{variable}: {exc}") from None
        raise ConfigError(f"TRU opening hours settings: {exc}") from None
