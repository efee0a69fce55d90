"""What a report costs: the one price table of the service.

Prices are USD per million tokens (MTok) from Anthropic's published pricing page, "Model pricing"
(https://platform.claude.com/docs/en/about-claude/pricing), read 2026-11-30, for the 5-minute prompt
cache the generator uses. Each row names the page it was checked against. Update this table, and only
this table, when prices change.

There is one row for every model id the pinned anthropic SDK lists (``anthropic.types.Model``; a test
iterates them), so a model the SDK knows is never priced by guesswork. A dated snapshot of a listed alias
(``claude-sonnet-5-5-20261001``) prices like the alias. Any other model is *unknown*: ``price_for``
raises, and ``vpr.settings`` refuses such a ``VPR_MODEL`` when the service starts, so a cost is never
silently reported at a made-up rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpr.models.usage import TokenUsage

_PER_TOKEN = 1 / 1_000_000
PRICING_PAGE = "https://platform.claude.com/docs/en/about-claude/pricing#model-pricing"


class UnknownModelError(ValueError):
    """A model id with no row in the price table."""


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens, and where the figures come from.

    ``long_context_*``: a model priced in two bands (Claude Haiku 5.5) charges the second band for a
    request whose prompt (input + cache reads + cache writes) exceeds ``long_context_threshold``.
    """

    input: float
    output: float
    cache_write: float
    cache_read: float
    source: str = PRICING_PAGE
    long_context_threshold: int | None = None
    long_context_input: float | None = None
    long_context_output: float | None = None


_FABLE_5_1 = ModelPrice(
    input=10.00,
    output=50.00,
    cache_write=12.50,
    cache_read=0.25,
    source=PRICING_PAGE + " (Fable 5.1 / Mythos 5.1: cache hits $0.25)",
)
#: Fable 5.2 (released 2026-11-09) is newer than the stored copy of the pricing page; its list price,
#: 20 % below Fable 5.1, is as reported from Anthropic's list by resellers quoting the pricing page
#: (e.g. https://docs.laozhang.ai/en/announcements/claude-fable-5-2-2026-11.md). Mythos models share their
#: Fable counterpart's specifications and pricing (https://platform.claude.com/docs/en/models/fable-5/overview).
_FABLE_5_2 = ModelPrice(
    input=8.00,
    output=40.00,
    cache_write=10.00,
    cache_read=0.20,
    source="https://docs.laozhang.ai/en/announcements/claude-fable-5-2-2026-11.md (Anthropic list price)",
)
_FABLE_5 = ModelPrice(input=10.00, output=50.00, cache_write=12.50, cache_read=1.00)
_OPUS_5_5 = ModelPrice(
    input=4.00,
    output=20.00,
    cache_write=5.00,
    cache_read=0.20,
    source="https://platform.claude.com/docs/en/models/opus-5-5/overview (and the pricing page)",
)
_OPUS_4_5_TO_5 = ModelPrice(input=5.00, output=25.00, cache_write=6.25, cache_read=0.50)
_SONNET_5_5 = ModelPrice(
    input=2.00,
    output=10.00,
    cache_write=2.50,
    cache_read=0.10,
    source=PRICING_PAGE + " (cache hits cut from $0.20 to $0.10 on 2026-10-07)",
)
_SONNET_5 = ModelPrice(
    input=2.00,
    output=10.00,
    cache_write=2.50,
    cache_read=0.20,
    source="https://platform.claude.com/docs/en/models/sonnet-5/overview",
)
_SONNET_4 = ModelPrice(input=3.00, output=15.00, cache_write=3.75, cache_read=0.30)
_HAIKU_5_5 = ModelPrice(
    input=0.10,
    output=0.50,
    cache_write=0.125,
    cache_read=0.01,
    source=PRICING_PAGE + " (Haiku 5.5: prompts up to 100k tokens; longer prompts $0.50 / $2.50)",
    long_context_threshold=100_000,
    long_context_input=0.50,
    long_context_output=2.50,
)
_HAIKU_4_5 = ModelPrice(input=1.00, output=5.00, cache_write=1.25, cache_read=0.10)
#: Claude Mythos Preview (limited availability; end of life 2026-06-30 per the SDK) has no row in the
#: stored copy of the pricing page. It is priced like Claude Mythos 5, whose row is there: an assumption,
#: on the side of the higher cache-read rate, until a source says otherwise.
_MYTHOS_PREVIEW = ModelPrice(
    input=10.00,
    output=50.00,
    cache_write=12.50,
    cache_read=1.00,
    source=PRICING_PAGE + " (no row for Mythos Preview: Mythos 5's rates, assumed)",
)

