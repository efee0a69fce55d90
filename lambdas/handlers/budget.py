"""The time a workflow task may spend writing: the Lambda's remaining time, less what returning needs."""

from __future__ import annotations

from typing import Any

#: Left for returning the result (and for Step Functions to see it) before Lambda's own timeout, so a
#: slow Claude call ends as a retried ``ClaudeTimeout``, never as a Lambda timeout.
RESERVED_SECONDS = 20


def time_budget(context: Any) -> float:
    """Seconds this invocation may spend on Claude calls, retries included."""
    return context.get_remaining_time_in_millis() / 1000 - RESERVED_SECONDS
