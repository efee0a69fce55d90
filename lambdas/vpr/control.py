"""Cancelling and retrying a job: the logic behind ``DELETE /api/vpr/{job_id}`` and
``POST /api/vpr/{job_id}/retry``.

Both act on the execution, so both start from Step Functions (one DescribeExecution: its status, its
owner, its redrive count) rather than from the job view, which can lag behind by an event. Ownership
reads exactly as for status: another user's job, an unknown one and a foreign ARN are all 404
"Job not found.".

**Cancel** = StopExecution with ``error: "Cancelled"``. Step Functions then schedules no further state,
but a Lambda already running runs on, and a Map's items may be mid-flight; so before StopExecution the
view is told that this attempt is cancelled (``JobView.request_cancel``), and every task checks that
before each Claude call (``handlers.progress.liveness_check``). After the stop the execution is read
again: whatever it says is the answer, so a job that succeeded a moment before the cancel reads
COMPLETED (409), and one that was stopped reads FAILED ``Cancelled`` (200), also on a second DELETE.

The cancel's own view write (``SEQ_CANCELLED``) outranks the ABORTED event's, so the job reads
``Cancelled`` even where the event does not say who stopped it.

**Retry** = RedriveExecution of a FAILED or TIMED_OUT job whose error ``vpr.errors.is_transient`` calls
transient: the same job id; only the states that did not finish run again (in the Map, only the sections
that did not finish). Anything else is 409 naming why. The redrive count, in the view's ``seq``, lets
the redriven attempt's writes replace the earlier failure. While a retried job runs, retrying again
answers as the first retry did (two clicks are one redrive).

Neither answers with a report: a completed job is a 409 for both, so they presign nothing and their
roles have no S3 access (least privilege).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace

from botocore.exceptions import BotoCoreError, ClientError

from vpr.aws.jobview import SEQ_CANCELLED, SEQ_TERMINAL, JobRecord
from vpr.aws.workflow import Execution, ExecutionNotRedrivableError
from vpr.errors import (
    CANCELLED,
    LOCAL_RUNTIME_RESTARTED,
    SYSTEM_ERROR_MESSAGES,
    JobNotCancellable,
    JobNotFound,
    JobNotRetryable,
    is_transient,
)
from vpr.jobs import JobService, require_owner
from vpr.models import JobStatusResponse
from vpr.status import job_error, job_status, view_update

#: Execution statuses of a job that has not ended yet (PENDING_REDRIVE: a redrive is about to run).
LIVE_STATUSES = frozenset({"RUNNING", "PENDING_REDRIVE"})


class JobControl:
    """Cancel and retry, on top of the job service (its ARN parsing, its workflow and view stores)."""

    def __init__(self, jobs: JobService) -> None:
        self.jobs = jobs

    # --- cancel ------------------------------------------------------------------------------------
    def cancel(self, job_ref: str, caller: str | None) -> JobStatusResponse:
        """Stop a running job; its status then reads FAILED ``Cancelled``. The same answer when repeated.

        Raises ``JobNotFound`` (404) and ``JobNotCancellable`` (409: it completed or failed on its own).
        The answer is PENDING/PROCESSING only if Step Functions does not show the stop yet.
        """
        execution = self._owned_execution(job_ref, caller, JobNotCancellable)
        stopped_now = execution.status in LIVE_STATUSES
        if stopped_now:
            self._stop(execution)
            execution = self.jobs.workflow.describe(execution.arn) or execution
        if execution.status == "ABORTED" and (stopped_now or self._cancelled_before(execution)):
            # Ours: named as such even where Step Functions does not echo StopExecution's error back.
            execution = replace(execution, error=CANCELLED)
            self._record(execution, seq_bonus=SEQ_CANCELLED - SEQ_TERMINAL)
            return job_status(execution, None, None)
        if execution.status in LIVE_STATUSES:  # Step Functions answers StopExecution synchronously
            return job_status(execution, None, None)
        raise JobNotCancellable(_ended_reason(execution, "cancel"))

    def _stop(self, execution: Execution) -> None:
        """Tell the tasks first (the view), so none starts a Claude call while the stop lands; then stop."""
        view, attempt = self.jobs.view, execution.redrive_count
        if view is not None:
            with suppress(ClientError, BotoCoreError):  # the terminal write after the stop also tells them
                view.request_cancel(execution.arn, attempt)
        try:
            self.jobs.workflow.stop(execution.arn, CANCELLED, SYSTEM_ERROR_MESSAGES[CANCELLED])
        except (ClientError, BotoCoreError):
            if view is not None:  # not cancelled after all: its tasks must not wait for a stop
                with suppress(ClientError, BotoCoreError):
                    view.withdraw_cancel(execution.arn, attempt)
            raise

    # --- retry -------------------------------------------------------------------------------------
    def retry(self, job_ref: str, caller: str | None) -> JobStatusResponse:
        """Redrive a job that failed with a transient error: PROCESSING again, from where it stopped.

        Raises ``JobNotFound`` (404) and ``JobNotRetryable`` (409: running, completed, a permanent
        error, or past Step Functions' redrive window).
        """
        execution = self._owned_execution(job_ref, caller, JobNotRetryable)
        being_retried = execution.status == "PENDING_REDRIVE" or (
            execution.status == "RUNNING" and execution.redrive_count > 0
        )  # (Step Functions counts a redrive only once it has started)
        if being_retried:
            # A second click, a second tab: the same answer as the first retry, not a second redrive.
            return job_status(replace(execution, status="PENDING_REDRIVE"), None, None)
        if execution.status in LIVE_STATUSES:
            raise JobNotRetryable("This job is still running; only a job that failed can be retried.")
        if execution.status == "SUCCEEDED":
            raise JobNotRetryable("This job has already completed; there is nothing to retry.")
        code, message = job_error(execution)
        if not is_transient(code):
            raise JobNotRetryable(_permanent_reason(code, message))
        attempt = execution.redrive_count + 1
        try:  # the token names the attempt: two clicks on Retry are one redrive, not a 409 for the second
            self.jobs.workflow.redrive(execution.arn, client_token=f"vpr-retry-{attempt}")
        except ExecutionNotRedrivableError as refused:
            raise JobNotRetryable(
                f"This job can no longer be retried ({refused}). Submit the application again instead."
            ) from None
        redriven = self.jobs.workflow.describe(execution.arn) or execution
        self._record(redriven)
        # Answered as Step Functions describes a redrive it has accepted: processing, stage "redriving".
        return job_status(replace(redriven, status="PENDING_REDRIVE"), None, None)

    # --- shared ------------------------------------------------------------------------------------
    def _owned_execution(
        self, job_ref: str, caller: str | None, conflict: type[JobNotCancellable | JobNotRetryable]
    ) -> Execution:
        """The caller's job as Step Functions has it; 404 as status answers it for anyone else's.

        A job the view still shows but Step Functions no longer keeps (locally: interrupted by a restart,
        or beyond the engine's retention) has nothing left to stop or redrive: 409 ``conflict``.
        """
        arn = self.jobs.execution_arn_of(job_ref)
        execution = self.jobs.workflow.describe(arn)
        if execution is not None:
            require_owner(execution.input_json().get("user_id"), caller)
            return execution
        record = self.jobs.view.get(arn) if self.jobs.view is not None else None
        if record is None or not record.owner:
            raise JobNotFound()
        require_owner(record.owner, caller)
        raise conflict(_gone_reason(record))

    def _cancelled_before(self, execution: Execution) -> bool:
        """An ABORTED job cancelled by an earlier DELETE (Step Functions' error, or the view says so)."""
        if execution.error == CANCELLED:
            return True
        record = self.jobs.view.get(execution.arn) if self.jobs.view is not None else None
        return record is not None and record.error_code == CANCELLED

    def _record(self, execution: Execution, seq_bonus: int = 0) -> None:
        """Write what Step Functions just said into the view, as the projector will (best effort)."""
        update = view_update(execution, redrive_count=execution.redrive_count)
        if update is None or self.jobs.view is None:
            return
        update = replace(update, seq=update.seq + seq_bonus)
        with suppress(ClientError, BotoCoreError):  # the projector's event writes the same a moment later
            self.jobs.view.apply(execution.arn, update)


def _ended_reason(execution: Execution, action: str) -> str:
    if execution.status == "SUCCEEDED":
        return f"This job has already completed; there is nothing to {action}."
    code, _ = job_error(execution)
    return f"This job has already ended ({code}); there is nothing to {action}."


def _permanent_reason(code: str, message: str) -> str:
    if code == CANCELLED:
        return "This job was cancelled. Submit the application again to write the report."
    return f"This job failed with {code}, which a retry would not fix. {message}"


def _gone_reason(record: JobRecord) -> str:
    if record.error_code == LOCAL_RUNTIME_RESTARTED:
        return SYSTEM_ERROR_MESSAGES[LOCAL_RUNTIME_RESTARTED]
    if record.status == "SUCCEEDED":
        return "This job has already completed."
    return "This job's workflow run is no longer kept, so it cannot be changed. Submit the application again."
