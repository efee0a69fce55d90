"""Step Functions' API throttling, locally: the documented token buckets, and a count of every call.

AWS throttles Step Functions API actions per account and Region with token buckets: a bucket holds up
to ``size`` tokens, each call takes one, and ``refill`` tokens come back every second; a call finding
the bucket empty fails with HTTP 400 ``ThrottlingException`` ("Rate exceeded"), which the SDKs retry.
Source: AWS Step Functions Developer Guide, "Step Functions service quotas", section "Quotas related
to API action throttling" (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
#service-limits-api-action-throttling-general). The values are the page's defaults for the largest
Regions as the team's issue quotes them (the search index here held the page's text only in part, so
they were not re-read from it); other Regions have smaller buckets. ``DOCUMENTED_BUCKETS`` is the one
table; actions not in it are not throttled here.

With ``VPR_AWS_QUOTAS=documented`` the local Step Functions endpoint enforces it. The meter counts every
Step Functions API call either way, so tests and ``make bench`` can say how many reads a poll cost.
(The interpreter's own state transitions do not go through the API and are not counted, as on AWS,
where they have a separate, much larger quota.)
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: action → (bucket size, refill tokens per second). See the module docstring for the source.
DOCUMENTED_BUCKETS: dict[str, tuple[int, float]] = {
    "StartExecution": (1300, 300.0),
    "DescribeExecution": (300, 15.0),
    "GetExecutionHistory": (400, 20.0),
}


class TokenBucket:
    """AWS's scheme: starts full, refills continuously at ``refill``/s up to ``size``."""

    def __init__(self, size: int, refill: float, clock: Any = time.monotonic) -> None:
        self.size = size
        self.refill = refill
        self._clock = clock
        self._tokens = float(size)
        self._at = clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self.size, self._tokens + (now - self._at) * self.refill)
            self._at = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False


@dataclass
class StepFunctionsMeter:
    """Counts Step Functions API calls by action and, when buckets are set, throttles them."""

    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def documented(cls, scale: float = 1.0) -> StepFunctionsMeter:
        """The documented buckets (``scale`` < 1 shrinks size and refill, for a test with a small burst)."""
        return cls(
            {a: TokenBucket(max(1, int(s * scale)), r * scale) for a, (s, r) in DOCUMENTED_BUCKETS.items()}
        )

    def admit(self, action: str) -> bool:
        bucket = self.buckets.get(action)
        allowed = bucket is None or bucket.take()
        with self._lock:
            self.calls[action] += 1
            if not allowed:
                self.throttled[action] += 1
        return allowed

    def reset_counts(self) -> None:
        with self._lock:
            self.calls.clear()
            self.throttled.clear()


_active: StepFunctionsMeter | None = None

#: What Step Functions answers when a bucket is empty (awsJson1_0 error: HTTP 400, ``__type``).
THROTTLED_BODY = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})


def install(meter: StepFunctionsMeter) -> None:
    """Put ``meter`` in front of moto's Step Functions API (one meter is active per process)."""
    global _active
    from moto.stepfunctions.responses import StepFunctionResponse

    _active = meter
    original = StepFunctionResponse.call_action
    if getattr(original, "_vpr_metered", False):
        return

    @functools.wraps(original)
    def call_action(self: Any) -> Any:
        meter = _active
        if meter is not None and not meter.admit(self._get_action()):
            headers = {"status": 400, "Content-Type": "application/x-amz-json-1.0"}
            return 400, headers, THROTTLED_BODY
        return original(self)

    call_action._vpr_metered = True  # type: ignore[attr-defined]
    StepFunctionResponse.call_action = call_action  # type: ignore[method-assign]
