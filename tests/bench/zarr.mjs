// Zarr v3 in headless chromium against the built app, and the same code natively:
// - a 512x512xN int16 CT-like volume (NIfTI in) -> Zarr zip store, zstd level 1 and Blosc (zstd,
//   bitshuffle): MB/s of input (the job's own time) and the compression ratio of each;
// - a Zarr store made from an N-slice DICOM series -> the series rebuilt: slices/s.
// Figures, not assertions; the median of --runs runs in the page, and every run printed.
// Usage: node tests/bench/zarr.mjs [--slices 300] [--runs 3] [--url http://localhost:4173/]
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";
import { pageTimes } from "./marks.mjs";
import { option, runPython } from "./args.mjs";

const slices = Number(option("slices", 300));
const runs = Number(option("runs", 3));
const url = option("url", "http://localhost:4173/");
const run = runPython;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), "dicomforge-zarr-"));
// the volume (a smooth phantom with scanner noise), as NIfTI and as a DICOM series, and the
// series' Zarr store; natively: the same jobs over the same inputs (median of --runs)
const native = JSON.parse(run(`
import json, os, sys, time, statistics
import numpy as np, nibabel as nib
from dicomforge import jobs
from dicomforge.inputs import NamedInput
folder, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
y, x = np.mgrid[-256:256, -256:256]
rng = np.random.default_rng(1)
body = np.where(x * x / 220**2 + y * y / 180**2 < 1, 40, -1000)
vol = np.stack([body + 300 * np.exp(-((x - 30 * np.sin(k / 20)) ** 2 + y ** 2) / 5000) for k in range(n)])
vol = (vol + rng.normal(0, 12, vol.shape)).astype("<i2")
nib.save(nib.Nifti1Image(vol.transpose(2, 1, 0), np.diag([0.7, 0.7, 1.25, 1])), folder + "/ct.nii")
item = NamedInput("ct.nii", open(folder + "/ct.nii", "rb").read())
os.mkdir(folder + "/dicom")
for e in jobs.start("series", [item], {"modality": "CT"}):
    if e["type"] == "file":
        open(folder + "/dicom/" + e["name"], "wb").write(e["data"])
series = [NamedInput(p, open(folder + "/dicom/" + p, "rb").read()) for p in sorted(os.listdir(folder + "/dicom"))]
out = {"mb": vol.nbytes / 1e6}
def timed(job, inputs, options, name=None):
    times, size = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        for e in jobs.zip_events(jobs.start(job, inputs, options)):
            if e["type"] == "zip":
                size += sum(len(c) for c in e["chunks"])
                if name and e["final"]:
                    pass
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, size // runs
out["zstd_ms"], out["zstd_bytes"] = timed("zarr", [item], {})
out["blosc_ms"], out["blosc_bytes"] = timed("zarr", [item], {"compressor": "blosc"})
store = {e["name"]: e["data"] for e in jobs.start("zarr", series, {}) if e["type"] == "file"}
import zipfile
with zipfile.ZipFile(folder + "/ct.zarr.zip", "w") as z:
    for k, v in store.items():
        z.writestr(k, v)
zipped = NamedInput("ct.zarr.zip", open(folder + "/ct.zarr.zip", "rb").read())
out["rebuild_ms"], _ = timed("series", [zipped], {})
print(json.dumps(out))`, dir, String(slices), String(runs)));

const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });

async function inPage(path, form, job, choose) {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
  await page.setInputFiles("#file-input", [path]);
  await page.waitForSelector(`${form}:not([hidden])`, { timeout: 300_000 });
  if (choose) await page.selectOption(`${form} [name="format"]`, choose);
  await page.click(`${form} button[type=submit]`);
  await page.waitForSelector("#download a", { timeout: 600_000 });
  const times = await pageTimes(page, job);
  backend = (await page.textContent("#versions"))?.match(/backend (\w+)/)?.[1] ?? "?";
  await page.close();
  return times;
}
let backend = "?";

const page = { zstd: [], blosc: [], rebuild: [] };
for (let i = 0; i < runs; i++) {
  page.zstd.push(await inPage(join(dir, "ct.nii"), "#volume-form", "zarr", "zarr"));
  page.blosc.push(await inPage(join(dir, "ct.nii"), "#volume-form", "zarr", "zarr-blosc"));
  page.rebuild.push(await inPage(join(dir, "ct.zarr.zip"), "#series-form", "series"));
}
await browser.close();

const mbs = (ms) => native.mb / (ms / 1000);
const show = (xs) => xs.map((x) => x.toFixed(0)).join(", ");
console.log(`Zarr v3, ${slices} slices of 512x512 int16 (${native.mb.toFixed(0)} MB), headless chromium (built app, kernel backend ${backend}) vs native (numpy)`);
for (const [name, label] of [["zstd", "zstd level 1"], ["blosc", "Blosc zstd/bitshuffle clevel 1"]]) {
  const ms = page[name].map((t) => t.exported);
  const bytes = page[name][0].job.zipBytes;
  console.log(`    split of the last run: ${JSON.stringify(page[name].at(-1).job)}`);
  console.log(`  -> ${label}: chromium median ${median(ms)} ms = ${mbs(median(ms)).toFixed(0)} MB/s (runs ${show(ms)} ms);` +
    ` native ${native[`${name}_ms`].toFixed(0)} ms = ${mbs(native[`${name}_ms`]).toFixed(0)} MB/s; ratio ${(median(ms) / native[`${name}_ms`]).toFixed(2)};` +
    ` compression ${(native.mb * 1e6 / bytes).toFixed(2)}:1 (${(bytes / 1e6).toFixed(1)} MB store)`);
}
const rebuild = page.rebuild.map((t) => t.exported);
console.log(`  Zarr store of the DICOM series -> series rebuilt: chromium median ${median(rebuild)} ms = ${(slices / median(rebuild) * 1000).toFixed(0)} slices/s` +
  ` (runs ${show(rebuild)} ms); native ${native.rebuild_ms.toFixed(0)} ms = ${(slices / native.rebuild_ms * 1000).toFixed(0)} slices/s`);
rmSync(dir, { recursive: true, force: true });
