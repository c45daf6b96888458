"""Callers' answers: what they pressed or said, turned into values; values turned into words.

This module is deliberately pure: no Flask, no database, no reading of the clock. The call
flow hands it Twilio's ``Digits`` (keypad) or ``SpeechResult`` (speech-to-text) and, for
dates, the current Baltimore wall-clock instant.

Contract shared by every ``parse_*`` function:

* Caller input never raises. Anything that cannot be understood, is ambiguous, or is out of
  range gives ``None`` and the flow asks again (or reads back and lets the caller correct).
* When both ``digits`` and ``speech`` are given, non-empty ``digits`` win (the caller typed).
* Languages are ``"en"`` and ``"es"``; anything else (``None``, ``"fr"``) is treated as
  ``"en"``, and regional tags such as ``"es-US"`` count as their language.

Speech arrives unpunctuated and in words or digits ("about two hundred fifty dollars",
"250 dollars", "doscientos cincuenta dólares"), so a small number-words reader for English and
Spanish lives here (``_number_phrases``). Dates use the ``dateparser`` package, which needs no
network (its language data ships inside the package), after normalising the phrases callers
actually say and that ``dateparser`` does not know ("anoche", "antier", "esta mañana",
"hace dos días", "march fifth", "last night", ...). See ``parse_date`` for what is rejected.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import dateparser
import phonenumbers
from dateparser.search import search_dates

from ivr.hours import EN_MONTHS, EN_WEEKDAYS, ES_MONTHS, ES_WEEKDAYS

__all__ = [
    "LANGUAGES",
    "MAX_DOLLARS",
    "clean_text",
    "parse_date",
    "parse_dollars",
    "parse_phone",
    "parse_yes_no",
    "say_date",
    "say_digits",
    "say_dollars",
    "say_phone",
]

LANGUAGES = ("en", "es")

#: Largest amount of money a caller can report; anything above is a mishearing.
MAX_DOLLARS = 10_000_000

#: Oldest date accepted (typed years like 0101 0001 are typos, not incidents).
_OLDEST_DATE = date(1900, 1, 1)


def _lang(language: object) -> str:
    """``"es"``, ``"es-US"``, ``"ES_mx"`` -> ``"es"``; everything else -> ``"en"``."""
    if isinstance(language, str):
        code = language.strip().lower().replace("_", "-").split("-", 1)[0]
        if code in LANGUAGES:
            return code
    return "en"


def _fold(text: str) -> str:
    """Lower-case without accents: "Dólares" -> "dolares", "Sí" -> "si"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _keypad(digits: object) -> str | None:
    """Keypad input with the optional trailing "#" removed; None when nothing was typed."""
    text = _as_text(digits).strip()
    while text.endswith("#"):
        text = text[:-1].rstrip()
    return text or None


# --------------------------------------------------------------------------- number words

_EN_WORDS: dict[str, tuple[str, int]] = {
    "zero": ("unit", 0),
    "one": ("unit", 1),
    "two": ("unit", 2),
    "three": ("unit", 3),
    "four": ("unit", 4),
    "five": ("unit", 5),
    "six": ("unit", 6),
    "seven": ("unit", 7),
    "eight": ("unit", 8),
    "nine": ("unit", 9),
    "ten": ("teen", 10),
    "eleven": ("teen", 11),
    "twelve": ("teen", 12),
    "thirteen": ("teen", 13),
    "fourteen": ("teen", 14),
    "fifteen": ("teen", 15),
    "sixteen": ("teen", 16),
    "seventeen": ("teen", 17),
    "eighteen": ("teen", 18),
    "nineteen": ("teen", 19),
    "twenty": ("tens", 20),
    "thirty": ("tens", 30),
    "forty": ("tens", 40),
    "fourty": ("tens", 40),
    "fifty": ("tens", 50),
    "sixty": ("tens", 60),
    "seventy": ("tens", 70),
    "eighty": ("tens", 80),
    "ninety": ("tens", 90),
    "hundred": ("hundred", 100),
    "hundreds": ("hundred", 100),
    "thousand": ("scale", 1_000),
    "thousands": ("scale", 1_000),
    "grand": ("scale", 1_000),
    "million": ("scale", 1_000_000),
    "millions": ("scale", 1_000_000),
    "and": ("conj", 0),
    "a": ("a", 1),
}

