"""Burglar-alarm responses and the false-alarm count that ends them (Baltimore Ordinance 22-161).

Police stop responding to burglar alarms at a premises with five or more false alarms in the
counting window. The city's SMART press release counts the calendar year (the default here); the
city code's "any 12-month period" is the `rolling_12_months` window. Two or more alarms on the same
day from one event count once, so the count is of distinct days.

A false alarm is one where police found no crime, damage or medical emergency. Alarms cancelled
before police arrived, alarms within 30 days of installation and medical-alert devices do not
count: they are recorded with `false_alarm=False` and kept for the record, never counted.

A premises is keyed by its normalized street address, so "123 N. Charles St." and "123 North
Charles Street" are one premises, "Apt 4", "#4" and "Unit 4" one unit, and different units
different premises. City, state and ZIP code are ignored: the TRU serves Baltimore City only.

Plain functions over a SQLAlchemy session; no Flask. `record_alarm` adds and flushes; the caller
commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import usaddress
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ivr.models import AlarmResponse

#: False alarms in the window at which police stop responding (Ordinance 22-161).
THRESHOLD = 5
CALENDAR_YEAR = "calendar_year"
ROLLING_12_MONTHS = "rolling_12_months"
WINDOWS = (CALENDAR_YEAR, ROLLING_12_MONTHS)

#: Longest key and address the alarm_responses table stores.
MAX_KEY_LENGTH = 200
MAX_ADDRESS_LENGTH = 300

DIRECTIONS = {
    "N": "N",
    "NORTH": "N",
    "S": "S",
    "SOUTH": "S",
    "E": "E",
    "EAST": "E",
    "W": "W",
    "WEST": "W",
    "NE": "NE",
    "NORTHEAST": "NE",
    "NORTH EAST": "NE",
    "NW": "NW",
    "NORTHWEST": "NW",
    "NORTH WEST": "NW",
    "SE": "SE",
    "SOUTHEAST": "SE",
    "SOUTH EAST": "SE",
    "SW": "SW",
    "SOUTHWEST": "SW",
    "SOUTH WEST": "SW",
}

#: Street types by their USPS abbreviation (Publication 28, appendix C1), the common ones.
STREET_TYPES = {
    "ALLEY": "ALY",
    "ALLY": "ALY",
    "ALY": "ALY",
    "AVENUE": "AVE",
    "AVE": "AVE",
    "AV": "AVE",
    "AVEN": "AVE",
    "AVN": "AVE",
    "AVNUE": "AVE",
    "BOULEVARD": "BLVD",
    "BLVD": "BLVD",
    "BOUL": "BLVD",
    "BOULV": "BLVD",
    "CIRCLE": "CIR",
    "CIR": "CIR",
    "CIRC": "CIR",
    "CIRCL": "CIR",
    "CRCL": "CIR",
    "COURT": "CT",
    "CT": "CT",
    "CRT": "CT",
    "CROSSING": "XING",
    "XING": "XING",
    "DRIVE": "DR",
    "DR": "DR",
    "DRV": "DR",
    "DRIV": "DR",
    "EXPRESSWAY": "EXPY",
    "EXPY": "EXPY",
    "EXPWY": "EXPY",
    "FREEWAY": "FWY",
    "FWY": "FWY",
    "GARDENS": "GDNS",
    "GDNS": "GDNS",
    "GREEN": "GRN",
    "GRN": "GRN",
    "GROVE": "GRV",
    "GRV": "GRV",
    "HEIGHTS": "HTS",
    "HTS": "HTS",
    "HIGHWAY": "HWY",
    "HWY": "HWY",
    "HIWAY": "HWY",
    "HWAY": "HWY",
    "HILL": "HL",
    "HL": "HL",
    "LANE": "LN",
    "LN": "LN",
    "LOOP": "LOOP",
    "MALL": "MALL",
    "MEWS": "MEWS",
    "PARK": "PARK",
    "PARKWAY": "PKWY",
    "PKWY": "PKWY",
    "PKY": "PKWY",
    "PARKWY": "PKWY",
    "PATH": "PATH",
    "PIKE": "PIKE",
    "PLACE": "PL",
    "PL": "PL",
    "PLAZA": "PLZ",
    "PLZ": "PLZ",
    "PLZA": "PLZ",
    "POINT": "PT",
    "PT": "PT",
    "RIDGE": "RDG",
    "RDG": "RDG",
    "ROAD": "RD",
    "RD": "RD",
    "ROW": "ROW",
    "RUN": "RUN",
    "SQUARE": "SQ",
    "SQ": "SQ",
    "SQR": "SQ",
    "STREET": "ST",
    "ST": "ST",
    "STR": "ST",
    "STRT": "ST",
    "TERRACE": "TER",
    "TER": "TER",
    "TERR": "TER",
    "TRAIL": "TRL",
    "TRL": "TRL",
    "TURNPIKE": "TPKE",
    "TPKE": "TPKE",
    "WALK": "WALK",
    "WAY": "WAY",
    "WY": "WAY",
}

#: Unit designators. Apartment, unit, suite, room and a bare "#" all name one unit.
UNIT_TYPES = {
    "#": "UNIT",
    "APT": "UNIT",
    "APARTMENT": "UNIT",
    "UNIT": "UNIT",
    "STE": "UNIT",
    "SUITE": "UNIT",
    "RM": "UNIT",
    "ROOM": "UNIT",
    "NO": "UNIT",
    "NUMBER": "UNIT",
    "BLDG": "BLDG",
    "BUILDING": "BLDG",
    "FL": "FL",
    "FLR": "FL",
    "FLOOR": "FL",
    "LOT": "LOT",
    "SPACE": "SPC",
    "SPC": "SPC",
    "BASEMENT": "BSMT",
    "BSMT": "BSMT",
    "REAR": "REAR",
    "FRONT": "FRNT",
    "FRNT": "FRNT",
    "UPPER": "UPPR",
    "UPPR": "UPPR",
    "LOWER": "LOWR",
    "LOWR": "LOWR",
}

#: Leading words of a street name spelt more than one way ("St. Paul", "Mt Royal", "Ft Ave").
NAME_WORDS = {"ST": "SAINT", "STE": "SAINTE", "MT": "MOUNT", "FT": "FORT"}

ORDINAL_WORDS = {
    "FIRST": 1,
    "SECOND": 2,
    "THIRD": 3,
    "FOURTH": 4,
    "FIFTH": 5,
    "SIXTH": 6,
    "SEVENTH": 7,
    "EIGHTH": 8,
    "NINTH": 9,
    "TENTH": 10,
    "ELEVENTH": 11,
    "TWELFTH": 12,
    "THIRTEENTH": 13,
    "FOURTEENTH": 14,
    "FIFTEENTH": 15,
    "SIXTEENTH": 16,
    "SEVENTEENTH": 17,
    "EIGHTEENTH": 18,
    "NINETEENTH": 19,
    "TWENTIETH": 20,
    "THIRTIETH": 30,
    "FORTIETH": 40,
    "FIFTIETH": 50,
    "SIXTIETH": 60,
    "SEVENTIETH": 70,
    "EIGHTIETH": 80,
    "NINETIETH": 90,
}
TENS_WORDS = {
    "TWENTY": 20,
    "THIRTY": 30,
    "FORTY": 40,
    "FIFTY": 50,
    "SIXTY": 60,
    "SEVENTY": 70,
    "EIGHTY": 80,
    "NINETY": 90,
}
NUMERIC_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")

_PUNCTUATION = re.compile(r"[.,;:'\"`()]")
_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    """Upper case, no punctuation, single spaces."""
    text = _PUNCTUATION.sub("", text.upper())
    return _SPACES.sub(" ", text).strip()


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}TH"
    return f"{number}{ {1: 'ST', 2: 'ND', 3: 'RD'}.get(number % 10, 'TH') }"


def _street_name(raw: str) -> str:
    words = _clean(raw.replace("-", " ")).split()
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        after = words[i + 1] if i + 1 < len(words) else None
        if word in TENS_WORDS and after is not None and ORDINAL_WORDS.get(after, 10) < 10:
            out.append(_ordinal(TENS_WORDS[word] + ORDINAL_WORDS[after]))  # Twenty First
            i += 2
            continue
        if word in ORDINAL_WORDS:
            out.append(_ordinal(ORDINAL_WORDS[word]))
        elif match := NUMERIC_ORDINAL.match(word):
            out.append(_ordinal(int(match.group(1))))  # 1st, 22nd, and a misspelt 2st alike
        elif i == 0 and after is not None and word in NAME_WORDS:
            out.append(NAME_WORDS[word])
        else:
            out.append(word)
        i += 1
    return " ".join(out)


def _direction(raw: str) -> str:
    cleaned = _clean(raw.replace("-", " "))
    return DIRECTIONS.get(cleaned, cleaned)


def _street_type(raw: str) -> str:
    cleaned = _clean(raw)
    return STREET_TYPES.get(cleaned, cleaned)


def _unit_type(raw: str) -> str:
    cleaned = _clean(raw).replace("#", "").strip()
    if not cleaned:
        return "UNIT"
    # "Apt. #4" comes tagged as type "Apt." and identifier "# 4".
    return UNIT_TYPES.get(cleaned, cleaned)


def _unit_id(raw: str) -> str:
    """ "# 4", "4", "4-B" and "4 b" read as "4" and "4B"."""
    return re.sub(r"[^0-9A-Z]", "", raw.upper())


def _unit(kind: str | None, identifier: str | None) -> str | None:
    kind_text = _unit_type(kind) if kind else None
    id_text = _unit_id(identifier) if identifier else ""
    if id_text:
        return f"{kind_text or 'UNIT'} {id_text}"
    if kind_text and kind_text != "UNIT":
        return kind_text  # "Basement", "Rear": a designator without a number
    return None


UNIT_LABELS = {
    "SubaddressType": "type",
    "SubaddressIdentifier": "id",
    "OccupancyType": "type",
    "OccupancyIdentifier": "id",
}


def _components(address: str) -> tuple[dict[str, str], list[tuple[str | None, str | None]]]:
    """The address's street parts by usaddress label, and its unit designators in order."""
    try:
        tagged, _kind = usaddress.tag(address)
    except usaddress.RepeatedLabelError:
        pass
    else:
        units = [
            (tagged.get("SubaddressType"), tagged.get("SubaddressIdentifier")),
            (tagged.get("OccupancyType"), tagged.get("OccupancyIdentifier")),
        ]
        return dict(tagged), units
    # A label seen twice ("10 Main St Apt 4, Main St"): the first run of each street part is
    # kept; unit designators pair up in order ("Apt 4 Apt 5" is two of them).
    runs: list[tuple[str, list[str]]] = []
    for token, label in usaddress.parse(address):
        if runs and runs[-1][0] == label:
            runs[-1][1].append(token)
        else:
            runs.append((label, [token]))
    parts: dict[str, str] = {}
    found: list[list[str | None]] = []
    for label, tokens in runs:
        text = " ".join(tokens)
        role = UNIT_LABELS.get(label)
        if role == "type" or (role == "id" and (not found or found[-1][1] is not None)):
            found.append([None, None])
        if role == "type":
            found[-1][0] = text
        elif role == "id":
            found[-1][1] = text
        else:
            parts.setdefault(label, text)
    return parts, [(kind, identifier) for kind, identifier in found]


