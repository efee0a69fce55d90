"""Report generators behind one interface, chosen by ``VPR_GENERATOR`` (auto | claude | offline).

``auto`` picks Claude when an API key is configured (``ANTHROPIC_API_KEY`` locally, a Secrets Manager
ARN on AWS) and the offline generator otherwise. The Claude module is imported only when chosen: it
pulls in the anthropic SDK, which only the Generate function may pay for.
"""

from __future__ import annotations

from vpr.generation.base import GenerationResult, ReportGenerator
from vpr.settings import Settings

__all__ = ["GenerationResult", "ReportGenerator", "choose_generator_name", "get_generator"]


def choose_generator_name(settings: Settings) -> str:
    if settings.generator != "auto":
        return settings.generator
    has_key = bool(settings.anthropic_api_key or settings.anthropic_secret_arn)
    return "claude" if has_key else "offline"


def get_generator(settings: Settings) -> ReportGenerator:
    if choose_generator_name(settings) == "claude":
        from vpr.generation.claude import ClaudeGenerator  # heavy SDK: Generate only

        return ClaudeGenerator(settings)
    from vpr.generation.offline import OfflineGenerator

    return OfflineGenerator(delay_seconds=settings.offline_delay_seconds)
