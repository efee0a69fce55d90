"""schemathesis, an independent fuzzer, finds nothing in the API (issue 23; the long run is ``make fuzz``).

A bounded, seeded run against a fresh service started as ``make run`` starts it: every check
(``--checks all``), every phase. Coverage generates every boundary case the served document defines
(whatever the case budget) plus each undeclared method on each path; fuzzing and stateful get
``MAX_EXAMPLES`` cases per operation. The stateful phase follows the document's links (submit a job, then
ask its status, cancel or retry it) and must not find a job it just created missing. No check is
excluded; the one warning allowed is listed, with its reason, in ``EXPECTED_WARNINGS``. Each finding
schemathesis reported on the way here has its own regression test: ``tests/unit/test_api_emulator.py``
(405 + ``Allow`` for TRACE and any other method), ``tests/unit/test_openapi_modes.py`` (the document of the
running mode; links), ``tests/unit/test_request_schema_agreement.py`` (schema and validator agree).

Only the default mode (no identity, ``user_id`` required) runs here: a run costs 30-50 s on this loaded
2-core machine, most of it schemathesis's own generation. The identity-mode document (``X-Vpr-User``
required, ``user_id`` optional, links that keep the caller) is fuzzed by ``make fuzz-schema``, and its
differences are unit-tested in ``tests/unit/test_openapi_modes.py``.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import _start_service, _stop
from tests.fuzz.schemathesis_run import linked_operations, run_schemathesis

#: Cases per operation for fuzzing and stateful; the coverage phase adds its ~600 whatever this says.
MAX_EXAMPLES = 10
SEED = 20261130


@pytest.mark.slow
def test_schemathesis_finds_nothing_in_the_local_service():
    process, service = _start_service({})
    try:
        document = service.request("GET", "/openapi.json").body
        outcome = run_schemathesis(service.url, max_examples=MAX_EXAMPLES, seed=SEED)
    finally:
        _stop(process)

    assert outcome.exit_code == 0 and not outcome.findings, "\n".join([*outcome.findings, outcome.output])
    assert outcome.cases >= 300, outcome.output  # the run did reach the API, all phases included
    linked = linked_operations(document)
    assert linked, "the document links no operation"
    for method, path in linked:  # a link led to a job that exists: not only 404s, as before the links
        answers = outcome.answers(method, path)
        assert set(answers) - {404}, f"{method.upper()} {path}: {dict(answers)}"
    # Retry reached real jobs too: the jobs a link leads it to are running or completed, so 409 (see
    # EXPECTED_WARNINGS); DELETE reached them as well (200 while one runs, 409 once it has completed).
    assert 409 in outcome.answers("post", "/api/vpr/{job_id}/retry")
