"""Tests for ivr.flowgraph: checking the flows folder, summaries, and Mermaid diagrams.

The Mermaid CLI needs a browser download this machine cannot do, so the diagrams are not
rendered here; `assert_valid_mermaid` checks their structure line by line instead.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from ivr.flowgraph import MERMAID_KEYWORDS, check_flows, mermaid, summary
from ivr.flows import DEFAULT_FLOWS_DIR, FlowSet, load_flows


@pytest.fixture(scope="module")
def flows() -> FlowSet:
    return load_flows()


def copy_flows(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(DEFAULT_FLOWS_DIR, folder)
    return folder


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- check_flows ------------------------------------------------------------------------------


def test_the_real_flows_check_clean() -> None:
    assert check_flows() == []
    assert check_flows(DEFAULT_FLOWS_DIR) == []
    assert check_flows(str(DEFAULT_FLOWS_DIR)) == []


def test_an_untouched_copy_checks_clean(tmp_path: Path) -> None:
    assert check_flows(copy_flows(tmp_path)) == []


def test_a_dangling_target_is_one_line(tmp_path: Path) -> None:
    folder = copy_flows(tmp_path)
    replace_once(folder / "main.yaml", '"4": ask_reason\n', '"4": ask_reasons\n')
    assert check_flows(folder) == [
        "main.yaml: state 'main_menu': goes to 'ask_reasons', which does not exist"
    ]


def test_a_dangling_target_in_another_flow_is_one_line(tmp_path: Path) -> None:
    folder = copy_flows(tmp_path)
    replace_once(folder / "lost_property.yaml", "done: caller:ask_name", "done: caller:ask_nam")
    assert check_flows(folder) == [
        "lost_property.yaml: state 'ask_how': goes to 'caller:ask_nam', which does not exist"
    ]


def test_a_missing_spanish_prompt_is_one_line(tmp_path: Path) -> None:
    # The loader checks prompts per file, before any state: the line names the file and prompt.
    folder = copy_flows(tmp_path)
    replace_once(
        folder / "caller.yaml",
        '    es: "Ahora unos datos sobre usted. Por favor diga su nombre y apellido."\n',
        "",
    )
    assert check_flows(folder) == ["caller.yaml: prompt 'ask_name' has no 'es' text"]


def test_a_prompt_a_state_says_but_nobody_defines_is_one_line(tmp_path: Path) -> None:
    folder = copy_flows(tmp_path)
    replace_once(folder / "main.yaml", "say: [ask_reason]", "say: [ask_reason, ask_why]")
    assert check_flows(folder) == [
        "main.yaml: state 'ask_reason': says prompt 'ask_why', which is not defined"
    ]


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert check_flows(missing) == [f"prompts.yaml: missing from {missing}"]


# --- summary ----------------------------------------------------------------------------------


def test_summary_of_the_real_flows(flows: FlowSet) -> None:
    assert summary(flows) == [
        "caller.yaml: 15 states, 8 waiting for the caller, 2 endings",
        "larceny.yaml: 19 states, 17 waiting for the caller, 0 endings",
        "lost_property.yaml: 15 states, 13 waiting for the caller, 0 endings",
        "main.yaml: 38 states, 15 waiting for the caller, 12 endings",
    ]


# --- Mermaid: a structural check in place of rendering ------------------------------------------

NODE_ID = r"[A-Za-z0-9_]+"
LABEL = r'"[^"]*"'
DECLARATION = re.compile(
    rf"^    (?P<id>{NODE_ID})"
    rf"(?:\(\(start\)\)|\[{LABEL}\]|\(\[{LABEL}\]\)|\[\[{LABEL}\]\])$"
)
EDGE = re.compile(
    rf"^    (?P<source>{NODE_ID}) -->(?:\|(?P<label>{LABEL})\|)? (?P<target>{NODE_ID})$"
)


def parse(diagram: str) -> tuple[list[str], list[tuple[str, str | None, str]]]:
    """(declared node ids, edges as (source, label, target)); fails on any other line."""
    assert diagram.endswith("\n")
    lines = diagram.splitlines()
    assert lines[0] == "flowchart TD"
    declared: list[str] = []
    edges: list[tuple[str, str | None, str]] = []
    for line in lines[1:]:
        if match := DECLARATION.match(line):
            declared.append(match["id"])
        elif match := EDGE.match(line):
            label = match["label"][1:-1] if match["label"] else None
            edges.append((match["source"], label, match["target"]))
        else:
            pytest.fail(f"not a node or an edge: {line!r}")
    return declared, edges


def assert_valid_mermaid(diagram: str) -> tuple[list[str], list[tuple[str, str | None, str]]]:
    declared, edges = parse(diagram)
    assert len(declared) == len(set(declared)), "a node is declared twice"
    assert not {d.lower() for d in declared} & MERMAID_KEYWORDS
    referenced = {node for source, _, target in edges for node in (source, target)}
    assert referenced <= set(declared), f"used but not declared: {referenced - set(declared)}"
    assert len(edges) == len(set(edges)), "an edge is drawn twice"
    for label in [label for _, label, _ in edges if label is not None]:
        # Entities are the only use of "#"; nothing may close the label or the edge early.
        assert not re.search(r"#(?!quot;|35;|lt;|gt;|124;)", label)
        assert "|" not in label and "<" not in label and ">" not in label
    return declared, edges


# --- Mermaid: the real flows ------------------------------------------------------------------


@pytest.fixture(scope="module")
def main_diagram(flows: FlowSet) -> str:
    return mermaid(flows, "main")


def test_every_real_flow_draws_valid_mermaid(flows: FlowSet) -> None:
    for flow_id, flow in flows.flows.items():
        declared, _ = assert_valid_mermaid(mermaid(flows, flow_id))
        assert set(flow.states) <= set(declared)


def test_main_starts_with_the_start_marker(main_diagram: str) -> None:
    lines = main_diagram.splitlines()
    assert lines[:2] == ["flowchart TD", "    start((start))"]
    assert "    start --> welcome" in lines


def test_main_states_are_labelled_with_their_kind(main_diagram: str) -> None:
    lines = main_diagram.splitlines()
    assert '    welcome["welcome"]' in lines
    assert '    language["language<br/>menu"]' in lines
    assert '    ask_reason["ask_reason<br/>speech → reason"]' in lines
    assert '    triage_reason["triage_reason<br/>decide: triage"]' in lines
    assert '    accident_hurt["accident_hurt<br/>yes/no → anyone_hurt"]' in lines
    # Endings are stadiums.
    assert '    emergency(["emergency<br/>transfer: dispatch"])' in lines
    assert '    staff(["staff<br/>transfer: operator"])' in lines


def test_main_menu_goes_to_other_flows(main_diagram: str) -> None:
    lines = main_diagram.splitlines()
    assert '    flow_lost_property[["lost_property: intake"]]' in lines
    assert '    flow_larceny[["larceny: intake"]]' in lines
    assert '    main_menu -->|"1"| flow_lost_property' in lines
    assert '    main_menu -->|"2"| flow_larceny' in lines


def test_main_collapses_repeats_and_merges_events(main_diagram: str) -> None:
    _, edges = assert_valid_mermaid(main_diagram)
    menu_edges = [(label, target) for source, label, target in edges if source == "main_menu"]
    assert menu_edges == [
        ("1", "flow_lost_property"),
        ("2", "flow_larceny"),
        ("3", "accident_hurt"),
        ("4", "ask_reason"),
        ("0, fail", "staff"),
        # timeout, no_match and "*" (hear the choices again) are one self-loop.
        ("timeout / no_match", "main_menu"),
    ]


def test_main_has_one_edge_per_pair_but_for_the_language_switch(main_diagram: str) -> None:
    _, edges = assert_valid_mermaid(main_diagram)
    pairs = [(source, target) for source, _, target in edges]
    # Only the language switches: the language menu, and the closed line's text offer.
    assert {pair for pair in pairs if pairs.count(pair) > 1} == {
        ("language", "main_menu"),
        ("closed_text_offer", "text_link"),
    }


def test_main_language_menu_notes_the_switch(main_diagram: str) -> None:
    _, edges = assert_valid_mermaid(main_diagram)
    assert [(label, target) for source, label, target in edges if source == "language"] == [
        ("1, fail · en", "main_menu"),
        ("2 · es", "main_menu"),
        ("timeout / no_match", "language"),
    ]


def test_caller_draws_the_conditional_branches(flows: FlowSet) -> None:
    _, edges = assert_valid_mermaid(mermaid(flows, "caller"))
    assert [(label, target) for source, label, target in edges if source == "callback_number"] == [
        ("if caller_number present", "offer_caller_number"),
        ("otherwise", "ask_callback_number"),
    ]


def test_other_flows_get_one_node_per_target(flows: FlowSet) -> None:
    lines = mermaid(flows, "larceny").splitlines()
    assert [line for line in lines if "[[" in line] == [
        '    flow_main_staff[["main: staff"]]',
        '    flow_main_emergency[["main: emergency"]]',
        '    flow_main_outside_city[["main: outside_city"]]',
        '    flow_main_officer[["main: officer"]]',
        '    flow_main_online_report[["main: online_report"]]',
        '    flow_caller[["caller: ask_name"]]',
    ]


def test_an_unknown_flow_is_a_key_error(flows: FlowSet) -> None:
    with pytest.raises(KeyError):
        mermaid(flows, "nope")


# --- Mermaid: awkward ids and labels ----------------------------------------------------------

AWKWARD_FLOW = """\
    flow: awkward
    initial: start
    states:
      start:
        say: [goodbye]
        answer: menu
        store: choice
        values: {"1": 'big "one"', "2": small}
        transitions:
          "1": {to: end, language: es}
          "2": say-it
          "*": "main:"
          "#": end
          timeout: start
          no_match: start
          fail: main:staff
      say-it:
        next:
          - {if: {field: choice, is: 'big "one"'}, to: end}
          - {if: {any: [choice, caller_number], is: small}, to: main:staff, language: en}
          - {to: end}
      end:
        say: [goodbye]
        end: hangup
