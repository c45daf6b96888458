"""Flows for people: check them, count them, and draw one as a Mermaid flowchart for review.

`check_flows` runs the loader's validation and returns its complaint as a line (the loader stops
at the first problem, so there is at most one). `summary` says in one line per flow how big it is.
`mermaid` draws one flow as a `flowchart TD` that GitHub and the Mermaid live editor render:

- a node per state, labelled with its id, its kind ("menu", "yes/no", "speech", "dollars",
  "phone", "date", "record", "end: hangup", "transfer") and the field it stores ("→ field");
  endings are stadium-shaped, and a `start` circle points at the initial state;
- an edge per transition, labelled with its event ("1", "yes", "done", "timeout", "next", ...),
  a language switch ("1 · es") or a condition ("if caller_number present");
- other flows as one subroutine node per target state (`flow_caller[["caller: ask_name"]]`).

To keep the picture readable, events that go to the same place in the same language share one
edge ("1, 2, 3"), and the "say it again" self-loops on `timeout`, `no_match` and `*` collapse
into one edge labelled "timeout / no_match".

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ivr.flows import KEYS, Branch, Condition, FlowError, FlowSet, State, load_flows

#: How each kind of answer is named on a node.
ANSWER_NAMES = {
    "menu": "menu",
    "yes_no": "yes/no",
    "text": "speech",
    "dollars": "dollars",
    "phone": "phone",
    "date": "date",
}
#: Self-loop events that only mean "ask again": drawn as one edge.
REPEAT_EVENTS = ("timeout", "no_match", "*")
REPEAT_LABEL = "timeout / no_match"
START_NODE = "start"
#: Words Mermaid's flowchart grammar reads as keywords; a node id may not be one of them.
MERMAID_KEYWORDS = frozenset(
    {
        "end",
        "graph",
        "flowchart",
        "subgraph",
        "style",
        "linkstyle",
        "classdef",
        "class",
        "click",
        "call",
        "href",
        "default",
        "interpolate",
        "direction",
        "tb",
        "td",
        "bt",
        "lr",
        "rl",
    }
)


def check_flows(directory: str | Path | None = None) -> list[str]:
    """Problems with the flows in `directory` (default: the project's flows/); [] when fine.

    Each line reads "FILE: state 'S': PROBLEM" (or "FILE: PROBLEM" for a file-level problem).
    The loader stops at the first problem, so there is at most one line.
    """
    try:
        load_flows(directory)
    except FlowError as exc:
        return [str(exc)]
    return []


def summary(flows: FlowSet) -> list[str]:
    """One line per flow: "main.yaml: 10 states, 5 waiting for the caller, 4 endings".

    A state waits for the caller when it gathers an answer or records; it is an ending when it
    hangs up or transfers.
    """
    lines = []
    for flow in flows.flows.values():
        states = flow.states.values()
        waiting = sum(1 for s in states if s.gather is not None or s.record is not None)
        endings = sum(1 for s in states if s.end is not None)
        lines.append(
            f"{flow.file}: {_count(len(flow.states), 'state')}, "
            f"{waiting} waiting for the caller, {_count(endings, 'ending')}"
        )
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --- Mermaid ----------------------------------------------------------------------------------


def mermaid(flows: FlowSet, flow_id: str) -> str:
    """A Mermaid `flowchart TD` of one flow (ends with a newline). KeyError for an unknown flow."""
    flow = flows[flow_id]
    ids = _Ids()
    ids.take(START_NODE)
    state_nodes = {state_id: ids.take(state_id) for state_id in flow.states}
    # Other flows' states, one node per target, in the order they are first reached.
    outside: dict[tuple[str, str], str] = {}

    def node_for(branch: Branch) -> str:
        other_id = branch.flow or flow.id
        other = flows[other_id]
        target = branch.target or other.initial
        if other_id == flow.id:
            return state_nodes[target]
        if (other_id, target) not in outside:
            name = f"flow_{other_id}" if target == other.initial else f"flow_{other_id}_{target}"
            outside[other_id, target] = ids.take(name)
        return outside[other_id, target]

    edges: list[tuple[str, str, str]] = []
    for state in flow.states.values():
        edges.extend(_edges(state, state_nodes[state.id], node_for))

    lines = ["flowchart TD", f"    {START_NODE}(({START_NODE}))"]
    for state in flow.states.values():
        label = _quote(_state_label(state))
        shape = f"([{label}])" if state.end is not None else f"[{label}]"
        lines.append(f"    {state_nodes[state.id]}{shape}")
    for (other_id, target), node in outside.items():
        lines.append(f"    {node}[[{_quote(_escape(f'{other_id}: {target}'))}]]")
    lines.append(f"    {START_NODE} --> {state_nodes[flow.initial]}")
    seen: set[str] = set()
    for source, label, target in edges:
        line = f"    {source} -->|{_quote(_escape(label))}| {target}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return "\n".join(lines) + "\n"


class _Ids:
    """Node ids made of [A-Za-z0-9_], never a Mermaid keyword, never used twice."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, name: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "_"
        if base.lower() in MERMAID_KEYWORDS:
            base += "_"
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}_{n}"
        self.used.add(candidate)
        return candidate


