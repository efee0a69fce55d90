"""AWS clients, created on first use and reused across warm invocations.

Plain botocore, not boto3: boto3 adds resources and s3transfer (S3 multipart uploads), which nothing
here uses, and importing them was ~30 % of the API functions' cold import. botocore clients have the
same calls, paginators and ``generate_presigned_url``.

Nothing here reads endpoints: botocore honours ``AWS_ENDPOINT_URL``, which is how the local runtime
points the very same code at moto.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, signature_version="s3v4")
_lock = threading.Lock()  # a botocore session is not thread-safe; clients are


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def aws_client(service: str) -> Any:
    with _lock:
        return _session().create_client(service, config=_CONFIG)


def reset_clients() -> None:
    """Forget cached clients (the local runtime calls this after pointing the environment elsewhere)."""
    with _lock:
        aws_client.cache_clear()
        _session.cache_clear()
