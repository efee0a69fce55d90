"""Deployment settings, read from CDK context (``cdk.json`` defaults, ``-c key=value`` overrides).

Every key has a default, so ``cdk synth`` works with no ``-c`` at all. Values given on the command line
arrive as strings; they are coerced here, once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from constructs import Node

from stacks.naming import Naming

DEFAULTS: dict[str, Any] = {
    # Deployment environment: part of every name (careervp-vpr-<what>-<env>) and the stack id.
    "env": "dev",
    # Claude model the generate function uses (VPR_MODEL).
    "model": "claude-sonnet-5-5",
    # Days after which stored reports (vpr/...) expire from the results bucket.
    "results_expiration_days": 365,
    # Retention of every log group of the stack (Lambda, state machine, API access logs).
    "log_retention_days": 30,
    # Step Functions logs: include execution input/output (CV text, reports) only when explicitly asked.
    "sfn_include_execution_data": False,
    # Origins of the web client allowed by CORS (preflight, gateway error responses, and the Lambdas).
    "cors_allowed_origins": ["http://localhost:3000"],
    # API stage throttling (steady requests per second, burst).
    "api_throttle_rate_limit": 10,
    "api_throttle_burst_limit": 20,
    # Cognito: empty -> the stack creates its user pool (+ app client); an id -> import that pool.
    "cognito_user_pool_id": "",
    # MFA of the created user pool: "optional" (users may enrol TOTP) or "required".
    "cognito_mfa": "optional",
    # Optional SNS topic ARN that receives the alarms; empty -> alarms without actions.
    "alarm_topic_arn": "",
}


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    text = str(value).strip()
    if text.startswith("["):
        return [str(v) for v in json.loads(text)]
    return [v.strip() for v in text.split(",") if v.strip()]


@dataclass(frozen=True)
class VprConfig:
    env: str
    model: str
    results_expiration_days: int
    log_retention_days: int
    sfn_include_execution_data: bool
    cors_allowed_origins: tuple[str, ...]
    api_throttle_rate_limit: float
    api_throttle_burst_limit: int
    cognito_user_pool_id: str
    cognito_mfa: str
    alarm_topic_arn: str

    @property
    def naming(self) -> Naming:
        return Naming(self.env)

    @classmethod
    def from_node(cls, node: Node) -> VprConfig:
        def get(key: str) -> Any:
            value = node.try_get_context(key)
            return DEFAULTS[key] if value is None else value

        mfa = str(get("cognito_mfa")).lower()
        if mfa not in {"optional", "required"}:
            raise ValueError(f"cognito_mfa must be 'optional' or 'required', got {mfa!r}")
        origins = tuple(_list(get("cors_allowed_origins")))
        if not origins:
            raise ValueError("cors_allowed_origins must name at least one origin")
        return cls(
            env=str(get("env")),
            model=str(get("model")),
            results_expiration_days=int(get("results_expiration_days")),
            log_retention_days=int(get("log_retention_days")),
            sfn_include_execution_data=_bool(get("sfn_include_execution_data")),
            cors_allowed_origins=origins,
            api_throttle_rate_limit=float(get("api_throttle_rate_limit")),
            api_throttle_burst_limit=int(get("api_throttle_burst_limit")),
            cognito_user_pool_id=str(get("cognito_user_pool_id")),
            cognito_mfa=mfa,
            alarm_topic_arn=str(get("alarm_topic_arn")),
        )
