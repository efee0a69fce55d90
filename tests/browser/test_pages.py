"""The job seeker's page and the workflow console, in headless Chromium against ``make run``'s service."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from typing import Any

import pytest

from tests.api.conftest import Service
from tests.conftest import EXAMPLE_REQUEST, ROOT
from vpr.render import md_paragraphs

pytestmark = pytest.mark.slow
CV_NOT_FOUND = "No CV was sent with the application and none is on file for this user."
ASL = json.loads((ROOT / "statemachine" / "vpr.asl.json").read_text())


def asl_states(machine: dict[str, Any] = ASL) -> dict[str, str]:
    """Every state of the ASL, nested Map/Parallel states included: {name: Type}."""
    found = {}
    for name, state in machine["States"].items():
        found[name] = state["Type"]
        for inner in [state.get("ItemProcessor") or state.get("Iterator"), *state.get("Branches", [])]:
            if inner:
                found.update(asl_states(inner))
    return found


def fill_application(page: Any, request: dict[str, Any]) -> None:
    """Type an application into the form, field by field, as a person would."""
    posting = request["job_posting"]
    page.fill("#user-id", request.get("user_id", ""))
    page.fill("#application-id", request["application_id"])
    page.fill("#company", posting["company_name"])
    page.fill("#role", posting["role_title"])
    page.fill("#responsibilities", "\n".join(posting.get("responsibilities", [])))
    page.fill("#requirements", "\n".join(posting.get("requirements", [])))
    page.fill("#description", posting.get("description", ""))
    page.select_option("#language", posting.get("language", "en"))
    for i, gap in enumerate(request.get("gap_responses", [])):
        if i > 0:
            page.click("#add-gap")
        page.fill(f"#gap-q-{i}", gap["question"])
        page.fill(f"#gap-a-{i}", gap["answer"])
    if "cv" in request:
        page.check('input[name="cv-source"][value="inline"]')
        page.fill("#cv-json", json.dumps(request["cv"]))


def wait_for_terminal(page: Any) -> str:
    page.wait_for_selector('#job-status[data-status="COMPLETED"], #job-status[data-status="FAILED"]')
    return page.text_content("#job-status")


def wait_until(page: Any, condition: Any, timeout: float = 30) -> None:
    """Poll a Python condition (the page's CSP rightly forbids the eval wait_for_function needs)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        page.wait_for_timeout(100)


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


# --- the job seeker's page -------------------------------------------------------------------------------
def test_cancel_while_the_report_is_written_stops_it(page, web_writer, screenshot):
    import threading

    service, fake = web_writer.service, web_writer.fake
    release = threading.Event()
    fake.route = lambda request, job: (release.wait(timeout=30), None)[1]  # every section is held open
    try:
        page.goto(service.url + "/")
        fill_application(page, {**EXAMPLE_REQUEST, "application_id": "app-page-cancel"})
        page.click("#submit")
        page.wait_for_selector("#cancel-job:not([hidden])")
        wait_until(page, lambda: fake.calls == 6)  # every section, the summary too
        assert page.is_hidden("#retry-job")
        page.click("#cancel-job")

        assert wait_for_terminal(page) == "FAILED"
        assert page.text_content("#job-error code") == "Cancelled"
        assert page.text_content("#job-error .error-message") == "The job was cancelled at your request."
        assert page.is_hidden("#cancel-job") and page.is_hidden("#retry-job")  # a cancel is not retried
        assert page.is_visible("#new-version")
        screenshot()
    finally:
        release.set()
    page.wait_for_timeout(500)
    assert fake.calls == 6  # the held sections ended; nothing called Claude after the cancel


def test_retry_resumes_a_job_that_failed_with_a_transient_error(page, web_writer, screenshot):
    from tests.fakes.anthropic_server import bad_request, overloaded

    service, fake = web_writer.service, web_writer.fake
    failing = {"on": True}
    fake.route = lambda request, job: overloaded() if job.id == "culture" and failing["on"] else None
    page.goto(service.url + "/")
    fill_application(page, {**EXAMPLE_REQUEST, "application_id": "app-page-retry"})
    page.click("#submit")

    assert wait_for_terminal(page) == "FAILED"
    assert page.text_content("#job-error code") == "ClaudeOverloaded"
    page.wait_for_selector("#retry-job:not([hidden])")
    screenshot("-failed")
    failing["on"] = False
    page.click("#retry-job")

    page.wait_for_selector('#job-status[data-status="COMPLETED"]')
    page.wait_for_selector("#report table")  # the evidence matrix of the resumed job
    assert page.is_hidden("#retry-job") and not page.text_content("#job-error")
    assert fake.calls_per_section()["culture"] == 6 and fake.calls_per_section()["differentiators"] == 1
    screenshot()

    # A permanent error: the page offers no Retry.
    fake.route = lambda request, job: bad_request() if job.id == "interview" else None
    fill_application(page, {**EXAMPLE_REQUEST, "application_id": "app-page-permanent"})
    page.click("#submit")
    page.wait_for_selector('#job-status[data-status="FAILED"]')
    assert page.text_content("#job-error code") == "ClaudeRequestRejected"
    assert page.is_hidden("#retry-job")


def test_documented_example_through_the_form_completes_with_the_evidence_matrix(
    page, web_service: Service, screenshot
):
    page.goto(web_service.url + "/")
    fill_application(page, EXAMPLE_REQUEST)
    page.click("#submit")
    assert wait_for_terminal(page) == "COMPLETED"
    page.wait_for_selector("#evidence-matrix tbody tr")

    job_id = page.text_content("#job-id")
    status = web_service.status(job_id).body
    _, raw = fetch(status["result_url"])
    report = json.loads(raw)
    rows = page.locator("#evidence-matrix tbody tr")
    assert rows.count() == len(report["evidence_matrix"])
    assert [rows.nth(i).locator("td").first.text_content() for i in range(rows.count())] == [
        item["requirement"] for item in report["evidence_matrix"]
    ]
    sections = page.locator("#report [data-section]").evaluate_all("els => els.map(e => e.dataset.section)")
    assert sections == [
        "executive_summary",
        "evidence_matrix",
        "differentiators",
        "gap_strategies",
        "cultural_fit",
        "talking_points",
        "keywords",
    ]
    assert page.text_content('[data-section="executive_summary"] p') == report["executive_summary"]
    assert page.get_attribute("#report", "dir") == "ltr"
    # The links: the status's presigned JSON and its own presigned Markdown link.
    json_status, linked = fetch(page.get_attribute("#link-json", "href"))
    assert (json_status, json.loads(linked)) == (200, report)
    assert urllib.parse.urlsplit(page.get_attribute("#link-md", "href")).path.endswith(".md")
    md_status, markdown = fetch(page.get_attribute("#link-md", "href"))
    assert md_status == 200
    assert md_paragraphs(report["executive_summary"])[:40] in markdown.decode()  # escaped, as stored
    # The job id leads to the console.
    assert page.get_attribute("#job-id a", "href") == "/console?job=" + urllib.parse.quote(job_id, safe="")
    screenshot()

    # "Write a new version": a fresh Idempotency-Key, so a new job and version 2 of the report.
    page.click("#new-version")
    wait_until(page, lambda: page.text_content("#job-id") not in {"", job_id})
    assert wait_for_terminal(page) == "COMPLETED"
    page.wait_for_selector("#evidence-matrix")
    assert "version 2" in page.text_content(".report-meta")
    screenshot("-new-version")

    # Opening the job id leads to that execution in the console.
    second = page.text_content("#job-id")
    page.click("#job-id a")
    page.wait_for_selector('svg.graph g.node[data-state="Store"][data-status="succeeded"]')
    assert second.endswith(page.text_content("#execution-name"))


def test_an_api_field_error_appears_beside_the_field_it_names(page, web_service: Service, screenshot):
    """The inline CV is only checked to be an object in the page; the API names the missing field."""
    before = len(web_service.executions())
    page.goto(web_service.url + "/")
    bad = {**EXAMPLE_REQUEST, "application_id": "app-bad-cv", "cv": {"experience": [{"title": "Engineer"}]}}
    fill_application(page, bad)
    with page.expect_response(lambda r: r.url.endswith("/api/vpr") and r.request.method == "POST") as answer:
        page.click("#submit")
    assert answer.value.status == 400
    error = page.wait_for_selector(
        '[data-field="cv"] > .field-error[data-error-for="cv.experience.0.company"]'
    )
    assert error.text_content() == "experience #1 › company: Field required"  # the API's words, placed
    assert page.locator(".field-error").count() == 1
    assert page.is_hidden("#job")
    assert len(web_service.executions()) == before  # nothing was started
    screenshot()


def test_client_side_checks_name_the_field_and_send_nothing(page, web_service: Service, screenshot):
    page.goto(web_service.url + "/")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    fill_application(
        page, {**EXAMPLE_REQUEST, "job_posting": {**EXAMPLE_REQUEST["job_posting"], "requirements": []}}
    )
    page.fill("#company", "   ")
    page.fill("#user-id", "not a valid id!")
    page.click("#submit")
    page.wait_for_selector(".field-error")
    shown = page.locator(".field-error").evaluate_all("els => els.map(e => e.dataset.errorFor)")
    assert sorted(shown) == ["job_posting", "job_posting.company_name", "user_id"]
    assert page.get_attribute("#company", "aria-invalid") == "true"
    assert posts == []
    screenshot()


def _with_posting(**changes: Any) -> dict[str, Any]:
    return {**EXAMPLE_REQUEST, "job_posting": {**EXAMPLE_REQUEST["job_posting"], **changes}}


PARITY_CASES = {
    "valid example": EXAMPLE_REQUEST,
    "blank company": _with_posting(company_name="   "),
    "role 201 characters": _with_posting(role_title="r" * 201),
    "role 200 astral characters": _with_posting(role_title="😀" * 200),  # 400 UTF-16 units, 200 code points
    "role 201 astral characters": _with_posting(role_title="😀" * 201),
    "role 150 decomposed é": _with_posting(role_title="e\u0301" * 150),  # 300 code points, 150 after NFC
    "role 200 and a blank": _with_posting(role_title="r" * 200 + " "),  # 201 as sent
    "company of separators": _with_posting(company_name="\x1d\x1e"),  # blank for the API (U+001C-F)
    "no requirements, no description": _with_posting(requirements=[]),
    "description instead of requirements": _with_posting(requirements=[], description="We need a lead."),
    "blank requirement": _with_posting(requirements=["ok", "  "]),
    "requirement 2001 characters": _with_posting(requirements=["x" * 2001]),
    "51 requirements": _with_posting(requirements=[f"r{i}" for i in range(51)]),
    "description 20001 characters": _with_posting(description="d" * 20_001),
    "language fr": _with_posting(language="fr"),
    "application id with a space": {**EXAMPLE_REQUEST, "application_id": "app 1"},
    "user id with a slash": {**EXAMPLE_REQUEST, "user_id": "../other"},
    "gap without an answer": {**EXAMPLE_REQUEST, "gap_responses": [{"question": "Why?", "answer": " "}]},
    "31 gap answers": {**EXAMPLE_REQUEST, "gap_responses": [{"question": "q", "answer": "a"}] * 31},
    "cv not an object": {**EXAMPLE_REQUEST, "cv": ["a", "list"]},
    "body over 64 KiB": _with_posting(description="d" * 19_000, responsibilities=["x" * 1_999] * 25),
}


def test_client_side_checks_name_the_fields_the_api_names(page, web_service: Service):
    """The page's checks.js and the real API, on the same payloads: the same verdict, the same fields."""
    page.goto(web_service.url + "/")
    mismatches, rejected = {}, []
    for case, payload in PARITY_CASES.items():
        client = page.evaluate("async (p) => (await import('/static/checks.js')).checkRequest(p)", payload)
        answer = web_service.submit(payload)
        api_fields = set()
        if answer.status >= 400:
            rejected.append(case)
            error = answer.body["error"]
            api_fields = {
                f["field"] for f in (error["fields"] if isinstance(error, dict) else answer.body["fields"])
            }
        if {p["field"] for p in client} != api_fields:
            mismatches[case] = (client, answer.status, answer.body)
    assert not mismatches
    accepted = {"valid example", "description instead of requirements"} | {
        "role 200 astral characters",  # the API counts code points, as the page does, not UTF-16 units
    }  # and bounds the value as sent, as the schema does: the page sends texts NFC-normalized, stripped
    assert set(PARITY_CASES) - set(rejected) == accepted


def test_the_new_error_envelope_is_read_too(page, web_service: Service):
    """``{"error": "<message>", "code", "status_code", "fields"}`` places its fields like the older shape."""
    envelope = {
        "error": "The request is not valid.",
        "code": "BadRequest",
        "status_code": 400,
        "fields": [
            {"field": "job_posting.role_title", "message": "String should have at most 200 characters"}
        ],
    }
    page.route(
        "**/api/vpr",
        lambda route: route.fulfill(status=400, content_type="application/json", body=json.dumps(envelope)),
    )
    page.goto(web_service.url + "/")
    fill_application(page, EXAMPLE_REQUEST)
    page.click("#submit")
    error = page.wait_for_selector('[data-field="job_posting.role_title"] > .field-error')
    assert error.text_content() == "String should have at most 200 characters"


def test_a_hebrew_application_renders_right_to_left(page, web_service: Service, screenshot):
    hebrew = {
        "application_id": "app-hebrew-1",
        "user_id": "user-uuid-456",
        "job_posting": {
            "company_name": "אינטליגנציה טבעית",
            "role_title": "מנהלת הדרכה ופיתוח",
            "responsibilities": ["פיתוח תוכניות הדרכה"],
            "requirements": ["ניסיון של 5 שנים בהדרכה", "יכולות אנליטיות"],
            "language": "he",
        },
    }
    page.goto(web_service.url + "/")
    fill_application(page, hebrew)
    page.click("#submit")
    assert wait_for_terminal(page) == "COMPLETED"
    page.wait_for_selector("#evidence-matrix tbody tr")
    assert page.get_attribute("#report", "dir") == "rtl"
    assert page.get_attribute("#report", "lang") == "he"
    assert page.eval_on_selector("#evidence-matrix", "t => getComputedStyle(t).direction") == "rtl"
    assert page.text_content('[data-section="evidence_matrix"] h3') == "מטריצת ראיות"
    # Right-to-left for real: the first column (the requirement) is drawn at the right.
    first, last = (page.locator("#evidence-matrix thead th").nth(i).bounding_box() for i in (0, 3))
    assert first["x"] > last["x"]
    screenshot()


def test_a_user_without_a_cv_sees_the_failure_message(page, web_service: Service, screenshot):
    page.goto(web_service.url + "/")
    fill_application(
        page, {**EXAMPLE_REQUEST, "user_id": "user-without-a-profile", "application_id": "app-no-cv"}
    )
    page.click("#submit")
    assert wait_for_terminal(page) == "FAILED"
    assert page.text_content("#job-error .error-message") == CV_NOT_FOUND
    assert page.text_content("#job-error .error-code code") == "CvNotFound"
    assert page.is_visible("#new-version")
    screenshot()


def test_polling_waits_as_retry_after_says_and_shows_section_progress(page, web_service: Service, screenshot):
    """A scripted API: two PROCESSING answers with section progress, then a FAILED of the new shape."""
    job_id = "arn:aws:states:us-east-1:123456789012:execution:careervp-vpr-workflow-local:vpr-scripted"
    answers = [
        (
            200,
            {"Retry-After": "2"},
            {
                "job_id": job_id,
                "status": "PROCESSING",
                "stage": "generating",
                "sections_done": 2,
                "sections_total": 5,
            },
        ),
        (
            200,
            {"Retry-After": "1"},
            {
                "job_id": job_id,
                "status": "PROCESSING",
                "stage": "generating",
                "sections_done": 4,
                "sections_total": 5,
            },
        ),
        (
            200,
            {},
            {
                "job_id": job_id,
                "status": "FAILED",
                "message": "VPR generation failed",
                "error": "The writing service is overloaded; the job kept retrying and gave up.",
                "error_code": "ClaudeOverloaded",
            },
        ),
    ]
    polled: list[float] = []

    def status(route: Any) -> None:
        polled.append(time.monotonic())
        code, headers, body = answers[min(len(polled), len(answers)) - 1]
        route.fulfill(
            status=code, headers={"Content-Type": "application/json", **headers}, body=json.dumps(body)
        )

    page.route(
        "**/api/vpr",
        lambda route: route.fulfill(
            status=202,
            content_type="application/json",
            body=json.dumps({"job_id": job_id, "status": "PENDING"}),
        ),
    )
    page.route("**/api/vpr/status/**", status)
    page.goto(web_service.url + "/")
    fill_application(page, EXAMPLE_REQUEST)
    page.click("#submit")
    page.wait_for_selector('#job-stage:has-text("sections 2 of 5")')
    assert page.get_attribute("#job-progress", "value") == "2"
    assert page.text_content("#job-stage") == "stage: generating — sections 2 of 5"
    page.wait_for_selector('#job-stage:has-text("sections 4 of 5")')
    assert wait_for_terminal(page) == "FAILED"

    assert len(polled) == 3
    assert polled[1] - polled[0] >= 1.9  # Retry-After: 2
    assert 0.9 <= polled[2] - polled[1] < 1.9  # Retry-After: 1
    assert page.text_content("#job-error .error-message") == answers[2][2]["error"]
    assert page.text_content("#job-error .error-code code") == "ClaudeOverloaded"
    screenshot()


REPORT_SECTIONS = [
    "executive_summary",
    "evidence_matrix",
    "differentiators",
    "gap_strategies",
    "cultural_fit",
    "talking_points",
    "keywords",
]


def section_states(page: Any) -> dict[str, str]:
    return dict(
        page.locator("#report [data-section]").evaluate_all(
            "els => els.map(e => [e.dataset.section, e.dataset.state])"
        )
    )


def test_sections_appear_as_they_are_written_then_the_whole_report(
    page, paced_web_service: Service, screenshot
):
    page.goto(paced_web_service.url + "/")
    fill_application(page, {**EXAMPLE_REQUEST, "application_id": "app-progressive-page"})
    page.click("#submit")

    # A section on the page while the job still runs, the others as placeholders, in report order.
    page.wait_for_selector('#report [data-section][data-state="ready"]', timeout=20_000)
    assert page.text_content("#job-status") == "PROCESSING"
    states = section_states(page)
    assert list(states) == REPORT_SECTIONS
    assert "pending" in states.values()
    pending = [key for key, state in states.items() if state == "pending"]
    for key in pending:
        assert page.text_content(f'[data-section="{key}"] .placeholder') == "Being written…"
    job_id = page.text_content("#job-id")
    status = paced_web_service.status(job_id).body
    shown = {s["kind"] for s in status.get("sections_ready", [])}
    if "keywords" in shown:  # the page drew what the status had (it may since have moved on)
        assert page.text_content('[data-section="keywords"] .keywords')
    screenshot("-during")

    assert wait_for_terminal(page) == "COMPLETED"
    page.wait_for_selector(".report-meta:has-text('version')")
    assert set(section_states(page).values()) == {"ready"}
    assert page.locator("#report .placeholder").count() == 0
    report = json.loads(fetch(paced_web_service.status(job_id).body["result_url"])[1])
    assert page.text_content('[data-section="executive_summary"] p') == report["executive_summary"]
    screenshot()


def test_a_hebrew_report_in_progress_is_right_to_left_with_hebrew_placeholders(
    page, paced_web_service: Service
):
    hebrew = {
        "application_id": "app-hebrew-progressive",
        "user_id": "user-uuid-456",
        "job_posting": {
            "company_name": "אינטליגנציה טבעית",
            "role_title": "מנהלת הדרכה ופיתוח",
            "responsibilities": ["פיתוח תוכניות הדרכה"],
            "requirements": ["ניסיון של 5 שנים בהדרכה", "יכולות אנליטיות"],
            "language": "he",
        },
    }
    page.goto(paced_web_service.url + "/")
    fill_application(page, hebrew)
    page.click("#submit")

    page.wait_for_selector('#report [data-section][data-state="pending"]', timeout=20_000)
    assert page.text_content("#job-status") == "PROCESSING"
    assert page.get_attribute("#report", "dir") == "rtl" and page.get_attribute("#report", "lang") == "he"
    assert page.locator("#report .placeholder").first.text_content() == "בכתיבה…"
    assert page.text_content('[data-section="evidence_matrix"] h3') == "מטריצת ראיות"
    assert wait_for_terminal(page) == "COMPLETED"


def test_section_texts_are_shown_as_text_never_as_markup(page, web_service: Service, screenshot):
    """A hostile section (as a model or an applicant could write it) in a scripted status."""
    job_id = "arn:aws:states:us-east-1:123456789012:execution:careervp-vpr-workflow-local:vpr-hostile"
    hostile = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'
    planned = [{"id": "summary", "kind": "summary"}]
    planned += [{"id": f"evidence-{n}", "kind": "evidence"} for n in (1, 2)]
    planned += [
        {"id": kind, "kind": kind} for kind in ("differentiators", "culture", "interview", "keywords")
    ]
    row = {"requirement": hostile, "evidence": hostile, "alignment_score": "STRONG", "impact_potential": "x"}
    status = {
        "job_id": job_id,
        "status": "PROCESSING",
        "stage": "generating",
        "sections_done": 3,
        "sections_total": 7,
        "sections_planned": planned,
        "sections_ready": [
            {"id": "summary", "kind": "summary", "content": {"executive_summary": hostile}},
            {
                "id": "evidence-2",
                "kind": "evidence",
                "content": {"evidence_matrix": [row], "gap_strategies": []},
            },
            {"id": "keywords", "kind": "keywords", "content": {"keywords": [hostile, "javascript:alert(1)"]}},
        ],
    }
    page.route(
        "**/api/vpr",
        lambda route: route.fulfill(
            status=202,
            content_type="application/json",
            body=json.dumps({"job_id": job_id, "status": "PENDING"}),
        ),
    )
    page.route(
        "**/api/vpr/status/**",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "application/json", "Retry-After": "30"},
            body=json.dumps(status),
        ),
    )
    page.goto(web_service.url + "/")
    fill_application(page, EXAMPLE_REQUEST)
    page.click("#submit")
    page.wait_for_selector('#report [data-section="executive_summary"][data-state="ready"]')

    assert page.text_content('[data-section="executive_summary"] p') == hostile
    assert page.locator("#report img, #report script, #report a").count() == 0
    assert page.title() != "pwned"
    # evidence-1 is still being written: its row keeps its place, before evidence-2's row.
    rows = page.locator("#evidence-matrix tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("class") == "pending-row"
    assert rows.nth(1).locator("td").first.text_content() == hostile
    assert section_states(page) == {
        "executive_summary": "ready",
        "evidence_matrix": "partial",
        "differentiators": "pending",
        "gap_strategies": "pending",
        "cultural_fit": "pending",
        "talking_points": "pending",
        "keywords": "ready",
    }
    assert page.text_content('[data-section="keywords"] .keywords') == f"{hostile} · javascript:alert(1)"
    screenshot()


def test_a_job_that_fails_after_some_sections_drops_its_draft(page, web_service: Service):
    job_id = "arn:aws:states:us-east-1:123456789012:execution:careervp-vpr-workflow-local:vpr-dropped"
    planned = [{"id": "summary", "kind": "summary"}, {"id": "keywords", "kind": "keywords"}]
    ready = [{"id": "keywords", "kind": "keywords", "content": {"keywords": ["L&D"]}}]
    answers = [
        ({"Retry-After": "1"}, {"job_id": job_id, "status": "PROCESSING", "stage": "generating",
                                "sections_done": 1, "sections_total": 2, "sections_planned": planned,
                                "sections_ready": ready}),
        ({}, {"job_id": job_id, "status": "FAILED", "error": "The writing service rejected the request.",
              "error_code": "ClaudeRequestRejected"}),
    ]  # fmt: skip
    polls: list[int] = []

    def status(route: Any) -> None:
        headers, body = answers[min(len(polls), len(answers) - 1)]
        polls.append(1)
        route.fulfill(
            status=200, headers={"Content-Type": "application/json", **headers}, body=json.dumps(body)
        )

    page.route(
        "**/api/vpr",
        lambda route: route.fulfill(
            status=202,
            content_type="application/json",
            body=json.dumps({"job_id": job_id, "status": "PENDING"}),
        ),
    )
    page.route("**/api/vpr/status/**", status)
    page.goto(web_service.url + "/")
    fill_application(page, EXAMPLE_REQUEST)
    page.click("#submit")

    page.wait_for_selector('#report [data-section="keywords"][data-state="ready"]')
    assert wait_for_terminal(page) == "FAILED"
    assert page.locator("#report [data-section]").count() == 0
    assert page.text_content("#job-error .error-code code") == "ClaudeRequestRejected"


# --- the console -----------------------------------------------------------------------------------------
def open_console(page: Any, service: Service, job_id: str) -> None:
    page.goto(service.url + "/console?job=" + urllib.parse.quote(job_id, safe=""))
    page.wait_for_selector("svg.graph g.node")


def node_status(page: Any, state: str) -> str:
    return page.get_attribute(f'svg.graph g.node[data-state="{state}"]', "data-status")


def test_console_draws_a_finished_job_succeeded_state_by_state(page, web_service: Service, screenshot):
    job_id = web_service.submit({**EXAMPLE_REQUEST, "application_id": "app-console-ok"}).body["job_id"]
    assert web_service.wait(job_id).body["status"] == "COMPLETED"
    open_console(page, web_service, job_id)

    drawn = page.locator("svg.graph g.node").evaluate_all("els => els.map(e => e.dataset.state)")
    assert sorted(drawn) == sorted(asl_states())  # every state of the ASL, whatever it holds
    skipped = {"Generate"}  # sections mode (the default): ChooseMode goes to the Map, not the one-call path
    for state, kind in asl_states().items():
        if kind == "Fail" or state in skipped:
            assert node_status(page, state) == "not_started", state
        elif kind in {"Task", "Map", "Succeed"}:
            assert node_status(page, state) == "succeeded", state
    assert page.text_content("#execution-status") == "SUCCEEDED"
    events = page.locator("#events tbody tr")
    assert events.count() >= 10
    assert page.locator("#events details").count() > 0
    assert page.locator("#events details[open]").count() == 0  # personal data stays folded away
    # The recent list, newest first, holds this job.
    page.wait_for_selector(f'#executions tr[data-arn="{job_id}"]')
    starts = page.locator("#executions tbody tr td:nth-child(3)").evaluate_all(
        "els => els.map(e => e.textContent)"
    )
    assert starts == sorted(starts, reverse=True)
    screenshot()


def test_console_shows_the_failed_state_of_a_failed_job(page, web_service: Service, screenshot):
    body = {**EXAMPLE_REQUEST, "user_id": "user-without-a-profile-2", "application_id": "app-console-fail"}
    job_id = web_service.submit(body).body["job_id"]
    assert web_service.wait(job_id).body["status"] == "FAILED"
    open_console(page, web_service, job_id)

    assert node_status(page, "Validate") == "caught"  # it failed, and its Catch routed to JobFailed
    fail_states = [name for name, kind in asl_states().items() if kind == "Fail"]
    assert [node_status(page, name) for name in fail_states] == ["failed"]
    assert node_status(page, "Store") == "not_started"
    assert page.text_content("#execution-status") == "FAILED"
    assert page.text_content("#execution-error").startswith("CvNotFound: " + CV_NOT_FOUND)
    assert page.locator("#events tr.failure td:nth-child(5)").first.text_content().startswith("CvNotFound")
    row = page.wait_for_selector(f'#executions tr[data-arn="{job_id}"]')
    assert row.query_selector("td:last-child").text_content() == "CvNotFound"
    screenshot()


def test_console_draws_any_definition_choice_and_map_iterator_states_included(
    page, web_service: Service, screenshot
):
    """The graph follows the definition it is given (the workflow will grow a Choice and a Map)."""
    definition = {
        "StartAt": "Validate",
        "States": {
            "Validate": {"Type": "Task", "Resource": "x", "Next": "Plan"},
            "Plan": {"Type": "Task", "Resource": "x", "Next": "Sections"},
            "Sections": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "WriteSection",
                    "States": {"WriteSection": {"Type": "Task", "Resource": "x", "End": True}},
                },
                "Next": "Enough?",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "JobFailed"}],
            },
            "Enough?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Assemble"}],
                "Default": "Plan",
            },
            "Assemble": {"Type": "Task", "Resource": "x", "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "JobFailed": {"Type": "Fail"},
        },
    }
    outcomes = {
        "Validate": {"status": "succeeded"},
        "Plan": {"status": "succeeded", "visits": 2},
        "Sections": {"status": "running"},
        "WriteSection": {"status": "retried", "retries": 1, "visits": 3},
        "Enough?": {"status": "succeeded"},
    }
    view = {
        "execution": {
            "arn": "arn:aws:states:r:1:execution:m:x",
            "name": "x",
            "status": "SUCCEEDED",  # not RUNNING: the page would redraw every second while we measure
            "started_at": "2026-01-01T00:00:00+00:00",
            "stopped_at": None,
            "duration_s": None,
            "error": None,
            "cause": None,
        },
        "definition": definition,
        "states": outcomes,
        "events": [],
    }
    page.route(
        "**/console/api/execution?*",
        lambda route: route.fulfill(status=200, content_type="application/json", body=json.dumps(view)),
    )
    page.goto(web_service.url + "/console?job=" + urllib.parse.quote(view["execution"]["arn"], safe=""))
    page.wait_for_selector("svg.graph g.node")

    drawn = {
        state: page.get_attribute(f'g.node[data-state="{state}"]', "data-status")
        for state in [
            "Validate",
            "Plan",
            "Sections",
            "WriteSection",
            "Enough?",
            "Assemble",
            "Done",
            "JobFailed",
        ]
    }
    assert drawn == {
        "Validate": "succeeded",
        "Plan": "succeeded",
        "Sections": "running",
        "WriteSection": "retried",
        "Enough?": "succeeded",
        "Assemble": "not_started",
        "Done": "not_started",
        "JobFailed": "not_started",
    }
    # The iterator's state is drawn inside its Map; the Choice's loop back to Plan is an edge too.
    assert page.locator('g.node[data-state="Sections"] g.node[data-state="WriteSection"]').count() == 1
    assert page.locator('path.edge.default[data-from="Enough?"][data-to="Plan"]').count() == 1
    assert page.locator('path.edge.choice[data-from="Enough?"][data-to="Assemble"]').count() == 1
    assert "1 retry" in page.text_content('g.node[data-state="WriteSection"]')
    # Layered top to bottom: each state below the one that leads to it.
    y = {
        s: page.locator(f'g.node[data-state="{s}"]').first.bounding_box()["y"]
        for s in ("Validate", "Plan", "Sections", "Assemble", "Done")
    }
    assert y["Validate"] < y["Plan"] < y["Sections"] < y["Assemble"] < y["Done"]
    screenshot()
