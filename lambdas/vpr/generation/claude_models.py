"""What the generator must know about each Claude model to build a request the API accepts.

Plain data (no SDK import), one row per model family, keyed like ``vpr.pricing`` (whose table decides
which models are known at all). Sources:

* Max output: each model's overview page, e.g. https://platform.claude.com/docs/en/models/sonnet-5-5/overview
  (128K for Claude 4.6 and later; 64K for the 4.5 models).
* Thinking: https://platform.claude.com/docs/en/build-with-claude/thinking-troubleshooting ("Thinking
  support, defaults, and rejected configurations by model"): the 4.5 models have only the legacy
  extended thinking (``adaptive`` is rejected there), every later model takes ``{"type": "adaptive"}``
  and the ``output_config.effort`` parameter (https://platform.claude.com/docs/en/build-with-claude/effort).
* Structured outputs (``output_config.format``) are generally available on Claude 4.5 and every later
  model (https://platform.claude.com/docs/en/build-with-claude/structured-outputs), i.e. on every model
  the pinned SDK lists, so the generator always uses them.
"""

from __future__ import annotations

from dataclasses import dataclass

from vpr.pricing import UnknownModelError, canonical_model


@dataclass(frozen=True)
class ModelProfile:
    """``max_output``: the model's synchronous output limit (thinking included); ``adaptive``: it takes
    ``thinking: {"type": "adaptive"}`` and ``output_config.effort``."""

    max_output: int
    adaptive: bool


_LEGACY_4_5 = ModelProfile(max_output=64_000, adaptive=False)
_CURRENT = ModelProfile(max_output=128_000, adaptive=True)

_LEGACY = frozenset(
    {
        "claude-sonnet-4-5",
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-5",
        "claude-opus-4-5-20251101",
        "claude-haiku-4-5",
        "claude-haiku-4-5-20251001",
    }
)


def profile_for(model: str) -> ModelProfile:
    """The request-shaping facts for ``model``; ``UnknownModelError`` for a model the price table lacks."""
    known = canonical_model(model)
    if known is None:
        raise UnknownModelError(f"Model {model!r} is not one this service knows.")
    return _LEGACY_4_5 if known in _LEGACY else _CURRENT
