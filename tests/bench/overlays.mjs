// Overlay throughput in headless chromium against the built app: drop N DICOM files of
// 256x256 int16 (a series written by dicomforge) with a random label map on their grid,
// add overlays, wait for the zip. Prints files/s and the split read / Python job / zip.
// Usage: node tests/bench/overlays.mjs [--files 500] [--url http://localhost:4173/]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const count = Number(option("files", 500));
const url = option("url", "http://localhost:4173/");
const python = process.env.DICOMFORGE_PYTHON ?? ".venv/bin/python";

const dir = mkdtempSync(join(tmpdir(), "dicomforge-ovlbench-"));
execFileSync(python, ["-c", `
import sys, pathlib, numpy as np, nrrd
from dicomforge.series import SeriesOptions, write_series
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

const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });
const page = await browser.newPage();
await page.goto(url);
await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
const t0 = Date.now();
await page.setInputFiles("#file-input", files);
await page.waitForSelector("#overlay-form:not([hidden])", { timeout: 300_000 });
const t1 = Date.now();
await page.click("#overlay-form button[type=submit]");
await page.waitForSelector("#download a", { timeout: 600_000 });
const t2 = Date.now();
const split = await page.evaluate(() => performance.getEntriesByName("dicomforge-overlay-done")[0]?.detail);
await browser.close();
const seconds = (t2 - t1) / 1000;
console.log(`overlays, ${count} files of 256x256 int16 (${(totalBytes / 1e6).toFixed(1)} MB) + label map, headless chromium`);
console.log(`  drop -> described: ${((t1 - t0) / 1000).toFixed(2)} s`);
console.log(`  add overlays + zip: ${seconds.toFixed(2)} s = ${(count / seconds).toFixed(0)} files/s`);
console.log(`  split (ms): read into Python ${split.read}, Python job ${split.job}, zip ${split.zip}`);
