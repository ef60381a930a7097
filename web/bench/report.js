// The comparison the benchmark page and `make bench` show: one row per workload with the
// browser's figures (its active backend, js; and the stdlib backend in the same worker)
// beside native CPython's (stdlib and numpy backends) and dcmjs's.
// Pure functions over the JSON reports (dicomforge.bench.report and dcmjs-series.js):
// no DOM, so Node (tests/bench/run.mjs) prints the same table the page draws.

/**
 * @typedef {object} Figures  One workload's figures (dicomforge.bench.measure).
 * @property {string} title
 * @property {string} unit            "slice", "file", "frame", "table"
 * @property {number} count           units per run
 * @property {object} params          what must be equal for two figures to be compared
 * @property {number} runs
 * @property {{median: number, p95: number, min: number, max: number}} per_unit_ms
 * @property {{median: number, p95: number, min: number, max: number}} run_ms
 * @property {number} per_s           units per second at the median run
 * @property {number} mb_per_s
 */

/**
 * @typedef {object} Row
 * @property {string} name
 * @property {string} title
 * @property {string} unit
 * @property {object} params
 * @property {Figures} browser              Pyodide in this browser, its active backend (js)
 * @property {Figures|null} browserStdlib   Pyodide in this browser, stdlib backend (null: not measured)
 * @property {Figures|null} nativeStdlib    CPython, stdlib backend (null: not measured)
 * @property {Figures|null} nativeNumpy     CPython, numpy backend
 * @property {Figures|null} dcmjs           the pure-JS reference (series_int16 only)
 * @property {number|null} ratioStdlib      browser ms/unit ÷ native stdlib ms/unit
 * @property {number|null} ratioNumpy
 * @property {string[]} mismatched          runners whose params differ (left out of the row)
 */

/** Whether two workload parameter objects describe the same workload. */
export function sameParams(a, b) {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...keys].every((k) => a?.[k] === b?.[k]);
}

/**
 * The comparison rows.
 * @param {{browser: object, browserStdlib?: object|null, native?: object[], dcmjs?: (Figures & {workload: string})|null}} reports
 *   browser: the bench job's report; browserStdlib: the same job's with backend "stdlib";
 *   native: `python -m dicomforge bench --json`'s "native" list.
 * @returns {Row[]}
 */
export function comparisonRows({ browser, browserStdlib = null, native = [], dcmjs = null }) {
  const byBackend = Object.fromEntries(native.map((report) => [report.environment.backend, report]));
  return Object.entries(browser.workloads).map(([name, figures]) => {
    const mismatched = [];
    const comparable = (label, other) => {
      if (!other) return null;
      if (sameParams(other.params, figures.params)) return other;
      mismatched.push(label);
      return null;
    };
    const chromiumStdlib = comparable("chromium stdlib", browserStdlib?.workloads[name]);
    const nativeStdlib = comparable("native stdlib", byBackend.stdlib?.workloads[name]);
    const nativeNumpy = comparable("native numpy", byBackend.numpy?.workloads[name]);
    const js = comparable("dcmjs", dcmjs?.workload === name ? dcmjs : null);
    const ratio = (other) => (other ? figures.per_unit_ms.median / other.per_unit_ms.median : null);
    return {
      name, title: figures.title, unit: figures.unit, params: figures.params, browser: figures,
      browserStdlib: chromiumStdlib, nativeStdlib, nativeNumpy, dcmjs: js, ratioStdlib: ratio(nativeStdlib), ratioNumpy: ratio(nativeNumpy),
      mismatched,
    };
  });
}

/**
 * External reference rows: the published spike's seconds per batch as ms per file.
 * @param {object} reference  dicomforge.bench.SPIKE_REFERENCE (report.reference)
 * @returns {Array<{workload: string, label: string, msPerUnit: number, source: string}>}
 */
