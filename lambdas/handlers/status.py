"""GET /api/vpr/status/{job_id} — a job's status, and a short-lived link to its report once COMPLETED.

Read from the job view (one consistent GetItem), not from Step Functions: see ``vpr.jobs``.
"""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths

from handlers.http import caller_id, cors_config, documented_responses, install_error_handlers, json_response
from handlers.observability import log_invocation, log_keys
from handlers.wiring import job_service
from vpr.models.responses import JobState, JobStatusResponse
from vpr.settings import get_settings

app = APIGatewayRestResolver(enable_validation=True, cors=cors_config())
install_error_handlers(app)


@app.get(
    "/api/vpr/status/<job_id>",
    summary="A job's status, and a short-lived link to its report once COMPLETED",
    responses=documented_responses(
        {200: ("PENDING, PROCESSING, COMPLETED or FAILED", JobStatusResponse)},
        {
            401: "Not signed in",
            404: "Job not found (unknown, another user's, or not a job of this service)",
            410: "The report of this COMPLETED job is no longer stored",
            503: "AWS is busy; retry after Retry-After seconds",
        },
    ),
)
def status(job_id: str):  # no return annotation: Powertools would build a schema of it
    job = job_service().status(job_id, caller_id(app))
    log_keys(job_id=job.job_id)
    headers = {}
    if job.status in (JobState.PENDING, JobState.PROCESSING):
        headers["Retry-After"] = str(get_settings().retry_after_seconds)
    return json_response(200, job, headers)


@log_invocation(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
