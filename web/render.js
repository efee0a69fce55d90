// Everything the job seeker's page draws. Data is only ever set as text (textContent, attributes),
// never parsed as HTML: reports and error messages carry user and model text.

const HEADINGS = {
  en: {
    executive_summary: "Executive summary",
    evidence_matrix: "Evidence matrix",
    differentiators: "Differentiators",
    gap_strategies: "Gap strategies",
    cultural_fit: "Cultural fit",
    talking_points: "Talking points",
    keywords: "Keywords",
    columns: ["Requirement", "Evidence", "Alignment", "Impact potential"],
    transferable: "Transferable skills",
    pending: "Being written…",
  },
  he: {
    executive_summary: "תקציר מנהלים",
    evidence_matrix: "מטריצת ראיות",
    differentiators: "מבדלים",
    gap_strategies: "אסטרטגיות לפערים",
    cultural_fit: "התאמה תרבותית",
    talking_points: "נקודות לשיחה",
    keywords: "מילות מפתח",
    columns: ["דרישה", "ראיה", "התאמה", "פוטנציאל השפעה"],
    transferable: "כישורים מועברים",
    pending: "בכתיבה…",
  },
};

/** document.createElement with text and attributes; children appended in order. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// --- field errors ----------------------------------------------------------------------------------

/** The element whose data-field is the longest prefix of a dotted path ("job_posting.requirements.3"). */
function fieldBox(form, path) {
  const parts = String(path || "body").split(".");
  for (let n = parts.length; n > 0; n--) {
    const box = form.querySelector(`[data-field="${CSS.escape(parts.slice(0, n).join("."))}"]`);
    if (box) return box;
  }
  return form.querySelector('[data-field="body"]');
}

export function clearFieldErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.remove();
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

/** "experience.0.company" → "experience #1 › company": the part of a path the box does not already say. */
function within(box, path) {
  const known = box.dataset.field === "body" ? [] : box.dataset.field.split(".");
  const rest = String(path || "").split(".").slice(known.length).filter(Boolean);
  const named = [];
  for (const part of rest) {
    const index = /^\d+$/.test(part) ? `#${Number(part) + 1}` : null;
    if (index && named.length) named[named.length - 1] += ` ${index}`;
    else named.push(index || part);
  }
  return named.join(" › ");
}

/** Show each problem beside the field it names; returns how many were shown. */
export function showFieldErrors(form, problems) {
  clearFieldErrors(form);
  for (const problem of problems) {
    const box = fieldBox(form, problem.field);
    const where = within(box, problem.field);
    const text = where ? `${where}: ${problem.message}` : problem.message;
    const message = el("p", { class: "field-error", role: "alert", "data-error-for": problem.field, text });
    box.append(message);
    const input = box.classList.contains("field") && box.querySelector("input, textarea, select");
    if (input) input.setAttribute("aria-invalid", "true");
  }
  return problems.length;
}

// --- job status --------------------------------------------------------------------------------------

export function showJob(view, { jobId, consoleHref }) {
  view.hidden = false;
  const id = view.querySelector("#job-id");
  id.replaceChildren(consoleHref ? el("a", { href: consoleHref, text: jobId, title: "Open in the local workflow console" }) : el("code", { text: jobId }));
  for (const id of ["#job-status", "#job-stage", "#job-message", "#job-error", "#report"]) {
    view.querySelector(id).replaceChildren(); // nothing of the previous job stays on screen
  }
  delete view.querySelector("#job-status").dataset.status;
  view.querySelector("#report-links").replaceChildren();
  view.querySelector("#new-version").hidden = true;
  view.querySelector("#cancel-job").hidden = true;
  view.querySelector("#retry-job").hidden = true;
}

/** Cancel while the job runs; Retry once it failed with an error a retry can fix (the API says so). */
export function showControls(view, status) {
  view.querySelector("#cancel-job").hidden = !["PENDING", "PROCESSING"].includes(status.status);
  view.querySelector("#retry-job").hidden = !(status.status === "FAILED" && status.retryable === true);
}

/** A refused cancel or retry (409: the job ended another way, or cannot be retried): its reason. */
export function showRefusal(view, problem) {
  view.querySelector("#job-message").textContent = problem.message;
}

