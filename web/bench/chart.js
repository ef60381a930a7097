// A horizontal bar chart of ms per unit, one group of bars per workload, on one
// logarithmic axis (the figures span 0.1 ms to hundreds of ms). Plain SVG, no library.
import { fmt, referenceRows } from "./report.js";

const SVG = "http://www.w3.org/2000/svg";
/** Runner label -> colour; the order bars are drawn in. */
export const SERIES = [
  ["chromium (Pyodide)", "#58a6ff", (row) => row.browser],
  ["native stdlib", "#3fb950", (row) => row.nativeStdlib],
  ["native numpy", "#a371f7", (row) => row.nativeNumpy],
  ["dcmjs (chromium)", "#e3b341", (row) => row.dcmjs],
];
const REFERENCE_COLOUR = "#8b949e";

function el(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Draw the rows into *svg* (its children are replaced).
 * @param {SVGSVGElement} svg
 * @param {import("./report.js").Row[]} rows
 * @param {object} [reference]  report.reference: the spike's figures, drawn as grey bars
 */
export function drawChart(svg, rows, reference) {
  const refs = referenceRows(reference);
  const bars = [];
  for (const row of rows) {
    bars.push({ heading: `${row.name} (ms/${row.unit})` });
    for (const [label, colour, pick] of SERIES) {
      const figures = pick(row);
      if (figures) bars.push({ label, colour, value: figures.per_unit_ms.median });
    }
    for (const ref of refs.filter((r) => r.workload === row.name)) {
      bars.push({ label: `spike: ${ref.label}`, colour: REFERENCE_COLOUR, value: ref.msPerUnit });
    }
  }
  const values = bars.filter((b) => b.value > 0).map((b) => b.value);
  const low = Math.log10(Math.min(...values)) - 0.2;
  const high = Math.log10(Math.max(...values)) + 0.1;
  const left = 190, width = 760, barHeight = 16, gap = 4;
  const plot = width - left - 70;
  const x = (v) => left + ((Math.log10(v) - low) / (high - low)) * plot;
  svg.replaceChildren();
  let y = 8;
  for (const bar of bars) {
    if (bar.heading) {
      svg.append(el("text", { x: 0, y: y + 14, class: "chart-heading" }, bar.heading));
      y += 22;
      continue;
    }
    svg.append(
      el("text", { x: left - 8, y: y + 12, "text-anchor": "end", class: "chart-label" }, bar.label),
      el("rect", { x: left, y, width: Math.max(1, x(bar.value) - left), height: barHeight, fill: bar.colour }),
      el("text", { x: x(bar.value) + 6, y: y + 12, class: "chart-value" }, fmt(bar.value)),
    );
    y += barHeight + gap;
  }
  svg.setAttribute("viewBox", `0 0 ${width} ${y + 8}`);
  svg.setAttribute("height", y + 8);
  svg.hidden = false;
}
