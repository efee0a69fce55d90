"""Section progress: how many sections are done, of how many, and which are ready to show.

The same answer from either source the status reads:

* the job view, where each WriteSection task records its finished section (``ready_entry``), and
* a Step Functions execution history (``section_progress``, the fallback path): a pure function of the
  events GetExecutionHistory returns, so the status reads it with the history it already fetches.

In a history, the Map state's ``MapStateStarted`` event carries the number of items (``length``): the
total (of the latest Map run). Each item index with a ``MapIterationSucceeded`` event is one finished
section (an item retried after a transient error succeeds once). The plan is the Map state's input
(``MapStateEntered``), and each finished section is the output of a ``WriteSection`` task
(``TaskStateExited``). A redrive runs the Map again for the items that did not finish, and the others
keep their output, so a section finished in any run of the Map counts, and is listed once.

Only a section that passed its grounding check (``grounded``, set by the task) is *ready*: a flagged
one is rewritten by Assemble and appears with the full report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

#: States during which the status shows section progress (the Map, its item task, and Assemble after it).
SECTION_PROGRESS_STATES = frozenset({"WriteSections", "WriteSection", "Assemble"})
MAP_STATE, ITEM_STATE = "WriteSections", "WriteSection"


class SectionProgress(NamedTuple):
    done: int
    total: int
    planned: tuple[dict[str, str], ...] = ()
    """``{id, kind}`` of every planned section, in plan (= report) order."""
    ready: tuple[dict[str, Any], ...] = ()
    """``{id, kind, position, content}`` of each grounded finished section, in plan order, once each."""


def planned_sections(plan_sections: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The plan as the status lists it: each section's id and kind (no requirement indexes)."""
    return [{"id": str(s["id"]), "kind": str(s["kind"])} for s in plan_sections]


def ready_entry(result: Mapping[str, Any], planned: Sequence[Mapping[str, str]]) -> dict[str, Any] | None:
    """What the status shows of one finished section (a WriteSection output); None if not shown.

    Not shown: a section its grounding check flagged, and one the plan does not list.
    """
    ids = [p["id"] for p in planned]
    if result.get("grounded") is not True or result.get("id") not in ids:
        return None
    return {
        "id": result["id"],
        "kind": result["kind"],
        "position": ids.index(result["id"]),
        "content": result["content"],
    }


def in_plan_order(entries: Iterable[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Ready entries sorted by plan position, each section once (a retried task may record it twice)."""
    unique: dict[str, dict[str, Any]] = {}
    for entry in entries:
        unique.setdefault(entry["id"], dict(entry))
    return tuple(sorted(unique.values(), key=lambda e: e["position"]))


def _json(text: str | None) -> Any:
    try:
        return json.loads(text or "")
    except ValueError:  # a truncated event payload (over 256 KiB) cannot be read: skipped
        return None


def section_progress(events: Iterable[Mapping[str, Any]]) -> SectionProgress | None:
    """Progress of the Map in ``events`` (any order; every run of it), or None before it started."""
    ordered = sorted(events, key=lambda e: e["id"])
    started = [e for e in ordered if e["type"] == "MapStateStarted"]
    if not started:
        return None
    last = started[-1]
    total = int(last.get("mapStateStartedEventDetails", {}).get("length", 0))
    done = {
        e.get("mapIterationSucceededEventDetails", {}).get("index", e["id"])
        for e in ordered
        if e["type"] == "MapIterationSucceeded"
    }
    planned: list[dict[str, str]] = []
    entered = [
        e
        for e in ordered
        if e["type"] == "MapStateEntered" and e["id"] < last["id"]
        and e.get("stateEnteredEventDetails", {}).get("name") == MAP_STATE
    ]  # fmt: skip
    if entered:
        state = _json(entered[-1]["stateEnteredEventDetails"].get("input"))
        if isinstance(state, dict):
            planned = planned_sections(((state.get("plan") or {}).get("sections")) or [])
    outputs = [
        _json(e["stateExitedEventDetails"].get("output"))
        for e in ordered
        if e["type"] == "TaskStateExited"
        and e.get("stateExitedEventDetails", {}).get("name") == ITEM_STATE
    ]  # fmt: skip
    entries = [entry for out in outputs if isinstance(out, dict) and (entry := ready_entry(out, planned))]
    return SectionProgress(min(len(done), total), total, tuple(planned), in_plan_order(entries))
