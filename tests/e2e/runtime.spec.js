// The foundation: worker ready, versions shown, same-origin only, no console errors.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { crossOrigin, pydicomTestFile, waitReady, watchPage } from "./helpers.js";

const lock = JSON.parse(readFileSync(new URL("../../web/worker/wheels.lock.json", import.meta.url), "utf8"));
const pydicomPin = lock.runtime.find((p) => p.name === "pydicom");
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

test("worker becomes ready and the footer shows the versions", async ({ page, baseURL }) => {
  const { requests, consoleErrors } = watchPage(page);
  const response = await page.goto("/");
  expect(response.headers()["content-security-policy"]).toContain("default-src 'self'");
  await waitReady(page);
  const footer = page.locator("#versions");
  await expect(footer).toContainText(`Pyodide ${pkg.dependencies.pyodide}`);
  await expect(footer).toContainText(/Python 3\.14\.\d+/);
  await expect(footer).toContainText(`pydicom ${pydicomPin.version}`);
  await expect(footer).toContainText(/dicomforge \d+\.\d+\.\d+/);
  await expect(footer).toContainText("backend js (WebAssembly SIMD)");
  expect(requests.some((u) => u.endsWith("/wasm/kernels.wasm"))).toBe(true);
  // the empty workspace: no progress bar, no download, no viewer before there is a job
  for (const id of ["#progress", "#download", "#viewer", "#series-form", "#overlay-form"]) {
    await expect(page.locator(id)).toBeHidden();
  }
  expect(consoleErrors).toEqual([]);
  expect(requests.length).toBeGreaterThan(5);
  expect(crossOrigin(requests, new URL(baseURL).origin)).toEqual([]);
  expect(requests.some((u) => u.endsWith(`/wheels/${pydicomPin.file}`))).toBe(true);
  expect(requests.some((u) => u.endsWith("/pyodide/pyodide.asm.wasm"))).toBe(true);
});

test("dropped DICOM files are described and a bad one is named", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  await page.goto("/");
  await waitReady(page);
  const ct = pydicomTestFile("CT_small.dcm");
  await page.locator("#file-input").setInputFiles([
    { name: "CT_small.dcm", mimeType: "application/dicom", buffer: ct },
    { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a dicom file") },
  ]);
  const good = page.locator('#input-list li[data-file="CT_small.dcm"]');
  await expect(good).toContainText("CT CT Image Storage · 128×128×1 · Explicit VR Little Endian");
  const bad = page.locator('#input-list li[data-file="notes.txt"]');
  await expect(bad).toHaveClass(/error/);
  await expect(bad).toContainText("unrecognised format: not NRRD, NIfTI, MetaImage, VTK legacy, Zarr or DICOM");
  expect(consoleErrors).toEqual([]);
});

test("without the SIMD kernels the page says so and the js backend's loops still convert", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  await page.route("**/wasm/kernels.wasm", (route) => route.fulfill({ status: 404, body: "not found" }));
  await page.goto("/");
  await waitReady(page);
  await expect(page.locator("#runtime-status")).toContainText("wasm/kernels.wasm is missing: the pixel kernels run as plain JavaScript loops");
  const footer = page.locator("#versions");
  await expect(footer).toContainText("backend js");
  await expect(footer).not.toContainText("SIMD");
  await page.locator("#file-input").setInputFiles([
    { name: "CT_small.dcm", mimeType: "application/dicom", buffer: pydicomTestFile("CT_small.dcm") },
  ]);
  await expect(page.locator("#viewer")).toHaveAttribute("data-painted", /[1-9]/, { timeout: 60_000 });
  expect(consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});

test("a missing wheel is a clear error in the page, not a blank page", async ({ page }) => {
  await page.route(`**/wheels/${pydicomPin.file}`, (route) => route.fulfill({ status: 404, body: "not found" }));
  await page.goto("/");
  const status = page.locator("#runtime-status");
  await expect(status).toHaveAttribute("data-state", "error", { timeout: 60_000 });
  await expect(status).toContainText(`wheel ${pydicomPin.file} missing: run make dev`);
});

test("a wheel that does not match its pinned hash is refused", async ({ page }) => {
  await page.route(`**/wheels/${pydicomPin.file}`, (route) => route.fulfill({ status: 200, body: "tampered" }));
  await page.goto("/");
  const status = page.locator("#runtime-status");
  await expect(status).toHaveAttribute("data-state", "error", { timeout: 60_000 });
  await expect(status).toContainText(`wheel ${pydicomPin.file} does not match its pinned sha256`);
});

test("numpy configured but absent: says so once, continues with the js kernels", async ({ page }) => {
  const { requests, consoleErrors } = watchPage(page);
  await page.goto("http://localhost:4174/");
  await waitReady(page);
  const status = page.locator("#runtime-status");
  await expect(status).toContainText("numpy could not be loaded");
  await expect(status).toContainText("using the js backend");
  await expect(page.locator("#versions")).toContainText("backend js");
  expect(crossOrigin(requests, "http://localhost:4174")).toEqual([]);
  expect(consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});

// Dropped files are read on the reader's own thread (web/worker/blob-reader.js; its
// fallbacks, where that worker cannot start, are tested in tests/js/blob-reader.test.mjs).
test("dropped files are read by the reader's worker", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const workers = [];
  page.on("worker", (worker) => workers.push(worker.url()));
  await page.goto("/");
  await waitReady(page);
  const ct = pydicomTestFile("CT_small.dcm");
  const files = ["a.dcm", "b.dcm", "c.dcm"].map((name) => ({ name, mimeType: "application/dicom", buffer: ct }));
  await page.locator("#file-input").setInputFiles(files);
  await expect(page.locator("#progress .progress-text")).toHaveText("3 of 3 inputs recognised.");
  await expect(page.locator("#input-list")).toContainText("DICOM series · CT CT Image Storage · 128×128 · 3 files");
  const detail = await page.evaluate(() => performance.getEntriesByName("dicomforge-describe-done")[0].detail);
  expect(detail.readerBytes).toBe(3 * ct.length);
  expect(workers.filter((url) => /\/reader-[^/]*\.js$/.test(url))).toHaveLength(1);
  expect(consoleErrors).toEqual([]);
});
