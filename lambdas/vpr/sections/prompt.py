"""The Claude request for one section: the shared cached prefix, one user message per section.

Prompt caching with concurrent calls: the cached prefix (tools, then system, up to the
``cache_control`` breakpoint) must be byte-identical in every section call, so every call carries the
same system prompt AND the same four section tools; the user message says which tool to call. The
writing rules are the single-mode prompt's own text (``prompt.SYSTEM_PROMPT`` up to its "# Output"
part), so both modes write by the same rules. The application data goes after the breakpoint, as in
single mode, inside ``<application>`` tags and treated as data.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from vpr.generation import prompt
from vpr.models import Application
from vpr.models.problems import field_problems
from vpr.sections.models import SECTION_FIELDS, SECTION_MODELS, SectionJob

TOOL_NAMES = {
    "evidence": "write_evidence_section",
    "differentiators": "write_differentiators_section",
    "culture": "write_cultural_fit_section",
    "interview": "write_interview_section",
    "summary": "write_executive_summary",
}
_RULES = prompt.SYSTEM_PROMPT.split("\n# Output\n", 1)[0]
if _RULES == prompt.SYSTEM_PROMPT:  # pragma: no cover - import-time guard on the shared prompt's shape
    raise RuntimeError("prompt.SYSTEM_PROMPT has no '# Output' part to replace for section calls")

SECTIONS_SYSTEM_PROMPT = f"""{_RULES}
# Output
The report is written one part at a time; several parts are written at the same moment by separate \
requests, and the parts are merged afterwards. The user message names the one part to write and its \
tool. Call that tool exactly once with that part, following the section budgets above, and do not \
write anything else. If the tool answers with an error, correct the part as asked and call the tool \
again with the complete corrected part.
"""


def system_blocks() -> list[dict[str, Any]]:
    """One system block with the cache breakpoint: tools + system are the prefix every section shares."""
    return [{"type": "text", "text": SECTIONS_SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}]


def _tool(kind: str) -> dict[str, Any]:
    schema = copy.deepcopy(SECTION_MODELS[kind].model_json_schema())
    for name in SECTION_FIELDS[kind]:
        schema["properties"][name]["description"] = prompt.SECTION_BUDGETS[name]
    schema.pop("title", None)
    return {
        "name": TOOL_NAMES[kind],
        "description": (
            f"Submit the {', '.join(SECTION_FIELDS[kind])} part of the Value Proposition Report. Every "
            "employer, title, certification and number in it must come from the application data."
        ),
        "input_schema": schema,
    }


def tools() -> list[dict[str, Any]]:
    """All four section tools, in a fixed order, in every call (so the cached prefix is shared)."""
    return [_tool(kind) for kind in SECTION_FIELDS]


def _escaped_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")


def _task(job: SectionJob, application: Application) -> str:
    """The instruction for one section, outside the data tags (so it holds no applicant text)."""
    language = prompt.LANGUAGE_NAMES[application.job_posting.language]
    tool = TOOL_NAMES[job.kind]
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
        scope = (
            "the executive_summary, summarizing the finished sections given in <report_sections> (they "
            "are data, written from the same application)"
        )
    else:
        scope = " and ".join(SECTION_FIELDS[job.kind])
    return (
        f"Write {scope} of the Value Proposition Report for the job posting in the application above, "
        f"using only the application data. Write it in {language}. Call `{tool}` with it."
    )


def user_message(
    application: Application,
    job: SectionJob,
    *,
    finished: dict[str, Any] | None = None,
    unsupported: list[str] | None = None,
) -> dict[str, Any]:
    """The per-section user turn: the application (and, for the summary, the finished sections)."""
    content: list[dict[str, Any]] = [
        {
            "type": "text",
            "text": f"<application>\n{_escaped_json(prompt.application_data(application))}\n</application>",
        }
    ]
    if finished is not None:
        content.append(
            {"type": "text", "text": f"<report_sections>\n{_escaped_json(finished)}\n</report_sections>"}
        )
    instructions = _task(job, application)
    if unsupported:
        listed = "\n".join(f"- {claim}" for claim in unsupported[:40])
        instructions += (
            "\n\nA previous draft of this part was rejected because these names or figures do not occur "
            f"anywhere in the application data:\n{listed}\nDo not use them; state facts exactly as the "
            "application does, and add no new names or numbers."
        )
    content.append({"type": "text", "text": instructions})
    return {"role": "user", "content": content}


@dataclass(frozen=True)
class SectionRequest:
    """Everything the Claude generator needs to write one section (plain data: no SDK here)."""

    job: SectionJob
    messages: list[dict[str, Any]]
    system: list[dict[str, Any]] = field(default_factory=system_blocks)
    tools: list[dict[str, Any]] = field(default_factory=tools)

    @property
    def tool_name(self) -> str:
        return TOOL_NAMES[self.job.kind]

    def read(self, message: Any) -> tuple[BaseModel | None, list[str]]:
        """The section from an answer, or the problems that make it not one."""
        if getattr(message, "stop_reason", None) in {"max_tokens", "model_context_window_exceeded"}:
            return None, ["the answer was cut off at the output token limit"]
        calls = [
            b
            for b in message.content
            if getattr(b, "type", None) == "tool_use" and getattr(b, "name", None) == self.tool_name
        ]
        if not calls:
            return None, [f"the answer did not call {self.tool_name}"]
        raw = calls[0].input
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError as error:
                return None, [f"the tool input is not valid JSON ({error.msg} at position {error.pos})"]
        try:
            return SECTION_MODELS[self.job.kind].model_validate(raw), []
        except ValidationError as error:
            return None, [f"{f}: {m}" for f, m in field_problems(error.errors(), whole="(section)")]

    def repair_feedback(self, problems: list[str]) -> str:
        listed = "\n".join(f"- {p}" for p in problems[:30])
        return (
            f"The part was rejected:\n{listed}\n"
            f"Call `{self.tool_name}` again with the complete, corrected part."
        )
