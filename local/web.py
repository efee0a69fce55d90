"""The two pages of ``make run``: the job seeker's page at ``/`` and the workflow console at ``/console``.

The pages are static files in ``web/`` (no build step): ``/`` and ``/console`` are their HTML,
``/static/<file>`` their scripts and styles, and ``/console/api/...`` the console's JSON
(``local.console``). The API Gateway emulator asks :func:`answer` first and routes the API itself when
the answer is None, so nothing here is reachable on AWS: there the page is any static host and the
console is the real Step Functions console.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from local import ROOT, console

WEB_DIR = ROOT / "web"
PAGES = {"/": "index.html", "/console": "console.html", "/console/": "console.html"}
#: One file name, no directories: ``..``, ``%2e`` or a slash can never leave ``web/``.
STATIC = re.compile(r"^/static/(?P<name>[A-Za-z0-9_-]+\.(?:html|js|css))$")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
#: Scripts and styles only from this server; data from anywhere (the API base URL is a setting and may
#: be a deployed API; the report is fetched from its presigned S3 URL).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src *; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # presigned URLs and job ids stay out of Referer headers
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def answer(method: str, raw_path: str) -> Answer | None:
    """The page, asset or console JSON for this request; None when it is not ours (the API routes it)."""
    split = urlsplit(raw_path)
    path = split.path
    if path.startswith("/console/api/"):
        if method != "GET":
            return None
        status, body = console.answer(path, dict(parse_qsl(split.query)))
        return Answer(
            status, json.dumps(body), {"Content-Type": "application/json", "Cache-Control": "no-store"}
        )
    name = PAGES.get(path)
    if name is None and (match := STATIC.match(path)):
        name = match["name"]
    if name is None or method != "GET" or not (WEB_DIR / name).is_file():
        return None
    suffix = name[name.rindex(".") :]
    headers = {"Content-Type": CONTENT_TYPES[suffix], **SECURITY_HEADERS}
    return Answer(200, (WEB_DIR / name).read_text(encoding="utf-8"), headers)