# Keys are accent-folded (see _fold), so "dieciséis" and "dieciseis" both match.
_ES_WORDS: dict[str, tuple[str, int]] = {
    "cero": ("unit", 0),
    "uno": ("unit", 1),
    "un": ("unit", 1),
    "una": ("unit", 1),
    "dos": ("unit", 2),
    "tres": ("unit", 3),
    "cuatro": ("unit", 4),
    "cinco": ("unit", 5),
    "seis": ("unit", 6),
    "siete": ("unit", 7),
    "ocho": ("unit", 8),
    "nueve": ("unit", 9),
    "diez": ("teen", 10),
    "once": ("teen", 11),
    "doce": ("teen", 12),
    "trece": ("teen", 13),
    "catorce": ("teen", 14),
    "quince": ("teen", 15),
    "dieciseis": ("teen", 16),
    "diecisiete": ("teen", 17),
    "dieciocho": ("teen", 18),
    "diecinueve": ("teen", 19),
    "veinte": ("tens", 20),
    "veintiuno": ("teen", 21),
    "veintiun": ("teen", 21),
    "veintiuna": ("teen", 21),
    "veintidos": ("teen", 22),
    "veintitres": ("teen", 23),
    "veinticuatro": ("teen", 24),
    "veinticinco": ("teen", 25),
    "veintiseis": ("teen", 26),
    "veintisiete": ("teen", 27),
    "veintiocho": ("teen", 28),
    "veintinueve": ("teen", 29),
    "treinta": ("tens", 30),
    "cuarenta": ("tens", 40),
    "cincuenta": ("tens", 50),
    "sesenta": ("tens", 60),
    "setenta": ("tens", 70),
    "ochenta": ("tens", 80),
    "noventa": ("tens", 90),
    "cien": ("hundreds", 100),
    "ciento": ("hundreds", 100),
    "doscientos": ("hundreds", 200),
    "doscientas": ("hundreds", 200),
    "trescientos": ("hundreds", 300),
    "trescientas": ("hundreds", 300),
    "cuatrocientos": ("hundreds", 400),
    "cuatrocientas": ("hundreds", 400),
    "quinientos": ("hundreds", 500),
    "quinientas": ("hundreds", 500),
    "seiscientos": ("hundreds", 600),
    "seiscientas": ("hundreds", 600),
    "setecientos": ("hundreds", 700),
    "setecientas": ("hundreds", 700),
    "ochocientos": ("hundreds", 800),
    "ochocientas": ("hundreds", 800),
    "novecientos": ("hundreds", 900),
    "novecientas": ("hundreds", 900),
    "mil": ("scale", 1_000),
    "millon": ("scale", 1_000_000),
    "millones": ("scale", 1_000_000),
    "y": ("conj", 0),
}

_NUMBER_WORDS = {"en": _EN_WORDS, "es": _ES_WORDS}

#: Characters stripped from both ends of a spoken token ("$" and "-" are kept: they mean
#: something in front of a number).
_EDGE_PUNCTUATION = " \t.,;:!?¿¡\"'()[]{}…“”‘’"

_LITERAL = re.compile(r"(?P<sign>[-−])?(?P<cur>\$)?(?P<sign2>[-−])?(?P<num>\d[\d.,]*)(?P<cur2>\$)?")


@dataclass(frozen=True)
class _Token:
    raw: str  # as spoken (punctuation trimmed), accents kept
    key: str  # accent-folded, lower-case
    kind: str | None  # unit teen tens hundreds hundred scale conj a lit, or None (a word)
    value: Decimal
    currency: bool = False  # "$250"
    negative: bool = False  # "-250"


def _literal_value(text: str, language: str) -> Decimal | None:
    """Digits as speech-to-text writes them: "1,200", "1200.50", Spanish "1.200" or "1200,50"."""
    text = text.rstrip(".,")
    if not text:
        return None
    has_comma, has_dot = "," in text, "." in text
    if has_comma and has_dot:
        # The last separator is the decimal one: "1,200.50" / "1.200,50".
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        group_sep = "," if decimal_sep == "." else "."
        whole, _, cents = text.rpartition(decimal_sep)
        if not re.fullmatch(r"\d{1,3}(" + re.escape(group_sep) + r"\d{3})*", whole):
            return None
        text = whole.replace(group_sep, "") + "." + cents
    elif has_comma:
        if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
            text = text.replace(",", "")
        elif re.fullmatch(r"\d+,\d{1,2}", text):
            text = text.replace(",", ".")
        else:
            return None
    elif has_dot:
        if re.fullmatch(r"\d{1,3}(\.\d{3}){2,}", text) or (
            language == "es" and re.fullmatch(r"\d{1,3}\.\d{3}", text)
        ):
            text = text.replace(".", "")
        elif not re.fullmatch(r"\d+\.\d+", text):
            return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _tokens(text: str, language: str, *, literals: bool = True) -> list[_Token]:
    """Split speech into tokens and classify the number words of ``language``."""
    words = _NUMBER_WORDS[language]
    # "twenty-five" -> "twenty five" (but keep "410-396-2525" and "-50" whole).
    text = re.sub(r"(?<=[^\W\d_])-(?=[^\W\d_])", " ", text)
    tokens = []
    for part in text.split():
        raw = part.strip(_EDGE_PUNCTUATION)
        if not raw:
            continue
        key = _fold(raw)
        match = _LITERAL.fullmatch(raw) if literals else None
        if match:
            value = _literal_value(match["num"], language)
            if value is not None:
                tokens.append(
                    _Token(
                        raw,
                        key,
                        "lit",
                        value,
                        currency=bool(match["cur"] or match["cur2"]),
                        negative=bool(match["sign"] or match["sign2"]),
                    )
                )
                continue
        kind, number = words.get(key, (None, 0))
        tokens.append(_Token(raw, key, kind, Decimal(number)))
    return tokens