#: Model id (every literal of the pinned SDK's ``anthropic.types.Model``) → price.
PRICES: dict[str, ModelPrice] = {
    "claude-fable-5-2": _FABLE_5_2,
    "claude-mythos-5-2": _FABLE_5_2,
    "claude-fable-5-1": _FABLE_5_1,
    "claude-mythos-5-1": _FABLE_5_1,
    "claude-fable-5": _FABLE_5,
    "claude-mythos-5": _FABLE_5,
    "claude-mythos-preview": _MYTHOS_PREVIEW,
    "claude-opus-5-5": _OPUS_5_5,
    "claude-opus-5": _OPUS_4_5_TO_5,
    "claude-opus-4-8": _OPUS_4_5_TO_5,
    "claude-opus-4-7": _OPUS_4_5_TO_5,
    "claude-opus-4-6": _OPUS_4_5_TO_5,
    "claude-opus-4-5": _OPUS_4_5_TO_5,
    "claude-opus-4-5-20251101": _OPUS_4_5_TO_5,
    "claude-sonnet-5-5": _SONNET_5_5,
    "claude-sonnet-5": _SONNET_5,
    "claude-sonnet-4-6": _SONNET_4,
    "claude-sonnet-4-5": _SONNET_4,
    "claude-sonnet-4-5-20250929": _SONNET_4,
    "claude-haiku-5-5": _HAIKU_5_5,
    "claude-haiku-4-5": _HAIKU_4_5,
    "claude-haiku-4-5-20251001": _HAIKU_4_5,
}

_DATED = re.compile(r"^(?P<alias>.+)-(?P<date>20\d{6})$")


def canonical_model(model: str) -> str | None:
    """The table's id for ``model`` (itself, or the alias of a dated snapshot), or None if unknown."""
    if model in PRICES:
        return model
    match = _DATED.match(model)
    if match and match["alias"] in PRICES:
        return match["alias"]
    return None


def is_known_model(model: str) -> bool:
    return canonical_model(model) is not None


def price_for(model: str) -> ModelPrice:
    """The price of ``model``; ``UnknownModelError`` if the table has no row for it (never a default)."""
    known = canonical_model(model)
    if known is None:
        raise UnknownModelError(
            f"No price is known for model {model!r}; known models: {', '.join(sorted(PRICES))}."
        )
    return PRICES[known]


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
    input_price, output_price = price.input, price.output
    prompt = input_tokens + cache_creation_input_tokens + cache_read_input_tokens
    if price.long_context_threshold is not None and prompt > price.long_context_threshold:
        input_price = price.long_context_input or input_price
        output_price = price.long_context_output or output_price
    total = (
        input_tokens * input_price
        + output_tokens * output_price
        + cache_creation_input_tokens * price.cache_write
        + cache_read_input_tokens * price.cache_read
    ) * _PER_TOKEN
    return round(total, 6)


def usage_with_cost(model: str, **token_counts: int) -> TokenUsage:
    """A ``TokenUsage`` for one call (counts named as in ``cost_usd``), its ``cost_usd`` from the table."""
    return TokenUsage(model=model, **token_counts, cost_usd=cost_usd(model, **token_counts))
