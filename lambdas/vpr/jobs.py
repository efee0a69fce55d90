"""Submitting a job and reading it back: the logic behind ``POST /api/vpr`` and ``GET /api/vpr/status``.

Step Functions is the job store: a job is an execution named by the request's idempotency hash, so
asking twice can never start two executions. Reads go to the job view (``vpr.aws.jobview``), a DynamoDB
read model, so polling never spends Step Functions' throttled read quota; only a job missing from the
view is read from Step Functions (and its item repaired). Without a view table configured, every read
goes to Step Functions (the path ``make bench`` compares against).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from vpr.aws.jobview import JobView
from vpr.aws.results import ResultStore, markdown_key
from vpr.aws.workflow import Execution, ExecutionAlreadyExistsError, WorkflowStore
from vpr.errors import BadRequest, Forbidden, IdempotencyConflict, JobNotFound, ResultExpired
from vpr.idempotency import EXECUTION_NAME_PATTERN, canonical_input, execution_name, is_valid_idempotency_key
from vpr.models import JobStatusResponse, VprRequest
from vpr.sections.progress import SECTION_PROGRESS_STATES, SectionProgress, section_progress
from vpr.status import ReportLinks, job_status, just_started, view_status, view_update


@dataclass(frozen=True)
class SubmitOutcome:
    status: JobStatusResponse
    created: bool


class JobService:
    def __init__(
        self,
        workflow: WorkflowStore,
        results: ResultStore,
        result_url_ttl_seconds: int,
        view: JobView | None = None,
    ) -> None:
        self.workflow = workflow
        self.results = results
        self.result_url_ttl_seconds = result_url_ttl_seconds
        self.view = view

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

        try:  # no read first: StartExecution is the check (one call for a new job)
            job_id, started_at = self.workflow.start(name, execution_input)
        except ExecutionAlreadyExistsError:  # a finished job, or this name with another input
            existing = self.workflow.describe(arn)
            if existing is None:  # pragma: no cover - Step Functions just said it exists
                raise
            if existing.input != execution_input:
                raise IdempotencyConflict(
                    "This Idempotency-Key was already used with a different request.",
                    [("Idempotency-Key", "already names a job with a different payload; use a new key")],
                ) from None
            return SubmitOutcome(self._submitted_status(existing), created=False)
        # Started — or an identical request's *running* execution answered again (Step Functions is
        # idempotent for the same name and input). Only the first submitter may say it created the job.
        if self.view is None:
            return SubmitOutcome(just_started(job_id, request.application_id, started_at), created=True)
        if self.view.claim_submission(job_id, request.user_id or "", request.application_id, started_at):
            return SubmitOutcome(just_started(job_id, request.application_id, started_at), created=True)
        record = self.view.get(job_id)
        if record is None:  # pragma: no cover - the claim that just failed wrote it
            return SubmitOutcome(just_started(job_id, request.application_id, started_at), created=False)
        return SubmitOutcome(view_status(record, None), created=False)

    # --- status ------------------------------------------------------------------------------------
    def status(self, job_ref: str, caller: str | None) -> JobStatusResponse:
        arn = self.execution_arn_of(job_ref)
        if self.view is not None:
            record = self.view.get(arn)  # one consistent GetItem: the whole normal path
            if record is not None and record.answers_status:
                require_owner(record.owner, caller)
                return view_status(record, self._presign)
        execution = self.workflow.describe(arn)
        if execution is None:
            raise JobNotFound()
        require_owner(execution.input_json().get("user_id"), caller)
        return self._status(execution, repair_view=True)

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

    def _status(self, execution: Execution, repair_view: bool = False) -> JobStatusResponse:
        """The status from Step Functions (a job the view cannot answer for); optionally repair the view."""
        current = self.workflow.current_state(execution.arn) if execution.status == "RUNNING" else None
        if repair_view:
            self._repair(execution, current)
        return job_status(execution, current, self._presign, self._progress(execution, current))

    @staticmethod
    def _submitted_status(execution: Execution) -> JobStatusResponse:
        """What submit says of an existing job: its status and creation time, no links, no history.

        The submit answer carries neither a result link nor a stage, so submit presigns nothing and
        reads no history: its role has no S3 access and no GetExecutionHistory (least privilege).
        """
        return job_status(execution, None, None)

    def _progress(self, execution: Execution, current_state: str | None) -> SectionProgress | None:
        """Sections mode, from Step Functions: "n of m sections written" (one more history read)."""
        if current_state not in SECTION_PROGRESS_STATES:
            return None
        return section_progress(self.workflow.history(execution.arn))

    def _presign(self, key: str) -> ReportLinks:
        """Links to the report's JSON and Markdown, after checking they are still stored.

        A link to a deleted or expired report would 404 in the client's hands: 410 instead. One listing
        of the version's files (``ResultStore.stored_files``) sees both.
        """
        stored = self.results.stored_files(key)
        if key not in stored:
            raise ResultExpired()
        markdown = markdown_key(key)
        json_url, expires_at = self.results.presign(key, self.result_url_ttl_seconds)
        markdown_url = (
            self.results.presign(markdown, self.result_url_ttl_seconds)[0] if markdown in stored else None
        )
        return ReportLinks(json_url, markdown_url, expires_at)

    def _repair(self, execution: Execution, current_state: str | None) -> None:
        """Put a job missing from the view back (best effort: the answer is already known)."""
        update = view_update(execution, current_state)
        if update is None or self.view is None:
            return
        # The next poll falls back again if this fails; the response does not depend on the write.
        with suppress(ClientError, BotoCoreError):
            if not self.view.apply(execution.arn, update):  # a newer write is there: complete its gaps
                self.view.fill(execution.arn, update.fill)


def require_owner(owner: object, caller: str | None) -> None:
    """Another user's job reads exactly like an unknown one: 404, not 403, so existence never leaks."""
    if caller is not None and owner != caller:
        raise JobNotFound()


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
