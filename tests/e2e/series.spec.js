// Volume -> DICOM series in the page: drop, convert, download the zip, check it with pydicom.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, waitReady, watchPage } from "./helpers.js";

const CHECK_ZIP = `
import io, json, sys, zipfile, pydicom
z = zipfile.ZipFile(sys.argv[1])
names = sorted(n for n in z.namelist() if not n.endswith("/"))
series = {}
for name in names:
    ds = pydicom.dcmread(io.BytesIO(z.read(name)))
    series.setdefault(name.split("/")[0] if "/" in name else "", []).append(
        {"uid": ds.SeriesInstanceUID, "modality": ds.Modality, "desc": ds.SeriesDescription,
         "rows": ds.Rows, "cols": ds.Columns, "spacing": [float(v) for v in ds.PixelSpacing],
         "ipp": [float(v) for v in ds.ImagePositionPatient], "inst": int(ds.InstanceNumber)})
print(json.dumps({"names": names, "series": series}))
`;

test("drop a NIfTI and an .mhd + .raw pair, convert, download a valid zip", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-e2e-"));
  const names = execFileSync(PYTHON, ["tests/e2e/make_volumes.py", dir], { encoding: "utf8" }).trim().split("\n");
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));

  await expect(page.locator('#input-list li[data-file="head.nii.gz"]')).toContainText("NIFTI volume · 64×48×12 int16");
  await expect(page.locator('#input-list li[data-file="phantom.mhd"]')).toContainText("METAIMAGE volume · 50×40×10 uint16");
  await expect(page.locator('#input-list li[data-file="phantom.raw"]')).toContainText("data file of a two-file volume");

  const form = page.locator("#series-form");
  await form.getByLabel("Series description").fill("E2E export");
  await form.getByLabel("Modality").selectOption("MR");
  await form.getByRole("button", { name: "Convert" }).click();

  const link = page.locator("#download a");
  await expect(link).toContainText("Download E2E_export.zip");
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 22 files.");
  const downloadPromise = page.waitForEvent("download");
  await link.click();
  const download = await downloadPromise;
  const zipPath = join(dir, "out.zip");
  await download.saveAs(zipPath);

  const report = JSON.parse(execFileSync(PYTHON, ["-c", CHECK_ZIP, zipPath], { encoding: "utf8" }));
  expect(report.names).toHaveLength(22);
  const head = report.series.head;
  const phantom = report.series.phantom;
  expect(head).toHaveLength(12);
  expect(phantom).toHaveLength(10);
  expect(new Set(head.map((f) => f.uid)).size).toBe(1);
  expect(head[0].uid).not.toBe(phantom[0].uid);
  for (const f of [...head, ...phantom]) {
    expect(f.modality).toBe("MR");
    expect(f.desc).toBe("E2E export");
  }
  // NIfTI keeps its affine in float32, so 0.9 arrives as 0.89999998 (within 1e-6)
  expect(head[0]).toMatchObject({ rows: 48, cols: 64 });
  expect(head[0].spacing[0]).toBeCloseTo(0.9, 6);
  expect(head[0].spacing[1]).toBeCloseTo(0.8, 6);
  expect(phantom[0]).toMatchObject({ rows: 40, cols: 50, spacing: [0.6, 0.7] });
  const first = phantom.find((f) => f.inst === 1);
  expect(first.ipp).toEqual([-5, 12.5, 40]);
  expect(readFileSync(zipPath).subarray(0, 2).toString()).toBe("PK");
  expect(consoleErrors).toEqual([]);
});

// Inputs over 4 MiB take the worker's big-file paths: described from their first MiB (an
// 8-bit one read whole, for its labels), then copied into Python chunk by chunk.
const MAKE_BIG = `
import sys, numpy as np, nibabel
from pathlib import Path
out = Path(sys.argv[1])
rng = np.random.default_rng(3)
ct = rng.integers(-1024, 3071, size=(256, 256, 40), dtype=np.int16)
nibabel.save(nibabel.Nifti1Image(ct, np.diag([0.7, 0.7, 1.25, 1])), out / "big_ct.nii")
labels = np.zeros((256, 256, 80), dtype=np.uint8)
labels[40:90, 50:120, 10:30] = 3
labels[150:200, 60:100, 40:70] = 7
nibabel.save(nibabel.Nifti1Image(labels, np.diag([0.7, 0.7, 1.25, 1])), out / "big_labels.nii")
`;

const CHECK_BIG = `
import io, json, sys, zipfile, pydicom, nibabel, numpy as np
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
ct = np.asarray(nibabel.load(sys.argv[2]).dataobj)
same = []
for k in (0, 17, 39):
    ds = pydicom.dcmread(io.BytesIO(z.read(f"big_ct/slice_{k + 1:04d}.dcm")))
    # voxels keep their order (RAS -> LPS flips the direction vectors, not the data)
    same.append(bool(np.array_equal(ds.pixel_array, ct[:, :, k].T)))
print(json.dumps({"count": len(z.namelist()), "same": same}))
`;

test("big inputs: described from their start, converted, zipped and checked voxel by voxel", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-e2e-"));
  execFileSync(PYTHON, ["-c", MAKE_BIG, dir]);
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles(["big_ct.nii", "big_labels.nii"].map((n) => join(dir, n)));
  await expect(page.locator('#input-list li[data-file="big_ct.nii"]')).toContainText("NIFTI volume · 256×256×40 int16");
  await expect(page.locator('#input-list li[data-file="big_labels.nii"]')).toContainText("label map (labels 3, 7)");

  const form = page.locator("#series-form");
  await form.getByLabel("Modality").selectOption("CT");
  await form.getByRole("button", { name: "Convert" }).click();
  const link = page.locator("#download a");
  await expect(link).toBeVisible({ timeout: 60_000 });
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 120 files.");
  const downloadPromise = page.waitForEvent("download");
  await link.click();
  const zipPath = join(dir, "big.zip");
  await (await downloadPromise).saveAs(zipPath);
  const report = JSON.parse(execFileSync(PYTHON, ["-c", CHECK_BIG, zipPath, join(dir, "big_ct.nii")], { encoding: "utf8" }));
  expect(report).toEqual({ count: 120, same: [true, true, true] });
  await expect(page.locator("#viewer")).toBeVisible();
  await expect(page.locator("#viewer")).toHaveAttribute("data-painted", /[1-9]/);
  expect(consoleErrors).toEqual([]);
});