@dataclass
class _Accumulator:
    """One number phrase being read, word by word ("two hundred fifty", "dos mil quinientos").

    ``take`` returns False when a word cannot continue the phrase ("five five" is two phrases,
    "twenty thirty" too); the caller then starts a new phrase at that word.
    """

    total: Decimal = Decimal(0)
    hundreds: Decimal = Decimal(0)
    rest: Decimal = Decimal(0)
    last: str | None = None
    max_scale: int = 0
    last_scale: int = 0

    def take(self, token: _Token) -> bool:  # one small grammar, kept together
        kind, value, last = token.kind, token.value, self.last
        if last == "zero":
            return False
        if kind == "unit":
            if value == 0:
                if last is not None:
                    return False
                self.last = "zero"
                return True
            if last == "tens":
                self.rest += value
            elif last in (None, "hundred", "hundreds", "scale"):
                self.rest = value
            else:
                return False
        elif kind in ("teen", "tens"):
            if last not in (None, "hundred", "hundreds", "scale"):
                return False
            self.rest = value
        elif kind == "hundreds":
            if last not in (None, "scale"):
                return False
            self.hundreds = value
        elif kind == "hundred":
            if last is None:
                self.hundreds = Decimal(100)
            elif last in ("unit", "teen", "tens", "a") or (
                last == "lit" and self.rest == int(self.rest) and self.rest < 100
            ):
                self.hundreds, self.rest = self.rest * 100, Decimal(0)
            else:
                return False
        elif kind == "scale":
            scale = int(value)
            current = self.hundreds + self.rest
            if last == "scale" and scale <= self.max_scale:
                return False
            if scale > self.max_scale:
                base = self.total + current
                self.total = (base or Decimal(1)) * scale
                self.max_scale = scale
            elif current and scale < self.last_scale:
                self.total += current * scale
            else:
                return False
            self.last_scale = scale
            self.hundreds = self.rest = Decimal(0)
        elif kind == "lit":
            if not (last is None or (last == "scale" and value < self.last_scale)):
                return False
            self.rest = value
        elif kind == "a":
            if last is not None:
                return False
            self.rest = Decimal(1)
        else:
            return False
        if self.last != "zero":
            self.last = kind
        return True

    def can_take(self, token: _Token) -> bool:
        return copy(self).take(token)

    @property
    def value(self) -> Decimal:
        return self.total + self.hundreds + self.rest


@dataclass(frozen=True)
class _Phrase:
    start: int  # index of the first token
    end: int  # index after the last token
    value: Decimal


def _number_phrases(tokens: list[_Token]) -> list[_Phrase]:
    """Every number phrase in ``tokens``, left to right."""
    phrases = []
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        if token.kind in (None, "conj") or (
            token.kind == "a" and not (i + 1 < n and tokens[i + 1].kind in ("hundred", "scale"))
        ):
            i += 1
            continue
        acc, j = _Accumulator(), i
        while j < n:
            token = tokens[j]
            if token.kind == "conj":
                if acc.last is not None and j + 1 < n and acc.can_take(tokens[j + 1]):
                    j += 1
                    continue
                break
            if not acc.take(token):
                break
            j += 1
        if j == i:  # cannot happen (a phrase always starts with a number), but never loop
            i += 1
            continue
        phrases.append(_Phrase(i, j, acc.value))
        i = j
    return phrases


# --------------------------------------------------------------------------------- dollars

_CURRENCY_WORDS = frozenset({"dollar", "dollars", "bucks", "buck", "usd", "dolar", "dolares"})
_CENTS_WORDS = frozenset({"cent", "cents", "penny", "pennies", "centavo", "centavos"})
_MINUS_WORDS = frozenset({"minus", "negative", "menos", "negativo"})


def _spoken_dollars(speech: str, language: str) -> Decimal | None:
    tokens = _tokens(speech, language)
    phrases = _number_phrases(tokens)
    if not phrases:
        return None

    def next_key(phrase: _Phrase) -> str:
        return tokens[phrase.end].key if phrase.end < len(tokens) else ""

    for before, after in zip(phrases, phrases[1:], strict=False):
        if before.end == after.start:
            # "two fifty", "nineteen ninety nine", "five five": 250? 2.50? 1999? Ask again.
            return None
    dollars = [p for p in phrases if next_key(p) not in _CENTS_WORDS]
    if not dollars:
        return Decimal(0)  # "fifty cents"
    marked = [p for p in dollars if next_key(p) in _CURRENCY_WORDS or tokens[p.start].currency]
    chosen = (marked or dollars)[0]
    first = tokens[chosen.start]
    if first.negative or (chosen.start > 0 and tokens[chosen.start - 1].key in _MINUS_WORDS):
        return None
    return chosen.value


