"""Command line for people at a terminal: run the local service, submit, watch, inspect, verify.

    python -m local serve                       # what `make run` runs
    python -m local submit request.json --wait  # submit, show progress, say where the report is
    python -m local status JOB_ID
    python -m local cancel JOB_ID               # stop a running job
    python -m local retry JOB_ID --wait         # resume a job that failed with a transient error
    python -m local history JOB_ID              # the execution's events: the local Step Functions console
    python -m local verify JOB_ID               # grounding audit of a finished job's stored report
    python -m local verify report.json request.json

Client commands (submit, status, cancel, retry, history, verify) find the service one way: ``--api URL``, else
``VPR_API_URL``, else the local service on ``http://127.0.0.1:$VPR_PORT`` (8000). ``--token`` sends a
Cognito ID token to a deployed API. ``history`` and ``verify JOB_ID`` also read the job's execution from
Step Functions: the local engine (whose address the local service gives on /health), or AWS with your
credentials when ``--aws`` is given. Expected failures (service down, unknown job, unreadable file)
print one line and exit with status 2.
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
#: Where `make run` keeps what must survive a restart (VPR_DATA_DIR; empty: keep nothing).
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / ".local-data"
TERMINAL = {"COMPLETED", "FAILED"}


class CliError(Exception):
    """An expected failure: printed as one line, exit status 2, no traceback."""


# --- serve -------------------------------------------------------------------------------------------
def serve(_: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from local.api_gateway import ApiGatewayEmulator
    from local.runtime import LocalRuntime
    from vpr.generation import choose_generator_name
    from vpr.settings import get_settings

    try:
        get_settings()
    except ValidationError as error:  # e.g. an unknown VPR_MODEL: say which setting, not a traceback
        problem = error.errors()[0]
        setting = "VPR_" + str(problem["loc"][0]).upper() if problem["loc"] else "the settings"
        raise CliError(f"{setting}: {problem['msg']}") from None
    port = int(os.environ.get("VPR_PORT", DEFAULT_PORT))
    aws_port = int(os.environ.get("VPR_AWS_PORT", port + 1))
    data_dir = os.environ.get("VPR_DATA_DIR", str(DEFAULT_DATA_DIR))
    runtime = LocalRuntime(aws_port=aws_port, data_dir=Path(data_dir) if data_dir else None).start()
    settings = get_settings()
    assert runtime.endpoints is not None
    api = ApiGatewayEmulator(
        runtime.handler_for,
        port=port,
        require_identity=settings.require_identity,
        health={"aws_endpoint": runtime.endpoints.aws},  # how `history`/`verify` find the local engine
    )
    print(
        f"VPR local service ready on {api.url}\n"
        f"  POST {api.url}/api/vpr   GET {api.url}/api/vpr/status/<job_id>   GET {api.url}/health\n"
        f"  DELETE {api.url}/api/vpr/<job_id> (cancel)   POST {api.url}/api/vpr/<job_id>/retry\n"
        f"  pages: {api.url}/ (write a report)   {api.url}/console (workflow console)\n"
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
    """``--api``, else ``VPR_API_URL``, else the local service on ``VPR_PORT``: the one way to find it."""
    local = f"http://127.0.0.1:{os.environ.get('VPR_PORT', DEFAULT_PORT)}"
    return (args.api or os.environ.get("VPR_API_URL") or local).rstrip("/")


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
            return response.status, _json(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read())
    except (urllib.error.URLError, OSError) as error:
        raise CliError(
            f"cannot reach the VPR service at {_api_url(args)} ({getattr(error, 'reason', error)}): "
            "start it with `make run`, or point --api / VPR_API_URL at a running one"
        ) from error


def _json(raw: bytes) -> dict:
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise CliError(f"the service answered something that is not the VPR API: {raw[:80]!r}")
    return parsed


def _refused(body: dict) -> CliError:
    """An API error answer, as one line: its message, its code, and each field it names."""
    fields = "; ".join(f"{f.get('field')}: {f.get('message')}" for f in body.get("fields") or [])
    return CliError(
        f"{body.get('error', 'the service refused')} ({body.get('code')})" + (f" {fields}" if fields else "")
    )


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}") from error


def _status_path(job_id: str) -> str:
    return "/api/vpr/status/" + quote(job_id, safe=":")


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def submit(args: argparse.Namespace) -> int:
    code, body = _call(args, "POST", "/api/vpr", _read(args.file))
    if code >= 400:
        raise _refused(body)
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
            raise _refused(body)
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


def _answered(args: argparse.Namespace, method: str, path: str) -> dict:
    """The API's answer to a request without a body; an error answer becomes one line (exit 2)."""
    code, body = _call(args, method, path)
    if code >= 400:
        raise _refused(body)
    return body


def _job_path(job_id: str, action: str = "") -> str:
    return "/api/vpr/" + quote(job_id, safe=":") + action


def status(args: argparse.Namespace) -> int:
    _print(_answered(args, "GET", _status_path(args.job_id)))
    return 0


