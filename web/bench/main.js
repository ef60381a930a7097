// Benchmark page: runs dicomforge.bench's workloads in the Pyodide worker, the dcmjs
// reference in a worker of its own, and shows them beside native figures the user loads
// (the JSON of `python -m dicomforge bench --json`): a table, a chart, Markdown to copy.
import { proxy, transfer, wrap } from "comlink";
import pkg from "../../package.json";
import { startWorker } from "../worker/client.js";
import { setupProgress } from "../ui/progress.js";
import { showFailed, showReady, showVersions } from "../ui/status.js";
import { drawChart } from "./chart.js";
import { COLUMNS, comparisonRows, referenceRows, fmt, rowCells, toMarkdown } from "./report.js";

const DCMJS_VERSION = pkg.devDependencies.dcmjs;
const status = document.querySelector("#runtime-status");
const form = document.querySelector("#bench-form");
const nativeStatus = document.querySelector("#native-status");
const progress = setupProgress(document.querySelector("#progress"));
const dicomforge = startWorker();
const ready = dicomforge.ready.then(
  (info) => {
    showReady(status, info);
    showVersions(document.querySelector("#versions"), info);
    return info;
  },
  (error) => showFailed(status, error),
);

/** What the page shows: the last browser run (active backend, and stdlib when asked for), the
 * loaded native reports, the dcmjs figures. */
const state = { browser: null, browserStdlib: null, native: [], dcmjs: null, date: null };

document.querySelector("#native-input").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  try {
    const parsed = JSON.parse(await file.text());
    if (!Array.isArray(parsed.native)) throw new Error('no "native" list: is it the output of python -m dicomforge bench --json?');
    state.native = parsed.native;
    nativeStatus.textContent = `Native figures: ${parsed.native.map((r) => r.environment.backend).join(", ")} from ${file.name}.`;
    delete nativeStatus.dataset.error;
    if (state.browser) show();
  } catch (error) {
    nativeStatus.textContent = `${file.name}: ${error.message}`;
    nativeStatus.dataset.error = "true";
  }
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const workloads = data.getAll("workload");
  const config = { slices: Number(data.get("slices")), files: Number(data.get("files")), runs: Number(data.get("runs")) };
  if (!workloads.length) return (nativeStatus.textContent = "Choose at least one workload.");
  const info = await ready;
  if (!info) return;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  delete document.body.dataset.benchDone;
  const signal = progress.start("Starting…");
  const onProgress = (p) => progress.update(p, "units");
  try {
    const measure = async (backend) => {
      const report = backend === "auto" ? onProgress : (p) => onProgress({ ...p, file: `${backend} · ${p.file}` });
      const result = await dicomforge.run("bench", [], { workloads, ...config, backend }, { signal, onProgress: report });
      const figures = result.results[0].value;
      figures.environment = { ...figures.environment, browser: browserName(), pyodide: info.pyodide, cpus: navigator.hardwareConcurrency };
      return figures;
    };
    state.browser = await measure("auto");
    state.browserStdlib = null;
    if (data.get("stdlib") && state.browser.environment.backend !== "stdlib") {
      progress.phase("The same workloads on the stdlib backend…");
      state.browserStdlib = await measure("stdlib");
    }
    state.dcmjs = data.get("dcmjs") && workloads.includes("series_int16") ? await runDcmjs(config, signal, onProgress) : null;
    state.date = new Date().toISOString().slice(0, 16).replace("T", " ");
    show();
    progress.finish("Done.");
    document.body.dataset.benchDone = "true";
  } catch (error) {
    progress.finish(error.name === "Cancelled" || signal.aborted ? "Cancelled." : `Failed: ${error.message}`);
  } finally {
    button.disabled = false;
  }
});

/** The dcmjs reference: our fixture from Python, then dcmjs in its own worker (ended on cancel). */
async function runDcmjs(config, signal, onProgress) {
  progress.phase("dcmjs reference: preparing the same volume…"); // (start would make a new cancel signal)
  const { files, results } = await dicomforge.run("bench_fixture", [], config, { signal });
  const [voxels, template] = ["volume.raw", "template.dcm"].map((n) => files.find((f) => f.name === n).data);
  const worker = new Worker(new URL("./dcmjs-worker.js", import.meta.url), { type: "module", name: "dcmjs-bench" });
  const stop = () => worker.terminate();
  signal.addEventListener("abort", stop, { once: true });
  try {
    const cancelled = new Promise((_, reject) =>
      signal.addEventListener("abort", () => reject(Object.assign(new Error("cancelled"), { name: "Cancelled" })), { once: true }),
    );
    const fixture = {
      template: template.slice().buffer, voxels: voxels.buffer, params: results[0].value, runs: config.runs, version: DCMJS_VERSION,
    };
    const report = proxy((done, total) => onProgress({ done, total, file: "dcmjs" }));
    const measure = wrap(worker).measure(transfer(fixture, [fixture.voxels]), report);
    return await Promise.race([measure, cancelled]);
  } finally {
    signal.removeEventListener("abort", stop);
    worker.terminate();
  }
}

function browserName() {
  const match = navigator.userAgent.match(/(HeadlessChrome|Chrome|Chromium|Firefox|Edg|Safari)\/([\d.]+)/);
  return match ? `${match[1]} ${match[2]}` : navigator.userAgent;
}

function show() {
  const rows = comparisonRows(state);
  const table = document.querySelector("#bench-table");
  table.tHead.rows[0].replaceChildren(...COLUMNS.map((c) => Object.assign(document.createElement("th"), { textContent: c })));
  table.tBodies[0].replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    tr.dataset.workload = row.name;
    tr.title = `${row.title} · ${JSON.stringify(row.params)}`;
    for (const [i, text] of rowCells(row).entries()) {
      const td = tr.insertCell();
      td.textContent = text;
      td.dataset.col = COLUMNS[i];
    }
    return tr;
  }));
  drawChart(document.querySelector("#bench-chart"), rows, state.browser.reference);
  const notes = referenceRows(state.browser.reference).map((r) => `External reference, ${r.label}: ${fmt(r.msPerUnit)} ms/file (${r.source}).`);
  for (const row of rows.filter((r) => r.mismatched.length)) notes.push(`${row.name}: ${row.mismatched.join(", ")} measured other parameters; not compared.`);
  if (!state.native.length) notes.push("No native figures loaded: run python -m dicomforge bench --json native.json and choose that file.");
  document.querySelector("#bench-notes").replaceChildren(...notes.map((n) => Object.assign(document.createElement("li"), { textContent: n })));
  const markdown = toMarkdown(state);
  document.querySelector("#bench-markdown").textContent = markdown;
  const json = document.querySelector("#bench-json");
  json.textContent = JSON.stringify({
    date: state.date, browser: state.browser, browserStdlib: state.browserStdlib, native: state.native, dcmjs: state.dcmjs,
  }, null, 2);
  document.querySelector("#bench-results").hidden = false;
}

document.querySelector("#copy-markdown").addEventListener("click", async (event) => {
  const text = document.querySelector("#bench-markdown").textContent;
  try {
    await navigator.clipboard.writeText(text);
    event.target.textContent = "Copied";
  } catch {
    getSelection().selectAllChildren(document.querySelector("#bench-markdown")); // let the user copy it
    event.target.textContent = "Selected: press Ctrl+C";
  }
  setTimeout(() => (event.target.textContent = "Copy results as Markdown"), 2000);
});