def parse_dollars(digits: str = "", speech: str = "", language: str = "en") -> int | None:
    """Whole dollars from the keypad ("250#") or speech ("about two hundred fifty dollars",
    "$1,200", "1200.50" -> 1200, "doscientos cincuenta dólares" -> 250).

    Cents are dropped (rounded down). Negative amounts, amounts over ``MAX_DOLLARS``, speech
    with two number phrases back to back ("two fifty": 250 or 2.50?) and no number at all give
    None. Speech is read with ``language``'s number words first, then the other language's
    (bilingual callers mix them). With several amounts, the first one followed by
    "dollars"/"dólares" (or written "$…") wins, else the first amount.
    """
    language = _lang(language)
    typed = _keypad(digits)
    amount: Decimal | None
    if typed is not None:
        if not typed.isascii() or not typed.isdigit():
            return None
        amount = Decimal(typed)
    else:
        text = _as_text(speech)
        if not text.strip():
            return None
        amount = None
        for lang in (language, *(x for x in LANGUAGES if x != language)):
            amount = _spoken_dollars(text, lang)
            if amount is not None:
                break
        if amount is None:
            return None
    whole = int(amount)  # Decimal -> int truncates toward zero: 1200.50 -> 1200
    if amount < 0 or whole > MAX_DOLLARS:
        return None
    return whole


# ----------------------------------------------------------------------------------- phone

_EN_PHONE_EXTRA = {"oh": ("unit", 0), "o": ("unit", 0)}
_REPEAT_WORDS = {"double": 2, "doble": 2, "triple": 3}


def _spoken_phone_digits(speech: str, language: str) -> str:
    words = dict(_NUMBER_WORDS[language])
    words.pop("a", None)
    if language == "en":
        words.update(_EN_PHONE_EXTRA)
    text = re.sub(r"(?<=[^\W\d_])-(?=[^\W\d_])", " ", speech)
    out: list[str] = []
    run: list[_Token] = []  # number words waiting to be read as phrases

    def flush() -> None:
        for phrase in _number_phrases(run):
            out.append(str(int(phrase.value)))
        run.clear()

    repeat = 1
    for part in text.split():
        raw = part.strip(_EDGE_PUNCTUATION)
        key = _fold(raw)
        if any(ch.isdigit() for ch in raw):
            flush()
            out.append("".join(ch for ch in raw if ch.isascii() and ch.isdigit()) * repeat)
            repeat = 1
        elif key in _REPEAT_WORDS:
            flush()
            repeat = _REPEAT_WORDS[key]
        elif key in words and words[key][0] != "conj":
            kind, number = words[key]
            token = _Token(raw, key, kind, Decimal(number))
            if repeat > 1 and kind == "unit":
                flush()
                out.append(str(number) * repeat)
            else:
                run.append(token)
            repeat = 1
        elif key in words:  # "and" / "y": keep it inside the phrase ("noventa y seis")
            run.append(_Token(raw, key, "conj", Decimal(0)))
        else:
            flush()  # a plain word ("my number is") ends a phrase
            repeat = 1
    flush()
    return "".join(out)


def parse_phone(digits: str = "", speech: str = "", region: str = "US") -> str | None:
    """An E.164 number ("+14103962525") from the keypad or speech ("four one oh, three nine
    six, twenty five twenty five", "410 396 2525", "cuatro uno cero ...").

    Exactly 10 digits, or 11 starting with 1, and ``phonenumbers`` must call it a valid number
    for ``region`` (so Canadian +1 numbers and unassigned area codes are refused). Spoken pairs
    and hundreds are read as written digits ("twenty five" -> 25, "four hundred" -> 400,
    "double five" -> 55); words in between ("my number is") are ignored.
    """
    region = region if isinstance(region, str) and region else "US"
    typed = _keypad(digits)
    if typed is not None:
        if not typed.isascii() or not typed.isdigit():
            return None
        number = typed
    else:
        text = _as_text(speech)
        if not text.strip():
            return None
        number = _spoken_phone_digits(text, _lang_for_phone(text))
    if len(number) == 11 and number.startswith("1"):
        number = number[1:]
    if len(number) != 10:
        return None
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number_for_region(parsed, region):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _lang_for_phone(text: str) -> str:
    """Digit words say which language they are in; Spanish if any Spanish digit word is used."""
    keys = {_fold(w.strip(_EDGE_PUNCTUATION)) for w in text.split()}
    spanish = {k for k, (kind, _) in _ES_WORDS.items() if kind != "conj"} - {"once"}
    return "es" if keys & spanish else "en"


# ------------------------------------------------------------------------------------ dates

_EN_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
_ORDINAL_WORDS = "|".join(_EN_ORDINALS)
_EN_COMPOUND_ORDINAL = re.compile(rf"\b(twenty|thirty)[\s-]+({'|'.join(list(_EN_ORDINALS)[:9])})\b")
_EN_ORDINAL = re.compile(rf"\b({_ORDINAL_WORDS})\b")