def premises_key(address: str) -> str:
    """The normalized key of a premises: "123 N CHARLES ST", "123 N CHARLES ST UNIT 4".

    Directions and street types take their USPS abbreviations, ordinals read as "1ST", unit
    designators (Apt, #, Unit, Suite) read as UNIT, case and punctuation do not matter, and city,
    state and ZIP code are dropped. A key is its own key. Raises ValueError when the address has
    no street number or no street name.
    """
    if not isinstance(address, str):
        raise TypeError(f"an address is a string, not {type(address).__name__}")
    text = _SPACES.sub(" ", address).strip()
    if not text:
        raise ValueError("no address given: need a street number and street name")
    parts, units = _components(text)
    number = _clean(parts.get("AddressNumber", ""))
    street = _street_name(parts.get("StreetName", ""))
    if not number or not street:
        missing = " and ".join(
            what for what, have in (("street number", number), ("street name", street)) if not have
        )
        raise ValueError(f"not a street address: {address.strip()!r} has no {missing}")

    key: list[str] = []
    if prefix := _clean(parts.get("AddressNumberPrefix", "")):
        key.append(prefix)
    key.append(number)
    if suffix := _clean(parts.get("AddressNumberSuffix", "")):
        key.append(suffix)
    if modifier := _clean(parts.get("StreetNamePreModifier", "")):
        key.append(modifier)
    if pre_direction := parts.get("StreetNamePreDirectional"):
        key.append(_direction(pre_direction))
    if pre_type := parts.get("StreetNamePreType"):
        key.append(_street_type(pre_type))
    key.append(street)
    if post_type := parts.get("StreetNamePostType"):
        key.append(_street_type(post_type))
    if post_direction := parts.get("StreetNamePostDirectional"):
        key.append(_direction(post_direction))
    if post_modifier := _clean(parts.get("StreetNamePostModifier", "")):
        key.append(post_modifier)
    for kind, identifier in units:
        if unit := _unit(kind, identifier):
            key.append(unit)

    result = " ".join(part for part in key if part)
    if len(result) > MAX_KEY_LENGTH:
        raise ValueError(f"address too long: its key has more than {MAX_KEY_LENGTH} characters")
    return result


