// Drawing for the workflow console: the state machine as an SVG graph laid out from its ASL
// definition (whatever states it has, Map/Parallel states drawn around their inner states), coloured
// by what happened to each state, plus the executions and events tables. Text only via textContent.

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 170;
const NODE_H = 44;
const GAP_X = 30;
const GAP_Y = 46;
const PAD = 14;
const HEADER = 26;
export const OUTCOMES = ["not_started", "running", "succeeded", "retried", "caught", "failed"];

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function cell(text, attrs = {}) {
  const td = document.createElement("td");
  for (const [k, v] of Object.entries(attrs)) td.setAttribute(k, v);
  if (text !== undefined && text !== null) td.textContent = String(text);
  return td;
}

function badge(status) {
  const span = document.createElement("span");
  span.className = `badge badge-${status}`;
  span.textContent = status.replace("_", " ");
  return span;
}

/** Where a state can go next: [{to, kind}] for Next, Choice rules, Default and Catch. */
export function transitions(state) {
  const out = [];
  if (state.Next) out.push({ to: state.Next, kind: "next" });
  for (const choice of state.Choices || []) if (choice.Next) out.push({ to: choice.Next, kind: "choice" });
  if (state.Default) out.push({ to: state.Default, kind: "default" });
  for (const c of state.Catch || []) if (c.Next) out.push({ to: c.Next, kind: "catch" });
  return out;
}

/** Inner machines of a Map (ItemProcessor or the older Iterator) or of a Parallel's Branches. */
function innerMachines(state) {
  if (state.Type === "Map") return [state.ItemProcessor || state.Iterator].filter(Boolean);
  if (state.Type === "Parallel") return state.Branches || [];
  return [];
}

/**
 * Layered layout: each state sits one layer below the deepest state that leads to it (edges that
 * go back up — loops — are ignored for layering), so Fail/Succeed end up at the bottom.
 */
export function layout(machine) {
  const states = machine.States || {};
  const names = Object.keys(states);
  const order = [];
  const back = new Set();
  const onStack = new Set();
  const seen = new Set();
  const visit = (name) => {
    if (!(name in states) || seen.has(name)) return;
    seen.add(name);
    onStack.add(name);
    order.push(name);
    for (const { to } of transitions(states[name])) {
      if (onStack.has(to)) back.add(`${name}->${to}`);
      else visit(to);
    }
    onStack.delete(name);
  };
  visit(machine.StartAt);
  for (const name of names) visit(name); // unreachable states are drawn too

  const layer = Object.fromEntries(order.map((n) => [n, 0]));
  for (let pass = 0; pass < order.length; pass++) {
    for (const name of order) {
      for (const { to } of transitions(states[name])) {
        if (to in layer && !back.has(`${name}->${to}`)) layer[to] = Math.max(layer[to], layer[name] + 1);
      }
    }
  }

  const nodes = {};
  for (const name of order) {
    const inner = innerMachines(states[name]).map(layout);
    const innerW = inner.reduce((w, m) => w + m.width, 0) + GAP_X * Math.max(inner.length - 1, 0);
    const innerH = Math.max(0, ...inner.map((m) => m.height));
    nodes[name] = {
      name,
      type: states[name].Type,
      inner,
      w: inner.length ? Math.max(NODE_W, innerW + 2 * PAD) : NODE_W,
      h: inner.length ? HEADER + innerH + PAD : NODE_H,
    };
  }
  const byLayer = [];
  for (const name of order) (byLayer[layer[name]] ||= []).push(name);
  const layers = byLayer.filter(Boolean);
  const rowWidths = layers.map((row) => row.reduce((w, n) => w + nodes[n].w, 0) + GAP_X * (row.length - 1));
  const width = Math.max(...rowWidths, NODE_W);
  let y = 0;
  layers.forEach((row, i) => {
    let x = (width - rowWidths[i]) / 2;
    const rowH = Math.max(...row.map((n) => nodes[n].h));
    for (const name of row) {
      Object.assign(nodes[name], { x, y });
      x += nodes[name].w + GAP_X;
    }
    y += rowH + GAP_Y;
  });
  const edges = [];
  for (const name of order) {
    for (const { to, kind } of transitions(states[name])) {
      if (to in nodes) edges.push({ from: name, to, kind, back: back.has(`${name}->${to}`) });
    }
  }
  return { nodes, edges, width, height: Math.max(y - GAP_Y, NODE_H) };
}

function edgePath(a, b, isBack, laneX) {
  if (!isBack && b.y > a.y + a.h + GAP_Y + 1) {
    // Skips a layer: around the states in between, by a lane on the right.
    const y1 = a.y + a.h / 2;
    return `M${a.x + a.w},${y1} C${laneX},${y1} ${laneX},${b.y - GAP_Y / 2} ${b.x + b.w / 2},${b.y}`;
  }
  if (!isBack && b.y > a.y) {
    const x1 = a.x + a.w / 2;
    const y1 = a.y + a.h;
    const x2 = b.x + b.w / 2;
    const y2 = b.y;
    const mid = (y1 + y2) / 2;
    return `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}`;
  }
  // Back (a loop) or sideways edge: by a lane on the left, clear of the Catch lane on the right.
  const y1 = a.y + a.h / 2;
  const y2 = b.y + b.h / 2;
  const bow = Math.min(a.x, b.x) - 40;
  return `M${a.x},${y1} C${bow},${y1} ${bow},${y2} ${b.x},${y2}`;
}

