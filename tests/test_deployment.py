"""How the line is deployed: the Procfile's release and web steps, `tru db upgrade`, `tru serve`."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from ivr import db
from ivr.cli import cli
from ivr.models import Base
from tests.conftest import AUTH_TOKEN

ROOT = Path(__file__).resolve().parents[1]
#: The console scripts (tru, gunicorn) installed next to this interpreter.
BIN = Path(sys.executable).parent
APP_SPEC = "ivr:create_app()"
SERVE_TIMEOUT = 30.0


def procfile() -> dict[str, str]:
    processes = {}
    for raw in (ROOT / "Procfile").read_text().splitlines():
        if raw.strip() and not raw.lstrip().startswith("#"):
            name, command = raw.split(":", 1)
            processes[name.strip()] = command.strip()
    return processes


def alembic_head() -> str:
    # The head of the scripts in ivr/migrations, whatever the URL: only the folder is read.
    return ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_current_head()


def schema_state(url: str) -> tuple[str | None, list]:
    """The revision stamped in the database, and how its tables differ from the models."""
    engine = db.make_engine(url, pooled=False)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            return context.get_current_revision(), compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production process: nothing from this one's TRU_/TWILIO_ settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRU_", "TWILIO_", "GUNICORN_")) and k not in ("DATABASE_URL", "PORT")
    }
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        TRU_ENV="production",
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TRU_SECRET_KEY="deployment-test-secret",
    )
    env.update(extra)
    return env


# --------------------------------------------------------------------------- Procfile


def test_the_procfile_migrates_on_release_and_serves_the_factory_under_gunicorn():
    processes = procfile()
    assert set(processes) == {"release", "web"}
    assert shlex.split(processes["release"]) == ["tru", "db", "upgrade"]
    web = shlex.split(processes["web"])
    assert web[0] == "gunicorn"
    # The platform picks the port; binding anything else makes the dyno fail its boot check.
    assert web[web.index("--bind") + 1] == "0.0.0.0:$PORT"
    assert web[-1] == APP_SPEC


def test_the_procfile_release_command_brings_a_new_database_to_head_and_may_run_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'release' / 'tru.sqlite3'}"
    release = shlex.split(procfile()["release"])
    # Every deploy runs the release step, so a second run on a migrated database must pass.
    for _ in range(2):
        result = subprocess.run(  # noqa: S603 - the Procfile's own command line
            release,
            cwd=ROOT,
            env=production_env(TRU_DATABASE_URL=url),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"database at {url} is at revision head\n"
    assert schema_state(url) == (alembic_head(), [])


# --------------------------------------------------------------------------- tru db upgrade


def test_db_upgrade_brings_a_new_sqlite_file_to_the_alembic_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'tru.sqlite3'}"
    result = CliRunner().invoke(
        cli, ["db", "upgrade"], env={"TRU_ENV": "test", "TRU_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"database at {url} is at revision head\n"
    assert schema_state(url) == (alembic_head(), [])


def test_db_upgrade_masks_the_database_password(tmp_path, monkeypatch):
    from ivr import db as database

    applied = []
    monkeypatch.setattr(database, "upgrade", lambda url, revision: applied.append((url, revision)))
    url = "postgresql://tru:s3cret@db.example:5432/tru"
    result = CliRunner().invoke(
        cli, ["db", "upgrade"], env={"TRU_ENV": "test", "TRU_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    assert applied == [("postgresql+psycopg://tru:s3cret@db.example:5432/tru", "head")]
    # Release logs are kept by the platform and read by many; the password must not be in them.
    assert result.stdout == (
        "database at postgresql+psycopg://tru:***@db.example:5432/tru is at revision head\n"
    )


# --------------------------------------------------------------------------- tru serve


@pytest.fixture
def exec_calls(monkeypatch) -> list[tuple[str, list[str]]]:
    """os.execv replaced by a recorder: `tru serve` hands itself over to gunicorn with it."""
    calls: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: calls.append((path, list(argv))))
    return calls


def test_serve_hands_over_to_gunicorn_with_the_production_flags(exec_calls, tmp_path):
    url = f"sqlite:///{tmp_path / 'tru.sqlite3'}"
    result = CliRunner().invoke(
        cli,
        ["serve", "--workers", "3"],
        env={
            "TRU_ENV": "production",
            "TRU_DATABASE_URL": url,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TRU_SECRET_KEY": "serve-test-secret",
            "PORT": "8765",
        },
    )
    assert result.exit_code == 0, result.output
    [(program, argv)] = exec_calls
    assert Path(program).name == "gunicorn"
    assert os.access(program, os.X_OK)
    assert argv == [
        program,
        "--bind",
        "127.0.0.1:8765",
        "--workers",
        "3",
        "--timeout",
        "20",
        "--access-logfile",
        "-",
        APP_SPEC,
    ]
    assert result.stderr == "TRU Line (production) on http://127.0.0.1:8765\n"


def test_serve_flags_match_the_procfile_web_command(exec_calls, tmp_path):
    """What people run locally is what production runs, bar the address and worker count."""
    result = CliRunner().invoke(
        cli,
        ["serve", "--host", "0.0.0.0", "--port", "9000"],  # noqa: S104 - only compared
        env={"TRU_ENV": "test", "TRU_DATABASE_URL": f"sqlite:///{tmp_path / 'tru.sqlite3'}"},
    )
    assert result.exit_code == 0, result.output
    [(_, argv)] = exec_calls
    web = shlex.split(procfile()["web"])

    def flags(command: list[str]) -> dict[str, str]:
        pairs = dict(zip(command[1:-1:2], command[2:-1:2], strict=True))
        pairs.pop("--workers")
        return pairs

    expected = flags(web) | {"--bind": "0.0.0.0:9000"}  # noqa: S104 - only compared
    assert flags(argv) == expected
    assert argv[-1] == web[-1] == APP_SPEC


def test_serve_refuses_production_without_secrets_before_starting_gunicorn(exec_calls, tmp_path):
    result = CliRunner().invoke(
        cli,
        ["serve"],
        env={
            "TRU_ENV": "production",
            "TRU_DATABASE_URL": f"sqlite:///{tmp_path / 'tru.sqlite3'}",
            "TWILIO_AUTH_TOKEN": None,
            "TRU_SECRET_KEY": "serve-test-secret",
        },
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: TWILIO_AUTH_TOKEN is not set: TRU Line will not start in production without it\n"
    )
    assert exec_calls == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_tru_serve_answers_healthz_on_the_given_port(tmp_path):
    url = f"sqlite:///{tmp_path / 'tru.sqlite3'}"
    db.upgrade(url)
    port = _free_port()
    log_path = tmp_path / "serve.log"
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    # XDG_RUNTIME_DIR: gunicorn's control socket goes in a folder of this test's own.
    env = production_env(TRU_DATABASE_URL=url, XDG_RUNTIME_DIR=str(runtime))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [str(BIN / "tru"), "serve", "--port", str(port), "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        health = None
        deadline = time.monotonic() + SERVE_TIMEOUT
        while health is None and time.monotonic() < deadline:
            assert process.poll() is None, log_path.read_text(errors="replace")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                    health = (r.status, json.loads(r.read()))
            except OSError:
                time.sleep(0.1)
        assert health == (200, {"status": "ok", "app": "ok", "database": "ok"}), log_path.read_text(
            errors="replace"
        )
    finally:
        # `tru serve` exec'd gunicorn, so this pid is gunicorn's master: SIGTERM stops it all.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
    assert process.returncode == 0
    assert "TRU Line (production) on http://127.0.0.1:" in log_path.read_text(errors="replace")
