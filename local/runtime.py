"""The whole AWS side of the service in one process, for laptops and tests.

- moto (``ThreadedMotoServer``, an HTTP endpoint, so presigned result URLs work with curl) provides
  S3, DynamoDB and Step Functions; its Step Functions runs ``statemachine/vpr.asl.json`` with its real
  ASL interpreter.
- Every handler (API, workflow tasks, projector) runs as an in-process callable (``LambdaRouter``),
  reached through the same AWS calls as on AWS: ``AWS_ENDPOINT_URL`` points them at moto. The
  functions, their handlers, limits, environment variable names and the ASL's substitutions come from
  ``stacks/registry.py``, the list the CDK stack deploys; each function sees only its own ``VPR_*``
  settings (``function_settings``).
- ``local.call_recorder``'s hooks are installed first, so a test can record every AWS call and the
  function that made it (``tests/infra/test_infra_permissions.py``).
- The job view table lives in moto's DynamoDB; status-change events reach the projector handler as
  EventBridge delivers them (``local.eventbridge``); every Step Functions API call is counted, and with
  ``VPR_AWS_QUOTAS=documented`` throttled by AWS's documented token buckets (``local.quotas``).

- With a data directory, what users read survives a restart (``local.persistence``), and finished
  executions beyond a retention are dropped from memory (``prune_finished_executions``).

Changes to moto (the atomicity ones because AWS behaves that way; the client one for throughput):
- StartExecution is atomic per name: two identical concurrent requests give one execution.
- The interpreter's Lambda client is built once, not once per task (throughput only).
- DynamoDB writes are atomic: moto checks a ConditionExpression and writes in two steps, so two threads
  could both pass ``attribute_not_exists``; DynamoDB documents conditional writes as atomic
  (Developer Guide, "Condition expressions": "the write succeeds only if the condition is met").
- StopExecution ends an execution at once (ABORTED, with its error and cause), RedriveExecution exists,
  and the Context object has ``$$.Execution.RedriveCount``: ``local.sfn_lifecycle``.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local import ROOT, sfn_lifecycle
from local.call_recorder import EVENT_RULE, AwsCall, tag_state_machine_client
from local.call_recorder import install_hooks as install_call_hooks
from local.call_recorder import record as record_call
from local.eventbridge import StatusChangeBus
from local.lambda_router import LambdaHandler, LambdaRouter
from local.quotas import StepFunctionsMeter
from stacks.naming import Naming
from stacks.registry import (
    FUNCTIONS,
    JOB_VIEW_TABLE,
    POWERTOOLS_ENVIRONMENT,
    PROJECTOR,
    FunctionSpec,
    definition_substitutions,
    task_functions,
)

ASL_PATH = ROOT / "statemachine" / "vpr.asl.json"
SAMPLE_PROFILES_PATH = Path(__file__).with_name("sample_profiles.json")
REGION = "us-east-1"
ACCOUNT = "123456789012"
#: Local resource names, made as on AWS (``stacks/naming.py``): ``careervp-vpr-<what>-local``.
NAMING = Naming("local")


def function_arn(key: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NAMING.function(key)}"


def render_definition(asl_text: str, substitutions: dict[str, str]) -> str:
    """Fill the ASL's ``${...}`` placeholders, as CloudFormation fills the stack's DefinitionSubstitutions."""
    for name, value in substitutions.items():
        asl_text = asl_text.replace("${" + name + "}", value)
    if "${" in asl_text:
        raise ValueError("vpr.asl.json has a placeholder the local runtime does not fill")
    return asl_text


@dataclass(frozen=True)
class LocalFunction:
    """One function as the local runtime serves it: the registry's entry, its name, its environment."""

    spec: FunctionSpec
    name: str
    environment: dict[str, str | None]
    """The variables the function gets (``spec.environment_names``); None: not set in this process."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_start_lock = threading.Lock()


def _make_start_execution_atomic() -> None:
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original = StepFunctionsParserBackend.start_execution
    if getattr(original, "_vpr_atomic", False):
        return

    @functools.wraps(original)
    def start_execution(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _start_lock:
            return original(self, *args, **kwargs)

    start_execution._vpr_atomic = True  # type: ignore[attr-defined]
    StepFunctionsParserBackend.start_execution = start_execution  # type: ignore[method-assign]


_dynamodb_write_lock = threading.Lock()


def _make_dynamodb_writes_atomic() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_vpr_atomic", False):
            continue

        def locked(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with _dynamodb_write_lock:
                return _original(*args, **kwargs)

        functools.update_wrapper(locked, original)
        locked._vpr_atomic = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, locked)


def _reuse_interpreter_lambda_client() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    original = lambda_eval_utils.boto_client_for
    if getattr(original, "_vpr_cached", False):
        return
    clients: dict[tuple[str, str], Any] = {}

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        key = (region, service)
        if key not in clients:
            client = original(region=region, service=service, state_credentials=state_credentials)
            tag_state_machine_client(client)  # its calls are the state machine's (local.call_recorder)
            clients[key] = client
        return clients[key]

    boto_client_for._vpr_cached = True  # type: ignore[attr-defined]
    boto_client_for.__wrapped__ = original  # type: ignore[attr-defined] - the benchmark compares both
    lambda_eval_utils.boto_client_for = boto_client_for


class _ScaledTime:
    """Stands in for the ``time`` module inside moto's retrier: Retry waits shrink by ``factor``."""

    def __init__(self, factor: float) -> None:
        import time

        self._time = time
        self.factor = factor

    def sleep(self, seconds: float) -> None:
        self._time.sleep(seconds * self.factor)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._time, name)


