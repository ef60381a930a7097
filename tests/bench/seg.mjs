// DICOM SEG in headless chromium against the built app, the same job natively, and highdicom
// natively on the same input as the reference: a 512x512xN CT series + a label map with 5
// labels -> one BINARY Segmentation (the job's own time, from the Make SEG click to the file).
// Figures, not assertions; --runs runs in the page, every run printed.
// Usage: node tests/bench/seg.mjs [--slices 300] [--runs 3] [--url http://localhost:4173/]
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";
import { option, runPython } from "./args.mjs";
import { pageTimes } from "./marks.mjs";

const slices = Number(option("slices", 300));
const runs = Number(option("runs", 3));
const url = option("url", "http://localhost:4173/");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), "dicomforge-seg-"));
const native = JSON.parse(runPython(`
import io, json, os, sys, time, statistics
import numpy as np, nibabel as nib, pydicom
from dicomforge import jobs
from dicomforge.inputs import NamedInput
folder, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
y, x = np.mgrid[-256:256, -256:256]
vol = np.zeros((n, 512, 512), "<i2")
affine = np.diag([-0.7, -0.7, 1.25, 1]); affine[:3, 3] = [180, 180, 0]
nib.save(nib.Nifti1Image(vol.transpose(2, 1, 0), affine), folder + "/ct.nii")
for e in jobs.start("series", [NamedInput("ct.nii", open(folder + "/ct.nii", "rb").read())], {"modality": "CT"}):
    if e["type"] == "file":
        open(folder + "/" + e["name"], "wb").write(e["data"])
os.remove(folder + "/ct.nii")
lab = np.zeros((n, 512, 512), np.uint8)
for v, (cx, cy, r, z0, z1) in enumerate([(-80, 0, 60, .07, .67), (80, -20, 40, .17, .5), (0, 80, 30, .33, .93),
                                         (0, -100, 20, 0, 1), (120, 100, 25, .5, .83)], 1):
    lab[int(z0 * n):int(z1 * n)][:, (x - cx) ** 2 + (y - cy) ** 2 < r * r] = v
nib.save(nib.Nifti1Image(lab.transpose(2, 1, 0), affine), folder + "/labels.nii")
names = sorted(f for f in os.listdir(folder) if f.endswith(".dcm"))
inputs = [NamedInput(f, open(folder + "/" + f, "rb").read()) for f in names] + [NamedInput("labels.nii", open(folder + "/labels.nii", "rb").read())]
def timed(run):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter(); frames = run(); times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, frames
ours, frames = timed(lambda: [e["value"]["frames"] for e in jobs.start("seg", inputs, {}) if e["type"] == "result"][0])
import highdicom as hd
def theirs():
    sources = sorted((pydicom.dcmread(io.BytesIO(i.data)) for i in inputs[:-1]), key=lambda d: float(d.ImagePositionPatient[2]))
    segs = [hd.seg.SegmentDescription(segment_number=v, segment_label=f"s{v}", segmented_property_category=hd.sr.CodedConcept("85756007", "SCT", "Tissue"),
            segmented_property_type=hd.sr.CodedConcept("85756007", "SCT", "Tissue"), algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL) for v in range(1, 6)]
    seg = hd.seg.Segmentation(source_images=sources, pixel_array=lab, segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
          segment_descriptions=segs, series_instance_uid=hd.UID(), series_number=2, sop_instance_uid=hd.UID(), instance_number=1,
          manufacturer="x", manufacturer_model_name="x", software_versions="1", device_serial_number="1")
    out = io.BytesIO(); seg.save_as(out)
    return int(seg.NumberOfFrames)
reference, their_frames = timed(theirs)
print(json.dumps({"ours": ours, "frames": frames, "highdicom": reference, "highdicomFrames": their_frames}))`, dir, String(slices), String(runs)));

const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });
const files = readdirSync(dir).map((n) => join(dir, n));
const times = [];
for (let i = 0; i < runs; i++) {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
  await page.setInputFiles("#file-input", files);
  await page.waitForSelector("#seg-form:not([hidden])", { timeout: 300_000 });
  await page.click("#seg-form button[type=submit]");
  await page.waitForSelector("#download a", { timeout: 600_000 });
  times.push(await pageTimes(page, "seg"));
  await page.close();
}
await browser.close();
const ms = times.map((t) => t.exported);
console.log(`DICOM SEG: ${slices} CT slices of 512x512 + a label map with 5 labels -> one BINARY Segmentation (${native.frames} frames)`);
console.log(`  chromium (built app): median ${median(ms)} ms (runs ${ms.join(", ")} ms); split of the last: ${JSON.stringify(times.at(-1).job)}`);
console.log(`  native (this job): ${native.ours.toFixed(0)} ms; highdicom natively (numpy, same masks, ${native.highdicomFrames} frames): ` +
  `${native.highdicom.toFixed(0)} ms; ours / highdicom natively ${(native.ours / native.highdicom).toFixed(2)}, chromium / highdicom ${(median(ms) / native.highdicom).toFixed(2)}`);
rmSync(dir, { recursive: true, force: true });
