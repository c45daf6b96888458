"""Call flows as data: load and validate `flows/*.yaml`, then walk a caller through them.

A flow is a set of states keyed by id with one `initial` state. A state speaks prompts (by key,
in English and Spanish) and then does one thing:

- `answer:` waits for the caller. The kind of answer says how keys and speech are read: `menu`
  (one key, or words listed under `speech:`), `yes_no`, `text` (speech), `dollars`, `phone`,
  `date`. What was understood is kept under `store:` for the report and later prompts.
- `record:` records the caller's own account.
- `next:` moves straight on.
- `end: hangup` or `end: transfer` ends the call (a transfer nobody answers goes `unavailable`).

Every transition names its event and target under `transitions:`: a key, `yes`/`no`, `done` (an
answer understood), `unsure` (speech heard with low confidence; at a yes/no question, a caller
who says they don't know), `timeout`, `no_match`, `fail`
(too many tries), `unavailable`. A target is a state of the same flow, `flow:state`, or `flow:`
(that flow's initial state). A transition may instead be a list of branches, each with an `if:`
from a small vocabulary (`{field: F, is: V}`, `{any: [F, ...], is: V}`, `{field: F, present:
true}`) and a last branch without one; conditions are interpreted here, never evaluated as code.

After three failed tries (`max_attempts`) a question goes `fail`, which must offer the caller a
person (a transfer, or a menu with a key for one) or end the call. A detail the caller may skip
instead says `optional: true`: its `fail` moves on to the next question, and the caller hears
that it does (the shared `moving_on` prompt) rather than being left to wonder.

States may also declare what entering them does: `report: TYPE` opens the call's report,
`complete_report: true` completes it (and gives it its number), `disposition:` records who
responds.

Flows are checked when they load, so a broken flow stops the service at start-up instead of
stranding a caller: unknown keys, dangling targets, unreachable states, states from which the call
can never end, prompts missing in a language or never said, placeholders nobody fills.

No Flask and no database here: the engine turns (state, input) into the next state, and a state
into TwiML.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from ivr import answers
from ivr.triage.rules import OUTCOMES as TRIAGE_OUTCOMES

LANGUAGES = ("en", "es")
SHARED_PROMPTS_FILE = "prompts.yaml"
DEFAULT_FLOWS_DIR = Path(__file__).resolve().parent.parent / "flows"

#: Values the app fills in any prompt as {name}, from its settings and the call.
PLACEHOLDERS = frozenset(
    {
        "hours",
        "next_opening",
        "online_report_site",
        "tru_number",
        "report_number",
        "caller_number",
        "non_emergency_number",
        "alternative_number",
    }
)
#: Events a state's `transitions` may name besides the keypad keys.
EVENTS = frozenset({"timeout", "no_match", "fail", "unavailable", "done", "unsure", "yes", "no"})
KEYS = frozenset("0123456789*#")
ENDINGS = frozenset({"hangup", "transfer"})
ANSWER_KINDS = frozenset({"menu", "yes_no", "text", "dollars", "phone", "date"})
INPUT_KINDS = frozenset({"dtmf", "speech", "dtmf speech"})
#: Shared prompts the engine itself speaks; they must exist in prompts.yaml.
ENGINE_PROMPTS = ("didnt_hear", "not_an_option", "didnt_understand", "too_many_tries")
#: Said when an `optional` question is given up on and the call moves on; needed by flows that
#: have one.
MOVING_ON = "moving_on"
#: Said, where the caller has a "*" way out, as "I don't know".
DONT_KNOW = ("don t know", "dont know", "not sure", "no idea", "no se", "no lo se", "ni idea")
#: Below this speech-recognition confidence an answer goes `unsure` (where the state has it).
DEFAULT_UNSURE_BELOW = 0.5

STATE_KEYS = frozenset(
    {
        "say",
        "bilingual",
        "answer",
        "gather",
        "record",
        "next",
        "end",
        "transitions",
        "max_attempts",
        "disposition",
        "store",
        "speech",
        "values",
        "hints",
        "unsure_below",
        "report",
        "complete_report",
        "no_match_prompt",
        "decide",
        "confirms",
        "read_back",
        "dial",
        "text",
        "optional",
    }
)
#: What a `text:` state sends the caller.
TEXT_KINDS = frozenset({"report", "online_link"})
#: Decisions a `decide:` state may ask for, and the events each can return.
DECISIONS: Mapping[str, tuple[str, ...]] = {"triage": TRIAGE_OUTCOMES}
#: Whom a transfer may dial; the numbers come from the settings.
DIAL_TARGETS = frozenset({"operator", "dispatch", "non_emergency", "alternative"})
GATHER_KEYS = frozenset({"input", "digits", "timeout", "finish_on_key", "speech_timeout"})
RECORD_KEYS = frozenset({"max_length", "timeout", "finish_on_key", "transcribe"})
FLOW_KEYS = frozenset({"flow", "initial", "prompts", "states", "description", "entries"})
CONDITION_KEYS = frozenset({"field", "any", "is", "present"})

#: How each kind of answer listens unless the state's `gather:` says otherwise.
GATHER_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "menu": {"input": "dtmf", "digits": 1, "timeout": 6, "finish_on_key": ""},
    "yes_no": {"input": "dtmf speech", "digits": 1, "timeout": 6, "finish_on_key": ""},
    "text": {"input": "speech", "digits": None, "timeout": 6, "finish_on_key": ""},
    "dollars": {"input": "dtmf speech", "digits": None, "timeout": 10, "finish_on_key": "#"},
    "phone": {"input": "dtmf speech", "digits": None, "timeout": 10, "finish_on_key": "#"},
    "date": {"input": "dtmf speech", "digits": None, "timeout": 10, "finish_on_key": "#"},
}


class FlowError(ValueError):
    """A flow file is wrong. The message names the file, the state and the problem."""

    def __init__(self, file: str, state: str | None, problem: str) -> None:
        self.file, self.state, self.problem = file, state, problem
        where = f"{file}: state {state!r}" if state else file
        super().__init__(f"{where}: {problem}")


# --- the data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """`{field: F, is: V}`, `{any: [F...], is: V}` or `{field: F, present: true|false}`."""

    fields: tuple[str, ...]
    #: The values that satisfy it (`is: V` or `is: [V, W]`).
    equals: tuple[str, ...] = ()
    present: bool | None = None
    #: `any: [...]`: one of the fields is enough.
    any_of: bool = False

    def holds(self, facts: Mapping[str, Any]) -> bool:
        if self.present is not None:
            found = ((facts.get(f) not in (None, "")) is self.present for f in self.fields)
            return any(found) if self.any_of else all(found)
        return any(str(facts.get(f)) in self.equals for f in self.fields)


@dataclass(frozen=True)
class Branch:
    target: str
    flow: str | None = None  # None: the flow the transition belongs to
    language: str | None = None
    condition: Condition | None = None


@dataclass(frozen=True)
class Transition:
    branches: tuple[Branch, ...]

    def pick(self, facts: Mapping[str, Any]) -> Branch:
        for branch in self.branches:
            if branch.condition is None or branch.condition.holds(facts):
                return branch
        raise AssertionError("validated flows end every branch list with an unconditional one")

    @property
    def target(self) -> str:
        """The default (last) branch's state: the only one for a plain transition."""
        return self.branches[-1].target

    @property
    def language(self) -> str | None:
        return self.branches[-1].language


