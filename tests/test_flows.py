"""Tests for ivr.flows: loading and validating flows, walking a caller, rendering TwiML.

The engine is exercised on a frozen copy of the version-2 flows (tests/flowdata/v2) and on small
flows written here; the real flows/ are checked to load, route and render.
"""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ivr import answers
from ivr.flows import (
    DEFAULT_FLOWS_DIR,
    ENGINE_PROMPTS,
    GATHER_DEFAULTS,
    CallerInput,
    Flow,
    FlowError,
    FlowSet,
    GatherSpec,
    Move,
    RecordSpec,
    RenderContext,
    Rendered,
    State,
    Voice,
    advance,
    load_flow,
    load_flows,
    render,
    spoken_facts,
)

BALTIMORE = ZoneInfo("America/New_York")
#: A Wednesday morning in Baltimore: "yesterday" is Tuesday, December 1, 2026.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=BALTIMORE)
#: A valid US number with a Baltimore area code, as typed and as stored.
CALLER_DIGITS = "4103962525"
CALLER_E164 = "+14103962525"
REPORT_NUMBER = "TRU-26-000123"

# --- the flows -----------------------------------------------------------------------------------

#: A frozen copy of flows/ for engine version 2 (see tests/flowdata/README.md): the engine tests
#: walk callers through it, so editing the line's real flows does not change what they check.
V2_FLOWS = Path(__file__).resolve().parent / "flowdata" / "v2"


@pytest.fixture(scope="module")
def flows() -> FlowSet:
    return load_flows(V2_FLOWS)


@pytest.fixture(scope="module")
def real_flows() -> FlowSet:
    return load_flows()


@pytest.fixture(scope="module")
def main(flows: FlowSet) -> Flow:
    return flows["main"]


@pytest.fixture(scope="module")
def lost(flows: FlowSet) -> Flow:
    return flows["lost_property"]


@pytest.fixture(scope="module")
def larceny(flows: FlowSet) -> Flow:
    return flows["larceny"]


@pytest.fixture(scope="module")
def caller(flows: FlowSet) -> Flow:
    return flows["caller"]


def test_the_real_flows_load(real_flows: FlowSet) -> None:
    assert set(real_flows.flows) >= {"main", "lost_property", "larceny", "caller"}
    assert load_flows(DEFAULT_FLOWS_DIR).flows.keys() == real_flows.flows.keys()
    for flow_id, flow in real_flows.flows.items():
        assert flow.id == flow_id
        assert flow.file == f"{flow_id}.yaml"
        assert all(state.flow == flow_id for state in flow.states.values())
    for key in ENGINE_PROMPTS:
        assert set(real_flows.shared[key]) == {"en", "es"}


def test_the_real_main_menu_leads_to_the_report_flows(real_flows: FlowSet) -> None:
    main = real_flows["main"]
    assert main.initial == "welcome"
    for digits, flow in (("1", "lost_property"), ("2", "larceny")):
        move = advance(main, "main_menu", 0, CallerInput(digits=digits))
        assert (move.flow, move.state, move.outcome) == (flow, "intake", digits)
        assert real_flows[flow].initial == "intake"


def test_the_real_welcome_renders_valid_twiml(real_flows: FlowSet, twiml_schema) -> None:
    result = render(real_flows, real_flows["main"], "welcome", context("en"))
    body = str(result.twiml)
    assert ET.fromstring(body).tag == "Response"
    assert result.entered[0] == ("main", "welcome")
    if twiml_schema is not None:
        from lxml import etree

        document = etree.fromstring(body.encode("utf-8"))
        assert twiml_schema.validate(document), f"{twiml_schema.error_log.last_error}\n{body}"


def test_the_v2_flows_load(flows: FlowSet) -> None:
    assert set(flows.flows) == {"main", "lost_property", "larceny", "caller"}
    for flow_id, flow in flows.flows.items():
        assert flow.id == flow_id
        assert flow.file == f"{flow_id}.yaml"
        assert all(state.flow == flow_id for state in flow.states.values())


def test_main_flow_has_the_expected_states(main: Flow) -> None:
    assert main.id == "main"
    assert main.file == "main.yaml"
    assert main.initial == "welcome"
    assert set(main.states) == {
        "welcome",
        "language",
        "main_menu",
        "ask_reason",
        "accident_hurt",
        "accident_impaired",
        "emergency",
        "outside_city",
        "staff",
        "nobody_available",
    }
    assert main.states["welcome"].next is not None
    assert main.states["welcome"].next.target == "language"
    assert main.states["welcome"].bilingual is True
    assert main.states["language"].gather is not None
    assert main.states["language"].answer == "menu"
    assert main.states["language"].bilingual is True
    assert main.states["main_menu"].gather is not None
    assert main.states["main_menu"].answer == "menu"
    assert main.states["ask_reason"].answer == "text"
    assert main.states["accident_hurt"].answer == "yes_no"
    assert main.states["accident_hurt"].store == "anyone_hurt"
    assert main.states["accident_impaired"].store == "driver_impaired"
    assert main.states["emergency"].end == "hangup"
    assert main.states["emergency"].disposition == "emergency_911"
    assert main.states["outside_city"].end == "hangup"
    assert main.states["staff"].end == "transfer"
    assert main.states["nobody_available"].end == "hangup"


def test_the_main_menu_keys_and_their_targets(main: Flow) -> None:
    menu = main.states["main_menu"]
    targets = {
        event: [(b.flow, b.target, b.language, b.condition) for b in t.branches]
        for event, t in menu.transitions.items()
    }
    assert targets == {
        "1": [("lost_property", "intake", None, None)],
        "2": [("larceny", "intake", None, None)],
        "3": [(None, "accident_hurt", None, None)],
        "4": [(None, "ask_reason", None, None)],
        "0": [(None, "staff", None, None)],
        "*": [(None, "main_menu", None, None)],
        "timeout": [(None, "main_menu", None, None)],
        "no_match": [(None, "main_menu", None, None)],
        "fail": [(None, "staff", None, None)],
    }
    assert set(menu.speech) == {"1", "2", "3", "4", "0"}
    assert "lost property" in menu.speech["1"]
    assert "robaron" in menu.speech["2"]
    assert menu.hints == ("lost", "theft", "stolen", "accident", "something else", "operator")


def test_shared_prompts_hold_the_engine_prompts_in_both_languages(flows: FlowSet) -> None:
    assert ENGINE_PROMPTS == ("didnt_hear", "not_an_option", "didnt_understand", "too_many_tries")
    for key in ENGINE_PROMPTS:
        assert set(flows.shared[key]) == {"en", "es"}
    assert flows.shared["didnt_understand"]["en"] == "Sorry, I didn't understand that."


def test_stored_fields_are_known_by_kind(flows: FlowSet) -> None:
    assert flows.fields["value"] == "dollars"
    assert flows.fields["when"] == "date"
    assert flows.fields["callback_number"] == "phone"
    assert flows.fields["item"] == "text"
    assert flows.fields["caller_name"] == "text"
    # Menus and yes/no questions store chosen words: read back as they are.
    assert flows.fields["category"] == "text"
    assert flows.fields["anyone_hurt"] == "text"
    assert "report_number" not in flows.fields
    assert "caller_number" not in flows.fields


@pytest.mark.parametrize(
    ("flow_id", "state_id", "kind", "expected"),
    [
        ("main", "language", "menu", GatherSpec("dtmf", 1, 6, "", "auto")),
        ("main", "accident_hurt", "yes_no", GatherSpec("dtmf speech", 1, 6, "", "auto")),
        ("main", "ask_reason", "text", GatherSpec("speech", None, 6, "", "auto")),
        ("lost_property", "ask_value", "dollars", GatherSpec("dtmf speech", None, 10, "#")),
        ("caller", "ask_callback_number", "phone", GatherSpec("dtmf speech", None, 10, "#")),
        ("lost_property", "ask_when", "date", GatherSpec("dtmf speech", None, 10, "#")),
    ],
)
def test_each_answer_kind_listens_with_its_defaults(
    flows: FlowSet, flow_id: str, state_id: str, kind: str, expected: GatherSpec
) -> None:
    state = flows.state(flow_id, state_id)
    assert state.answer == kind
    assert state.gather == expected
    defaults = GATHER_DEFAULTS[kind]
    assert (state.gather.input, state.gather.digits, state.gather.timeout) == (
        defaults["input"],
        defaults["digits"],
        defaults["timeout"],
    )


def test_a_states_gather_overrides_only_what_it_names(flows: FlowSet) -> None:
    # ask_serial is a text answer that also takes "#": {input: dtmf speech, digits: 1}.
    assert flows.state("lost_property", "ask_serial").gather == GatherSpec(
        "dtmf speech", 1, 6, "", "auto"
    )
    assert flows.state("main", "main_menu").gather == GatherSpec("dtmf speech", 1, 8, "", "auto")


def test_the_account_is_recorded_and_transcribed(caller: Flow) -> None:
    account = caller.states["account"]
    assert account.record == RecordSpec(max_length=120, timeout=5, finish_on_key="#")
    assert account.record.transcribe is True
    assert account.gather is None and account.answer is None
    assert set(account.transitions) == {"done"}
    assert account.transitions["done"].target == "complete"


def test_report_effects_are_declared_on_states(flows: FlowSet) -> None:
    assert flows.state("lost_property", "intake").report == "lost_property"
    assert flows.state("larceny", "intake").report == "larceny"
    complete = flows.state("caller", "complete")
    assert complete.complete_report is True
    assert complete.disposition == "tru_report"
    assert flows.state("caller", "report_number").complete_report is False


def test_the_callback_number_choice_is_conditional(caller: Flow) -> None:
    choice = caller.states["callback_number"].next
    assert choice is not None
    first, last = choice.branches
    assert first.target == "offer_caller_number"
    assert first.condition is not None
    assert first.condition.fields == ("caller_number",)
    assert first.condition.present is True
    assert last.target == "ask_callback_number"
    assert last.condition is None
    assert choice.target == "ask_callback_number"
    assert choice.pick({"caller_number": CALLER_E164}) is first
    assert choice.pick({"caller_number": None}) is last
    assert choice.pick({"caller_number": ""}) is last
    assert choice.pick({}) is last


# --- validation -------------------------------------------------------------------------------

SHARED_PROMPTS = """\
prompts:
  didnt_hear: {en: "Sorry, I didn't hear a choice.", es: "Perdone, no escuché."}
  not_an_option: {en: "That is not a choice.", es: "Esa no es una opción."}
  didnt_understand: {en: "Sorry, I didn't get that.", es: "Perdone, no le entendí."}
  too_many_tries: {en: "Too many tries.", es: "Demasiados intentos."}
  moving_on: {en: "Let's go on.", es: "Sigamos."}
"""

#: The smallest flow that loads; every broken flow below differs from it in one way.
VALID_FLOW = """\
flow: demo
initial: menu
prompts:
  menu: {en: "Press 1.", es: "Oprima 1."}
states:
  menu:
    say: [menu]
    gather: {digits: 1}
    transitions: {"1": bye, timeout: menu, no_match: menu, fail: bye}
  bye: {end: hangup}
"""

