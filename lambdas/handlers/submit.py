"""POST /api/vpr — start (or find) the job for an application."""

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths

from handlers.http import (
    caller_id,
    cors_config,
    documented_responses,
    install_error_handlers,
    json_response,
    screen_json_request,
    status_url,
)
from handlers.observability import log_invocation, log_keys, logger
from handlers.wiring import job_service
from vpr.models import SubmitResponse, VprRequest
from vpr.models.responses import JobState
from vpr.settings import get_settings

app = APIGatewayRestResolver(enable_validation=True, cors=cors_config())
install_error_handlers(app)

_MESSAGES = {
    True: "Job accepted. Poll status_url until the status is COMPLETED or FAILED.",
    False: "A job for this request already exists; this is its current status.",
}


@app.post(
    "/api/vpr",
    summary="Start (or find) the job that writes a Value Proposition Report",
    responses=documented_responses(
        {
            202: ("A new job", SubmitResponse),
            200: ("The job for this request already exists", SubmitResponse),
        },
        {
            400: "Invalid body or Idempotency-Key (each offending field named)",
            401: "Not signed in",
            403: "user_id is not the signed-in user",
            409: "Idempotency-Key already used with another body",
            413: "Body over 64 KiB",
            503: "AWS is busy; retry after Retry-After seconds",
        },
    ),
)
def submit(
    request: Annotated[VprRequest, Body()],
):  # no return annotation: Powertools would build a schema of it
    idempotency_key = app.current_event.headers.get("Idempotency-Key") or app.current_event.headers.get(
        "idempotency-key"
    )
    outcome = job_service().submit(request, caller_id(app), idempotency_key)
    job = outcome.status
    log_keys(job_id=job.job_id)
    logger.info("Job submitted", extra={"new_job": outcome.created, "job_status": job.status})
    url = status_url(app, job.job_id)
    body = SubmitResponse(
        job_id=job.job_id,
        status=job.status,
        status_url=url,
        message=_MESSAGES[outcome.created],
        created_at=job.created_at,
    )
    headers = {"Location": url}
    if job.status in (JobState.PENDING, JobState.PROCESSING):
        headers["Retry-After"] = str(get_settings().retry_after_seconds)
    return json_response(202 if outcome.created else 200, body, headers)


@log_invocation(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: object) -> dict:
    return screen_json_request(event) or app.resolve(event, context)
