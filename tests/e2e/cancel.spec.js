// Cancellation: a running conversion stops when the user cancels, and the worker takes the next job.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, waitReady, watchPage } from "./helpers.js";

test("cancel mid-conversion, then convert again", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const path = join(mkdtempSync(join(tmpdir(), "dicomforge-cancel-")), "big.nii");
  execFileSync(PYTHON, ["-c", `
import sys, numpy as np, nibabel
# float32: each slice is converted to int16 with a fitted rescale. Slices come about 11 ms
# apart here and the cancel lands 300-450 ms after the first one: 200 slices leave a wide margin
data = np.random.default_rng(5).normal(100, 30, size=(256, 256, 200)).astype(np.float32)
nibabel.save(nibabel.Nifti1Image(data, np.eye(4)), sys.argv[1])
`, path]);
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles(path);
  const convert = page.locator("#series-form").getByRole("button", { name: "Convert" });
  const text = page.locator("#progress .progress-text");
  await convert.click();
  await expect(text).toHaveText(/^slice \d+\/200/);
  await page.locator("#progress button.cancel").click();
  await expect(text).toHaveText("Cancelled.");
  await expect(page.locator("#download")).toBeHidden();

  await convert.click();
  await expect(text).toHaveText("Done: 200 files.", { timeout: 120_000 });
  await expect(page.locator("#download a")).toContainText("Download big.zip");
  expect(consoleErrors).toEqual([]);
});
