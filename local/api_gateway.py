"""A small API Gateway (REST, Lambda proxy) emulator in front of the API handlers (``stacks/registry.py``).

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
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from local import web
from local.lambda_router import LambdaHandler, LocalLambdaContext
from stacks.registry import api_functions

IDENTITY_HEADER = "X-Vpr-User"
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's own payload limit; the handler enforces 64 KiB
#: Pending connections the kernel queues before refusing (http.server's default of 5 resets clients
#: that arrive together; Linux caps it at net.core.somaxconn).
LISTEN_BACKLOG = 1024
#: Requests served at once; more connections wait in the backlog/queue instead of each taking a thread.
MAX_WORKERS = 32
#: Seconds a connection may sit idle or trickle a body before it is answered 408 and closed.
READ_TIMEOUT_SECONDS = 10.0

Route = tuple[str, re.Pattern[str], str, str]  # method, path pattern, resource, function key


def _path_pattern(resource: str) -> re.Pattern[str]:
    """``/api/vpr/status/{job_id}`` → a pattern capturing ``job_id`` (one path segment); a path that
    ends in a literal segment also matches with a trailing slash."""
    parts = [f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in resource.split("/")]
    trailing = "" if resource.endswith("}") else "/?"
    return re.compile("^" + "/".join(parts) + trailing + "$")


#: The API functions' routes, from ``stacks/registry.py`` (the stack's API methods are the same).
ROUTES: list[Route] = [
    (route.method, _path_pattern(route.path), route.path, key) for key, route in api_functions().items()
]
#: Every resource of the API: each route's path and the paths above it (API Gateway has those too).
_RESOURCES = {
    resource: _path_pattern(resource)
    for route in ROUTES
    for i in range(2, route[2].count("/") + 2)
    if (resource := "/".join(route[2].split("/")[:i]))
}


def resource_of(path: str) -> str | None:
    """The resource a request path reaches, as API Gateway picks it: where two resources match, a literal
    segment wins over a path parameter at the same place — so ``/api/vpr/status`` is its own resource
    (no method), not the job named "status" of ``/api/vpr/{job_id}``."""
    matching = [resource for resource, pattern in _RESOURCES.items() if pattern.match(path)]
    return min(matching, key=lambda r: [part.startswith("{") for part in r.split("/")], default=None)


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


class _BoundedServer(HTTPServer):
    """An HTTP server with a realistic backlog and a fixed pool of worker threads."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], workers: int) -> None:
        super().__init__(address, handler)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="api")

    def process_request(self, request: Any, client_address: Any) -> None:
        self._pool.submit(self._serve_one, request, client_address)

    def _serve_one(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # a broken connection must not take the worker down
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-answer is not the server's error; no traceback on stderr

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)


def error_envelope(status: int, code: str, message: str) -> str:
    """The API's error body, for answers no handler gives (a route or method miss, a broken request)."""
    from vpr.models.responses import ErrorResponse

    return ErrorResponse.of(status, code, message).model_dump_json()


def _handlers_answer_preflight() -> bool:
    """Whether the handlers answer a CORS preflight (OPTIONS): only with ``VPR_CORS_ALLOWED_ORIGINS`` set.

    Without it OPTIONS is a method like any other the API does not declare (405), and ``Allow`` does not
    offer it. (On AWS the stack always adds a preflight OPTIONS method to each resource.)
    """
    from handlers.http import cors_config

    return cors_config() is not None


