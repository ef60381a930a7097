// Volume -> series throughput in headless chromium against the built app: drop a
// 512x512xN NIfTI, convert, wait for the zip; prints slices/s, peak memory and the
// Pyodide/native ratio of the same Python work (read + write_series + zip) run natively
// (best of 3, numpy and stdlib backends): against the worker's Python time alone, and
// against the whole job (which also reads the File into wasm and hands the zip over).
// Usage: node tests/bench/series.mjs [--slices 300] [--dtype int16|float32] [--url http://localhost:4173/]
//
// Times come from the page's marks (tests/bench/marks.mjs) in a run without memory samples.
// Memory, in a second run: JS heap (V8 used size) + ArrayBuffer backing stores, which
// include the wasm memory, of the page and of the worker (CDP Runtime.getHeapUsage on each,
// polled every 100 ms), plus the worker's wasm memory size as the job reports it. Blob storage (the
// zip) lives in the browser process, outside both, and is not counted.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";
import { pageTimes } from "./marks.mjs";
import { memoryProbe, sampleMemory } from "./memory.mjs";
import { option, PYTHON } from "./args.mjs";

const slices = Number(option("slices", 300));
const dtype = option("dtype", "int16");
const url = option("url", "http://localhost:4173/");
const python = PYTHON;

const dir = mkdtempSync(join(tmpdir(), "dicomforge-bench-"));
const path = join(dir, `bench_${dtype}.nii`);
execFileSync(python, ["-c", `
import sys, numpy as np, nibabel
rng = np.random.default_rng(1)
data = rng.integers(-1024, 3071, size=(512, 512, ${slices})).astype("${dtype}")
nibabel.save(nibabel.Nifti1Image(data, np.diag([0.7, 0.7, 1.25, 1])), sys.argv[1])
`, path]);
const inputBytes = statSync(path).size;

// The same work natively: read the NIfTI, write the series, zip it (STORE, bytes discarded).
const NATIVE = `
import sys, time
from dicomforge import kernels
from dicomforge.formats import read_volume
from dicomforge.inputs import NamedInput
from dicomforge.jobs import events, zip_events
from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import write_series
data = open(sys.argv[1], "rb").read()
best = None
for _ in range(3):
    t0 = time.perf_counter()
    volume = read_volume(NamedInput(sys.argv[1], data))
    files = (events.output(n, d) for n, d in write_series(volume, SeriesOptions(modality="CT")))
    for event in zip_events(files):
        pass
    t = time.perf_counter() - t0
    best = t if best is None else min(best, t)
print(kernels.BACKEND, round(best * 1000))
`;
function native(backend) {
  const out = execFileSync(python, ["-c", NATIVE, path], {
    encoding: "utf8", env: { ...process.env, PYTHONPATH: "py", DICOMFORGE_BACKEND: backend },
  });
  return Number(out.trim().split(" ")[1]);
}

const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });

/**
 * Drop the volume in a fresh page and convert it. *sampling*: sample memory over CDP
 * every 100 ms meanwhile. The samples interrupt the worker and slow the job they watch, so
 * the times come from a run without them and the memory from a second run with them.
 */
async function convert(sampling) {
  const page = await browser.newPage();
  const memoryNow = await memoryProbe(await page.context().newCDPSession(page));
  await page.goto(url);
  await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
  const before = await memoryNow();
  const sampler = sampleMemory(memoryNow, 100, () => sampling);
  await page.setInputFiles("#file-input", path);
  await page.waitForSelector("#series-form:not([hidden])", { timeout: 300_000 });
  await page.selectOption('select[name="modality"]', "CT");
  await page.click("#series-form button[type=submit]");
  await page.waitForSelector("#download a", { timeout: 600_000 });
  const { peak, most } = await sampler.stop();
  const times = await pageTimes(page, "series");
  const backend = await page.evaluate(() => document.querySelector("#versions")?.textContent ?? "");
  await page.close();
  return { times, backend, before, peak, most };
}

const { times, backend } = await convert(false);
const { before, peak, most, times: sampled } = await convert(true);
await browser.close();
const split = times.job;

const MB = (n) => `${(n / 1e6).toFixed(0)} MB`;
const convertS = times.exported / 1000;
const dropToZip = (times.described + times.exported) / 1000;
const pyodideMs = split.read + split.job;
console.log(`volume -> series, 512x512x${slices} ${dtype} NIfTI (${(inputBytes / 1e6).toFixed(1)} MB), headless chromium`);
console.log(`  drop -> described: ${(times.described / 1000).toFixed(2)} s`);
console.log(`  convert + zip:     ${convertS.toFixed(2)} s  = ${(slices / convertS).toFixed(0)} slices/s`);
console.log(`  drop -> zip ready (without the click): ${dropToZip.toFixed(2)} s  = ${(slices / dropToZip).toFixed(0)} slices/s`);
console.log(`  split (ms): read into Python ${split.read}, job ${split.job} (Python ${split.python}, handing over ${split.job - split.python}); zip ${MB(split.zipBytes)}`);
// the worker answers CDP only between job steps, so samples can miss the top: the wasm
// memory only grows, so its final size plus the largest JS heaps seen bounds it from above
const bound = sampled.job.wasmBytes + most.page + most.workerHeap;
const top = Math.max(peak.total, bound);
console.log(`  peak memory (JS heap + buffers incl. wasm, page + worker): ${MB(top)} = ${(top / inputBytes).toFixed(2)}x input`);
console.log(`    (a second run, sampled every 100 ms: ${sampled.exported} ms for the job)`);
console.log(`    largest sample ${MB(peak.total)} (page ${MB(peak.page)}, worker ${MB(peak.worker)}); wasm memory after the job ${MB(sampled.job.wasmBytes)}` +
  ` + largest page ${MB(most.page)} + largest worker JS heap ${MB(most.workerHeap)} = ${MB(bound)}; before the drop ${MB(before.page + before.worker)}`);
console.log(`  page footer: ${backend.trim()}`);
for (const nativeBackend of ["numpy", "stdlib"]) {
  const ms = native(nativeBackend);
  console.log(`  native ${nativeBackend}: read + write_series + zip ${ms} ms; Pyodide/native: Python work ${(split.python / ms).toFixed(2)}` +
    `, whole job incl. reading the File and handing the zip over ${(pyodideMs / ms).toFixed(2)}`);
}
rmSync(dir, { recursive: true, force: true });
