"""The price table: a row for every model the pinned SDK lists, no default price, per-call cost."""

from __future__ import annotations

import typing

import anthropic
import pytest

from vpr.models import TokenUsage
from vpr.pricing import PRICES, UnknownModelError, cost_usd, is_known_model, price_for, usage_with_cost

SDK_MODELS = typing.get_args(typing.get_args(anthropic.types.Model)[0])


def test_the_sdk_lists_models() -> None:
    assert len(SDK_MODELS) >= 20 and "claude-haiku-5-5" in SDK_MODELS


@pytest.mark.parametrize("model", SDK_MODELS)
def test_every_sdk_model_has_a_sourced_price(model: str) -> None:
    price = price_for(model)
    assert price.source.startswith("https://"), model
    assert 0 < price.cache_read < price.input < price.cache_write < price.output, model


def test_the_table_has_no_model_the_sdk_does_not_list() -> None:
    assert set(PRICES) == set(SDK_MODELS)


@pytest.mark.parametrize(
    ("model", "expected_input", "expected_output", "expected_cache_read"),
    [
        ("claude-sonnet-5-5", 2.00, 10.00, 0.10),  # cache hits cut to $0.10 on 2026-10-07
        ("claude-sonnet-5-5-20261001", 2.00, 10.00, 0.10),  # a dated snapshot → its alias
        ("claude-sonnet-5", 2.00, 10.00, 0.20),
        ("claude-sonnet-4-5-20250929", 3.00, 15.00, 0.30),
        ("claude-haiku-5-5", 0.10, 0.50, 0.01),
        ("claude-haiku-4-5", 1.00, 5.00, 0.10),
        ("claude-opus-5-5", 4.00, 20.00, 0.20),
        ("claude-opus-4-8", 5.00, 25.00, 0.50),
        ("claude-fable-5-1", 10.00, 50.00, 0.25),
        ("claude-fable-5-2", 8.00, 40.00, 0.20),
        ("claude-mythos-5", 10.00, 50.00, 1.00),
    ],
)
def test_known_models(
    model: str, expected_input: float, expected_output: float, expected_cache_read: float
) -> None:
    price = price_for(model)
    assert (price.input, price.output, price.cache_read) == (
        expected_input,
        expected_output,
        expected_cache_read,
    )


@pytest.mark.parametrize("model", ["claude-future-9", "claude-sonnet-5-5x", "claude-opus-4-1", "gpt-4o"])
def test_an_unknown_model_has_no_price(model: str) -> None:
    assert not is_known_model(model)
    with pytest.raises(UnknownModelError, match=model):
        price_for(model)
    with pytest.raises(UnknownModelError):
        cost_usd(model, output_tokens=1)


def test_cache_writes_follow_the_published_multiplier() -> None:
    for model, price in PRICES.items():
        assert price.cache_write == pytest.approx(price.input * 1.25), model


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


def test_haiku_5_5_long_prompts_cost_the_second_band() -> None:
    short = cost_usd("claude-haiku-5-5", input_tokens=100_000, output_tokens=1_000_000)
    long = cost_usd("claude-haiku-5-5", input_tokens=100_001, output_tokens=1_000_000)
    assert short == pytest.approx(100_000 * 0.10 / 1e6 + 0.50)
    assert long == pytest.approx(100_001 * 0.50 / 1e6 + 2.50)


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
