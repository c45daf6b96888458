"""What the line says outside any flow: the technical-problem fallback, and the values (hours,
next opening, numbers) every prompt may name.

Built from the shared prompts and the settings alone, never from the database, so it can still
be spoken when the database is down. No Flask here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import phonenumbers
from twilio.twiml.voice_response import VoiceResponse

from ivr.flows import LANGUAGES, FlowSet, RenderContext, Voice, say
from ivr.hours import OpeningHours, describe_hours, describe_next_opening

#: How "." and "/" of a web address are said, by language.
_URL_WORDS = {"en": (" dot ", " slash "), "es": (" punto ", " barra ")}


def spoken_site(url: str, language: str = "en") -> str:
    """A web address as it should be heard: "baltimorepolice dot org slash online reporting"
    ("baltimorepolice punto org barra online reporting" in Spanish)."""
    dot, slash = _URL_WORDS.get(language, _URL_WORDS["en"])
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.strip("/")
    words = host.replace(".", dot)
    if path:
        words += slash + path.replace("/", slash).replace("-", " ").replace("_", " ")
    return words


def spoken_number(e164: str) -> str:
    """A US number said in groups, digit by digit: "4 1 0, 6 3 7, 8 8 4 9"."""
    try:
        number = phonenumbers.parse(e164, "US")
    except phonenumbers.NumberParseException:
        return " ".join(ch for ch in e164 if ch.isdigit())
    national = str(number.national_number)
    groups = (national[:3], national[3:6], national[6:]) if len(national) == 10 else (national,)
    return ", ".join(" ".join(group) for group in groups)


def _spoken_or(number: str | None, fallback: str) -> str:
    return spoken_number(number) if number else fallback


@dataclass(frozen=True)
class Announcer:
    flows: FlowSet
    hours: OpeningHours
    voices: dict[str, Voice]
    #: The online report's address (said in each language's words for "dot" and "slash").
    online_report_url: str
    tru_number: str
    operator_number: str | None = None
    #: Transfer numbers by `dial:` name (dispatch, non_emergency, alternative).
    numbers: Mapping[str, str | None] = field(default_factory=dict)
    _settled: dict[str, Mapping[str, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def context(self, language: str, now: datetime | None = None) -> RenderContext:
        return self.contexts(now, (language,))[language]

    def contexts(
        self, now: datetime | None = None, languages: Iterable[str] = LANGUAGES
    ) -> dict[str, RenderContext]:
        """The values every prompt may name, by language; the next opening is found once."""
        opening = self.hours.next_opening(now) if now is not None else None
        contexts = {}
        for language in languages:
            values = dict(self._settled_values(language))
            if opening is not None and now is not None:
                values["next_opening"] = describe_next_opening(
                    opening, now.astimezone(self.hours.timezone), language
                )
            contexts[language] = RenderContext(
                language=language,
                action_url="",
                voices=self.voices,
                values=values,
                operator_number=self.operator_number,
                numbers=self.numbers,
            )
        return contexts

    def _settled_values(self, language: str) -> Mapping[str, str]:
        """What the settings alone decide (the site, the hours, the numbers): worked out once
        per language, as every prompt of every webhook may name them."""
        settled = self._settled.get(language)
        if settled is None:
            settled = {
                "online_report_site": spoken_site(self.online_report_url, language),
                "tru_number": self.tru_number,
                "hours": describe_hours(self.hours, language),
                # Said when no transfer is configured: Baltimore's 311 takes non-emergency
                # police calls, and 988 is the national crisis line.
                "non_emergency_number": _spoken_or(self.numbers.get("non_emergency"), "3 1 1"),
                "alternative_number": _spoken_or(self.numbers.get("alternative"), "9 8 8"),
            }
            self._settled[language] = settled
        return settled

    def technical_problem(self, language: str | None, *, line_open: bool) -> VoiceResponse:
        """Something failed behind the line: apologise, then the next best path.

        While the TRU is open and a staff number is set, the caller is put through to a person;
        otherwise they hear 911, the online report and the number to call back.
        """
        languages = (language,) if language in LANGUAGES else LANGUAGES
        response = VoiceResponse()
        transfer = line_open and bool(self.operator_number)
        for lang in languages:
            ctx = self.context(lang)
            keys = ["technical_problem", "emergency"]
            keys += ["connecting"] if transfer else ["report_online", "call_back_later", "goodbye"]
            say(response, self.flows, None, keys, [lang], ctx)
        if transfer:
            assert self.operator_number is not None
            response.dial(self.operator_number, timeout=25)
            # If nobody answers, the caller still leaves with somewhere to go.
            for lang in languages:
                say(
                    response,
                    self.flows,
                    None,
                    ["report_online", "call_back_later", "goodbye"],
                    [lang],
                    self.context(lang),
                )
        response.hangup()
        return response
