"""Tests for ivr.flows: loading and validating flows/*.yaml, walking a caller, rendering TwiML."""

from __future__ import annotations

import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from ivr.flows import (
    DEFAULT_FLOWS_DIR,
    CallerInput,
    Flow,
    FlowError,
    FlowSet,
    Move,
    RenderContext,
    Rendered,
    Voice,
    advance,
    load_flow,
    load_flows,
    render,
)

# --- the real flows ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flows() -> FlowSet:
    return load_flows()


@pytest.fixture(scope="module")
def main(flows: FlowSet) -> Flow:
    return flows["main"]


def test_real_flows_load(flows: FlowSet) -> None:
    assert set(flows.flows) == {"main"}
    assert load_flows(DEFAULT_FLOWS_DIR).flows.keys() == flows.flows.keys()


def test_main_flow_has_the_expected_states(main: Flow) -> None:
    assert main.id == "main"
    assert main.file == "main.yaml"
    assert main.initial == "welcome"
    assert set(main.states) == {
        "welcome",
        "language",
        "main_menu",
        "online_report",
        "staff",
        "nobody_available",
    }
    assert main.states["welcome"].next == "language"
    assert main.states["welcome"].bilingual is True
    assert main.states["language"].gather is not None
    assert main.states["language"].bilingual is True
    assert main.states["main_menu"].gather is not None
    assert main.states["online_report"].end == "hangup"
    assert main.states["online_report"].disposition == "online_report"
    assert main.states["staff"].end == "transfer"
    assert main.states["nobody_available"].end == "hangup"


def test_shared_prompts_hold_the_engine_prompts_in_both_languages(flows: FlowSet) -> None:
    for key in ("didnt_hear", "not_an_option", "too_many_tries"):
        assert set(flows.shared[key]) == {"en", "es"}


# --- validation -------------------------------------------------------------------------------

