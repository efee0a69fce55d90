"""The fake Messages API answering section calls by what each request asks for.

Section calls run concurrently, so a queue of scripted answers would be consumed in arrival order, which
is not deterministic. ``SectionAnthropicServer`` instead routes: each request is read like the real
model would read it — which section its output schema asks for, which requirements, the application inside
``<application>`` — and a test maps that section to an
answer (``route``), e.g. a 529 for one section only. Everything else is the plain fake
(``tests/fakes/anthropic_server.py``): same HTTP, same error bodies, same recorded requests.

The default answer for a section is what the offline section writer writes for it: grounded by
construction, like a well-behaved Claude.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from tests.fakes.anthropic_server import (
    FakeAnswer,
    FakeAnthropicServer,
    FakeResponse,
    RecordedRequest,
    answer,
)
from vpr.models import Application
from vpr.sections.models import SECTION_FIELDS, SectionJob
from vpr.sections.writers import OfflineSectionWriter

#: A section's output schema names its fields: the kind of section a request asks for.
_KIND_OF_FIELDS = {frozenset(fields): kind for kind, fields in SECTION_FIELDS.items()}
_NUMBERS = re.compile(r"requirements number ([\d, ]+) only")
_BLOCK = re.compile(r"<(application)>\n(.*)\n</\1>", re.DOTALL)

Route = Callable[[RecordedRequest, SectionJob], FakeResponse | None]


def requested_section(request: RecordedRequest) -> SectionJob:
    """The section a request asks for, as the plan named it (evidence-N keyed by its requirements)."""
    last_text = [b["text"] for b in request.messages[0]["content"] if b.get("type") == "text"][-1]
    schema = request.body["output_config"]["format"]["schema"]
    kind = _KIND_OF_FIELDS[frozenset(schema["properties"])]
    if kind != "evidence":
        return SectionJob(id=kind, kind=kind)
    numbers = _NUMBERS.search(last_text)
    indexes = [int(n) - 1 for n in numbers.group(1).split(",")] if numbers else []
    suffix = ",".join(str(i + 1) for i in indexes) or "all"
    return SectionJob(id=f"evidence:{suffix}", kind="evidence", requirements=indexes)


def data_blocks(request: RecordedRequest) -> dict[str, Any]:
    """The JSON inside ``<application>`` of the first user turn (as ``{"application": ...}``)."""
    found = {}
    for block in request.messages[0]["content"]:
        match = _BLOCK.fullmatch(block.get("text", "")) if block.get("type") == "text" else None
        if match:
            found[match.group(1)] = json.loads(match.group(2))
    return found


def offline_section(request: RecordedRequest, user_id: str = "user-from-prompt") -> dict[str, Any]:
    """What the offline writer writes for the requested section of the application in the request."""
    data = data_blocks(request)
    application = Application.model_validate(
        {"application_id": "a", "user_id": user_id, **data["application"]}
    )
    job = requested_section(request)
    draft = OfflineSectionWriter().write(application, job)
    return draft.content.model_dump(mode="json")


def section_response(
    request: RecordedRequest, content: dict[str, Any] | None = None, **kw: Any
) -> FakeAnswer:
    """A structured answer with ``content`` (default: the offline section the request asks for)."""
    return answer(content if content is not None else offline_section(request), **kw)


class SectionAnthropicServer(FakeAnthropicServer):
    """The fake, answering each call through ``route(request, section)``; None → the offline section."""

    def __init__(self, route: Route | None = None) -> None:
        super().__init__()
        self.route = route
        self._current = threading.local()

    def _record(self, request: RecordedRequest) -> None:
        self._current.request = request  # ThreadingHTTPServer: one thread per request
        super()._record(request)

    def _next(self) -> FakeResponse | FakeAnswer:
        request: RecordedRequest = self._current.request
        with self._lock:
            scripted = bool(self._queue) or self._default is not None
        if scripted:
            return super()._next()
        job = requested_section(request)
        answer = self.route(request, job) if self.route else None
        return answer or section_response(request)

    def calls_per_section(self) -> Counter[str]:
        with self._lock:
            requests = [r for r in self.requests if r.path.startswith("/v1/messages")]
        return Counter(requested_section(r).id for r in requests)