#: A flow using every kind of state and the newer keys; it loads, and one change breaks it.
RICH_FLOW = """\
flow: demo
initial: menu
prompts:
  menu: {en: "Press 1 or say help.", es: "Oprima 1 o diga ayuda."}
  ask_hurt: {en: "Is anyone hurt?", es: "¿Hay alguien herido?"}
  ask_item: {en: "What was it?", es: "¿Qué era?"}
  confirm: {en: "You said {item}.", es: "Usted dijo {item}."}
  tell_us: {en: "After the tone, tell us.", es: "Después del tono, díganos."}
states:
  menu:
    say: [menu]
    answer: menu
    store: topic
    speech: {"1": [help, ayuda]}
    values: {"1": help}
    transitions: {"1": ask_hurt, "0": staff, timeout: menu, no_match: menu, fail: bye}
  ask_hurt:
    say: [ask_hurt]
    answer: yes_no
    store: hurt
    transitions: {"yes": bye, "no": ask_item, timeout: ask_hurt, no_match: ask_hurt, fail: bye}
  ask_item:
    say: [ask_item]
    answer: text
    store: item
    transitions: {done: check, timeout: ask_item, no_match: ask_item, fail: bye}
  check:
    next:
      - {if: {field: hurt, is: "no"}, to: confirm}
      - {to: bye}
  confirm:
    say: [confirm]
    answer: yes_no
    transitions: {"yes": account, "no": ask_item, timeout: confirm, no_match: confirm, fail: bye}
  account:
    say: [tell_us]
    record: {max_length: 60}
    transitions: {done: bye}
  staff:
    end: transfer
    transitions: {unavailable: bye}
  bye: {end: hangup}
"""


def edit(flow: str, old: str, new: str) -> str:
    """`flow` with its one occurrence of `old` replaced (so a typo here cannot go unnoticed)."""
    assert flow.count(old) == 1, f"{old!r} occurs {flow.count(old)} times"
    return flow.replace(old, new)


def write_flows(
    folder: Path, flow: str | None, *, name: str = "demo", shared: str | None = SHARED_PROMPTS
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if shared is not None:
        (folder / "prompts.yaml").write_text(shared, encoding="utf-8")
    if flow is not None:
        (folder / f"{name}.yaml").write_text(textwrap.dedent(flow), encoding="utf-8")
    return folder


def write_set(folder: Path, flows: Mapping[str, str], shared: str = SHARED_PROMPTS) -> Path:
    """Several flows (by name) and the shared prompts in one folder."""
    write_flows(folder, None, shared=shared)
    for name, flow in flows.items():
        write_flows(folder, flow, name=name, shared=None)
    return folder


def load_error(folder: Path) -> FlowError:
    with pytest.raises(FlowError) as caught:
        load_flows(folder)
    return caught.value


def test_the_baseline_test_flow_loads(tmp_path: Path) -> None:
    loaded = load_flows(write_flows(tmp_path, VALID_FLOW))
    assert set(loaded["demo"].states) == {"menu", "bye"}
    assert loaded["demo"].states["menu"].answer == "menu"  # only `gather:` means a menu


def test_the_rich_test_flow_loads(tmp_path: Path) -> None:
    loaded = load_flows(write_flows(tmp_path, RICH_FLOW))
    demo = loaded["demo"]
    assert set(demo.states) == {
        "menu",
        "ask_hurt",
        "ask_item",
        "check",
        "confirm",
        "account",
        "staff",
        "bye",
    }
    assert loaded.fields == {"topic": "text", "hurt": "text", "item": "text"}
    assert demo.states["menu"].values == {"1": "help"}
    assert demo.states["menu"].speech == {"1": ("help", "ayuda")}
    # Speech words make a keypad menu listen for speech too.
    assert demo.states["menu"].gather == GatherSpec("dtmf speech", 1, 6, "", "auto")
    assert demo.states["account"].record == RecordSpec(max_length=60)
    check = demo.states["check"].next
    assert check is not None
    assert [(b.target, b.condition is None) for b in check.branches] == [
        ("confirm", False),
        ("bye", True),
    ]


BROKEN_FLOWS = [
    pytest.param(
        """\
        flow: demo
        states: [unclosed
        """,
        None,
        "not valid YAML",
        id="invalid-yaml",
    ),
    pytest.param(
        VALID_FLOW + "version: 2\n",
        None,
        "unknown key(s) version",
        id="unknown-top-level-key",
    ),
    pytest.param(
        edit(VALID_FLOW, "flow: demo", "flow: other"),
        None,
        "`flow` must be 'demo'",
        id="flow-name-not-file-name",
    ),
    pytest.param(
        edit(VALID_FLOW, "bye: {end: hangup}", "bye: {end: hangup, sayy: [menu]}"),
        "bye",
        "unknown key(s) sayy",
        id="unknown-state-key",
    ),
    pytest.param(
        # A bare `on:` is YAML 1.1's boolean true, so the loader sees the key True.
        edit(VALID_FLOW, "transitions:", "on:"),
        "menu",
        "unknown key(s) True",
        id="bare-on-key",
    ),
    pytest.param(
        edit(VALID_FLOW, "gather: {digits: 1}", "gather: {digits: 1}\n    next: bye"),
        "menu",
        "a state needs exactly one of `answer`, `record`, `next`",
        id="gather-and-next",
    ),
    pytest.param(
        edit(VALID_FLOW, "bye: {end: hangup}", "bye: {say: []}"),
        "bye",
        "a state needs exactly one of `answer`, `record`, `next`",
        id="no-gather-next-or-end",
    ),
    pytest.param(
        edit(VALID_FLOW, '"1": bye', '"1": byee'),
        "menu",
        "goes to 'byee', which does not exist",
        id="dangling-target",
    ),
    pytest.param(
        edit(VALID_FLOW, "initial: menu", "initial: start"),
        None,
        "initial state 'start' does not exist",
        id="initial-state-does-not-exist",
    ),
    pytest.param(
        edit(VALID_FLOW, "initial: menu\n", ""),
        None,
        "initial state '' does not exist",
        id="no-initial-state",
    ),
    pytest.param(
        VALID_FLOW + "  orphan: {end: hangup}\n",
        "orphan",
        "cannot be reached from 'menu'",
        id="unreachable-state",
    ),
    pytest.param(
        edit(VALID_FLOW, '"1": bye', '"1": bye, "2": loop_a')
        + """\
  loop_a:
    gather: {}
    transitions: {"1": loop_b, timeout: loop_a, no_match: loop_a, fail: loop_b}
  loop_b:
    gather: {}
    transitions: {"1": loop_a, timeout: loop_b, no_match: loop_b, fail: loop_a}
""",
        "loop_a",
        "no path from here ever ends the call",
        id="trap-state",
    ),
    pytest.param(
        edit(VALID_FLOW, 'menu: {en: "Press 1.", es: "Oprima 1."}', 'menu: {en: "Press 1."}'),
        None,
        "prompt 'menu' has no 'es' text",
        id="prompt-missing-es",
    ),
    pytest.param(
        edit(VALID_FLOW, 'es: "Oprima 1."', 'es: "Oprima 1, {caller_name}."'),
        None,
        "uses unknown placeholder(s) caller_name",
        id="unknown-placeholder",
    ),
    pytest.param(
        edit(VALID_FLOW, "say: [menu]", "say: [menu, menuu]"),
        "menu",
        "says prompt 'menuu', which is not defined",
        id="undefined-prompt",
    ),
    pytest.param(
        edit(VALID_FLOW, "states:", '  spare: {en: "Spare.", es: "Sobra."}\nstates:'),
        None,
        "prompt 'spare' is defined but never said",
        id="prompt-never-said",
    ),
    pytest.param(
        edit(VALID_FLOW, '"1": bye', '"1": bye, "0": staff') + "  staff: {end: transfer}\n",
        "staff",
        "a transfer state takes exactly `transitions.unavailable`",
        id="transfer-without-unavailable",
    ),
    pytest.param(
        edit(VALID_FLOW, '"1": bye', "press_1: bye"),
        "menu",
        "unknown event 'press_1'",
        id="unknown-event",
    ),
    pytest.param(
        edit(VALID_FLOW, '"1": bye', '"1": {to: bye, language: fr}'),
        "menu",
        "`transitions.1` switches to unknown language 'fr'",
        id="unknown-language",
    ),
    # The newer rules, each breaking RICH_FLOW in one way.
    pytest.param(
        edit(RICH_FLOW, '{if: {field: hurt, is: "no"}', '{if: {field: hurt, equals: "no"}'),
        "check",
        "`if` takes only any, field, is, present",
        id="if-with-an-unknown-key",
    ),
    pytest.param(
        # Conditions are a vocabulary, never code.
        edit(RICH_FLOW, '{if: {field: hurt, is: "no"}', "{if: \"hurt == 'no'\""),
        "check",
        "`if` takes only any, field, is, present",
        id="if-as-code",
    ),
    pytest.param(
        edit(RICH_FLOW, '{field: hurt, is: "no"}', '{field: hurt, any: [hurt], is: "no"}'),
        "check",
        "`if` names either `field: F` or `any: [F, ...]`",
        id="if-with-field-and-any",
    ),
    pytest.param(
        edit(RICH_FLOW, '{field: hurt, is: "no"}', '{any: hurt, is: "no"}'),
        "check",
        "`if` fields must be field names",
        id="if-any-not-a-list",
    ),
    pytest.param(
        edit(RICH_FLOW, '{field: hurt, is: "no"}', '{field: hurt, is: "no", present: true}'),
        "check",
        "`if` needs exactly one of `is: VALUE` or `present: BOOL`",
        id="if-with-is-and-present",
    ),
    pytest.param(
        edit(RICH_FLOW, '{field: hurt, is: "no"}', '{field: hurt, present: "yes"}'),
        "check",
        "`if.present` must be true or false",
        id="if-present-not-a-boolean",
    ),
    pytest.param(
        edit(RICH_FLOW, '{field: hurt, is: "no"}', '{field: hurts, is: "no"}'),
        "check",
        "`if` reads field 'hurts', which no state stores",
        id="if-reads-an-unknown-field",
    ),
    pytest.param(
        edit(RICH_FLOW, "- {to: bye}", '- {if: {field: hurt, is: "yes"}, to: bye}'),
        "check",
        "`next`: the last branch must have no `if`",
        id="last-branch-conditional",
    ),
    pytest.param(
        edit(RICH_FLOW, '- {if: {field: hurt, is: "no"}, to: confirm}', "- {to: confirm}"),
        "check",
        "`next`: only the last branch may have no `if`",
        id="two-unconditional-branches",
    ),
    pytest.param(
        edit(
            RICH_FLOW,
            "{done: check, timeout: ask_item",
            "{done: [{if: {field: item, present: true}, to: check}], timeout: ask_item",
        ),
        "ask_item",
        "`transitions.done`: the last branch must have no `if`",
        id="answer-transition-last-branch-conditional",
    ),
    pytest.param(
        edit(
            RICH_FLOW,
            '- {if: {field: hurt, is: "no"}, to: confirm}\n      - {to: bye}',
            "[]",
        ),
        "check",
        "`next` has no branches",
        id="no-branches",
    ),
    pytest.param(
        edit(RICH_FLOW, '"no": ask_item, timeout: ask_hurt', "timeout: ask_hurt"),
        "ask_hurt",
        "a yes_no question needs `transitions.yes` and `.no`",
        id="yes_no-without-no",
    ),
    pytest.param(
        edit(RICH_FLOW, '{"yes": bye, "no": ask_item,', '{"no": ask_item,'),
        "ask_hurt",
        "a yes_no question needs `transitions.yes` and `.no`",
        id="yes_no-without-yes",
    ),
    pytest.param(
        edit(RICH_FLOW, "{done: check, timeout: ask_item", '{"1": check, timeout: ask_item'),
        "ask_item",
        "a text answer needs `transitions.done`",
        id="text-without-done",
    ),
    pytest.param(
        edit(RICH_FLOW, "transitions: {done: bye}", "transitions: {timeout: bye}"),
        "account",
        "a record state takes exactly `transitions.done`",
        id="record-without-done",
    ),
    pytest.param(
        edit(RICH_FLOW, "transitions: {done: bye}", "transitions: {done: bye, timeout: bye}"),
        "account",
        "a record state takes exactly `transitions.done`",
        id="record-with-more-than-done",
    ),
    pytest.param(
        edit(RICH_FLOW, "bye: {end: hangup}", "bye: {end: hangup, store: outcome}"),
        "bye",
        "`store` names a field, on a state that takes an answer",
        id="store-on-an-end-state",
    ),
    pytest.param(
        edit(RICH_FLOW, "record: {max_length: 60}", "record: {max_length: 60}\n    store: story"),
        "account",
        "`store` names a field, on a state that takes an answer",
        id="store-on-a-record-state",
    ),
    pytest.param(
        edit(RICH_FLOW, 'values: {"1": help}', 'values: {"1": help, "2": other}'),
        "menu",
        "`values` maps the menu's keys to what is stored",
        id="values-for-a-key-without-transition",
    ),
    pytest.param(
        edit(RICH_FLOW, '    values: {"1": help}\n', ""),
        "menu",
        "a menu that stores needs `values`",
        id="menu-store-without-values",
    ),
    pytest.param(
        edit(RICH_FLOW, "store: hurt\n", 'store: hurt\n    speech: {"1": ["yes"]}\n'),
        "ask_hurt",
        "`speech` words are for menus",
        id="speech-on-a-yes_no",
    ),
    pytest.param(
        edit(RICH_FLOW, 'speech: {"1": [help, ayuda]}', "speech: {help: [help, ayuda]}"),
        "menu",
        "`speech.help` must be a key with a list of words",
        id="speech-for-a-word-not-a-key",
    ),
    pytest.param(
        edit(RICH_FLOW, "answer: text", "answer: words"),
        "ask_item",
        "`answer` must be one of date, dollars, menu, phone, text, yes_no",
        id="unknown-answer-kind",
    ),
    pytest.param(
        edit(RICH_FLOW, "answer: menu\n", "answer: menu\n    gather: {digits: 2}\n"),
        "menu",
        "a menu takes `gather.digits: 1`",
        id="menu-with-two-digits",
    ),
    pytest.param(
        edit(RICH_FLOW, "answer: text\n", "answer: text\n    gather: {input: voice}\n"),
        "ask_item",
        "`gather.input` must be one of ['dtmf', 'dtmf speech', 'speech']",
        id="unknown-gather-input",
    ),
    pytest.param(
        edit(RICH_FLOW, "answer: text\n", "answer: text\n    record: {}\n"),
        "ask_item",
        "a state needs exactly one of `answer`, `record`, `next`",
        id="answer-and-record",
    ),
    pytest.param(
        edit(RICH_FLOW, "bye: {end: hangup}", "bye: {end: hangup, transitions: {done: bye}}"),
        "bye",
        "only answer, record and transfer states take `transitions`",
        id="transitions-on-a-hangup",
    ),
    pytest.param(
        edit(RICH_FLOW, "store: item\n", "store: item\n    unsure_below: high\n"),
        "ask_item",
        "`unsure_below` must be a confidence between 0 and 1",
        id="unsure_below-not-a-number",
    ),
    pytest.param(
        edit(RICH_FLOW, "store: item\n", "store: item\n    no_match_prompt: say_again\n"),
        "ask_item",
        "says prompt 'say_again', which is not defined",
        id="undefined-no_match_prompt",
    ),
    pytest.param(
        edit(RICH_FLOW, '"0": staff', '"0": main:staff'),
        "menu",
        "goes to flow 'main', which does not exist",
        id="target-in-a-missing-flow",
    ),
    pytest.param(
        edit(RICH_FLOW, '"0": staff', '"0": demo:staf'),
        "menu",
        "goes to 'demo:staf', which does not exist",
        id="qualified-target-missing",
    ),
    pytest.param(
        edit(RICH_FLOW, 'en: "You said {item}."', 'en: "You said {items}."'),
        None,
        "uses unknown placeholder(s) items",
        id="placeholder-not-a-stored-field",
    ),
]


@pytest.mark.parametrize(("flow", "state", "problem"), BROKEN_FLOWS)
def test_a_broken_flow_is_refused(
    tmp_path: Path, flow: str, state: str | None, problem: str
) -> None:
    error = load_error(write_flows(tmp_path, flow))
    assert error.file == "demo.yaml"
    assert error.state == state
    assert problem in error.problem
    assert problem in str(error)


@pytest.mark.parametrize("event", ["timeout", "no_match", "fail"])
def test_a_gather_state_needs_every_failure_event(tmp_path: Path, event: str) -> None:
    failures = {"timeout": "menu", "no_match": "menu", "fail": "bye"}
    del failures[event]
    transitions = ", ".join(['"1": bye'] + [f"{name}: {to}" for name, to in failures.items()])
    flow = edit(
        VALID_FLOW, '{"1": bye, timeout: menu, no_match: menu, fail: bye}', f"{{{transitions}}}"
    )
    assert f"{event}:" not in flow
    error = load_error(write_flows(tmp_path, flow))
    assert (error.file, error.state) == ("demo.yaml", "menu")
    assert error.problem == f"a gather state needs `transitions.{event}`"


def test_missing_shared_prompts_file(tmp_path: Path) -> None:
    error = load_error(write_flows(tmp_path, VALID_FLOW, shared=None))
    assert (error.file, error.state) == ("prompts.yaml", None)
    assert error.problem == f"missing from {tmp_path}"


def test_invalid_yaml_in_shared_prompts(tmp_path: Path) -> None:
    error = load_error(write_flows(tmp_path, VALID_FLOW, shared="prompts: {didnt_hear: [\n"))
    assert (error.file, error.state) == ("prompts.yaml", None)
    assert "not valid YAML" in error.problem


@pytest.mark.parametrize("engine_prompt", ENGINE_PROMPTS)
def test_shared_prompts_lacking_an_engine_prompt(tmp_path: Path, engine_prompt: str) -> None:
    shared = "".join(
        line for line in SHARED_PROMPTS.splitlines(keepends=True) if engine_prompt not in line
    )
    assert shared.count("\n") == SHARED_PROMPTS.count("\n") - 1
    error = load_error(write_flows(tmp_path, VALID_FLOW, shared=shared))
    assert (error.file, error.state) == ("prompts.yaml", None)
    assert error.problem == f"the engine needs prompt {engine_prompt!r}"


def test_shared_prompts_may_use_only_the_app_placeholders(tmp_path: Path) -> None:
    # A stored field is known to the flows, but the shared prompts are said outside any report.
    shared = SHARED_PROMPTS + '  about: {en: "About {item}.", es: "Sobre {item}."}\n'
    error = load_error(write_flows(tmp_path, RICH_FLOW, shared=shared))
    assert (error.file, error.state) == ("prompts.yaml", None)
    assert "prompt 'about' (en) uses unknown placeholder(s) item" in error.problem
    shared = SHARED_PROMPTS + '  about: {en: "Call {tru_number}.", es: "Llame al {tru_number}."}\n'
    assert "about" in load_flows(write_flows(tmp_path, RICH_FLOW, shared=shared)).shared


def test_a_folder_without_a_flow(tmp_path: Path) -> None:
    folder = write_flows(tmp_path / "empty", None)
    error = load_error(folder)
    assert (error.file, error.state) == ("empty", None)
    assert error.problem == "holds no flow"


def test_load_flow_reports_the_file_name_and_state(tmp_path: Path) -> None:
    path = write_flows(tmp_path, edit(VALID_FLOW, '"1": bye', '"1": gone')) / "demo.yaml"
    with pytest.raises(FlowError, match=r"^demo\.yaml: state 'menu': goes to 'gone'"):
        load_flow(path, load_flows(V2_FLOWS).shared)


def test_load_flow_checks_conditions_against_its_own_fields(tmp_path: Path) -> None:
    path = write_flows(tmp_path, RICH_FLOW) / "demo.yaml"
    assert set(load_flow(path, load_flows(V2_FLOWS).shared).states) >= {"check", "confirm"}
    write_flows(tmp_path, edit(RICH_FLOW, "field: hurt,", "field: hurts,"))
    with pytest.raises(FlowError, match=r"^demo\.yaml: state 'check': `if` reads field 'hurts'"):
        load_flow(path, load_flows(V2_FLOWS).shared)


def test_a_transfer_that_loops_to_itself_is_refused_at_load(tmp_path: Path) -> None:
    flow = (
        edit(VALID_FLOW, '"1": bye', '"1": bye, "0": staff')
        + "  staff: {end: transfer, transitions: {unavailable: staff}}\n"
    )
    error = load_error(write_flows(tmp_path, flow))
    assert error.state == "staff"
    assert error.problem == "no path from here ever ends the call"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ('bilingual: "false"', "`bilingual` must be true or false"),
        ("max_attempts: true", "`max_attempts` must be a positive whole number"),
        ('complete_report: "yes"', "`complete_report` must be true or false"),
    ],
)
def test_state_settings_must_have_their_real_types(tmp_path: Path, change, problem) -> None:
    flow = edit(VALID_FLOW, "bye: {end: hangup}", f"bye: {{end: hangup, {change}}}")
    assert flow != VALID_FLOW
    assert problem in load_error(write_flows(tmp_path, flow)).problem


