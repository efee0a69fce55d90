"""The Claude request for one section: the shared cached system prompt, one user message per section.

Every section call carries the same system prompt (the single-mode prompt's writing rules, up to its
"# Output" part, so both modes write by the same rules) marked with ``cache_control``, and asks for its
section through structured output (``output_config.format``: the section model's JSON schema). The
application data goes in the user message, inside ``<application>`` tags and treated as data.

Prompt caching with concurrent calls: a cache entry is only readable once a first call has written it,
and the output schema is part of what is cached (a call with another schema misses, as reported for
Bedrock's implementation of the same API), so the evidence batches share one entry and the other
section kinds each write their own. The README says what that costs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from vpr.generation import prompt
from vpr.models import Application
from vpr.sections.models import SECTION_FIELDS, SECTION_MODELS, SectionJob

_RULES = prompt.SYSTEM_PROMPT.split("\n# Output\n", 1)[0]
if _RULES == prompt.SYSTEM_PROMPT:  # pragma: no cover - import-time guard on the shared prompt's shape
    raise RuntimeError("prompt.SYSTEM_PROMPT has no '# Output' part to replace for section calls")

SECTIONS_SYSTEM_PROMPT = f"""{_RULES}
# Output
The report is written one part at a time; several parts are written at the same moment by separate \
requests, and the parts are merged afterwards. The user message names the one part to write. Answer \
with that part only, as one JSON object in the required format, following the section budgets above, \
and nothing else. If the user answers that the part was rejected, write the complete corrected part \
in the same format.
"""


def system_blocks() -> list[dict[str, Any]]:
    """One system block with the cache breakpoint: the prefix every section call shares."""
    return [{"type": "text", "text": SECTIONS_SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}]


def _escaped_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")


def _task(job: SectionJob, application: Application) -> str:
    """The instruction for one section, outside the data tags (so it holds no applicant text)."""
    language = prompt.LANGUAGE_NAMES[application.job_posting.language]
    if job.kind == "evidence":
        if job.requirements:
            numbers = ", ".join(str(i + 1) for i in job.requirements)
            scope = (
                f"the evidence_matrix rows for job_posting.requirements number {numbers} only (1-based, "
                "in that order, one row each), and gap_strategies for those of them that are MODERATE "
                "or DEVELOPING"
            )
        else:
            scope = (
                "the evidence_matrix (the posting has no requirements list: take up to 6 requirements "
                "from its description) and gap_strategies for the MODERATE or DEVELOPING ones"
            )
    elif job.kind == "summary":
        # Written at the same moment as the other parts, so from the application alone: naming only
        # the matches the CV plainly shows keeps it from contradicting the evidence part's ratings.
        scope = (
            "the executive_summary: who the candidate is for this role and the 2-3 requirements the CV "
            "most clearly meets, with the CV facts that show it (the other parts are written at the same "
            "time from the same data, so name only matches the application states plainly)"
        )
    else:
        scope = " and ".join(SECTION_FIELDS[job.kind])
    return (
        f"Write {scope} of the Value Proposition Report for the job posting in the application above, "
        f"using only the application data. Write it in {language}."
    )


def user_message(
    application: Application,
    job: SectionJob,
    *,
    unsupported: list[str] | None = None,
    extra: str | None = None,
) -> dict[str, Any]:
    """The per-section user turn: the application, then the instruction for the one part to write."""
    content: list[dict[str, Any]] = [
        {
            "type": "text",
            "text": f"<application>\n{_escaped_json(prompt.application_data(application))}\n</application>",
        }
    ]
    instructions = _task(job, application)
    if unsupported:
        listed = "\n".join(f"- {claim}" for claim in unsupported[:40])
        instructions += (
            "\n\nA previous draft of this part was rejected because these names or figures do not occur "
            f"anywhere in the application data:\n{listed}\nDo not use them; state facts exactly as the "
            "application does, and add no new names or numbers."
        )
    if extra:
        instructions += f"\n\n{extra}"
    content.append({"type": "text", "text": instructions})
    return {"role": "user", "content": content}


@dataclass(frozen=True)
class SectionRequest:
    """Everything the Claude generator needs to write one section (plain data: no SDK here)."""

    job: SectionJob
    messages: list[dict[str, Any]]
    fresh_messages: list[dict[str, Any]]
    """The request asked again more concisely, for an answer cut off at ``max_tokens``."""
    system: list[dict[str, Any]] = field(default_factory=system_blocks)

    @property
    def schema(self) -> type[BaseModel]:
        return SECTION_MODELS[self.job.kind]
