// Compressed DICOM in headless chromium against the built app, and the same natively:
// - ms per 512x512 16-bit frame decoded by the worker's codecs (the job's timings.decode: the
//   codec plus the copy into Python's buffer), JPEG 2000 Lossless and JPEG-LS Lossless, against
//   pylibjpeg natively (the decoder dicomforge uses there; median of 20);
// - a 512x512xN JPEG-LS CT series -> uncompressed series zip, end to end (slices/s), against
//   the series job natively over the same files.
// Usage: node tests/bench/compressed.mjs [--slices 300] [--frames 30] [--url http://localhost:4173/]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";
import { pageTimes } from "./marks.mjs";
import { option, runPython } from "./args.mjs";

const slices = Number(option("slices", 300));
const frames = Number(option("frames", 30));
const url = option("url", "http://localhost:4173/");
const run = runPython;

// a CT-like volume (a smooth phantom with noise, as scanners give), JPEG-LS and JPEG 2000 coded
const dir = mkdtempSync(join(tmpdir(), "dicomforge-compressed-"));
run(`
import sys, numpy as np
n = int(sys.argv[2])
y, x = np.mgrid[-256:256, -256:256]
rng = np.random.default_rng(1)
body = np.where(x * x / 220**2 + y * y / 180**2 < 1, 40, -1000)
vol = np.stack([body + 300 * np.exp(-((x - 30 * np.sin(k / 20)) ** 2 + y ** 2) / 5000) for k in range(n)])
vol = (vol + rng.normal(0, 12, vol.shape)).astype("<i2")
vol.tofile(sys.argv[1] + "/raw")`, dir, String(slices));
execFileSync("node", ["tests/tools/encode-frame.mjs", "jpegls", join(dir, "raw"), join(dir, "jls"), "512", "512", "16", "1", "1", String(slices)]);
run(`
import sys, numpy as np, pydicom
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGLSLossless, JPEG2000Lossless, generate_uid
folder, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
raw = np.fromfile(folder + "/raw", "<i2").reshape(n, 512, 512)
series = {"jls": generate_uid(), "j2k": generate_uid()}
for k in range(n):
    for kind in ("jls", "j2k") if k < m else ("jls",):
        ds = pydicom.dcmread(get_testdata_file("CT_small.dcm", download=False))
        ds.Rows = ds.Columns = 512
        ds.SeriesInstanceUID, ds.SOPInstanceUID, ds.InstanceNumber = series[kind], generate_uid(), k + 1
        ds.ImagePositionPatient, ds.PixelSpacing, ds.SliceThickness = [-180, -180, 1.25 * k], [0.7, 0.7], 1.25
        if kind == "jls":
            ds.PixelData = encapsulate([open(f"{folder}/jls.{k}", "rb").read()])
            ds["PixelData"].VR = "OB"
            ds.file_meta.TransferSyntaxUID = JPEGLSLossless
        else:
            ds.compress(JPEG2000Lossless, raw[k], encoding_plugin="pylibjpeg")
        ds.save_as(f"{folder}/{kind}_{k:04d}.dcm", enforce_file_format=True)`, dir, String(slices), String(frames));
const files = (prefix) => readdirSync(dir).filter((n) => n.startsWith(prefix) && n.endsWith(".dcm")).sort().map((n) => join(dir, n));

// natively: pylibjpeg per frame (median of 20), and the series job over the JPEG-LS files (best of 3)
const native = JSON.parse(run(`
import json, sys, time, statistics, glob
import pydicom
from dicomforge import jobs
from dicomforge.dicom.codecs import decode_fragment
from dicomforge.dicom.fragments import frame_fragment
from dicomforge.inputs import NamedInput
out = {}
for kind, path in (("jpeg2000", sys.argv[1] + "/j2k_0000.dcm"), ("jpeg-ls", sys.argv[1] + "/jls_0000.dcm")):
    ds = pydicom.dcmread(path)
    fragment, syntax = frame_fragment(ds, 0, 1), str(ds.file_meta.TransferSyntaxUID)
    times = []
    for _ in range(21):
        t0 = time.perf_counter()
        decode_fragment(syntax, fragment, 0, 512, 512, 1, 16, True, "MONOCHROME2")
        times.append(time.perf_counter() - t0)
    out[kind] = statistics.median(times[1:]) * 1000
inputs = [NamedInput(p, open(p, "rb").read()) for p in sorted(glob.glob(sys.argv[1] + "/jls_*.dcm"))]
best = None
for _ in range(3):
    t0 = time.perf_counter()
    for event in jobs.zip_events(jobs.start("series", inputs, {})):
        pass
    best = min(best or 1e9, time.perf_counter() - t0)
out["series"] = best * 1000
print(json.dumps(out))`, dir));

const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });

async function inPage(paths, form, job) {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
  await page.setInputFiles("#file-input", paths);
  await page.waitForSelector(`${form}:not([hidden])`, { timeout: 300_000 });
  await page.click(`${form} button[type=submit]`);
  await page.waitForSelector("#download a", { timeout: 600_000 });
  const times = await pageTimes(page, job);
  await page.close();
  return times;
}

const perFrame = ({ ms, frames: n }) => ms / n;
const series = await inPage(files("jls_"), "#series-form", "series");
const transcoded = await inPage(files("j2k_"), "#convert-form", "convert");
await browser.close();

const jls = perFrame(series.job.decode["jpeg-ls"]);
const j2k = perFrame(transcoded.job.decode.jpeg2000);
console.log(`compressed DICOM, 512x512 int16 CT-like frames, headless chromium (worker codecs) vs native (pylibjpeg)`);
console.log(`  JPEG 2000 Lossless: ${j2k.toFixed(1)} ms/frame in chromium (${transcoded.job.decode.jpeg2000.frames} frames), native ${native.jpeg2000.toFixed(1)} ms: ratio ${(j2k / native.jpeg2000).toFixed(2)}`);
console.log(`  JPEG-LS Lossless:   ${jls.toFixed(1)} ms/frame in chromium (${series.job.decode["jpeg-ls"].frames} frames), native ${native["jpeg-ls"].toFixed(1)} ms: ratio ${(jls / native["jpeg-ls"]).toFixed(2)}`);
const seconds = series.exported / 1000;
const dropToZip = (series.described + series.exported) / 1000;
console.log(`  ${slices}-slice JPEG-LS series -> uncompressed series zip: convert + zip ${seconds.toFixed(2)} s = ${(slices / seconds).toFixed(0)} slices/s;` +
  ` drop -> zip ready ${dropToZip.toFixed(2)} s = ${(slices / dropToZip).toFixed(0)} slices/s`);
console.log(`    split (ms): read ${series.job.read}, job ${series.job.job} (Python ${series.job.python}, of it decoding ${Math.round(series.job.decode["jpeg-ls"].ms)})`);
console.log(`  native series job over the same files (read, decode, write, zip): ${native.series.toFixed(0)} ms = ${(slices / native.series * 1000).toFixed(0)} slices/s`);
rmSync(dir, { recursive: true, force: true });
