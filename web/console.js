// The local workflow console: recent executions, and one execution's graph and events.
// Network calls live in api.js; drawing in graph.js.

import { consoleApi } from "./api.js";
import { drawEvents, drawExecutions, drawGraph, drawLegend } from "./graph.js";

const $ = (id) => document.getElementById(id);
const POLL_S = 1;

function showError(problem) {
  $("console-error").textContent = problem ? problem.message : "";
}

async function loadRecent() {
  const answer = await consoleApi.executions();
  if (!answer.ok) return showError(answer.problem);
  drawExecutions($("executions").tBodies[0], answer.body.executions);
}

async function loadExecution(arn) {
  const answer = await consoleApi.execution(arn);
  if (!answer.ok) return showError(answer.problem);
  showError(null);
  const { execution, definition, states, events } = answer.body;
  $("execution").hidden = false;
  $("execution-name").textContent = execution.name;
  $("execution-status").textContent = execution.status;
  $("execution-status").className = `badge badge-${execution.status}`;
  $("execution-timing").textContent =
    `started ${execution.started_at}` + (execution.duration_s !== null ? `, took ${execution.duration_s.toFixed(3)} s` : "");
  const error = $("execution-error");
  error.replaceChildren();
  if (execution.error) {
    const p = document.createElement("p");
    p.className = "error-message";
    p.textContent = execution.error + (execution.cause ? `: ${execution.cause}` : "");
    error.append(p);
  }
  drawLegend($("legend"));
  drawGraph($("graph"), definition, states);
  drawEvents($("events").tBodies[0], events);
  if (execution.status === "RUNNING") setTimeout(() => loadExecution(arn), POLL_S * 1000);
}

$("refresh").addEventListener("click", loadRecent);
const job = new URLSearchParams(window.location.search).get("job");
if (job) loadExecution(job);
loadRecent();
