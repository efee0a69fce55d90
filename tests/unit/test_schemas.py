"""The exported JSON schemas in schemas/ are the models' current schemas (regenerate: make schemas)."""

from __future__ import annotations

from tests.conftest import ROOT
from vpr.models.__main__ import schema_texts


def test_exported_schemas_match_the_models():
    for filename, text in schema_texts().items():
        assert (ROOT / "schemas" / filename).read_text() == text, (
            f"schemas/{filename} is stale: run make schemas"
        )


def test_exported_openapi_document_is_generated_from_the_resolvers():
    """The committed document is the deployed API's (Cognito identity); make run serves its own mode's."""
    from handlers.openapi import DEPLOYED, openapi_document, openapi_text

    assert (ROOT / "schemas" / "openapi.json").read_text() == openapi_text(DEPLOYED), "run make schemas"
    document = openapi_document(DEPLOYED)
    assert set(document["paths"]) == {
        "/api/vpr",
        "/api/vpr/status/{job_id}",
        "/api/vpr/{job_id}",
        "/api/vpr/{job_id}/retry",
    }
    submit = document["paths"]["/api/vpr"]["post"]
    assert {"200", "202", "400", "409", "413"} <= set(submit["responses"])
    assert "422" not in submit["responses"]  # this API answers validation errors as 400
    status = document["paths"]["/api/vpr/status/{job_id}"]["get"]
    assert {"200", "404", "410"} <= set(status["responses"])
    cancel = document["paths"]["/api/vpr/{job_id}"]["delete"]
    assert {"200", "404", "409"} <= set(cancel["responses"])
    retry = document["paths"]["/api/vpr/{job_id}/retry"]["post"]
    assert {"202", "404", "409"} <= set(retry["responses"])
    error = document["components"]["schemas"]["ErrorResponse"]
    assert error["properties"]["error"]["type"] == "string"
