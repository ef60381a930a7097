// Existing overlays in the page: drop pydicom's examples_overlay.dcm, see its plane listed,
// remove it, download, and check the file with pydicom (no 60xx left, everything else equal).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, pydicomTestFile, waitReady, watchPage } from "./helpers.js";

// compares the zip's only file with the source: prints what differs outside the overlay groups
const CHECK = `
import io, json, sys, zipfile
from pydicom import dcmread
src = dcmread(sys.argv[1])
with zipfile.ZipFile(sys.argv[2]) as z:
    names = z.namelist()
    new = dcmread(io.BytesIO(z.read(names[0])))
derived = {0x00080018, 0x0008103E, 0x00082111, 0x00082112, 0x0020000E}
a, b = {int(e.tag): e for e in src}, {int(e.tag): e for e in new}
differ = [f"{t:08X}" for t in sorted(set(a) | set(b))
          if not (0x6000 <= t >> 16 <= 0x601E) and t not in derived
          and (t not in a or t not in b or a[t].VR != b[t].VR or a[t].value != b[t].value)]
print(json.dumps({"names": names, "overlays": [f"{t:08X}" for t in b if 0x6000 <= t >> 16 <= 0x601E],
                  "sourceOverlays": len([t for t in a if t >> 16 == 0x6000]), "differ": differ,
                  "derivation": str(new.get("DerivationDescription", ""))}))
`;

test("an existing overlay is listed, then removed; the downloaded file has no 60xx group left", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-ovlrm-"));
  const source = join(dir, "examples_overlay.dcm");
  writeFileSync(source, pydicomTestFile("examples_overlay.dcm"));
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles([source]);

  const entry = page.locator('#input-list li[data-file="examples_overlay.dcm"]');
  await expect(entry.locator(".overlay")).toHaveText(
    "overlay 6000 · 484×300 · G (graphics) · Siemens MedCom Object Graphics · 1 frame",
  );
  // the viewer draws it, with its toggle
  await expect(page.locator("#viewer .overlay-toggles input")).toHaveCount(1);
  const form = page.locator("#overlay-form");
  await expect(form).toBeVisible();
  await expect(form.getByLabel("Labels (e.g. 1,2; empty: all)")).toBeHidden();
  await form.getByRole("checkbox", { name: /Remove overlay 6000/ }).check();
  await form.getByRole("button", { name: "Remove overlays" }).click();
  const link = page.locator("#download a");
  await expect(link).toContainText("Download marked_lesion_MPR_Collection_overlays.zip");
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 1 files.");
  const downloadPromise = page.waitForEvent("download");
  await link.click();
  const zipPath = join(dir, "overlays.zip");
  await (await downloadPromise).saveAs(zipPath);

  const report = JSON.parse(execFileSync(PYTHON, ["-c", CHECK, source, zipPath], { encoding: "utf8" }));
  expect(report.names).toEqual(["examples_overlay.dcm"]);
  expect(report.sourceOverlays).toBeGreaterThan(0);
  expect(report.overlays).toEqual([]);
  expect(report.differ).toEqual([]);
  expect(report.derivation).toContain("overlay planes removed by dicomforge");
  expect(consoleErrors).toEqual([]);
});