def _suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


# (pattern, replacement), applied in order to lower-cased speech.
_EN_DATE_REWRITES: tuple[tuple[str, str], ...] = (
    # "it may have been yesterday": "may" is not the month here.
    (r"\b(?:may|might|could|must)\s+(?:have\s+)?(?:been|be)\b", " "),
    (r"\bmaybe\b", " "),
    (r"\b(?:this|earlier this)\s+(?:morning|afternoon|evening)\b", " today "),
    (r"\b(?:earlier|later)\s+today\b", " today "),
    (r"\btonight\b", " today "),
    (r"\b(?:last|yesterday)\s+(?:night|evening)\b", " yesterday "),
    (r"\b(?:in|during)\s+the\s+(?:morning|afternoon|evening|night)\b", " "),
    (r"\b(?:at|over)\s+night\b", " "),
    (r"\ba\s+couple(?:\s+of)?\b", " 2 "),
    (r"\bi\s+(?:think|believe|guess)\b", " "),
    (r"\b(?:it|that|this)\s+(?:was|happened)\b", " "),
    (r"\bhappened\b", " "),
    (r"\b(?:um+|uh+|like|around|about|probably)\b", " "),
)

_ES_DATE_REWRITES: tuple[tuple[str, str], ...] = (
    (r"\besta\s+(?:mañana|manana|tarde|noche|madrugada)\b", " hoy "),
    (r"\bhoy\s+(?:en|por|a)\s+la\s+(?:mañana|manana|tarde|noche|madrugada)\b", " hoy "),
    (r"\b(?:antes\s+de\s+(?:ayer|anoche)|antier|anteayer|antenoche)\b", " hace 2 días "),
    (r"\banoche\b", " ayer "),
    # Time of day after a day ("ayer por la mañana"): drop it, or "mañana" reads as tomorrow.
    (r"\b(?:en|por|de|a|durante)\s+la\s+(?:mañana|manana|tarde|noche|madrugada)\b", " "),
    (r"\b(?:al|en\s+el)\s+mediod[ií]a\b", " "),
    (r"\bprimero\s+de\b", " 1 de "),
    (r"\bun\s+par\s+de\b", " 2 "),
    (r"\b(?:creo|pienso|parece)\s+que\b", " "),
    (r"\b(?:fue|pas[oó]|ocurri[oó]|sucedi[oó]|era|como|más\s+o\s+menos|mas\s+o\s+menos)\b", " "),
    (r"\b(?:eh+|este\s+pues|pues)\b", " "),
)

# Words that can carry a calendar day; a dateparser match without one of these (or a digit)
# is noise ("mi" in "mi casa", "sat" in "i sat down").
_DATE_VOCABULARY = frozenset(
    {
        "today",
        "yesterday",
        "ago",
        "day",
        "days",
        "week",
        "weeks",
        "last",
        "hoy",
        "ayer",
        "anteayer",
        "hace",
        "dia",
        "dias",
        "semana",
        "semanas",
        "pasado",
        "pasada",
    }
    | {name.lower() for name in calendar.month_name if name}
    | {name.lower() for name in calendar.day_name}
    | {
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "setiembre",
        "octubre",
        "noviembre",
        "diciembre",
        "lunes",
        "martes",
        "miercoles",
        "jueves",
        "viernes",
        "sabado",
        "domingo",
    }
)
_WEEKDAY_WORDS = frozenset(
    {name.lower() for name in calendar.day_name}
    | {"lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"}
)
# A month or a year is not a day: "last month", "hace un año", "el año pasado" -> None.
_VAGUE_PERIOD = re.compile(r"\b(?:months?|years?|mes|meses|ano|anos|decada|decade)\b")
_EN_DAY_OF_MONTH = re.compile(
    r"(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)(?:\s+of\s+(?:this|the)\s+month)?"
)
_ES_DAY_OF_MONTH = re.compile(r"(?:el\s+d[ií]a|el|d[ií]a)\s+(\d{1,2})(?:\s+de\s+este\s+mes)?")
#: "hace 1 mes", "2 years ago": a count of months or years is not a day either.
_COUNTED_PERIOD = re.compile(r"\d+\s+(?:months?|years?|mes|meses|ano|anos|decadas?|decades?)\b")


#: The days callers name most, counted back from today without dateparser (which takes
#: milliseconds a phrase): "yesterday", "yesterday afternoon", "3 days ago", "hace 2 días".
_DAYS_BACK = re.compile(
    r"(?:on\s+)?(today|yesterday|hoy|ayer|(\d{1,4})\s+days?\s+ago|hace\s+(\d{1,4})\s+d[ií]as?)"
    r"(?:\s+(?:morning|afternoon|evening|night|at\s+noon))?"
)
_DAYS_BACK_WORDS = {"today": 0, "hoy": 0, "yesterday": 1, "ayer": 1}