# --- three failed tries: a person, an ending, or moving on said aloud ------------------------

#: RICH_FLOW where the item question, failed three times, goes on to the read-back (or goodbye).
MOVES_ON = edit(
    RICH_FLOW,
    "{done: check, timeout: ask_item, no_match: ask_item, fail: bye}",
    "{done: check, timeout: ask_item, no_match: ask_item, fail: check}",
)
OPTIONAL_ITEM = edit(MOVES_ON, "store: item\n", "store: item\n    optional: true\n")


def test_a_question_that_moves_on_without_saying_so_is_refused(tmp_path: Path) -> None:
    error = load_error(write_flows(tmp_path, MOVES_ON))
    assert (error.file, error.state) == ("demo.yaml", "ask_item")
    assert "`fail` neither offers a person nor ends the call" in error.problem
    assert "`optional: true`" in error.problem


def test_an_optional_question_moves_on_and_tells_the_caller(tmp_path: Path) -> None:
    demo = load_flows(write_flows(tmp_path, OPTIONAL_ITEM))["demo"]
    assert demo.states["ask_item"].optional is True
    first = advance(demo, "ask_item", 0, CallerInput())
    assert first == Move("ask_item", "timeout", 1, None, "didnt_hear")
    third = advance(demo, "ask_item", 2, CallerInput())
    assert third == Move("check", "fail", 0, None, "moving_on")


def test_a_question_that_is_not_optional_apologises_on_failing(tmp_path: Path) -> None:
    demo = load_flows(write_flows(tmp_path, RICH_FLOW))["demo"]
    assert advance(demo, "ask_item", 2, CallerInput()) == Move(
        "bye", "fail", 0, None, "too_many_tries"
    )


def test_optional_questions_need_the_moving_on_prompt(tmp_path: Path) -> None:
    shared = "".join(
        line for line in SHARED_PROMPTS.splitlines(keepends=True) if "moving_on" not in line
    )
    error = load_error(write_flows(tmp_path, OPTIONAL_ITEM, shared=shared))
    assert (error.file, error.state) == ("prompts.yaml", None)
    assert error.problem == "optional questions need prompt 'moving_on'"
    # Flows without an optional question do not need it.
    assert "demo" in load_flows(write_flows(tmp_path, RICH_FLOW, shared=shared)).flows


