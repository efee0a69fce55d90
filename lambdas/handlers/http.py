"""What the two API handlers share: error bodies, identity, URLs and the body-size limit."""

from __future__ import annotations

from urllib.parse import quote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from handlers.observability import logger
from vpr.errors import ApiError, PayloadTooLarge, ServiceUnavailable, Unauthorized
from vpr.models.problems import field_problems
from vpr.models.responses import ErrorBody, ErrorResponse, FieldProblem
from vpr.settings import get_settings

MAX_BODY_BYTES = 64 * 1024


def cors_config() -> CORSConfig | None:
    """CORS for the web client: API Gateway proxies responses as is, so the Lambda sets the headers."""
    origins = [o.strip() for o in get_settings().cors_allowed_origins.split(",") if o.strip()]
    if not origins:
        return None
    return CORSConfig(allow_origin=origins[0], extra_origins=origins[1:], allow_headers=["Idempotency-Key"])


def json_response(status_code: int, model: BaseModel, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status_code,
        content_type="application/json",
        body=model.model_dump_json(exclude_none=True),
        headers=headers or {},
    )


def error_response(status_code: int, code: str, message: str, fields: list[tuple[str, str]]) -> Response:
    problems = [FieldProblem(field=f, message=m) for f, m in fields]
    return json_response(
        status_code, ErrorResponse(error=ErrorBody(code=code, message=message, fields=problems))
    )


def install_error_handlers(app: APIGatewayRestResolver) -> None:
    """Every failure becomes a JSON error naming the field — never a 500 with a stack trace."""

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response:
        errors = error.errors()
        malformed = next((p for p in errors if p["type"] == "json_invalid"), None)
        if malformed is None:
            fields = field_problems(errors, inside="body")
        else:  # its loc is ("body", <character offset>)
            reason = malformed.get("ctx", {}).get("error", "cannot be parsed")
            fields = [("body", f"Malformed JSON at character {malformed['loc'][-1]}: {reason}")]
        return error_response(400, "BadRequest", "The request is not valid.", fields)

    @app.exception_handler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error.status_code, error.code, str(error), error.fields)

    @app.exception_handler([ClientError, BotoCoreError])
    def _aws_unavailable(error: Exception) -> Response:
        logger.warning("AWS call failed", extra={"error_type": type(error).__name__})
        response = error_response(
            503, ServiceUnavailable.__name__, "The service is busy; please retry shortly.", []
        )
        response.headers["Retry-After"] = str(get_settings().retry_after_seconds)
        return response

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("Unhandled error")
        return error_response(500, "InternalError", "Something went wrong on our side; please retry.", [])


def screen_json_request(event: dict) -> dict | None:
    """Before routing: a body over 64 KiB is refused (413); any other body is read as JSON.

    Returns the refusal as a proxy response, or None to go on. The Content-Type is set to JSON
    because ``curl -d @request.json`` labels JSON as a form, and parsing it as one would report
    nonsense fields. (Powertools validates before route middlewares run, hence a pre-step.)
    """
    body = event.get("body") or ""
    if len(body.encode()) > MAX_BODY_BYTES:
        problem = ErrorBody(
            code=PayloadTooLarge.__name__,
            message=f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.",
            fields=[FieldProblem(field="body", message="too large")],
        )
        return {
            "statusCode": PayloadTooLarge.status_code,
            "headers": {"Content-Type": "application/json"},
            "body": ErrorResponse(error=problem).model_dump_json(),
            "isBase64Encoded": False,
        }
    for field in ("headers", "multiValueHeaders"):
        headers = {k: v for k, v in (event.get(field) or {}).items() if k.lower() != "content-type"}
        headers["content-type"] = "application/json" if field == "headers" else ["application/json"]
        event[field] = headers
    return None


def caller_id(app: APIGatewayRestResolver) -> str | None:
    """The Cognito ``sub`` the API's authorizer verified; None where no authorizer runs (local, trusted)."""
    authorizer = app.current_event.request_context.authorizer
    sub = (authorizer.claims or {}).get("sub") if authorizer else None
    if sub is None and get_settings().require_identity:
        raise Unauthorized("Sign in to use this API.")
    return sub


def status_url(app: APIGatewayRestResolver, job_id: str) -> str:
    """Absolute URL of a job's status, including the API stage prefix when there is one."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    full_path = event.request_context.path or event.path  # REST API: includes the /stage prefix
    prefix = full_path[: len(full_path) - len(event.path)] if full_path.endswith(event.path) else ""
    base = f"{headers.get('x-forwarded-proto', 'https')}://{headers['host']}" if "host" in headers else ""
    return f"{base}{prefix}/api/vpr/status/{quote(job_id, safe=':')}"
