"""App wiring: settings, production guard, migrations, the CLI and the TwiML schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

from ivr import create_app, db
from ivr.cli import cli
from ivr.config import ConfigError, database_url, load_config
from ivr.models import Base, in_the_models
from ivr.softphone import InProcessTransport, run_call
from tests.conftest import AUTH_TOKEN, BALTIMORE, XSD_FILE, app_settings
from tests.twilio_sim import BASE_URL


class TestSettings:
    def test_database_url_prefers_tru_then_database_url_then_sqlite(self, tmp_path):
        assert database_url({}, tmp_path) == f"sqlite:///{tmp_path / 'tru.sqlite3'}"
        assert database_url({"DATABASE_URL": "sqlite:///x.db"}, tmp_path) == "sqlite:///x.db"
        both = {"DATABASE_URL": "sqlite:///x.db", "TRU_DATABASE_URL": "sqlite:///y.db"}
        assert database_url(both, tmp_path) == "sqlite:///y.db"

    @pytest.mark.parametrize(
        "given", ["postgres://u:p@db:5432/tru", "postgresql://u:p@db:5432/tru"]
    )
    def test_postgres_urls_are_pointed_at_psycopg3(self, given, tmp_path):
        url = database_url({"DATABASE_URL": given}, tmp_path)
        assert url == "postgresql+psycopg://u:p@db:5432/tru"

    def test_defaults(self, tmp_path):
        config = load_config({}, tmp_path)
        assert config["TRU_ENV"] == "production"
        assert config["TIMEZONE"] == "America/New_York"
        assert (config["OPEN_TIME"], config["CLOSE_TIME"]) == ("06:00", "23:00")
        assert config["OPEN_DAYS"] == "mon-fri"
        assert config["HOLIDAY_CALENDAR"] == "US-MD"
        assert config["PROXY_HOPS"] == 0

    def test_environment_is_read(self, tmp_path):
        config = load_config(
            {
                "TRU_TIMEZONE": "America/Chicago",
                "TRU_PROXY_HOPS": "2",
                "TRU_CLOSURES": "2026-12-24",
                "TWILIO_ACCOUNT_SID": "AC123",
            },
            tmp_path,
        )
        assert config["TIMEZONE"] == "America/Chicago"
        assert config["PROXY_HOPS"] == 2
        assert config["EXTRA_CLOSURES"] == "2026-12-24"
        assert config["TWILIO_ACCOUNT_SID"] == "AC123"

    @pytest.mark.parametrize(
        ("environ", "message"),
        [
            ({"TRU_PROXY_HOPS": "one"}, "TRU_PROXY_HOPS must be a whole number"),
            ({"TRU_PROXY_HOPS": "-1"}, "TRU_PROXY_HOPS must be at least 0"),
            ({"TRU_ENV": "staging"}, "TRU_ENV must be one of"),
        ],
    )
    def test_bad_values_are_named(self, tmp_path, environ, message):
        with pytest.raises(ConfigError, match=message):
            load_config(environ, tmp_path)


class TestProductionGuard:
    @pytest.mark.parametrize(
        ("missing", "variable"),
        [("TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN"), ("SECRET_KEY", "TRU_SECRET_KEY")],
    )
    def test_production_refuses_to_start_without_secrets(
        self, database_url_for_tests, clock, missing, variable
    ):
        settings = app_settings(database_url_for_tests, clock, TRU_ENV="production")
        settings[missing] = None
        with pytest.raises(ConfigError) as caught:
            create_app(settings)
        message = str(caught.value)
        assert message.startswith(variable)
        assert "\n" not in message

    def test_the_cli_prints_one_line_naming_the_variable(self, tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "ivr", "export"],
            capture_output=True,
            text=True,
            env={
                "PATH": "/usr/bin:/bin",
                "TRU_ENV": "production",
                "TRU_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
                "TRU_SECRET_KEY": "s",
            },
            check=False,
        )
        assert result.returncode != 0
        assert result.stderr.strip().splitlines() == [
            "Error: TWILIO_AUTH_TOKEN is not set: TRU Line will not start in production without it"
        ]

    def test_development_signs_with_a_generated_token_kept_in_the_instance_folder(
        self, database_url_for_tests, clock, tmp_path
    ):
        settings = app_settings(database_url_for_tests, clock, TRU_ENV="development")
        settings.update(TWILIO_AUTH_TOKEN=None, SECRET_KEY=None)
        first = create_app(settings)
        # Flask's instance folder is fixed per package; both apps must agree on the token.
        second = create_app(settings)
        for built in (first, second):
            db.engine_of(built).dispose()
        token = first.config["TWILIO_AUTH_TOKEN"]
        assert token and len(token) >= 32
        assert second.config["TWILIO_AUTH_TOKEN"] == token

    def test_bad_hours_settings_stop_the_app_with_a_clear_error(
        self, database_url_for_tests, clock
    ):
        with pytest.raises(ConfigError, match="TRU_OPEN_DAYS"):
            create_app(app_settings(database_url_for_tests, clock, OPEN_DAYS="weekdays"))


def test_migrations_build_exactly_the_models(app):
    """Alembic's head and the SQLAlchemy models agree: no change is waiting to be generated."""
    with db.engine_of(app).connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": in_the_models})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrations_upgrade_a_new_sqlite_file_from_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'tru.sqlite3'}"
    db.upgrade(url)
    engine = db.make_engine(url, pooled=False)
    from sqlalchemy import inspect

    assert {"calls", "answers", "call_events", "alembic_version"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_twiml_schema_is_available_for_the_checks(twiml_schema):
    """Every TwiML reply in these tests is checked against Twilio's schema when it is present."""
    if twiml_schema is None:
        pytest.skip(f"Twilio's TwiML schema is not at {XSD_FILE}; TwiML schema checks are off")
    from lxml import etree

    bad = etree.fromstring(b"<Response><Gather numDigits='one'/></Response>")
    assert not twiml_schema.validate(bad)


@pytest.fixture
def softphone_twiml(monkeypatch, check_twiml) -> list[str]:
    """The URLs whose TwiML the in-process softphone got, each reply checked against Twilio's
    schema on the way: the softphone plays on past documents Twilio would refuse."""
    checked: list[str] = []
    post = InProcessTransport.post

    def checked_post(self, url: str, params: list[tuple[str, str]]):
        reply = post(self, url, params)
        if reply.content_type.split(";")[0] == "text/xml":
            check_twiml(reply.body)
            checked.append(url)
        return reply

    monkeypatch.setattr(InProcessTransport, "post", checked_post)
    return checked


class TestCli:
    def run(self, app, *args: str):
        runner = CliRunner()
        env = {
            "TRU_ENV": "test",
            "TRU_DATABASE_URL": app.config["DATABASE_URL"],
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TRU_SECRET_KEY": "test-secret",
        }
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

    def test_export_json_has_one_record_per_call_with_answers(self, app, call):
        call.dial_in()
        call.press("2")
        other = type(call)(call.twilio)
        other.dial_in()
        result = self.run(app, "export", "--format", "json")
        assert result.exit_code == 0, result.output
        records = json.loads(result.stdout)
        assert [r["call_sid"] for r in records] == [call.call_sid, other.call_sid]
        first = records[0]
        assert first["caller"] == "+14105550123"
        assert first["language"] == "es"
        assert first["line_open"] is True
        assert [(a["step"], a["state"], a["digits"]) for a in first["answers"]] == [
            (0, "(arrival)", None),
            (1, "language", "2"),
        ]
        assert first["report"] is None
        assert datetime.fromisoformat(first["started_at"]).utcoffset().total_seconds() == 0

    def test_export_csv(self, app, call):
        call.dial_in()
        result = self.run(app, "export", "--format", "csv")
        assert result.exit_code == 0
        lines = result.stdout.strip().splitlines()
        assert lines[0].startswith("call_sid,caller,called,started_at,ended_at")
        assert len(lines) == 2 and call.call_sid in lines[1]

    def test_export_of_an_empty_line(self, app):
        result = self.run(app, "export")
        assert json.loads(result.stdout) == []

    def test_call_plays_a_scripted_call_through_the_app(self, app, softphone_twiml):
        # A Wednesday morning, whatever the clock of the machine running the tests says.
        result = self.run(app, "call", "--at", "2026-12-02 09:00", "--keys", "2,0,")
        assert result.exit_code == 0, result.output
        assert "[es-US] Para reportar algo que perdió, oprima 1." in result.stdout
        assert (
            "[es-US] Lo siento, en este momento no hay nadie del personal disponible"
            in result.stdout
        )
        assert "ended: hangup-verb" in result.stdout
        assert softphone_twiml == [
            f"{BASE_URL}/voice",
            f"{BASE_URL}/voice/step/1?lang=en",
            f"{BASE_URL}/voice/step/2?lang=es",
            f"{BASE_URL}/voice/step/3?lang=es",
            f"{BASE_URL}/voice/status",
        ]

    def test_call_at_a_closed_hour_hears_the_closed_line(self, app, softphone_twiml):
        # Friday 23:30 in Baltimore: the line is closed until Monday at 6 a.m.
        result = self.run(app, "call", "--at", "2026-12-04 23:30", "--keys", "2")
        assert result.exit_code == 0, result.output
        assert "We are closed right now" in result.stdout
        assert "Monday" in result.stdout
        assert softphone_twiml == [f"{BASE_URL}/voice", f"{BASE_URL}/voice/status"]

    def test_call_without_an_auth_token_says_so(self, tmp_path):
        env = {
            "TRU_ENV": "test",
            "TWILIO_AUTH_TOKEN": "",
            "TRU_DATABASE_URL": f"sqlite:///{tmp_path / 'tru.sqlite3'}",
        }
        result = CliRunner().invoke(cli, ["call", "--keys", "1"], env=env)
        assert result.exit_code == 1
        assert "TWILIO_AUTH_TOKEN is not set" in result.output
        assert "Traceback" not in result.output

    def test_call_refuses_a_time_it_cannot_read(self, app):
        result = CliRunner().invoke(cli, ["call", "--at", "tomorrow-ish"], env={"TRU_ENV": "test"})
        assert result.exit_code == 2
        assert "--at" in result.output


def test_softphone_call_through_the_real_app_is_stored_and_completed(
    app, session, clock, softphone_twiml
):
    clock.now = datetime(2026, 12, 2, 9, 0, tzinfo=BALTIMORE)
    transport = InProcessTransport(app, AUTH_TOKEN)
    result = run_call(
        transport,
        "https://tru.example.test/voice",
        keys=["1", "", "*", "0", ""],
        status_url="https://tru.example.test/voice/status",
        out=lambda line: None,
    )
    assert not result.application_error
    assert result.ended_by == "hangup-verb"
    assert softphone_twiml == [f"{BASE_URL}/voice"] + [
        f"{BASE_URL}/voice/step/{step}?lang=en" for step in range(1, 6)
    ] + [f"{BASE_URL}/voice/status"]
    from sqlalchemy import select

    from ivr.models import Call

    stored = session.scalar(select(Call).where(Call.call_sid == result.call_sid))
    assert stored.status == "completed"
    assert stored.state is None
    assert [a.outcome for a in stored.answers] == ["open", "1", "timeout", "repeat", "0", "timeout"]


class TestFlowsCli:
    def test_check_passes_on_the_real_flows(self):
        result = CliRunner().invoke(cli, ["flows", "check"], env={"TRU_ENV": "test"})
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[-1] == "flows OK"

    def test_check_names_file_state_and_problem(self, tmp_path):
        import shutil

        from ivr.flows import DEFAULT_FLOWS_DIR

        broken = tmp_path / "flows"
        shutil.copytree(DEFAULT_FLOWS_DIR, broken)
        path = broken / "main.yaml"
        path.write_text(path.read_text().replace('"4": ask_reason', '"4": ask_reasons'))
        result = CliRunner().invoke(cli, ["flows", "check", "--dir", str(broken)])
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            "main.yaml: state 'main_menu': goes to 'ask_reasons', which does not exist"
        )

    def test_graph_prints_mermaid(self):
        result = CliRunner().invoke(cli, ["flows", "graph", "main"], env={"TRU_ENV": "test"})
        assert result.exit_code == 0
        assert result.stdout.startswith("flowchart TD\n")
        assert '    main_menu -->|"1"| flow_lost_property\n' in result.stdout