def test_optional_is_refused_where_failing_goes_to_a_person_or_an_ending(tmp_path: Path) -> None:
    flow = edit(RICH_FLOW, "store: hurt\n", "store: hurt\n    optional: true\n")
    error = load_error(write_flows(tmp_path, flow))
    assert error.state == "ask_hurt"
    assert "`optional` says the call moves on" in error.problem


@pytest.mark.parametrize(
    ("change", "state", "problem"),
    [
        (("store: item\n", "store: item\n    optional: yes please\n"), "ask_item", "true or false"),
        (
            ("bye: {end: hangup}", "bye: {end: hangup, optional: true}"),
            "bye",
            "`optional` is for questions",
        ),
    ],
)
def test_optional_is_a_flag_on_questions(tmp_path: Path, change, state, problem) -> None:
    error = load_error(write_flows(tmp_path, edit(RICH_FLOW, *change)))
    assert error.state == state
    assert problem in error.problem


def test_failing_into_a_menu_with_a_key_for_a_person_needs_no_optional(tmp_path: Path) -> None:
    # The main menu, with its 0 for a staff member, is as good as offering the person.
    flow = edit(
        RICH_FLOW,
        "{done: check, timeout: ask_item, no_match: ask_item, fail: bye}",
        "{done: check, timeout: ask_item, no_match: ask_item, fail: menu}",
    )
    assert "demo" in load_flows(write_flows(tmp_path, flow)).flows


def test_failing_into_a_last_offer_before_goodbye_needs_no_optional(tmp_path: Path) -> None:
    # "To get it by text, press 1": silence or failing there ends the call, so it is an ending.
    flow = edit(
        RICH_FLOW,
        "{done: check, timeout: ask_item, no_match: ask_item, fail: bye}",
        "{done: check, timeout: ask_item, no_match: ask_item, fail: offer}",
    )
    flow += """\
  offer:
    say: [ask_hurt]
    answer: yes_no
    transitions: {"yes": bye, "no": bye, timeout: bye, no_match: offer, fail: bye}
"""
    assert "offer" in load_flows(write_flows(tmp_path, flow))["demo"].states


def test_every_question_of_the_line_fails_to_a_person_an_ending_or_moves_on_aloud(
    real_flows,
) -> None:
    """Three failures anywhere: the caller hears either the apology before a person or an
    ending, or that the line moves on because staff can fill the detail in."""
    optional = set()
    for flow in real_flows.flows.values():
        for state in flow.states.values():
            if state.gather is None:
                continue
            move = advance(flow, state.id, state.max_attempts - 1, CallerInput(), {}, now=NOW)
            assert move.outcome == "fail", (flow.id, state.id)
            assert move.notice == ("moving_on" if state.optional else "too_many_tries")
            if state.optional:
                optional.add(f"{flow.id}:{state.id}")
    # The sub-menus move on; the questions that decide who responds offer a person.
    assert {"lost_property:ask_category", "larceny:ask_premises"} <= optional
    for question in ("main:main_menu", "lost_property:ask_firearm", "larceny:ask_hurt"):
        assert question not in optional
        flow_id, state_id = question.split(":")
        move = advance(real_flows[flow_id], state_id, 2, CallerInput(), {}, now=NOW)
        assert (move.flow or flow_id, move.state) == ("main", "staff")


@pytest.mark.parametrize("flow_id", ["lost_property", "larceny"])
def test_where_heard_poorly_is_read_back_and_forgotten_if_wrong(real_flows, flow_id) -> None:
    flow = real_flows[flow_id]
    heard = advance(
        flow, "ask_where", 0, CallerInput(speech="Charles Street", confidence=0.3), {}, now=NOW
    )
    assert (heard.state, heard.outcome, dict(heard.stored)) == (
        "confirm_where",
        "unsure",
        {"where": "Charles Street"},
    )
    clear = advance(
        flow, "ask_where", 0, CallerInput(speech="Charles Street", confidence=0.9), {}, now=NOW
    )
    assert (clear.state, clear.outcome) == ("ask_when", "done")
    wrong = advance(flow, "confirm_where", 0, CallerInput(digits="2"), {}, now=NOW)
    assert (wrong.state, dict(wrong.stored)) == ("ask_where", {"where": None})
    right = advance(flow, "confirm_where", 0, CallerInput(digits="1"), {}, now=NOW)
    assert (right.state, dict(right.stored)) == ("ask_when", {})


def test_a_prompt_said_only_when_not_understood_counts_as_said(tmp_path: Path) -> None:
    flow = edit(
        RICH_FLOW,
        "store: item\n",
        "store: item\n    no_match_prompt: say_again\n",
    )
    flow = edit(flow, "states:", '  say_again: {en: "Again?", es: "¿Otra vez?"}\nstates:')
    loaded = load_flows(write_flows(tmp_path, flow))
    assert loaded.state("demo", "ask_item").no_match_prompt == "say_again"


def test_a_field_stored_as_two_kinds_is_refused(tmp_path: Path) -> None:
    flow = edit(RICH_FLOW, "{done: check, timeout: ask_item", "{done: ask_value, timeout: ask_item")
    flow += """\
  ask_value:
    say: [ask_item]
    answer: dollars
    store: item
    transitions: {done: check, timeout: ask_value, no_match: ask_value, fail: bye}
"""
    error = load_error(write_flows(tmp_path, flow))
    assert (error.file, error.state) == ("demo.yaml", "ask_value")
    assert error.problem == "stores 'item' as dollars, elsewhere as text"


def test_a_field_stored_as_two_kinds_in_two_flows_is_refused(tmp_path: Path) -> None:
    other = """\
flow: other
initial: ask_when
prompts:
  ask_when: {en: "When?", es: "¿Cuándo?"}
states:
  ask_when:
    say: [ask_when]
    answer: date
    store: item
    transitions: {done: bye, timeout: ask_when, no_match: ask_when, fail: bye}
  bye: {end: hangup}
"""
    error = load_error(write_set(tmp_path, {"demo": RICH_FLOW, "other": other}))
    assert (error.file, error.state) == ("other.yaml", "ask_when")
    assert error.problem == "stores 'item' as date, elsewhere as text"


def test_a_choice_may_store_a_field_a_typed_answer_also_stores(tmp_path: Path) -> None:
    # As caller.yaml does: "yes, call me here" and a typed number both store callback_number.
    flow = edit(RICH_FLOW, "{done: check, timeout: ask_item", "{done: ask_phone, timeout: ask_item")
    flow = edit(flow, "store: hurt", "store: phone\n    values: {'yes': '=caller_number'}")
    flow = edit(flow, "{field: hurt, is:", "{field: phone, is:")
    flow += """\
  ask_phone:
    say: [ask_item]
    answer: phone
    store: phone
    transitions: {done: check, timeout: ask_phone, no_match: ask_phone, fail: bye}
"""
    loaded = load_flows(write_flows(tmp_path, flow))
    assert loaded.fields["phone"] == "phone"
    assert loaded.state("demo", "ask_hurt").values == {"yes": "=caller_number"}


# --- validation across flows --------------------------------------------------------------------

FRONT_FLOW = """\
flow: front
initial: menu
prompts:
  menu: {en: "Press 1 or 2.", es: "Oprima 1 o 2."}
states:
  menu:
    say: [menu]
    gather: {}
    transitions: {"1": "back:", "2": back:middle, timeout: menu, no_match: menu, fail: bye}
  bye: {end: hangup}
"""

BACK_FLOW = """\
flow: back
initial: entry
prompts:
  entry: {en: "The back flow.", es: "El flujo de atrás."}
  middle: {en: "The middle.", es: "El medio."}
states:
  entry:
    say: [entry]
    next: front:bye
  middle:
    say: [middle]
    next: entry
"""


def test_cross_flow_targets_load(tmp_path: Path) -> None:
    loaded = load_flows(write_set(tmp_path, {"front": FRONT_FLOW, "back": BACK_FLOW}))
    menu = loaded.state("front", "menu")
    # `back:` is the back flow's initial state; `back:middle` a named one.
    assert [(b.flow, b.target) for b in menu.transitions["1"].branches] == [("back", "")]
    assert [(b.flow, b.target) for b in menu.transitions["2"].branches] == [("back", "middle")]
    assert loaded.state("back", "entry").next is not None
    assert loaded.state("back", "entry").next.branches[0].flow == "front"


def test_a_state_reached_only_from_another_flow_is_reachable(tmp_path: Path) -> None:
    # back:middle is reached only from front:menu; without that edge it is unreachable.
    flow = edit(FRONT_FLOW, '"2": back:middle, ', "")
    error = load_error(write_set(tmp_path, {"front": flow, "back": BACK_FLOW}))
    assert (error.file, error.state) == ("back.yaml", "middle")
    assert error.problem == "cannot be reached from 'entry'"


def test_a_flow_nobody_goes_to_is_still_an_entry(tmp_path: Path) -> None:
    # Every flow's initial state is an entry (the app may start a caller there).
    flow = edit(FRONT_FLOW, '"1": "back:", "2": back:middle, ', '"1": bye, ')
    back = edit(BACK_FLOW, "next: front:bye", "next: middle")
    back = edit(back, "next: entry", "next: front:bye")
    loaded = load_flows(write_set(tmp_path, {"front": flow, "back": back}))
    assert set(loaded.flows) == {"front", "back"}
    assert set(loaded.state("front", "menu").transitions) == {"1", "timeout", "no_match", "fail"}


def test_a_loop_across_states_that_never_ends_is_a_trap(tmp_path: Path) -> None:
    back = edit(BACK_FLOW, "next: front:bye", "next: middle")
    back = edit(back, "next: entry", 'next: "back:"')
    error = load_error(write_set(tmp_path, {"front": FRONT_FLOW, "back": back}))
    assert error.file == "back.yaml"
    assert error.problem == "no path from here ever ends the call"


# --- advance: walking the caller through the main flow ------------------------------------------


def step(
    flow: Flow,
    state: str,
    attempts: int = 0,
    facts: Mapping[str, Any] | None = None,
    *,
    language: str = "en",
    **given: Any,
) -> Move:
    return advance(flow, state, attempts, CallerInput(**given), facts, now=NOW, language=language)


@pytest.mark.parametrize(
    ("digits", "flow", "target"),
    [
        ("1", "lost_property", "intake"),
        ("2", "larceny", "intake"),
        ("3", None, "accident_hurt"),
        ("4", None, "ask_reason"),
        ("0", None, "staff"),
        (" 1 ", "lost_property", "intake"),
    ],
)
def test_a_matched_key_moves_on(main: Flow, digits: str, flow: str | None, target: str) -> None:
    assert step(main, "main_menu", 2, digits=digits) == Move(
        target, digits.strip(), 0, flow=flow, stored={}
    )


@pytest.mark.parametrize(("digits", "language"), [("1", "en"), ("2", "es")])
def test_the_language_menu_switches_language(main: Flow, digits: str, language: str) -> None:
    assert step(main, "language", digits=digits) == Move("main_menu", digits, 0, language)


@pytest.mark.parametrize("state", ["language", "main_menu"])
def test_star_repeats_without_counting_an_attempt(main: Flow, state: str) -> None:
    assert step(main, state, 2, digits="*") == Move(state, "repeat", 2)


@pytest.mark.parametrize("digits", ["", "   "])
def test_silence_is_a_timeout(main: Flow, digits: str) -> None:
    assert step(main, "main_menu", digits=digits) == Move(
        "main_menu", "timeout", 1, None, "didnt_hear"
    )


@pytest.mark.parametrize("digits", ["5", "7", "#", "11", "1'; DROP", "1 0", "timeout", "one"])
def test_a_wrong_or_garbled_key_is_no_match(main: Flow, digits: str) -> None:
    assert step(main, "main_menu", digits=digits) == Move(
        "main_menu", "no_match", 1, None, "not_an_option"
    )