@dataclass(frozen=True)
class GatherSpec:
    input: str = "dtmf"
    digits: int | None = 1
    timeout: int = 6
    finish_on_key: str = ""
    speech_timeout: str = "auto"


@dataclass(frozen=True)
class RecordSpec:
    max_length: int = 120
    timeout: int = 5
    finish_on_key: str = "#"
    transcribe: bool = True


@dataclass(frozen=True)
class State:
    id: str
    flow: str = ""
    say: tuple[str, ...] = ()
    bilingual: bool = False
    answer: str | None = None
    gather: GatherSpec | None = None
    record: RecordSpec | None = None
    next: Transition | None = None
    end: str | None = None
    transitions: Mapping[str, Transition] = field(default_factory=dict)
    max_attempts: int = 3
    disposition: str | None = None
    store: str | None = None
    speech: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)
    hints: tuple[str, ...] = ()
    unsure_below: float = DEFAULT_UNSURE_BELOW
    report: str | None = None
    complete_report: bool = False
    #: Said before asking again when an answer was not understood (default: a shared prompt).
    no_match_prompt: str | None = None
    #: A decision made on entering (e.g. `triage`): its result names the transition taken.
    decide: str | None = None
    #: Whom a transfer dials (a number from the settings).
    dial: str = "operator"
    #: Entering it texts the caller this (report number or online link).
    text: str | None = None
    #: At a read-back (a yes/no question): the field it confirms, forgotten when the caller says
    #: no, so a rejected answer never decides anything or stays on the report.
    confirms: str | None = None
    #: Said back before the next question once the answer is understood ("I have that as
    #: Tuesday, December 1."), for answers the line reads in a way the caller should hear.
    read_back: str | None = None
    #: A detail the caller may skip: after too many tries `fail` moves on, saying so.
    optional: bool = False

    @property
    def all_transitions(self) -> list[Transition]:
        return list(self.transitions.values()) + ([self.next] if self.next else [])

    @property
    def targets(self) -> list[tuple[str | None, str]]:
        return [(b.flow, b.target) for t in self.all_transitions for b in t.branches]


@dataclass(frozen=True)
class Flow:
    id: str
    initial: str
    states: Mapping[str, State]
    prompts: Mapping[str, Mapping[str, str]]
    file: str = ""
    #: States the line enters by itself, besides `initial` (e.g. a red flag heard anywhere).
    entries: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlowSet:
    """All flows of the line, plus the prompts they share (flows/prompts.yaml)."""

    flows: Mapping[str, Flow]
    shared: Mapping[str, Mapping[str, str]]
    #: Every stored field, by the kind of answer that stores it (for read-backs).
    fields: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, flow_id: str) -> Flow:
        return self.flows[flow_id]

    def prompt(self, flow: Flow | None, key: str, language: str) -> str:
        table = flow.prompts if flow is not None and key in flow.prompts else self.shared
        return table[key][language]

    def state(self, flow_id: str, state_id: str) -> State:
        return self.flows[flow_id].states[state_id]


# --- loading and validation -------------------------------------------------------------------


_DOUBLED_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (plain YAML keeps the
    last one silently, so a second state with an existing id would replace the first)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            line = key_node.start_mark.line + 1
            raise yaml.constructor.ConstructorError(
                None, None, f"{key!r} is defined twice (again at line {line})", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _unique_mapping,  # type: ignore[arg-type]
)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise FlowError(path.name, None, f"not valid YAML: {exc}") from None


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _check_prompts(file: str, prompts: Any) -> dict[str, dict[str, str]]:
    if not isinstance(prompts, dict):
        raise FlowError(file, None, "`prompts` must map prompt keys to {en: ..., es: ...}")
    checked: dict[str, dict[str, str]] = {}
    for key, texts in prompts.items():
        if not isinstance(texts, dict):
            raise FlowError(file, None, f"prompt {key!r} must map languages to text")
        for language in LANGUAGES:
            text = texts.get(language)
            if not isinstance(text, str) or not text.strip():
                raise FlowError(file, None, f"prompt {key!r} has no {language!r} text")
            try:
                _placeholders(text)
            except ValueError as exc:
                raise FlowError(file, None, f"prompt {key!r} ({language}): {exc}") from None
        extra = set(texts) - set(LANGUAGES)
        if extra:
            raise FlowError(file, None, f"prompt {key!r} has unknown language(s) {sorted(extra)}")
        checked[str(key)] = {language: texts[language] for language in LANGUAGES}
    return checked


def _condition(file: str, state: str, raw: Any) -> Condition:
    if not isinstance(raw, dict) or set(raw) - CONDITION_KEYS:
        raise FlowError(file, state, f"`if` takes only {', '.join(sorted(CONDITION_KEYS))}")
    if ("field" in raw) == ("any" in raw):
        raise FlowError(file, state, "`if` names either `field: F` or `any: [F, ...]`")
    fields = [raw["field"]] if "field" in raw else raw["any"]
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise FlowError(file, state, "`if` fields must be field names")
    if ("is" in raw) == ("present" in raw):
        raise FlowError(file, state, "`if` needs exactly one of `is: VALUE` or `present: BOOL`")
    if "present" in raw and not isinstance(raw["present"], bool):
        raise FlowError(file, state, "`if.present` must be true or false")
    given = raw.get("is")
    values = given if isinstance(given, list) else [] if given is None else [given]
    # YAML reads yes/no as booleans: accept them as the stored words they stand for.
    equals = tuple({True: "yes", False: "no"}.get(v, str(v)) for v in values)
    if "is" in raw and not equals:
        raise FlowError(file, state, "`if.is` needs a value")
    return Condition(tuple(fields), equals, raw.get("present"), any_of="any" in raw)


