"""A fresh local service for a fuzz run, started exactly as ``make run`` starts it (on free ports)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from local.runtime import free_port
from tests.fuzz.strategies import ROOT


def start_local_service(identity: bool = False) -> tuple[subprocess.Popen, str]:
    """``python -m local serve`` with the offline generator and its own data; ``identity``: play Cognito."""
    port = free_port()
    env = {
        **os.environ,
        "VPR_PORT": str(port),
        "VPR_AWS_PORT": str(free_port()),
        "VPR_GENERATOR": "offline",
        "VPR_DATA_DIR": tempfile.mkdtemp(prefix="vpr-fuzz-"),  # never the data of your own make run
        "VPR_REQUIRE_IDENTITY": "true" if identity else "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "local", "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the local service did not start")