SHARED_PROMPTS = """\
prompts:
  didnt_hear: {en: "Sorry, I didn't hear a choice.", es: "Perdone, no escuché."}
  not_an_option: {en: "That is not a choice.", es: "Esa no es una opción."}
  too_many_tries: {en: "Too many tries.", es: "Demasiados intentos."}
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


def write_flows(
    folder: Path, flow: str | None, *, name: str = "demo", shared: str | None = SHARED_PROMPTS
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if shared is not None:
        (folder / "prompts.yaml").write_text(shared, encoding="utf-8")
    if flow is not None:
        (folder / f"{name}.yaml").write_text(textwrap.dedent(flow), encoding="utf-8")
    return folder


def load_error(folder: Path) -> FlowError:
    with pytest.raises(FlowError) as caught:
        load_flows(folder)
    return caught.value


def test_the_baseline_test_flow_loads(tmp_path: Path) -> None:
    loaded = load_flows(write_flows(tmp_path, VALID_FLOW))
    assert set(loaded["demo"].states) == {"menu", "bye"}


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
        VALID_FLOW.replace("flow: demo", "flow: other"),
        None,
        "`flow` must be 'demo'",
        id="flow-name-not-file-name",
    ),
    pytest.param(
        VALID_FLOW.replace("bye: {end: hangup}", "bye: {end: hangup, sayy: [menu]}"),
        "bye",
        "unknown key(s) sayy",
        id="unknown-state-key",
    ),
    pytest.param(
        # A bare `on:` is YAML 1.1's boolean true, so the loader sees the key True.
        VALID_FLOW.replace("transitions:", "on:"),
        "menu",
        "unknown key(s) True",
        id="bare-on-key",
    ),
    pytest.param(
        VALID_FLOW.replace("gather: {digits: 1}", "gather: {digits: 1}\n    next: bye"),
        "menu",
        "exactly one of `gather`, `next` or `end`",
        id="gather-and-next",
    ),
    pytest.param(
        VALID_FLOW.replace("bye: {end: hangup}", "bye: {say: []}"),
        "bye",
        "exactly one of `gather`, `next` or `end`",
        id="no-gather-next-or-end",
    ),
    pytest.param(
        VALID_FLOW.replace('"1": bye', '"1": byee'),
        "menu",
        "goes to 'byee', which does not exist",
        id="dangling-target",
    ),
    pytest.param(
        VALID_FLOW.replace("initial: menu", "initial: start"),
        None,
        "initial state 'start' does not exist",
        id="initial-state-does-not-exist",
    ),
    pytest.param(
        VALID_FLOW.replace("initial: menu\n", ""),
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
        VALID_FLOW.replace('"1": bye', '"1": bye, "2": loop_a')
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
        VALID_FLOW.replace('menu: {en: "Press 1.", es: "Oprima 1."}', 'menu: {en: "Press 1."}'),
        None,
        "prompt 'menu' has no 'es' text",
        id="prompt-missing-es",
    ),
    pytest.param(
        VALID_FLOW.replace('es: "Oprima 1."', 'es: "Oprima 1, {caller_name}."'),
        None,
        "uses unknown placeholder(s) caller_name",
        id="unknown-placeholder",
    ),
    pytest.param(
        VALID_FLOW.replace("say: [menu]", "say: [menu, menuu]"),
        "menu",
        "says prompt 'menuu', which is not defined",
        id="undefined-prompt",
    ),
    pytest.param(
        VALID_FLOW.replace("states:", '  spare: {en: "Spare.", es: "Sobra."}\nstates:'),
        None,
        "prompt 'spare' is defined but never said",
        id="prompt-never-said",
    ),
    pytest.param(
        VALID_FLOW.replace('"1": bye', '"1": bye, "0": staff') + "  staff: {end: transfer}\n",
        "staff",
        "a transfer state takes exactly `transitions.unavailable`",
        id="transfer-without-unavailable",
    ),
    pytest.param(
        VALID_FLOW.replace('"1": bye', "press_1: bye"),
        "menu",
        "unknown event 'press_1'",
        id="unknown-event",
    ),
    pytest.param(
        VALID_FLOW.replace('"1": bye', '"1": {to: bye, language: fr}'),
        "menu",
        "`transitions.1` switches to unknown language 'fr'",
        id="unknown-language",
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
    flow = VALID_FLOW.replace(
        '{"1": bye, timeout: menu, no_match: menu, fail: bye}', f"{{{transitions}}}"
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


@pytest.mark.parametrize("engine_prompt", ["didnt_hear", "not_an_option", "too_many_tries"])
def test_shared_prompts_lacking_an_engine_prompt(tmp_path: Path, engine_prompt: str) -> None:
    shared = "".join(
        line for line in SHARED_PROMPTS.splitlines(keepends=True) if engine_prompt not in line
    )
    error = load_error(write_flows(tmp_path, VALID_FLOW, shared=shared))
    assert (error.file, error.state) == ("prompts.yaml", None)
    assert error.problem == f"the engine needs prompt {engine_prompt!r}"


def test_a_folder_without_a_flow(tmp_path: Path) -> None:
    folder = write_flows(tmp_path / "empty", None)
    error = load_error(folder)
    assert (error.file, error.state) == ("empty", None)
    assert error.problem == "holds no flow"


def test_load_flow_reports_the_file_name_and_state(tmp_path: Path) -> None:
    path = write_flows(tmp_path, VALID_FLOW.replace('"1": bye', '"1": gone')) / "demo.yaml"
    with pytest.raises(FlowError, match=r"^demo\.yaml: state 'menu': goes to 'gone'"):
        load_flow(path, load_flows().shared)


def test_a_transfer_that_loops_to_itself_is_refused_at_load(tmp_path: Path) -> None:
    flow = (
        VALID_FLOW.replace('"1": bye', '"1": bye, "0": staff')
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
    ],
)
def test_state_settings_must_have_their_real_types(tmp_path: Path, change, problem) -> None:
    flow = VALID_FLOW.replace("bye: {end: hangup}", f"bye: {{end: hangup, {change}}}")
    assert flow != VALID_FLOW
    assert problem in load_error(write_flows(tmp_path, flow)).problem


# --- advance: walking the caller through the main flow ------------------------------------------


def step(main: Flow, state: str, attempts: int = 0, **given: str) -> Move:
    return advance(main, state, attempts, CallerInput(**given))


@pytest.mark.parametrize(
    ("digits", "target"), [("1", "online_report"), ("0", "staff"), (" 1 ", "online_report")]
)
def test_a_matched_key_moves_on(main: Flow, digits: str, target: str) -> None:
    assert step(main, "main_menu", 2, digits=digits) == Move(target, digits.strip(), 0)


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


@pytest.mark.parametrize("digits", ["5", "2", "#", "11", "1'; DROP", "1 0", "timeout", "one"])
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
    assert step(main, "main_menu", 2, digits="1") == Move("online_report", "1", 0)


@pytest.mark.parametrize("status", ["completed", "answered"])
def test_an_answered_transfer_is_transferred(main: Flow, status: str) -> None:
    assert step(main, "staff", dial_status=status) == Move("staff", "transferred")


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed", "canceled"])
def test_an_unanswered_transfer_goes_to_unavailable(main: Flow, status: str) -> None:
    assert step(main, "staff", dial_status=status) == Move("nobody_available", f"dial:{status}", 0)


def test_a_transfer_without_dial_status_goes_to_unavailable(main: Flow) -> None:
    assert step(main, "staff") == Move("nobody_available", "dial:unknown", 0)


def test_a_stale_request_for_a_state_that_waits_for_nothing_repeats(main: Flow) -> None:
    assert step(main, "online_report", 1, digits="1") == Move("online_report", "repeat", 1)


# --- render: TwiML --------------------------------------------------------------------------------

ACTION_URL = "https://tru.example.org/voice/step/3?lang=en"
OPERATOR = "+14105550100"
VOICES = {"en": Voice("Polly.Joanna-Neural", "en-US"), "es": Voice("Polly.Lupe-Neural", "es-US")}
VALUES = {
    "hours": "Monday to Friday, 8 AM to 4 PM",
    "next_opening": "tomorrow at 8 AM",
    "online_report_site": "baltimorepolice.org/report",
    "tru_number": "410 555 0199",
}


def context(language: str = "en", operator_number: str | None = None) -> RenderContext:
    return RenderContext(
        language=language,
        action_url=ACTION_URL,
        voices=VOICES,
        values=VALUES,
        operator_number=operator_number,
    )


#: Every document these tests render, by name; each one is also checked against Twilio's schema.
RENDERS: dict[str, Callable[[FlowSet], Rendered]] = {
    "welcome": lambda fs: render(fs, fs["main"], "welcome", context("en")),
    "language-after-timeout-es": lambda fs: render(
        fs, fs["main"], "language", context("es"), notice="didnt_hear"
    ),
    "main-menu-es-after-no-match": lambda fs: render(
        fs, fs["main"], "main_menu", context("es"), notice="not_an_option"
    ),
    "online-report": lambda fs: render(fs, fs["main"], "online_report", context("en")),
    "staff-with-operator": lambda fs: render(
        fs, fs["main"], "staff", context("en", OPERATOR), notice="too_many_tries"
    ),
    "staff-without-operator-es": lambda fs: render(fs, fs["main"], "staff", context("es")),
}


def rendered(flows: FlowSet, name: str) -> tuple[Rendered, ET.Element]:
    result = RENDERS[name](flows)
    return result, ET.fromstring(str(result.twiml))


def prompt(flows: FlowSet, key: str, language: str) -> str:
    return flows.prompt(flows["main"], key, language).format_map(VALUES)


def said(flows: FlowSet, key: str, language: str) -> tuple[str, str, str, str]:
    voice = VOICES[language]
    return ("Say", prompt(flows, key, language), voice.name, voice.language)


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
    assert result.disposition is None
    assert root.tag == "Response"
    assert children(root) == [
        said(flows, "welcome", "en"),
        said(flows, "welcome", "es"),
        said(flows, "emergency", "en"),
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
    assert [(say.get("voice"), say.get("language")) for say in root.iter("Say")][:2] == [
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


def test_placeholders_are_filled(flows: FlowSet) -> None:
    result, root = rendered(flows, "online-report")
    assert result.waiting_in is None
    assert result.disposition == "online_report"
    assert children(root) == [
        said(flows, "report_online", "en"),
        said(flows, "emergency", "en"),
        said(flows, "goodbye", "en"),
        "Hangup",
    ]
    assert root[0].text == (
        "You can also make a report online, at any time, at baltimorepolice.org/report."
    )
    assert all("{" not in (say.text or "") for say in root.iter("Say"))


def test_a_transfer_with_an_operator_dials_them(flows: FlowSet) -> None:
    result, root = rendered(flows, "staff-with-operator")
    assert result.waiting_in == "staff"
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


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_rendered_twiml_passes_twilios_schema(flows: FlowSet, twiml_schema, name: str) -> None:
    body = str(RENDERS[name](flows).twiml)
    ET.fromstring(body)  # well-formed even without the schema
    if twiml_schema is None:
        pytest.skip("Twilio's TwiML schema is not in ../shared/twiml-xsd")
    from lxml import etree

    document = etree.fromstring(body.encode("utf-8"))
    assert twiml_schema.validate(document), f"{twiml_schema.error_log.last_error}\n{body}"
