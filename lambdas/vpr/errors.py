"""Every error the workflow can name, in one module.

Lambda's Python runtime reports an unhandled exception as ``errorType`` = the class name, and that is
the error name Step Functions matches in ``Retry``/``Catch`` and shows in DescribeExecution. So the
class names below are a contract with ``statemachine/vpr.asl.json`` (a test checks that every name the
ASL uses is defined here) and with API clients, which see them as ``error_code``.

Messages are written to be shown to the job seeker: they never contain the API key, the prompt, or
CV text.
"""

from __future__ import annotations


class VprError(Exception):
    """Base of the named workflow errors. ``str(error)`` is the user-safe message."""

    retryable: bool = False
    default_message: str = "The report could not be generated."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    @property
    def code(self) -> str:
        return type(self).__name__


# --- Validate --------------------------------------------------------------------------------------
class ValidationFailed(VprError):
    default_message = "The application is not valid."


class CvNotFound(VprError):
    default_message = "No CV was sent with the application and none is on file for this user."


class ProfileStoreUnavailable(VprError):
    retryable = True
    default_message = "The profile store could not be reached."


# --- Generate --------------------------------------------------------------------------------------
class ClaudeRateLimited(VprError):
    retryable = True
    default_message = "The writing service is busy (rate limited); the job kept retrying and gave up."


class ClaudeOverloaded(VprError):
    retryable = True
    default_message = "The writing service is overloaded; the job kept retrying and gave up."


class ClaudeServerError(VprError):
    retryable = True
    default_message = "The writing service had an internal error; the job kept retrying and gave up."


class ClaudeTimeout(VprError):
    retryable = True
    default_message = "The writing service did not answer in time; the job kept retrying and gave up."


class ClaudeRequestRejected(VprError):
    default_message = "The writing service rejected the request."


class ClaudeRefused(VprError):
    """The model declined to write the report (``stop_reason: "refusal"``): asking again will not help."""

    default_message = (
        "The writing service declined to write this report. Please review the job posting and CV for "
        "content that may be inappropriate, then submit again."
    )


class GenerationInvalidOutput(VprError):
    default_message = "The generated report was not valid, even after a repair attempt."


class StatePayloadTooLarge(VprError):
    default_message = "The report is too large to pass between workflow steps."


# --- Store -----------------------------------------------------------------------------------------
class ResultStoreUnavailable(VprError):
    retryable = True
    default_message = "The result store could not be reached."


# --- any task that calls Claude -------------------------------------------------------------------
class JobStopped(VprError):
    """The job had already ended (cancelled, or failed elsewhere) when this step was about to call Claude.

    On AWS a stopped execution ignores what its running Lambdas return, so nobody sees this error; it
    exists so that a task never starts a Claude call for a job that is no longer running.
    """

    default_message = "The job had already stopped, so this step did not call the writing service."


# Errors that Step Functions itself raises and the API shows under their own name.
STATES_TIMEOUT = "States.Timeout"
EXECUTION_ABORTED = "ExecutionAborted"
#: The ``error`` the cancel endpoint gives StopExecution: an execution ABORTED with it was cancelled by
#: its owner. Stopped without it (an operator in the console), it reads ``ExecutionAborted``.
CANCELLED = "Cancelled"
#: Local runtime only: the job was running when the process stopped (moto's executions do not survive).
LOCAL_RUNTIME_RESTARTED = "LocalRuntimeRestarted"

#: Messages for error names that do not come from a ``VprError`` (their causes are not user-safe).
SYSTEM_ERROR_MESSAGES: dict[str, str] = {
    STATES_TIMEOUT: "The job took longer than allowed and was stopped.",
    EXECUTION_ABORTED: "The job was stopped before it finished.",
    CANCELLED: "The job was cancelled at your request.",
    "States.DataLimitExceeded": "The job's data exceeded the workflow's size limit.",
    LOCAL_RUNTIME_RESTARTED: "The local service stopped while this job was running. Submit the "
    'application again with a new Idempotency-Key ("write a new version") to write the report.',
}
INTERNAL_ERROR_MESSAGE = "The report could not be generated because of an internal error."


#: Step Functions' own error names that a retry (a redrive) can fix: the Lambda service faults, once the
#: ASL's Retry gave up on them, and a timeout (a slow Claude; a redrive resets both timeouts).
TRANSIENT_SYSTEM_ERRORS = frozenset(
    {
        STATES_TIMEOUT,
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    }
)


def is_transient(error_code: str | None) -> bool:
    """Whether a job that failed with ``error_code`` may succeed if its unfinished steps run again.

    The one rule behind ``POST /api/vpr/{job_id}/retry``, the status's ``retryable`` and the ASL's Catch
    lists: a workflow error's ``retryable``, or a Step Functions error of ``TRANSIENT_SYSTEM_ERRORS``.
    Everything else — a permanent error, a cancel, an unknown error (a bug) — is not.
    """
    if error_code is None:
        return False
    known = all_error_classes().get(error_code)
    return known.retryable if known is not None else error_code in TRANSIENT_SYSTEM_ERRORS


def all_error_classes() -> dict[str, type[VprError]]:
    """Name → class for every workflow error (the names the ASL and the API use)."""
    found: dict[str, type[VprError]] = {}
    pending = list(VprError.__subclasses__())
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return found


# --- HTTP API --------------------------------------------------------------------------------------
class ApiError(Exception):
    """An error the HTTP API answers with a 4xx; ``code`` is the class name, like the workflow errors."""

    status_code: int = 400
    default_message: str = "The request is not valid."

    def __init__(self, message: str | None = None, fields: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message or self.default_message)
        self.fields = fields or []

    @property
    def code(self) -> str:
        return type(self).__name__


class BadRequest(ApiError):
    status_code = 400


class Forbidden(ApiError):
    status_code = 403


class JobNotFound(ApiError):
    """Unknown job, another user's job and a foreign ARN all read the same: existence is not revealed."""

    status_code = 404
    default_message = "Job not found."


class NotFound(ApiError):
    """No route for this path (API Gateway's own answer would be a 403/404 without our envelope)."""

    status_code = 404
    default_message = "Not found."


class MethodNotAllowed(ApiError):
    status_code = 405
    default_message = "This method is not allowed here."


class ResultExpired(ApiError):
    """A COMPLETED job whose stored report is gone (lifecycle expiry or deletion)."""

    status_code = 410
    default_message = (
        "This report is no longer stored (reports expire). Submit the application again to generate it anew."
    )


class IdempotencyConflict(ApiError):
    status_code = 409


class JobNotCancellable(ApiError):
    """DELETE of a job that has already ended another way (completed, or failed for its own reason)."""

    status_code = 409


class JobNotRetryable(ApiError):
    """Retry of a job that is running or completed, or whose error a retry would not fix."""

    status_code = 409


class PayloadTooLarge(ApiError):
    status_code = 413


class Unauthorized(ApiError):
    status_code = 401


class ServiceUnavailable(ApiError):
    status_code = 503
    default_message = "The service is busy; please retry shortly."


class InternalError(ApiError):
    status_code = 500
    default_message = "Something went wrong on our side; please retry."