export function showStatus(view, status) {
  view.querySelector("#job-status").textContent = status.status;
  view.querySelector("#job-status").dataset.status = status.status;
  const stage = status.stage ? `stage: ${status.stage}` : "";
  const sections =
    Number.isInteger(status.sections_total) && status.sections_total > 0
      ? ` — sections ${status.sections_done ?? 0} of ${status.sections_total}`
      : "";
  view.querySelector("#job-stage").textContent = stage + sections;
  view.querySelector("#job-message").textContent = status.message || "";
  const progress = view.querySelector("#job-progress");
  progress.hidden = !(Number.isInteger(status.sections_total) && status.sections_total > 0);
  if (!progress.hidden) {
    progress.max = status.sections_total;
    progress.value = status.sections_done ?? 0;
  }
}

export function showJobError(view, problem) {
  const box = view.querySelector("#job-error");
  box.replaceChildren(
    el("p", { class: "error-message", text: problem.message }),
    problem.code ? el("p", { class: "error-code" }, "code: ", el("code", { text: problem.code })) : null,
  );
  const report = view.querySelector("#report");
  if (report.dataset.progress) {
    report.replaceChildren(); // a draft of a failed job would promise sections that will not come
    delete report.dataset.progress;
  }
  view.querySelector("#new-version").hidden = false;
}

// --- the report ----------------------------------------------------------------------------------------

/** The report's sections in reading order, and which planned sections write each of them
 *  (lambdas/vpr/sections/models.py SECTION_FIELDS). */
const REPORT_ORDER = ["executive_summary", "evidence_matrix", "differentiators", "gap_strategies", "cultural_fit", "talking_points", "keywords"];
const SECTION_FIELDS = {
  summary: ["executive_summary"],
  evidence: ["evidence_matrix", "gap_strategies"],
  differentiators: ["differentiators"],
  culture: ["cultural_fit"],
  interview: ["talking_points"],
  keywords: ["keywords"],
};
const PENDING_ROW = Symbol("pending row");

const asArray = (value) => (Array.isArray(value) ? value : []);

function list(items, ordered = false) {
  return el(ordered ? "ol" : "ul", {}, ...asArray(items).map((item) => el("li", { text: item })));
}

function placeholder(words) {
  return el("p", { class: "placeholder", text: words.pending });
}

function section(key, heading, state, ...content) {
  const attrs = { class: `report-section ${state}`, "data-section": key, "data-state": state };
  if (state !== "ready") attrs["aria-busy"] = "true";
  return el("section", attrs, el("h3", { text: heading }), ...content);
}

function evidenceTable(rows, words) {
  const head = el("thead", {}, el("tr", {}, ...words.columns.map((c) => el("th", { scope: "col", text: c }))));
  const body = el(
    "tbody",
    {},
    ...rows.map((row) =>
      row === PENDING_ROW
        ? el("tr", { class: "pending-row" }, el("td", { colspan: 4, class: "placeholder", text: words.pending }))
        : el(
            "tr",
            {},
            el("td", { text: row.requirement }),
            el("td", { text: row.evidence }),
            el("td", { class: `score score-${String(row.alignment_score).toLowerCase()}`, text: row.alignment_score }),
            el("td", { text: row.impact_potential }),
          ),
    ),
  );
  return el("table", { id: "evidence-matrix", class: "evidence" }, head, body);
}

/** The report's sections from (some of) its fields; ``pending[field]``: sections still writing it. */
function reportSections(report, words, pending = {}) {
  const content = {
    executive_summary: () => [el("p", { text: report.executive_summary })],
    evidence_matrix: () => [evidenceTable(asArray(report.evidence_matrix), words)],
    differentiators: () => [list(report.differentiators)],
    gap_strategies: () =>
      asArray(report.gap_strategies).map((gap) =>
        el(
          "div",
          { class: "gap" },
          el("h4", { text: gap.gap }),
          el("p", { text: gap.mitigation_approach }),
          asArray(gap.transferable_skills).length
            ? el("p", { class: "skills", text: `${words.transferable}: ${asArray(gap.transferable_skills).join(", ")}` })
            : null,
        ),
      ),
    cultural_fit: () => [el("p", { text: report.cultural_fit })],
    talking_points: () => [list(report.talking_points, true)],
    keywords: () => [el("p", { class: "keywords", text: asArray(report.keywords).join(" · ") })],
  };
  return REPORT_ORDER.map((key) => {
    const waiting = pending[key] > 0;
    const has = Array.isArray(report[key]) ? report[key].some((item) => item !== PENDING_ROW) : Boolean(report[key]);
    if (waiting && !has) return section(key, words[key], "pending", placeholder(words));
    if (waiting && key === "gap_strategies") return section(key, words[key], "partial", ...content[key](), placeholder(words));
    const rowsPending = key === "evidence_matrix" && asArray(report[key]).includes(PENDING_ROW);
    return section(key, words[key], rowsPending ? "partial" : "ready", ...content[key]());
  });
}

