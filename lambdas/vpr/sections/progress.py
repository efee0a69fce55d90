"""Section progress from a Step Functions execution history: how many sections are done, of how many.

A pure function of the history events (the dicts GetExecutionHistory returns), so any job view can use
it: the status endpoint reads it from the history while a job runs, and a projector of execution events
can compute the same two numbers from the same events.

The Map state's ``MapStateStarted`` event carries the number of items (``length``): the total (of the
latest Map run). Each item index with a ``MapIterationSucceeded`` event is one finished section (an item
retried after a transient error succeeds once). A redrive runs the Map again for the items that did not
finish, and the others keep their output, so a section finished in any run of the Map counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

#: States during which the status shows section progress (the Map, its item task, and Assemble after it).
SECTION_PROGRESS_STATES = frozenset({"WriteSections", "WriteSection", "Assemble"})


class SectionProgress(NamedTuple):
    done: int
    total: int


def section_progress(events: Iterable[Mapping[str, Any]]) -> SectionProgress | None:
    """``(done, total)`` of the latest Map run in ``events`` (any order), or None before the Map started."""
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
    return SectionProgress(done=min(len(done), total), total=total)