def test_attempts_count_up_and_the_third_failure_goes_to_fail(main: Flow) -> None:
    first = step(main, "main_menu", 0, digits="")
    assert first == Move("main_menu", "timeout", 1, None, "didnt_hear")
    second = step(main, first.state, first.attempts, digits="9")
    assert second == Move("main_menu", "no_match", 2, None, "not_an_option")
    third = step(main, second.state, second.attempts, digits="")
    assert third == Move("staff", "fail", 0, None, "too_many_tries")


def test_three_silent_tries_on_the_language_menu_carry_on_in_english(main: Flow) -> None:
    attempts, moves = 0, []
    for _ in range(3):
        move = step(main, "language", attempts, digits="")
        moves.append(move)
        attempts = move.attempts
    assert moves == [
        Move("language", "timeout", 1, None, "didnt_hear"),
        Move("language", "timeout", 2, None, "didnt_hear"),
        Move("main_menu", "fail", 0, "en", "too_many_tries"),
    ]


def test_a_good_key_after_failures_resets_attempts(main: Flow) -> None:
    assert step(main, "main_menu", 2, digits="1") == Move("intake", "1", 0, flow="lost_property")


@pytest.mark.parametrize("status", ["completed", "answered"])
def test_an_answered_transfer_is_transferred(main: Flow, status: str) -> None:
    assert step(main, "staff", dial_status=status) == Move("staff", "transferred")


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
def test_an_unanswered_transfer_goes_to_unavailable(main: Flow, status: str) -> None:
    assert step(main, "staff", dial_status=status) == Move("nobody_available", f"dial:{status}", 0)


def test_a_transfer_without_dial_status_goes_to_unavailable(main: Flow) -> None:
    assert step(main, "staff") == Move("nobody_available", "dial:unknown", 0)


@pytest.mark.parametrize(("flow_id", "state"), [("main", "emergency"), ("caller", "complete")])
def test_a_stale_request_for_a_state_that_waits_for_nothing_repeats(
    flows: FlowSet, flow_id: str, state: str
) -> None:
    assert step(flows[flow_id], state, 1, digits="1") == Move(state, "repeat", 1)


# --- advance: menus by speech ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("speech", "language", "flow", "target", "key"),
    [
        ("I lost my wallet", "en", "lost_property", "intake", "1"),
        ("Lost property.", "en", "lost_property", "intake", "1"),
        ("someone stole my bike", "en", "larceny", "intake", "2"),
        ("Me robaron el carro", "es", "larceny", "intake", "2"),
        ("Perdí mi cartera", "es", "lost_property", "intake", "1"),
        ("a car accident", "en", None, "accident_hurt", "3"),
        ("something else", "en", None, "ask_reason", "4"),
        ("Operator, please!", "en", None, "staff", "0"),
    ],
)
def test_the_main_menu_understands_words(
    main: Flow, speech: str, language: str, flow: str | None, target: str, key: str
) -> None:
    move = step(main, "main_menu", 1, speech=speech, language=language)
    assert move == Move(target, key, 0, None, None, flow, {})


@pytest.mark.parametrize(
    "speech",
    [
        "I lost something and it was stolen",  # two keys' words: ask again
        "my brother's car",  # "other" only as part of a word
        "hello",
    ],
)
def test_menu_words_that_are_not_exactly_one_choice_are_no_match(main: Flow, speech: str) -> None:
    assert step(main, "main_menu", speech=speech) == Move(
        "main_menu", "no_match", 1, None, "not_an_option"
    )


def test_a_menu_without_speech_words_does_not_guess(main: Flow) -> None:
    assert step(main, "language", speech="English") == Move(
        "language", "no_match", 1, None, "not_an_option"
    )


@pytest.mark.parametrize(
    ("speech", "language"), [("I don't know", "en"), ("Not sure.", "en"), ("No sé", "es")]
)
def test_i_dont_know_on_a_menu_with_star_repeats(main: Flow, speech: str, language: str) -> None:
    assert step(main, "main_menu", 2, speech=speech, language=language) == Move(
        "main_menu", "repeat", 2
    )


# --- advance: answers of every kind -----------------------------------------------------------


def test_a_text_answer_is_stored_cleaned(lost: Flow) -> None:
    assert step(lost, "ask_item", 2, speech="  a black   leather wallet ") == Move(
        "confirm_item", "done", 0, stored={"item": "a black leather wallet"}
    )


@pytest.mark.parametrize(
    ("confidence", "outcome"), [(None, "done"), (0.9, "done"), (0.5, "done"), (0.49, "unsure")]
)
def test_a_text_answer_heard_poorly_goes_unsure(
    lost: Flow, confidence: float | None, outcome: str
) -> None:
    move = step(lost, "ask_item", speech="a black wallet", confidence=confidence)
    assert move == Move("confirm_item", outcome, 0, stored={"item": "a black wallet"})


def test_low_confidence_is_done_where_the_state_has_no_unsure(caller: Flow) -> None:
    assert "unsure" not in caller.states["ask_name"].transitions
    assert step(caller, "ask_name", speech="Jane Doe", confidence=0.2) == Move(
        "confirm_name", "done", 0, stored={"caller_name": "Jane Doe"}
    )


def test_a_key_at_a_speech_answer_is_not_understood(lost: Flow) -> None:
    assert step(lost, "ask_item", digits="5") == Move(
        "ask_item", "no_match", 1, None, "didnt_understand"
    )


def test_a_text_answer_may_also_take_a_key(lost: Flow) -> None:
    assert step(lost, "ask_serial", digits="#") == Move("ask_value", "#", 0)
    assert step(lost, "ask_serial", speech="A B 1 2 3") == Move(
        "ask_value", "done", 0, stored={"serial_number": "A B 1 2 3"}
    )


def test_i_dont_know_is_an_answer_where_star_is_not_a_way_out(lost: Flow) -> None:
    assert "*" not in lost.states["ask_where"].transitions
    assert step(lost, "ask_where", speech="I don't know") == Move(
        "ask_when", "done", 0, stored={"where": "I don't know"}
    )


@pytest.mark.parametrize(
    ("given", "language"),
    [
        ({"digits": "250"}, "en"),
        ({"digits": "250#"}, "en"),
        ({"speech": "250 dollars"}, "en"),
        ({"speech": "about two hundred fifty dollars"}, "en"),
        ({"speech": "doscientos cincuenta dólares"}, "es"),
    ],
)
def test_a_dollar_amount_is_stored_as_whole_dollars(
    lost: Flow, given: dict[str, str], language: str
) -> None:
    assert step(lost, "ask_value", 1, language=language, **given) == Move(
        "confirm_value", "done", 0, stored={"value": 250}
    )


@pytest.mark.parametrize(
    ("given", "language"),
    [
        ({"digits": "*"}, "en"),
        ({"speech": "I don't know"}, "en"),
        ({"speech": "no idea"}, "en"),
        ({"speech": "No lo sé."}, "es"),
    ],
)
def test_star_or_i_dont_know_skips_the_value(
    larceny: Flow, given: dict[str, str], language: str
) -> None:
    # Nothing stands for the value, not even one the caller gave before and then rejected.
    assert step(larceny, "ask_value", 1, language=language, **given) == Move(
        "ask_where", "*", 0, stored={"value": None}
    )


@pytest.mark.parametrize(
    ("flow_name", "state", "field"),
    [
        ("larceny", "confirm_value", "value"),
        ("larceny", "confirm_item", "item"),
        ("lost_property", "confirm_value", "value"),
        ("lost_property", "confirm_item", "item"),
        ("caller", "confirm_name", "caller_name"),
        ("caller", "confirm_callback_number", "callback_number"),
    ],
)
def test_a_read_back_the_caller_rejects_is_forgotten(real_flows, flow_name, state, field) -> None:
    flow = real_flows[flow_name]
    no = step(flow, state, 0, digits="2")
    assert no.stored == {field: None}
    assert step(flow, state, 0, digits="1").stored == {}


def test_a_state_id_given_twice_is_refused(tmp_path) -> None:
    from ivr.flows import FlowError, load_flows

    for source in (Path(__file__).resolve().parents[1] / "flows").glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    lost = tmp_path / "lost_property.yaml"
    text = lost.read_text(encoding="utf-8")
    lost.write_text(
        text + "\n  ask_how:\n    say: [ask_how]\n    next: ask_name\n", encoding="utf-8"
    )
    with pytest.raises(FlowError, match="'ask_how' is defined twice") as raised:
        load_flows(tmp_path)
    assert raised.value.file == "lost_property.yaml"


@pytest.mark.parametrize("given", [{"speech": "a lot"}, {"speech": "two fifty"}, {"digits": "2*5"}])
def test_an_amount_not_understood_asks_again(lost: Flow, given: dict[str, str]) -> None:
    assert step(lost, "ask_value", **given) == Move(
        "ask_value", "no_match", 1, None, "didnt_understand"
    )


@pytest.mark.parametrize(
    "given",
    [
        {"digits": CALLER_DIGITS},
        {"digits": "1" + CALLER_DIGITS},
        {"speech": "four one oh, three nine six, two five two five"},
        {"speech": "410 396 2525"},
    ],
)
def test_a_valid_phone_number_is_stored_in_e164(caller: Flow, given: dict[str, str]) -> None:
    assert answers.parse_phone(**given) == CALLER_E164
    assert step(caller, "ask_callback_number", **given) == Move(
        "confirm_callback_number", "done", 0, stored={"callback_number": CALLER_E164}
    )


@pytest.mark.parametrize(
    "given",
    [
        {"digits": CALLER_DIGITS[:-1]},  # nine digits
        {"digits": "0123456789"},  # no such area code
        {"digits": "1234567890"},
        {"speech": "my number is four one oh"},
    ],
)
def test_an_invalid_phone_number_says_why_and_asks_again(
    caller: Flow, given: dict[str, str]
) -> None:
    assert answers.parse_phone(**given) is None
    assert step(caller, "ask_callback_number", **given) == Move(
        "ask_callback_number", "no_match", 1, None, "number_not_valid"
    )


@pytest.mark.parametrize(
    ("given", "language", "day"),
    [
        ({"digits": "1201"}, "en", "2026-12-01"),
        ({"digits": "1201#"}, "en", "2026-12-01"),
        ({"speech": "yesterday"}, "en", "2026-12-01"),
        ({"speech": "ayer"}, "es", "2026-12-01"),
        ({"speech": "today"}, "en", "2026-12-02"),
        # A month and day still to come this year is last year's.
        ({"digits": "1225"}, "en", "2025-12-25"),
    ],
)
def test_a_date_is_stored_as_an_iso_day(
    lost: Flow, given: dict[str, str], language: str, day: str
) -> None:
    assert step(lost, "ask_when", language=language, **given) == Move(
        "ask_how", "done", 0, stored={"when": day}
    )


@pytest.mark.parametrize("given", [{"speech": "tomorrow"}, {"speech": "next Friday"}])
def test_a_future_date_gets_the_states_own_notice(
    lost: Flow, larceny: Flow, given: dict[str, str]
) -> None:
    for flow in (lost, larceny):
        assert flow.states["ask_when"].no_match_prompt == "date_not_understood"
        assert step(flow, "ask_when", **given) == Move(
            "ask_when", "no_match", 1, None, "date_not_understood"
        )


def test_a_date_not_understood_three_times_moves_on(larceny: Flow) -> None:
    first = step(larceny, "ask_when", speech="tomorrow")
    second = step(larceny, "ask_when", first.attempts, digits="")
    third = step(larceny, "ask_when", second.attempts, speech="the day after tomorrow")
    assert (first.attempts, second.notice) == (1, "didnt_hear")
    assert third == Move("ask_premises", "fail", 0, None, "moving_on")


