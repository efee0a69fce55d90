// Client-side checks that mirror the API's (lambdas/vpr/models/request.py, schemas/vpr-request.schema.json),
// reported with the API's own dotted field paths so one function shows both kinds beside their field.
// The API stays the judge: the inline CV is only checked to be a JSON object here; its fields are
// checked by the API, whose answer is shown beside the CV box.

const IDENTIFIER = /^[A-Za-z0-9_.-]+$/;
const MAX_BODY_BYTES = 64 * 1024;
const LANGUAGES = ["en", "he"];

/** The characters the API strips as blank (BLANK_CHARACTERS in lambdas/vpr/models/text.py). */
const BLANK = "[\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028-\\u2029\\u202f\\u205f\\u3000\\ufeff]";
const EDGE_BLANKS = new RegExp(`^${BLANK}+|${BLANK}+$`, "g");

/** A text as the API keeps it: NFC-normalized, blanks stripped. The page sends texts this way. */
export function kept(value) {
  return value.normalize("NFC").replace(EDGE_BLANKS, "");
}

/** Length as the API bounds it: Unicode code points as sent, and again as kept. */
export function textLength(value) {
  return Math.max([...value].length, [...kept(value)].length);
}

function requiredText(problems, field, value, max) {
  const length = textLength(value || "");
  if (!kept(value || "")) problems.push({ field, message: "Required." });
  else if (length > max) problems.push({ field, message: `At most ${max} characters (now ${length}).` });
}

function optionalText(problems, field, value, max) {
  if (value !== undefined && value !== null && kept(value)) requiredText(problems, field, value, max);
}

function identifier(problems, field, value, required) {
  const text = value || ""; // exact, as the API takes it: the page trims ids before sending
  if (!text) {
    if (required) problems.push({ field, message: "Required." });
    return;
  }
  if (text.length > 128) problems.push({ field, message: "At most 128 characters." });
  else if (!IDENTIFIER.test(text)) problems.push({ field, message: "Only letters, digits, '.', '_' and '-'." });
}

function textList(problems, field, items, itemMax, maxItems) {
  if (items.length > maxItems) problems.push({ field, message: `At most ${maxItems} items (now ${items.length}).` });
  items.forEach((item, i) => {
    const length = textLength(item);
    if (!kept(item)) problems.push({ field: `${field}.${i}`, message: "Empty." });
    else if (length > itemMax) problems.push({ field: `${field}.${i}`, message: `At most ${itemMax} characters (now ${length}).` });
  });
}

/** Problems of a request payload, as [{field, message}]; empty when the API should accept it. */
export function checkRequest(payload) {
  const problems = [];
  identifier(problems, "application_id", payload.application_id, true);
  identifier(problems, "user_id", payload.user_id, false);

  const posting = payload.job_posting || {};
  requiredText(problems, "job_posting.company_name", posting.company_name, 200);
  requiredText(problems, "job_posting.role_title", posting.role_title, 200);
  optionalText(problems, "job_posting.description", posting.description, 20000);
  textList(problems, "job_posting.responsibilities", posting.responsibilities || [], 2000, 50);
  textList(problems, "job_posting.requirements", posting.requirements || [], 2000, 50);
  if (!LANGUAGES.includes(posting.language)) {
    problems.push({ field: "job_posting.language", message: "Choose English or Hebrew." });
  }
  const hasDescription = posting.description && kept(posting.description);
  if (!(posting.requirements || []).length && !hasDescription) {
    // The API names the posting as a whole; the page shows it under requirements and description.
    problems.push({ field: "job_posting", message: "List at least one requirement, or give a description." });
  }

  const gaps = payload.gap_responses || [];
  if (gaps.length > 30) problems.push({ field: "gap_responses", message: "At most 30 questions." });
  gaps.forEach((gap, i) => {
    requiredText(problems, `gap_responses.${i}.question`, gap.question, 2000);
    requiredText(problems, `gap_responses.${i}.answer`, gap.answer, 5000);
  });

  if ("cv" in payload && (payload.cv === null || typeof payload.cv !== "object" || Array.isArray(payload.cv))) {
    problems.push({ field: "cv", message: "The CV must be a JSON object (see the example)." });
  }
  const bytes = new TextEncoder().encode(JSON.stringify(payload)).length;
  if (bytes > MAX_BODY_BYTES) {
    problems.push({ field: "body", message: `The application is ${Math.ceil(bytes / 1024)} KiB; the limit is 64 KiB.` });
  }
  return problems;
}
