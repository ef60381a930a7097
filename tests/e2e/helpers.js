// Shared Playwright helpers: request recording, console capture, waiting for the worker.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect } from "@playwright/test";

/** The project's Python (the venv `make` sets up), for generating and checking test data. */
export const PYTHON = process.env.DICOMFORGE_PYTHON ?? ".venv/bin/python";

/** Bytes of one of pydicom's own test files (from the project's venv; nothing committed). */
export function pydicomTestFile(name) {
  const path = execFileSync(
    PYTHON,
    ["-c", "import sys; from pydicom.data import get_testdata_file; print(get_testdata_file(sys.argv[1]))", name],
    { encoding: "utf8" },
  ).trim();
  return readFileSync(path);
}

/** Record every request the page (and its workers) makes, and every console error. */
export function watchPage(page) {
  const requests = [];
  const consoleErrors = [];
  page.context().on("request", (request) => requests.push(request.url()));
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });
  page.on("pageerror", (err) => consoleErrors.push(String(err)));
  return { requests, consoleErrors };
}

/** Wait until the runtime status says ready (or fail with what it says). */
export async function waitReady(page) {
  const status = page.locator("#runtime-status");
  await expect(status).toHaveAttribute("data-state", /ready|error/, { timeout: 60_000 });
  await expect(status).toHaveAttribute("data-state", "ready");
}

/** Requests that left the page's origin. */
export function crossOrigin(requests, origin) {
  return requests.filter((url) => !url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("blob:"));
}

/** Click the page's download link and save the download in folder *dir* as *name*; returns its path. */
export async function download(page, dir, name) {
  const promise = page.waitForEvent("download");
  await page.locator("#download a").click();
  const path = `${dir}/${name}`;
  await (await promise).saveAs(path);
  return path;
}