def _words_of(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", _fold(text)))


def _normalise_date_speech(speech: str, language: str) -> str:
    text = " ".join(speech.lower().split())
    text = text.replace("’", "'")
    for pattern, replacement in _ES_DATE_REWRITES if language == "es" else _EN_DATE_REWRITES:
        text = re.sub(pattern, replacement, text)
    if language == "en":
        text = _EN_COMPOUND_ORDINAL.sub(
            lambda m: (
                f"{_EN_WORDS[m[1]][1] + _EN_ORDINALS[m[2]]}"
                f"{_suffix(_EN_WORDS[m[1]][1] + _EN_ORDINALS[m[2]])}"
            ),
            text,
        )
        text = _EN_ORDINAL.sub(lambda m: f"{_EN_ORDINALS[m[1]]}{_suffix(_EN_ORDINALS[m[1]])}", text)
    # Number words -> digits ("hace dos días" -> "hace 2 días", "cinco de marzo" -> "5 de marzo").
    tokens = _tokens(text, language, literals=False)
    words = [t.raw for t in tokens]
    for phrase in reversed(_number_phrases(tokens)):
        words[phrase.start : phrase.end] = [str(int(phrase.value))]
    text = " ".join(words)
    if language == "en":
        # "march 5th twenty twenty five" -> "... 20 25" -> "... 2025"
        text = re.sub(r"\b(19|20) ([1-9]\d)\b", r"\1\2", text)
    return " ".join(text.split())


def _recent_day_of_month(day: int, today: date) -> date | None:
    """The most recent date, not after ``today``, falling on day ``day`` of its month."""
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(12):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day)
            if candidate <= today:
                return candidate
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def _dateparser_settings(now: datetime, *, strict: bool) -> dict[str, object]:
    settings: dict[str, object] = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if strict:
        # "june" alone or "the 5th" (which dateparser reads as May) is not a day. Weekdays
        # ("last tuesday") fail this check in dateparser, so they are parsed without it.
        settings["REQUIRE_PARTS"] = ["day"]
    return settings


def _spoken_date(speech: str, now: datetime, language: str) -> date | None:
    today = now.date()
    text = _normalise_date_speech(speech, language)
    if not text:
        return None
    words = _words_of(text)
    has_digit = any(ch.isdigit() for ch in text)
    if not (words & _DATE_VOCABULARY or has_digit):
        return None
    folded = _fold(text)
    if _VAGUE_PERIOD.search(folded) and (not has_digit or _COUNTED_PERIOD.search(folded)):
        return None
    day_pattern = _ES_DAY_OF_MONTH if language == "es" else _EN_DAY_OF_MONTH
    if match := day_pattern.fullmatch(text):
        day = _recent_day_of_month(int(match[1]), today)
        if day is not None and ("month" in text or "mes" in text) and day.month != today.month:
            return None  # "the 5th of this month" said on the 3rd is in the future
        return day

    if match := _DAYS_BACK.fullmatch(text):
        back = _DAYS_BACK_WORDS.get(match[1])
        day = today - timedelta(days=back if back is not None else int(match[2] or match[3]))
        return day if day >= _OLDEST_DATE else None

    settings = _dateparser_settings(now, strict=not (words & _WEEKDAY_WORDS))
    found: datetime | None = dateparser.parse(text, languages=[language], settings=settings)
    if found is not None:
        day = found.date()
        return day if _OLDEST_DATE <= day <= today else None
    # A date inside a longer sentence ("el martes pasado", "i think it was on monday").
    matches = search_dates(text, languages=[language], settings=settings) or []
    for matched_text, when in matches:
        if not (_words_of(matched_text) & _DATE_VOCABULARY or re.search(r"\d", matched_text)):
            continue
        day = when.date()
        if _OLDEST_DATE <= day <= today:
            return day
    return None


#: A phrase per language that goes through dateparser, said once when a worker starts.
_WARM_UP_PHRASES = {"en": "i think it was last tuesday", "es": "creo que fue el martes pasado"}


def warm_up(now: datetime) -> None:
    """Load what a worker's first spoken date in each language would load mid-call.

    dateparser reads a language's data and builds its parsers on first use: about 0.1 s, which
    the first caller per worker to name a day dateparser reads ("last tuesday") would wait."""
    for language, phrase in _WARM_UP_PHRASES.items():
        parse_date(speech=phrase, now=now, language=language)


def _typed_date(typed: str, today: date) -> date | None:
    if not typed.isascii() or not typed.isdigit():
        return None
    if len(typed) == 4:
        month, day = int(typed[:2]), int(typed[2:])
        # The most recent MMDD not after today, in this calendar year or the last: "0229" when
        # neither is a leap year is refused, not moved to an older leap year (type MMDDYYYY).
        for year in (today.year, today.year - 1):
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if candidate <= today:
                return candidate
        return None
    if len(typed) == 8:
        try:
            candidate = date(int(typed[4:]), int(typed[:2]), int(typed[2:4]))
        except ValueError:
            return None
        return candidate if _OLDEST_DATE <= candidate <= today else None
    return None