@pytest.mark.parametrize(
    ("given", "language", "event"),
    [
        ({"digits": "1"}, "en", "yes"),
        ({"digits": "2"}, "en", "no"),
        ({"speech": "yes"}, "en", "yes"),
        ({"speech": "Yes, somebody is hurt."}, "en", "yes"),
        ({"speech": "nobody is hurt"}, "en", "no"),
        ({"speech": "no"}, "en", "no"),
        ({"speech": "Sí"}, "es", "yes"),
        ({"speech": "no"}, "es", "no"),
    ],
)
def test_a_yes_no_question_by_key_or_speech(
    main: Flow, given: dict[str, str], language: str, event: str
) -> None:
    target = {"yes": "emergency", "no": "accident_impaired"}[event]
    assert step(main, "accident_hurt", 2, language=language, **given) == Move(
        target, event, 0, stored={"anyone_hurt": event}
    )


@pytest.mark.parametrize(
    "given", [{"digits": "3"}, {"digits": "12"}, {"speech": "maybe"}, {"speech": "yes and no"}]
)
def test_a_yes_no_answer_not_understood(main: Flow, given: dict[str, str]) -> None:
    assert step(main, "accident_impaired", **given) == Move(
        "accident_impaired", "no_match", 1, None, "didnt_understand"
    )


def test_a_yes_no_question_that_stores_nothing(lost: Flow) -> None:
    assert lost.states["confirm_item"].store is None
    assert step(lost, "confirm_item", speech="yes") == Move("ask_category", "yes", 0)
    assert step(lost, "confirm_item", digits="2") == Move("ask_item", "no", 0)
    # Unsure at a yes/no question: asked again, counted as not understood.
    assert step(lost, "confirm_item", 1, speech="I'm not sure") == Move(
        "confirm_item", "no_match", 2, None, "didnt_understand"
    )


def test_a_spanish_no_followed_by_se_is_a_no(lost: Flow) -> None:
    assert answers.parse_yes_no("No, se equivocó", "es") is False
    assert step(lost, "confirm_item", speech="No, se equivocó", language="es") == Move(
        "ask_item", "no", 0
    )


# --- advance: what answers store ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "key", "value"),
    [
        ({"digits": "1"}, "1", "electronics"),
        ({"digits": "2"}, "2", "wallet_or_bag"),
        ({"speech": "my wallet"}, "2", "wallet_or_bag"),
        ({"speech": "las llaves"}, "3", "documents_or_keys"),
        ({"digits": "5"}, "5", "other"),
    ],
)
def test_a_menu_stores_the_value_of_its_key(
    lost: Flow, given: dict[str, str], key: str, value: str
) -> None:
    assert step(lost, "ask_category", **given) == Move(
        "ask_description", key, 0, stored={"category": value}
    )


def test_a_menu_repeat_stores_nothing(larceny: Flow) -> None:
    assert step(larceny, "ask_premises", 1, digits="*") == Move("ask_premises", "repeat", 1)
    assert step(larceny, "ask_premises", speech="from my car") == Move(
        "ask_evidence", "2", 0, stored={"premises": "vehicle"}
    )


@pytest.mark.parametrize("given", [{"digits": "1"}, {"speech": "yes please"}])
def test_yes_stores_the_number_the_caller_is_calling_from(
    caller: Flow, given: dict[str, str]
) -> None:
    facts = {"caller_number": CALLER_E164}
    assert caller.states["offer_caller_number"].values == {"yes": "=caller_number"}
    assert step(caller, "offer_caller_number", 0, facts, **given) == Move(
        "account", "yes", 0, stored={"callback_number": CALLER_E164}
    )


def test_no_stores_nothing_when_only_yes_has_a_value(caller: Flow) -> None:
    facts = {"caller_number": CALLER_E164}
    assert step(caller, "offer_caller_number", 0, facts, digits="2") == Move(
        "ask_callback_number", "no", 0
    )


def test_a_copied_call_fact_that_is_missing_stores_nothing(caller: Flow) -> None:
    assert step(caller, "offer_caller_number", 0, {}, digits="1") == Move("account", "yes", 0)


# --- advance: moves between flows -------------------------------------------------------------


def test_eligibility_answers_lead_into_the_main_flows_endings(lost: Flow, larceny: Flow) -> None:
    assert step(lost, "ask_weapon", digits="1") == Move(
        "emergency", "yes", 0, flow="main", stored={"weapon": "yes"}
    )
    assert step(lost, "ask_in_city", speech="no") == Move(
        "outside_city", "no", 0, flow="main", stored={"in_city": "no"}
    )
    assert step(larceny, "ask_happening_now", speech="yes it is") == Move(
        "emergency", "yes", 0, flow="main", stored={"happening_now": "yes"}
    )
    assert step(lost, "ask_weapon", 2, digits="") == Move(
        "staff", "fail", 0, None, "too_many_tries", "main"
    )


def test_the_last_question_of_a_report_leads_to_the_caller_flow(lost: Flow, larceny: Flow) -> None:
    assert step(lost, "ask_how", speech="It fell out of my bag") == Move(
        "ask_name", "done", 0, flow="caller", stored={"how_lost": "It fell out of my bag"}
    )
    assert step(larceny, "ask_vehicle", digits="2") == Move(
        "ask_name", "no", 0, flow="caller", stored={"vehicle_involved": "no"}
    )


# --- advance: conditional branches --------------------------------------------------------------

BRANCH_FLOW = """\
flow: demo
initial: pick
prompts:
  pick: {en: "Press 1 for gold or 2 for plain.", es: "Oprima 1 para oro o 2 para normal."}
  ask_hurt: {en: "Is anyone hurt?", es: "¿Hay alguien herido?"}
  ask_value: {en: "How much?", es: "¿Cuánto?"}
  big: {en: "Big.", es: "Grande."}
  small: {en: "Small.", es: "Pequeño."}
  urgent: {en: "Urgent.", es: "Urgente."}
states:
  pick:
    say: [pick]
    answer: menu
    store: tier
    values: {"1": gold, "2": plain}
    transitions: {"1": ask_hurt, "2": ask_hurt, timeout: pick, no_match: pick, fail: small}
  ask_hurt:
    say: [ask_hurt]
    answer: yes_no
    store: hurt
    transitions:
      "yes":
        - {if: {field: tier, is: gold}, to: urgent}
        - {to: ask_value}
      "no": ask_value
      timeout: ask_hurt
      no_match: ask_hurt
      fail:
        - {if: {field: caller_number, present: false}, to: small}
        - {to: big}
  ask_value:
    say: [ask_value]
    answer: dollars
    store: value
    transitions:
      done:
        - {if: {field: value, is: 1000}, to: big}
        - {if: {any: [tier, hurt], is: yes}, to: urgent}
        - {to: small}
      timeout: ask_value
      no_match: ask_value
      fail: small
  big: {say: [big], end: hangup}
  small: {say: [small], end: hangup}
  urgent: {say: [urgent], end: hangup}
"""


@pytest.fixture(scope="module")
def branching(tmp_path_factory: pytest.TempPathFactory) -> Flow:
    return load_flows(write_flows(tmp_path_factory.mktemp("branches"), BRANCH_FLOW))["demo"]


@pytest.mark.parametrize(
    ("facts", "target"),
    [({"tier": "gold"}, "urgent"), ({"tier": "plain"}, "ask_value"), ({}, "ask_value")],
)
def test_a_branch_reads_earlier_answers(branching: Flow, facts: dict, target: str) -> None:
    assert step(branching, "ask_hurt", 0, facts, digits="1") == Move(
        target, "yes", 0, stored={"hurt": "yes"}
    )


@pytest.mark.parametrize(
    ("digits", "facts", "target"),
    [
        ("1000", {}, "big"),  # the answer just given counts (YAML's 1000 matches 1000 dollars)
        ("20", {"value": 1000}, "small"),  # ...and replaces an older one
        ("20", {"hurt": "yes"}, "urgent"),  # `any`, with YAML's bare yes read as "yes"
        ("20", {"tier": "gold", "hurt": "no"}, "small"),
        ("20", {}, "small"),
    ],
)
def test_a_branch_reads_the_answer_just_given(
    branching: Flow, digits: str, facts: dict, target: str
) -> None:
    assert step(branching, "ask_value", 0, facts, digits=digits) == Move(
        target, "done", 0, stored={"value": int(digits)}
    )


@pytest.mark.parametrize(
    ("facts", "target"),
    [({}, "small"), ({"caller_number": None}, "small"), ({"caller_number": CALLER_E164}, "big")],
)
def test_a_failure_branch_reads_call_facts(branching: Flow, facts: dict, target: str) -> None:
    assert step(branching, "ask_hurt", 2, facts, speech="") == Move(
        target, "fail", 0, None, "too_many_tries"
    )


def test_a_menu_stores_a_value_that_later_branches_read(branching: Flow) -> None:
    move = step(branching, "pick", digits="1")
    assert move == Move("ask_hurt", "1", 0, stored={"tier": "gold"})
    assert step(branching, move.state, 0, dict(move.stored), speech="yes").state == "urgent"


def test_an_answer_leading_to_another_flows_initial_state_can_be_followed(
    tmp_path: Path,
) -> None:
    loaded = load_flows(write_set(tmp_path, {"front": FRONT_FLOW, "back": BACK_FLOW}))
    move = advance(loaded["front"], "menu", 0, CallerInput(digits="1"))
    assert move.flow == "back"
    result = render(loaded, loaded[move.flow], move.state, context())
    assert result.entered[0] == ("back", "entry")


# --- render: TwiML --------------------------------------------------------------------------------

ACTION_URL = "https://tru.example.org/voice/step/3?lang=en"
RECORDING_URL = "https://tru.example.org/voice/recording"
TRANSCRIPTION_URL = "https://tru.example.org/voice/transcription"
OPERATOR = "+14105550100"
VOICES = {"en": Voice("Polly.Joanna-Neural", "en-US"), "es": Voice("Polly.Lupe-Neural", "es-US")}
VALUES = {
    "hours": "Monday to Friday, 8 AM to 4 PM",
    "next_opening": "tomorrow at 8 AM",
    "online_report_site": "baltimorepolice.org/report",
    "tru_number": "410 555 0199",
}


def context(
    language: str = "en", operator_number: str | None = None, *, recordings: bool = False
) -> RenderContext:
    return RenderContext(
        language=language,
        action_url=ACTION_URL,
        voices=VOICES,
        values=VALUES,
        operator_number=operator_number,
        recording_callback_url=RECORDING_URL if recordings else "",
        transcription_callback_url=TRANSCRIPTION_URL if recordings else "",
        now=NOW,
    )


def report_numbers(state: State) -> dict[str, str]:
    """An on_enter like the app's: completing the report gives it its number."""
    return {"report_number": REPORT_NUMBER} if state.complete_report else {}


