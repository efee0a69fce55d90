"""``make fuzz-schema``: schemathesis, an independent fuzzer, against a fresh local service.

    python -m tests.fuzz.schemathesis_run [--max-examples N] [--seed S] [--identity] [--api URL]

schemathesis knows only the document the service serves at ``/openapi.json`` (the one of the mode it
runs in, ``handlers.openapi``). It runs all its phases — the schema's examples, coverage (boundary
values, every undeclared method), fuzzing (generated valid and invalid requests), and stateful (chains
of calls along the document's links: submit a job, then ask its status) — with every check it has
(``--checks all``): no 5xx, status codes, content types, headers and bodies as documented, schema-valid
requests accepted and schema-invalid ones refused, 405 + ``Allow`` for undeclared methods, a job just
created is found, and more (``st run --help``). Any finding exits 1.

Without ``--api`` it starts the local service exactly as ``make run`` does (on free ports, offline
generator, its own data directory), with ``VPR_REQUIRE_IDENTITY=true`` for ``--identity``, and stops it
afterwards. ``tests/api/test_schemathesis.py`` is the bounded run in ``make test``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.fuzz.service import start_local_service

#: The ``st`` executable of this virtual environment (schemathesis is pinned in requirements-dev.txt).
ST = Path(sys.executable).with_name("st")
PHASES = ("examples", "coverage", "fuzzing", "stateful")
#: Warnings about what the local service cannot supply, not about what the API does. Retry answers 2xx
#: only for a job that failed with a transient error, and the offline writer never fails that way: every
#: job a link leads it to is running or completed (409 ``JobNotRetryable``, which schemathesis leaves out
#: of its count), and every generated id is unknown (404). So schemathesis warns that the operation
#: "repeatedly returned 404". The 202 path is tested where a transient failure can be made
#: (``tests/workflow/test_redrive.py``, ``tests/api/test_cancel_retry.py``).
EXPECTED_WARNINGS = {"missing_test_data": {"POST /api/vpr/{job_id}/retry"}}


@dataclass(frozen=True)
class Outcome:
    """One schemathesis run: its exit status, its printed output, its JSON report and every exchange."""

    exit_code: int
    output: str
    report: dict[str, Any]
    exchanges: list[tuple[str, str, int]]  # (method, URL path, status), from its HAR report

    def answers(self, method: str, path_template: str) -> Counter[int]:
        """The statuses answered to requests of one operation (``/api/vpr/status/{job_id}``)."""
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path_template)) + "$")
        return Counter(s for m, path, s in self.exchanges if m == method.upper() and pattern.match(path))

    @property
    def cases(self) -> int:
        return self.report["test_cases"]["generated"] if self.report else 0

    @property
    def findings(self) -> list[str]:
        """Everything that makes the run not clean: failures, errors, warnings, a phase not run."""
        if not self.report:
            return [f"schemathesis wrote no report (exit status {self.exit_code})"]
        found = [
            f"{f['code']} {f['title']} ({f['count']}x): {', '.join(f['operations'])}"
            for f in self.report["failures"]
        ]
        found += [f"error: {error}" for error in self.report["errors"]]
        found += [
            f"warning {name}: {unexpected}"
            for name, items in self.report["warnings"].items()
            if (unexpected := sorted(set(items) - EXPECTED_WARNINGS.get(name, set())))
        ]
        found += [
            f"phase {name}: {phase['status']} ({phase['skip_reason']})"
            for name, phase in self.report["phases"].items()
            if phase["status"] != "success" and not (name == "examples" and phase["status"] == "skip")
        ]  # the examples phase has nothing to run: the document has no examples
        return found


def run_schemathesis(base_url: str, *, max_examples: int, seed: int, echo: bool = False) -> Outcome:
    """``st run <base_url>/openapi.json --checks all`` with every phase, seeded, without an example database.

    ``max_examples`` bounds the cases per operation of the fuzzing and stateful phases (coverage makes
    every case the document defines). Without a database nothing carries over from an earlier run, so a
    seed names the same run. ``echo`` streams schemathesis's output as it comes.
    """
    with tempfile.TemporaryDirectory(prefix="vpr-schemathesis-") as directory:
        report, har = Path(directory) / "report.json", Path(directory) / "exchanges.har"
        command = [
            str(ST),
            "run",
            f"{base_url}/openapi.json",
            "--checks=all",
            f"--phases={','.join(PHASES)}",
            f"--max-examples={max_examples}",
            f"--seed={seed}",
            "--generation-database=none",
            "--request-timeout=30",
            "--no-color",
            "--report=json,har",
            f"--report-json-path={report}",
            f"--report-har-path={har}",
        ]
        process = subprocess.Popen(
            command, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # read as it comes: a full pipe would stall schemathesis
            lines.append(line)
            if echo:
                print(line, end="", flush=True)
        exit_code = process.wait()
        data = json.loads(report.read_text()) if report.exists() else {}
        entries = json.loads(har.read_text())["log"]["entries"] if har.exists() else []
    exchanges = [
        (e["request"]["method"], urlsplit(e["request"]["url"]).path, e["response"]["status"]) for e in entries
    ]
    return Outcome(exit_code, "".join(lines), data, exchanges)


def linked_operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, path template) of every operation some link of the document leads to."""
    targets = {
        link["operationId"]
        for operations in document["paths"].values()
        for operation in operations.values()
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    }
    return [
        (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if operation.get("operationId") in targets
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fuzz.schemathesis_run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--max-examples", type=int, default=300, help="cases per operation and phase")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument(
        "--identity", action="store_true", help="run the service with VPR_REQUIRE_IDENTITY=true"
    )
    parser.add_argument("--api", help="a running local service (default: start a fresh one)")
    args = parser.parse_args()
    process, url = (None, args.api) if args.api else start_local_service(identity=args.identity)
    started = time.monotonic()
    try:
        outcome = run_schemathesis(url, max_examples=args.max_examples, seed=args.seed, echo=True)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
    print(f"\n{outcome.cases} cases in {time.monotonic() - started:.0f} s, findings: {len(outcome.findings)}")
    for finding in outcome.findings:
        print("  " + finding)
    return 1 if outcome.exit_code or outcome.findings else 0


if __name__ == "__main__":
    sys.exit(main())
