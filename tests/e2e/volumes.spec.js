// Volumes out of the page: a DICOM series as a Zarr v3 zip store (zarr-python and ome-zarr-models
// read it) and as NIfTI (dcm2niix agrees); the downloaded store dropped on a fresh page rebuilds
// the series with every attribute; a damaged store is named and nothing else breaks.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, crossOrigin, download, waitReady, watchPage } from "./helpers.js";

const CHECK = "tests/e2e/check_volumes.py";
const check = (...args) =>
  execFileSync(PYTHON, [CHECK, ...args], { encoding: "utf8", env: { ...process.env, PYTHONPATH: "tests/py" } }).trim();
const status = (page) => page.locator("#progress .progress-text");

async function exportAs(page, format) {
  const form = page.locator("#volume-form");
  await form.locator('[name="format"]').selectOption(format);
  await form.getByRole("button", { name: "Export" }).click();
}

test("a DICOM series out as a Zarr zip store and as NIfTI; the store back in rebuilds the series", async ({ page }) => {
  const { consoleErrors, requests } = watchPage(page);
  await page.goto("/");
  await waitReady(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-zarr-"));
  const names = check("write", dir).split("\n");
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await expect(status(page)).toHaveText("12 of 12 inputs recognised.");

  await exportAs(page, "zarr");
  await expect(status(page)).toHaveText("Done: 14 files.");
  await expect(page.locator("#download a")).toContainText(".zarr.zip");
  const store = await download(page, dir, "series.zarr.zip");
  expect(check("zarr", dir, store)).toBe("ok");

  await exportAs(page, "nifti");
  await expect(status(page)).toHaveText("Done: IM0000.nii.gz.");
  const nifti = await download(page, dir, "IM0000.nii.gz");
  expect(check("nifti", dir, nifti)).toBe("ok");

  // a fresh page: the store is an input like any volume, and the series job rebuilds the series
  await page.goto("/");
  await waitReady(page);
  writeFileSync(join(dir, "damaged.zarr.zip"), readFileSync(store).subarray(0, 5000)); // cut short: no central directory
  await page.locator("#file-input").setInputFiles([store, join(dir, "damaged.zarr.zip")]);
  await expect(status(page)).toHaveText("1 of 2 inputs recognised.");
  await expect(page.locator('#input-list li[data-file="series.zarr.zip"] .detail')).toContainText("ZARR volume · 64×48×12 int16");
  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(status(page)).toHaveText("Done: 12 files, 1 failed.");
  await expect(page.locator('#input-list li.error[data-file="damaged.zarr.zip"]')).toContainText("is not a readable zip archive");
  const series = await download(page, dir, "rebuilt.zip");
  expect(check("series", dir, series)).toBe("ok");
  await expect(page.locator("#viewer")).toHaveAttribute("data-painted", /\d+/);

  // the store unzipped to a folder and dropped as a folder: one volume, exported as NRRD
  await page.goto("/");
  await waitReady(page);
  const folder = join(dir, "unzipped", "scan.zarr");
  execFileSync(PYTHON, ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", store, folder]);
  await page.locator("#folder-input").setInputFiles(folder);
  await expect(status(page)).toHaveText("14 of 14 inputs recognised.");
  await expect(page.locator("#input-list li")).toHaveCount(1);
  await expect(page.locator("#input-list li .detail")).toContainText("ZARR volume · 64×48×12 int16");
  await exportAs(page, "nrrd");
  await expect(status(page)).toHaveText("Done: scan.nrrd.");
  const nrrd = await download(page, dir, "scan.nrrd");
  expect(check("nrrd", dir, nrrd)).toBe("ok");
  expect(crossOrigin(requests, new URL(page.url()).origin)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
