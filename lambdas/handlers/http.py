"""What the API handlers share: error bodies, identity, URLs and the body-size limit."""

from __future__ import annotations

from urllib.parse import quote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel

from handlers.observability import logger
from vpr.errors import (
    ApiError,
    BadRequest,
    InternalError,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Unauthorized,
)
from vpr.models.problems import field_problems
from vpr.models.responses import ErrorResponse
from vpr.models.text import is_identifier
from vpr.settings import get_settings

MAX_BODY_BYTES = 64 * 1024
#: Deeper JSON than any valid request has (the request model nests 4 levels); checked before parsing,
#: because Python's json module raises RecursionError on ~1,000 levels of ``[``.
MAX_JSON_DEPTH = 20


def cors_config() -> CORSConfig | None:
    """CORS for the web client: API Gateway proxies responses as is, so the Lambda sets the headers."""
    origins = [o.strip() for o in get_settings().cors_allowed_origins.split(",") if o.strip()]
    if not origins:
        return None
    return CORSConfig(
        allow_origin=origins[0],
        extra_origins=origins[1:],
        allow_headers=["Idempotency-Key"],
        expose_headers=["Retry-After", "Location"],  # the page polls as Retry-After says
    )


def documented_responses(success: dict[int, tuple[str, type[BaseModel]]], errors: dict[int, str]) -> dict:
    """The ``responses`` of a route for the OpenAPI document: success bodies and the error envelope."""

    def entry(description: str, model: type[BaseModel]) -> dict:
        return {"description": description, "content": {"application/json": {"model": model}}}

    documented = {code: entry(description, model) for code, (description, model) in success.items()}
    documented.update({code: entry(description, ErrorResponse) for code, description in errors.items()})
    return documented


def json_response(status_code: int, model: BaseModel, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status_code,
        content_type="application/json",
        body=model.model_dump_json(exclude_none=True),
        headers=headers or {},
    )


def error_body(error: ApiError) -> ErrorResponse:
    """The one error envelope: ``error`` is the user-safe message (the web client reads it as a string)."""
    return ErrorResponse.of(error.status_code, error.code, str(error), error.fields)


def error_response(error: ApiError) -> Response:
    return json_response(error.status_code, error_body(error))


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
        return error_response(BadRequest(fields=fields))

    @app.exception_handler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error)

    @app.not_found
    def _no_route(_: NotFoundError) -> Response:
        # Odd bytes in a job id (quotes, backslashes, NUL, raw non-ASCII) match no route: still a 404.
        return error_response(NotFound())

    @app.exception_handler([ClientError, BotoCoreError])
    def _aws_unavailable(error: Exception) -> Response:
        logger.warning("AWS call failed", extra={"error_type": type(error).__name__})
        response = error_response(ServiceUnavailable())
        response.headers["Retry-After"] = str(get_settings().retry_after_seconds)
        return response

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("Unhandled error")
        return error_response(InternalError())


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` — without parsing (no recursion)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _refusal(error: ApiError) -> dict:
    return {
        "statusCode": error.status_code,
        "headers": {"Content-Type": "application/json"},
        "body": error_body(error).model_dump_json(),
        "isBase64Encoded": False,
    }


def screen_json_request(event: dict) -> dict | None:
    """Before routing: refuse a body over 64 KiB (413) or nested too deep (400); read the rest as JSON.

    Returns the refusal as a proxy response, or None to go on. The Content-Type is set to JSON
    because ``curl -d @request.json`` labels JSON as a form, and parsing it as one would report
    nonsense fields. (Powertools validates before route middlewares run, hence a pre-step.)
    """
    body = event.get("body") or ""
    if len(body.encode()) > MAX_BODY_BYTES:
        message = f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB."
        return _refusal(PayloadTooLarge(message, [("body", "too large")]))
    if json_depth_exceeds(body, MAX_JSON_DEPTH):
        fields = [("body", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")]
        return _refusal(BadRequest("The request is not valid.", fields))
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
    if sub is not None and not is_identifier(sub):
        # A Cognito sub is a UUID; anything else ("../../x", 300 characters) is not a usable identity.
        raise Unauthorized("The signed-in identity is not valid for this API.")
    return sub


def status_url(app: APIGatewayRestResolver, job_id: str) -> str:
    """Absolute URL of a job's status, including the API stage prefix when there is one."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    full_path = event.request_context.path or event.path  # REST API: includes the /stage prefix
    prefix = full_path[: len(full_path) - len(event.path)] if full_path.endswith(event.path) else ""
    base = f"{headers.get('x-forwarded-proto', 'https')}://{headers['host']}" if "host" in headers else ""
    return f"{base}{prefix}/api/vpr/status/{quote(job_id, safe=':')}"
