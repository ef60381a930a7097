// The workspace as a user meets it: a whole folder, and the sample button end to end.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, pydicomTestFile, waitReady, watchPage } from "./helpers.js";

test("a folder with nested files is read recursively; every DICOM file is listed", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const root = join(mkdtempSync(join(tmpdir(), "dicomforge-folder-")), "study");
  mkdirSync(join(root, "series1", "deeper"), { recursive: true });
  writeFileSync(join(root, "series1", "ct.dcm"), pydicomTestFile("CT_small.dcm"));
  writeFileSync(join(root, "series1", "deeper", "mr.dcm"), pydicomTestFile("MR_small.dcm"));
  writeFileSync(join(root, "notes.txt"), "not an image");
  await page.goto("/");
  await waitReady(page);
  await page.locator("#folder-input").setInputFiles(root);
  await expect(page.locator('#input-list li[data-file="study/series1/ct.dcm"]')).toContainText("CT CT Image Storage");
  await expect(page.locator('#input-list li[data-file="study/series1/deeper/mr.dcm"]')).toContainText("MR MR Image Storage");
  await expect(page.locator('#input-list li[data-file="study/notes.txt"]')).toHaveClass(/error/);
  await expect(page.locator("#viewer .viewer-position")).toHaveText("image 1/2");
  expect(consoleErrors).toEqual([]);
});

test("try a sample: phantom -> series -> preview -> download", async ({ page }, testInfo) => {
  const { consoleErrors } = watchPage(page);
  await page.goto("/");
  await waitReady(page);
  await page.getByRole("button", { name: "Try a sample" }).click();
  await expect(page.locator('#input-list li[data-file="sample_phantom.nii"]')).toContainText("NIFTI volume · 128×128×48 int16");
  const form = page.locator("#series-form");
  await form.getByLabel("Modality").selectOption("CT");
  await form.getByRole("button", { name: "Convert" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 48 files.");
  await expect(page.locator("#viewer h2")).toHaveText("Preview of sample_phantom.zip");
  await expect(page.locator("#viewer .viewer-position")).toHaveText("image 25/48"); // the middle slice
  await page.screenshot({ path: testInfo.outputPath("sample-done.png"), fullPage: true });
  const downloadPromise = page.waitForEvent("download");
  await page.locator("#download a").click();
  const zipPath = join(mkdtempSync(join(tmpdir(), "dicomforge-sample-")), "sample.zip");
  await (await downloadPromise).saveAs(zipPath);
  const count = execFileSync(PYTHON, ["-c", "import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))", zipPath], { encoding: "utf8" });
  expect(Number(count)).toBe(48);
  expect(consoleErrors).toEqual([]);
});
