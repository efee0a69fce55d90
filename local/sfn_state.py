"""What the local Step Functions engine keeps about an execution beyond what moto keeps.

Shared by ``local.sfn_stop`` (StopExecution) and ``local.sfn_redrive`` (RedriveExecution); what they
make moto do is told in ``local.sfn_lifecycle``, which installs both.
"""

from __future__ import annotations

import datetime
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def _no_listener(_execution: Any) -> None:
    return None


#: Called with an execution whose status this module has just changed (StopExecution ended it,
#: RedriveExecution restarted it). ``local.eventbridge`` sets it when its bus starts, to send the
#: status-change event (so this module needs no import of it).
# (Assigned as ``sfn_state.status_changed = ...``; callers look it up here at each call.)
status_changed: Callable[[Any], None] = _no_listener

lock = threading.RLock()  # one redrive or stop at a time: a check and its change are atomic
executions: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()  # ARN -> execution


@dataclass
class Lifecycle:
    """What the local engine keeps about an execution beyond what moto keeps."""

    redrive_count: int = 0
    redrive_date: datetime.datetime | None = None
    stopped_by_api: bool = False  # StopExecution ended it: the interpreter's later outcome is ignored
    current_worker: Any = None  # after a redrive: the only worker whose end is the execution's end
    #: (Map state name, iteration index) -> (attempt, output) of an iteration that succeeded
    iteration_outputs: dict[tuple[str, int], tuple[int, Any]] | None = None
    client_tokens: dict[str, datetime.datetime] | None = None


def lifecycle(execution: Any) -> Lifecycle:
    """The record kept on ``execution`` (made on first use)."""
    found = getattr(execution, "vpr_lifecycle", None)
    if found is None:
        found = Lifecycle()
        execution.vpr_lifecycle = found
    return found


def now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


def status(execution: Any) -> str:
    """The execution's status as a string (moto keeps an enum or a string)."""
    return getattr(execution.exec_status, "value", execution.exec_status)