def parse_date(
    digits: str = "", speech: str = "", *, now: datetime, language: str = "en"
) -> date | None:
    """The calendar day something happened, never after ``now``'s date.

    ``now`` is the timezone-aware Baltimore instant; the answer is a day on its wall clock.

    Keypad: ``MMDD`` (the most recent such day, this year or last: on 2026-12-03
    "1225" is 2025-12-25 and "1201" is 2026-12-01; "0229" is None unless a Feb 29 falls in
    those two years) or ``MMDDYYYY``. Nothing else (no "0" for today), invalid days
    ("1332") and future days are None.

    Speech: "yesterday afternoon", "last tuesday", "two days ago", "march 5th", "the 5th"
    (a bare day of the month needs an ordinal in English, "el"/"día" in Spanish),
    "ayer por la tarde", "el martes pasado", "hace dos días", "el 5 de marzo", "esta
    mañana", ... A future day ("tomorrow", "mañana") is None, and so is anything vaguer than
    a day ("june", "last month", "el año pasado"). A weekday names the most recent such day
    before today (dateparser's reading: "thursday" said on a Thursday is a week ago).
    """
    language = _lang(language)
    if not isinstance(now, datetime):
        raise TypeError("now must be a datetime")  # a programming error, not caller input
    typed = _keypad(digits)
    if typed is not None:
        return _typed_date(typed, now.date())
    text = _as_text(speech)
    if not text.strip():
        return None
    try:
        return _spoken_date(text, now, language)
    except Exception:  # dateparser on odd speech must not break a call
        return None


# ---------------------------------------------------------------------------------- yes/no

_UNSURE = re.compile(
    r"\b(?:not\s+sure|unsure|not\s+certain|(?:don'?t|do\s+not|dunno)\s+know|dunno|no\s+idea"
    r"|maybe|perhaps|possibly|i\s+guess|(?:don'?t|do\s+not|can'?t|cannot)\s+(?:remember|tell|say)"
    r"|tal\s+vez|quiza|quizas|a\s+lo\s+mejor|puede\s+ser|no\s+estoy\s+segur[oa]"
    r"|no\s+recuerdo|no\s+me\s+acuerdo|no\s+se\s+si|ni\s+idea)\b"
)
_NEGATED_YES = re.compile(
    r"\b(?:not\s+(?:really|correct|right|true|exactly|so)"
    r"|(?:isn'?t|wasn'?t|aren'?t|ain'?t)\s+(?:correct|right|true)"
    r"|(?:don'?t|do\s+not)\s+think\s+so|incorrect|wrong"
    r"|no\s+es\s+(?:correcto|correcta|cierto|verdad|asi)|incorrecto|incorrecta|falso)\b"
)
_PHRASE_YES = re.compile(
    r"\b(?:that'?s\s+right|that\s+is\s+right|of\s+course|i\s+think\s+so|all\s+right"
    r"|por\s+supuesto|asi\s+es|eso\s+es|claro\s+que\s+si)\b"
)
_YES_WORDS = frozenset(
    {
        "yes",
        "yeah",
        "yea",
        "yep",
        "yup",
        "yah",
        "correct",
        "sure",
        "affirmative",
        "absolutely",
        "definitely",
        "si",
        "claro",
        "correcto",
        "correcta",
        "exacto",
        "exactamente",
        "cierto",
        "afirmativo",
    }
)
_NO_WORDS = frozenset(
    {
        "no",
        "nope",
        "nah",
        "negative",
        "nobody",
        "noone",
        "none",
        "nothing",
        "never",
        "nadie",
        "ninguno",
        "ninguna",
        "nada",
        "nunca",
        "tampoco",
    }
)
_NT_WORDS = frozenset(
    {
        "don't",
        "dont",
        "doesn't",
        "doesnt",
        "didn't",
        "didnt",
        "isn't",
        "isnt",
        "wasn't",
        "wasnt",
        "aren't",
        "arent",
        "weren't",
        "werent",
        "haven't",
        "havent",
        "hasn't",
        "hasnt",
        "hadn't",
        "hadnt",
        "won't",
        "wouldn't",
        "wouldnt",
        "couldn't",
        "couldnt",
        "ain't",
        "aint",
        "not",
    }
)


def said_unsure(speech: str) -> bool:
    """True when the caller says they don't know ("not sure", "maybe", "no sé")."""
    raw = _as_text(speech).lower().replace("’", "'")
    if "no sé" in raw:
        return True
    text = " ".join(word.strip("'") for word in re.findall(r"[a-z']+", _fold(raw)))
    return bool(text) and (bool(_UNSURE.search(text)) or text == "no se")


