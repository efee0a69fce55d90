"""Submitting a job and reading it back: the logic behind ``POST /api/vpr`` and ``GET /api/vpr/status``.

There is no jobs table: Step Functions is the job store. A job is an execution named by the request's
idempotency hash, so asking twice can never start two executions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

from vpr.aws.results import ResultStore
from vpr.aws.workflow import Execution, ExecutionAlreadyExistsError, WorkflowStore
from vpr.errors import BadRequest, Forbidden, IdempotencyConflict, JobNotFound, ResultExpired
from vpr.idempotency import EXECUTION_NAME_PATTERN, canonical_input, execution_name, is_valid_idempotency_key
from vpr.models import JobStatusResponse, VprRequest
from vpr.sections.progress import SECTION_PROGRESS_STATES, section_progress
from vpr.status import job_status, just_started


@dataclass(frozen=True)
class SubmitOutcome:
    status: JobStatusResponse
    created: bool


class JobService:
    def __init__(self, workflow: WorkflowStore, results: ResultStore, result_url_ttl_seconds: int) -> None:
        self.workflow = workflow
        self.results = results
        self.result_url_ttl_seconds = result_url_ttl_seconds

    # --- submit ------------------------------------------------------------------------------------
    def submit(self, request: VprRequest, caller: str | None, idempotency_key: str | None) -> SubmitOutcome:
        request = _owned_by_caller(request, caller)
        if idempotency_key is not None and not is_valid_idempotency_key(idempotency_key):
            raise BadRequest(
                "Invalid Idempotency-Key header.",
                [("Idempotency-Key", "1 to 200 printable ASCII characters, no spaces")],
            )
        execution_input = canonical_input(request)
        name = execution_name(request, idempotency_key)
        arn = self.workflow.execution_arn(name)

        existing = self.workflow.describe(arn)
        if existing is None:
            try:
                job_id, started_at = self.workflow.start(name, execution_input)
                return SubmitOutcome(just_started(job_id, request.application_id, started_at), created=True)
            except ExecutionAlreadyExistsError:
                existing = self.workflow.describe(arn)  # an identical request won the race: same job
                if existing is None:  # pragma: no cover - Step Functions just said it exists
                    raise
        if existing.input != execution_input:
            raise IdempotencyConflict(
                "This Idempotency-Key was already used with a different request.",
                [("Idempotency-Key", "already names a job with a different payload; use a new key")],
            )
        return SubmitOutcome(self._status(existing), created=False)

    # --- status ------------------------------------------------------------------------------------
    def status(self, job_ref: str, caller: str | None) -> JobStatusResponse:
        execution = self.workflow.describe(self.execution_arn_of(job_ref))
        if execution is None:
            raise JobNotFound()
        if caller is not None and execution.input_json().get("user_id") != caller:
            raise JobNotFound()  # not 403, same text: another user's job must not be seen to exist
        return self._status(execution)

    def execution_arn_of(self, job_ref: str) -> str:
        """The execution ARN a client's job id refers to: an ARN (raw or URL-encoded) or a bare name.

        ARNs of other state machines are refused, so the endpoint cannot probe other workflows.
        """
        ref = unquote(job_ref.strip())
        if EXECUTION_NAME_PATTERN.fullmatch(ref):
            return self.workflow.execution_arn(ref)
        prefix = self.workflow.execution_arn_prefix
        if ref.startswith(prefix) and EXECUTION_NAME_PATTERN.fullmatch(ref.removeprefix(prefix)):
            return ref
        raise JobNotFound()  # same answer as an unknown job: nothing about other workflows leaks

    def _status(self, execution: Execution) -> JobStatusResponse:
        current = self.workflow.current_state(execution.arn) if execution.status == "RUNNING" else None
        progress = (  # sections mode: "n of m sections written" (one more history read, only then)
            section_progress(self.workflow.history(execution.arn))
            if current in SECTION_PROGRESS_STATES
            else None
        )
        return job_status(execution, current, self._presign_stored_result, progress)

    def _presign_stored_result(self, key: str) -> tuple[str, datetime]:
        """A link to the report, after a HeadObject: a link to a deleted or expired report would 404."""
        if not self.results.exists(key):
            raise ResultExpired()
        return self.results.presign(key, self.result_url_ttl_seconds)


def _owned_by_caller(request: VprRequest, caller: str | None) -> VprRequest:
    """On AWS the caller is the authorizer's Cognito ``sub``.

    It fills an absent user_id and must match a given one.
    """
    if caller is None:
        if request.user_id is None:
            raise BadRequest("user_id is required.", [("user_id", "Field required")])
        return request
    if request.user_id is None:
        return VprRequest.model_validate({**request.model_dump(), "user_id": caller})
    if request.user_id != caller:
        raise Forbidden(
            "user_id does not match the signed-in user.", [("user_id", "must be your own user id")]
        )
    return request
