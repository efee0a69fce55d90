"""Fuzzing the HTTP API from its OpenAPI document, two ways.

Our own: ``strategies`` turns the exported document's (``schemas/openapi.json``) JSON schemas into
Hypothesis strategies (valid requests) and mutates them (invalid and hostile requests); ``contract``
checks each answer; ``python -m tests.fuzz`` is the 10,000-request run behind ``make fuzz``, and
``tests/api/test_fuzz.py`` the bounded one in ``make test``. These generate hundreds of requests a second.

An independent one: ``schemathesis_run`` runs schemathesis (every check and phase, stateful included)
against the document the service serves for its mode (``make fuzz-schema``; bounded in
``tests/api/test_schemathesis.py``). It generates 15-25 cases a second here, most of them the coverage
phase's boundary cases, and checks what ours does not: positive and negative data against the schema,
undeclared methods, links. ``service`` starts the fresh local service both use.
"""