export function referenceRows(reference) {
  if (!reference) return [];
  return Object.entries(reference.seconds).map(([label, seconds]) => ({
    workload: reference.workload, label, msPerUnit: (seconds * 1000) / reference.files, source: reference.source,
  }));
}

const ms = (figures) => (figures ? `${fmt(figures.per_unit_ms.median)} (${fmt(figures.per_unit_ms.p95)})` : "–");
const ratio = (value) => (value === null ? "–" : `${value.toFixed(2)}×`);

/** A number with three significant digits (at least two decimals below 10). */
export function fmt(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(value >= 1 ? 2 : 3);
}

export const COLUMNS = [
  "workload", "unit", "chromium ms/unit median (p95)", "chromium stdlib", "native stdlib", "native numpy",
  "chromium ÷ native stdlib", "chromium ÷ native numpy", "dcmjs (chromium)", "chromium units/s", "chromium MB/s",
];

/** The cells of a row, in COLUMNS order, as text. */
export function rowCells(row) {
  return [
    row.name, row.unit, ms(row.browser), ms(row.browserStdlib), ms(row.nativeStdlib), ms(row.nativeNumpy),
    ratio(row.ratioStdlib), ratio(row.ratioNumpy), ms(row.dcmjs), fmt(row.browser.per_s), fmt(row.browser.mb_per_s),
  ];
}

/** One line describing where a report ran. */
export function environmentLine(label, env) {
  if (!env) return `${label}: not measured`;
  const parts = [
    env.browser, env.pyodide && `Pyodide ${env.pyodide}`, `${env.implementation ?? "Python"} ${env.python}`,
    `pydicom ${env.pydicom}`, env.numpy && `numpy ${env.numpy}`, `dicomforge ${env.dicomforge}`,
    `backend ${env.backend}`, `${env.cpus} CPUs`, env.platform,
  ];
  return `${label}: ${parts.filter(Boolean).join(", ")}`;
}

/**
 * The whole comparison as Markdown: the table, the external reference rows, the environments.
 * @param {{browser: object, native?: object[], dcmjs?: object|null, date?: string}} reports
 */
export function toMarkdown(reports) {
  const rows = comparisonRows(reports);
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const out = [
    `## dicomforge benchmark${reports.date ? `, ${reports.date}` : ""}`,
    "",
    `Config: ${JSON.stringify(reports.browser.config)}. Milliseconds per unit, median over the runs (p95 in brackets).`,
    "",
    line(COLUMNS),
    line(COLUMNS.map(() => "---")),
    ...rows.map((row) => line(rowCells(row))),
    "",
  ];
  const refs = referenceRows(reports.browser.reference);
  if (refs.length) {
    out.push(`External reference (${refs[0].source}):`, "");
    for (const ref of refs) out.push(`- ${ref.workload}, ${ref.label}: ${fmt(ref.msPerUnit)} ms/file`);
    out.push("");
  }
  const mismatched = rows.filter((row) => row.mismatched.length);
  for (const row of mismatched) out.push(`- ${row.name}: ${row.mismatched.join(", ")} measured other parameters; left out`);
  const [numpy, stdlib] = ["numpy", "stdlib"].map((b) => reports.native?.find((r) => r.environment.backend === b));
  out.push(
    `- ${environmentLine("chromium", reports.browser.environment)}`,
    `- ${environmentLine("chromium stdlib", reports.browserStdlib?.environment)}`,
    `- ${environmentLine("native stdlib", stdlib?.environment)}`,
    `- ${environmentLine("native numpy", numpy?.environment)}`,
  );
  if (reports.dcmjs) out.push(`- dcmjs ${reports.dcmjs.version}: ${reports.dcmjs.title}`);
  return out.join("\n") + "\n";
}

/** The same table as aligned plain text, for a terminal. */
export function toText(reports) {
  const table = [COLUMNS, ...comparisonRows(reports).map(rowCells)];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
  return table.map((r) => r.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ")).join("\n");
}
