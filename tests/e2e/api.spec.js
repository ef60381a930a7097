// The embedding API (web/api.js) from a minimal editor page: in-memory masks and volume, no app DOM.
import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { PYTHON, crossOrigin, watchPage } from "./helpers.js";

const SCRIPT = "tests/e2e/make_api_case.py";
const env = { ...process.env, PYTHONPATH: "py" };

test("an editor page exports overlays for in-memory masks and converts an in-memory volume", async ({ page, baseURL }) => {
  const { requests, consoleErrors } = watchPage(page);
  const payload = JSON.parse(execFileSync(PYTHON, [SCRIPT], { encoding: "utf8", env, maxBuffer: 1 << 26 }));
  await page.goto("/web/examples/editor/index.html");
  const result = await page.evaluate(async ({ dicom, masks, volume }) => {
    const bytes = (list) => new Uint8Array(list);
    return window.editorScenario({
      dicom: dicom.map((d) => ({ name: d.name, data: bytes(d.data) })),
      masks: Object.fromEntries(Object.entries(masks).map(([uid, m]) => [uid, bytes(m)])),
      volume: { name: volume.name, data: bytes(volume.data).buffer },
    });
  }, payload);

  expect(result.info).toMatchObject({ pydicom: "3.0.2", backend: "js" });
  expect(result.info.python).toMatch(/^3\.14\./);
  expect(result.progress).toEqual([1, 2, 3]);
  expect(result.series).toEqual(["slice_0001.dcm", "slice_0002.dcm", "slice_0003.dcm", "slice_0004.dcm"]);
  expect(result.preview).toMatchObject({ width: 30, height: 20, bytes: 30 * 20 * 4, window: { center: -600, width: 1500 } });
  expect(result.zipSize).toBeGreaterThan(4 * 1000);
  expect(result.rejected).toMatchObject({ name: "DicomForgeError", file: "broken.nii" });

  const report = JSON.parse(execFileSync(PYTHON, [SCRIPT, "--check"], { input: JSON.stringify(result), encoding: "utf8", env, maxBuffer: 1 << 26 }));
  expect(Object.keys(report)).toHaveLength(3);
  expect(Object.values(report).every(Boolean)).toBe(true);
  await expect(page.locator("#drop-zone")).toHaveCount(0); // the app's DOM is not there
  expect(crossOrigin(requests, new URL(baseURL).origin)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