#: Every document these tests render, by name; each one is also checked against Twilio's schema.
RENDERS: dict[str, Callable[[FlowSet], Rendered]] = {
    "welcome": lambda fs: render(fs, fs["main"], "welcome", context("en")),
    "language-after-timeout-es": lambda fs: render(
        fs, fs["main"], "language", context("es"), notice="didnt_hear"
    ),
    "main-menu-es-after-no-match": lambda fs: render(
        fs, fs["main"], "main_menu", context("es"), notice="not_an_option"
    ),
    "main-menu-en": lambda fs: render(fs, fs["main"], "main_menu", context("en")),
    "main-menu-es": lambda fs: render(fs, fs["main"], "main_menu", context("es")),
    "nobody-available": lambda fs: render(fs, fs["main"], "nobody_available", context("en")),
    "emergency": lambda fs: render(fs, fs["main"], "emergency", context("en")),
    "staff-with-operator": lambda fs: render(
        fs, fs["main"], "staff", context("en", OPERATOR), notice="too_many_tries"
    ),
    "staff-without-operator-es": lambda fs: render(fs, fs["main"], "staff", context("es")),
    "accident-hurt-after-no-match": lambda fs: render(
        fs, fs["main"], "accident_hurt", context("en"), notice="didnt_understand"
    ),
    "lost-property-intake": lambda fs: render(fs, fs["lost_property"], "intake", context("en")),
    "larceny-intake-es": lambda fs: render(fs, fs["larceny"], "intake", context("es")),
    "ask-item-en": lambda fs: render(fs, fs["lost_property"], "ask_item", context("en")),
    "ask-item-es": lambda fs: render(fs, fs["lost_property"], "ask_item", context("es")),
    "confirm-item": lambda fs: render(
        fs, fs["lost_property"], "confirm_item", context("en"), facts={"item": "a black wallet"}
    ),
    "ask-value": lambda fs: render(fs, fs["larceny"], "ask_value", context("en")),
    "confirm-value-es": lambda fs: render(
        fs, fs["larceny"], "confirm_value", context("es"), facts={"value": 250}
    ),
    "ask-when-after-a-future-date": lambda fs: render(
        fs, fs["lost_property"], "ask_when", context("en"), notice="date_not_understood"
    ),
    "callback-with-caller-number": lambda fs: render(
        fs, fs["caller"], "callback_number", context("en"), facts={"caller_number": CALLER_E164}
    ),
    "callback-without-caller-number": lambda fs: render(
        fs, fs["caller"], "callback_number", context("en"), facts={"caller_number": None}
    ),
    "ask-callback-number-after-invalid-es": lambda fs: render(
        fs, fs["caller"], "ask_callback_number", context("es"), notice="number_not_valid"
    ),
    "confirm-callback-number": lambda fs: render(
        fs,
        fs["caller"],
        "confirm_callback_number",
        context("en"),
        facts={"callback_number": CALLER_E164},
    ),
    "account": lambda fs: render(fs, fs["caller"], "account", context("en", recordings=True)),
    "account-without-callbacks": lambda fs: render(fs, fs["caller"], "account", context("en")),
    "report-complete": lambda fs: render(
        fs, fs["caller"], "complete", context("en"), on_enter=report_numbers
    ),
    "report-number-again-es": lambda fs: render(
        fs, fs["caller"], "report_number", context("es"), facts={"report_number": REPORT_NUMBER}
    ),
}


def rendered(flows: FlowSet, name: str) -> tuple[Rendered, ET.Element]:
    result = RENDERS[name](flows)
    return result, ET.fromstring(str(result.twiml))


def prompt(
    flows: FlowSet,
    key: str,
    language: str,
    flow: str = "main",
    facts: Mapping[str, str] | None = None,
) -> str:
    return flows.prompt(flows[flow], key, language).format_map({**VALUES, **(facts or {})})


def said(
    flows: FlowSet,
    key: str,
    language: str,
    flow: str = "main",
    facts: Mapping[str, str] | None = None,
) -> tuple[str, str, str, str]:
    voice = VOICES[language]
    return ("Say", prompt(flows, key, language, flow, facts), voice.name, voice.language)


def children(element: ET.Element) -> list[tuple[str, str, str, str] | str]:
    """Each child as (tag, text, voice, language) for Say, or just the tag otherwise."""
    return [
        (child.tag, child.text or "", child.get("voice", ""), child.get("language", ""))
        if child.tag == "Say"
        else child.tag
        for child in element
    ]


def test_welcome_is_bilingual_and_chains_into_the_language_gather(flows: FlowSet) -> None:
    result, root = rendered(flows, "welcome")
    assert result.waiting_in == "language"
    assert result.flow == "main"
    assert result.entered == (("main", "welcome"), ("main", "language"))
    assert result.disposition is None
    assert root.tag == "Response"
    # All of the English first, then all of the Spanish: each listener hears one run.
    assert children(root) == [
        said(flows, "welcome", "en"),
        said(flows, "emergency", "en"),
        said(flows, "welcome", "es"),
        said(flows, "emergency", "es"),
        "Gather",
    ]
    gather = root[4]
    assert gather.attrib == {
        "input": "dtmf",
        "action": ACTION_URL,
        "method": "POST",
        "numDigits": "1",
        "timeout": "6",
        "actionOnEmptyResult": "true",
        "finishOnKey": "",
    }
    assert children(gather) == [
        said(flows, "choose_language", "en"),
        said(flows, "choose_language", "es"),
    ]


def test_the_voices_are_the_ones_given(flows: FlowSet) -> None:
    _, root = rendered(flows, "welcome")
    assert [(say.get("voice"), say.get("language")) for say in root.iter("Say")][1:3] == [
        ("Polly.Joanna-Neural", "en-US"),
        ("Polly.Lupe-Neural", "es-US"),
    ]
    assert root[0].text == "Thank you for calling the Baltimore Police Telephone Reporting Unit."


def test_a_notice_comes_first_in_the_callers_language(flows: FlowSet) -> None:
    result, root = rendered(flows, "main-menu-es-after-no-match")
    assert result.waiting_in == "main_menu"
    assert children(root) == [said(flows, "not_an_option", "es"), "Gather"]
    assert root[0].text == "Perdone, esa no es una de las opciones."
    gather = root[1]
    assert gather.get("timeout") == "8"
    assert gather.get("numDigits") == "1"
    assert children(gather) == [said(flows, "main_menu", "es")]


def test_a_notice_before_a_bilingual_menu_is_only_in_the_callers_language(flows: FlowSet) -> None:
    result, root = rendered(flows, "language-after-timeout-es")
    assert result.waiting_in == "language"
    assert children(root) == [said(flows, "didnt_hear", "es"), "Gather"]
    assert children(root[1]) == [
        said(flows, "choose_language", "en"),
        said(flows, "choose_language", "es"),
    ]


def test_an_answer_not_understood_gets_the_engines_notice(flows: FlowSet) -> None:
    result, root = rendered(flows, "accident-hurt-after-no-match")
    assert result.waiting_in == "accident_hurt"
    assert children(root) == [said(flows, "didnt_understand", "en"), "Gather"]
    assert root[0].text == "Sorry, I didn't understand that."
    assert children(root[1]) == [said(flows, "accident_hurt", "en")]


def test_a_states_own_notice_is_its_flows_prompt(flows: FlowSet) -> None:
    result, root = rendered(flows, "ask-when-after-a-future-date")
    assert result.waiting_in == "ask_when"
    assert children(root) == [
        said(flows, "date_not_understood", "en", "lost_property"),
        "Gather",
    ]
    assert root[0].text == "Sorry, I need a day that has already passed."
    result, root = rendered(flows, "ask-callback-number-after-invalid-es")
    assert root[0].text == (
        "Perdone, ese no es un número que pueda usar. "
        "Necesita 10 dígitos, empezando con el código de área."
    )
    assert children(root[1]) == [said(flows, "ask_callback_number", "es", "caller")]


def test_placeholders_are_filled(flows: FlowSet) -> None:
    result, root = rendered(flows, "nobody-available")
    assert result.waiting_in is None
    assert result.flow is None
    assert children(root) == [
        said(flows, "nobody_available", "en"),
        said(flows, "report_online", "en"),
        said(flows, "call_back_later", "en"),
        said(flows, "emergency", "en"),
        said(flows, "goodbye", "en"),
        "Hangup",
    ]
    assert root[1].text == (
        "You can also make a report online, at any time, at baltimorepolice.org/report."
    )
    assert root[2].text == "Please call us back later, at 410 555 0199."
    assert all("{" not in (say.text or "") for say in root.iter("Say"))


def test_an_ending_records_who_responds(flows: FlowSet) -> None:
    result, root = rendered(flows, "emergency")
    assert result.waiting_in is None
    assert result.disposition == "emergency_911"
    assert children(root) == [
        said(flows, "emergency_now", "en"),
        said(flows, "goodbye", "en"),
        "Hangup",
    ]
    assert root[0].text == (
        "This needs an emergency response right away. Please hang up now and dial 9 1 1. "
        "We will not take a report on this call."
    )


def test_a_transfer_with_an_operator_dials_them(flows: FlowSet) -> None:
    result, root = rendered(flows, "staff-with-operator")
    assert result.waiting_in == "staff"
    assert result.flow == "main"
    assert children(root) == [
        said(flows, "too_many_tries", "en"),
        said(flows, "connecting", "en"),
        "Dial",
    ]
    dial = root[2]
    assert dial.attrib == {"action": ACTION_URL, "method": "POST", "timeout": "25"}
    assert [(number.tag, number.text) for number in dial] == [("Number", OPERATOR)]


def test_a_transfer_without_an_operator_goes_to_unavailable_and_hangs_up(flows: FlowSet) -> None:
    result, root = rendered(flows, "staff-without-operator-es")
    assert result.waiting_in is None
    assert result.entered == (("main", "staff"), ("main", "nobody_available"))
    assert children(root) == [
        said(flows, "nobody_available", "es"),
        said(flows, "report_online", "es"),
        said(flows, "call_back_later", "es"),
        said(flows, "emergency", "es"),
        said(flows, "goodbye", "es"),
        "Hangup",
    ]
    assert root[2].text == "Por favor llámenos más tarde, al 410 555 0199."
    assert root.find("Dial") is None


# --- render: listening for speech ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "language"), [("main-menu-en", "en-US"), ("main-menu-es", "es-US")]
)
def test_a_menu_with_words_listens_for_speech_in_the_callers_language(
    flows: FlowSet, name: str, language: str
) -> None:
    result, root = rendered(flows, name)
    assert result.waiting_in == "main_menu"
    assert children(root) == ["Gather"]
    assert root[0].attrib == {
        "input": "dtmf speech",
        "action": ACTION_URL,
        "method": "POST",
        "numDigits": "1",
        "timeout": "8",
        "actionOnEmptyResult": "true",
        "finishOnKey": "",
        "language": language,
        "speechTimeout": "auto",
        "hints": "lost, theft, stolen, accident, something else, operator",
    }


@pytest.mark.parametrize(("name", "language"), [("ask-item-en", "en"), ("ask-item-es", "es")])
def test_a_text_answer_listens_only_for_speech(flows: FlowSet, name: str, language: str) -> None:
    result, root = rendered(flows, name)
    assert result.waiting_in == "ask_item"
    assert children(root) == ["Gather"]
    gather = root[0]
    assert gather.attrib == {
        "input": "speech",
        "action": ACTION_URL,
        "method": "POST",
        "timeout": "6",
        "actionOnEmptyResult": "true",
        "finishOnKey": "",
        "language": VOICES[language].language,
        "speechTimeout": "auto",
        "hints": (
            "wallet, phone, cell phone, keys, purse, backpack, laptop, ID, driver's license, "
            "passport, glasses, cartera, teléfono, llaves"
        ),
    }
    assert children(gather) == [said(flows, "ask_item", language, "lost_property")]


def test_an_amount_is_typed_up_to_pound_or_said(flows: FlowSet) -> None:
    _, root = rendered(flows, "ask-value")
    assert root[0].attrib == {
        "input": "dtmf speech",
        "action": ACTION_URL,
        "method": "POST",
        "timeout": "10",
        "actionOnEmptyResult": "true",
        "finishOnKey": "#",
        "language": "en-US",
        "speechTimeout": "auto",
    }


# --- render: records, read-backs, flows and what entering a state does ---------------------------