function drawMachine(group, machine, outcomes) {
  for (const edge of machine.edges) {
    const path = svg("path", {
      d: edgePath(machine.nodes[edge.from], machine.nodes[edge.to], edge.back, machine.width + 30),
      class: `edge ${edge.kind}`,
      "marker-end": "url(#arrow)",
      "data-from": edge.from,
      "data-to": edge.to,
    });
    group.append(path);
  }
  for (const node of Object.values(machine.nodes)) {
    const outcome = outcomes[node.name] || {};
    const status = outcome.status || "not_started";
    const g = svg("g", {
      class: `node status-${status}${node.inner.length ? " container" : ""}`,
      transform: `translate(${node.x},${node.y})`,
      "data-state": node.name,
      "data-status": status,
    });
    g.append(svg("rect", { width: node.w, height: node.h, rx: 6 }));
    const labelY = node.inner.length ? HEADER / 2 : NODE_H / 2 - 6;
    g.append(svg("text", { x: node.w / 2, y: labelY }, node.name));
    let sub = `${node.type} · ${status.replace("_", " ")}`;
    if (outcome.retries) sub += ` · ${outcome.retries} retr${outcome.retries === 1 ? "y" : "ies"}`;
    if (outcome.visits > 1) sub += ` · ×${outcome.visits}`;
    if (!node.inner.length) g.append(svg("text", { x: node.w / 2, y: NODE_H / 2 + 9, class: "sub" }, sub));
    const tip = [`${node.name}: ${status}`];
    if (outcome.duration_s) tip.push(`${outcome.duration_s.toFixed(3)} s`);
    for (const e of outcome.errors || []) tip.push(`${e.error}: ${e.cause || ""}`);
    g.append(svg("title", {}, tip.join("\n")));
    let x = PAD;
    for (const inner of node.inner) {
      const child = svg("g", { transform: `translate(${x},${HEADER})` });
      drawMachine(child, inner, outcomes);
      g.append(child);
      x += inner.width + GAP_X;
    }
    group.append(g);
  }
}

/** The state machine of `definition`, each state coloured by `outcomes[name].status`. */
export function drawGraph(container, definition, outcomes) {
  const machine = layout(definition);
  const margin = 12;
  const lanes = 60; // room for the loop lane on the left and the Catch lane on the right
  const root = svg("svg", {
    class: "graph",
    width: machine.width + 2 * margin + 2 * lanes,
    height: machine.height + 2 * margin,
    viewBox: `${-margin - lanes} ${-margin} ${machine.width + 2 * margin + 2 * lanes} ${machine.height + 2 * margin}`,
    role: "img",
    "aria-label": "State machine",
  });
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#868e96" }));
  const defs = svg("defs");
  defs.append(marker);
  root.append(defs);
  drawMachine(root, machine, outcomes);
  container.replaceChildren(root);
}

export function drawLegend(container) {
  container.replaceChildren(...OUTCOMES.map(badge));
}

export function drawExecutions(tbody, executions) {
  tbody.replaceChildren(
    ...executions.map((e) => {
      const tr = document.createElement("tr");
      tr.dataset.arn = e.arn;
      const name = cell(null);
      const link = document.createElement("a");
      link.href = "/console?job=" + encodeURIComponent(e.arn);
      link.textContent = e.name;
      name.append(link);
      const status = cell(null);
      status.append(badge(e.status));
      tr.append(name, status, cell(e.started_at), cell(e.duration_s === null ? "running" : `${e.duration_s.toFixed(3)} s`), cell(e.error || ""));
      return tr;
    }),
  );
}

function dataCell(data) {
  const td = cell(null);
  const keys = Object.keys(data || {});
  if (!keys.length) return td;
  const details = document.createElement("details"); // closed: inputs and outputs hold personal data
  const summary = document.createElement("summary");
  summary.textContent = keys.join(" / ");
  details.append(summary);
  for (const key of keys) {
    const pre = document.createElement("pre");
    let text = data[key];
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      /* not JSON: shown as it is */
    }
    pre.textContent = `${key}: ${text}`;
    details.append(pre);
  }
  td.append(details);
  return td;
}

export function drawEvents(tbody, events) {
  const entered = {};
  tbody.replaceChildren(
    ...events.map((e) => {
      const tr = document.createElement("tr");
      tr.dataset.type = e.type;
      let detail = e.resource || "";
      if (e.error) {
        detail = `${e.error}${e.cause ? `: ${e.cause}` : ""}`;
        tr.className = "failure";
      }
      if (e.type.endsWith("StateEntered")) entered[e.state] = e.offset_s;
      if (e.type.endsWith("StateExited") && e.state in entered) detail = `took ${(e.offset_s - entered[e.state]).toFixed(3)} s`;
      tr.append(cell(e.id), cell(`+${e.offset_s.toFixed(3)} s`), cell(e.type, { class: "type" }), cell(e.state || ""), cell(detail), dataCell(e.data));
      return tr;
    }),
  );
}
