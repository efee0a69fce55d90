"""The price table: lookups by model id, the conservative default, and per-call cost."""

from __future__ import annotations

import pytest

from vpr.models import TokenUsage
from vpr.pricing import DEFAULT_PRICE, PRICES, cost_usd, price_for, usage_with_cost


@pytest.mark.parametrize(
    ("model", "expected_input", "expected_output"),
    [
        ("claude-sonnet-4-5", 3.00, 15.00),
        ("claude-sonnet-4-5-20250929", 3.00, 15.00),  # dated snapshot → its alias
        ("claude-sonnet-4-20250514", 3.00, 15.00),
        ("claude-sonnet-5", 2.00, 10.00),
        ("claude-sonnet-5-5", 2.00, 10.00),
        ("claude-opus-4-5-20251101", 5.00, 25.00),
        ("claude-opus-4-1", 15.00, 75.00),
        ("claude-opus-4-20250514", 15.00, 75.00),
        ("claude-haiku-4-5-20251001", 1.00, 5.00),
    ],
)
def test_known_models(model: str, expected_input: float, expected_output: float) -> None:
    price = price_for(model)
    assert (price.input, price.output) == (expected_input, expected_output)


def test_longest_prefix_wins() -> None:
    assert price_for("claude-sonnet-5-5").cache_read == 0.10
    assert price_for("claude-sonnet-5").cache_read == 0.20


def test_unknown_model_is_priced_conservatively() -> None:
    assert price_for("claude-future-9") == DEFAULT_PRICE
    for price in PRICES.values():
        assert DEFAULT_PRICE.input >= price.input and DEFAULT_PRICE.output >= price.output
        assert DEFAULT_PRICE.cache_write >= price.cache_write and DEFAULT_PRICE.cache_read >= price.cache_read


def test_cache_prices_follow_the_published_multipliers() -> None:
    for model, price in PRICES.items():
        assert price.cache_write == pytest.approx(price.input * 1.25), model
        assert price.cache_read <= price.input * 0.1 + 1e-9, model


def test_cost_of_one_call() -> None:
    cost = cost_usd(
        "claude-sonnet-4-5",
        input_tokens=1_000_000,
        output_tokens=1_000_000,
        cache_creation_input_tokens=1_000_000,
        cache_read_input_tokens=1_000_000,
    )
    assert cost == pytest.approx(3.00 + 15.00 + 3.75 + 0.30)
    assert cost_usd("claude-sonnet-4-5") == 0.0


def test_usage_with_cost_adds_up() -> None:
    first = usage_with_cost(
        "claude-sonnet-5-5", input_tokens=1_000, output_tokens=3_000, cache_creation_input_tokens=2_000
    )
    second = usage_with_cost(
        "claude-sonnet-5-5", input_tokens=1_200, output_tokens=2_800, cache_read_input_tokens=2_000
    )
    total = first + second
    assert isinstance(total, TokenUsage)
    assert total.model == "claude-sonnet-5-5"
    assert (total.input_tokens, total.output_tokens) == (2_200, 5_800)
    assert total.cost_usd == pytest.approx(
        cost_usd(
            "claude-sonnet-5-5",
            input_tokens=2_200,
            output_tokens=5_800,
            cache_creation_input_tokens=2_000,
            cache_read_input_tokens=2_000,
        ),
        abs=1e-6,
    )