def cancel(args: argparse.Namespace) -> int:
    """DELETE /api/vpr/{job_id}: the job stops; prints its status (FAILED, error_code Cancelled)."""
    _print(_answered(args, "DELETE", _job_path(args.job_id)))
    return 0


def retry(args: argparse.Namespace) -> int:
    """POST /api/vpr/{job_id}/retry: the failed job resumes; with --wait, follow it to the end."""
    body = _answered(args, "POST", _job_path(args.job_id, "/retry"))
    if args.wait:
        return _wait(args, body["job_id"], timeout=args.timeout)
    _print(body)
    return 0


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


def _stepfunctions(args: argparse.Namespace) -> Any:
    """Step Functions where the job ran: AWS with ``--aws``, else the local engine the service names."""
    import boto3

    from local.runtime import REGION

    if args.aws:
        return boto3.client("stepfunctions")
    endpoint = args.aws_endpoint
    if endpoint is None:
        _, health = _call(args, "GET", "/health")
        endpoint = health.get("aws_endpoint")
        if not endpoint:
            raise CliError(f"{_api_url(args)} is not a local VPR service: use --aws to read a deployed job")
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
    )


def _execution(args: argparse.Namespace, job_id: str) -> tuple[Any, dict[str, Any]]:
    from botocore.exceptions import ClientError

    if not job_id.startswith("arn:"):
        raise CliError("give the job id: the execution ARN that POST /api/vpr returned")
    client = _stepfunctions(args)
    try:
        return client, client.describe_execution(executionArn=job_id)
    except ClientError as error:
        raise CliError(f"job not found: {error.response['Error']['Code']}") from error


def history(args: argparse.Namespace) -> int:
    client, description = _execution(args, args.job_id)
    events = client.get_execution_history(executionArn=args.job_id, maxResults=1000)["events"]
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
    """Grounding audit: of two files (a report, a request with an inline cv), or of a finished job."""
    from pydantic import ValidationError

    from vpr.grounding import verify_report
    from vpr.models import Application, ReportContent

    if args.request is None:
        report_json, application_json = _job_report_and_application(args, args.report)
    else:
        report_json, application_json = _read(args.report), _read(args.request)
    try:
        report = ReportContent.model_validate_json(report_json)
        application = Application.model_validate_json(application_json)
    except ValidationError as error:
        where = ".".join(str(p) for p in error.errors()[0]["loc"])
        raise CliError(
            f"cannot verify: {error.error_count()} problem(s), first at {where or 'the top'}; "
            "REQUEST must be a request with an inline 'cv' and a user_id"
        ) from error
    verification = verify_report(report, application)
    _print(verification.model_dump(mode="json"))
    return 0 if verification.grounded else 1


def _job_report_and_application(args: argparse.Namespace, job_id: str) -> tuple[bytes, str]:
    """The stored report (through the status API's link) and the application Validate built (with the CV)."""
    code, status_body = _call(args, "GET", _status_path(job_id))
    if code >= 400 or status_body.get("status") != "COMPLETED":
        reason = status_body.get("error") or f"the job is {status_body.get('status', 'unknown')}"
        raise CliError(f"no report to verify: {reason}")
    try:
        with urllib.request.urlopen(status_body["result_url"], timeout=30) as response:  # noqa: S310
            report = response.read()
    except (urllib.error.URLError, OSError) as error:
        raise CliError(f"cannot fetch the report: {getattr(error, 'reason', error)}") from error
    client, _ = _execution(args, status_body["job_id"])
    events = client.get_execution_history(executionArn=status_body["job_id"], maxResults=1000)["events"]
    validated = [
        e
        for e in events
        if e["type"] == "TaskStateExited" and e["stateExitedEventDetails"]["name"] == "Validate"
    ]
    if not validated:
        raise CliError("the job's history holds no Validate output (older than the history retention?)")
    return report, validated[0]["stateExitedEventDetails"]["output"]


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

    p = sub.add_parser("cancel", parents=[client], help="cancel a running job")
    p.add_argument("job_id")
    p.set_defaults(func=cancel)

    p = sub.add_parser("retry", parents=[client], help="retry a job that failed with a transient error")
    p.add_argument("job_id")
    p.add_argument("--wait", action="store_true", help="show progress until COMPLETED or FAILED")
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--interval", type=float, default=1.0)
    p.set_defaults(func=retry)

    engine = argparse.ArgumentParser(add_help=False)
    engine.add_argument(
        "--aws", action="store_true", help="read the execution from AWS with your credentials"
    )
    engine.add_argument("--aws-endpoint", help="Step Functions endpoint (default: the one the service names)")

    p = sub.add_parser(
        "history", parents=[client, engine], help="a job's events (states, retries, errors, timings)"
    )
    p.add_argument("job_id")
    p.set_defaults(func=history)

    p = sub.add_parser(
        "verify",
        parents=[client, engine],
        help="grounding audit: verify JOB_ID, or verify REPORT.json REQUEST.json (request with inline cv)",
    )
    p.add_argument("report", metavar="JOB_ID|REPORT")
    p.add_argument("request", nargs="?", metavar="REQUEST")
    p.set_defaults(func=verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `... | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
