// Volume -> series throughput in headless chromium against the built app: drop a
// 512x512xN int16 NIfTI, convert, wait for the zip; prints slices/s and memory.
// Usage: node tests/bench/series.mjs [--slices 300] [--dtype int16|float32] [--url http://localhost:4173/]
import { execFileSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const slices = Number(option("slices", 300));
const dtype = option("dtype", "int16");
const url = option("url", "http://localhost:4173/");
const python = process.env.DICOMFORGE_PYTHON ?? ".venv/bin/python";

const dir = mkdtempSync(join(tmpdir(), "dicomforge-bench-"));
const path = join(dir, `bench_${dtype}.nii`);
execFileSync(python, ["-c", `
import sys, numpy as np, nibabel
rng = np.random.default_rng(1)
data = rng.integers(-1024, 3071, size=(512, 512, ${slices})).astype("${dtype}")
nibabel.save(nibabel.Nifti1Image(data, np.diag([0.7, 0.7, 1.25, 1])), sys.argv[1])
`, path]);
const inputBytes = statSync(path).size;

const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: [...CHROMIUM_ARGS, "--enable-precise-memory-info"] });
const page = await browser.newPage();
const cdp = await page.context().newCDPSession(page);
await page.goto(url);
await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
const t0 = Date.now();
await page.setInputFiles("#file-input", path);
await page.waitForSelector("#series-form:not([hidden])", { timeout: 300_000 });
const t1 = Date.now();
await page.selectOption('select[name="modality"]', "CT");
await page.click("#series-form button[type=submit]");
let peak = 0;
const poll = setInterval(async () => {
  try {
    const { usedSize } = await cdp.send("Runtime.getHeapUsage");
    peak = Math.max(peak, usedSize);
  } catch {}
}, 200);
await page.waitForSelector("#download a", { timeout: 600_000 });
const t2 = Date.now();
clearInterval(poll);
const split = await page.evaluate(() => performance.getEntriesByName("dicomforge-series-done")[0]?.detail);
await browser.close();
const convertS = (t2 - t1) / 1000;
console.log(`volume -> series, 512x512x${slices} ${dtype} NIfTI (${(inputBytes / 1e6).toFixed(1)} MB), headless chromium`);
console.log(`  drop -> described: ${((t1 - t0) / 1000).toFixed(2)} s`);
console.log(`  convert + zip:     ${convertS.toFixed(2)} s  = ${(slices / convertS).toFixed(0)} slices/s`);
console.log(`  drop -> zip ready: ${((t2 - t0) / 1000).toFixed(2)} s  = ${(slices / ((t2 - t0) / 1000)).toFixed(0)} slices/s`);
console.log(`  split (ms): read into Python ${split.read}, Python job ${split.job}, zip ${split.zip}`);
console.log(`  page JS heap peak (sampled): ${(peak / 1e6).toFixed(0)} MB`);
