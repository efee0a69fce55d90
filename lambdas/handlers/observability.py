"""Powertools logging, tracing and metrics shared by all handlers (service name and namespace from env).

``tracer`` and ``metrics`` are created on first use (PEP 562 module ``__getattr__``): the Tracer
imports the X-Ray SDK (~0.3 s of cold start), which the API functions do not load. They still run
with Lambda active tracing (the invocation segment); only the workflow tasks add SDK subsegments.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger()


@cache
def _make(name: str) -> Any:
    if name == "tracer":
        from aws_lambda_powertools import Tracer

        return Tracer()
    from aws_lambda_powertools import Metrics

    return Metrics()


def __getattr__(name: str) -> Any:
    if name in {"tracer", "metrics"}:
        return _make(name)
    raise AttributeError(name)
