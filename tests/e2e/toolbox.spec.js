// The toolbox in the page: a zip of a DICOM series and a NIfTI dropped -> its entries listed
// and converted; a file inspected (its tree, search, values as text); the series de-identified
// and downloaded (no original name, ID or UID in it); a malicious zip refused entry by entry.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, crossOrigin, download, waitReady, watchPage } from "./helpers.js";

const TOOL = "tests/e2e/make_toolbox.py";
const run = (...args) =>
  execFileSync(PYTHON, [TOOL, ...args], { encoding: "utf8", env: { ...process.env, PYTHONPATH: "py:tests/py" } }).trim();
const status = (page) => page.locator("#progress .progress-text");

test("a zip of a series and a NIfTI: listed, converted, inspected, de-identified", async ({ page }) => {
  const { consoleErrors, requests } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-toolbox-"));
  run("write", dir);
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles(join(dir, "series.zip"));
  await expect(status(page)).toHaveText("7 of 7 inputs recognised.");
  const list = page.locator("#input-list");
  await expect(list.locator('li[data-file="series.zip/volumes/phantom.nii"]')).toContainText("NIFTI");
  await expect(list.locator("li.dicom")).toContainText("HEAD CT");

  // both converted: the series job writes one series per volume (the DICOM series is one too)
  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(status(page)).toHaveText(/^Done: 10 files\.$/);

  // the inspector: the first DICOM file's tree, searchable; values are text
  const inspector = page.locator("#inspector");
  await expect(inspector).toBeVisible();
  await expect(inspector.locator(".inspector-status")).toHaveText(/^\d+ elements$/);
  await inspector.locator('input[type="search"]').fill("PatientName");
  const row = inspector.locator(".element.match").first();
  await expect(row.locator(".value")).toHaveText("DOE^JANE");
  await expect(row.locator(".vr")).toHaveText("PN");
  await expect(row.locator(".copy-path")).toHaveAttribute("data-path", "PatientName");

  // de-identified (keeping the private attributes known to be safe) and downloaded: checked outside the browser
  await page.locator('#deid-form input[name="retainSafePrivate"]').check();
  await page.locator("#deid-form").getByRole("button", { name: "De-identify" }).click();
  await expect(status(page)).toHaveText("Done: 6 files.");
  await expect(page.locator("#download .download-summary")).toHaveText("6 DICOM files and a report");
  const zip = await download(page, dir, "deidentified.zip");
  expect(run("check-deid", zip)).toBe("ok");
  expect(crossOrigin(requests, new URL(page.url()).origin)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test("PNG images -> Secondary Capture, decoded by the browser, patient from a dropped DICOM file", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-images-"));
  run("write", dir);
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles([join(dir, "photo.png"), join(dir, "grey.png"), join(dir, "series.zip")]);
  await expect(status(page)).toHaveText("9 of 9 inputs recognised.");
  await expect(page.locator('#input-list li[data-file="photo.png"]')).toContainText("PNG image");
  const form = page.locator("#image-form");
  await form.locator('[name="reference"]').selectOption("series.zip/study/ct/slice_0001.dcm");
  await form.getByRole("button", { name: "Make DICOM" }).click();
  await expect(status(page)).toHaveText("Done: 2 files.");
  const zip = await download(page, dir, "images.zip");
  expect(run("check-images", zip)).toBe("ok");
  expect(consoleErrors).toEqual([]);
});

test("a malicious zip: its bad entries refused with a message, the good one used", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-evil-"));
  run("write", dir);
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles(join(dir, "evil.zip"));
  await expect(status(page)).toHaveText("1 of 1 inputs recognised.");
  const list = page.locator("#input-list");
  await expect(list.locator('li.error[data-file="evil.zip/../escape.dcm"]')).toContainText("climbs out of the archive");
  await expect(list.locator('li.error[data-file="evil.zip/bomb.bin"]')).toContainText("zip bomb");
  await expect(list.locator("li.dicom")).toHaveCount(1);
  // nothing else broke: the good file converts
  await page.locator("#convert-form").getByRole("button", { name: "Transcode" }).click();
  await expect(status(page)).toHaveText("Done: 1 files.");
  expect(consoleErrors).toEqual([]);
});
