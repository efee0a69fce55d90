"""The exported request schema states every rule the API enforces (issue 13.7).

Bodies generated from the published OpenAPI document alone (``tests.fuzz.strategies.valid_bodies``)
must be accepted: a client that validates against the published schema is never surprised by a 400.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from tests.fuzz.strategies import valid_bodies


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=valid_bodies())
def test_every_schema_valid_body_is_accepted(identity_service, body):
    # On AWS the caller is the Cognito sub; an absent user_id is filled from it.
    caller = body.get("user_id") or "schema-user"

    reply = identity_service.submit(json.dumps(body), {"X-Vpr-User": caller})

    assert reply.status in {200, 202}, (reply.status, reply.body, body)
