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
# float32: each slice is converted to int16 with a fitted rescale, then deflated into the zip
# (noise does not compress: about 6 ms a slice here, whatever the pixel backend; the rescale
# itself takes 0.2 ms with the js kernels). The cancel lands 300-450 ms after the first slice:
# 400 slices leave a wide margin
data = np.random.default_rng(5).normal(100, 30, size=(256, 256, 400)).astype(np.float32)
nibabel.save(nibabel.Nifti1Image(data, np.eye(4)), sys.argv[1])
`, path]);
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles(path);
  await page.locator('#series-form select[name="compression"]').selectOption("DEFLATE");
  const convert = page.locator("#series-form").getByRole("button", { name: "Convert" });
  const text = page.locator("#progress .progress-text");
  await convert.click();
  await expect(text).toHaveText(/^slice \d+\/400/);
  await page.locator("#progress button.cancel").click();
  await expect(text).toHaveText("Cancelled.");
  await expect(page.locator("#download")).toBeHidden();

  await convert.click();
  await expect(text).toHaveText("Done: 400 files.", { timeout: 120_000 });
  await expect(page.locator("#download a")).toContainText("Download big.zip");
  expect(consoleErrors).toEqual([]);
});
