"""The functions of the VPR service, in one place: what the CDK stack deploys is what the local runtime runs.

Plain Python on purpose (no ``aws_cdk``, no ``vpr`` import), so the local runtime reads it at no cost.
For each function: its name part (``careervp-vpr-<key>-<env>``, ``stacks.naming``), handler, timeout,
memory, description, the workflow task states it serves (each fills the ASL's ``${<State>FunctionArn}``
placeholder), the environment variables it gets, whether it calls Claude, and the API route it serves.

- ``stacks/functions.py`` creates one Lambda function and role per entry and sets exactly these
  environment variable names; ``stacks/workflow.py`` fills the ASL's placeholders from ``task_states``;
  ``stacks/api.py`` adds one method per ``route``.
- ``local/runtime.py`` registers one in-process function per entry (the same handler string, timeout,
  memory and environment variable names; each function sees only its own ``VPR_*`` settings), fills the
  same placeholders, and the API emulator serves the same routes.
- ``tests/infra/test_infra_wiring.py`` proves, function by function, that the synthesized template and
  the local runtime agree, and that every variable named here is read by the settings model (or by
  Powertools).

**Adding a function is one entry in ``FUNCTIONS``**: a workflow task names its ``task_states`` (and the
ASL gets the ``${<State>FunctionArn}`` placeholder), an API function its ``route``. Its permissions go
in the construct of the part it uses (``stacks/<part>.py``); ``tests/infra/test_infra_permissions.py``
then fails until a realistic run of it is recorded and every call it makes is granted — and nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every function: Powertools' service name, metrics namespace and log level; and no return value or
#: error message to X-Ray (Tracer would record the CV, the report, presigned URLs, pydantic errors
#: quoting the input). Read by Powertools, not by ``vpr.settings``.
POWERTOOLS_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "vpr",
    "POWERTOOLS_METRICS_NAMESPACE": "CareerVP/Vpr",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
}
#: Every function writes the job view (workflow tasks their stage, the API its claim and repairs).
JOB_VIEW_TABLE = "VPR_JOB_VIEW_TABLE"
#: Functions that call Claude: the generator choice, the model, and where the API key lives.
CLAUDE_ENVIRONMENT = ("VPR_GENERATOR", "VPR_MODEL", "VPR_ANTHROPIC_SECRET_ARN")
#: API functions: the caller must be the authorizer's identity; CORS for the web client.
API_ENVIRONMENT = ("VPR_REQUIRE_IDENTITY", "VPR_CORS_ALLOWED_ORIGINS")


@dataclass(frozen=True)
class ApiRoute:
    """A REST API method served by a function (Lambda proxy integration, Cognito authorizer)."""

    method: str
    path: str  # API Gateway resource path; ``{name}`` is a required path parameter

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(part[1:-1] for part in self.path.split("/") if part.startswith("{"))


@dataclass(frozen=True)
class FunctionSpec:
    key: str
    """The name part: ``careervp-vpr-<key>-<env>`` (``stacks.naming.Naming.function``)."""
    handler: str
    """``module.attribute`` under ``lambdas/``, as Lambda resolves it."""
    timeout_seconds: int
    memory_mb: int
    description: str
    environment: tuple[str, ...] = ()
    """``VPR_*`` variables beyond the ones every function (or every Claude/API function) gets."""
    task_states: tuple[str, ...] = ()
    """Workflow task states this function serves: each fills ``${<State>FunctionArn}`` in the ASL."""
    calls_claude: bool = False
    route: ApiRoute | None = None

    @property
    def settings_environment(self) -> tuple[str, ...]:
        """The ``VPR_*`` variables this function gets (each a field of ``vpr.settings.Settings``)."""
        names = [*self.environment, JOB_VIEW_TABLE]
        if self.calls_claude:
            names += CLAUDE_ENVIRONMENT
        if self.route is not None:
            names += API_ENVIRONMENT
        return tuple(dict.fromkeys(names))

    @property
    def environment_names(self) -> tuple[str, ...]:
        """Every environment variable this function gets, on AWS and locally."""
        return (*POWERTOOLS_ENVIRONMENT, *self.settings_environment)


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.key: spec
    for spec in (
        FunctionSpec(
            "submit", "handlers.submit.handler", 10, 256, "POST /api/vpr: starts a job",
            environment=("VPR_STATE_MACHINE_ARN",), route=ApiRoute("POST", "/api/vpr"),
        ),
        FunctionSpec(
            "validate", "handlers.validate.handler", 30, 256, "Workflow task: validate, attach the CV",
            environment=("VPR_PROFILE_TABLE",), task_states=("Validate",),
        ),
        FunctionSpec(
            "generate", "handlers.generate.handler", 600, 512, "Workflow task: write the report",
            task_states=("Generate",), calls_claude=True,
        ),
        FunctionSpec(
            "store", "handlers.store.handler", 30, 256, "Workflow task: store v{n}.json/.md",
            environment=("VPR_RESULTS_BUCKET",), task_states=("Store",),
        ),
        # Sections mode (VPR_GENERATION_MODE=sections, the default): plan, write sections concurrently,
        # assemble. VPR_GENERATION_MODE itself is left at the settings default (sections) on AWS.
        FunctionSpec(
            "plan", "handlers.plan.handler", 30, 256, "Workflow task: plan the report's sections",
            task_states=("Plan",),
        ),
        FunctionSpec(
            "section", "handlers.section.handler", 600, 512,
            "Workflow task (Map item): write one report section",
            task_states=("WriteSection",), calls_claude=True,
        ),
        FunctionSpec(
            "assemble", "handlers.assemble.handler", 600, 512,
            "Workflow task: summary, merge, grounding check",
            task_states=("Assemble",), calls_claude=True,
        ),
        FunctionSpec(
            "status", "handlers.status.handler", 10, 256, "GET /api/vpr/status/{job_id}: job status",
            environment=("VPR_STATE_MACHINE_ARN", "VPR_RESULTS_BUCKET"),
            route=ApiRoute("GET", "/api/vpr/status/{job_id}"),
        ),
        FunctionSpec(
            "projector", "handlers.projector.handler", 10, 256, "Step Functions status changes -> job view",
        ),
        # Cancel and retry (vpr.control): StopExecution / RedriveExecution of the caller's job.
        FunctionSpec(
            "cancel", "handlers.cancel.handler", 10, 256, "DELETE /api/vpr/{job_id}: cancel a running job",
            environment=("VPR_STATE_MACHINE_ARN",), route=ApiRoute("DELETE", "/api/vpr/{job_id}"),
        ),
        FunctionSpec(
            "retry", "handlers.retry.handler", 10, 256, "POST /api/vpr/{job_id}/retry: retry a failed job",
            environment=("VPR_STATE_MACHINE_ARN",), route=ApiRoute("POST", "/api/vpr/{job_id}/retry"),
        ),
    )
}  # fmt: skip


def task_functions() -> dict[str, str]:
    """ASL task state → the key of the function behind it."""
    return {state: spec.key for spec in FUNCTIONS.values() for state in spec.task_states}


def placeholder(state: str) -> str:
    """The ``DefinitionSubstitutions`` name of a task state's function ARN (``${<State>FunctionArn}``)."""
    return f"{state}FunctionArn"


