"""A bounded fuzz run in `make test` (the long one is `make fuzz`): whatever is sent, the contract holds."""

from __future__ import annotations

from collections import Counter

from hypothesis import given

from tests.fuzz.contract import fuzz_settings, send, violations
from tests.fuzz.strategies import Request, api_requests

FUZZ_REQUESTS = 300


def test_generated_and_hostile_requests_get_no_5xx_and_only_enveloped_errors(service):
    seen: Counter = Counter()

    @fuzz_settings(FUZZ_REQUESTS)
    @given(request=api_requests())
    def one(request: Request) -> None:
        answer = send(service.url, request)
        seen[answer.status] += 1
        assert not violations(request, answer), (request, answer)

    one()

    assert sum(seen.values()) == FUZZ_REQUESTS
    assert seen[400] and seen[404], seen  # the generator reaches both the valid and the hostile paths
    assert seen[200] + seen[202] > 0, seen
