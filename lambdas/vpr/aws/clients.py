"""boto3 clients, created on first use and reused across warm invocations.

Nothing here reads endpoints: boto3 honours ``AWS_ENDPOINT_URL``, which is how the local runtime points
the very same code at moto.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, signature_version="s3v4")


@cache
def aws_client(service: str) -> Any:
    return boto3.client(service, config=_CONFIG)  # type: ignore[call-overload]


def reset_clients() -> None:
    """Forget cached clients (the local runtime calls this after pointing the environment elsewhere)."""
    aws_client.cache_clear()
