"""The sections-mode workflow steps as plain functions: Plan, WriteSection (one Map item), Assemble.

Like ``vpr.pipeline``, each takes the state Step Functions passes and returns what goes back into it;
errors are the named errors of ``vpr.errors``.

WriteSection writes one section (the executive summary is one of them, written from the application like
the others) and checks its grounding, so the job view can show it while the rest are written. Assemble
runs the grounding check per section; only the sections it flags (the summary included) are written
again, once, with the flagged claims as feedback (concurrently, and best effort, as in single mode: if a
regeneration fails, the first draft stands and ``verification`` says what is unsupported), then merges
them in plan order. Its result is ``$.generation``, exactly what Generate returns in single mode, so
Store is the same task and a Store retry reads the report from the state.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel

from vpr.errors import GenerationInvalidOutput, StatePayloadTooLarge, VprError
from vpr.generation import GenerationResult
from vpr.generation.base import assemble_report
from vpr.grounding import verify_report, verify_texts
from vpr.models import Application, ReportContent, Verification
from vpr.models.report import GeneratorInfo
from vpr.report_text import report_sections
from vpr.sections.models import Plan, SectionJob, SectionResult
from vpr.sections.plan import plan_sections
from vpr.sections.writers import SectionDraft, SectionWriter
from vpr.settings import Settings

logger = logging.getLogger(__name__)

#: Step Functions' payload limit is 256 KiB; Assemble keeps the whole state below this (headroom).
MAX_STATE_BYTES = 240 * 1024
_EMPTY_CONTENT = {
    "executive_summary": "",
    "evidence_matrix": [],
    "differentiators": [],
    "gap_strategies": [],
    "cultural_fit": "",
    "talking_points": [],
    "keywords": [],
}


def plan_step(state: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """``$.plan``: the mode the Choice state branches on and, in sections mode, the section jobs."""
    return plan_sections(Application.model_validate(state), settings).model_dump(mode="json")


def write_section_step(
    state: dict[str, Any], section: dict[str, Any], writer: SectionWriter, timeout: float | None = None
) -> dict[str, Any]:
    """One Map item: write one section and check it. Its errors are the item's (and the job's) error code.

    The check's verdict travels with the section (``grounded``): the job view shows only grounded
    sections while the job runs. Assemble checks again with the claims it needs for a regeneration.
    """
    job = SectionJob.model_validate(section)
    application = Application.model_validate(state)
    result = _result(job, writer.write(application, job, timeout=timeout), writer.name)
    checked = result.model_copy(update={"grounded": check_section(result, application).grounded})
    return checked.model_dump(mode="json", exclude_none=True)


def _result(job: SectionJob, draft: SectionDraft, generator: str) -> SectionResult:
    return SectionResult(
        id=job.id,
        kind=job.kind,
        content=draft.content.model_dump(mode="json"),
        token_usage=draft.token_usage,
        model=draft.model,
        generator=generator,
    )


def section_texts(section: BaseModel) -> list[str]:
    """The prose of one section, in report reading order (``report_text``'s rules, not a copy)."""
    partial = ReportContent.model_construct(**{**_EMPTY_CONTENT, **dict(section)})
    return [text for text in report_sections(partial) if text]


def check_section(result: SectionResult, application: Application) -> Verification:
    return verify_texts(section_texts(result.validated()), application)


def assemble_step(
    state: dict[str, Any], writer: SectionWriter, time_budget_seconds: float | None = None
) -> dict[str, Any]:
    """Grounding check, one regeneration of flagged sections, merge → ``$.generation``."""
    deadline = None if time_budget_seconds is None else time.monotonic() + time_budget_seconds

    def timeout() -> float | None:
        return None if deadline is None else max(1.0, deadline - time.monotonic())

    application = Application.model_validate(state)
    plan = Plan.model_validate(state["plan"])
    results = [SectionResult.model_validate(s) for s in state["sections"]]
    if [r.id for r in results] != [j.id for j in plan.sections]:
        raise GenerationInvalidOutput("The workflow's sections do not match its plan.")
    jobs = {j.id: j for j in plan.sections}
    usage = sum((r.token_usage for r in results[1:]), results[0].token_usage)

    # 1. grounding check per section; regenerate only the flagged ones, once, concurrently
    checks = {r.id: check_section(r, application) for r in results}
    flagged = [r for r in results if not checks[r.id].grounded]
    if flagged:
        # Each redraft runs in its own copy of this context (one context cannot be entered by two
        # threads at once): the invocation's log keys and, locally, its function go with it.
        contexts = [contextvars.copy_context() for _ in flagged]
        with ThreadPoolExecutor(max_workers=len(flagged)) as pool:
            redrafts = list(
                pool.map(
                    lambda ctx, r: ctx.run(
                        _regenerate, writer, application, jobs[r.id], checks[r.id], timeout()
                    ),
                    contexts,
                    flagged,
                )
            )
        for original, redraft in zip(flagged, redrafts, strict=True):
            if redraft is None:
                continue
            result = _result(jobs[original.id], redraft, writer.name)
            usage += redraft.token_usage
            check = check_section(result, application)
            if len(check.unsupported_claims) <= len(checks[original.id].unsupported_claims):
                results[results.index(original)], checks[original.id] = result, check

    # 2. merge the sections in plan order
    merged: dict[str, Any] = {"evidence_matrix": [], "gap_strategies": []}
    for result in results:
        for name, value in result.content.items():
            merged[name] = merged[name] + value if name in ("evidence_matrix", "gap_strategies") else value

    content = ReportContent.model_validate(merged)
    model = next((r.model for r in results if r.model), None)
    report = assemble_report(
        content,
        application,
        GeneratorInfo(name=writer.name, model=model),
        verify_report(content, application),
    )
    output = GenerationResult(report=report, token_usage=usage).model_dump(mode="json", exclude_none=True)
    if len(json.dumps(state).encode()) + len(json.dumps(output).encode()) > MAX_STATE_BYTES:
        raise StatePayloadTooLarge()
    return output


def _regenerate(
    writer: SectionWriter,
    application: Application,
    job: SectionJob,
    check: Verification,
    timeout: float | None,
) -> SectionDraft | None:
    """One more draft without the flagged claims; None if that call fails (the first draft stands)."""
    try:
        return writer.write(application, job, unsupported=list(check.unsupported_claims), timeout=timeout)
    except VprError as error:
        logger.warning(
            "Section regeneration failed; keeping the first draft",
            extra={"section": job.id, "error": error.code},
        )
        return None
