// Draws the provisioned Grafana dashboard from Prometheus: each panel's targets, with Grafana's
// variable substitution, through /api/v1/query_range, as lines (timeseries) or a last value (stat).
// Deliberately small: what a panel shows, not Grafana's every option. When everything is drawn,
// document.body.dataset.state is "done" and window.previewSummary lists, per panel, the series drawn
// and any errors (DashboardOnPrometheusTest reads both).
"use strict";

const params = new URLSearchParams(location.search);
const PROMETHEUS = (params.get("prometheus") || location.origin).replace(/\/$/, "");
const DASHBOARD = params.get("dashboard") || "../dashboards/hydra-orchestrator.json";
// Grafana's classic palette, in its order.
const COLORS = ["#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A6", "#705DA0",
  "#508642", "#CCA300", "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477"];
const SVG = "http://www.w3.org/2000/svg";

function seconds(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(String(text).trim());
  if (!m) throw new Error("not a duration: " + text);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2]];
}

/** Grafana's relative times ("now", "now-6h") or an absolute time, in epoch seconds. */
function time(text, now) {
  if (text === "now") return now;
  const rel = /^now-(.+)$/.exec(text);
  if (rel) return now - seconds(rel[1]);
  const number = Number(text);
  return Number.isFinite(number) ? (number > 1e11 ? number / 1000 : number) : Date.parse(text) / 1000;
}

function variables(dashboard, range, scrape, widthPx) {
  // As Grafana: $__interval = range / max data points (the panel's width), at least the scrape
  // interval; $__rate_interval = max($__interval + scrape interval, 4 * scrape interval).
  const interval = Math.max(Math.ceil(range / Math.max(widthPx, 1)), scrape);
  const rate = Math.max(interval + scrape, 4 * scrape);
  const values = {
    __interval: interval + "s", __interval_ms: String(interval * 1000), __rate_interval: rate + "s",
    __range: Math.round(range) + "s", __range_s: String(Math.round(range)), __range_ms: String(Math.round(range * 1000)),
  };
  for (const v of (dashboard.templating && dashboard.templating.list) || []) {
    const current = v.current ? v.current.value : undefined;
    const list = Array.isArray(current) ? current : [current];
    values[v.name] = list.includes("$__all") ? ".*" : list.length === 1 ? String(list[0]) : "(" + list.join("|") + ")";
  }
  return { values, step: interval };
}

function interpolate(expr, values) {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g,
    (whole, a, b, c) => values[a || b || c] !== undefined ? values[a || b || c] : whole);
}

function legendName(target, metric, expr) {
  const format = target.legendFormat;
  if (format && format !== "__auto") {
    return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label) => metric[label] !== undefined ? metric[label] : "");
  }
  const labels = Object.keys(metric).filter(k => k !== "__name__");
  if (labels.length === 0) return metric.__name__ || expr;
  return (metric.__name__ || "") + "{" + labels.map(k => k + "=\"" + metric[k] + "\"").join(", ") + "}";
}

/** Grafana's units, the few the dashboard uses: short, bytes, percentunit and custom "suffix: TEXT". */
function formatter(defaults) {
  const unit = defaults.unit || "short";
  const decimals = defaults.decimals;
  const number = v => decimals !== undefined ? v.toFixed(decimals)
    : Math.abs(v) < 1e-9 ? "0" : String(Number(v.toPrecision(Math.abs(v) < 0.01 ? 2 : 3)));
  const short = v => {
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(1) + " Bil";
    if (a >= 1e6) return (v / 1e6).toFixed(1) + " Mil";
    if (a >= 1e3) return (v / 1e3).toFixed(1) + " K";
    return number(v);
  };
  if (unit.startsWith("suffix:")) return v => short(v) + " " + unit.slice("suffix:".length).trim();
  switch (unit) {
    case "bytes": return v => {
      const units = ["B", "KiB", "MiB", "GiB", "TiB"];
      let i = 0;
      while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
      return (i === 0 ? String(Math.round(v)) : v.toFixed(1)) + " " + units[i];
    };
    case "percentunit": return v => Number((v * 100).toPrecision(3)) + "%";
    case "percent": return v => Number(v.toPrecision(3)) + "%";
    default: return short;
  }
}

