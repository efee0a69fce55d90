"""SDK errors as the workflow's typed errors, and which of them a call may retry (and after how long).

Mapped from SDK exception classes and the API's error ``type`` (``map_api_error``), never from message
wording. The messages carry status codes and request ids only — never the API's own text, which may
quote the request.
"""

from __future__ import annotations

import random

import anthropic

from vpr.errors import (
    ClaudeOverloaded,
    ClaudeRateLimited,
    ClaudeRequestRejected,
    ClaudeServerError,
    ClaudeTimeout,
    VprError,
)

#: Retried statuses, as the SDK's own policy (``_base_client._should_retry``) retries them.
_RETRY_STATUSES = frozenset({408, 409, 429})


def _status_detail(error: anthropic.APIStatusError) -> str:
    request_id = getattr(error, "request_id", None)
    return f" (HTTP {error.status_code}" + (f", request {request_id})" if request_id else ")")


#: 429s that waiting does not clear: the SDK's classes for ``error.details.error_code`` values of
#: ``rate_limit_error`` (https://platform.claude.com/docs/en/api/errors#http-errors: "429 — ... reached
#: the monthly spend cap of its usage tier"; those carry no ``retry-after``).
_SPEND_LIMIT_ERRORS: tuple[type[anthropic.APIStatusError], ...] = (
    anthropic.EnforcedSpendLimitReachedError,
    anthropic.ContractSpendLimitReachedError,
)


def map_api_error(error: BaseException) -> VprError:
    """The typed workflow error for an SDK exception (the one place this mapping lives).

    By class and the API's error ``type``, never by message wording (the SDK: "Its wording can change,
    so don't match on it"). 429 → ClaudeRateLimited, except the spend-limit classes → ClaudeRequestRejected
    (permanent: waiting does not help); 402 / ``billing_error`` → ClaudeRequestRejected; 529 or
    ``overloaded_error`` → ClaudeOverloaded; other 5xx → ClaudeServerError; 408, timeouts and connection
    failures → ClaudeTimeout; 401/403 → ClaudeRequestRejected naming the credentials; any other 4xx →
    ClaudeRequestRejected. The message never carries the API's own text (which may quote the request).
    """
    if isinstance(error, anthropic.APIStatusError):
        detail = _status_detail(error)
        kind = getattr(error, "type", None)
        if isinstance(error, _SPEND_LIMIT_ERRORS):
            return ClaudeRequestRejected(
                "The writing service's spend limit for this account has been reached; the report can be "
                f"generated again once the limit is raised{detail}."
            )
        if isinstance(error, anthropic.PaymentRequiredError) or kind == "billing_error":
            return ClaudeRequestRejected(
                f"The writing service refused the request for a billing reason{detail}; an operator must "
                "check the account."
            )
        if isinstance(error, anthropic.RateLimitError) or kind == "rate_limit_error":
            return ClaudeRateLimited(ClaudeRateLimited.default_message + detail)
        if isinstance(error, anthropic.OverloadedError) or kind == "overloaded_error":
            return ClaudeOverloaded(ClaudeOverloaded.default_message + detail)
        if isinstance(error, anthropic.RequestTimeoutError) or kind == "timeout_error":
            return ClaudeTimeout(ClaudeTimeout.default_message + detail)
        if isinstance(error, anthropic.InternalServerError) or error.status_code >= 500:
            return ClaudeServerError(ClaudeServerError.default_message + detail)
        if isinstance(error, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
            return ClaudeRequestRejected(
                f"The writing service did not accept the service's credentials{detail}; an operator must "
                "check the API key."
            )
        return ClaudeRequestRejected(ClaudeRequestRejected.default_message + detail)
    if is_transport_error(error):
        return ClaudeTimeout()
    if isinstance(error, anthropic.APIResponseValidationError):
        return ClaudeServerError("The writing service sent a response the client could not read.")
    return ClaudeRequestRejected("The writing service client is not configured correctly.")


def is_transport_error(error: BaseException) -> bool:
    """A connection that failed or went silent: the SDK's connection errors before a response, or the
    HTTP client's own errors while a stream is read (the SDK does not wrap those)."""
    if isinstance(error, anthropic.APIConnectionError):  # APITimeoutError is a subclass
        return True
    return type(error).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore") or isinstance(
        error, OSError
    )


def retry_wait(error: BaseException, attempt: int) -> float | None:
    """Seconds to wait before retrying ``error``, or None if it is not retried (the SDK's policy)."""
    response = getattr(error, "response", None)
    if isinstance(error, anthropic.APIStatusError):
        if not map_api_error(error).retryable:
            return None  # e.g. a spend-limit 429: no wait clears it
        should = error.response.headers.get("x-should-retry")
        if should == "false" or (
            should != "true" and error.status_code not in _RETRY_STATUSES and error.status_code < 500
        ):
            return None
    elif not is_transport_error(error):
        return None
    headers = response.headers if response is not None else {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            value = float(headers.get(name)) * scale
        except (TypeError, ValueError):
            continue
        if value >= 0:
            return value
    return min(0.5 * 2**attempt, 8.0) * (1 - 0.25 * random.random())  # the SDK's backoff  # noqa: S311
