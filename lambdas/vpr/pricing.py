"""What a report costs: the one price table of the service.

Prices are USD per million tokens (MTok) from Anthropic's published pricing page
(https://platform.claude.com/docs/en/about-claude/pricing), for the 5-minute prompt cache the generator
uses: a cache write costs 1.25x the input price, a cache read 0.1x (cheaper still on some newer models).
Update this table, and only this table, when prices change.

A model is looked up by the longest table prefix of its id, so a dated snapshot
(``claude-sonnet-4-5-20250929``) prices like its alias. An unknown model is priced at the most
expensive rates in the table, so a new model can only make the reported cost too high, never too low.
"""

from __future__ import annotations

from dataclasses import dataclass

from vpr.models.usage import TokenUsage

_PER_TOKEN = 1 / 1_000_000


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens."""

    input: float
    output: float
    cache_write: float
    cache_read: float


_SONNET_4 = ModelPrice(input=3.00, output=15.00, cache_write=3.75, cache_read=0.30)
_OPUS_4_5 = ModelPrice(input=5.00, output=25.00, cache_write=6.25, cache_read=0.50)
_OPUS_4 = ModelPrice(input=15.00, output=75.00, cache_write=18.75, cache_read=1.50)
_HAIKU_4_5 = ModelPrice(input=1.00, output=5.00, cache_write=1.25, cache_read=0.10)
_HAIKU_3_5 = ModelPrice(input=0.80, output=4.00, cache_write=1.00, cache_read=0.08)
_SONNET_5 = ModelPrice(input=2.00, output=10.00, cache_write=2.50, cache_read=0.20)
_FABLE_5 = ModelPrice(input=10.00, output=50.00, cache_write=12.50, cache_read=1.00)

#: Model id prefix → price. Longest matching prefix wins.
PRICES: dict[str, ModelPrice] = {
    "claude-sonnet-4-5": _SONNET_4,
    "claude-sonnet-4-6": _SONNET_4,
    "claude-sonnet-4": _SONNET_4,
    "claude-3-7-sonnet": _SONNET_4,
    "claude-sonnet-5": _SONNET_5,
    "claude-sonnet-5-5": ModelPrice(input=2.00, output=10.00, cache_write=2.50, cache_read=0.10),
    "claude-opus-4-5": _OPUS_4_5,
    "claude-opus-4-6": _OPUS_4_5,
    "claude-opus-4-7": _OPUS_4_5,
    "claude-opus-4-8": _OPUS_4_5,
    "claude-opus-5": _OPUS_4_5,
    "claude-opus-5-5": ModelPrice(input=4.00, output=20.00, cache_write=5.00, cache_read=0.20),
    "claude-opus-4-1": _OPUS_4,
    "claude-opus-4-0": _OPUS_4,
    "claude-opus-4-2": _OPUS_4,  # "claude-opus-4-20250514" (Opus 4) starts with this prefix
    "claude-haiku-4-5": _HAIKU_4_5,
    "claude-3-5-haiku": _HAIKU_3_5,
    "claude-fable-5": _FABLE_5,
    "claude-mythos-5": _FABLE_5,
}

#: Used for a model the table does not know: the highest rates above, so cost is never under-reported.
DEFAULT_PRICE = ModelPrice(
    input=max(p.input for p in PRICES.values()),
    output=max(p.output for p in PRICES.values()),
    cache_write=max(p.cache_write for p in PRICES.values()),
    cache_read=max(p.cache_read for p in PRICES.values()),
)


def price_for(model: str) -> ModelPrice:
    """The price of ``model`` (longest known prefix), or the conservative default."""
    matches = [prefix for prefix in PRICES if model.startswith(prefix)]
    return PRICES[max(matches, key=len)] if matches else DEFAULT_PRICE


def cost_usd(
    model: str,
    *,
    input_tokens: int = 0,
    output_tokens: int = 0,
    cache_creation_input_tokens: int = 0,
    cache_read_input_tokens: int = 0,
) -> float:
    """Dollar cost of one call. ``input_tokens`` excludes cached tokens, as the API reports it."""
    price = price_for(model)
    total = (
        input_tokens * price.input
        + output_tokens * price.output
        + cache_creation_input_tokens * price.cache_write
        + cache_read_input_tokens * price.cache_read
    ) * _PER_TOKEN
    return round(total, 6)


def usage_with_cost(model: str, **token_counts: int) -> TokenUsage:
    """A ``TokenUsage`` for one call (counts named as in ``cost_usd``), its ``cost_usd`` from the table."""
    return TokenUsage(model=model, **token_counts, cost_usd=cost_usd(model, **token_counts))