def _plain_date(value: date, name: str) -> date:
    # A datetime is a date too, and would compare wrongly (and zone-blind) with stored dates.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} is a date, not {type(value).__name__}")
    return value


def _find(session: Session, premises: str, on: date, false_alarm: bool) -> AlarmResponse | None:
    return session.scalar(
        select(AlarmResponse).where(
            AlarmResponse.premises == premises,
            AlarmResponse.occurred_on == on,
            AlarmResponse.false_alarm == false_alarm,
        )
    )


def record_alarm(
    session: Session, address: str, on: date, *, false_alarm: bool = True, now: datetime
) -> AlarmResponse:
    """Store one police response to an alarm at `address` on the day `on`.

    Alarms at one premises on one day are one event: a second record with the same falseness
    returns the row already stored. `false_alarm=False` records a response that does not count
    (cancelled before arrival, within 30 days of installation, a medical-alert device, or a real
    crime, damage or emergency). The row is flushed; the caller commits.
    """
    on = _plain_date(on, "on")
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime (times are stored in UTC)")
    key = premises_key(address)
    given = _SPACES.sub(" ", address).strip()
    if len(given) > MAX_ADDRESS_LENGTH:
        raise ValueError(f"address too long: more than {MAX_ADDRESS_LENGTH} characters")
    false_alarm = bool(false_alarm)
    existing = _find(session, key, on, false_alarm)
    if existing is not None:
        return existing
    response = AlarmResponse(
        premises=key, address=given, occurred_on=on, false_alarm=false_alarm, recorded_at=now
    )
    try:
        with session.begin_nested():
            session.add(response)
    except IntegrityError:
        # Another session stored the same event between our look and our insert.
        found = _find(session, key, on, false_alarm)
        if found is None:
            raise
        return found
    return response