def scale_retry_waits(factor: float) -> Callable[[], None]:
    """Make the interpreter's Retry intervals ``factor`` times as long; returns the undo function.

    Tests use this instead of sleeping for real (IntervalSeconds 20 x backoff would take minutes).
    """
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    original = retrier_decl.time
    retrier_decl.time = _ScaledTime(factor)  # type: ignore[assignment]

    def restore() -> None:
        retrier_decl.time = original

    return restore


def report_task_failures(state: str, handler: LambdaHandler) -> LambdaHandler:
    """One line in the terminal when a workflow task fails (on AWS: the function's log and the console).

    A named error (``vpr.errors``) shows its user-safe message; anything else only its type, since its
    message may quote data. The exception still reaches the state machine unchanged.
    """

    @functools.wraps(handler)
    def run(event: dict[str, Any], context: Any) -> Any:
        try:
            return handler(event, context)
        except Exception as error:
            from vpr.errors import VprError

            job = str(event.get("job_id", "?")).rsplit(":", 1)[-1][:16]
            detail = f": {error}" if isinstance(error, VprError) else ""
            print(f"[vpr] job {job}… {state} failed with {type(error).__name__}{detail}", flush=True)
            raise

    return run


@dataclass(frozen=True)
class Endpoints:
    aws: str
    state_machine_arn: str
    results_bucket: str
    profile_table: str
    job_view_table: str


