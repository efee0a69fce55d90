"""POST /api/vpr/{job_id}/retry — resume a job that failed with a transient error (RedriveExecution)."""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths

from handlers.http import (
    caller_id,
    cors_config,
    documented_responses,
    install_error_handlers,
    json_response,
    status_url,
)
from handlers.observability import log_invocation, log_keys, logger
from handlers.wiring import job_control
from vpr.models.responses import JobStatusResponse
from vpr.settings import get_settings

app = APIGatewayRestResolver(enable_validation=True, cors=cors_config())
install_error_handlers(app)


@app.post(
    "/api/vpr/<job_id>/retry",
    summary="Retry a failed job: only its unfinished steps run again, under the same job id",
    responses=documented_responses(
        {202: ("Retrying: the job's status (PROCESSING); poll it", JobStatusResponse)},
        {
            401: "Not signed in",
            404: "Job not found (unknown, another user's, or not a job of this service)",
            409: "Not retryable: running, completed, or failed for a reason a retry would not fix",
            503: "AWS is busy; retry after Retry-After seconds",
        },
    ),
)
def retry(job_id: str):  # no return annotation: Powertools would build a schema of it
    job = job_control().retry(job_id, caller_id(app))
    log_keys(job_id=job.job_id)
    logger.info("Job retried")
    headers = {
        "Location": status_url(app, job.job_id),
        "Retry-After": str(get_settings().retry_after_seconds),
    }
    return json_response(202, job, headers)


@log_invocation(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