def _branch(file: str, state: str, event: str, raw: Any) -> Branch:
    condition = None
    language = None
    if isinstance(raw, dict):
        if set(raw) - {"to", "language", "if"} or not isinstance(raw.get("to"), str):
            raise FlowError(
                file, state, f"`{event}` must be a state id or {{to: STATE, language: xx, if: ...}}"
            )
        language = raw.get("language")
        if language is not None and language not in LANGUAGES:
            raise FlowError(file, state, f"`{event}` switches to unknown language {language!r}")
        if "if" in raw:
            condition = _condition(file, state, raw["if"])
        raw = raw["to"]
    if not isinstance(raw, str) or not raw:
        raise FlowError(file, state, f"`{event}` must name a state")
    flow, _, target = raw.rpartition(":") if ":" in raw else ("", "", raw)
    return Branch(target=target, flow=flow or None, language=language, condition=condition)


def _transition(file: str, state: str, event: str, raw: Any) -> Transition:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise FlowError(file, state, f"`{event}` has no branches")
    branches = tuple(_branch(file, state, event, item) for item in items)
    if branches[-1].condition is not None:
        raise FlowError(file, state, f"`{event}`: the last branch must have no `if`")
    if any(b.condition is None for b in branches[:-1]):
        raise FlowError(file, state, f"`{event}`: only the last branch may have no `if`")
    return Transition(branches)


def _not_count(value: object) -> bool:
    """Not a positive whole number (YAML's true/false are ints to Python, and not counts)."""
    return isinstance(value, bool) or not isinstance(value, int) or value < 1


def _gather_spec(file: str, state_id: str, answer: str, raw: Any) -> GatherSpec:
    spec = dict(GATHER_DEFAULTS[answer])
    if raw is not None:
        if not isinstance(raw, dict) or set(raw) - GATHER_KEYS:
            raise FlowError(file, state_id, f"`gather` takes only {', '.join(sorted(GATHER_KEYS))}")
        spec.update(raw)
    if spec["input"] not in INPUT_KINDS:
        raise FlowError(file, state_id, f"`gather.input` must be one of {sorted(INPUT_KINDS)}")
    for name in ("digits", "timeout"):
        value = spec.get(name)
        if value is not None and _not_count(value):
            raise FlowError(file, state_id, f"`gather.{name}` must be a positive whole number")
    return GatherSpec(
        input=spec["input"],
        digits=spec["digits"],
        timeout=spec["timeout"],
        finish_on_key=str(spec["finish_on_key"] or ""),
        speech_timeout=str(spec.get("speech_timeout", "auto")),
    )


def _record_spec(file: str, state_id: str, raw: Any) -> RecordSpec:
    if raw is True:
        raw = {}
    if not isinstance(raw, dict) or set(raw) - RECORD_KEYS:
        raise FlowError(file, state_id, f"`record` takes only {', '.join(sorted(RECORD_KEYS))}")
    spec = RecordSpec(**raw)
    if not isinstance(spec.transcribe, bool):
        raise FlowError(file, state_id, "`record.transcribe` must be true or false")
    if _not_count(spec.max_length) or _not_count(spec.timeout):
        raise FlowError(file, state_id, "`record` lengths must be positive whole numbers")
    return spec


