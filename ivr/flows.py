"""Call flows as data: load and validate `flows/*.yaml`, then walk a caller through them.

A flow is a set of states keyed by id with one `initial` state. A state speaks prompts (by key,
in English and Spanish) and then either waits for the caller (`gather`), moves straight on
(`next`), or ends the call (`end: hangup` or `end: transfer`). Every transition names its event
and target under `transitions`: a key the caller pressed, `timeout`, `no_match`, `fail` (too
many tries), `unavailable` (a transfer nobody answered).

Flows are checked when they load, so a broken flow stops the service at start-up instead of
stranding a caller: unknown keys, dangling targets, unreachable states, states from which the call
can never end, prompts missing in a language, prompts defined and never used.

This module knows nothing of Flask or the database: it turns (state, input) into the next state,
and a state into TwiML.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

LANGUAGES = ("en", "es")
SHARED_PROMPTS_FILE = "prompts.yaml"
DEFAULT_FLOWS_DIR = Path(__file__).resolve().parent.parent / "flows"

#: Values a prompt may mention as {name}; the app fills them from its settings.
PLACEHOLDERS = frozenset({"hours", "next_opening", "online_report_site", "tru_number"})
#: Events a state's `transitions` may name besides the keypad keys.
EVENTS = frozenset({"timeout", "no_match", "fail", "unavailable"})
KEYS = frozenset("0123456789*#")
ENDINGS = frozenset({"hangup", "transfer"})
INPUT_KINDS = frozenset({"dtmf"})
#: Shared prompts the engine itself speaks; they must exist in prompts.yaml.
ENGINE_PROMPTS = ("didnt_hear", "not_an_option", "too_many_tries")

STATE_KEYS = frozenset(
    {"say", "bilingual", "gather", "next", "end", "transitions", "max_attempts", "disposition"}
)
GATHER_KEYS = frozenset({"input", "digits", "timeout", "finish_on_key"})
FLOW_KEYS = frozenset({"flow", "initial", "prompts", "states", "description"})


class FlowError(ValueError):
    """A flow file is wrong. The message names the file, the state and the problem."""

    def __init__(self, file: str, state: str | None, problem: str) -> None:
        self.file, self.state, self.problem = file, state, problem
        where = f"{file}: state {state!r}" if state else file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Transition:
    target: str
    language: str | None = None


@dataclass(frozen=True)
class GatherSpec:
    input: str = "dtmf"
    digits: int | None = 1
    timeout: int = 6
    finish_on_key: str = ""


@dataclass(frozen=True)
class State:
    id: str
    say: tuple[str, ...] = ()
    bilingual: bool = False
    gather: GatherSpec | None = None
    next: str | None = None
    end: str | None = None
    transitions: Mapping[str, Transition] = field(default_factory=dict)
    max_attempts: int = 3
    disposition: str | None = None

    @property
    def targets(self) -> list[str]:
        found = [t.target for t in self.transitions.values()]
        return found + ([self.next] if self.next else [])


@dataclass(frozen=True)
class Flow:
    id: str
    initial: str
    states: Mapping[str, State]
    prompts: Mapping[str, Mapping[str, str]]
    file: str = ""


@dataclass(frozen=True)
class FlowSet:
    """All flows of the line, plus the prompts they share (flows/prompts.yaml)."""

    flows: Mapping[str, Flow]
    shared: Mapping[str, Mapping[str, str]]

    def __getitem__(self, flow_id: str) -> Flow:
        return self.flows[flow_id]

    def prompt(self, flow: Flow | None, key: str, language: str) -> str:
        table = flow.prompts if flow is not None and key in flow.prompts else self.shared
        return table[key][language]


# --- loading and validation -------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FlowError(path.name, None, f"not valid YAML: {exc}") from None


def _check_prompts(file: str, prompts: Any) -> dict[str, dict[str, str]]:
    if not isinstance(prompts, dict):
        raise FlowError(file, None, "`prompts` must map prompt keys to {en: ..., es: ...}")
    checked: dict[str, dict[str, str]] = {}
    formatter = string.Formatter()
    for key, texts in prompts.items():
        if not isinstance(texts, dict):
            raise FlowError(file, None, f"prompt {key!r} must map languages to text")
        for language in LANGUAGES:
            text = texts.get(language)
            if not isinstance(text, str) or not text.strip():
                raise FlowError(file, None, f"prompt {key!r} has no {language!r} text")
            try:
                names = {name for _, name, _, _ in formatter.parse(text) if name is not None}
            except ValueError as exc:
                raise FlowError(file, None, f"prompt {key!r} ({language}): {exc}") from None
            unknown = names - PLACEHOLDERS
            if unknown:
                raise FlowError(
                    file,
                    None,
                    f"prompt {key!r} ({language}) uses unknown placeholder(s) "
                    f"{', '.join(sorted(unknown))}; known: {', '.join(sorted(PLACEHOLDERS))}",
                )
        extra = set(texts) - set(LANGUAGES)
        if extra:
            raise FlowError(file, None, f"prompt {key!r} has unknown language(s) {sorted(extra)}")
        checked[str(key)] = {language: texts[language] for language in LANGUAGES}
    return checked


def _transition(file: str, state: str, event: str, raw: Any) -> Transition:
    if isinstance(raw, str):
        return Transition(raw)
    if isinstance(raw, dict) and set(raw) <= {"to", "language"} and isinstance(raw.get("to"), str):
        language = raw.get("language")
        if language is not None and language not in LANGUAGES:
            raise FlowError(
                file, state, f"`transitions.{event}` switches to unknown language {language!r}"
            )
        return Transition(raw["to"], language)
    raise FlowError(
        file, state, f"`transitions.{event}` must be a state id or {{to: STATE, language: xx}}"
    )


def _state(file: str, state_id: str, raw: Any) -> State:
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
    kinds = [k for k in ("gather", "next", "end") if raw.get(k) is not None]
    if len(kinds) != 1:
        raise FlowError(file, state_id, "a state needs exactly one of `gather`, `next` or `end`")
    gather = None
    if "gather" in raw:
        spec = raw["gather"]
        if not isinstance(spec, dict) or set(spec) - GATHER_KEYS:
            raise FlowError(file, state_id, f"`gather` takes only {', '.join(sorted(GATHER_KEYS))}")
        if spec.get("input", "dtmf") not in INPUT_KINDS:
            raise FlowError(file, state_id, f"`gather.input` must be one of {sorted(INPUT_KINDS)}")
        for name in ("digits", "timeout"):
            value = spec.get(name)
            if value is not None and (_not_count(value)):
                raise FlowError(file, state_id, f"`gather.{name}` must be a positive whole number")
        gather = GatherSpec(
            input=spec.get("input", "dtmf"),
            digits=spec.get("digits", 1),
            timeout=spec.get("timeout", 6),
            finish_on_key=str(spec.get("finish_on_key", "")),
        )
    end = raw.get("end")
    if end is not None and end not in ENDINGS:
        raise FlowError(file, state_id, f"`end` must be one of {', '.join(sorted(ENDINGS))}")
    on_raw = raw.get("transitions", {}) or {}
    if not isinstance(on_raw, dict):
        raise FlowError(file, state_id, "`transitions` must map events to targets")
    on: dict[str, Transition] = {}
    for event, target in on_raw.items():
        event = str(event)
        if event not in EVENTS and event not in KEYS:
            raise FlowError(
                file, state_id, f"unknown event {event!r} (a key 0-9 * #, or {sorted(EVENTS)})"
            )
        on[event] = _transition(file, state_id, event, target)
    if gather is not None:
        for needed in ("timeout", "no_match", "fail"):
            if needed not in on:
                raise FlowError(file, state_id, f"a gather state needs `transitions.{needed}`")
        if not any(key in KEYS for key in on):
            raise FlowError(file, state_id, "a gather state needs at least one key to press")
    elif end == "transfer":
        if set(on) != {"unavailable"}:
            raise FlowError(
                file, state_id, "a transfer state takes exactly `transitions.unavailable`"
            )
    elif on:
        raise FlowError(file, state_id, "only gather and transfer states take `transitions`")
    if gather is not None and gather.digits != 1:
        # Menu transitions name single keys; multi-digit answers need an input type that
        # stores the digits, not a menu.
        raise FlowError(file, state_id, "a menu takes `gather.digits: 1`")
    if not isinstance(raw.get("bilingual", False), bool):
        raise FlowError(file, state_id, "`bilingual` must be true or false")
    max_attempts = raw.get("max_attempts", 3)
    if _not_count(max_attempts):
        raise FlowError(file, state_id, "`max_attempts` must be a positive whole number")
    return State(
        id=state_id,
        say=tuple(say),
        bilingual=bool(raw.get("bilingual", False)),
        gather=gather,
        next=raw.get("next"),
        end=end,
        transitions=on,
        max_attempts=max_attempts,
        disposition=raw.get("disposition"),
    )


def _not_count(value: object) -> bool:
    """Not a positive whole number (YAML's true/false are ints to Python, and not counts)."""
    return isinstance(value, bool) or not isinstance(value, int) or value < 1


def _check_graph(flow: Flow) -> None:
    for state in flow.states.values():
        for target in state.targets:
            if target not in flow.states:
                raise FlowError(flow.file, state.id, f"goes to {target!r}, which does not exist")
    if flow.initial not in flow.states:
        raise FlowError(flow.file, None, f"initial state {flow.initial!r} does not exist")
    seen, todo = set(), [flow.initial]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(flow.states[current].targets)
    for state_id in flow.states:
        if state_id not in seen:
            raise FlowError(flow.file, state_id, f"cannot be reached from {flow.initial!r}")
    # No trap states: from every state some path must reach an ending.
    # A transfer ends the call only when someone answers; with nobody there it moves on to its
    # `unavailable` state, so only hangups count as endings here.
    can_end = {s.id for s in flow.states.values() if s.end == "hangup"}
    changed = True
    while changed:
        changed = False
        for state in flow.states.values():
            if state.id not in can_end and any(t in can_end for t in state.targets):
                can_end.add(state.id)
                changed = True
    for state_id in flow.states:
        if state_id not in can_end:
            raise FlowError(flow.file, state_id, "no path from here ever ends the call")


def _check_prompt_use(flow: Flow, shared: Mapping[str, Any]) -> None:
    used: set[str] = set()
    for state in flow.states.values():
        for key in state.say:
            if key not in flow.prompts and key not in shared:
                raise FlowError(flow.file, state.id, f"says prompt {key!r}, which is not defined")
            used.add(key)
    for key in flow.prompts:
        if key not in used:
            raise FlowError(flow.file, None, f"prompt {key!r} is defined but never said")


def load_flow(path: Path, shared: Mapping[str, Mapping[str, str]]) -> Flow:
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
    flow = Flow(
        id=flow_id,
        initial=str(raw.get("initial", "")),
        states={str(k): _state(file, str(k), v) for k, v in states_raw.items()},
        prompts=_check_prompts(file, raw.get("prompts", {}) or {}),
        file=file,
    )
    _check_graph(flow)
    _check_prompt_use(flow, shared)
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
    flows = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name != SHARED_PROMPTS_FILE:
            flow = load_flow(path, shared)
            flows[flow.id] = flow
    if not flows:
        raise FlowError(folder.name, None, "holds no flow")
    return FlowSet(flows=flows, shared=shared)


# --- walking a caller through a flow ----------------------------------------------------------


@dataclass(frozen=True)
class CallerInput:
    """What Twilio reported at one step; everything optional because callers are unpredictable."""

    digits: str = ""
    dial_status: str = ""


@dataclass(frozen=True)
class Move:
    """Where the caller goes after one input, and what the input meant."""

    state: str
    outcome: str
    attempts: int = 0
    language: str | None = None
    notice: str | None = None


def advance(flow: Flow, state_id: str, attempts: int, given: CallerInput) -> Move:
    """The next state for a caller who was at `state_id` and did `given`."""
    state = flow.states[state_id]
    if state.end == "transfer":
        if given.dial_status in ("completed", "answered"):
            return Move(state_id, "transferred")
        target = state.transitions["unavailable"]
        return Move(target.target, f"dial:{given.dial_status or 'unknown'}", 0, target.language)
    if state.gather is None:
        # A stale request for a state that waits for nothing: say it again.
        return Move(state_id, "repeat", attempts)
    digits = given.digits.strip()
    if not digits:
        event, notice = "timeout", "didnt_hear"
    elif set(digits) <= KEYS and digits in state.transitions:
        event, notice = digits, None
    else:
        event, notice = "no_match", "not_an_option"
    chosen = state.transitions[event]
    if event == "*" and chosen.target == state_id:
        return Move(state_id, "repeat", attempts)
    if event in ("timeout", "no_match"):
        tries = attempts + 1
        if tries >= state.max_attempts:
            fail = state.transitions["fail"]
            return Move(fail.target, "fail", 0, fail.language, "too_many_tries")
        if chosen.target == state_id:
            return Move(state_id, event, tries, chosen.language, notice)
        return Move(chosen.target, event, 0, chosen.language, notice)
    return Move(chosen.target, event, 0, chosen.language)


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


@dataclass(frozen=True)
class Rendered:
    twiml: VoiceResponse
    #: The state the caller now waits in (None when the call ends with this response).
    waiting_in: str | None
    disposition: str | None


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
    """Speak `keys`, each in every one of `languages`, in that language's voice."""
    languages = tuple(languages)
    for key in keys:
        for language in languages:
            voice = ctx.voices[language]
            text = flows.prompt(flow, key, language).format_map(_Values(ctx.values))
            target.say(text, voice=voice.name, language=voice.language)


def render(
    flows: FlowSet,
    flow: Flow,
    state_id: str,
    ctx: RenderContext,
    *,
    notice: str | None = None,
    response: VoiceResponse | None = None,
) -> Rendered:
    """TwiML for entering `state_id`, following `next` and unavailable transfers to a wait."""
    response = response if response is not None else VoiceResponse()
    if notice:
        say(response, flows, None, [notice], [ctx.language], ctx)
    disposition = None
    current: str | None = state_id
    for _ in range(len(flow.states) + 1):
        assert current is not None
        state = flow.states[current]
        disposition = state.disposition or disposition
        languages = LANGUAGES if state.bilingual else (ctx.language,)
        if state.gather is not None:
            spec = state.gather
            gather = Gather(
                input=spec.input,
                action=ctx.action_url,
                method="POST",
                timeout=spec.timeout,
                action_on_empty_result=True,
                num_digits=spec.digits,
                finish_on_key=spec.finish_on_key,
            )
            say(gather, flows, flow, state.say, languages, ctx)
            response.append(gather)
            return Rendered(response, current, disposition)
        if state.end == "transfer" and not ctx.operator_number:
            # Nobody to transfer to: go straight to what the flow does when nobody answers.
            current = state.transitions["unavailable"].target
            continue
        say(response, flows, flow, state.say, languages, ctx)
        if state.next:
            current = state.next
            continue
        if state.end == "transfer":
            dial = Dial(action=ctx.action_url, method="POST", timeout=25)
            dial.number(ctx.operator_number)
            response.append(dial)
            return Rendered(response, current, disposition)
        response.hangup()
        return Rendered(response, None, disposition)
    raise FlowError(flow.file, state_id, "`next` states loop without waiting or ending")
