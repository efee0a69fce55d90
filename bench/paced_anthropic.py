"""A paced fake Messages API for the sections benchmark: answers take as long as Claude's would.

Built on the strict test fake (``tests/fakes/anthropic_server.py``: same request checks, same HTTP, the
same SSE stream); what it adds:

* **Pacing.** Every answer streams its first token after ``ttft_seconds`` (default 1.5 s) and then
  ``output_tokens / tokens_per_second`` (default 70/s) until its last one, through the shared fake's SSE
  stream. The generator needs the whole JSON before it can validate it, so a call takes
  ``ttft + output_tokens / rate``. No thinking is modelled (``thinking_tokens=0``): the figures compare
  the writing itself, as the README's earlier figures did.
* **Lengths from the prompt's word budgets.** ``output_tokens`` = the section's target words
  (``vpr.sections.plan.target_words``, the midpoints of ``prompt.SECTION_BUDGETS``) x tokens per word
  of the language (English 1.74, Hebrew 5.14: the README's 3,050 / 9,000 tokens for a 1,750-word report).
  A single-mode call asks for the sum of every section. The text itself is the offline writer's
  (grounded), so word counts are not Claude's; only the pace and the billed tokens are.
* **Prompt caching as documented** (https://platform.claude.com/docs/en/build-with-claude/prompt-caching:
  a cache entry becomes readable only once the first response that writes it has begun; entries live
  5 minutes from their last use). The cached prefix is the system prompt up to its ``cache_control``
  breakpoint, keyed together with the output schema (a different schema is counted as another entry, the
  README's assumption). A request whose entry is readable reads it (``cache_read_input_tokens``);
  otherwise it writes it (``cache_creation_input_tokens``). Token counts are the shared fake's estimate.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

from tests.fakes.anthropic_server import (
    FakeAnswer,
    FakeAnthropicServer,
    FakeModel,
    RecordedRequest,
    Rendered,
    answer,
    estimate_tokens,
)
from tests.fakes.sections import data_blocks, offline_section, requested_section
from vpr.generation.offline import OfflineGenerator
from vpr.models import Application, ReportContent
from vpr.sections.models import SECTION_FIELDS
from vpr.sections.plan import target_words

TOKENS_PER_WORD = {"en": 3_050 / 1_750, "he": 9_000 / 1_750}
CACHE_TTL_SECONDS = 300


class PacedAnthropicServer(FakeAnthropicServer):
    def __init__(self, tokens_per_second: float = 70.0, ttft_seconds: float = 1.5) -> None:
        super().__init__()
        self.tokens_per_second = tokens_per_second
        self.ttft_seconds = ttft_seconds
        self._current = threading.local()
        self._cache: dict[str, tuple[float, float]] = {}  # prefix hash -> (readable from, last used)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def _record(self, request: RecordedRequest) -> None:
        self._current.request = request  # ThreadingHTTPServer: one thread per request
        super()._record(request)

    def _cache_usage(self, body: dict[str, Any], now: float) -> dict[str, int]:
        """Input-side usage of this request, the cache entry of its prefix written or read."""
        system = body.get("system")
        schema = ((body.get("output_config") or {}).get("format") or {}).get("schema")
        key = hashlib.sha256(json.dumps([system, schema], sort_keys=True).encode()).hexdigest()
        total = estimate_tokens(json.dumps([system, body.get("messages"), schema], ensure_ascii=False))
        cached = min(total, estimate_tokens(json.dumps(system, ensure_ascii=False)))
        with self._lock:
            entry = self._cache.get(key)
            fresh = entry is not None and now - entry[1] <= CACHE_TTL_SECONDS
            if fresh and entry[0] <= now:
                self._cache[key] = (entry[0], now)
                read, write = cached, 0
            else:
                if not fresh:  # a write becomes readable once its response has begun (first token)
                    self._cache[key] = (now + self.ttft_seconds, now)
                read, write = 0, cached
        return {
            "input_tokens": total - cached,
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": read,
        }

    def _next(self) -> FakeAnswer:
        request: RecordedRequest = self._current.request
        data = data_blocks(request)
        application = Application.model_validate(
            {"application_id": "a", "user_id": "u", **data["application"]}
        )
        schema = request.body["output_config"]["format"]["schema"]
        if set(schema["properties"]) == set(ReportContent.model_fields):  # single mode: the whole report
            content = OfflineGenerator().write(application).model_dump(mode="json")
            n = len(application.job_posting.requirements)
            words = sum(target_words(kind, n) for kind in SECTION_FIELDS)
        else:
            job = requested_section(request)
            content = offline_section(request, user_id="u")
            words = target_words(job.kind, len(job.requirements))
        self._current.output_tokens = round(words * TOKENS_PER_WORD[application.job_posting.language])
        return answer(
            content,
            thinking_tokens=0,
            tokens_per_second=self.tokens_per_second,
            time_to_first_token=self.ttft_seconds,
            usage=self._cache_usage(request.body, time.monotonic()),
        )

    def _render(self, scripted: FakeAnswer, body: dict[str, Any], model: FakeModel) -> Rendered:
        """The shared fake's message, billed and paced at the section's budgeted length."""
        rendered = super()._render(scripted, body, model)
        tokens = self._current.output_tokens
        rendered.message["usage"] = {**rendered.message["usage"], "output_tokens": tokens}
        return Rendered(rendered.message, thinking_tokens=0, text_tokens=tokens)
