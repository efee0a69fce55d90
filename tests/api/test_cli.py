"""The CLI's client commands: one way to find the service, `verify JOB_ID`, one-line expected failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

from local.runtime import free_port
from tests.conftest import EXAMPLE_REQUEST, ROOT, example_with


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"VPR_API_URL", "VPR_PORT"}}
    return subprocess.run(
        [sys.executable, "-m", "local", *args],
        cwd=ROOT,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _finished_job(service, application_id: str) -> str:
    job_id = service.submit(example_with(application_id=application_id)).body["job_id"]
    assert service.wait(job_id).body["status"] == "COMPLETED"
    return job_id


def test_service_not_running_is_one_line_and_exit_2():
    commands = (
        ["status", "vpr-" + "0" * 64],
        ["cancel", "vpr-" + "0" * 64],
        ["retry", "vpr-" + "0" * 64],
        ["history", "arn:aws:states:x"],
        ["verify", "arn:x"],
    )
    for command in commands:
        result = cli(*command, env={"VPR_PORT": str(free_port())})

        assert result.returncode == 2, result
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "cannot reach the VPR service" in result.stderr and "make run" in result.stderr


def test_every_client_command_finds_the_service_through_vpr_port(service):
    job_id = _finished_job(service, "app-cli-port")
    port_env = {"VPR_PORT": str(urlsplit(service.url).port)}

    status = cli("status", job_id, env=port_env)
    history = cli("history", job_id, env=port_env)
    verified = cli("verify", job_id, env=port_env)

    assert status.returncode == 0 and json.loads(status.stdout)["status"] == "COMPLETED"
    assert history.returncode == 0 and "ExecutionSucceeded" in history.stdout
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["grounded"] is True


def test_api_flag_and_env_var_work_for_history_and_verify(service):
    job_id = _finished_job(service, "app-cli-api")

    history = cli("history", job_id, "--api", service.url)
    verified = cli("verify", job_id, env={"VPR_API_URL": service.url})

    assert history.returncode == 0 and "Validate" in history.stdout
    assert verified.returncode == 0 and json.loads(verified.stdout)["unsupported_claims"] == []


def test_expected_failures_are_one_line(service, tmp_path):
    unknown = cli("status", "vpr-" + "0" * 64, "--api", service.url)
    missing_file = cli("submit", str(tmp_path / "nope.json"), "--api", service.url)
    bad_request = tmp_path / "bad.json"
    bad_request.write_text(json.dumps({**EXAMPLE_REQUEST, "application_id": "../x"}))
    refused = cli("submit", str(bad_request), "--api", service.url)

    for result in (unknown, missing_file, refused):
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Job not found." in unknown.stderr
    assert "cannot read" in missing_file.stderr
    assert "application_id" in refused.stderr and "BadRequest" in refused.stderr


def test_serve_with_an_unknown_model_says_so_in_one_line():
    result = cli("serve", env={"VPR_MODEL": "claude-made-up-9", "VPR_PORT": str(free_port())})

    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: VPR_MODEL:") and "claude-made-up-9" in result.stderr


def test_cancel_and_retry_of_a_finished_or_unknown_job_are_one_line_and_exit_2(service):
    job_id = _finished_job(service, "app-cli-cancel-done")

    results = {
        "cancel completed": cli("cancel", job_id, "--api", service.url),
        "retry completed": cli("retry", job_id, "--api", service.url),
        "cancel unknown": cli("cancel", "vpr-" + "0" * 64, "--api", service.url),
        "retry unknown": cli("retry", "vpr-" + "0" * 64, "--api", service.url),
    }

    for name, result in results.items():
        assert result.returncode == 2 and "Traceback" not in result.stderr, name
        assert len(result.stderr.strip().splitlines()) == 1, (name, result.stderr)
    assert "(JobNotCancellable)" in results["cancel completed"].stderr
    assert "already completed" in results["retry completed"].stderr
    assert "(JobNotRetryable)" in results["retry completed"].stderr
    assert (
        "Job not found." in results["cancel unknown"].stderr
        and "Job not found." in results["retry unknown"].stderr
    )


def test_cli_cancels_a_running_job_and_retries_a_failed_one(writer):
    import threading

    from tests.fakes.anthropic_server import overloaded

    service, fake = writer.service, writer.fake
    user = ["--api", service.url, "--user", "user-uuid-456"]
    headers = {"X-Vpr-User": "user-uuid-456"}
    release = threading.Event()
    fake.route = lambda request, job: (release.wait(timeout=30), None)[1]
    running = service.submit(example_with(application_id="app-cli-cancel"), headers).body["job_id"]
    while fake.calls < 5:
        threading.Event().wait(0.02)

    cancelled = cli("cancel", running, *user)
    release.set()

    assert cancelled.returncode == 0, cancelled.stderr
    assert json.loads(cancelled.stdout)["error_code"] == "Cancelled"

    failing = {"on": True}
    fake.route = lambda request, job: overloaded() if job.id == "culture" and failing["on"] else None
    failed = service.submit(example_with(application_id="app-cli-retry"), headers).body["job_id"]
    assert service.wait(failed, headers).body["error_code"] == "ClaudeOverloaded"
    failing["on"] = False

    retried = cli("retry", failed, "--wait", "--interval", "0.1", *user)

    assert retried.returncode == 0, retried.stderr
    assert json.loads(retried.stdout)["status"] == "COMPLETED"
