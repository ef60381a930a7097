// Hostile input in the page: 20 garbage files dropped with one good volume give 20 clear
// errors (each naming its file) and one good zip; the dropped files are not modified.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, pydicomTestFile, waitReady, watchPage } from "./helpers.js";

const CHECK_ZIP = `
import io, json, sys, zipfile, pydicom
z = zipfile.ZipFile(sys.argv[1])
files = [pydicom.dcmread(io.BytesIO(z.read(n))) for n in z.namelist() if not n.endswith("/")]
print(json.dumps({"count": len(files), "uids": len({f.SeriesInstanceUID for f in files}),
                  "size": [files[0].Columns, files[0].Rows], "bad": z.testzip()}))
`;

test("20 garbage files and one good volume: 20 errors, one good zip, inputs untouched", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-hostile-"));
  const names = execFileSync(PYTHON, ["tests/e2e/make_hostile.py", dir], { encoding: "utf8" }).trim().split("\n");
  const hash = (name) => createHash("sha256").update(readFileSync(join(dir, name))).digest("hex");
  const before = Object.fromEntries(names.map((n) => [n, hash(n)]));

  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await expect(page.locator('#input-list li[data-file="good.nii.gz"]')).toContainText("NIFTI volume · 40×32×9 int16");
  const errors = page.locator("#input-list li.error");
  await expect(errors).toHaveCount(20);
  for (const name of names.slice(1)) {
    const entry = page.locator(`#input-list li.error[data-file="${name}"]`);
    await expect(entry, name).toHaveCount(1);
    await expect(entry.locator(".detail"), name).not.toBeEmpty();
  }
  await expect(page.locator('#input-list li.error[data-file="huge.nii"] .detail')).toContainText("limit");
  await expect(page.locator('#input-list li.error[data-file="lonely.mhd"] .detail')).toContainText("k.raw");

  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText(/^Done: 9 files, 20 failed\.$/, { timeout: 60_000 });
  await expect(errors).toHaveCount(20);
  const downloadPromise = page.waitForEvent("download");
  await page.locator("#download a").click();
  const zipPath = join(dir, "out.zip");
  await (await downloadPromise).saveAs(zipPath);
  const report = JSON.parse(execFileSync(PYTHON, ["-c", CHECK_ZIP, zipPath], { encoding: "utf8" }));
  expect(report).toEqual({ count: 9, uids: 1, size: [40, 32], bad: null });

  for (const name of names) expect(hash(name), `${name} modified`).toBe(before[name]);
  expect(consoleErrors).toEqual([]);
});

test("a file deleted after it was chosen is named as empty; the other files are described", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-gone-"));
  const names = ["a.dcm", "b.dcm", "gone.dcm", "c.dcm"];
  for (const name of names) writeFileSync(join(dir, name), pydicomTestFile("CT_small.dcm"));
  await page.goto("/");
  await waitReady(page);
  // Files chosen (in an input the app does not watch), one deleted, then handed to the app:
  // the browser looks a File up on disk when the page first posts it, and finds 0 bytes
  await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", '<input type="file" multiple id="chosen" hidden>'));
  await page.locator("#chosen").setInputFiles(names.map((n) => join(dir, n)));
  unlinkSync(join(dir, "gone.dcm"));
  await page.evaluate(() => {
    const input = document.querySelector("#file-input");
    const chosen = new DataTransfer();
    for (const file of document.querySelector("#chosen").files) chosen.items.add(file);
    input.files = chosen.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  const gone = page.locator('#input-list li.error[data-file="gone.dcm"] .detail');
  await expect(gone).toContainText("the file is empty (0 bytes): was it deleted or emptied after it was chosen?");
  await expect(page.locator("#progress .progress-text")).toHaveText("3 of 4 inputs recognised.");
  await expect(page.locator("#input-list li.error")).toHaveCount(1);
  expect(consoleErrors).toEqual([]);
});