class ApiGatewayEmulator:
    def __init__(
        self,
        handlers: Callable[[str], LambdaHandler | None],
        host: str = "127.0.0.1",
        port: int = 8000,
        require_identity: bool = False,
        workers: int = MAX_WORKERS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        health: dict[str, str] | None = None,
    ) -> None:
        self.handlers = handlers
        self.require_identity = require_identity
        self.health = {"status": "ok", **(health or {})}
        emulator = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = read_timeout  # socket timeout for every read: a stalled client cannot hold a worker
            # TCP_NODELAY: the body goes out right behind the headers. With Nagle's algorithm it waited for
            # the client's ACK of the headers, which a keep-alive client delays (40 ms on Linux): every
            # answer on a reused connection took 40 ms more.
            disable_nagle_algorithm = True

            def __getattr__(self, name: str) -> Callable[[], None]:
                """Every method of every request line reaches :meth:`ApiGatewayEmulator.handle`.

                http.server looks up ``do_<METHOD>`` and answers 501 when there is none; answering
                them all here (TRACE, QUERY, BREW, ...) leaves routing, and so 404/405, to one place.
                """
                if name.startswith("do_"):
                    return lambda: emulator.handle(self)
                raise AttributeError(name)

            def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
                """http.server's own errors (bad request line, URI too long, ...) as JSON, not HTML."""
                status = HTTPStatus(code)
                name = "".join(word.capitalize() for word in status.name.split("_"))  # RequestUriTooLong
                emulator.send_json_error(self, code, name, f"{status.phrase}.")

            def log_message(self, format: str, *args: Any) -> None:
                pass  # access lines would only repeat what the handlers log

        self.server = _BoundedServer((host, port), RequestHandler, workers)

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
            self._send(request, 200, {"Content-Type": "application/json"}, json.dumps(self.health))
            return
        if request.command == "GET" and path == "/openapi.json":  # the document of the mode this runs in
            from handlers.openapi import TRUSTED_BODY, CallerIdentity, openapi_text

            identity = CallerIdentity(IDENTITY_HEADER) if self.require_identity else TRUSTED_BODY
            self._send(request, 200, {"Content-Type": "application/json"}, openapi_text(identity))
            return
        body = self._read_body(request)
        if body is None:
            return  # answered already
        resource = resource_of(path)
        allowed = [r for r in ROUTES if r[2] == resource]
        route = next(((r, m) for r in allowed if r[0] == request.command and (m := r[1].match(path))), None)
        preflight = _handlers_answer_preflight()
        if route is None and request.command == "OPTIONS" and allowed and preflight:  # the handler answers
            route = (allowed[0], allowed[0][1].match(path))
        if route is None:
            if allowed:  # any other method on a resource of the API: 405, naming what it does take
                methods = ", ".join(sorted({r[0] for r in allowed} | ({"OPTIONS"} if preflight else set())))
                self.send_json_error(
                    request, 405, "MethodNotAllowed", "This method is not allowed here.", methods
                )
            else:
                self.send_json_error(request, 404, "NotFound", "Not found.")
            return
        (_, _, resource, function), match = route
        headers = {**dict(request.headers.items()), "X-Forwarded-Proto": "http"}
        event = proxy_event(request.command, request.path, headers, body, resource, match.groupdict())
        if self.require_identity and request.command != "OPTIONS":
            user = request.headers.get(IDENTITY_HEADER)
            if not user:
                message = f"Sign in to use this API (locally: the {IDENTITY_HEADER} header)."
                self.send_json_error(request, 401, "Unauthorized", message)
                return
            event["requestContext"]["authorizer"] = {"claims": {"sub": user}}
        handler = self.handlers(function)
        if handler is None:  # pragma: no cover - the runtime registers both API handlers
            self.send_json_error(request, 502, "BadGateway", "No handler.")
            return
        response = handler(event, LocalLambdaContext(function_name=function, timeout_seconds=29))
        out_headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
        out_headers.update(response.get("headers") or {})
        self._send(request, response["statusCode"], out_headers, response.get("body") or "")

    def _read_body(self, request: BaseHTTPRequestHandler) -> str | None:
        """The body, or None after answering 400 (bad Content-Length), 413 or 408 (body never came)."""
        declared = request.headers.get("Content-Length")
        if request.headers.get("Transfer-Encoding"):  # API Gateway REST needs a length too
            self.send_json_error(request, 411, "LengthRequired", "Send the body with a Content-Length.")
            return None
        if declared is None:
            return ""
        if not declared.strip().isdigit():
            self.send_json_error(request, 400, "BadRequest", "The Content-Length header is not valid.")
            return None
        length = int(declared)
        if length > MAX_REQUEST_BYTES:
            self.send_json_error(request, 413, "PayloadTooLarge", "The request body is too large.")
            return None
        try:
            data = request.rfile.read(length) if length else b""
        except TimeoutError:
            data = b""
        if len(data) < length:
            self.send_json_error(request, 408, "RequestTimeout", "The request body did not arrive in time.")
            return None
        return data.decode("utf-8", errors="replace")

    def send_json_error(
        self, request: BaseHTTPRequestHandler, status: int, code: str, message: str, allow: str | None = None
    ) -> None:
        headers = {"Content-Type": "application/json"}
        if allow:
            headers["Allow"] = allow
        if status >= 400 and status not in (404, 405, 401):
            request.close_connection = True  # the stream may be out of step: do not read another request
            headers["Connection"] = "close"
        self._send(request, status, headers, error_envelope(status, code, message))

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: str) -> None:
        data = body.encode()
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(data)
