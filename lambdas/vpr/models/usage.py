"""Token usage and cost of one report."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class TokenUsage(BaseModel):
    model_config = ConfigDict(frozen=True)

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    model: str
    cost_usd: float = 0.0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        """Usage of several calls (a repair or a regeneration) for one report."""
        return TokenUsage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens + other.cache_read_input_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens + other.cache_creation_input_tokens,
            model=self.model,
            cost_usd=round(self.cost_usd + other.cost_usd, 6),
        )