def test_the_web_app_loads_no_migration_tooling(tmp_path):
    """gunicorn workers never migrate (the Procfile's release step does): Alembic would cost each
    of them 0.1 s of CPU at boot and 11 MB of memory for good."""
    import subprocess
    import sys

    probe = (
        "import sys, ivr\n"
        "from ivr.config import load_config\n"
        "ivr.create_app(load_config({'TRU_ENV': 'production', 'TWILIO_AUTH_TOKEN': 'x' * 32,"
        f" 'TRU_SECRET_KEY': 'k' * 64, 'TRU_DATABASE_URL': 'sqlite:///{tmp_path}/w.db'}},"
        f" '{tmp_path}'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own probe
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=Path(db.__file__).parents[1],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_migrations_downgrade_to_nothing_and_upgrade_again(tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    db.upgrade(url)
    command.downgrade(db.alembic_config(url), "base")
    engine = db.make_engine(url, pooled=False)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    db.upgrade(url)
    assert {"calls", "reports", "audit_events", "text_messages"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


@pytest.mark.skipif(
    not os.environ.get("TRU_TEST_DATABASE_URL", "").startswith("postgres"),
    reason="needs the PostgreSQL server (set TRU_TEST_DATABASE_URL)",
)
def test_migrations_round_trip_on_postgresql():
    """On a database of its own, so the suite's tables are left alone."""
    from alembic import command
    from sqlalchemy import create_engine, inspect, text

    admin = create_engine(
        database_url({"TRU_DATABASE_URL": os.environ["TRU_TEST_DATABASE_URL"]}, ""),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS tru_migrations_roundtrip"))
        connection.execute(text("CREATE DATABASE tru_migrations_roundtrip"))
    url = admin.url.set(database="tru_migrations_roundtrip").render_as_string(hide_password=False)
    try:
        db.upgrade(url)
        command.downgrade(db.alembic_config(url), "base")
        db.upgrade(url)
        engine = db.make_engine(url, pooled=False)
        assert {"calls", "reports", "audit_events"} <= set(inspect(engine).get_table_names())
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS tru_migrations_roundtrip"))
        admin.dispose()
