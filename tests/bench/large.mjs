// A large volume dropped in the page (headless chromium, built app): a SIZExSIZExSLICES int16
// NIfTI (.nii; 1024x1024x512 = 1 GiB by default) converted with the series form. Prints the
// outcome (files written, or the error the page shows), drop -> described, convert time,
// slices/s, peak memory, zip size, how often the progress text changed, and the page's
// responsiveness during the job: a click on the page header every ~250 ms, its input delay
// (performance.now() - event.timeStamp, recorded by a handler this script installs).
// Usage: node tests/bench/large.mjs [--size 1024] [--slices 512] [--url http://localhost:4173/]
//
// Memory as in series.mjs: JS heap + ArrayBuffer backing stores (which include the wasm
// memory) of the page and of the worker (CDP Runtime.getHeapUsage, polled every 250 ms),
// and the worker's wasm memory size as the job reports it. Blob storage (the zip) lives
// in the browser process and is not counted.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";
import { memoryProbe, sampleMemory } from "./memory.mjs";
import { option, PYTHON } from "./args.mjs";

const size = Number(option("size", 1024));
const slices = Number(option("slices", 512));
const url = option("url", "http://localhost:4173/");
const python = PYTHON;
const CLICK_EVERY_MS = 250;

// A cheap volume: the header from nibabel, then one random slice repeated with a per-slice
// offset (no per-voxel random numbers for a gigabyte).
const dir = mkdtempSync(join(tmpdir(), "dicomforge-large-"));
const path = join(dir, `large_${size}x${size}x${slices}.nii`);
execFileSync(python, ["-c", `
import sys, numpy as np, nibabel
n, nz = int(sys.argv[2]), int(sys.argv[3])
header = nibabel.Nifti1Header()
header.set_data_shape((n, n, nz))
header.set_data_dtype(np.int16)
header.set_sform(np.diag([0.5, 0.5, 1.0, 1]), code=1)
header["vox_offset"] = 352
base = np.random.default_rng(1).integers(-1024, 2048, size=(n, n), dtype=np.int16)
with open(sys.argv[1], "wb") as fh:
    fh.write(header.binaryblock + b"\\0" * 4)
    for k in range(nz):
        fh.write((base + (k % 1000)).T.tobytes())  # x fastest
`, path, String(size), String(slices)]);
const inputBytes = statSync(path).size;

const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });
const page = await browser.newPage();
const cdp = await page.context().newCDPSession(page);
let crashed = false;
page.on("crash", () => (crashed = true));
const consoleErrors = [];
page.on("console", (msg) => msg.type() === "error" && consoleErrors.push(msg.text()));

const memoryNow = await memoryProbe(cdp);

await page.goto(url);
await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
// recorders: input delay of clicks on the header, and every progress text shown
await page.evaluate(() => {
  window.__clicks = [];
  document.querySelector(".app-header").addEventListener("click", (event) => {
    window.__clicks.push(performance.now() - event.timeStamp);
  });
  window.__texts = [];
  const text = document.querySelector("#progress .progress-text");
  new MutationObserver(() => window.__texts.push(text.textContent)).observe(text, { childList: true, characterData: true, subtree: true });
});
const header = await page.locator(".app-header").boundingBox();

const sampler = sampleMemory(memoryNow, 250, () => !crashed);

const t0 = Date.now();
await page.setInputFiles("#file-input", path);
// described: the series form appears, or the input is refused (e.g. over the size limit)
await page.waitForSelector("#series-form:not([hidden]), #input-list li.error", { timeout: 300_000 });
const t1 = Date.now();
const described = await page.locator("#input-list li").first().textContent();
if (await page.locator("#series-form").isHidden()) {
  console.log(`large volume, ${size}x${size}x${slices} int16 NIfTI (${(inputBytes / 1e6).toFixed(0)} MB): refused when described ` +
    `(${((t1 - t0) / 1000).toFixed(2)} s): ${described?.trim()}`);
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
await page.selectOption('select[name="modality"]', "CT");
await page.click("#series-form button[type=submit]");

// click the header every ~250 ms while the job runs; how long each click took to come back
// from the browser is also kept (it includes the renderer's main thread being busy)
let clicking = true;
const roundTrips = [];
const clicker = (async () => {
  while (clicking && !crashed) {
    const start = Date.now();
    try {
      await page.mouse.click(header.x + 5, header.y + header.height / 2);
      roundTrips.push(Date.now() - start);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, CLICK_EVERY_MS - (Date.now() - start))));
  }
})();

