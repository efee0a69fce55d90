"""DELETE /api/vpr/{job_id} — cancel a running job (StopExecution); see ``vpr.control``.

What DELETE removes is the job's *run*, not the job: a cancelled job stays readable at
``GET /api/vpr/status/{job_id}`` (FAILED, ``error_code: "Cancelled"``), because its owner needs to see
that it was cancelled, and a second DELETE answers the same 200 (DELETE is idempotent, RFC 9110
§9.2.2). The document says so (``description``), and no read sits at or below the DELETE's path: the
status is a sibling resource (``/api/vpr/status/{job_id}``) and retry is a POST. That is also why
schemathesis's ``use_after_free`` check (a GET, HEAD, PATCH... of a path at or below one a DELETE
succeeded on must answer 404) has nothing to flag: it compares paths segment by segment, and
``/api/vpr/{job_id}`` is not a prefix of ``/api/vpr/status/{job_id}``.
"""

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
    description="Stops the job's run; no Claude call starts after it. The job is not removed: its "
    "status stays readable and reads FAILED with error_code Cancelled, and cancelling it again answers "
    "the same 200. A job that completed or failed on its own cannot be cancelled (409).",
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
