"""Operations: the purge past retention, the Twilio fallback URL, and health."""

from __future__ import annotations

from datetime import datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import select, text

from ivr.cli import cli
from ivr.models import Answer, AuditEvent, Call, Recording, Report
from ivr.retention import purge
from tests.conftest import AUTH_TOKEN, BALTIMORE
from tests.twilio_sim import SimCall, Twilio

OLD = datetime(2026, 1, 5, 10, 0, tzinfo=BALTIMORE)  # a Monday, open


def old_report_call(call: SimCall) -> None:
    call.dial_in()
    call.press("1")
    call.press("1")
    call.press("2")
    call.press("1")
    call.say("my wallet")
    call.press("1")
    call.press("2")
    call.say("brown")
    call.press("#")
    call.press("40")
    call.press("1")
    call.say("the bus")
    call.say("today")
    call.say("dropped it")
    call.say("Chris Doe")
    call.press("1")
    call.press("1")
    call.record()
    call.hang_up()
    call.recording_callback()
    call.transcription_callback("I dropped my wallet on the bus")


def test_purge_removes_personal_data_and_recordings_and_keeps_the_statistics(
    app, clock, session, twiml_schema
):
    clock.now = OLD
    old = SimCall(_twilio(app, twiml_schema))
    old_report_call(old)
    clock.now = datetime(2026, 12, 2, 10, 0, tzinfo=BALTIMORE)
    recent = SimCall(_twilio(app, twiml_schema))
    recent.dial_in()
    recent.press("1")
    counts = purge(session, before=clock.now - timedelta(days=90), now=clock.now, by="ops")
    assert (counts.calls, counts.reports, counts.recordings) == (1, 1, 1)
    session.expire_all()
    call = session.scalar(select(Call).where(Call.call_sid == old.call_sid))
    assert call.caller is None
    report = call.report
    assert report.callback_number is None and report.caller_number is None
    assert report.fields == {"category": "wallet_or_bag", "value": 40, "in_city": "yes"}
    assert report.number.startswith("TRU-26-") and report.status == "new"
    assert session.scalars(select(Recording)).all() == []
    speech = session.scalars(select(Answer.speech).where(Answer.call_id == call.id)).all()
    assert set(speech) == {None}
    kept = session.scalar(select(Call).where(Call.call_sid == recent.call_sid))
    assert kept.caller == "+14105550123"
    [row] = session.scalars(select(AuditEvent).where(AuditEvent.event == "purge")).all()
    assert (row.username, row.object) == ("ops", "calls before 2026-09-03")
    assert row.detail == "1 calls, 1 reports, 1 recordings, 0 texts"


def test_purge_cli_dry_run_changes_nothing(app, clock, session, twiml_schema):
    clock.now = OLD
    old = SimCall(_twilio(app, twiml_schema))
    old.dial_in()
    env = {
        "TRU_ENV": "test",
        "TRU_DATABASE_URL": app.config["DATABASE_URL"],
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TRU_SECRET_KEY": "s",
    }
    result = CliRunner().invoke(cli, ["purge", "--older-than", "30", "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "would purge 1 calls, 0 reports, 0 recordings, 0 texts"
    assert session.scalar(select(Call.caller)) == "+14105550123"
    result = CliRunner().invoke(cli, ["purge", "--older-than", "30"], env=env)
    assert result.stdout.strip() == "purged 1 calls, 0 reports, 0 recordings, 0 texts"
    session.expire_all()
    assert session.scalar(select(Call.caller)) is None


def test_the_audit_trail_survives_a_purge_and_cannot_be_deleted(app, clock, session):
    clock.now = OLD
    purge(session, before=clock.now, now=clock.now, by="ops")
    import pytest
    from sqlalchemy.exc import DatabaseError

    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("DELETE FROM audit_events"))
    session.rollback()
    assert session.scalar(select(AuditEvent.event)) == "purge"


def test_the_fallback_url_speaks_without_a_database(make_app, twiml_schema):
    dead = make_app("postgresql+psycopg://tru@127.0.0.1:9/none", DATABASE_TIMEOUT=1.0)
    twilio = Twilio(dead.test_client(), AUTH_TOKEN, twiml_schema)
    params = SimCall(twilio).params() + [("ErrorCode", "11200")]
    response = twilio.post("/voice/fallback?lang=es", params)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "problema técnico" in body and "<Hangup" in body
    unsigned = dead.test_client().post("/voice/fallback", data=dict(params))
    assert unsigned.status_code == 403


def _twilio(app, schema) -> Twilio:
    return Twilio(app.test_client(), AUTH_TOKEN, schema)


def test_report_rows_keep_their_numbers_for_statistics(app, clock, session, twiml_schema):
    clock.now = OLD
    call = SimCall(_twilio(app, twiml_schema))
    old_report_call(call)
    purge(session, before=datetime(2026, 6, 1, tzinfo=BALTIMORE), now=clock.now, by="ops")
    session.expire_all()
    report = session.scalar(select(Report))
    assert report.type == "lost_property"
    assert report.triage["outcome"] == "tru_report"
    assert "reasons" not in report.triage