def _words(file: str, state_id: str, raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise FlowError(file, state_id, "`speech` must map keys to lists of words")
    words: dict[str, tuple[str, ...]] = {}
    for key, said in raw.items():
        if str(key) not in KEYS or not isinstance(said, list) or not said:
            raise FlowError(file, state_id, f"`speech.{key}` must be a key with a list of words")
        words[str(key)] = tuple(_fold(str(w)) for w in said)
    return words


def _state(file: str, flow_id: str, state_id: str, raw: Any) -> State:
    if not isinstance(raw, dict):
        raise FlowError(file, state_id, "a state must be a mapping")
    unknown = {str(k) for k in raw} - STATE_KEYS
    if unknown:
        hint = ""
        if any(isinstance(k, bool) for k in raw):
            hint = " (YAML reads a bare `on:` as a boolean; transitions go under `transitions:`)"
        raise FlowError(file, state_id, f"unknown key(s) {', '.join(sorted(unknown))}{hint}")
    say = raw.get("say", [])
    if isinstance(say, str):
        say = [say]
    if not isinstance(say, list) or not all(isinstance(k, str) for k in say):
        raise FlowError(file, state_id, "`say` must be a list of prompt keys")
    if "gather" in raw and "answer" not in raw:
        raw = {**raw, "answer": "menu"}
    kinds = [k for k in ("answer", "record", "next", "end", "decide") if raw.get(k) is not None]
    if len(kinds) != 1:
        raise FlowError(
            file,
            state_id,
            "a state needs exactly one of `answer`, `record`, `next`, `end` or `decide`",
        )
    decide = raw.get("decide")
    if decide is not None and decide not in DECISIONS:
        raise FlowError(file, state_id, f"`decide` must be one of {', '.join(sorted(DECISIONS))}")
    dial = raw.get("dial", "operator")
    if dial not in DIAL_TARGETS:
        raise FlowError(file, state_id, f"`dial` must be one of {', '.join(sorted(DIAL_TARGETS))}")
    if "dial" in raw and raw.get("end") != "transfer":
        raise FlowError(file, state_id, "`dial` is for `end: transfer` states")
    text = raw.get("text")
    if text is not None and text not in TEXT_KINDS:
        raise FlowError(file, state_id, f"`text` must be one of {', '.join(sorted(TEXT_KINDS))}")
    answer = raw.get("answer")
    if answer is not None and answer not in ANSWER_KINDS:
        raise FlowError(
            file, state_id, f"`answer` must be one of {', '.join(sorted(ANSWER_KINDS))}"
        )
    gather = _gather_spec(file, state_id, answer, raw.get("gather")) if answer else None
    record = _record_spec(file, state_id, raw["record"]) if raw.get("record") is not None else None
    end = raw.get("end")
    if end is not None and end not in ENDINGS:
        raise FlowError(file, state_id, f"`end` must be one of {', '.join(sorted(ENDINGS))}")
    on_raw = raw.get("transitions", {}) or {}
    if not isinstance(on_raw, dict):
        raise FlowError(file, state_id, "`transitions` must map events to targets")
    on: dict[str, Transition] = {}
    for event, target in on_raw.items():
        event = {True: "yes", False: "no"}.get(event, str(event))  # YAML 1.1 booleans
        decided = DECISIONS.get(decide or "", ())
        if event not in EVENTS and event not in KEYS and event not in decided:
            raise FlowError(
                file, state_id, f"unknown event {event!r} (a key 0-9 * #, or {sorted(EVENTS)})"
            )
        on[event] = _transition(file, state_id, f"transitions.{event}", target)
    if gather is not None:
        for needed in ("timeout", "no_match", "fail"):
            if needed not in on:
                raise FlowError(file, state_id, f"a gather state needs `transitions.{needed}`")
        if answer == "menu" and not any(key in KEYS for key in on):
            raise FlowError(file, state_id, "a menu needs at least one key to press")
        if answer == "menu" and "dtmf" in gather.input and gather.digits != 1:
            # Menu transitions name single keys: a longer answer needs its own answer kind.
            raise FlowError(file, state_id, "a menu takes `gather.digits: 1`")
        if answer == "yes_no" and not {"yes", "no"} <= set(on):
            raise FlowError(file, state_id, "a yes_no question needs `transitions.yes` and `.no`")
        if answer not in ("menu", "yes_no") and "done" not in on:
            raise FlowError(file, state_id, f"a {answer} answer needs `transitions.done`")
    elif record is not None:
        if set(on) != {"done"}:
            raise FlowError(file, state_id, "a record state takes exactly `transitions.done`")
    elif decide is not None:
        missing = [event for event in DECISIONS[decide] if event not in on]
        if missing:
            raise FlowError(file, state_id, f"a {decide} decision needs `transitions.{missing[0]}`")
        extra = set(on) - set(DECISIONS[decide])
        if extra:
            raise FlowError(
                file, state_id, f"a {decide} decision has no event {sorted(extra)[0]!r}"
            )
    elif end == "transfer":
        if set(on) != {"unavailable"}:
            raise FlowError(
                file, state_id, "a transfer state takes exactly `transitions.unavailable`"
            )
    elif on:
        raise FlowError(
            file, state_id, "only answer, record and transfer states take `transitions`"
        )
    store = raw.get("store")
    if store is not None and (not isinstance(store, str) or answer is None):
        raise FlowError(file, state_id, "`store` names a field, on a state that takes an answer")
    speech = _words(file, state_id, raw["speech"]) if "speech" in raw else {}
    if speech and answer != "menu":
        raise FlowError(file, state_id, "`speech` words are for menus")
    if speech and gather is not None and "speech" not in gather.input:
        gather = GatherSpec(**{**gather.__dict__, "input": "dtmf speech"})
    values = raw.get("values", {}) or {}
    if isinstance(values, dict):
        values = {{True: "yes", False: "no"}.get(k, str(k)): v for k, v in values.items()}
    if not isinstance(values, dict) or not all(str(k) in on for k in values):
        raise FlowError(file, state_id, "`values` maps the menu's keys to what is stored")
    if answer == "menu" and store and not values:
        raise FlowError(file, state_id, "a menu that stores needs `values`")
    hints = raw.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) for h in hints):
        raise FlowError(file, state_id, "`hints` must be a list of words or phrases")
    if not isinstance(raw.get("bilingual", False), bool):
        raise FlowError(file, state_id, "`bilingual` must be true or false")
    if not isinstance(raw.get("complete_report", False), bool):
        raise FlowError(file, state_id, "`complete_report` must be true or false")
    optional = raw.get("optional", False)
    if not isinstance(optional, bool):
        raise FlowError(file, state_id, "`optional` must be true or false")
    if optional and gather is None:
        raise FlowError(file, state_id, "`optional` is for questions (states that take an answer)")
    max_attempts = raw.get("max_attempts", 3)
    if _not_count(max_attempts):
        raise FlowError(file, state_id, "`max_attempts` must be a positive whole number")
    unsure_below = raw.get("unsure_below", DEFAULT_UNSURE_BELOW)
    if (
        isinstance(unsure_below, bool)
        or not isinstance(unsure_below, int | float)
        or not 0 <= unsure_below <= 1
    ):
        raise FlowError(file, state_id, "`unsure_below` must be a confidence between 0 and 1")
    confirms = raw.get("confirms")
    if confirms is not None and (not isinstance(confirms, str) or answer != "yes_no"):
        raise FlowError(file, state_id, "`confirms` names the field a yes/no read-back confirms")
    read_back = raw.get("read_back")
    if read_back is not None and (not isinstance(read_back, str) or not store):
        raise FlowError(file, state_id, "`read_back` names a prompt, on a state that stores")
    next_raw = raw.get("next")
    return State(
        id=state_id,
        flow=flow_id,
        say=tuple(say),
        bilingual=bool(raw.get("bilingual", False)),
        answer=answer,
        gather=gather,
        record=record,
        next=_transition(file, state_id, "next", next_raw) if next_raw is not None else None,
        end=end,
        transitions=on,
        max_attempts=max_attempts,
        disposition=raw.get("disposition"),
        store=store,
        speech=speech,
        values={str(k): str(v) for k, v in values.items()},
        hints=tuple(hints),
        unsure_below=float(unsure_below),
        report=raw.get("report"),
        complete_report=bool(raw.get("complete_report", False)),
        no_match_prompt=raw.get("no_match_prompt"),
        decide=decide,
        dial=dial,
        text=text,
        confirms=confirms,
        read_back=read_back,
        optional=optional,
    )


