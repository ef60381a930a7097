// Compressed DICOM in the page: JPEG 2000, JPEG-LS and JPEG baseline files preview (their codecs
// loaded when first needed, from our origin); a JPEG 2000 CT series re-exports to an uncompressed
// series; the transcoding form writes decoded files; offline, a JPEG 2000 file still previews.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, crossOrigin, download, pydicomTestFile, waitReady, watchPage } from "./helpers.js";

const MAKE = "tests/e2e/make_compressed.py";
const viewer = (page) => page.locator("#viewer");
const asInput = (name) => ({ name, mimeType: "application/dicom", buffer: pydicomTestFile(name) });
const python = (code, ...args) => execFileSync(PYTHON, ["-c", code, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
const canvasPixel = (page, x, y) =>
  viewer(page).locator("canvas").evaluate((canvas, [px, py]) => [...canvas.getContext("2d").getImageData(px, py, 1, 1).data.slice(0, 3)], [x, y]);

async function ready(page) {
  const watched = watchPage(page);
  await page.goto("/");
  await waitReady(page);
  return watched;
}

test("a JPEG 2000 CT, a JPEG-LS MR and a JPEG baseline US clip preview; codecs come from our origin when needed", async ({ page }) => {
  const fetched = []; // what the page and its workers ask for (the service worker's precaching apart)
  page.context().on("request", (request) => request.serviceWorker() || fetched.push(request.url()));
  const { consoleErrors, requests } = await ready(page);
  const codec = /(openjpeg|charls|libjpegturbo|openjph)/;
  expect(fetched.filter((url) => codec.test(url))).toEqual([]); // cold start loads no codec
  const names = ["JPEG2000.dcm", "MR_small_jpeg_ls_lossless.dcm", "examples_ybr_color.dcm"];
  await page.locator("#file-input").setInputFiles(names.map(asInput));
  await expect(page.locator("#progress .progress-text")).toHaveText("3 of 3 inputs recognised.");
  const select = viewer(page).locator('[name="image"]');
  for (const name of names) {
    await select.selectOption({ label: name });
    await expect(viewer(page).locator(".viewer-message")).toBeHidden();
    await expect(viewer(page)).toHaveAttribute("data-painted", /\d+/);
    const distinct = await viewer(page).locator("canvas").evaluate((canvas) => {
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      return new Set(data.filter((_, i) => i % 4 === 0)).size;
    });
    expect(distinct, name).toBeGreaterThan(20); // an image, not a blank or flat canvas
  }
  // the US clip: 30 frames of YBR_FULL_422 JPEG, in the colours pydicom (Pillow) gives
  await select.selectOption({ label: "examples_ybr_color.dcm" });
  await expect(viewer(page).locator(".viewer-position")).toContainText("frame 1/30");
  const expected = JSON.parse(python(`
import json
from pydicom import dcmread
from pydicom.data import get_testdata_file
ds = dcmread(get_testdata_file("examples_ybr_color.dcm"))
arr = ds.pixel_array[0]
print(json.dumps([[int(c) for c in arr[y, x]] for x, y in ((0, 0), (160, 120), (319, 239))]))`));
  const got = [];
  for (const [x, y] of [[0, 0], [160, 120], [319, 239]]) got.push(await canvasPixel(page, x, y));
  expect(got).toEqual(expected);
  const codecs = new Set(fetched.filter((url) => codec.test(url) && url.endsWith(".wasm")).map((url) => url.match(codec)[1]));
  expect([...codecs].sort()).toEqual(["charls", "libjpegturbo", "openjpeg"]); // the three these files need
  expect(crossOrigin(requests, new URL(page.url()).origin)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test("a JPEG 2000 CT series re-exports to a valid uncompressed series; the transcoding form decodes", async ({ page }) => {
  const { consoleErrors } = await ready(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-j2k-"));
  const names = execFileSync(PYTHON, [MAKE, "write", dir], { encoding: "utf8" }).trim().split("\n");
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await expect(page.locator("#progress .progress-text")).toHaveText("6 of 6 inputs recognised.");
  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 6 files.");
  const series = await download(page, dir, "series.zip");
  expect(execFileSync(PYTHON, [MAKE, "check", dir, series], { encoding: "utf8" }).trim()).toBe("ok");

  await page.locator("#convert-form").getByRole("button", { name: "Transcode" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 6 files.");
  await expect(page.locator("#download a")).toContainText("_explicit.zip");
  const transcoded = await download(page, dir, "explicit.zip");
  expect(execFileSync(PYTHON, [MAKE, "check", dir, transcoded], { encoding: "utf8" }).trim()).toBe("ok");
  expect(consoleErrors).toEqual([]);
});

test("after one visit, a JPEG 2000 file previews with the network off", async ({ page, context }) => {
  const { consoleErrors } = await ready(page);
  await expect(page.locator("body")).toHaveAttribute("data-offline", "ready", { timeout: 60_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  await page.reload();
  await waitReady(page);
  await page.locator("#file-input").setInputFiles([asInput("MR_small_jp2klossless.dcm")]);
  await expect(viewer(page)).toHaveAttribute("data-painted", /\d+/);
  await expect(viewer(page).locator(".viewer-message")).toBeHidden();
  await context.setOffline(false);
  expect(consoleErrors).toEqual([]);
});

test("a damaged codestream is an error naming the file, frame and syntax; the other files preview", async ({ page }) => {
  const { consoleErrors } = await ready(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-bad-"));
  python(`
import sys
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
ds = dcmread(get_testdata_file("MR_small_jp2klossless.dcm"))
ds.PixelData = encapsulate([b"\\xff\\x4f\\xff\\x51" + bytes(60)])
ds.save_as(sys.argv[1], enforce_file_format=True)`, join(dir, "cut.dcm"));
  python(`
import shutil, sys
from pydicom.data import get_testdata_file
shutil.copy(get_testdata_file("MR_small_jpeg_ls_lossless.dcm"), sys.argv[1])`, join(dir, "MR_small_jpeg_ls_lossless.dcm"));
  await page.locator("#file-input").setInputFiles([join(dir, "cut.dcm"), join(dir, "MR_small_jpeg_ls_lossless.dcm")]);
  await expect(page.locator("#progress .progress-text")).toHaveText("2 of 2 inputs recognised.");
  await viewer(page).locator('[name="image"]').selectOption({ label: "cut.dcm" });
  await expect(viewer(page).locator(".viewer-message")).toContainText(
    "cut.dcm: frame 0 (JPEG 2000 Image Compression (Lossless Only)) cannot be decoded: the codestream is damaged",
  );
  await viewer(page).locator('[name="image"]').selectOption({ label: "MR_small_jpeg_ls_lossless.dcm" });
  await expect(viewer(page).locator(".viewer-message")).toBeHidden();
  await expect(viewer(page)).toHaveAttribute("data-painted", /\d+/);
  expect(consoleErrors).toEqual([]);
});
