"""A small API Gateway (REST, Lambda proxy) emulator in front of the submit and status handlers.

Each HTTP request becomes the proxy event API Gateway would send, the handler runs in-process, and its
proxy response becomes the HTTP response. With ``require_identity`` the emulator plays the Cognito
authorizer: the ``X-Vpr-User`` header stands in for a verified token (401 without it) and becomes
``requestContext.authorizer.claims.sub``. Without it (the default for ``make run``) no authorizer runs
and the handlers trust the body's ``user_id``, as documented in the README.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from local import web
from local.lambda_router import LambdaHandler, LocalLambdaContext

IDENTITY_HEADER = "X-Vpr-User"
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's own payload limit; the handler enforces 64 KiB

Route = tuple[str, re.Pattern[str], str, str]  # method, path pattern, resource, function name
ROUTES: list[Route] = [
    ("POST", re.compile(r"^/api/vpr/?$"), "/api/vpr", "submit"),
    ("GET", re.compile(r"^/api/vpr/status/(?P<job_id>[^/]+)$"), "/api/vpr/status/{job_id}", "status"),
]


def proxy_event(
    method: str, raw_path: str, headers: dict[str, str], body: str | None, resource: str, path_params: dict
) -> dict[str, Any]:
    split = urlsplit(raw_path)
    query = dict(parse_qsl(split.query)) or None
    return {
        "resource": resource,
        "path": split.path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": split.path,
            "stage": "local",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(datetime.now(UTC).timestamp() * 1000),
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


class ApiGatewayEmulator:
    def __init__(
        self,
        handlers: Callable[[str], LambdaHandler | None],
        host: str = "127.0.0.1",
        port: int = 8000,
        require_identity: bool = False,
    ) -> None:
        self.handlers = handlers
        self.require_identity = require_identity
        emulator = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                emulator.handle(self)

            def do_POST(self) -> None:
                emulator.handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # access lines would only repeat what the handlers log

        self.server = ThreadingHTTPServer((host, port), RequestHandler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- one request -------------------------------------------------------------------------------
    def handle(self, request: BaseHTTPRequestHandler) -> None:
        path = urlsplit(request.path).path
        if (page := web.answer(request.command, request.path)) is not None:  # the pages of make run
            self._send(request, page.status, page.headers, page.body)
            return
        if request.command == "GET" and path == "/health":
            self._send(request, 200, {"Content-Type": "application/json"}, json.dumps({"status": "ok"}))
            return
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._send_error(request, 413, "PayloadTooLarge", "The request body is too large.")
            request.close_connection = True
            return
        body = request.rfile.read(length).decode("utf-8", errors="replace") if length else None
        route = next(((r, m) for r in ROUTES if r[0] == request.command and (m := r[1].match(path))), None)
        if route is None:
            self._send_error(request, 404, "NotFound", f"No route for {request.command} {path}.")
            return
        (_, _, resource, function), match = route
        headers = {**dict(request.headers.items()), "X-Forwarded-Proto": "http"}
        event = proxy_event(request.command, request.path, headers, body, resource, match.groupdict())
        if self.require_identity:
            user = request.headers.get(IDENTITY_HEADER)
            if not user:
                self._send_error(
                    request, 401, "Unauthorized", f"Missing {IDENTITY_HEADER} (local authorizer)."
                )
                return
            event["requestContext"]["authorizer"] = {"claims": {"sub": user}}
        handler = self.handlers(function)
        if handler is None:  # pragma: no cover - the runtime registers both API handlers
            self._send_error(request, 502, "BadGateway", "No handler.")
            return
        response = handler(event, LocalLambdaContext(function_name=function, timeout_seconds=29))
        out_headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
        out_headers.update(response.get("headers") or {})
        self._send(request, response["statusCode"], out_headers, response.get("body") or "")

    def _send_error(self, request: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": {"code": code, "message": message, "fields": []}})
        self._send(request, status, {"Content-Type": "application/json"}, body)

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: str) -> None:
        data = body.encode()
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)
