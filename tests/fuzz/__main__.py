"""``make fuzz``: N generated requests (default 10,000) against the local service; prints the histogram.

    python -m tests.fuzz [--requests N] [--api URL] [--seed S]

Without ``--api`` it starts the local service exactly as ``make run`` does (on free ports) and stops
it afterwards. Exits 1 if any answer breaks the contract (a 5xx, non-JSON, a broken error envelope, a
2xx outside its schema), listing the first few.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from hypothesis import given, seed

from tests.fuzz.contract import fuzz_settings, send, violations
from tests.fuzz.service import start_local_service
from tests.fuzz.strategies import Request, api_requests


def fuzz(base_url: str, requests: int, random_seed: int) -> tuple[Counter, list[str]]:
    histogram: Counter = Counter()
    failures: list[str] = []

    @seed(random_seed)
    @fuzz_settings(requests)
    @given(request=api_requests())
    def one(request: Request) -> None:
        answer = send(base_url, request)
        histogram[answer.status] += 1
        for problem in violations(request, answer):
            failures.append(f"{request.method} {request.path[:80]} -> {answer.status}: {problem}")

    one()
    return histogram, failures


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--api", help="a running service (default: start the local one)")
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    process, url = (None, args.api) if args.api else start_local_service()
    started = time.monotonic()
    try:
        histogram, failures = fuzz(url, args.requests, args.seed)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
    total = sum(histogram.values())
    print(f"{total} requests in {time.monotonic() - started:.0f} s against {url}")
    for status, count in sorted(histogram.items()):
        print(f"  {status}: {count}")
    print(f"5xx: {sum(c for s, c in histogram.items() if s >= 500)}   contract violations: {len(failures)}")
    for failure in failures[:20]:
        print("  " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