def _parse_flow(path: Path) -> Flow:
    raw = _read_yaml(path)
    file = path.name
    if not isinstance(raw, dict):
        raise FlowError(file, None, "a flow file must be a mapping")
    unknown = {str(k) for k in raw} - FLOW_KEYS
    if unknown:
        raise FlowError(file, None, f"unknown key(s) {', '.join(sorted(unknown))}")
    flow_id = raw.get("flow")
    if flow_id != path.stem:
        raise FlowError(file, None, f"`flow` must be {path.stem!r} (the file's name)")
    states_raw = raw.get("states")
    if not isinstance(states_raw, dict) or not states_raw:
        raise FlowError(file, None, "`states` must map state ids to states")
    entries = raw.get("entries", []) or []
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise FlowError(file, None, "`entries` must be a list of state ids")
    for entry in entries:
        if entry not in states_raw:
            raise FlowError(file, None, f"entry {entry!r} is not a state")
    return Flow(
        entries=tuple(entries),
        id=flow_id,
        initial=str(raw.get("initial", "")),
        states={str(k): _state(file, flow_id, str(k), v) for k, v in states_raw.items()},
        prompts=_check_prompts(file, raw.get("prompts", {}) or {}),
        file=file,
    )


def _resolve(flows: Mapping[str, Flow], flow: Flow, state: State) -> None:
    """Check every target exists; `flow:` means that flow's initial state."""
    for transition in state.all_transitions:
        for branch in transition.branches:
            target_flow = flows.get(branch.flow or flow.id)
            if target_flow is None:
                raise FlowError(
                    flow.file, state.id, f"goes to flow {branch.flow!r}, which does not exist"
                )
            if branch.target and branch.target not in target_flow.states:
                where = f"{branch.flow}:{branch.target}" if branch.flow else branch.target
                raise FlowError(flow.file, state.id, f"goes to {where!r}, which does not exist")


def _node_targets(flows: Mapping[str, Flow], flow_id: str, state: State) -> list[tuple[str, str]]:
    found = []
    for target_flow, target in state.targets:
        other = flows[target_flow or flow_id]
        found.append((other.id, target or other.initial))
    return found


def _check_graph(flows: Mapping[str, Flow]) -> None:
    for flow in flows.values():
        if flow.initial not in flow.states:
            raise FlowError(flow.file, None, f"initial state {flow.initial!r} does not exist")
        for state in flow.states.values():
            _resolve(flows, flow, state)
    nodes = {(f.id, s): st for f in flows.values() for s, st in f.states.items()}
    edges = {node: _node_targets(flows, node[0], st) for node, st in nodes.items()}
    # Each flow's initial state is an entry; everything else must be reached from one.
    seen: set[tuple[str, str]] = set()
    todo = [(f.id, s) for f in flows.values() for s in (f.initial, *f.entries)]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(edges[current])
    for node, st in nodes.items():
        if node not in seen:
            flow = flows[node[0]]
            raise FlowError(flow.file, st.id, f"cannot be reached from {flow.initial!r}")
    # No trap states: from every state some path must reach a hangup. A transfer ends the call
    # only when someone answers; otherwise it moves on, so only hangups count as endings.
    can_end = {node for node, st in nodes.items() if st.end == "hangup"}
    changed = True
    while changed:
        changed = False
        for node in nodes:
            if node not in can_end and any(t in can_end for t in edges[node]):
                can_end.add(node)
                changed = True
    for node, st in nodes.items():
        if node not in can_end:
            raise FlowError(flows[node[0]].file, st.id, "no path from here ever ends the call")


def _landings(flows: Mapping[str, Flow], flow_id: str, transition: Transition) -> list[State]:
    """Where a transition leaves the caller: following `next` and decisions (every branch,
    every outcome) to the states that wait for them or end the call."""
    found: list[State] = []
    seen: set[tuple[str, str]] = set()
    todo = [(flow_id, branch) for branch in transition.branches]
    while todo:
        owner, branch = todo.pop()
        other = flows[branch.flow or owner]
        state = other.states[branch.target or other.initial]
        if (other.id, state.id) in seen:
            continue
        seen.add((other.id, state.id))
        if state.gather is not None or state.record is not None or state.end is not None:
            found.append(state)
            continue
        todo.extend((other.id, b) for t in state.all_transitions for b in t.branches)
    return found


def _offers_a_person(flows: Mapping[str, Flow], state: State) -> bool:
    """A menu with a key that puts the caller through to someone (the main menu's 0)."""
    return any(
        event in KEYS and all(s.end == "transfer" for s in _landings(flows, state.flow, t))
        for event, t in state.transitions.items()
    )


def _closing_offer(flows: Mapping[str, Flow], state: State) -> bool:
    """A last question before goodbye ("to get this by text, press 1"): silence and failure
    both end the call."""
    return all(
        s.end == "hangup"
        for event in ("timeout", "fail")
        for s in _landings(flows, state.flow, state.transitions[event])
    )


def _check_failures(flows: Mapping[str, Flow], shared: Mapping[str, Any]) -> None:
    """Every question, failed three times, offers a person or ends the call, unless it is a
    detail the caller may skip (`optional`), where moving on is kinder than ending the report
    and the caller is told so."""
    for flow in flows.values():
        for state in flow.states.values():
            if state.gather is None:
                continue
            settled = all(
                s.end is not None
                or (
                    s.gather is not None
                    and (_offers_a_person(flows, s) or _closing_offer(flows, s))
                )
                for s in _landings(flows, flow.id, state.transitions["fail"])
            )
            if not settled and not state.optional:
                raise FlowError(
                    flow.file,
                    state.id,
                    "after three failed tries `fail` neither offers a person nor ends the call: "
                    "send it to a person (like main:staff) or an ending, or mark the state "
                    "`optional: true` if it is a detail the caller may skip",
                )
            if settled and state.optional:
                raise FlowError(
                    flow.file,
                    state.id,
                    "`optional` says the call moves on after three failed tries, but `fail` "
                    "goes to a person or an ending",
                )
            if state.optional and MOVING_ON not in shared:
                raise FlowError(
                    SHARED_PROMPTS_FILE, None, f"optional questions need prompt {MOVING_ON!r}"
                )