def window_start(at: date, window: str = CALENDAR_YEAR) -> date:
    """The first day counted in `window` ending on `at` (inclusive).

    calendar_year: January 1 of `at`'s year. rolling_12_months: the day after `at` one year
    earlier, so `at` minus exactly one year is out and the day after it is in; for February 29
    the year-earlier day is February 28, and the window starts March 1.
    """
    at = _plain_date(at, "at")
    if window == CALENDAR_YEAR:
        return date(at.year, 1, 1)
    if window == ROLLING_12_MONTHS:
        try:
            year_before = at.replace(year=at.year - 1)
        except ValueError:  # February 29
            year_before = date(at.year - 1, 2, 28)
        return year_before + timedelta(days=1)
    raise ValueError(f"unknown window {window!r}: use one of {', '.join(WINDOWS)}")


def false_alarm_count(
    session: Session, address_or_key: str, *, at: date, window: str = CALENDAR_YEAR
) -> int:
    """Distinct days with a false alarm at the premises in `window`, ending on `at` inclusive.

    Responses after `at` are not counted, nor are those recorded as not false.
    """
    start = window_start(at, window)
    key = premises_key(address_or_key)
    count = session.scalar(
        select(func.count(func.distinct(AlarmResponse.occurred_on))).where(
            AlarmResponse.premises == key,
            AlarmResponse.false_alarm.is_(True),
            AlarmResponse.occurred_on >= start,
            AlarmResponse.occurred_on <= at,
        )
    )
    return int(count or 0)


def list_alarms(session: Session, address: str | None = None) -> list[AlarmResponse]:
    """Every response stored, or those at one premises; newest day first."""
    query = select(AlarmResponse).order_by(
        AlarmResponse.occurred_on.desc(),
        AlarmResponse.recorded_at.desc(),
        AlarmResponse.id.desc(),
    )
    if address is not None:
        query = query.where(AlarmResponse.premises == premises_key(address))
    return list(session.scalars(query))


@dataclass(frozen=True)
class AlarmStatus:
    premises: str
    false_alarms: int
    window: str
    #: Police no longer respond: the count has reached the threshold.
    suspended: bool


def alarm_status(
    session: Session,
    address: str,
    *,
    at: date,
    window: str = CALENDAR_YEAR,
    threshold: int = THRESHOLD,
) -> AlarmStatus:
    """The premises' false-alarm count in `window` ending on `at`, and whether response stops."""
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, not {threshold}")
    key = premises_key(address)
    count = false_alarm_count(session, key, at=at, window=window)
    return AlarmStatus(
        premises=key, false_alarms=count, window=window, suspended=count >= threshold
    )
