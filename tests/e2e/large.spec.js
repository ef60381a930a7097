// A 256 MB volume (1024x1024x128 int16) dropped in the page: progress with counts during the
// job, the page handles input meanwhile, and the zip holds every slice. No timings asserted.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, waitReady, watchPage } from "./helpers.js";

const SLICES = 128;

// the header from nibabel, then one random slice repeated with a per-slice offset (cheap)
const MAKE = `
import sys, numpy as np, nibabel
header = nibabel.Nifti1Header()
header.set_data_shape((1024, 1024, ${SLICES}))
header.set_data_dtype(np.int16)
header.set_sform(np.diag([0.5, 0.5, 1.0, 1]), code=1)
header["vox_offset"] = 352
base = np.random.default_rng(8).integers(-1024, 2048, size=(1024, 1024), dtype=np.int16)
with open(sys.argv[1], "wb") as fh:
    fh.write(header.binaryblock + b"\\0" * 4)
    for k in range(${SLICES}):
        fh.write((base + k).T.tobytes())
`;

const CHECK = `
import io, json, sys, zipfile, pydicom, numpy as np
z = zipfile.ZipFile(sys.argv[1])
names = [n for n in z.namelist() if not n.endswith("/")]
base = np.random.default_rng(8).integers(-1024, 2048, size=(1024, 1024), dtype=np.int16)
checked = []
for k in (0, ${SLICES - 1}):
    ds = pydicom.dcmread(io.BytesIO(z.read(f"slice_{k + 1:04d}.dcm")))
    checked.append({"rows": ds.Rows, "cols": ds.Columns, "inst": int(ds.InstanceNumber),
                    "desc": ds.SeriesDescription, "same": bool(np.array_equal(ds.pixel_array, (base + k).T))})
print(json.dumps({"count": len(names), "checked": checked}))
`;

test("a 256 MB volume: progress with counts, the page answers during the job, 128 files", async ({ page }) => {
  test.setTimeout(120_000);
  const { consoleErrors } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-large-"));
  try {
    const volume = join(dir, "large.nii");
    execFileSync(PYTHON, ["-c", MAKE, volume]);
    await page.goto("/");
    await waitReady(page);
    // recorded in the page (no polling races): every progress text shown, and for each
    // keystroke in the description field whether a job was running (Cancel enabled)
    await page.evaluate(() => {
      window.__texts = [];
      window.__typedDuringJob = [];
      const text = document.querySelector("#progress .progress-text");
      new MutationObserver(() => window.__texts.push(text.textContent)).observe(text, { childList: true, characterData: true, subtree: true });
      const cancel = document.querySelector("#progress button.cancel");
      document.querySelector('#series-form [name="seriesDescription"]')
        .addEventListener("input", () => window.__typedDuringJob.push(!cancel.disabled));
    });
    await page.locator("#file-input").setInputFiles(volume);
    await expect(page.locator('#input-list li[data-file="large.nii"]')).toContainText(`NIFTI volume · 1024×1024×${SLICES} int16`);

    const form = page.locator("#series-form");
    const description = form.getByLabel("Series description");
    await description.fill("Large");
    await form.getByLabel("Modality").selectOption("CT");
    await form.getByRole("button", { name: "Convert" }).click();

    // while the job runs, typing is handled: keystrokes from the click on, until one of them
    // found the job running (Cancel enabled). Waiting to see the progress first raced a job
    // that ended before the keystroke came.
    await description.press("End");
    await expect(async () => {
      await description.press("!");
      expect(await page.evaluate(() => window.__typedDuringJob)).toContain(true);
    }).toPass({ timeout: 60_000 });
    await expect(description).toHaveValue(/^Large!+$/);

    const link = page.locator("#download a");
    await expect(link).toBeVisible({ timeout: 90_000 });
    await expect(page.locator("#progress .progress-text")).toHaveText(`Done: ${SLICES} files.`);
    const { texts, typedDuringJob } = await page.evaluate(() => ({ texts: window.__texts, typedDuringJob: window.__typedDuringJob }));
    const counts = new Set(texts.filter((t) => new RegExp(`^slice \\d+/${SLICES}`).test(t)));
    expect(counts.size).toBeGreaterThan(3);
    expect(typedDuringJob[0]).toBe(false); // the fill before the job: the recorder tells the two apart

    const downloadPromise = page.waitForEvent("download");
    await link.click();
    const zipPath = join(dir, "large.zip");
    await (await downloadPromise).saveAs(zipPath);
    const report = JSON.parse(execFileSync(PYTHON, ["-c", CHECK, zipPath], { encoding: "utf8" }));
    expect(report.count).toBe(SLICES);
    expect(report.checked).toEqual([
      { rows: 1024, cols: 1024, inst: 1, desc: "Large", same: true },
      { rows: 1024, cols: 1024, inst: SLICES, desc: "Large", same: true },
    ]);
    expect(consoleErrors).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
