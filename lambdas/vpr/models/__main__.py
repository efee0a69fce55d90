"""Write the JSON schemas of the API's models: ``python -m vpr.models [DIR]`` (default ``schemas/``)."""

import json
import sys
from pathlib import Path

from vpr.models import ErrorResponse, JobStatusResponse, ReportContent, SubmitResponse, VprReport, VprRequest

SCHEMAS = {
    "vpr-request": VprRequest,
    "vpr-report": VprReport,
    "report-content": ReportContent,
    "submit-response": SubmitResponse,
    "job-status-response": JobStatusResponse,
    "error-response": ErrorResponse,
}


def schema_texts() -> dict[str, str]:
    return {
        f"{name}.schema.json": json.dumps(m.model_json_schema(), indent=2) + "\n"
        for name, m in SCHEMAS.items()
    }


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")
    target.mkdir(parents=True, exist_ok=True)
    for filename, text in schema_texts().items():
        (target / filename).write_text(text)
        print(target / filename)