async function queryRange(expr, start, end, step) {
  const url = PROMETHEUS + "/api/v1/query_range?" + new URLSearchParams({ query: expr, start, end, step });
  const answer = await (await fetch(url)).json();
  if (answer.status !== "success") throw new Error(answer.error || "query failed");
  return answer.data.result;
}

function el(tag, attrs, parent) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  if (parent) parent.appendChild(node);
  return node;
}

function drawTimeseries(chart, series, start, end, format, defaults) {
  const box = chart.getBoundingClientRect();
  const w = Math.max(box.width, 100), h = Math.max(box.height, 60);
  const right = 8, top = 6, bottom = 18;
  const svg = el("svg:svg", { viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: "none" }, chart);
  const values = series.flatMap(s => s.points.map(p => p[1]));
  if (values.length === 0) {
    el("svg:text", { x: w / 2, y: h / 2, "text-anchor": "middle", class: "nodata", text: "No data" }, svg);
    return;
  }
  const min = defaults.min !== undefined ? defaults.min : Math.min(0, ...values);
  let max = defaults.max !== undefined ? defaults.max : Math.max(...values);
  if (max === min) max = min + (min === 0 ? 1 : Math.abs(min));
  // "Nice" ticks (1, 2, 2.5 or 5 times a power of ten), whole numbers when the panel has no decimals.
  const raw = (max - min) / 4, power = Math.pow(10, Math.floor(Math.log10(raw)));
  let tick = [1, 2, 2.5, 5, 10].map(f => f * power).find(t => t >= raw);
  if (defaults.decimals === 0) tick = Math.max(1, Math.ceil(tick));
  if (defaults.max === undefined) max = min + Math.ceil((max - min) / tick - 1e-9) * tick;
  const ticks = [];
  for (let v = min; v <= max + tick / 1e6; v += tick) ticks.push(v);
  // The axis is as wide as its longest label (about 6.2 px a character at this size).
  const left = 10 + Math.max(...ticks.map(v => format(v).length)) * 6.2;
  const x = t => left + (t - start) / (end - start) * (w - left - right);
  const y = v => top + (1 - (v - min) / (max - min)) * (h - top - bottom);
  for (const v of ticks) {
    el("svg:line", { x1: left, x2: w - right, y1: y(v), y2: y(v), class: "grid" }, svg);
    el("svg:text", { x: left - 6, y: y(v) + 3.5, "text-anchor": "end", text: format(v) }, svg);
  }
  for (let i = 0; i <= 5; i++) {
    const t = start + (end - start) * i / 5;
    el("svg:text", { x: x(t), y: h - 4, "text-anchor": i === 0 ? "start" : i === 5 ? "end" : "middle",
      text: new Date(t * 1000).toLocaleTimeString("en-GB", { hour12: false }) }, svg);
  }
  series.forEach(s => {
    // A gap in the data (a missing step) breaks the line, as in Grafana.
    let d = "", last = null;
    for (const [t, v] of s.points) {
      d += (last !== null && t - last <= s.step * 1.5 ? "L" : "M") + x(t).toFixed(1) + "," + y(v).toFixed(1);
      last = t;
    }
    el("svg:path", { d, fill: "none", stroke: s.color, "stroke-width": 1.6, "vector-effect": "non-scaling-stroke" }, svg);
    if (s.points.length === 1) {
      el("svg:circle", { cx: x(s.points[0][0]), cy: y(s.points[0][1]), r: 2.5, fill: s.color }, svg);
    }
  });
}