def _check_prompt_use(
    flows: Mapping[str, Flow], shared: Mapping[str, Any], fields: set[str]
) -> None:
    known = PLACEHOLDERS | fields
    for flow in flows.values():
        used: set[str] = set()
        for state in flow.states.values():
            extra = tuple(k for k in (state.no_match_prompt, state.read_back) if k)
            for key in state.say + extra:
                if key not in flow.prompts and key not in shared:
                    raise FlowError(
                        flow.file, state.id, f"says prompt {key!r}, which is not defined"
                    )
                used.add(key)
        for key in flow.prompts:
            if key not in used:
                raise FlowError(flow.file, None, f"prompt {key!r} is defined but never said")
        for key, texts in flow.prompts.items():
            for language, text in texts.items():
                unknown = _placeholders(text) - known
                if unknown:
                    raise FlowError(
                        flow.file,
                        None,
                        f"prompt {key!r} ({language}) uses unknown placeholder(s) "
                        f"{', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}",
                    )
    for key, texts in shared.items():
        for language, text in texts.items():
            unknown = _placeholders(text) - PLACEHOLDERS
            if unknown:
                raise FlowError(
                    SHARED_PROMPTS_FILE,
                    None,
                    f"prompt {key!r} ({language}) uses unknown placeholder(s) "
                    f"{', '.join(sorted(unknown))}; known: {', '.join(sorted(PLACEHOLDERS))}",
                )


def _check_conditions(flows: Mapping[str, Flow], fields: set[str]) -> None:
    for flow in flows.values():
        for state in flow.states.values():
            for transition in state.all_transitions:
                for branch in transition.branches:
                    if branch.condition is None:
                        continue
                    for name in branch.condition.fields:
                        if name not in fields and name not in CALL_FACTS:
                            raise FlowError(
                                flow.file,
                                state.id,
                                f"`if` reads field {name!r}, which no state stores",
                            )


#: Facts about the call itself, or learned by decisions, that conditions may read besides
#: stored answers.
CALL_FACTS = frozenset({"caller_number", "call_type", "alarm_call", "can_text"})


def load_flow(path: Path, shared: Mapping[str, Mapping[str, str]]) -> Flow:
    """Load and check one flow on its own (cross-flow targets must then not be used)."""
    flow = _parse_flow(path)
    fields = {s.store for s in flow.states.values() if s.store}
    _check_graph({flow.id: flow})
    _check_failures({flow.id: flow}, shared)
    _check_conditions({flow.id: flow}, fields)
    _check_prompt_use({flow.id: flow}, shared, fields)
    return flow


def load_flows(directory: str | Path | None = None) -> FlowSet:
    """Load and validate every flow in `directory` (default: the project's flows/)."""
    folder = Path(directory) if directory else DEFAULT_FLOWS_DIR
    shared_path = folder / SHARED_PROMPTS_FILE
    if not shared_path.is_file():
        raise FlowError(SHARED_PROMPTS_FILE, None, f"missing from {folder}")
    shared_raw = _read_yaml(shared_path)
    if not isinstance(shared_raw, dict) or set(shared_raw) != {"prompts"}:
        raise FlowError(SHARED_PROMPTS_FILE, None, "must hold exactly one key, `prompts`")
    shared = _check_prompts(SHARED_PROMPTS_FILE, shared_raw["prompts"])
    for key in ENGINE_PROMPTS:
        if key not in shared:
            raise FlowError(SHARED_PROMPTS_FILE, None, f"the engine needs prompt {key!r}")
    flows: dict[str, Flow] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name != SHARED_PROMPTS_FILE:
            flow = _parse_flow(path)
            flows[flow.id] = flow
    if not flows:
        raise FlowError(folder.name, None, "holds no flow")
    kinds: dict[str, str] = {}
    choices: set[str] = set()
    for flow in flows.values():
        for state in flow.states.values():
            if not state.store:
                continue
            if state.answer in ("menu", "yes_no"):
                # A chosen value has no kind of its own ("yes", or "=caller_number").
                choices.add(state.store)
            elif kinds.setdefault(state.store, str(state.answer)) != state.answer:
                raise FlowError(
                    flow.file,
                    state.id,
                    f"stores {state.store!r} as {state.answer}, elsewhere as {kinds[state.store]}",
                )
    for flow in flows.values():
        for state in flow.states.values():
            typed = kinds.get(state.store or "", "text")
            copies_a_fact = all(v.startswith("=") for v in state.values.values())
            if state.answer in ("menu", "yes_no") and typed != "text" and not copies_a_fact:
                raise FlowError(
                    flow.file,
                    state.id,
                    f"stores a choice in {state.store!r}, which holds {typed} answers elsewhere "
                    "(a choice may only copy a fact there, like =caller_number)",
                )
    for name in choices:
        kinds.setdefault(name, "text")
    _check_graph(flows)
    _check_failures(flows, shared)
    _check_conditions(flows, set(kinds))
    _check_prompt_use(flows, shared, set(kinds))
    return FlowSet(flows=flows, shared=shared, fields=kinds)


# --- walking a caller through a flow ----------------------------------------------------------


@dataclass(frozen=True)
class CallerInput:
    """What Twilio reported at one step; everything optional because callers are unpredictable."""

    digits: str = ""
    speech: str = ""
    confidence: float | None = None
    dial_status: str = ""
    recording_url: str = ""
    recording_sid: str = ""
    recording_duration: int | None = None
    #: The caller hung up while recording (Twilio's <Record> action says so with Digits=hangup).
    hung_up: bool = False


@dataclass(frozen=True)
class Move:
    """Where the caller goes after one input, and what the input meant."""

    state: str
    outcome: str
    attempts: int = 0
    language: str | None = None
    notice: str | None = None
    flow: str | None = None  # None: the same flow
    stored: Mapping[str, Any] = field(default_factory=dict)