def _state_label(state: State) -> str:
    if state.answer is not None:
        kind = ANSWER_NAMES.get(state.answer, state.answer)
    elif state.record is not None:
        kind = "record"
    elif state.decide is not None:
        kind = f"decide: {state.decide}"
    elif state.end == "transfer":
        kind = f"transfer: {state.dial}"
    elif state.end is not None:
        kind = f"end: {state.end}"
    else:
        kind = ""  # `next`: the state only speaks and moves on
    if state.store:
        kind = f"{kind} → {state.store}"
    return f"{_escape(state.id)}<br/>{_escape(kind)}" if kind else _escape(state.id)


def _condition_text(condition: Condition) -> str:
    if condition.present is not None:
        fields = " and ".join(condition.fields)
        return f"if {fields} {'present' if condition.present else 'not present'}"
    return f"if {' or '.join(condition.fields)} = {' or '.join(condition.equals)}"


def _edges(
    state: State, source: str, node_for: Callable[[Branch], str]
) -> list[tuple[str, str, str]]:
    """(source, label, target) for one state, merged and collapsed as the module says.

    Edges come in the order the flow lists the events; merged events sit where the first of
    them was.
    """
    events = list(state.transitions.items())
    if state.next is not None:
        events.append(("next", state.next))
    # A slot is (target, language, label): a conditional branch carries its own label; the
    # unconditional events sharing (target, language) are gathered in `groups` (label None).
    slots: list[tuple[str, str | None, str | None]] = []
    groups: dict[tuple[str, str | None], list[str]] = {}
    for event, transition in events:
        branched = len(transition.branches) > 1
        for branch in transition.branches:
            target = node_for(branch)
            if branch.condition is not None:
                text = _condition_text(branch.condition)
                label = text if event == "next" else f"{event} {text}"
                slots.append((target, branch.language, label))
                continue
            name = event
            if branched:
                name = "otherwise" if event == "next" else f"{event} otherwise"
            names = groups.get((target, branch.language))
            if names is None:
                names = groups[target, branch.language] = []
                slots.append((target, branch.language, None))
            if name not in names:
                names.append(name)
    edges: list[tuple[str, str, str]] = []
    for target, language, fixed in slots:
        if fixed is None:
            names = groups[target, language]
            if target == source and language is None:
                names = _collapse_repeats(names)
            fixed = ", ".join(_order(names))
        edges.append((source, _with_language(fixed, language), target))
    return edges


def _collapse_repeats(names: list[str]) -> list[str]:
    repeats = [name for name in names if name in REPEAT_EVENTS]
    if not repeats:
        return names
    heard = [name for name in ("timeout", "no_match") if name in repeats]
    token = " / ".join(heard) if heard else "*"
    if heard == ["timeout", "no_match"]:
        token = REPEAT_LABEL
    return [name for name in names if name not in REPEAT_EVENTS] + [token]


def _order(names: list[str]) -> list[str]:
    """Keys first, in the order the flow lists them, then the other events."""
    keys = [name for name in names if name in KEYS]
    return keys + [name for name in names if name not in KEYS]


def _with_language(label: str, language: str | None) -> str:
    return f"{label} · {language}" if language else label


def _escape(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes for # " < > |)."""
    text = text.replace("#", "#35;")
    for char, code in (('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("|", "#124;")):
        text = text.replace(char, code)
    return text


def _quote(escaped: str) -> str:
    """An escaped label wrapped in double quotes."""
    return f'"{escaped}"'
