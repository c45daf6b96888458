"""Every setting of TRU Line, read from the environment in one place.

`load_config` turns an environment mapping into the Flask config keys the app uses. Tests pass
their own overrides to `create_app(test_config=...)` instead of touching the process environment.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENVIRONMENTS = ("production", "development", "test")

#: Settings production refuses to start without, by the environment variable that carries them.
REQUIRED_IN_PRODUCTION = {
    "TWILIO_AUTH_TOKEN": "TWILIO_AUTH_TOKEN",
    "SECRET_KEY": "TRU_SECRET_KEY",
}


class ConfigError(RuntimeError):
    """A setting is missing or malformed. The message is one line, fit for a terminal."""


def database_url(environ: Mapping[str, str], instance_path: str | Path) -> str:
    """The SQLAlchemy URL: TRU_DATABASE_URL, else DATABASE_URL, else SQLite in the instance folder.

    Hosting platforms hand out `postgres://` URLs, which SQLAlchemy no longer accepts; both that and
    a bare `postgresql://` are pointed at psycopg 3, the driver this project installs.
    """
    url = environ.get("TRU_DATABASE_URL") or environ.get("DATABASE_URL") or ""
    if not url:
        return f"sqlite:///{Path(instance_path) / 'tru.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _int(environ: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _optional_int(environ: Mapping[str, str], name: str) -> int | None:
    return _int(environ, name, 0, minimum=1) if environ.get(name, "").strip() else None


def _float(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None


def _positive_float(environ: Mapping[str, str], name: str, default: float) -> float:
    value = _float(environ, name, default)
    if not value > 0:
        raise ConfigError(f"{name} must be more than 0 seconds, not {value:g}")
    return value


def _public_url(environ: Mapping[str, str]) -> str | None:
    """TRU_PUBLIC_URL: where Twilio reaches the line, scheme and host (and any path prefix)."""
    raw = (environ.get("TRU_PUBLIC_URL") or "").strip().rstrip("/")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"TRU_PUBLIC_URL must be the line's address, like https://tru.example.org, not {raw!r}"
        )
    return raw


def load_config(environ: Mapping[str, str], instance_path: str | Path) -> dict[str, Any]:
    """Read every TRU Line setting from `environ` (normally `os.environ`)."""
    env = environ.get("TRU_ENV", "production").strip().lower() or "production"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"TRU_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    return {
        "TRU_ENV": env,
        "DATABASE_URL": database_url(environ, instance_path),
        # Seconds to wait for the database before a webhook gives the caller the spoken fallback.
        "DATABASE_TIMEOUT": _float(environ, "TRU_DATABASE_TIMEOUT", 4.0),
        # Seconds of database work one webhook may start; with the per-statement timeout above,
        # every webhook answers well inside Twilio's 15 seconds.
        "WEBHOOK_BUDGET": _float(environ, "TRU_WEBHOOK_BUDGET", 8.0),
        "TWILIO_ACCOUNT_SID": environ.get("TWILIO_ACCOUNT_SID") or None,
        "TWILIO_AUTH_TOKEN": environ.get("TWILIO_AUTH_TOKEN") or None,
        "SECRET_KEY": environ.get("TRU_SECRET_KEY") or None,
        # Proxies in front of the app that set X-Forwarded-*: 0 trusts none of those headers.
        "PROXY_HOPS": _int(environ, "TRU_PROXY_HOPS", 0),
        "TIMEZONE": environ.get("TRU_TIMEZONE") or "America/New_York",
        "OPEN_TIME": environ.get("TRU_OPEN_TIME") or "06:00",
        "CLOSE_TIME": environ.get("TRU_CLOSE_TIME") or "23:00",
        "OPEN_DAYS": environ.get("TRU_OPEN_DAYS") or "mon-fri",
        # "CC-SUBDIV" for the `holidays` package, or "none".
        "HOLIDAY_CALENDAR": environ.get("TRU_HOLIDAYS", "US-MD"),
        "EXTRA_CLOSURES": environ.get("TRU_CLOSURES", ""),
        "ONLINE_REPORT_URL": environ.get("TRU_ONLINE_REPORT_URL")
        or "https://www.baltimorepolice.org/online-reporting",
        # The TRU's own public number, said to callers who should call back.
        "TRU_NUMBER": environ.get("TRU_PHONE_NUMBER") or "+14106378849",
        # Where "press 0 for a person" goes; unset means no transfer is offered as working.
        "OPERATOR_NUMBER": environ.get("TRU_OPERATOR_NUMBER") or None,
        # Transfers by outcome; unset, the caller is told what to dial instead.
        "DISPATCH_NUMBER": environ.get("TRU_DISPATCH_NUMBER") or None,
        "NON_EMERGENCY_NUMBER": environ.get("TRU_NON_EMERGENCY_NUMBER") or None,
        "ALTERNATIVE_NUMBER": environ.get("TRU_ALTERNATIVE_NUMBER") or None,
        # Triage settings; unset, rules.yaml's values hold.
        "VALUE_CAP": _optional_int(environ, "TRU_VALUE_CAP"),
        "FALSE_ALARM_THRESHOLD": _optional_int(environ, "TRU_FALSE_ALARM_THRESHOLD"),
        "FALSE_ALARM_WINDOW": environ.get("TRU_FALSE_ALARM_WINDOW") or None,
        # Staff cookies only over HTTPS (on by default in production).
        "COOKIE_SECURE": environ.get("TRU_COOKIE_SECURE", "1" if env == "production" else "0")
        in ("1", "true", "yes"),
        # Minutes after which a locked account unlocks itself; unset, only an admin unlocks.
        "LOCKOUT_COOLDOWN_MINUTES": _optional_int(environ, "TRU_LOCKOUT_COOLDOWN_MINUTES"),
        # Minutes of officer time one avoided dispatch saves (dashboard estimate).
        "MINUTES_PER_DISPATCH": _int(environ, "TRU_MINUTES_PER_DISPATCH", 45, minimum=1),
        # Hosts the app may fetch recordings from (Twilio's API), with the account credentials.
        "RECORDING_HOSTS": tuple(
            h.strip()
            for h in environ.get("TRU_RECORDING_HOSTS", "api.twilio.com").split(",")
            if h.strip()
        ),
        # Texting callers: a messaging number or a Messaging Service (unset: no texts offered).
        "SMS_FROM": environ.get("TRU_SMS_FROM") or None,
        "MESSAGING_SERVICE_SID": environ.get("TWILIO_MESSAGING_SERVICE_SID") or None,
        # Seconds a text waits on Twilio's REST API before it is stored as failed (a stopping
        # worker's courier starts a send only if it can end within gunicorn's graceful timeout).
        "SMS_TIMEOUT": _positive_float(environ, "TRU_SMS_TIMEOUT", 5.0),
        # Where Twilio reaches the line: status callbacks for texts sent outside a webhook.
        "PUBLIC_URL": _public_url(environ),
        # Twilio's REST API base (tests point it at a local stand-in).
        "TWILIO_API_BASE": environ.get("TRU_TWILIO_API_BASE") or None,
        "VOICE_EN": environ.get("TRU_VOICE_EN") or "Polly.Joanna-Neural",
        "VOICE_ES": environ.get("TRU_VOICE_ES") or "Polly.Lupe-Neural",
        "FLOWS_DIR": environ.get("TRU_FLOWS_DIR") or None,
    }


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to run a production line that cannot verify Twilio or sign sessions."""
    if config.get("TRU_ENV") != "production":
        return
    for key, variable in REQUIRED_IN_PRODUCTION.items():
        if not config.get(key):
            raise ConfigError(
                f"{variable} is not set: TRU Line will not start in production without it"
            )


def development_secrets(instance_path: str | Path) -> dict[str, str]:
    """Per-machine secrets for development, made once and kept in the instance folder.

    A development server still checks every Twilio signature; it signs with a random token that
    `tru call` on the same machine reads too, so nothing guessable ever guards a webhook.
    """
    path = Path(instance_path) / "dev-secrets.json"
    try:
        stored = json.loads(path.read_text())
        if stored.get("TWILIO_AUTH_TOKEN") and stored.get("SECRET_KEY"):
            return stored
    except (OSError, ValueError):
        pass
    stored = {"TWILIO_AUTH_TOKEN": secrets.token_hex(16), "SECRET_KEY": secrets.token_hex(32)}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(stored, handle)
    return stored