def test_a_record_state_records_then_comes_back(flows: FlowSet) -> None:
    result, root = rendered(flows, "account")
    assert result.waiting_in == "account"
    assert result.flow == "caller"
    assert children(root) == [said(flows, "ask_account", "en", "caller"), "Record", "Redirect"]
    assert root[1].attrib == {
        "action": ACTION_URL,
        "method": "POST",
        "maxLength": "120",
        "timeout": "5",
        "finishOnKey": "#",
        "playBeep": "true",
        "recordingStatusCallback": RECORDING_URL,
        "recordingStatusCallbackMethod": "POST",
        "recordingStatusCallbackEvent": "completed absent",
        "transcribe": "true",
        "transcribeCallback": TRANSCRIPTION_URL,
    }
    assert list(root[1]) == []
    assert root[2].attrib == {"method": "POST"}
    assert root[2].text == ACTION_URL


def test_a_record_state_without_callback_urls_asks_for_no_callbacks(flows: FlowSet) -> None:
    _, root = rendered(flows, "account-without-callbacks")
    assert root[1].tag == "Record"
    assert root[1].attrib == {
        "action": ACTION_URL,
        "method": "POST",
        "maxLength": "120",
        "timeout": "5",
        "finishOnKey": "#",
        "playBeep": "true",
    }
    assert (root[2].tag, root[2].text) == ("Redirect", ACTION_URL)


def test_stored_answers_are_read_back_as_words(flows: FlowSet) -> None:
    _, root = rendered(flows, "confirm-item")
    assert root[0][0].text == (
        "You said: a black wallet. If that is right, press 1 or say yes. "
        "To say it again, press 2 or say no."
    )
    _, root = rendered(flows, "confirm-value-es")
    assert root[0][0].text == (
        "Usted dijo 250 dólares. Si es correcto, oprima 1 o diga sí. "
        "Para marcarlo otra vez, oprima 2 o diga no."
    )
    _, root = rendered(flows, "confirm-callback-number")
    assert root[0][0].text.startswith("You said 4 1 0, 3 9 6, 2 5 2 5. If that is right")
    assert answers.say_phone(CALLER_E164) == "4 1 0, 3 9 6, 2 5 2 5"


def test_spoken_facts_by_kind(flows: FlowSet) -> None:
    facts = {
        "value": 250,
        "when": "2026-12-01",
        "callback_number": CALLER_E164,
        "caller_number": CALLER_E164,
        "report_number": REPORT_NUMBER,
        "item": "a black wallet",
        "category": "wallet_or_bag",
        "where": "",
        "serial_number": None,
    }
    assert spoken_facts(flows, facts, "en", NOW) == {
        "value": "250 dollars",
        "when": "yesterday",
        "callback_number": "4 1 0, 3 9 6, 2 5 2 5",
        "caller_number": "4 1 0, 3 9 6, 2 5 2 5",
        "report_number": answers.say_digits(REPORT_NUMBER),
        "item": "a black wallet",
        "category": "wallet_or_bag",
    }
    assert spoken_facts(flows, {"value": 1}, "es", NOW) == {"value": "1 dólar"}


def test_the_callback_number_offers_the_callers_own_number(flows: FlowSet) -> None:
    result, root = rendered(flows, "callback-with-caller-number")
    assert result.waiting_in == "offer_caller_number"
    assert result.entered == (("caller", "callback_number"), ("caller", "offer_caller_number"))
    assert children(root) == ["Gather"]
    assert root[0].get("input") == "dtmf speech"
    assert root[0][0].text == (
        "To be called back at the number you are calling from, 4 1 0, 3 9 6, 2 5 2 5, "
        "press 1 or say yes. To give a different number, press 2 or say no."
    )


def test_without_a_caller_number_the_callback_number_is_asked_for(flows: FlowSet) -> None:
    result, root = rendered(flows, "callback-without-caller-number")
    assert result.waiting_in == "ask_callback_number"
    assert result.entered == (("caller", "callback_number"), ("caller", "ask_callback_number"))
    assert children(root) == ["Gather"]
    assert children(root[0]) == [said(flows, "ask_callback_number", "en", "caller")]
    assert root[0].get("finishOnKey") == "#"
    assert root[0].get("numDigits") is None


def test_choosing_lost_property_enters_its_flow_and_chains_to_the_first_question(
    flows: FlowSet, main: Flow
) -> None:
    move = step(main, "main_menu", digits="1")
    assert (move.flow, move.state) == ("lost_property", "intake")
    result = render(flows, flows[move.flow], move.state, context("en"))
    assert str(result.twiml) == str(RENDERS["lost-property-intake"](flows).twiml)
    root = ET.fromstring(str(result.twiml))
    assert result.flow == "lost_property"
    assert result.waiting_in == "ask_weapon"
    assert result.entered == (("lost_property", "intake"), ("lost_property", "ask_weapon"))
    assert children(root) == [said(flows, "intake", "en", "lost_property"), "Gather"]
    assert children(root[1]) == [said(flows, "ask_weapon", "en", "lost_property")]
    assert root[1][0].text.startswith("Was a gun or other weapon among the things you lost?")


def test_each_flow_speaks_its_own_prompts(flows: FlowSet) -> None:
    # Both report flows define ask_weapon; each state says its own flow's text.
    result, root = rendered(flows, "larceny-intake-es")
    assert result.flow == "larceny"
    assert result.waiting_in == "ask_happening_now"
    assert children(root) == [said(flows, "intake", "es", "larceny"), "Gather"]
    assert prompt(flows, "ask_weapon", "en", "larceny") != prompt(
        flows, "ask_weapon", "en", "lost_property"
    )


def test_a_next_chain_may_cross_flows_and_reach_an_initial_state(tmp_path: Path) -> None:
    back = edit(BACK_FLOW, "next: entry", 'next: "back:"')
    loaded = load_flows(write_set(tmp_path, {"front": FRONT_FLOW, "back": back}))
    result = render(loaded, loaded["back"], "middle", context("en"))
    assert result.entered == (("back", "middle"), ("back", "entry"), ("front", "bye"))
    assert (result.waiting_in, result.flow) == (None, None)
    root = ET.fromstring(str(result.twiml))
    assert [c if isinstance(c, str) else c[1] for c in children(root)] == [
        "The middle.",
        "The back flow.",
        "Hangup",
    ]


def test_on_enter_runs_for_each_entered_state_in_order(flows: FlowSet) -> None:
    seen: list[tuple[str, str]] = []

    def on_enter(state: State) -> dict[str, str]:
        seen.append((state.flow, state.id))
        return report_numbers(state)

    result = render(flows, flows["caller"], "complete", context("en"), on_enter=on_enter)
    assert seen == [("caller", "complete"), ("caller", "report_number")]
    assert result.entered == tuple(seen)
    assert result.waiting_in == "report_number"
    assert result.disposition == "tru_report"

    seen.clear()
    result = render(flows, flows["main"], "staff", context("en"), on_enter=on_enter)
    assert seen == [("main", "staff"), ("main", "nobody_available")]

    seen.clear()
    render(flows, flows["lost_property"], "intake", context("en"), on_enter=on_enter)
    assert seen == [("lost_property", "intake"), ("lost_property", "ask_weapon")]


def test_on_enter_sees_the_states_effects(flows: FlowSet) -> None:
    effects: list[tuple[str, str | None, bool, str | None]] = []

    def on_enter(state: State) -> dict[str, str]:
        effects.append((state.id, state.report, state.complete_report, state.disposition))
        return {}

    render(flows, flows["larceny"], "intake", context("en"), on_enter=on_enter)
    render(flows, flows["caller"], "complete", context("en"), on_enter=on_enter)
    assert effects == [
        ("intake", "larceny", False, None),
        ("ask_happening_now", None, False, None),
        ("complete", None, True, "tru_report"),
        ("report_number", None, False, None),
    ]


def test_the_report_number_from_on_enter_is_read_slowly(flows: FlowSet) -> None:
    result, root = rendered(flows, "report-complete")
    assert result.waiting_in == "report_number"
    assert result.disposition == "tru_report"
    spoken = answers.say_digits(REPORT_NUMBER)
    assert spoken == "T, R, U. 2, 6. 0, 0, 0, 1, 2, 3."
    number = {"report_number": spoken}
    assert children(root) == [said(flows, "report_taken", "en", "caller"), "Gather"]
    assert children(root[1]) == [
        said(flows, "report_number", "en", "caller", number),
        said(flows, "repeat_number", "en", "caller"),
    ]
    assert root[1][0].text == (
        f"Your report number is: {spoken} Please write it down, "
        "and quote it whenever you follow up about this report."
    )
    assert root[1].get("input") == "dtmf speech"


def test_the_report_number_said_again_comes_from_the_facts(flows: FlowSet) -> None:
    result, root = rendered(flows, "report-number-again-es")
    assert result.waiting_in == "report_number"
    assert result.disposition is None
    assert root[0][0].text.startswith(
        f"Su número de reporte es: {answers.say_digits(REPORT_NUMBER)} Por favor anótelo"
    )


def test_a_states_notice_may_read_back_a_stored_answer(tmp_path: Path) -> None:
    flow = edit(
        RICH_FLOW,
        'answer: yes_no\n    transitions: {"yes": account',
        ('answer: yes_no\n    no_match_prompt: confirm_again\n    transitions: {"yes": account'),
    )
    flow = edit(
        flow,
        "states:",
        '  confirm_again: {en: "Is {item} right? Press 1 or 2.", es: "¿{item} es correcto?"}\n'
        "states:",
    )
    loaded = load_flows(write_flows(tmp_path, flow))
    move = advance(loaded["demo"], "confirm", 0, CallerInput(speech="purple"))
    assert move.notice == "confirm_again"
    result = render(
        loaded,
        loaded["demo"],
        move.state,
        context("en"),
        notice=move.notice,
        facts={"item": "a red bike"},
    )
    root = ET.fromstring(str(result.twiml))
    assert root[0].text == "Is a red bike right? Press 1 or 2."


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_rendered_twiml_passes_twilios_schema(flows: FlowSet, twiml_schema, name: str) -> None:
    body = str(RENDERS[name](flows).twiml)
    ET.fromstring(body)  # well-formed even without the schema
    if twiml_schema is None:
        pytest.skip("Twilio's TwiML schema is not in ../shared/twiml-xsd")
    from lxml import etree

    document = etree.fromstring(body.encode("utf-8"))
    assert twiml_schema.validate(document), f"{twiml_schema.error_log.last_error}\n{body}"


def test_star_repeats_every_question_of_the_line(real_flows) -> None:
    """Every state that waits for keys repeats itself on *, unless * means something there."""
    checked = 0
    for flow in real_flows.flows.values():
        for state in flow.states.values():
            if state.gather is None or "dtmf" not in state.gather.input:
                continue
            move = advance(flow, state.id, 1, CallerInput(digits="*"), {}, now=NOW)
            if "*" in state.transitions:
                assert move.outcome == "*" or move.outcome == "repeat", (flow.id, state.id)
            else:
                assert move == Move(state.id, "repeat", 1), (flow.id, state.id)
            checked += 1
    assert checked > 30


@pytest.mark.parametrize("speech", ["no", "yes"])
def test_a_barely_heard_yes_or_no_is_asked_again(real_flows, speech) -> None:
    larceny = real_flows["larceny"]
    heard = advance(larceny, "ask_hurt", 0, CallerInput(speech=speech, confidence=0.2), {}, now=NOW)
    assert heard.state == "ask_hurt" and heard.outcome == "no_match"
    clear = advance(larceny, "ask_hurt", 0, CallerInput(speech=speech, confidence=0.9), {}, now=NOW)
    assert clear.outcome == speech