"""


def test_awkward_ids_and_labels_stay_valid_mermaid(tmp_path: Path) -> None:
    folder = copy_flows(tmp_path)
    (folder / "awkward.yaml").write_text(textwrap.dedent(AWKWARD_FLOW), encoding="utf-8")
    diagram = mermaid(load_flows(folder), "awkward")
    assert_valid_mermaid(diagram)
    assert diagram == textwrap.dedent(
        """\
        flowchart TD
            start((start))
            start_2["start<br/>menu → choice"]
            say_it["say-it"]
            end_(["end<br/>end: hangup"])
            flow_main[["main: welcome"]]
            flow_main_staff[["main: staff"]]
            start --> start_2
            start_2 -->|"1 · es"| end_
            start_2 -->|"2"| say_it
            start_2 -->|"*"| flow_main
            start_2 -->|"#35;"| end_
            start_2 -->|"timeout / no_match"| start_2
            start_2 -->|"fail"| flow_main_staff
            say_it -->|"if choice = big #quot;one#quot;"| end_
            say_it -->|"if choice or caller_number = small · en"| flow_main_staff
            say_it -->|"otherwise"| end_
        """
    )


def test_the_readme_shows_the_main_flow_as_it_is(flows: FlowSet) -> None:
    """The README's diagram is `tru flows graph main`, not a drawing that drifts from the flow."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"```mermaid\n(.*?)```", readme, re.DOTALL)
    assert shown is not None, "the README has no Mermaid diagram"
    assert shown.group(1).strip() == mermaid(flows, "main").strip(), (
        "the README's diagram is stale: paste in `tru flows graph main`"
    )
