"""Fuzzing the HTTP API from its exported OpenAPI document (``schemas/openapi.json``).

``strategies`` turns the document's JSON schemas into Hypothesis strategies (valid requests) and mutates
them (invalid and hostile requests); ``contract`` checks each answer; ``python -m tests.fuzz`` is the
long run behind ``make fuzz``, and ``tests/api/test_fuzz.py`` the bounded one in ``make test``.
(schemathesis was evaluated for this: on this schema it generates 2-6 requests per second, too slow for
a 10,000-request run; these strategies generate hundreds per second.)
"""
