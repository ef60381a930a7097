// Overlay throughput in headless chromium against the built app: drop N DICOM files of
// 256x256 int16 (a series written by dicomforge) with a random label map on their grid,
// add overlays, wait for the zip. Prints files/s and the split read / Python job (the zip
// is built inside the job), then the same describe + overlay + zip work natively (CPython,
// stdlib and numpy backends) in the same run, the Pyodide/native ratio, and the native
// bit-packing speed of both backends. Figures only: nothing here asserts a time.
// Each run is a fresh browser; with --runs N every run is printed and the split and ratios
// are those of the median run (runs on a 2-core machine differ by 20-35%).
// Usage: node tests/bench/overlays.mjs [--files 500] [--runs 1] [--url http://localhost:4173/]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";
import { pageTimes } from "./marks.mjs";
import { option, PYTHON } from "./args.mjs";

const count = Number(option("files", 500));
const runs = Number(option("runs", 1));
const url = option("url", "http://localhost:4173/");
const python = PYTHON;

const dir = mkdtempSync(join(tmpdir(), "dicomforge-ovlbench-"));
execFileSync(python, ["-c", `
import sys, pathlib, numpy as np, nrrd
from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import write_series
from dicomforge.volume import Volume
out = pathlib.Path(sys.argv[1]); n = int(sys.argv[2])
rng = np.random.default_rng(3)
image = rng.integers(-1024, 3071, size=(n, 256, 256), dtype=np.int16)
vol = Volume(image.tobytes(), "int16", (256, 256, n), (0.8, 0.8, 1.5), (0.0, 0.0, 0.0))
for name, data in write_series(vol, SeriesOptions(modality="CT", file_pattern="img_%04d.dcm")):
    (out / name).write_bytes(data)
labels = (rng.random((256, 256, n)) < 0.1).astype(np.uint8)
nrrd.write(str(out / "mask.nrrd"), labels, {"space": "left-posterior-superior", "space directions": np.diag([0.8, 0.8, 1.5]), "space origin": np.zeros(3)})
`, dir, String(count)], { env: { ...process.env, PYTHONPATH: "py" } });
const files = readdirSync(dir).map((n) => join(dir, n));
const totalBytes = files.reduce((sum, f) => sum + statSync(f).size, 0);

/** One run in a fresh browser: the page's marks (see marks.mjs). */
async function browserRun() {
  const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
    await page.setInputFiles("#file-input", files);
    await page.waitForSelector("#overlay-form:not([hidden])", { timeout: 300_000 });
    await page.click("#overlay-form button[type=submit]");
    await page.waitForSelector("#download a", { timeout: 600_000 });
    return await pageTimes(page, "overlay");
  } finally {
    await browser.close();
  }
}

const seconds = (ms) => (ms / 1000).toFixed(2);
const all = [];
for (let r = 0; r < runs; r++) {
  const t = await browserRun();
  all.push(t);
  if (runs > 1) {
    console.log(`  run ${r + 1}: drop -> zip ready ${seconds(t.described + t.exported)} s ` +
      `(described ${seconds(t.described)} s, overlays + zip ${seconds(t.exported)} s)`);
  }
}
all.sort((a, b) => a.described + a.exported - (b.described + b.exported));
const times = all[Math.floor(all.length / 2)];
const [described, split] = [times.describe, times.job];
const exported = times.exported / 1000;
const which = runs > 1 ? ` (median of ${runs} runs: ${all.map((t) => seconds(t.described + t.exported)).join(", ")} s)` : "";
console.log(`overlays, ${count} files of 256x256 int16 (${(totalBytes / 1e6).toFixed(1)} MB) + label map, headless chromium${which}`);
console.log(`  drop -> described: ${seconds(times.described)} s (worker: last input read into Python after ${described.read} ms, ` +
  `job done after ${described.total} ms, of which Python ${described.python} ms: describing starts on the first inputs)`);
console.log(`  add overlays + zip: ${exported.toFixed(2)} s = ${(count / exported).toFixed(0)} files/s`);
console.log(`  split (ms): inputs ready after ${split.read} (kept from describing them), job incl. zip ${split.total} (Python ${split.python})`);
console.log(`  drop -> zip ready (both steps, without the click): ${seconds(times.described + times.exported)} s`);

// the same work natively, in this run: describe, then overlay job with the zip built by
// dicomforge.jobs.zip_events (as the worker does), per backend
const NATIVE = `
import json, os, statistics, sys, time
from dicomforge import jobs, kernels
from dicomforge.inputs import NamedInput
from dicomforge.jobs import zip_events
folder = sys.argv[1]
files = {n: open(os.path.join(folder, n), "rb").read() for n in sorted(os.listdir(folder))}
def timed(events):
    t = time.perf_counter()
    for _ in events:
        pass
    return (time.perf_counter() - t) * 1000
# as in the page: fresh inputs, described, then the overlay job on the same inputs (which
# keep what describing them found: inputs.NamedInput.memo); median of 3 such rounds
jobs.warm_up()
rounds = []
for _ in range(3):
    inputs = [NamedInput(n, d) for n, d in files.items()]
    rounds.append((timed(jobs.start("describe", inputs)), timed(zip_events(jobs.start("overlay", inputs, {}), "STORE"))))
describe = statistics.median(r[0] for r in rounds)
overlay = statistics.median(r[1] for r in rounds)
mask = bytes(b % 2 for b in os.urandom(256 * 256))
packing = {}
for backend in kernels.available_backends():
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(200):
            backend.pack_bits(mask)
        runs.append((time.perf_counter() - t) / 200 * 1000)
    packing[backend.name] = min(runs)
print(json.dumps({"backend": kernels.BACKEND, "describe": describe, "overlay": overlay, "packing": packing}))
`;
const native = {};
for (const backend of ["stdlib", "numpy"]) {
  const out = execFileSync(python, ["-c", NATIVE, dir], { encoding: "utf8", env: { ...process.env, PYTHONPATH: "py", DICOMFORGE_BACKEND: backend } });
  native[backend] = JSON.parse(out);
}
console.log(`natively (CPython, same files, median of 3; the page runs the js backend):`);
for (const [name, n] of Object.entries(native)) {
  console.log(`  ${name}: describe ${n.describe.toFixed(0)} ms, overlay job incl. zip ${n.overlay.toFixed(0)} ms`);
}
const ratio = (browserMs, nativeMs) => (browserMs / nativeMs).toFixed(2);
console.log(`  Pyodide/native (stdlib) ratio: describe (Python) ${ratio(described.python, native.stdlib.describe)}, ` +
  `overlay job ${ratio(split.total, native.stdlib.overlay)} (its Python alone ${ratio(split.python, native.stdlib.overlay)}); ` +
  `both jobs, reads included ${ratio(described.total + split.total, native.stdlib.describe + native.stdlib.overlay)}`);
console.log(`  Pyodide/native (numpy) ratio: overlay job ${ratio(split.total, native.numpy.overlay)}`);
const p = native.numpy.packing;
console.log(`  bit packing of one 256x256 mask: stdlib ${(p.stdlib * 1000).toFixed(0)} µs, numpy ${p.numpy ? (p.numpy * 1000).toFixed(0) + " µs" : "n/a"}`);
rmSync(dir, { recursive: true, force: true });
