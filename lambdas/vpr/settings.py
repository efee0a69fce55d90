"""The one settings model of the service.

Every tunable the Lambdas, the local runtime and the CDK stack share is read here, from the
environment, once per process. Domain code receives a ``Settings`` object instead of reading
``os.environ`` itself, so tests can build one with any values they need.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration read from ``VPR_*`` environment variables (plus ``ANTHROPIC_API_KEY``)."""

    model_config = SettingsConfigDict(env_prefix="VPR_", extra="ignore", frozen=True)

    # Where things live. The CDK stack sets these on each function; the local runtime sets them too.
    state_machine_arn: str = ""
    results_bucket: str = ""
    profile_table: str = ""
    job_view_table: str = ""
    """The job view (DynamoDB) the status path reads; empty = read Step Functions on every poll."""
    job_view_ttl_days: int = Field(default=90, ge=1, le=365)
    """Items expire with Step Functions' 90-day history retention: after it, neither source knows the job."""

    # Results
    result_url_ttl_seconds: int = Field(default=900, ge=60, le=43_200)
    """Expiry of the presigned result link: short, a client asks the status endpoint again for a new one."""
    retry_after_seconds: int = Field(default=5, ge=1, le=120)
    """Polling hint sent as ``Retry-After`` while a job is PENDING or PROCESSING."""

    # Generation
    generator: Literal["auto", "claude", "offline"] = "auto"
    model: str = "claude-sonnet-5-5"
    """claude-sonnet-4-5 reaches end of life on 2026-11-30 (the SDK's deprecated-models list)."""
    claude_timeout_seconds: float = Field(default=420.0, gt=0, le=890)
    """The most one Claude call may take, retries included; each call is further capped by the time the
    Generate function has left (``vpr.generation.claude``), so it always ends as ``ClaudeTimeout`` before
    the function would be killed."""
    claude_max_retries: int = Field(default=1, ge=0, le=3)
    """Retries of one call after a 429/5xx/connection error, inside its deadline; the state machine does
    the long, jittered backoff."""
    claude_max_tokens: int = Field(default=32_000, ge=1024, le=128_000)
    """Output limit of one call, thinking included (see ``vpr.generation.claude.MAX_TOKENS_RATIONALE``)."""
    claude_effort: Literal["low", "medium", "high"] = "medium"
    """``output_config.effort`` for models with adaptive thinking: how much the model thinks first."""
    generation_mode: Literal["sections", "single"] = "sections"
    """``sections``: the report's independent sections are written concurrently by the state machine's
    Map and assembled; ``single``: one call writes the whole report (the Generate task)."""
    section_batch_size: int = Field(default=2, ge=1, le=8)
    """Job requirements per evidence-matrix section call: smaller batches finish sooner, cost more calls."""
    anthropic_secret_arn: str = ""
    """On AWS the API key lives in Secrets Manager; its ARN is the only thing in the environment."""
    anthropic_api_key: str = Field(default="", validation_alias="ANTHROPIC_API_KEY", repr=False)
    """Locally the key may come from ``ANTHROPIC_API_KEY`` (never logged, never repr'd)."""

    offline_delay_seconds: float = Field(default=0.0, ge=0, le=600)
    """Makes the offline generator take this long, like Claude does (load tests, ``make run`` demos)."""

    # Local runtime only
    aws_quotas: Literal["off", "documented"] = "off"
    """``documented``: the local Step Functions endpoint enforces AWS's API token buckets (local.quotas)."""
    local_execution_retention: int = Field(default=200, ge=1, le=100_000)
    """Finished executions the local engine keeps (history, console, ``verify JOB_ID``); older ones are
    dropped from memory. Statuses and reports do not depend on them (job view, S3)."""
    local_retry_wait_scale: float = Field(default=1.0, gt=0, le=1)
    """Multiplies the local engine's ASL Retry waits (1: as written). Tests of a whole service set it
    small, so a transient error's retries (20 s and up) take milliseconds (``scale_retry_waits``)."""

    cors_allowed_origins: str = ""
    """Comma-separated origins of the web client allowed to call the API from a browser."""

    @field_validator("model")
    @classmethod
    def _model_is_known(cls, model: str, info: ValidationInfo) -> str:
        """An unknown ``VPR_MODEL`` fails here, when the service starts, not later at a made-up price.

        A field validator (not a model validator), so the error quotes only the model, never the other
        inputs (the API key is one of them).
        """
        from vpr.pricing import PRICES, is_known_model  # plain data; no SDK

        if info.data.get("generator") != "offline" and not is_known_model(model):
            raise ValueError(
                f"VPR_MODEL={model!r} is not a model this service has prices and limits for "
                f"(known: {', '.join(sorted(PRICES))}, or a dated snapshot of one of them)"
            )
        return model

    # Identity: on AWS the API's Cognito authorizer supplies the caller; locally checks are opt-in.
    require_identity: bool = False


@lru_cache(maxsize=1)
def environment_settings() -> Settings:
    """The process-wide settings, read on first use (not at import, so tests can set the env first)."""
    return Settings()


_scoped: ContextVar[Settings | None] = ContextVar("vpr_scoped_settings", default=None)


def get_settings() -> Settings:
    """The settings of the running function: the environment's, unless a scope says otherwise.

    On AWS every function is its own process, so this is always the environment. The local runtime
    runs every function in one process and gives each, with ``scoped_settings``, only the ``VPR_*``
    variables the stack gives it (``stacks/registry.py``).
    """
    scoped = _scoped.get()
    return environment_settings() if scoped is None else scoped


get_settings.cache_clear = environment_settings.cache_clear  # type: ignore[attr-defined]


@contextmanager
def scoped_settings(settings: Settings) -> Iterator[None]:
    """Run the block (in this thread and context) with ``settings`` as ``get_settings()``."""
    token = _scoped.set(settings)
    try:
        yield
    finally:
        _scoped.reset(token)