function reportContainer(view, language) {
  const container = view.querySelector("#report");
  container.setAttribute("lang", language);
  container.setAttribute("dir", language === "he" ? "rtl" : "ltr");
  return container;
}

export function showReport(view, report, links) {
  const language = report.language === "he" ? "he" : "en";
  const words = HEADINGS[language];
  const container = reportContainer(view, language);
  delete container.dataset.progress;
  const meta = [
    `version ${report.version}`,
    `${report.word_count} words`,
    `written by ${report.generator?.name || "?"}${report.generator?.model ? ` (${report.generator.model})` : ""}`,
  ];
  if (report.verification) {
    meta.push(report.verification.grounded ? "every claim found in your inputs" : `unsupported: ${asArray(report.verification.unsupported_claims).join(", ")}`);
  }
  container.replaceChildren(el("p", { class: "report-meta", dir: "ltr", text: meta.join(" · ") }), ...reportSections(report, words));
  showLinks(view, links);
}

/**
 * While a sections-mode job runs: the sections written so far (``sections_ready``), the others as
 * placeholders, in report order. Returns false when the status lists no plan (nothing to draw yet).
 */
export function showProgress(view, status, language) {
  const planned = asArray(status.sections_planned);
  if (!planned.length) return false;
  const ready = new Map(asArray(status.sections_ready).map((s) => [s.id, s.content || {}]));
  const report = { evidence_matrix: [], gap_strategies: [] };
  const pending = {};
  for (const { id, kind } of planned) {
    const fields = SECTION_FIELDS[kind] || [];
    if (!ready.has(id)) {
      for (const field of fields) pending[field] = (pending[field] || 0) + 1;
      if (kind === "evidence") report.evidence_matrix.push(PENDING_ROW); // the rows keep their place
      continue;
    }
    for (const field of fields) {
      const value = ready.get(id)[field];
      if (field === "evidence_matrix" || field === "gap_strategies") report[field].push(...asArray(value));
      else report[field] = value;
    }
  }
  const words = HEADINGS[language === "he" ? "he" : "en"];
  const container = reportContainer(view, language === "he" ? "he" : "en");
  container.dataset.progress = `${ready.size}/${planned.length}`;
  container.replaceChildren(
    el("p", { class: "report-meta", dir: "ltr", text: `draft: ${ready.size} of ${planned.length} sections written; the checked report follows` }),
    ...reportSections(report, words, pending),
  );
  return true;
}

/** Only http(s) links are followed: a javascript: URL in an answer must never become clickable. */
function safeHref(url) {
  try {
    return ["http:", "https:"].includes(new URL(url).protocol) ? url : null;
  } catch {
    return null;
  }
}

export function showLinks(view, { json, markdown, expiresAt }) {
  view.querySelector("#report-links").replaceChildren(
    el("a", { id: "link-json", href: safeHref(json), target: "_blank", rel: "noopener noreferrer", text: "Report (JSON)" }),
    " ",
    markdown ? el("a", { id: "link-md", href: safeHref(markdown), target: "_blank", rel: "noopener noreferrer", text: "Report (Markdown)" }) : null,
    expiresAt ? el("span", { class: "hint", text: ` links valid until ${expiresAt}` }) : null,
  );
  view.querySelector("#new-version").hidden = false;
}

export function showReportUnavailable(view, message) {
  view.querySelector("#report").replaceChildren(el("p", { class: "error-message", text: message }));
}

// --- the gap questions' rows ---------------------------------------------------------------------------

export function gapRow(index, gap = { question: "", answer: "" }) {
  const q = `gap-q-${index}`;
  const a = `gap-a-${index}`;
  return el(
    "div",
    { class: "gap-row", "data-field": `gap_responses.${index}` },
    el("div", { class: "field", "data-field": `gap_responses.${index}.question` }, el("label", { for: q, text: `Question ${index + 1}` }), (() => {
      const input = el("input", { id: q, name: "gap-question", dir: "auto" });
      input.value = gap.question;
      return input;
    })()),
    el("div", { class: "field", "data-field": `gap_responses.${index}.answer` }, el("label", { for: a, text: "Your answer" }), (() => {
      const input = el("textarea", { id: a, name: "gap-answer", dir: "auto", rows: 2 });
      input.value = gap.answer;
      return input;
    })()),
    el("button", { type: "button", class: "remove-gap", text: "Remove" }),
  );
}