def _fold(text: str) -> str:
    """Lower case without accents, punctuation or extra spaces: how speech is compared."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


def _heard_key(state: State, speech: str) -> str | None:
    """The one menu key whose words were said, if exactly one was."""
    heard = f" {_fold(speech)} "
    matches = {key for key, words in state.speech.items() if any(f" {w} " in heard for w in words)}
    return matches.pop() if len(matches) == 1 else None


def _understand(
    state: State, given: CallerInput, now: datetime | None, language: str
) -> tuple[str, Any]:
    """(event, stored value) for an input at an answer state; event is a transition name."""
    digits = given.digits.strip()
    speech = given.speech.strip()
    if not digits and not speech:
        return "timeout", None
    answers_key = state.answer == "yes_no" and digits in ("1", "2")
    if digits and set(digits) <= KEYS and digits in state.transitions and not answers_key:
        return digits, state.values.get(digits)
    if "*" in state.transitions and speech and not digits and state.answer != "yes_no":
        heard = f" {_fold(speech)} "
        if any(f" {phrase} " in heard for phrase in DONT_KNOW):
            return "*", None
    kind = state.answer
    value: Any = None
    if kind == "menu":
        key = _heard_key(state, speech) if speech and not digits else None
        if key is not None and key in state.transitions:
            return key, state.values.get(key)
        return "no_match", None
    if kind == "yes_no":
        if digits:
            choice = {"1": True, "2": False}.get(digits)
        elif given.confidence is not None and given.confidence < state.unsure_below:
            # A yes or a no barely heard decides too much (a "no" to "is anyone hurt?"):
            # ask again, and the re-prompt offers the keys.
            return "no_match", None
        else:
            choice = answers.parse_yes_no(speech, language)
        if choice is None:
            if speech and "unsure" in state.transitions and answers.said_unsure(speech):
                # "I don't know" to a safety question: the state says where doubt goes.
                return "unsure", "unsure"
            return "no_match", None
        event = "yes" if choice else "no"
        # With `values`, only the listed answers store something ("yes": "=caller_number").
        return event, (state.values.get(event) if state.values else event)
    if kind == "text":
        value = answers.clean_text(speech) if speech else None
    elif kind == "dollars":
        value = answers.parse_dollars(digits=digits, speech=speech, language=language)
    elif kind == "phone":
        value = answers.parse_phone(digits=digits, speech=speech)
    elif kind == "date":
        assert now is not None, "date answers need the time"
        parsed = answers.parse_date(digits=digits, speech=speech, now=now, language=language)
        value = parsed.isoformat() if parsed else None
    if value is None:
        return "no_match", None
    heard_poorly = given.confidence is not None and given.confidence < state.unsure_below
    if speech and heard_poorly and "unsure" in state.transitions:
        return "unsure", value
    return "done", value


def advance(
    flow: Flow,
    state_id: str,
    attempts: int,
    given: CallerInput,
    facts: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
    language: str = "en",
) -> Move:
    """The next state for a caller who was at `state_id` and did `given`."""
    facts = facts or {}
    state = flow.states[state_id]
    if state.end == "transfer":
        if given.dial_status in ("completed", "answered"):
            return Move(state_id, "transferred")
        return _move(
            state.transitions["unavailable"], facts, f"dial:{given.dial_status or 'unknown'}"
        )
    if state.record is not None:
        recorded = "recorded" if given.recording_url else "no_recording"
        return _move(state.transitions["done"], facts, recorded)
    if state.gather is None:
        # A stale request for a state that waits for nothing: say it again.
        return Move(state_id, "repeat", attempts)
    if given.digits.strip() == "*" and "*" not in state.transitions:
        # Every question repeats on star, unless star means something there ("don't know").
        return Move(state_id, "repeat", attempts)
    event, value = _understand(state, given, now, language)
    if isinstance(value, str) and value.startswith("="):
        # A menu value like "=caller_number" keeps a fact about the call ("use this number").
        value = facts.get(value[1:])
    stored: dict[str, Any] = {state.store: value} if state.store and value is not None else {}
    if event == "no" and state.confirms:
        stored = {state.confirms: None}  # "that is not right": forget what was read back
    elif event == "*" and state.store and state.answer != "menu":
        stored = {state.store: None}  # "I don't know": nothing stands for this field
    if event in ("timeout", "no_match"):
        tries = attempts + 1
        if tries >= state.max_attempts:
            notice = MOVING_ON if state.optional else "too_many_tries"
            return _move(state.transitions["fail"], facts, "fail", notice=notice)
        if event == "timeout":
            notice = "didnt_hear"
        elif state.no_match_prompt:
            notice = state.no_match_prompt
        else:
            notice = "not_an_option" if state.answer == "menu" else "didnt_understand"
        branch = state.transitions[event].pick(facts)
        if branch.target == state_id and branch.flow in (None, flow.id):
            return Move(state_id, event, tries, branch.language, notice)
        # Moving on (a question the caller may skip): no apology, just the next question.
        return _move(state.transitions[event], facts, event)
    branch = state.transitions[event].pick({**facts, **stored})
    if event == "*" and branch.target == state_id and branch.flow in (None, flow.id):
        return Move(state_id, "repeat", attempts)
    notice = state.read_back if event == "done" and stored else None
    return Move(branch.target, event, 0, branch.language, notice, branch.flow, stored)


def _move(
    transition: Transition, facts: Mapping[str, Any], outcome: str, notice: str | None = None
) -> Move:
    branch = transition.pick(facts)
    return Move(branch.target, outcome, 0, branch.language, notice, branch.flow)


# --- TwiML -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    name: str
    language: str  # BCP-47, e.g. en-US


@dataclass(frozen=True)
class RenderContext:
    language: str
    action_url: str
    voices: Mapping[str, Voice]
    values: Mapping[str, str]
    operator_number: str | None = None
    #: Values in each language's own words (hours, next opening), for bilingual prompts.
    localized: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: Other numbers a transfer may dial, by `dial:` name (None: not configured).
    numbers: Mapping[str, str | None] = field(default_factory=dict)
    #: Makes a `decide:` state's decision: (event, facts to keep).
    decide: Decide | None = None
    #: Where recording status and transcription callbacks go.
    recording_callback_url: str = ""
    transcription_callback_url: str = ""
    now: datetime | None = None


@dataclass(frozen=True)
class Rendered:
    twiml: VoiceResponse
    #: The flow and state the caller now waits in (None when the call ends with this response).
    waiting_in: str | None
    disposition: str | None
    flow: str | None = None
    #: Every state entered on the way, in order (their `report`/`disposition` effects apply).
    entered: tuple[tuple[str, str], ...] = ()


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def say(
    target: VoiceResponse | Gather,
    flows: FlowSet,
    flow: Flow | None,
    keys: Iterable[str],
    languages: Iterable[str],
    ctx: RenderContext,
) -> None:
    """Speak `keys` in each of `languages` in turn (all of one language, then the next), each
    in its language's voice and with that language's words for the values."""
    keys = tuple(keys)
    for language in tuple(languages):
        voice = ctx.voices[language]
        values = _Values({**ctx.values, **ctx.localized.get(language, {})})
        for key in keys:
            text = flows.prompt(flow, key, language).format_map(values)
            # A value ending a sentence with its own full stop ("11 p.m.") needs no second one.
            text = _DOUBLED_STOP.sub(".", text)
            target.say(text, voice=voice.name, language=voice.language)


def spoken_facts(
    flows: FlowSet, facts: Mapping[str, Any], language: str, now: datetime | None
) -> dict[str, str]:
    """Stored answers as words for read-backs: "250 dollars", "yesterday", "4 1 0, ..."."""
    words: dict[str, str] = {}
    for name, value in facts.items():
        if value in (None, ""):
            continue
        kind = flows.fields.get(name)
        if name == "report_number":
            words[name] = answers.say_digits(str(value))
        elif name == "caller_number":
            words[name] = answers.say_phone(str(value))
        elif kind == "dollars":
            words[name] = answers.say_dollars(int(value), language)
        elif kind == "date" and now is not None:
            words[name] = answers.say_date(date.fromisoformat(str(value)), now, language)
        elif kind == "phone":
            words[name] = answers.say_phone(str(value))
        else:
            words[name] = str(value)
    return words


OnEnter = Callable[[State], Mapping[str, Any]]
Decide = Callable[[State, Mapping[str, Any]], tuple[str, Mapping[str, Any]]]


def render(
    flows: FlowSet,
    flow: Flow,
    state_id: str,
    ctx: RenderContext,
    *,
    notice: str | None = None,
    response: VoiceResponse | None = None,
    facts: Mapping[str, Any] | None = None,
    on_enter: OnEnter | None = None,
) -> Rendered:
    """TwiML for entering `state_id`, following `next` and unavailable transfers to a wait.

    `on_enter(state)` is called for each state entered, before its prompts are built, and may
    return new facts (a report number, say) for the prompts that follow.
    """
    response = response if response is not None else VoiceResponse()
    facts = dict(facts or {})
    if notice:
        # Stored answers may be named in the notice ("Is {item} right?").
        values = {**spoken_facts(flows, facts, ctx.language, ctx.now), **ctx.values}
        say(response, flows, flow, [notice], [ctx.language], replace(ctx, values=values))
    disposition = None
    entered: list[tuple[str, str]] = []
    # An empty state id is a `flow:` target: that flow's initial state.
    current = flow.states[state_id or flow.initial]
    limit = sum(len(f.states) for f in flows.flows.values()) + 1
    for _ in range(limit):
        entered.append((current.flow or flow.id, current.id))
        if on_enter is not None:
            facts.update(on_enter(current))
        disposition = current.disposition or disposition
        owner = flows[current.flow] if current.flow else flow
        values = {**spoken_facts(flows, facts, ctx.language, ctx.now), **ctx.values}
        here = RenderContext(**{**ctx.__dict__, "values": values})
        languages = LANGUAGES if current.bilingual else (ctx.language,)
        if current.gather is not None:
            response.append(_gather(flows, owner, current, languages, here))
            return Rendered(response, current.id, disposition, owner.id, tuple(entered))
        if current.decide is not None:
            if ctx.decide is None:
                raise FlowError(owner.file, current.id, f"nothing makes {current.decide} decisions")
            event, learned = ctx.decide(current, facts)
            facts.update(learned)
            current = _target(flows, owner, current.transitions[event].pick(facts))
            continue
        number = _number(current, ctx)
        if current.end == "transfer" and not number:
            # Nobody to transfer to: go straight to what the flow does when nobody answers.
            branch = current.transitions["unavailable"].pick(facts)
            current = _target(flows, owner, branch)
            continue
        say(response, flows, owner, current.say, languages, here)
        if current.record is not None:
            _record(response, current.record, here)
            return Rendered(response, current.id, disposition, owner.id, tuple(entered))
        if current.next is not None:
            current = _target(flows, owner, current.next.pick(facts))
            continue
        if current.end == "transfer":
            dial = Dial(action=ctx.action_url, method="POST", timeout=25)
            dial.number(number)
            response.append(dial)
            return Rendered(response, current.id, disposition, owner.id, tuple(entered))
        response.hangup()
        return Rendered(response, None, disposition, None, tuple(entered))
    raise FlowError(flow.file, state_id, "`next` states loop without waiting or ending")


def _number(state: State, ctx: RenderContext) -> str | None:
    if state.end != "transfer":
        return None
    if state.dial == "operator":
        return ctx.operator_number
    return ctx.numbers.get(state.dial)


def _target(flows: FlowSet, flow: Flow, branch: Branch) -> State:
    other = flows[branch.flow] if branch.flow else flow
    return other.states[branch.target or other.initial]


def _gather(
    flows: FlowSet, flow: Flow, state: State, languages: tuple[str, ...], ctx: RenderContext
) -> Gather:
    spec = state.gather
    assert spec is not None
    options: dict[str, Any] = {
        "input": spec.input,
        "action": ctx.action_url,
        "method": "POST",
        "timeout": spec.timeout,
        "action_on_empty_result": True,
        "finish_on_key": spec.finish_on_key,
    }
    if spec.digits is not None and "dtmf" in spec.input:
        options["num_digits"] = spec.digits
    if "speech" in spec.input:
        options["language"] = ctx.voices[ctx.language].language
        options["speech_timeout"] = spec.speech_timeout
        if state.hints:
            options["hints"] = ", ".join(state.hints)
    gather = Gather(**options)
    say(gather, flows, flow, state.say, languages, ctx)
    return gather


def _record(response: VoiceResponse, spec: RecordSpec, ctx: RenderContext) -> None:
    options: dict[str, Any] = {
        "action": ctx.action_url,
        "method": "POST",
        "max_length": spec.max_length,
        "timeout": spec.timeout,
        "finish_on_key": spec.finish_on_key,
        "play_beep": True,
    }
    if ctx.recording_callback_url:
        options["recording_status_callback"] = ctx.recording_callback_url
        options["recording_status_callback_method"] = "POST"
        options["recording_status_callback_event"] = "completed absent"
    if spec.transcribe and ctx.transcription_callback_url:
        options["transcribe"] = True
        options["transcribe_callback"] = ctx.transcription_callback_url
    response.record(**options)
    # Twilio skips the action when nothing was recorded; this brings the caller back either way.
    response.redirect(ctx.action_url, method="POST")