def parse_yes_no(speech: str, language: str = "en") -> bool | None:
    """True for yes, False for no, None when unsure, mixed or unrelated.

    Words of both languages count whatever ``language`` is (bilingual callers mix them).
    "not sure", "maybe", "no sé", "no me acuerdo" are None. A plain yes or no word decides
    ("yes someone is hurt" -> True, "no it's not happening now" -> False); a yes word *and* a no
    word together ("yeah nobody", "sí, nadie", "no that's right") are ambiguous -> None. With no
    yes/no word at all, a negated sentence ("he isn't hurt") is False.
    """
    _lang(language)  # accepted for symmetry with the other parsers; vocabulary is shared
    raw = _as_text(speech).lower().replace("’", "'")
    if "no sé" in raw:
        return None  # "I don't know" (unaccented "no se" is usually "no se lastimó": a no)
    text = " ".join(re.findall(r"[a-z']+", _fold(raw)))
    text = " ".join(word.strip("'") for word in text.split())
    if not text:
        return None
    if _UNSURE.search(text) or text == "no se":
        return None
    yes = no = False
    if _NEGATED_YES.search(text):
        no = True
        text = _NEGATED_YES.sub(" ", text)
    if _PHRASE_YES.search(text):
        yes = True
        text = _PHRASE_YES.sub(" ", text)
    words = text.split()
    if "no one" in text:
        no = True
    yes = yes or any(w in _YES_WORDS for w in words)
    no = no or any(w in _NO_WORDS for w in words)
    if yes and no:
        return None
    if yes:
        return True
    if no or any(w in _NT_WORDS for w in words):
        return False
    if len(words) == 1 and words[0] == "right":
        return True
    return None


# ------------------------------------------------------------------------------------ text


def clean_text(speech: str, max_length: int = 500) -> str | None:
    """Speech as stored: whitespace collapsed, at most ``max_length`` characters, cut at a word
    boundary when possible (a single over-long word is cut hard). Empty -> None."""
    text = " ".join(_as_text(speech).split())
    if not text or max_length < 1:
        return None
    if len(text) <= max_length:
        return text
    cut = text[: max_length + 1]
    if cut[-1] == " ":
        return cut.rstrip()
    head, space, _ = cut.rpartition(" ")
    return (head if space and head else text[:max_length]).rstrip()


# -------------------------------------------------------------------------------- speaking

# Day and month names are the ones the hours module speaks.


def say_dollars(amount: int, language: str) -> str:
    """en "250 dollars", "1 dollar", "1,500 dollars"; es "250 dólares", "1 dólar".

    Spanish amounts have no thousands separator ("1500 dólares"): Spanish text-to-speech
    reads "1,500" or "1.500" as a decimal ("uno coma quinientos"), but "1500" as "mil
    quinientos".
    """
    if _lang(language) == "es":
        return f"{amount} {'dólar' if amount == 1 else 'dólares'}"
    return f"{amount:,} {'dollar' if amount == 1 else 'dollars'}"


def say_date(day: date, now: datetime, language: str) -> str:
    """en "today", "yesterday", "Tuesday, December 1", "March 5, 2025" (the weekday only in
    now's year, the year only outside it); es "hoy", "ayer", "el martes 1 de diciembre",
    "el 5 de marzo de 2025"."""
    today = now.date()
    spanish = _lang(language) == "es"
    if day == today:
        return "hoy" if spanish else "today"
    if day == today - timedelta(days=1):
        return "ayer" if spanish else "yesterday"
    if spanish:
        month = ES_MONTHS[day.month - 1]
        if day.year == today.year:
            return f"el {ES_WEEKDAYS[day.weekday()]} {day.day} de {month}"
        return f"el {day.day} de {month} de {day.year}"
    month = EN_MONTHS[day.month - 1]
    if day.year == today.year:
        return f"{EN_WEEKDAYS[day.weekday()]}, {month} {day.day}"
    return f"{month} {day.day}, {day.year}"


def say_phone(e164: str) -> str:
    """ "+14103962525" -> "4 1 0, 3 9 6, 2 5 2 5" (the national number, digit by digit)."""
    digits = ""
    try:
        parsed = phonenumbers.parse(e164, None)
        digits = phonenumbers.national_significant_number(parsed)
    except phonenumbers.NumberParseException:
        digits = "".join(ch for ch in _as_text(e164) if ch.isascii() and ch.isdigit())
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
    if len(digits) == 10:
        groups = [digits[:3], digits[3:6], digits[6:]]
    else:
        groups = [digits] if digits else []
    return ", ".join(" ".join(group) for group in groups)


def say_digits(text: str) -> str:
    """Read a report number or serial slowly: "TRU-26-000123" -> "T, R, U. 2, 6. 0, 0, 0, 1,
    2, 3." Groups split on "-" (and spaces) are joined by ". "; other punctuation is skipped;
    letters are read as capitals. Nothing readable -> ""."""
    groups = []
    for group in re.split(r"[-\s]+", _as_text(text)):
        chars = [ch.upper() for ch in group if ch.isalnum()]
        if chars:
            groups.append(", ".join(chars))
    return ". ".join(groups) + "." if groups else ""