class LocalRuntime:
    """moto + the state machine + the in-process Lambdas. ``start()`` sets this process's environment."""

    def __init__(
        self, aws_port: int = 0, extra_env: dict[str, str] | None = None, data_dir: Path | None = None
    ) -> None:
        """``data_dir``: where stored reports, profiles and the job view survive restarts (None: memory)."""
        self.aws_port = aws_port
        self.extra_env = extra_env or {}
        self.data_dir = data_dir
        self.journal: Any = None
        self.router = LambdaRouter()
        self._server: Any = None
        self.endpoints: Endpoints | None = None
        self.sfn_meter = StepFunctionsMeter()
        self.events: StatusChangeBus | None = None
        self.functions: dict[str, LocalFunction] = {}
        """What this runtime serves, per registry key (tests compare it with the synthesized stack)."""
        self.definition_substitutions: dict[str, str] = {}
        self._function_settings: dict[str, tuple[Any, Any]] = {}

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> LocalRuntime:
        import logging

        from moto.server import ThreadedMotoServer

        install_call_hooks()  # before any client exists: clients copy their session's handlers
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access lines
        # moto's ASL interpreter logs every failed state with its whole cause (a stack trace) at each
        # level of the state tree: kilobytes per expected failure such as CvNotFound. Jobs' outcomes are
        # reported by the service itself, in one line each.
        logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.aws_port, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        aws_url = f"http://{host}:{port}"
        self.endpoints = Endpoints(
            aws=aws_url,
            state_machine_arn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{NAMING.state_machine}",
            results_bucket=NAMING.resource("results"),
            profile_table=NAMING.profile_table,
            job_view_table=NAMING.job_view_table,
        )
        self._configure_environment()
        self._install_quotas()
        _make_start_execution_atomic()
        _make_dynamodb_writes_atomic()
        _reuse_interpreter_lambda_client()
        sfn_lifecycle.install()  # StopExecution / RedriveExecution as AWS documents them
        self._scale_retry_waits()
        self._post_json(f"{aws_url}/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})
        self._register_handlers()
        self.router.install()
        self._create_resources()
        self._restore()
        self.seed_profiles()
        self._start_events()
        return self

    def _restore(self) -> None:
        """Replay what earlier runs stored (``local.persistence``), then journal this run's writes."""
        if self.data_dir is None:
            return
        from local.persistence import WriteJournal, fail_interrupted_jobs
        from vpr.aws.clients import reset_clients

        assert self.endpoints is not None
        self.journal = WriteJournal(self.data_dir, self.endpoints.aws)
        restored = self.journal.replay()
        interrupted = fail_interrupted_jobs(self.endpoints.job_view_table, self.endpoints.aws)
        tables = [self.endpoints.profile_table, self.endpoints.job_view_table]
        self.journal.compact([self.endpoints.results_bucket], tables)
        self.journal.install()
        reset_clients()  # the handlers' botocore session is built anew, with the journal's hooks
        if restored:
            print(
                f"[vpr] restored {restored} stored writes from {self.data_dir}; "
                f"{interrupted} job(s) interrupted by the last stop marked FAILED",
                flush=True,
            )

    def stop(self) -> None:
        if self.journal is not None:
            self.journal.uninstall()
        if self.events is not None:
            self.events.stop()
        self.router.uninstall()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- configuration -----------------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        """This process's environment: where the local AWS is, and the locations the stack would set.

        The process holds the union; each function sees only its own ``VPR_*`` settings
        (``function_settings``), as each has its own environment on AWS.
        """
        assert self.endpoints is not None
        env = {
            "AWS_ENDPOINT_URL": self.endpoints.aws,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            **self.resource_settings(),
            **POWERTOOLS_ENVIRONMENT,
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
        env.update(self.extra_env)
        return env

    def resource_settings(self) -> dict[str, str]:
        """The ``VPR_*`` locations the stack sets from its resources, with this runtime's values.

        The registry's other variables (generator, model, key, identity, CORS) keep whatever this
        process's environment says, as a developer configures them.
        """
        assert self.endpoints is not None
        return {
            "VPR_STATE_MACHINE_ARN": self.endpoints.state_machine_arn,
            "VPR_RESULTS_BUCKET": self.endpoints.results_bucket,
            "VPR_PROFILE_TABLE": self.endpoints.profile_table,
            JOB_VIEW_TABLE: self.endpoints.job_view_table,
        }

    def _configure_environment(self) -> None:
        os.environ.update(self.environment())
        self.reload_settings()

    @staticmethod
    def reload_settings() -> None:
        """Forget cached settings and clients (after the environment changed)."""
        from vpr.aws.clients import reset_clients
        from vpr.settings import get_settings

        get_settings.cache_clear()
        reset_clients()

    def function_settings(self, key: str) -> Any:
        """The settings function ``key`` sees: the process's, without the registry's variables it lacks.

        A ``VPR_*`` variable the stack gives some function but not this one reads as its default here,
        as it would on AWS, so a function that needs a setting it is not given fails locally too.
        """
        from vpr.settings import Settings, environment_settings

        process = environment_settings()
        cached = self._function_settings.get(key)
        if cached is not None and cached[0] is process:
            return cached[1]
        bound = {name for spec in FUNCTIONS.values() for name in spec.settings_environment}
        hidden = bound - set(FUNCTIONS[key].settings_environment)
        fields = {name.removeprefix("VPR_").lower() for name in hidden}
        scoped = process.model_copy(update={f: Settings.model_fields[f].default for f in sorted(fields)})
        self._function_settings[key] = (process, scoped)
        return scoped

    def _as_function(self, spec: FunctionSpec, handler: LambdaHandler) -> LambdaHandler:
        """``handler`` run with the settings of ``spec``'s function (``function_settings``)."""
        from vpr.settings import scoped_settings

        @functools.wraps(handler)
        def run(event: dict[str, Any], context: Any) -> Any:
            with scoped_settings(self.function_settings(spec.key)):
                return handler(event, context)

        return run

    def _register_handlers(self) -> None:
        """One in-process function per entry of ``stacks/registry.py``, as the stack deploys them."""
        import importlib

        for spec in FUNCTIONS.values():
            module, _, attribute = spec.handler.rpartition(".")
            handler = getattr(importlib.import_module(module), attribute)
            if spec.task_states:
                handler = report_task_failures("/".join(spec.task_states), handler)
            name = NAMING.function(spec.key)
            environment = {n: os.environ.get(n) for n in spec.environment_names}
            self.functions[spec.key] = LocalFunction(spec, name, environment)
            self.router.register(name, self._as_function(spec, handler), spec.timeout_seconds, spec.memory_mb)

    def handler_for(self, key: str) -> LambdaHandler | None:
        """The handler of function ``key`` (``submit``, ``status``, ...), as the API emulator calls it."""
        return self.router.handler_for(NAMING.function(key))

    def task_handler(self, task: str) -> LambdaHandler:
        """The handler behind a workflow task state (``Generate``, ``WriteSection``, ...)."""
        handler = self.handler_for(task_functions()[task])
        assert handler is not None, task
        return handler

    def override_task(self, task: str, handler: LambdaHandler) -> Callable[[], None]:
        """Serve a workflow task with another callable (tests inject failures); returns the undo."""
        name = NAMING.function(task_functions()[task])
        original = self.router.handler_for(name)
        self.router.register(name, handler)

        def restore() -> None:
            assert original is not None
            self.router.register(name, original)

        return restore

    # --- resources ---------------------------------------------------------------------------------
    def _create_resources(self) -> None:
        import boto3

        assert self.endpoints is not None
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=self.endpoints.results_bucket)
        boto3.client("dynamodb").create_table(
            TableName=self.endpoints.profile_table,
            KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        self.create_job_view_table()
        self.definition_substitutions = definition_substitutions(
            {key: function_arn(key) for key in FUNCTIONS}
        )
        self.create_state_machine(NAMING.state_machine, self.definition_substitutions)

    def create_job_view_table(self) -> None:
        """The job view (as in stacks/job_view.py: key ``job_id``, on demand, TTL on ``expires_at``)."""
        import boto3

        assert self.endpoints is not None
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=self.endpoints.job_view_table,
            KeySchema=[{"AttributeName": "job_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "job_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.update_time_to_live(
            TableName=self.endpoints.job_view_table,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
        )

    def _install_quotas(self) -> None:
        """Meter Step Functions API calls; enforce AWS's documented buckets if VPR_AWS_QUOTAS says so."""
        from local import quotas
        from vpr.settings import get_settings

        if get_settings().aws_quotas == "documented":
            self.sfn_meter = StepFunctionsMeter.documented()
        quotas.install(self.sfn_meter)

    def _scale_retry_waits(self) -> None:
        """``VPR_LOCAL_RETRY_WAIT_SCALE`` below 1: shorter Retry waits in the interpreter (service tests)."""
        from vpr.settings import get_settings

        factor = get_settings().local_retry_wait_scale
        if factor != 1.0:
            scale_retry_waits(factor)

    def _start_events(self) -> None:
        """The EventBridge rule: this state machine's status changes → the projector function."""
        assert self.endpoints is not None
        name = NAMING.function(PROJECTOR)

        def deliver(event: dict[str, Any]) -> Any:
            handler = self.router.handler_for(name)
            assert handler is not None
            record_call(
                AwsCall(EVENT_RULE, "lambda", "Invoke", {"FunctionName": name, "InvocationType": "Event"})
            )
            result = handler(event, self.router.context_for(name))
            self.prune_finished_executions()  # an execution just finished: keep memory bounded
            return result

        self.events = StatusChangeBus(self.endpoints.state_machine_arn, deliver, ACCOUNT, REGION)
        self.events.start()

    def prune_finished_executions(self) -> int:
        """Drop the oldest finished executions beyond ``VPR_LOCAL_EXECUTION_RETENTION`` from moto.

        moto keeps every execution with its whole history (each state's input and output, ~30 KB a job)
        for as long as the process runs; AWS keeps them 90 days. What users need does not live there
        (the job view answers status, S3 holds reports), so the local engine keeps only recent ones.
        Returns how many were dropped.
        """
        from moto.stepfunctions.parser.models import stepfunctions_parser_backends

        from vpr.settings import get_settings

        keep = get_settings().local_execution_retention
        dropped = 0
        for machine in stepfunctions_parser_backends[ACCOUNT][REGION].state_machines:
            finished = [e for e in list(machine.executions) if e.stop_date is not None]
            finished.sort(key=lambda e: e.stop_date)
            for execution in finished[: max(0, len(finished) - keep)]:
                machine.executions.remove(execution)  # one list op: safe beside a concurrent append
                dropped += 1
        return dropped

    def create_state_machine(self, name: str, substitutions: dict[str, str]) -> str:
        import boto3

        definition = render_definition(ASL_PATH.read_text(), substitutions)
        response = boto3.client("stepfunctions").create_state_machine(
            name=name,
            definition=definition,
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/{NAMING.resource('workflow-role')}",
            type="STANDARD",
        )
        return response["stateMachineArn"]

    def seed_profiles(self, path: Path = SAMPLE_PROFILES_PATH) -> None:
        """Put the sample CVs in the profile store, so the README's example request completes as is."""
        from vpr.aws.profiles import ProfileStore
        from vpr.models import CandidateProfile

        assert self.endpoints is not None
        store = ProfileStore(self.endpoints.profile_table)
        for user_id, profile in json.loads(path.read_text()).items():
            store.put(user_id, CandidateProfile.model_validate(profile))

    @staticmethod
    def _post_json(url: str, payload: dict[str, Any]) -> None:
        import urllib.request

        request = urllib.request.Request(  # noqa: S310 - our own loopback endpoint
            url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()
