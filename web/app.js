// The job seeker's page: reads the form, checks it, submits, follows the job, shows the report.
// Network calls live in api.js, drawing in render.js, the checks in checks.js.

import { VprApi, newIdempotencyKey, readProblem } from "./api.js";
import { checkRequest, kept } from "./checks.js";
import * as render from "./render.js";

const form = document.getElementById("application");
const view = document.getElementById("job");
const gaps = document.getElementById("gaps");
const $ = (id) => document.getElementById(id);

let lastPayload = null;
let following = 0; // bumps on every submission: an older job's polling loop stops
let current = null; // the job on screen: {client, jobId, language}, for Cancel and Retry

// --- settings: the API base URL persists; the token stays in this tab only ---------------------------
$("api-base").value = localStorage.getItem("vpr.apiBase") || "";
$("id-token").value = sessionStorage.getItem("vpr.idToken") || "";
$("api-base").addEventListener("change", (e) => localStorage.setItem("vpr.apiBase", e.target.value.trim()));
$("id-token").addEventListener("change", (e) => sessionStorage.setItem("vpr.idToken", e.target.value.trim()));

function api() {
  return new VprApi({ baseUrl: $("api-base").value, token: $("id-token").value });
}

// --- the form ---------------------------------------------------------------------------------------------
$("application-id").value = "app-" + newIdempotencyKey().replaceAll("-", "").slice(0, 12);

function renumberGaps() {
  [...gaps.children].forEach((row, i) => {
    const answers = [...row.querySelectorAll("input, textarea")].map((input) => input.value);
    row.replaceWith(render.gapRow(i, { question: answers[0], answer: answers[1] }));
  });
}

$("add-gap").addEventListener("click", () => gaps.append(render.gapRow(gaps.children.length)));
gaps.addEventListener("click", (e) => {
  if (e.target.classList.contains("remove-gap")) {
    e.target.closest(".gap-row").remove();
    renumberGaps();
  }
});
gaps.append(render.gapRow(0));

for (const radio of form.querySelectorAll('input[name="cv-source"]')) {
  radio.addEventListener("change", () => ($("cv-inline").hidden = cvSource() !== "inline"));
}
$("cv-file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (file) $("cv-json").value = await file.text();
});

function cvSource() {
  return form.querySelector('input[name="cv-source"]:checked').value;
}

function lines(id) {
  return $(id).value.split("\n").map(kept).filter(Boolean);
}

/** The request body, or {problems} when the CV box does not even parse. */
function readForm() {
  const posting = {
    company_name: kept($("company").value),
    role_title: kept($("role").value),
    responsibilities: lines("responsibilities"),
    requirements: lines("requirements"),
    language: $("language").value,
  };
  if (kept($("description").value)) posting.description = kept($("description").value);
  const payload = { application_id: $("application-id").value.trim(), job_posting: posting };
  if ($("user-id").value.trim()) payload.user_id = $("user-id").value.trim();
  payload.gap_responses = [...gaps.querySelectorAll(".gap-row")]
    .map((row) => ({ question: kept(row.querySelector("input").value), answer: kept(row.querySelector("textarea").value) }))
    .filter((gap) => gap.question || gap.answer);
  if (cvSource() === "inline") {
    try {
      payload.cv = JSON.parse($("cv-json").value);
    } catch (err) {
      return { problems: [{ field: "cv", message: `The CV is not valid JSON: ${err.message}` }] };
    }
  }
  return { payload };
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const { payload, problems } = readForm();
  const found = problems || checkRequest(payload);
  if (render.showFieldErrors(form, found)) return;
  await submit(payload, null);
});

$("new-version").addEventListener("click", () => lastPayload && submit(lastPayload, newIdempotencyKey()));

$("cancel-job").addEventListener("click", async () => {
  if (!current) return;
  const { client, jobId } = current;
  $("cancel-job").disabled = true;
  try {
    const answer = await client.cancel(jobId);
    if (!answer.ok) {
      render.showRefusal(view, answer.problem); // e.g. it completed meanwhile: the polling shows it
      return;
    }
    if (answer.body.status === "FAILED") {
      following++; // this job's polling stops: the answer is its final status
      showFailure(answer.body);
    }
  } finally {
    $("cancel-job").disabled = false;
  }
});

$("retry-job").addEventListener("click", async () => {
  if (!current) return;
  const { client, jobId, language } = current;
  $("retry-job").disabled = true;
  try {
    const answer = await client.retry(jobId);
    if (!answer.ok) {
      render.showRefusal(view, answer.problem);
      return;
    }
    await follow(client, jobId, language); // the same job, running again (its finished sections kept)
  } finally {
    $("retry-job").disabled = false;
  }
});

// --- one job ----------------------------------------------------------------------------------------------
async function submit(payload, idempotencyKey) {
  const client = api();
  $("submit").disabled = true;
  $("new-version").hidden = true;
  try {
    const answer = await client.submit(payload, idempotencyKey);
    if (!answer.ok) {
      const problem = answer.problem;
      render.showFieldErrors(form, problem.fields.length ? problem.fields : [{ field: "body", message: problem.message }]);
      return;
    }
    render.clearFieldErrors(form);
    lastPayload = payload;
    await follow(client, answer.body.job_id, payload.job_posting.language);
  } finally {
    $("submit").disabled = false;
  }
}

function consoleHref(client, jobId) {
  // The console reads the local engine only: linked when the API is this server.
  return client.root === window.location.origin ? "/console?job=" + encodeURIComponent(jobId) : null;
}

const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

function showFailure(status) {
  render.showStatus(view, status);
  render.showControls(view, status);
  render.showJobError(view, readProblem(status));
}

async function follow(client, jobId, language) {
  const mine = ++following;
  current = { client, jobId, language };
  render.showJob(view, { jobId, consoleHref: consoleHref(client, jobId) });
  while (mine === following) {
    const answer = await client.status(jobId);
    if (mine !== following) return;
    if (!answer.ok) {
      if (answer.status === 503 || answer.status === 0) {
        await sleep(answer.retryAfter); // busy or unreachable: the job goes on; ask again
        continue;
      }
      render.showJobError(view, answer.problem);
      return;
    }
    const status = answer.body;
    render.showStatus(view, status);
    render.showControls(view, status);
    if (status.status === "FAILED") {
      showFailure(status);
      return;
    }
    if (status.status === "COMPLETED") {
      await showReport(client, status);
      return;
    }
    // Sections mode: each section as it is written, the rest as placeholders. A status without a
    // plan (queued, or Store's last moment) leaves what is already on screen.
    render.showProgress(view, status, language);
    await sleep(answer.retryAfter);
  }
}

async function showReport(client, status) {
  // Both links are presigned by the status for their own key (the .md is signed separately: a .json
  // signature does not cover it on AWS); a missing Markdown file gives no link.
  const links = { json: status.result_url, markdown: status.result_markdown_url, expiresAt: status.result_expires_at };
  const answer = await client.report(status.result_url);
  if (!answer.ok || !answer.body) {
    render.showReportUnavailable(view, "The report is ready but could not be loaded here; open it with the links.");
    render.showLinks(view, links);
    return;
  }
  render.showReport(view, answer.body, links);
}
