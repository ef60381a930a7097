// Overlays in the page: drop DICOM files + a label map, add overlays, download, verify with pydicom.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, waitReady, watchPage } from "./helpers.js";

const SCRIPT = "tests/e2e/make_overlay_case.py";
const env = { ...process.env, PYTHONPATH: "py" };

/** The page, ready, and the overlay case (a 6-slice series + labels.nrrd) written to a new folder. */
async function openWithCase(page) {
  const { consoleErrors } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-ovl-"));
  const names = execFileSync(PYTHON, [SCRIPT, dir], { encoding: "utf8", env }).trim().split("\n");
  await page.goto("/");
  await waitReady(page);
  return { consoleErrors, dir, names };
}

test("drop a series and a label map, add overlays, download files whose overlays equal the labels", async ({ page }) => {
  const { consoleErrors, dir, names } = await openWithCase(page);
  // shuffled on purpose: slices are matched by geometry, not by order
  await page.locator("#file-input").setInputFiles([...names].reverse().map((n) => join(dir, n)));
  await expect(page.locator('#input-list li[data-files="6"]')).toContainText("DICOM series · CT CT Image Storage · 40×30 · 6 files");
  await expect(page.locator('#input-list li[data-file="labels.nrrd"]')).toContainText("NRRD label map (labels 1, 2)");
  const form = page.locator("#overlay-form");
  await expect(form).toBeVisible();
  await form.getByLabel("Overlay type").selectOption("R");
  await form.getByRole("button", { name: "Add overlays" }).click();
  const link = page.locator("#download a");
  await expect(link).toContainText("Download src_overlays.zip");
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 6 files.");
  // the files were read once, when dropped: the job used what describing them had read
  const inputs = await page.evaluate(() => performance.getEntriesByName("dicomforge-overlay-done")[0].detail.inputs);
  expect(inputs).toEqual({ kept: names.length, read: 0, readerBytes: 0 });
  const downloadPromise = page.waitForEvent("download");
  await link.click();
  const zipPath = join(dir, "overlays.zip");
  await (await downloadPromise).saveAs(zipPath);

  const report = JSON.parse(execFileSync(PYTHON, [SCRIPT, "--check", zipPath], { encoding: "utf8", env }));
  const files = Object.values(report);
  expect(files).toHaveLength(6);
  expect(new Set(files.map((f) => f.slice))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  for (const f of files) {
    expect(f.series).toBe("src (overlays)");
    expect(Object.keys(f.planes).length).toBe(2);
    expect(Object.values(f.planes).every(Boolean)).toBe(true);
  }
  expect(consoleErrors).toEqual([]);
});

test("a new drop hides the forms until it is described: no export of new files with the old choices", async ({ page }) => {
  const { consoleErrors, dir, names } = await openWithCase(page);
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await expect(page.locator("#overlay-form")).toBeVisible();
  // what the forms show in the same task as the drop (the app's listener runs first)
  await page.evaluate(() => {
    const picker = document.querySelector("#file-input");
    picker.addEventListener("change", () => {
      window.formsOnDrop = ["#overlay-form", "#series-form"].map((id) => document.querySelector(id).hidden);
    }, { once: true });
  });
  const dicomOnly = names.filter((n) => n.endsWith(".dcm"));
  await page.locator("#file-input").setInputFiles(dicomOnly.map((n) => join(dir, n)));
  expect(await page.evaluate(() => window.formsOnDrop)).toEqual([true, true]);
  // described: a series without a label map offers a series export, not overlays
  await expect(page.locator("#progress .progress-text")).toHaveText(`${dicomOnly.length} of ${dicomOnly.length} inputs recognised.`);
  await expect(page.locator("#series-form")).toBeVisible();
  await expect(page.locator("#overlay-form")).toBeHidden();
  expect(consoleErrors).toEqual([]);
});

test("a volume dropped beside the series and the label map: an error for it, the overlays for the rest", async ({ page }) => {
  const { consoleErrors, dir, names } = await openWithCase(page);
  const stray = join(dir, "other.nii");
  execFileSync(PYTHON, ["-c", "import sys; from dicomforge.phantom import phantom_nifti; "
    + "open(sys.argv[1], 'wb').write(phantom_nifti((8, 6, 2)))", stray], { env });
  await page.locator("#file-input").setInputFiles([...names.map((n) => join(dir, n)), stray]);
  await expect(page.locator('#input-list li[data-file="labels.nrrd"]')).toContainText("NRRD label map (labels 1, 2)");
  await page.locator("#overlay-form").getByRole("button", { name: "Add overlays" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 6 files, 1 failed.");
  await expect(page.locator('#input-list li.error[data-file="other.nii"] .detail')).toContainText("not a DICOM file");
  expect(consoleErrors).toEqual([]);
});
