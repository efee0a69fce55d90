"""The one place resource names are made.

The product's infrastructure convention is ``careervp-<service>-<what>-<env>``, so every VPR resource
lines up with the rest of CareerVP in the console: ``careervp-vpr-submit-dev``,
``careervp-vpr-workflow-dev``, ``careervp-vpr-profiles-dev`` and so on. The stack itself is
``CareerVpVpr<Env>`` (``CareerVpVprDev``). The results bucket deliberately keeps a CloudFormation-generated
name (bucket names are global; a fixed one would collide across accounts and block replacement).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PRODUCT = "careervp"
SERVICE = "vpr"

_ENV_RE = re.compile(r"^[a-z][a-z0-9]{0,11}$")


@dataclass(frozen=True)
class Naming:
    """Names for one deployment environment (``dev``, ``staging``, ``prod``, ...)."""

    env: str

    def __post_init__(self) -> None:
        if not _ENV_RE.match(self.env):
            raise ValueError(
                f"env must be 1-12 lowercase letters/digits starting with a letter, got {self.env!r}"
            )

    def resource(self, what: str) -> str:
        """``careervp-vpr-<what>-<env>``: functions, state machine, table, secret, alarms, API, pool."""
        return f"{PRODUCT}-{SERVICE}-{what}-{self.env}"

    def function(self, what: str) -> str:
        return self.resource(what)

    def alarm(self, what: str) -> str:
        return self.resource(what)

    @property
    def stack_id(self) -> str:
        """``CareerVpVpr<Env>``, e.g. ``CareerVpVprDev``."""
        return f"CareerVp{SERVICE.capitalize()}{self.env.capitalize()}"

    @property
    def state_machine(self) -> str:
        return self.resource("workflow")

    @property
    def profile_table(self) -> str:
        return self.resource("profiles")

    @property
    def job_view_table(self) -> str:
        return self.resource("jobs")

    @property
    def anthropic_secret(self) -> str:
        return self.resource("anthropic-api-key")

    @property
    def api(self) -> str:
        return self.resource("api")

    @property
    def user_pool(self) -> str:
        return self.resource("users")

    def function_log_group(self, what: str) -> str:
        return f"/aws/lambda/{self.function(what)}"

    @property
    def state_machine_log_group(self) -> str:
        # Step Functions log delivery must use a /aws/vendedlogs/ group, or the shared CloudWatch Logs
        # resource policy grows with every state machine until it hits its size limit.
        return f"/aws/vendedlogs/states/{self.state_machine}"

    @property
    def api_access_log_group(self) -> str:
        return f"/aws/apigateway/{self.api}/access"
