"""A check before every model call: a job that is no longer running starts no new Claude call.

Cancelling a job stops its Step Functions execution, but a task already running keeps running (and a
Map's items may be mid-flight), so a section writer could still start its repair call, or Assemble its
summary, after the cancel. The task installs a check for the duration of its writing
(``checked_model_calls``); the Claude generator runs it before each call and retry
(``before_model_call``), and the check raises to stop the step. The check is per thread (a context
variable): one process serves many jobs at once locally, and one warm Lambda serves many in a row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Check = Callable[[], None]

_check: ContextVar[Check | None] = ContextVar("vpr_model_call_check", default=None)


@contextmanager
def checked_model_calls(check: Check) -> Iterator[None]:
    """Within the block, every model call in this thread first runs ``check`` (which raises to stop)."""
    token = _check.set(check)
    try:
        yield
    finally:
        _check.reset(token)


def before_model_call() -> None:
    """Run the installed check, if any: called by a generator right before it sends a request."""
    check = _check.get()
    if check is not None:
        check()