const failedText = page.waitForFunction(
  () => /^(Failed|Nothing|Cancelled)/.test(document.querySelector("#progress .progress-text")?.textContent ?? ""),
  null, { timeout: 0, polling: 500 },
);
const crash = new Promise((resolve) => page.on("crash", resolve));
const outcome = await Promise.race([
  page.waitForSelector("#download a", { timeout: 1_800_000 }).then(() => "completed"),
  failedText.then(() => "failed"),
  crash.then(() => "crashed"),
]).catch((error) => `timed out (${error.message.split("\n")[0]})`);
const t2 = Date.now();
clicking = false;
await clicker;
const { peak, most } = await sampler.stop();

const MB = (n) => `${(n / 1e6).toFixed(0)} MB`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
console.log(`large volume -> series, ${size}x${size}x${slices} int16 NIfTI (${MB(inputBytes)}), headless chromium`);
console.log(`  described as: ${described?.trim()}`);
console.log(`  drop -> described: ${((t1 - t0) / 1000).toFixed(2)} s`);
if (crashed || outcome === "crashed") {
  console.log("  outcome: the tab CRASHED");
} else {
  const state = await page.evaluate(() => ({
    text: document.querySelector("#progress .progress-text")?.textContent ?? "",
    errors: [...document.querySelectorAll("#input-list .error, #input-list [data-error]")].map((e) => e.textContent.trim()),
    clicks: window.__clicks,
    texts: window.__texts,
    split: performance.getEntriesByName("dicomforge-series-done")[0]?.detail ?? null,
  }));
  const convertS = (t2 - t1) / 1000;
  if (outcome === "completed") {
    console.log(`  outcome: completed, ${state.split?.files} files (${state.text})`);
    console.log(`  convert + zip: ${convertS.toFixed(2)} s = ${(slices / convertS).toFixed(0)} slices/s; ` +
      `split (ms): read into Python ${state.split.read}, job ${state.split.job} (Python ${state.split.python})`);
    console.log(`  zip: ${MB(state.split.zipBytes)}`);
  } else {
    console.log(`  outcome: ${outcome} after ${convertS.toFixed(2)} s: ${state.text}`);
    for (const error of state.errors) console.log(`    input list: ${error}`);
  }
  const counts = state.texts.filter((t) => /\d+\/\d+/.test(t));
  console.log(`  progress: text changed ${state.texts.length} times, ${new Set(counts).size} distinct counts ` +
    `(first "${counts[0] ?? "-"}", last "${counts.at(-1) ?? "-"}")`);
  const delays = state.clicks;
  console.log(`  responsiveness: ${delays.length} clicks handled of ${roundTrips.length} sent; input delay max ` +
    `${Math.max(...delays).toFixed(1)} ms, median ${median(delays).toFixed(1)} ms; click round trip max ` +
    `${Math.max(...roundTrips)} ms, median ${median(roundTrips)} ms`);
  const wasm = state.split?.wasmBytes ?? 0;
  const bound = wasm + most.page + most.workerHeap;
  const top = Math.max(peak.total, bound);
  console.log(`  peak memory (JS heap + buffers incl. wasm, page + worker): ${MB(top)} = ${(top / inputBytes).toFixed(2)}x input`);
  console.log(`    largest sample ${MB(peak.total)} (page ${MB(peak.page)}, worker ${MB(peak.worker)})` +
    (wasm ? `; wasm memory after the job ${MB(wasm)}` : ""));
}
if (consoleErrors.length) console.log(`  console errors: ${consoleErrors.slice(0, 3).join(" | ")}`);
await browser.close();
rmSync(dir, { recursive: true, force: true });