def definition_substitutions(function_arn: dict[str, str]) -> dict[str, str]:
    """The ASL's substitutions, given each function key's ARN (a CDK token on AWS, a string locally)."""
    return {placeholder(state): function_arn[key] for state, key in task_functions().items()}


def api_functions() -> dict[str, ApiRoute]:
    """Function key → the route it serves."""
    return {spec.key: spec.route for spec in FUNCTIONS.values() if spec.route is not None}


def claude_functions() -> tuple[str, ...]:
    return tuple(spec.key for spec in FUNCTIONS.values() if spec.calls_claude)


#: The EventBridge rule's terminal status filter: a first RUNNING is left out (submit writes new jobs
#: itself); a redriven one is matched besides (``REDRIVEN_RUNNING``).
PROJECTED_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
#: RUNNING events of a redriven execution: a redrive turns the execution RUNNING again, and the event's
#: ``detail`` carries DescribeExecution's fields, ``redriveCount`` among them (Step Functions Developer
#: Guide, "Step Functions event examples"; API Reference, DescribeExecution). Matched with ``$or`` and
#: numeric matching (EventBridge User Guide, "Comparison operators for use in event patterns"); the count
#: orders the redriven attempt's writes in the view.
REDRIVEN_RUNNING = {"status": ["RUNNING"], "redriveCount": [{"numeric": [">", 0]}]}


def status_change_detail(state_machine_arn: str) -> dict[str, object]:
    """The rule's ``detail`` pattern (EventBridge pattern syntax), on AWS and locally: this state
    machine's terminal statuses, and RUNNING events of a redriven execution."""
    return {
        "stateMachineArn": [state_machine_arn],
        "$or": [{"status": list(PROJECTED_STATUSES)}, REDRIVEN_RUNNING],
    }


#: The function the rule targets.
PROJECTOR = "projector"
