"""Command line for people at a terminal: run the local service, submit, watch, inspect, verify.

    python -m local serve                       # what `make run` runs
    python -m local submit request.json --wait  # submit, show progress, say where the report is
    python -m local status JOB_ID
    python -m local history JOB_ID              # the execution's events: the local Step Functions console
    python -m local verify report.json request.json

Client commands talk to the local service by default; ``--api URL`` (or ``VPR_API_URL``) and ``--token``
point them at a deployed API instead. ``history`` reads Step Functions directly: the local moto endpoint
by default, your AWS credentials with ``--aws``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

DEFAULT_PORT = 8000
TERMINAL = {"COMPLETED", "FAILED"}


# --- serve -------------------------------------------------------------------------------------------
def serve(_: argparse.Namespace) -> int:
    from local.api_gateway import ApiGatewayEmulator
    from local.runtime import LocalRuntime, resource_name
    from vpr.generation import choose_generator_name
    from vpr.settings import get_settings

    port = int(os.environ.get("VPR_PORT", DEFAULT_PORT))
    aws_port = int(os.environ.get("VPR_AWS_PORT", port + 1))
    runtime = LocalRuntime(aws_port=aws_port).start()
    settings = get_settings()
    api = ApiGatewayEmulator(
        lambda name: runtime.router.handler_for(resource_name(name)),
        port=port,
        require_identity=settings.require_identity,
    )
    assert runtime.endpoints is not None
    print(
        f"VPR local service ready on {api.url}\n"
        f"  POST {api.url}/api/vpr   GET {api.url}/api/vpr/status/<job_id>   GET {api.url}/health\n"
        f"  local AWS (moto) endpoint: {runtime.endpoints.aws}\n"
        f"  generator: {choose_generator_name(settings)}\n"
        "  Ctrl-C to stop.",
        flush=True,
    )
    try:
        api.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        api.shutdown()
        runtime.stop()
    return 0


# --- HTTP client -------------------------------------------------------------------------------------
def _api_url(args: argparse.Namespace) -> str:
    return (args.api or os.environ.get("VPR_API_URL") or f"http://127.0.0.1:{DEFAULT_PORT}").rstrip("/")


def _call(args: argparse.Namespace, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if args.token:
        headers["Authorization"] = args.token
    if args.user:
        headers["X-Vpr-User"] = args.user
    if getattr(args, "idempotency_key", None):
        headers["Idempotency-Key"] = args.idempotency_key
    url = _api_url(args) + path
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - user-chosen API URL
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _status_path(job_id: str) -> str:
    return "/api/vpr/status/" + quote(job_id, safe=":")


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def submit(args: argparse.Namespace) -> int:
    code, body = _call(args, "POST", "/api/vpr", Path(args.file).read_bytes())
    if code >= 400:
        _print(body)
        return 1
    job_id = body["job_id"]
    print(f"{body['message']}\njob id: {job_id}", file=sys.stderr)
    if not args.wait:
        _print(body)
        return 0
    return _wait(args, job_id, timeout=args.timeout)


def _wait(args: argparse.Namespace, job_id: str, timeout: float) -> int:
    started = time.monotonic()
    interactive = sys.stderr.isatty()
    last = ""
    while True:
        code, body = _call(args, "GET", _status_path(job_id))
        if code >= 400:
            _print(body)
            return 1
        progress = f"{body['status']:<10} {body.get('stage') or ''}"
        if body.get("sections_total"):  # sections mode: "3/5 sections"
            progress += f" {body['sections_done']}/{body['sections_total']} sections"
        line = f"[{time.monotonic() - started:6.1f}s] {progress}"
        if interactive:  # one line, rewritten in place
            print("\r" + line.ljust(60), end="", file=sys.stderr, flush=True)
        elif progress != last:  # a log (CI, a pipe): only the changes
            print(line, file=sys.stderr, flush=True)
        last = progress
        if body["status"] in TERMINAL:
            if interactive:
                print(file=sys.stderr)
            break
        if time.monotonic() - started > timeout:
            print(
                f"\nstill {body['status']} after {timeout:.0f}s; check later: status {job_id}",
                file=sys.stderr,
            )
            return 2
        time.sleep(float(args.interval))
    _print(body)
    if body["status"] == "COMPLETED":
        print(
            f"\nReport (JSON, link valid until {body['result_expires_at']}):\n{body['result_url']}",
            file=sys.stderr,
        )
        return 0
    return 1


def status(args: argparse.Namespace) -> int:
    code, body = _call(args, "GET", _status_path(args.job_id))
    _print(body)
    return 0 if code < 400 else 1


# --- history -----------------------------------------------------------------------------------------
def _event_detail(event: dict[str, Any]) -> str:
    for key, value in event.items():
        if not key.endswith("EventDetails") or not isinstance(value, dict):
            continue
        if "error" in value:
            cause = value.get("cause") or ""
            with contextlib.suppress(ValueError, AttributeError):
                cause = json.loads(cause).get("errorMessage", cause)
            return f"{value['error']}: {str(cause)[:160]}"
        if "name" in value:
            return value["name"]
        if "resource" in value:
            return value["resource"].rsplit(":", 1)[-1]
    return ""


def history(args: argparse.Namespace) -> int:
    import boto3

    from local.runtime import REGION

    job_id = args.job_id
    if args.aws:
        client = boto3.client("stepfunctions")
    else:
        endpoint = (
            args.aws_endpoint or f"http://127.0.0.1:{int(os.environ.get('VPR_PORT', DEFAULT_PORT)) + 1}"
        )
        client = boto3.client(
            "stepfunctions",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
        )
    if not job_id.startswith("arn:"):
        print("history needs the job id (the execution ARN)", file=sys.stderr)
        return 2
    description = client.describe_execution(executionArn=job_id)
    events = client.get_execution_history(executionArn=job_id, maxResults=1000)["events"]
    start: datetime = description["startDate"]
    print(f"{description['name']}  {description['status']}")
    entered: dict[str, datetime] = {}
    for event in events:
        offset = (event["timestamp"] - start).total_seconds()
        detail = _event_detail(event)
        if event["type"].endswith("StateEntered"):
            entered[detail] = event["timestamp"]
        elif event["type"].endswith("StateExited") and detail in entered:
            detail += f" ({(event['timestamp'] - entered[detail]).total_seconds():.2f}s)"
        print(f"{offset:+9.3f}s  {event['id']:>3}  {event['type']:<30} {detail}")
    if description.get("error"):
        print(f"\nerror: {description['error']}")
    return 0


# --- verify ------------------------------------------------------------------------------------------
def verify(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from vpr.grounding import verify_report
    from vpr.models import Application, ReportContent

    try:
        report = ReportContent.model_validate_json(Path(args.report).read_text())
        application = Application.model_validate_json(Path(args.request).read_text())
    except ValidationError as error:
        print(f"cannot verify: {error.error_count()} problem(s): {error.errors()[0]['loc']}", file=sys.stderr)
        print("REQUEST must be a request with an inline 'cv' and a user_id.", file=sys.stderr)
        return 2
    verification = verify_report(report, application)
    _print(verification.model_dump(mode="json"))
    return 0 if verification.grounded else 1


# --- entry point -------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__.split("\n")[0])
    client = argparse.ArgumentParser(add_help=False)
    client.add_argument("--api", help="API base URL (default: VPR_API_URL or the local service)")
    client.add_argument("--token", help="Authorization header value (a Cognito ID token) for a deployed API")
    client.add_argument("--user", help="X-Vpr-User: the user id, when the local service checks identity")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("serve", help="start the local service (moto AWS + API emulator)").set_defaults(func=serve)

    p = sub.add_parser("submit", parents=[client], help="submit a request file")
    p.add_argument("file")
    p.add_argument("--wait", action="store_true", help="show progress until COMPLETED or FAILED")
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--idempotency-key")
    p.set_defaults(func=submit)

    p = sub.add_parser("status", parents=[client], help="a job's status")
    p.add_argument("job_id")
    p.set_defaults(func=status)

    p = sub.add_parser("history", help="a job's execution events (states, retries, errors, timings)")
    p.add_argument("job_id")
    p.add_argument(
        "--aws", action="store_true", help="read from AWS with your credentials, not the local service"
    )
    p.add_argument("--aws-endpoint", help="Step Functions endpoint (default: the local moto endpoint)")
    p.set_defaults(func=history)

    p = sub.add_parser("verify", help="check a report's claims against its request (with inline cv)")
    p.add_argument("report")
    p.add_argument("request")
    p.set_defaults(func=verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
