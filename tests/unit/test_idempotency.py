"""Job names: equal requests → one name; any meaningful change → another (property-based)."""

from __future__ import annotations

import copy
import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE_REQUEST
from vpr.idempotency import EXECUTION_NAME_PATTERN, canonical_input, execution_name
from vpr.models import VprRequest


def _name(data: dict, key: str | None = None) -> str:
    return execution_name(VprRequest.model_validate(data), key)


def _shuffled(value: object, rng: random.Random) -> object:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


def test_name_is_vpr_and_sha256_hex_within_step_functions_limits():
    name = _name(EXAMPLE_REQUEST)

    assert EXECUTION_NAME_PATTERN.fullmatch(name)
    assert len(name) == 68 <= 80


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(),
    extra=st.dictionaries(
        st.text(min_size=1).filter(lambda k: k not in EXAMPLE_REQUEST), st.integers(), max_size=3
    ),
)
def test_key_order_and_unknown_fields_do_not_change_the_job(seed, extra):
    data = _shuffled(copy.deepcopy(EXAMPLE_REQUEST), random.Random(seed))
    data.update(extra)

    assert _name(data) == _name(EXAMPLE_REQUEST)


_MEANINGFUL = [
    ("application_id",),
    ("user_id",),
    ("job_posting", "company_name"),
    ("job_posting", "role_title"),
    ("job_posting", "employment_type"),
    ("job_posting", "location", "city"),
    ("job_posting", "requirements", 0),
    ("job_posting", "responsibilities", 1),
    ("gap_responses", 0, "answer"),
    ("gap_responses", 0, "question"),
]


@settings(max_examples=60, deadline=None)
@given(
    path=st.sampled_from(_MEANINGFUL),
    suffix=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1),
)
def test_any_change_to_a_meaningful_field_changes_the_job(path, suffix):
    data = copy.deepcopy(EXAMPLE_REQUEST)
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = target[path[-1]] + suffix

    assert _name(data) != _name(EXAMPLE_REQUEST)


def test_language_change_changes_the_job():
    data = copy.deepcopy(EXAMPLE_REQUEST)
    data["job_posting"]["language"] = "he"

    assert _name(data) != _name(EXAMPLE_REQUEST)


def test_canonical_input_is_sorted_compact_and_byte_stable():
    text = canonical_input(VprRequest.model_validate(EXAMPLE_REQUEST))

    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_input(VprRequest.model_validate(_shuffled(EXAMPLE_REQUEST, random.Random(1)))) == text


def test_idempotency_key_names_the_job_per_user_not_per_payload():
    other_payload = copy.deepcopy(EXAMPLE_REQUEST)
    other_payload["job_posting"]["role_title"] = "Another role"
    other_user = copy.deepcopy(EXAMPLE_REQUEST)
    other_user["user_id"] = "someone-else"

    assert _name(EXAMPLE_REQUEST, "key-1") == _name(other_payload, "key-1")
    assert _name(EXAMPLE_REQUEST, "key-1") != _name(EXAMPLE_REQUEST, "key-2")
    assert _name(EXAMPLE_REQUEST, "key-1") != _name(other_user, "key-1")
    assert _name(EXAMPLE_REQUEST, "key-1") != _name(EXAMPLE_REQUEST)
