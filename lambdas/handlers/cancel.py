"""DELETE /api/vpr/{job_id} — cancel a running job (StopExecution); see ``vpr.control``."""

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths

from handlers.http import caller_id, cors_config, documented_responses, install_error_handlers, json_response
from handlers.observability import log_invocation, log_keys, logger
from handlers.wiring import job_control
from vpr.models.responses import JobState, JobStatusResponse

app = APIGatewayRestResolver(enable_validation=True, cors=cors_config())
install_error_handlers(app)


@app.delete(
    "/api/vpr/<job_id>",
    summary="Cancel a running job: it stops, and its status reads FAILED with error_code Cancelled",
    responses=documented_responses(
        {
            200: ("Cancelled (also when asked again): the job's status", JobStatusResponse),
            202: ("The stop is not visible yet: the job's status; poll it", JobStatusResponse),
        },
        {
            401: "Not signed in",
            404: "Job not found (unknown, another user's, or not a job of this service)",
            409: "The job has already ended (completed, or failed on its own); error says how",
            503: "AWS is busy; retry after Retry-After seconds",
        },
    ),
)
def cancel(job_id: str):  # no return annotation: Powertools would build a schema of it
    job = job_control().cancel(job_id, caller_id(app))
    log_keys(job_id=job.job_id)
    logger.info("Job cancel requested", extra={"job_status": job.status})
    return json_response(200 if job.status == JobState.FAILED else 202, job)


@log_invocation(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
