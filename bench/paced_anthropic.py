"""A paced fake Messages API for the sections benchmark: answers take as long as Claude's would.

Built on the test fake (``tests/fakes/anthropic_server.py``: same HTTP, same bodies); what it adds:

* **Pacing.** An answer is sent after ``ttft + output_tokens / tokens_per_second`` seconds (defaults
  1.5 s and 70 tokens/s). That is when a streamed answer's last token would arrive, and the generator
  needs the whole tool input before it can validate it, so the wall time a job sees is the same as with
  SSE streaming (the body is not streamed here: issue 8 adds SSE to the shared fake; this helper is
  separate so the two do not collide).
* **Lengths from the prompt's word budgets.** ``output_tokens`` = the section's target words
  (``vpr.sections.plan.target_words``, the midpoints of ``prompt.SECTION_BUDGETS``) × tokens per word
  of the language (English 1.74, Hebrew 5.14: the README's measured 3,050 / 9,000 tokens for a 1,750-word
  report). The content itself is the offline writer's (grounded), so word counts are not Claude's.
* **Prompt caching as documented** (docs.claude.com/en/docs/build-with-claude/prompt-caching: a cache
  entry becomes available only once the first response that writes it begins): a request whose cached prefix
  (tools + system, up to the ``cache_control`` breakpoint) was written by a call whose first token has
  been sent reads it (``cache_read_input_tokens``); otherwise it writes it (``cache_creation_input_tokens``).
  An entry lives 5 minutes from its last use. Token counts are estimated as characters / 4.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

from tests.fakes.anthropic_server import FakeAnthropicServer, FakeResponse, RecordedRequest, report_response
from tests.fakes.sections import data_blocks, offline_section, requested_section
from vpr.generation.offline import OfflineGenerator
from vpr.generation.prompt import TOOL_NAME
from vpr.models import Application
from vpr.sections.plan import target_words
from vpr.sections.prompt import TOOL_NAMES

TOKENS_PER_WORD = {"en": 3_050 / 1_750, "he": 9_000 / 1_750}
CACHE_TTL_SECONDS = 300


def _tokens(value: Any) -> int:
    return max(1, len(json.dumps(value, ensure_ascii=False)) // 4)


class PacedAnthropicServer(FakeAnthropicServer):
    def __init__(self, tokens_per_second: float = 70.0, ttft_seconds: float = 1.5) -> None:
        super().__init__()
        self.tokens_per_second = tokens_per_second
        self.ttft_seconds = ttft_seconds
        self._current = threading.local()
        self._cache: dict[str, tuple[float, float]] = {}  # prefix hash → (readable from, last used)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def _record(self, request: RecordedRequest) -> None:
        self._current.request = request
        super()._record(request)

    def _cache_usage(self, request: RecordedRequest, now: float) -> tuple[int, int]:
        """(cache_creation, cache_read) tokens of this request's prefix, and the cache updated."""
        prefix = [request.body.get("tools"), request.body.get("system")]
        key = hashlib.sha256(json.dumps(prefix, sort_keys=True).encode()).hexdigest()
        size = _tokens(prefix)
        with self._lock:
            entry = self._cache.get(key)
            if entry and entry[0] <= now and now - entry[1] <= CACHE_TTL_SECONDS:
                self._cache[key] = (entry[0], now)
                return 0, size
            if not entry or now - entry[1] > CACHE_TTL_SECONDS:
                self._cache[key] = (now + self.ttft_seconds, now)
            return size, 0

    def _next(self) -> FakeResponse:
        request: RecordedRequest = self._current.request
        now = time.monotonic()
        data = data_blocks(request)
        application = Application.model_validate(
            {"application_id": "a", "user_id": "u", **data["application"]}
        )
        language = application.job_posting.language
        if any(t["name"] == TOOL_NAME for t in request.body.get("tools", [])):  # single mode: whole report
            content = OfflineGenerator().write(application).model_dump(mode="json")
            n = len(application.job_posting.requirements)
            words = sum(
                target_words(k, n) for k in ("evidence", "differentiators", "culture", "interview", "summary")
            )
            tool = TOOL_NAME
        else:
            job = requested_section(request)
            content = offline_section(request, user_id="u")
            words = target_words(job.kind, len(job.requirements))
            tool = TOOL_NAMES[job.kind]
        output_tokens = round(words * TOKENS_PER_WORD[language])
        creation, read = self._cache_usage(request, now)
        usage = {
            "input_tokens": _tokens(request.messages),
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": creation,
            "cache_read_input_tokens": read,
        }
        delay = self.ttft_seconds + output_tokens / self.tokens_per_second
        return report_response(content, tool_name=tool, usage_=usage, delay=delay)