async function drawPanel(panel, dashboard, grid, range) {
  const pos = panel.gridPos || { x: 0, y: 0, w: 12, h: 8 };
  const node = el("section", { class: "panel", style:
      `grid-column: ${pos.x + 1} / span ${pos.w}; grid-row: ${pos.y + 1} / span ${pos.h}` }, grid);
  el("h2", { text: panel.title }, node);
  const chart = el("div", { class: "chart" }, node);
  const legend = el("div", { class: "legend" }, node);
  const summary = { title: panel.title, type: panel.type, series: 0, errors: [] };
  const defaults = (panel.fieldConfig && panel.fieldConfig.defaults) || {};
  const format = formatter(defaults);
  const { values, step } = variables(dashboard, range.end - range.start, range.scrape, chart.getBoundingClientRect().width);
  const series = [];
  const queries = [];
  for (const target of panel.targets || []) {
    if (target.hide) continue;
    const expr = interpolate(target.expr || "", values);
    queries.push(expr);
    try {
      for (const result of await queryRange(expr, range.start, range.end, step)) {
        const points = result.values.map(([t, v]) => [Number(t), Number(v)]).filter(([, v]) => Number.isFinite(v));
        if (points.length === 0) continue;
        series.push({ name: legendName(target, result.metric, expr), points, step, color: COLORS[series.length % COLORS.length] });
      }
    } catch (e) {
      summary.errors.push(target.refId + ": " + e.message);
      el("div", { class: "error", text: target.refId + ": " + e.message }, chart);
    }
  }
  summary.series = series.length;
  if (panel.type === "stat") {
    const last = series.length ? series[0].points[series[0].points.length - 1][1] : NaN;
    el("div", { class: "stat", style: `color: ${COLORS[0]}`, text: Number.isFinite(last) ? format(last) : "No data" }, chart);
  } else if (summary.errors.length === 0) {
    drawTimeseries(chart, series, range.start, range.end, format, defaults);
  }
  for (const s of series) {
    const item = el("span", { style: `--c: ${s.color}`, text: s.name }, legend);
    el("b", { text: format(s.points[s.points.length - 1][1]) }, item);
  }
  el("div", { class: "query", title: queries.join("\n"), text: queries.join("  ·  ") }, node);
  return summary;
}

function flatten(panels) {
  return panels.flatMap(p => p.type === "row" ? (p.panels || []) : [p]);
}

async function main() {
  const dashboard = await (await fetch(DASHBOARD)).json();
  const now = Date.now() / 1000;
  const range = {
    start: time(params.get("from") || (dashboard.time && dashboard.time.from) || "now-6h", now),
    end: time(params.get("to") || (dashboard.time && dashboard.time.to) || "now", now),
    scrape: seconds(params.get("scrape") || "15s"),
  };
  document.title = dashboard.title + " — dashboard preview";
  document.getElementById("title").textContent = dashboard.title
    + " — dashboard preview (rendered from the provisioned Grafana JSON against Prometheus)";
  const fmt = t => new Date(t * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  document.getElementById("subtitle").textContent = `${DASHBOARD.split("/").pop()} (uid ${dashboard.uid}) · `
    + `Prometheus ${PROMETHEUS} · ${fmt(range.start)} – ${fmt(range.end)} · not Grafana: titles, queries, `
    + `legends and units from the dashboard JSON, drawn by ops/grafana/preview`;
  const grid = document.getElementById("grid");
  const panels = flatten(dashboard.panels || []).sort((a, b) =>
    (a.gridPos.y - b.gridPos.y) || (a.gridPos.x - b.gridPos.x));
  // Panels first, all of them, so that each chart knows its width before it is drawn.
  window.previewSummary = await Promise.all(panels.map(p => drawPanel(p, dashboard, grid, range)));
}

main().catch(e => {
  window.previewSummary = [{ title: "(dashboard)", series: 0, errors: [String(e)] }];
  document.getElementById("subtitle").textContent = "failed: " + e;
}).finally(() => { document.body.dataset.state = "done"; });
