"""ivr.answers: callers' keypad/speech answers to values, and values to words."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest

from ivr.answers import (
    LANGUAGES,
    MAX_DOLLARS,
    clean_text,
    parse_date,
    parse_dollars,
    parse_phone,
    parse_yes_no,
    say_date,
    say_digits,
    say_dollars,
    say_phone,
)

BALTIMORE = ZoneInfo("America/New_York")
#: A Thursday morning.
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=BALTIMORE)
VALID = "+14103962525"


def test_languages() -> None:
    assert LANGUAGES == ("en", "es")
    assert NOW.strftime("%A") == "Thursday"


# ---------------------------------------------------------------------------------- dollars


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("250", 250),
        ("250#", 250),
        (" 250 # ", 250),
        ("0250", 250),
        ("0", 0),
        ("10000000", 10_000_000),
        ("10000001", None),
        ("99999999999999999999", None),
        ("", None),
        ("#", None),
        ("*", None),
        ("25*0", None),
        ("25 0", None),
        ("-5", None),
        ("٢٥٠", None),  # Arabic-Indic digits pass str.isdigit but are not keypad digits
    ],
)
def test_parse_dollars_keypad(digits: str, expected: int | None) -> None:
    assert parse_dollars(digits=digits) == expected


@pytest.mark.parametrize(
    ("speech", "language", "expected"),
    [
        ("about two hundred fifty dollars", "en", 250),
        ("250 dollars", "en", 250),
        ("$1,200", "en", 1200),
        ("1200.50", "en", 1200),
        ("1200.99 dollars", "en", 1200),
        ("$1,200.75", "en", 1200),
        ("$250.", "en", 250),
        ("a hundred", "en", 100),
        ("hundred dollars", "en", 100),
        ("a thousand bucks", "en", 1000),
        ("two hundred and fifty", "en", 250),
        ("twenty-five dollars", "en", 25),
        ("twenty five hundred", "en", 2500),
        ("ten thousand five hundred", "en", 10_500),
        ("two thousand five hundred and twelve dollars", "en", 2512),
        ("one million two hundred thousand", "en", 1_200_000),
        ("1.5 million", "en", 1_500_000),
        ("2 thousand", "en", 2000),
        ("5 hundred dollars", "en", 500),
        ("ten million", "en", 10_000_000),
        ("nineteen", "en", 19),
        ("zero", "en", 0),
        ("fifty cents", "en", 0),
        ("two hundred dollars and fifty cents", "en", 200),
        ("it was 2 phones worth 900 dollars", "en", 900),  # the amount with "dollars" wins
        ("maybe 300 or 400", "en", 300),  # no "dollars": the first amount
        ("doscientos cincuenta dólares", "es", 250),
        ("doscientos cincuenta dolares", "es", 250),
        ("como 250 dólares", "es", 250),
        ("un mil", "es", 1000),
        ("mil", "es", 1000),
        ("mil quinientos", "es", 1500),
        ("cien", "es", 100),
        ("cien mil", "es", 100_000),
        ("ciento cincuenta", "es", 150),
        ("quinientos dólares", "es", 500),
        ("treinta y cinco", "es", 35),
        ("dieciséis", "es", 16),
        ("veintiún mil", "es", 21_000),
        ("un millón", "es", 1_000_000),
        ("dos millones quinientos mil", "es", 2_500_000),
        ("novecientos noventa y nueve mil novecientos noventa y nueve", "es", 999_999),
        ("1.200 dólares", "es", 1200),  # Spanish thousands separator
        ("1200,50 dólares", "es", 1200),  # Spanish decimal comma
        ("1,5 millones", "es", 1_500_000),
        ("cero dólares", "es", 0),
        ("five hundred dollars", "es", 500),  # English words in the Spanish flow
        ("seiscientos", "en", 600),  # Spanish words in the English flow
        ("1.200 dollars", "en", 1),  # English: "." is the decimal point
    ],
)
def test_parse_dollars_speech(speech: str, language: str, expected: int) -> None:
    assert parse_dollars(speech=speech, language=language) == expected


@pytest.mark.parametrize(
    "speech",
    [
        "",
        "   ",
        "i don't know",
        "no sé",
        "a lot",
        "two fifty",  # 250 or 2.50? ask again
        "five five",
        "nineteen ninety nine",
        "-50",
        "$-50",
        "minus 50 dollars",
        "menos cincuenta",
        "ten million and one",
        "11000000",
        "mil millones",
        "1,2345",
    ],
)
def test_parse_dollars_refuses(speech: str) -> None:
    assert parse_dollars(speech=speech) is None
    assert parse_dollars(speech=speech, language="es") is None


def test_parse_dollars_digits_win_over_speech() -> None:
    assert parse_dollars(digits="40", speech="five hundred dollars") == 40
    assert parse_dollars(digits="4x", speech="five hundred dollars") is None
    assert parse_dollars(digits="", speech="five hundred dollars") == 500


@pytest.mark.parametrize("junk", [None, 250, b"250", ["250"]])
def test_parse_dollars_never_raises_on_odd_types(junk: object) -> None:
    assert parse_dollars(digits=junk, speech=junk) is None  # type: ignore[arg-type]


def test_max_dollars() -> None:
    assert MAX_DOLLARS == 10_000_000


# ------------------------------------------------------------------------------------ phone


def test_test_numbers_are_valid_for_phonenumbers() -> None:
    for number in (VALID, "+14439841234"):
        assert phonenumbers.is_valid_number_for_region(phonenumbers.parse(number), "US")


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("4103962525", VALID),
        ("14103962525", VALID),
        ("4103962525#", VALID),
        ("4439841234", "+14439841234"),
        ("410396252", None),  # 9 digits
        ("441039625250", None),  # 12 digits
        ("24103962525", None),  # 11 digits not starting with 1
        ("1234567890", None),  # no such area code
        ("9999999999", None),
        ("4163334444", None),  # Toronto: valid, but not a US number
        ("41039*2525", None),
        ("", None),
        ("#", None),
    ],
)
def test_parse_phone_keypad(digits: str, expected: str | None) -> None:
    assert parse_phone(digits=digits) == expected


@pytest.mark.parametrize(
    ("speech", "expected"),
    [
        ("four one oh three nine six two five two five", VALID),
        ("four one zero three nine six two five two five", VALID),
        ("four one o three nine six two five two five", VALID),
        ("410 396 2525", VALID),
        ("410-396-2525", VALID),
        ("(410) 396-2525", VALID),
        ("+1 410-396-2525", VALID),
        ("1 410 396 2525", VALID),
        ("my number is 4 1 0 3 9 6 2 5 2 5 thanks", VALID),
        ("four one oh, three nine six, twenty-five twenty-five", VALID),
        ("four ten three ninety six twenty five twenty five", VALID),
        ("area code four one oh and then three nine six two five two five", VALID),
        ("one four one oh three nine six two five two five", VALID),
        ("cuatro uno cero tres nueve seis dos cinco dos cinco", VALID),
        ("cuatro diez tres noventa y seis veinticinco veinticinco", VALID),
        ("cuatrocientos diez trescientos noventa y seis veinticinco veinticinco", VALID),
        ("double four three nine eight four one two three four", "+14439841234"),
        ("four four three nine eight four one two three four", "+14439841234"),
        ("four four three nine eight four twelve thirty four", "+14439841234"),
        ("four one oh three nine six two five two", None),  # 9 digits
        ("four one oh three nine six two five two five five", None),  # 11 digits
        ("four one six three three three four four four four", None),  # Canada
        ("i don't have one", None),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_phone_speech(speech: str, expected: str | None) -> None:
    assert parse_phone(speech=speech) == expected


def test_parse_phone_digits_win_and_odd_types() -> None:
    assert parse_phone(digits="4439841234", speech="410 396 2525") == "+14439841234"
    assert parse_phone(digits=None, speech=None) is None  # type: ignore[arg-type]
    assert parse_phone(digits=4103962525) is None  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("1225", date(2025, 12, 25)),  # most recent Dec 25 is last year's
        ("1201", date(2026, 12, 1)),
        ("1203", date(2026, 12, 3)),  # today
        ("1204", date(2025, 12, 4)),  # tomorrow's date -> last year
        ("1203#", date(2026, 12, 3)),
        ("0101", date(2026, 1, 1)),
        ("12252025", date(2025, 12, 25)),
        ("12032026", date(2026, 12, 3)),
        ("02292024", date(2024, 2, 29)),
        ("12042026", None),  # future
        ("01012027", None),  # future
        ("02292025", None),  # no such day
        ("1332", None),
        ("0000", None),
        ("0132", None),
        ("1300", None),
        ("01011800", None),  # before 1900: a typo
        ("0", None),  # no shortcuts for today/yesterday
        ("1", None),
        ("122", None),
        ("122520", None),
        ("12/25", None),
        ("", None),
        ("#", None),
    ],
)
def test_parse_date_keypad(digits: str, expected: date | None) -> None:
    assert parse_date(digits, now=NOW) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # MMDD means this year or last: a Feb 29 older than that is refused, not moved to an
        # older leap year (2024 here) — the caller can type MMDDYYYY.
        (NOW, None),
        (datetime(2028, 2, 28, 12, tzinfo=BALTIMORE), None),  # 2028-02-29 is tomorrow
        (datetime(2028, 2, 29, 12, tzinfo=BALTIMORE), date(2028, 2, 29)),
        (datetime(2028, 3, 1, 12, tzinfo=BALTIMORE), date(2028, 2, 29)),
        (datetime(2029, 1, 10, 12, tzinfo=BALTIMORE), date(2028, 2, 29)),
        (datetime(2029, 12, 31, 12, tzinfo=BALTIMORE), date(2028, 2, 29)),
        (datetime(2030, 1, 1, 12, tzinfo=BALTIMORE), None),
    ],
)
def test_parse_date_keypad_feb_29(now: datetime, expected: date | None) -> None:
    assert parse_date("0229", now=now) == expected


@pytest.mark.parametrize(
    ("speech", "expected"),
    [
        ("yesterday", date(2026, 12, 2)),
        ("Yesterday.", date(2026, 12, 2)),
        ("today", date(2026, 12, 3)),
        ("TODAY", date(2026, 12, 3)),
        ("yesterday afternoon", date(2026, 12, 2)),
        ("yesterday morning", date(2026, 12, 2)),
        ("yesterday in the morning", date(2026, 12, 2)),
        ("yesterday around 11", date(2026, 12, 2)),
        ("last tuesday", date(2026, 12, 1)),
        ("two days ago", date(2026, 12, 1)),
        ("2 days ago", date(2026, 12, 1)),
        ("a couple days ago", date(2026, 12, 1)),
        ("the day before yesterday", date(2026, 12, 1)),
        ("a week ago", date(2026, 11, 26)),
        ("three weeks ago", date(2026, 11, 12)),
        ("march 5th", date(2026, 3, 5)),
        ("march fifth", date(2026, 3, 5)),
        ("march twenty first", date(2026, 3, 21)),
        ("march 5 2025", date(2025, 3, 5)),
        ("march 5th twenty twenty five", date(2025, 3, 5)),
        ("december 25", date(2025, 12, 25)),  # this year's is still to come
        ("december 3rd", date(2026, 12, 3)),
        ("december 4th", date(2025, 12, 4)),
        ("12/25", date(2025, 12, 25)),
        ("the 5th", date(2026, 11, 5)),  # the most recent 5th
        ("on the fifth", date(2026, 11, 5)),
        ("the twenty first", date(2026, 11, 21)),
        ("the 31st", date(2026, 10, 31)),  # November has no 31st
        ("the 2nd", date(2026, 12, 2)),
        ("the second", date(2026, 12, 2)),
        ("i think it was yesterday", date(2026, 12, 2)),
        ("it may have been yesterday", date(2026, 12, 2)),  # "may" is not the month
        ("on monday", date(2026, 11, 30)),
        ("monday", date(2026, 11, 30)),
        ("sunday or monday", date(2026, 11, 29)),
        ("i think it was on monday", date(2026, 11, 30)),
        ("i sat down on tuesday", date(2026, 12, 1)),
        ("thursday", date(2026, 11, 26)),  # said on a Thursday: a week ago
        ("this morning", date(2026, 12, 3)),
        ("this afternoon", date(2026, 12, 3)),
        ("earlier today", date(2026, 12, 3)),
        ("tonight", date(2026, 12, 3)),
        ("last night", date(2026, 12, 2)),
        ("last friday night", date(2026, 11, 27)),
        ("around 11 pm yesterday", date(2026, 12, 2)),
    ],
)
def test_parse_date_english(speech: str, expected: date) -> None:
    assert parse_date(speech=speech, now=NOW, language="en") == expected


@pytest.mark.parametrize(
    ("speech", "expected"),
    [
        ("ayer", date(2026, 12, 2)),
        ("hoy", date(2026, 12, 3)),
        ("ayer por la tarde", date(2026, 12, 2)),
        ("ayer en la mañana", date(2026, 12, 2)),
        ("ayer en la noche", date(2026, 12, 2)),
        ("el martes pasado", date(2026, 12, 1)),
        ("el martes", date(2026, 12, 1)),
        ("el lunes en la mañana", date(2026, 11, 30)),
        ("el sábado", date(2026, 11, 28)),
        ("el sabado", date(2026, 11, 28)),
        ("hace dos días", date(2026, 12, 1)),
        ("hace 2 días", date(2026, 12, 1)),
        ("hace 2 dias", date(2026, 12, 1)),
        ("hace tres semanas", date(2026, 11, 12)),
        ("hace una semana", date(2026, 11, 26)),
        ("hace veinte días", date(2026, 11, 13)),
        ("hace un par de días", date(2026, 12, 1)),
        ("la semana pasada", date(2026, 11, 26)),
        ("el 5 de marzo", date(2026, 3, 5)),
        ("el cinco de marzo", date(2026, 3, 5)),
        ("el primero de marzo", date(2026, 3, 1)),
        ("el 30 de noviembre", date(2026, 11, 30)),
        ("el 5 de marzo de 2025", date(2025, 3, 5)),
        ("el cinco de marzo del dos mil veinticinco", date(2025, 3, 5)),
        ("el 25 de diciembre", date(2025, 12, 25)),
        ("el 5", date(2026, 11, 5)),
        ("el día 5", date(2026, 11, 5)),
        ("esta mañana", date(2026, 12, 3)),
        ("esta tarde", date(2026, 12, 3)),
        ("esta noche", date(2026, 12, 3)),
        ("hoy en la mañana", date(2026, 12, 3)),
        ("anoche", date(2026, 12, 2)),
        ("antier", date(2026, 12, 1)),
        ("anteayer", date(2026, 12, 1)),
        ("antes de ayer", date(2026, 12, 1)),
        ("creo que fue ayer", date(2026, 12, 2)),
        ("mi casa el martes", date(2026, 12, 1)),
    ],
)
def test_parse_date_spanish(speech: str, expected: date) -> None:
    assert parse_date(speech=speech, now=NOW, language="es") == expected


@pytest.mark.parametrize(
    ("speech", "language"),
    [
        ("tomorrow", "en"),
        ("next week", "en"),
        ("in two days", "en"),
        ("mañana", "es"),
        ("pasado mañana", "es"),
        ("december 3rd 2027", "en"),
        ("the 5th of this month", "en"),  # Dec 5: still to come
        # Vaguer than a day.
        ("june", "en"),
        ("in may", "en"),
        ("may", "en"),
        ("last month", "en"),
        ("a year ago", "en"),
        ("2 years ago", "en"),
        ("el mes pasado", "es"),
        ("hace un mes", "es"),
        ("hace 1 mes", "es"),
        ("el año pasado", "es"),
        # Not dates.
        ("", "en"),
        ("   ", "en"),
        ("i don't know", "en"),
        ("maybe", "en"),
        ("he took my phone", "en"),
        ("the one", "en"),
        ("1", "en"),
        ("5", "en"),
        ("250", "en"),
        ("no sé", "es"),
        ("mi casa", "es"),
        ("me robaron el carro", "es"),
        ("5", "es"),
    ],
)
def test_parse_date_refuses(speech: str, language: str) -> None:
    assert parse_date(speech=speech, now=NOW, language=language) is None


@pytest.mark.parametrize(
    ("speech", "language"),
    [
        ("yesterday", "en"),
        ("yesterday afternoon", "en"),
        ("i think it happened yesterday evening", "en"),
        ("today at noon", "en"),
        ("last night", "en"),
        ("this morning", "en"),
        ("three days ago", "en"),
        ("a couple of days ago", "en"),
        ("0 days ago", "en"),
        ("9999 days ago", "en"),
        ("ayer por la tarde", "es"),
        ("anoche", "es"),
        ("hoy", "es"),
        ("hace dos días", "es"),
        ("hace 3 dias", "es"),
        ("antier", "es"),
    ],
)
@pytest.mark.parametrize(
    "now",
    [
        NOW,
        datetime(2026, 1, 1, 0, 30, tzinfo=BALTIMORE),
        datetime(2024, 3, 1, 23, 30, tzinfo=BALTIMORE),
    ],
)
def test_days_counted_back_read_as_dateparser_reads_them(
    speech: str, language: str, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The common answers skip dateparser (milliseconds a phrase) and land on the same day."""
    import ivr.answers

    def not_called(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("dateparser was asked")

    with monkeypatch.context() as without_dateparser:
        # parse_date answers None when dateparser fails, so a reading that reached it is None.
        without_dateparser.setattr(ivr.answers.dateparser, "parse", not_called)
        without_dateparser.setattr(ivr.answers, "search_dates", not_called)
        shortcut = parse_date(speech=speech, now=now, language=language)
    assert shortcut is not None
    monkeypatch.setattr(ivr.answers, "_DAYS_BACK", re.compile(r"(?!)"))
    assert shortcut == parse_date(speech=speech, now=now, language=language)


def test_parse_date_language_fallback_and_digits_win() -> None:
    assert parse_date(speech="yesterday", now=NOW, language="fr") == date(2026, 12, 2)
    assert parse_date(speech="ayer", now=NOW, language="es-US") == date(2026, 12, 2)
    assert parse_date("1201", "yesterday", now=NOW) == date(2026, 12, 1)
    assert parse_date("13", "yesterday", now=NOW) is None
    assert parse_date(None, None, now=NOW) is None  # type: ignore[arg-type]


def test_parse_date_uses_the_wall_clock_of_now() -> None:
    late = datetime(2026, 12, 3, 23, 30, tzinfo=BALTIMORE)  # already Dec 4 in UTC
    assert parse_date(speech="today", now=late) == date(2026, 12, 3)
    assert parse_date(speech="yesterday", now=late) == date(2026, 12, 2)
    assert parse_date("1204", now=late) == date(2025, 12, 4)
    early = datetime(2026, 1, 1, 0, 5, tzinfo=BALTIMORE)
    assert parse_date(speech="yesterday", now=early) == date(2025, 12, 31)
    assert parse_date("1231", now=early) == date(2025, 12, 31)


def test_dateparser_needs_no_network() -> None:
    """A fresh interpreter with sockets disabled parses both languages (first use included)."""
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network used")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from datetime import date, datetime
        from zoneinfo import ZoneInfo
        from ivr.answers import parse_date

        now = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("America/New_York"))
        assert parse_date(speech="last tuesday", now=now) == date(2026, 12, 1)
        assert parse_date(speech="el martes pasado", now=now, language="es") == date(2026, 12, 1)
        assert parse_date(speech="hace dos días", now=now, language="es") == date(2026, 12, 1)
        print("ok")
        """
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-W", "error", "-c", script],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# ----------------------------------------------------------------------------------- yes/no


@pytest.mark.parametrize(
    "speech",
    [
        "yes",
        "Yes.",
        "yeah",
        "yep",
        "yup",
        "correct",
        "that's right",
        "that is right",
        "right",
        "sure",
        "of course",
        "i think so",
        "yes someone is hurt",
        "yes yes",
        "sí",
        "si",
        "Sí, claro.",
        "claro",
        "correcto",
        "así es",
        "por supuesto",
    ],
)
def test_parse_yes(speech: str) -> None:
    assert parse_yes_no(speech) is True
    assert parse_yes_no(speech, "es") is True


@pytest.mark.parametrize(
    "speech",
    [
        "no",
        "No.",
        "nope",
        "nah",
        "not really",
        "nobody",
        "no one",
        "nothing",
        "incorrect",
        "not correct",
        "that's not right",
        "that isn't right",
        "i don't think so",
        "no it's not happening now",
        "No, nobody.",
        "he isn't hurt",
        "nadie",
        "ninguno",
        "no es correcto",
        "no se lastimó nadie",
        "no, nadie",
    ],
)
def test_parse_no(speech: str) -> None:
    assert parse_yes_no(speech) is False
    assert parse_yes_no(speech, "es") is False


@pytest.mark.parametrize(
    "speech",
    [
        "",
        "   ",
        "maybe",
        "i'm not sure",
        "i don't know",
        "i can't tell",
        "perhaps",
        "hello",
        "uh huh",
        "it's happening right now",  # "right" only counts as "that's right" or alone
        "yeah nobody is hurt",  # yes and no together: ask again
        "no that's right",
        "sí, nadie",
        "no sé",
        "no se",
        "tal vez",
        "no estoy seguro",
        "no me acuerdo",
        "no sé si alguien está herido",
    ],
)
def test_parse_yes_no_unclear(speech: str) -> None:
    assert parse_yes_no(speech) is None
    assert parse_yes_no(speech, "es") is None


@pytest.mark.parametrize("junk", [None, 1, True])
def test_parse_yes_no_odd_types(junk: object) -> None:
    assert parse_yes_no(junk) is None  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("speech", "max_length", "expected"),
    [
        ("  my   car\twas\nbroken into  ", 500, "my car was broken into"),
        ("", 500, None),
        ("   \n\t", 500, None),
        ("aaa bbb ccc", 11, "aaa bbb ccc"),
        ("aaa bbb ccc", 10, "aaa bbb"),
        ("aaa bbb ccc", 8, "aaa bbb"),
        ("aaa bbb ccc", 7, "aaa bbb"),
        ("aaa bbb ccc", 6, "aaa"),
        ("aaaaaaaaaa", 4, "aaaa"),  # one long word: cut hard
        ("aaa", 0, None),
    ],
)
def test_clean_text(speech: str, max_length: int, expected: str | None) -> None:
    assert clean_text(speech, max_length) == expected


def test_clean_text_default_cap_and_odd_types() -> None:
    text = clean_text("word " * 200)
    assert text is not None
    assert len(text) <= 500
    assert text.endswith("word")
    assert clean_text(None) is None  # type: ignore[arg-type]


# --------------------------------------------------------------------------------- speaking


@pytest.mark.parametrize(
    ("amount", "language", "expected"),
    [
        (250, "en", "250 dollars"),
        (1, "en", "1 dollar"),
        (0, "en", "0 dollars"),
        (1500, "en", "1,500 dollars"),
        (10_000_000, "en", "10,000,000 dollars"),
        (250, "es", "250 dólares"),
        (1, "es", "1 dólar"),
        (1500, "es", "1500 dólares"),  # no separator: Spanish TTS would read a decimal
        (250, "fr", "250 dollars"),
        (250, "es-US", "250 dólares"),
    ],
)
def test_say_dollars(amount: int, language: str, expected: str) -> None:
    assert say_dollars(amount, language) == expected


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        (date(2026, 12, 3), "en", "today"),
        (date(2026, 12, 2), "en", "yesterday"),
        (date(2026, 12, 1), "en", "Tuesday, December 1"),
        (date(2026, 3, 5), "en", "Thursday, March 5"),
        (date(2025, 3, 5), "en", "March 5, 2025"),
        (date(2025, 12, 31), "en", "December 31, 2025"),
        (date(2026, 12, 3), "es", "hoy"),
        (date(2026, 12, 2), "es", "ayer"),
        (date(2026, 12, 1), "es", "el martes 1 de diciembre"),
        (date(2026, 11, 25), "es", "el miércoles 25 de noviembre"),
        (date(2025, 3, 5), "es", "el 5 de marzo de 2025"),
        (date(2026, 12, 1), "de", "Tuesday, December 1"),
    ],
)
def test_say_date(day: date, language: str, expected: str) -> None:
    assert say_date(day, NOW, language) == expected


def test_say_date_yesterday_across_new_year() -> None:
    new_year = datetime(2027, 1, 1, 9, tzinfo=BALTIMORE)
    assert say_date(date(2026, 12, 31), new_year, "en") == "yesterday"
    assert say_date(date(2026, 12, 30), new_year, "en") == "December 30, 2026"
    assert say_date(date(2026, 12, 30), new_year, "es") == "el 30 de diciembre de 2026"


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        (VALID, "4 1 0, 3 9 6, 2 5 2 5"),
        ("+14439841234", "4 4 3, 9 8 4, 1 2 3 4"),
        ("14103962525", "4 1 0, 3 9 6, 2 5 2 5"),
        ("", ""),
    ],
)
def test_say_phone(e164: str, expected: str) -> None:
    assert say_phone(e164) == expected


def test_phone_round_trip() -> None:
    spoken = say_phone(VALID)
    assert parse_phone(speech=spoken) == VALID


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TRU-26-000123", "T, R, U. 2, 6. 0, 0, 0, 1, 2, 3."),
        ("tru-26-000123", "T, R, U. 2, 6. 0, 0, 0, 1, 2, 3."),
        ("AB12", "A, B, 1, 2."),
        ("7", "7."),
        ("VIN 1HGCM", "V, I, N. 1, H, G, C, M."),
        ("A--B", "A. B."),
        ("", ""),
        ("--", ""),
    ],
)
def test_say_digits(text: str, expected: str) -> None:
    assert say_digits(text) == expected


def test_warm_up_takes_each_language_through_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shortcut for its phrases would leave dateparser cold for the worker's first caller."""
    import dateparser

    import ivr.answers

    asked: list[str] = []
    real_parse = dateparser.parse

    def parse(text: str, languages: list[str], **kwargs: object):
        asked.extend(languages)
        return real_parse(text, languages=languages, **kwargs)

    monkeypatch.setattr(ivr.answers.dateparser, "parse", parse)
    ivr.answers.warm_up(NOW)
    assert sorted(set(asked)) == ["en", "es"]
    for language, phrase in ivr.answers._WARM_UP_PHRASES.items():
        assert parse_date(speech=phrase, now=NOW, language=language) == date(2026, 12, 1)


def test_the_app_warms_the_date_parser_before_its_first_request(make_app, monkeypatch) -> None:
    import ivr.answers

    warmed: list[datetime] = []
    monkeypatch.setattr(ivr.answers, "warm_up", warmed.append)
    app = make_app()
    assert warmed == [app.extensions["tru.clock"]()]
