"""The two HTTP calls the benchmarks make to the local API (loopback only)."""

from __future__ import annotations

import json
import urllib.request


def post_json(url: str, payload: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310 - loopback
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        return json.loads(response.read())
