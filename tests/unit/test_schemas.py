"""The exported JSON schemas in schemas/ are the models' current schemas (regenerate: make schemas)."""

from __future__ import annotations

from tests.conftest import ROOT
from vpr.models.__main__ import schema_texts


def test_exported_schemas_match_the_models():
    for filename, text in schema_texts().items():
        assert (ROOT / "schemas" / filename).read_text() == text, (
            f"schemas/{filename} is stale: run make schemas"
        )
