"""A restart of `make run` keeps what users need (issue 13.10): reports, profiles, the job view.

The service is killed with SIGKILL mid-job (no shutdown code runs), then started again on the same data
directory: the finished job still answers COMPLETED with a working link, and the job that was running
answers FAILED with a clear code instead of polling forever.
"""

from __future__ import annotations

import json
import signal
import time
import urllib.request

from tests.api.conftest import _start_service, _stop
from tests.conftest import example_with


def _wait_for_stage(service, job_id: str, stage: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while service.status(job_id).body.get("stage") != stage:
        assert time.monotonic() < deadline, f"job never reached {stage}"
        time.sleep(0.05)


def test_kill_9_mid_job_then_restart_keeps_reports_and_fails_the_interrupted_job(tmp_path):
    data = str(tmp_path / "data")
    slow = {"VPR_DATA_DIR": data, "VPR_OFFLINE_DELAY_SECONDS": "2", "VPR_GENERATION_MODE": "single"}
    first, service = _start_service(slow)
    try:
        finished = service.submit(example_with(application_id="app-restart-done")).body["job_id"]
        done = service.wait(finished, timeout=60)
        assert done.body["status"] == "COMPLETED"
        with urllib.request.urlopen(done.body["result_url"], timeout=10) as response:
            report_before = json.loads(response.read())
        running = service.submit(example_with(application_id="app-restart-running")).body["job_id"]
        _wait_for_stage(service, running, "generating")
    finally:
        first.send_signal(signal.SIGKILL)  # no chance to flush or clean up anything
        first.wait(timeout=10)

    log = (tmp_path / "second.log").open("w")
    second, service = _start_service({"VPR_DATA_DIR": data}, log)
    try:
        after = service.status(finished)
        interrupted = service.status(running)
        with urllib.request.urlopen(after.body["result_url"], timeout=10) as response:
            report_after = json.loads(response.read())
        again = service.submit(
            example_with(application_id="app-restart-done")
        )  # the same request: still the same job
    finally:
        _stop(second)
        log.close()

    assert after.status == 200 and after.body["status"] == "COMPLETED"
    assert report_after == report_before
    assert interrupted.body["status"] == "FAILED"
    assert interrupted.body["error_code"] == "LocalRuntimeRestarted"
    assert "new Idempotency-Key" in interrupted.body["error"]
    assert again.status == 200 and again.body["job_id"] == finished
    assert "restored" in (tmp_path / "second.log").read_text()
