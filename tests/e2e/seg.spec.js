// DICOM SEG in the page: a CT series + a label map -> a Segmentation (dciodvfy finds no error,
// highdicom reads the same masks), drawn over the series in the viewer in its colours; the
// downloaded SEG dropped with the series on a fresh page is listed with its segments and drawn.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, crossOrigin, download, waitReady, watchPage } from "./helpers.js";

const CHECK = "tests/e2e/check_seg.py";
const check = (...args) =>
  execFileSync(PYTHON, [CHECK, ...args], { encoding: "utf8", env: { ...process.env, PYTHONPATH: "py:tests/py" } }).trim();
const status = (page) => page.locator("#progress .progress-text");
const viewer = (page) => page.locator("#viewer");

/** The RGB of canvas pixel (x, y). */
const pixel = (page, x, y) =>
  viewer(page).locator("canvas").evaluate((canvas, [px, py]) => [...canvas.getContext("2d").getImageData(px, py, 1, 1).data.slice(0, 3)], [x, y]);

test("a series + a label map -> a valid SEG, shown over the series; dropped back in, listed and shown", async ({ page }) => {
  const { consoleErrors, requests } = watchPage(page);
  await page.goto("/");
  await waitReady(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-seg-"));
  const names = check("write", dir).split("\n");
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await expect(status(page)).toHaveText("7 of 7 inputs recognised.");
  const form = page.locator("#seg-form");
  await form.locator('[name="names"]').fill("Liver, Spleen");
  await form.getByRole("button", { name: "Make SEG" }).click();
  await expect(status(page)).toHaveText("Done: labels_seg.dcm (5 frames).");
  const seg = await download(page, dir, "labels_seg.dcm");
  expect(check("check", dir, seg)).toBe("ok");

  // the viewer: the series with the segments as planes (toggles named after them, in their colours)
  const toggles = viewer(page).locator(".overlay-toggles label");
  await expect(toggles).toHaveText([" Liver", " Spleen"]);
  await viewer(page).locator('[name="image"]').selectOption({ index: 3 }); // slice 3: both segments
  await expect(viewer(page)).toHaveAttribute("data-painted", /\d+/);
  const liver = await pixel(page, 10, 15);
  expect(liver[0]).toBeGreaterThan(liver[2]); // Liver's colour (221, 130, 101) over grey

  // a fresh page: the SEG and the series dropped together
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles([...names.filter((n) => n.startsWith("IM")).map((n) => join(dir, n)), seg]);
  await expect(status(page)).toHaveText("7 of 7 inputs recognised.");
  const entry = page.locator('#input-list li[data-file="labels_seg.dcm"]');
  await expect(entry.locator(".segment")).toHaveText([" segment 1: Liver (Liver)", " segment 2: Spleen (Spleen)"]);
  await expect(toggles).toHaveText([" Liver", " Spleen"]);
  expect(crossOrigin(requests, new URL(page.url()).origin)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
