"""False-alarm counting per premises (Ordinance 22-161): address keys, one event a day, windows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ivr import alarms
from ivr.alarms import (
    AlarmStatus,
    alarm_status,
    false_alarm_count,
    list_alarms,
    premises_key,
    record_alarm,
    window_start,
)
from ivr.models import AlarmResponse
from tests.conftest import BALTIMORE

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=BALTIMORE)
HOME = "123 N. Charles St."
HOME_KEY = "123 N CHARLES ST"


def record_false(session, address: str, *days: date) -> None:
    for day in days:
        record_alarm(session, address, day, now=NOW)
    session.commit()


# --- premises keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "123 N. Charles St.",
        "123 North Charles Street",
        "123 N Charles St",
        "123 n charles st",
        "123 NORTH CHARLES STREET",
        "  123   north  Charles    Street  ",
        "123 N. Charles St., Baltimore, MD 21201",
        "123 North Charles Street Baltimore MD 21201",
        "123 north charles street, baltimore, maryland 21201-1234",
        "123 N CHARLES ST",
    ],
)
def test_spellings_of_one_street_address_are_one_premises(address):
    assert premises_key(address) == HOME_KEY


@pytest.mark.parametrize(
    "address",
    [
        "123 N. Charles St., Apt 4",
        "123 North Charles Street Apt. 4",
        "123 N Charles St #4",
        "123 N Charles St, # 4",
        "123 N Charles St Unit 4",
        "123 n charles st apartment 4",
        "123 N Charles St Apt. #4",
        "123 North Charles Street, Apt 4, Baltimore, MD 21201",
        "123 N CHARLES ST UNIT 4",
    ],
)
def test_apt_hash_and_unit_name_one_unit(address):
    assert premises_key(address) == "123 N CHARLES ST UNIT 4"


def test_different_units_are_different_premises():
    keys = {
        premises_key("123 N Charles St"),
        premises_key("123 N Charles St Apt 4"),
        premises_key("123 N Charles St Apt 5"),
        premises_key("123 N Charles St Apt 4B"),
        premises_key("125 N Charles St Apt 4"),
        premises_key("123 S Charles St Apt 4"),
    }
    assert keys == {
        "123 N CHARLES ST",
        "123 N CHARLES ST UNIT 4",
        "123 N CHARLES ST UNIT 5",
        "123 N CHARLES ST UNIT 4B",
        "125 N CHARLES ST UNIT 4",
        "123 S CHARLES ST UNIT 4",
    }


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("1 East First Street", "1 E 1ST ST"),
        ("1 E 1st St", "1 E 1ST ST"),
        ("1 E Twenty-First St", "1 E 21ST ST"),
        ("10 E 21st St.", "10 E 21ST ST"),
        ("200 W. Thirty-Third Street", "200 W 33RD ST"),
        ("1 E Eleventh Street", "1 E 11TH ST"),
        ("9 Greenmount Avenue", "9 GREENMOUNT AVE"),
        ("800 Druid Park Drive", "800 DRUID PARK DR"),
        ("55 Martin Luther King Jr Boulevard", "55 MARTIN LUTHER KING JR BLVD"),
        ("1 E University Parkway", "1 E UNIVERSITY PKWY"),
        ("12 Saint Paul Place", "12 SAINT PAUL PL"),
        ("12 St. Paul Pl", "12 SAINT PAUL PL"),
        ("4 Mt. Royal Terrace", "4 MOUNT ROYAL TER"),
        ("7 Roland Lane", "7 ROLAND LN"),
        ("3 Cold Spring Road", "3 COLD SPRING RD"),
        ("2 Hopkins Court", "2 HOPKINS CT"),
        ("6 Harbor Way", "6 HARBOR WAY"),
        ("100 Highway 40", "100 HWY 40"),
        ("100 West North Avenue", "100 W NORTH AVE"),
        ("4 South Broadway", "4 S BROADWAY"),
        ("8 Northeast Park Drive", "8 NE PARK DR"),
        ("100 O'Donnell Street", "100 ODONNELL ST"),
        ("123 N Charles St Bldg 2 Apt 4", "123 N CHARLES ST BLDG 2 UNIT 4"),
        ("123 N Charles St Apt 4-B", "123 N CHARLES ST UNIT 4B"),
        ("123 N Charles St Suite 300", "123 N CHARLES ST UNIT 300"),
    ],
)
def test_street_types_directions_and_ordinals_are_abbreviated(address, key):
    assert premises_key(address) == key


def test_a_key_is_its_own_key():
    for address in ("123 N. Charles St., Apt 4", "12 St. Paul Pl", "1 East First Street"):
        key = premises_key(address)
        assert premises_key(key) == key


def test_a_repeated_label_falls_back_to_the_token_parse():
    # usaddress.tag refuses "Apt ... Apt ..." (RepeatedLabelError); the parse still keys it.
    assert premises_key("10 Main St Apt 4 Apt 5") == "10 MAIN ST UNIT 4 UNIT 5"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "no address given"),
        ("   ", "no address given"),
        ("Charles Street", "has no street number$"),
        ("N Charles St, Baltimore MD", "has no street number$"),
        ("Charles St & Pratt St", "has no street number$"),
        ("Apt 4", "has no street number and street name$"),
        ("PO Box 12", "has no street number and street name$"),
    ],
)
def test_an_address_without_street_number_or_name_is_refused(address, message):
    with pytest.raises(ValueError, match=message):
        premises_key(address)


def test_a_bad_address_is_refused_before_anything_is_stored(session):
    with pytest.raises(ValueError, match="not a street address: 'Charles Street'"):
        record_alarm(session, "Charles Street", date(2026, 3, 1), now=NOW)
    with pytest.raises(ValueError, match="has no street number"):
        false_alarm_count(session, "Charles Street", at=date(2026, 3, 1))
    with pytest.raises(ValueError, match="has no street number"):
        alarm_status(session, "Charles Street", at=date(2026, 3, 1))
    assert session.scalar(select(func.count()).select_from(AlarmResponse)) == 0


# --- recording --------------------------------------------------------------------------------


def test_record_alarm_stores_the_key_the_address_and_the_day(app, session):
    response = record_alarm(
        session, " 123 North Charles Street,  Apt 4 ", date(2026, 3, 1), now=NOW
    )
    session.commit()

    with app.extensions["tru.db"]() as other:
        stored = other.scalars(select(AlarmResponse)).one()
    assert stored.id == response.id
    assert stored.premises == "123 N CHARLES ST UNIT 4"
    assert stored.address == "123 North Charles Street, Apt 4"
    assert stored.occurred_on == date(2026, 3, 1)
    assert stored.false_alarm is True
    assert stored.recorded_at == NOW
    assert stored.recorded_at.tzinfo == UTC


def test_alarms_on_one_day_at_one_premises_are_one_event(session):
    first = record_alarm(session, "123 N. Charles St.", date(2026, 3, 1), now=NOW)
    again = record_alarm(session, "123 North Charles Street", date(2026, 3, 1), now=NOW)
    later = record_alarm(
        session, "123 N Charles St, Baltimore, MD 21201", date(2026, 3, 1), now=NOW
    )
    session.commit()

    assert again is first
    assert later is first
    assert session.scalar(select(func.count()).select_from(AlarmResponse)) == 1
    assert first.address == "123 N. Charles St."
    assert false_alarm_count(session, HOME, at=date(2026, 3, 1)) == 1


def test_the_database_refuses_a_second_row_for_one_event(session):
    record_false(session, HOME, date(2026, 3, 1))
    with pytest.raises(IntegrityError):
        session.execute(
            insert(AlarmResponse).values(
                premises=HOME_KEY,
                address="123 North Charles Street",
                occurred_on=date(2026, 3, 1),
                false_alarm=True,
                recorded_at=NOW,
            )
        )
    session.rollback()


def test_an_event_stored_by_another_worker_meanwhile_is_returned(app, session, monkeypatch):
    record_false(session, HOME, date(2026, 3, 1))
    stored = session.scalars(select(AlarmResponse)).one()

    real_find = alarms._find
    looks = []

    def find_after_the_other_insert(*args):
        looks.append(args[1:])
        return None if len(looks) == 1 else real_find(*args)

    monkeypatch.setattr(alarms, "_find", find_after_the_other_insert)
    with app.extensions["tru.db"]() as other:
        response = record_alarm(other, "123 North Charles Street", date(2026, 3, 1), now=NOW)
        other.commit()
        assert response.id == stored.id
    assert len(looks) == 2
    assert session.scalar(select(func.count()).select_from(AlarmResponse)) == 1


def test_a_not_false_alarm_on_the_same_day_is_kept_apart_and_not_counted(session):
    false_one = record_alarm(session, HOME, date(2026, 3, 1), now=NOW)
    cancelled = record_alarm(session, HOME, date(2026, 3, 1), false_alarm=False, now=NOW)
    cancelled_again = record_alarm(session, HOME, date(2026, 3, 1), false_alarm=False, now=NOW)
    session.commit()

    assert cancelled is not false_one
    assert cancelled_again is cancelled
    assert cancelled.false_alarm is False
    assert session.scalar(select(func.count()).select_from(AlarmResponse)) == 2
    assert false_alarm_count(session, HOME, at=date(2026, 3, 1)) == 1


def test_a_datetime_is_not_taken_for_a_day(session):
    with pytest.raises(TypeError, match="on is a date, not datetime"):
        record_alarm(session, HOME, NOW, now=NOW)
    with pytest.raises(TypeError, match="at is a date, not datetime"):
        false_alarm_count(session, HOME, at=NOW)


def test_record_alarm_needs_an_aware_time(session):
    naive = datetime(2026, 3, 1, 9, 0)
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        record_alarm(session, HOME, date(2026, 3, 1), now=naive)
    assert session.scalar(select(func.count()).select_from(AlarmResponse)) == 0


# --- counting and the threshold ---------------------------------------------------------------


def test_four_false_alarms_keep_the_response_and_the_fifth_suspends_it(session):
    days = [date(2026, 2, 3), date(2026, 4, 10), date(2026, 6, 1), date(2026, 8, 20)]
    record_false(session, HOME, *days)
    at = date(2026, 11, 1)

    assert alarm_status(session, "123 North Charles Street", at=at) == AlarmStatus(
        premises=HOME_KEY, false_alarms=4, window="calendar_year", suspended=False
    )

    record_false(session, "123 n charles st", date(2026, 10, 31))
    assert alarm_status(session, HOME, at=at) == AlarmStatus(
        premises=HOME_KEY, false_alarms=5, window="calendar_year", suspended=True
    )
    assert false_alarm_count(session, HOME, at=at) == 5


def test_same_day_duplicates_count_once(session):
    for _ in range(3):
        record_alarm(session, "123 North Charles Street", date(2026, 5, 5), now=NOW)
        record_alarm(session, "123 N. Charles St.", date(2026, 5, 5), now=NOW)
    record_false(session, HOME, date(2026, 5, 6), date(2026, 5, 7), date(2026, 5, 8))

    status = alarm_status(session, HOME, at=date(2026, 6, 1))
    assert status.false_alarms == 4
    assert status.suspended is False


def test_not_false_responses_do_not_count(session):
    record_false(session, HOME, date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5))
    # Cancelled before arrival, new installation, medical alert: recorded, never counted.
    for day in (date(2026, 4, 5), date(2026, 5, 5), date(2026, 6, 5), date(2026, 7, 5)):
        record_alarm(session, HOME, day, false_alarm=False, now=NOW)
    session.commit()

    assert len(list_alarms(session, HOME)) == 7
    assert false_alarm_count(session, HOME, at=date(2026, 12, 31)) == 3
    assert alarm_status(session, HOME, at=date(2026, 12, 31)).suspended is False


def test_units_and_neighbours_are_counted_apart(session):
    record_false(session, "123 N Charles St Apt 4", *(date(2026, 3, d) for d in range(1, 6)))
    record_false(session, "123 N Charles St Apt 5", date(2026, 3, 1))

    at = date(2026, 3, 31)
    assert false_alarm_count(session, "123 N Charles St #4", at=at) == 5
    assert false_alarm_count(session, "123 North Charles Street Unit 4", at=at) == 5
    assert false_alarm_count(session, "123 N Charles St Apt 5", at=at) == 1
    assert false_alarm_count(session, HOME, at=at) == 0
    assert false_alarm_count(session, "125 N Charles St Apt 4", at=at) == 0
    assert alarm_status(session, "123 N Charles St Unit 4", at=at).suspended is True
    assert alarm_status(session, "123 N Charles St Unit 5", at=at).suspended is False


def test_a_key_can_be_counted_directly(session):
    record_false(session, "123 N. Charles St., Apt. 4", date(2026, 3, 1))
    assert false_alarm_count(session, "123 N CHARLES ST UNIT 4", at=date(2026, 3, 1)) == 1


def test_the_threshold_can_be_set(session):
    record_false(session, HOME, date(2026, 3, 1), date(2026, 3, 2))
    at = date(2026, 3, 31)
    assert alarm_status(session, HOME, at=at, threshold=2).suspended is True
    assert alarm_status(session, HOME, at=at, threshold=3).suspended is False
    with pytest.raises(ValueError, match="threshold must be at least 1, not 0"):
        alarm_status(session, HOME, at=at, threshold=0)


def test_an_unknown_window_is_refused(session):
    with pytest.raises(ValueError, match="unknown window 'fiscal_year'"):
        false_alarm_count(session, HOME, at=date(2026, 3, 1), window="fiscal_year")
    with pytest.raises(ValueError, match="unknown window 'fiscal_year'"):
        alarm_status(session, HOME, at=date(2026, 3, 1), window="fiscal_year")


# --- windows ----------------------------------------------------------------------------------


def test_last_years_alarms_count_in_rolling_12_months_only(session):
    last_year = [date(2025, 6, 1), date(2025, 9, 15), date(2025, 12, 31)]
    this_year = [date(2026, 1, 20), date(2026, 2, 10)]
    record_false(session, HOME, *last_year, *this_year)
    at = date(2026, 3, 1)

    assert alarm_status(session, HOME, at=at) == AlarmStatus(
        premises=HOME_KEY, false_alarms=2, window="calendar_year", suspended=False
    )
    assert alarm_status(session, HOME, at=at, window="rolling_12_months") == AlarmStatus(
        premises=HOME_KEY, false_alarms=5, window="rolling_12_months", suspended=True
    )
    # By 2026-09-15 the June and September alarms have left the rolling window.
    assert false_alarm_count(session, HOME, at=date(2026, 9, 15), window="rolling_12_months") == 3


def test_calendar_year_edges(session):
    record_false(session, HOME, date(2025, 12, 31), date(2026, 1, 1), date(2026, 12, 31))

    assert false_alarm_count(session, HOME, at=date(2025, 12, 31)) == 1
    assert false_alarm_count(session, HOME, at=date(2026, 1, 1)) == 1
    assert false_alarm_count(session, HOME, at=date(2026, 12, 30)) == 1
    assert false_alarm_count(session, HOME, at=date(2026, 12, 31)) == 2
    assert false_alarm_count(session, HOME, at=date(2027, 1, 1)) == 0
    assert window_start(date(2026, 12, 31)) == date(2026, 1, 1)
    assert window_start(date(2026, 1, 1)) == date(2026, 1, 1)


def test_rolling_window_drops_the_day_exactly_one_year_ago(session):
    record_false(session, HOME, date(2025, 3, 1), date(2025, 3, 2), date(2026, 3, 1))
    rolling = "rolling_12_months"

    assert window_start(date(2026, 3, 1), rolling) == date(2025, 3, 2)
    assert false_alarm_count(session, HOME, at=date(2026, 3, 1), window=rolling) == 2
    assert false_alarm_count(session, HOME, at=date(2026, 2, 28), window=rolling) == 2
    assert false_alarm_count(session, HOME, at=date(2026, 3, 2), window=rolling) == 1
    assert false_alarm_count(session, HOME, at=date(2026, 3, 3), window=rolling) == 1
    # Nothing after `at` counts.
    assert false_alarm_count(session, HOME, at=date(2025, 3, 1), window=rolling) == 1


def test_rolling_window_around_february_29(session):
    rolling = "rolling_12_months"
    record_false(session, HOME, date(2027, 2, 28), date(2027, 3, 1), date(2028, 2, 29))

    assert window_start(date(2028, 2, 29), rolling) == date(2027, 3, 1)
    assert false_alarm_count(session, HOME, at=date(2028, 2, 29), window=rolling) == 2
    # The day before: 2027-02-28 is exactly a year back (out), 2028-02-29 has not come yet.
    assert false_alarm_count(session, HOME, at=date(2028, 2, 28), window=rolling) == 1

    assert window_start(date(2029, 2, 28), rolling) == date(2028, 2, 29)
    assert false_alarm_count(session, HOME, at=date(2029, 2, 28), window=rolling) == 1
    assert window_start(date(2029, 3, 1), rolling) == date(2028, 3, 2)
    assert false_alarm_count(session, HOME, at=date(2029, 3, 1), window=rolling) == 0


# --- listing ----------------------------------------------------------------------------------


def test_list_alarms_newest_first_all_or_by_premises(session):
    record_alarm(session, HOME, date(2026, 3, 1), now=NOW)
    record_alarm(session, "9 Greenmount Ave", date(2026, 5, 1), now=NOW)
    record_alarm(session, "123 North Charles Street", date(2026, 4, 1), false_alarm=False, now=NOW)
    record_alarm(session, "123 North Charles Street", date(2026, 2, 1), now=NOW)
    session.commit()

    everything = list_alarms(session)
    assert [(a.premises, a.occurred_on, a.false_alarm) for a in everything] == [
        ("9 GREENMOUNT AVE", date(2026, 5, 1), True),
        (HOME_KEY, date(2026, 4, 1), False),
        (HOME_KEY, date(2026, 3, 1), True),
        (HOME_KEY, date(2026, 2, 1), True),
    ]
    home = list_alarms(session, "123 n charles st, Baltimore MD")
    assert [a.occurred_on for a in home] == [date(2026, 4, 1), date(2026, 3, 1), date(2026, 2, 1)]
    assert list_alarms(session, "123 N Charles St Apt 4") == []
