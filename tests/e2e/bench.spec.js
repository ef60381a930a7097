// The benchmark page as `make bench` and a user drive it, on a small configuration:
// every row has numbers, native and browser figures are for the same parameters, the
// dcmjs reference ran, and a run can be cancelled with the page still usable after.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, crossOrigin, waitReady, watchPage } from "./helpers.js";

const WORKLOADS = ["series_int16", "series_float32", "overlay", "render", "display_table", "zip_store", "zip_deflate"];
const NUMBER = /^\d+(\.\d+)?( \(\d+(\.\d+)?\))?×?$/;

function nativeReport(dir, config) {
  const path = join(dir, "native.json");
  execFileSync(PYTHON, ["-m", "dicomforge", "bench", "--json", path, ...Object.entries(config).map(([k, v]) => `--${k}=${v}`)], {
    env: { ...process.env, PYTHONPATH: "py" },
  });
  return path;
}

async function fill(page, config) {
  for (const [name, value] of Object.entries(config)) await page.fill(`input[name="${name}"]`, String(value));
}

test("a small benchmark: every row has numbers, native and browser measured the same workloads", async ({ page }) => {
  test.setTimeout(240_000);
  const { consoleErrors, requests } = watchPage(page);
  const config = { slices: 3, files: 4, runs: 2 };
  const native = nativeReport(mkdtempSync(join(tmpdir(), "dicomforge-bench-")), config);
  await page.goto("/web/bench/index.html");
  await waitReady(page);
  await fill(page, config);
  await page.setInputFiles("#native-input", native);
  await expect(page.locator("#native-status")).toContainText("Native figures: numpy, stdlib");
  await page.getByRole("button", { name: "Run benchmark" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-bench-done", "true", { timeout: 200_000 });

  const rows = page.locator("#bench-table tbody tr");
  await expect(rows).toHaveCount(WORKLOADS.length);
  for (const name of WORKLOADS) {
    const row = page.locator(`#bench-table tr[data-workload="${name}"]`);
    for (const column of ["chromium ms/unit median (p95)", "chromium stdlib", "native stdlib", "native numpy", "chromium ÷ native stdlib",
      "chromium ÷ native numpy", "chromium units/s", "chromium MB/s"]) {
      await expect(row.locator(`td[data-col="${column}"]`), `${name}: ${column}`).toHaveText(NUMBER);
    }
  }
  await expect(page.locator('tr[data-workload="series_int16"] td[data-col="dcmjs (chromium)"]')).toHaveText(NUMBER);

  const reports = JSON.parse(await page.textContent("#bench-json"));
  const nativeReports = JSON.parse(readFileSync(native, "utf8")).native;
  expect(reports.browser.config).toEqual({ ...config, seed: 1 });
  expect(reports.browser.environment.platform).toBe("emscripten");
  expect(reports.browser.environment.backend).toBe("js");
  expect(reports.browserStdlib.environment.backend).toBe("stdlib");
  for (const name of WORKLOADS) {
    for (const report of nativeReports) {
      expect(report.workloads[name].params, `${name} (${report.environment.backend})`).toEqual(reports.browser.workloads[name].params);
      expect(report.workloads[name].count).toBe(reports.browser.workloads[name].count);
    }
  }
  expect(reports.dcmjs.params).toEqual(reports.browser.workloads.series_int16.params);
  expect(reports.dcmjs.count).toBe(3);

  // chart: three runners per workload, dcmjs once, the spike's three published figures
  await expect(page.locator("#bench-chart rect")).toHaveCount(WORKLOADS.length * 3 + 1 + 3);
  await expect(page.locator("#bench-markdown")).toContainText("| series_int16 | slice |");
  await expect(page.locator("#bench-markdown")).toContainText("overlay, Pyodide, Firefox: 278 ms/file");
  await expect(page.locator("#bench-notes")).not.toContainText("measured other parameters");
  expect(consoleErrors).toEqual([]);
  expect(crossOrigin(requests, new URL(page.url()).origin)).toEqual([]);
});

test("native figures for other parameters are flagged, not compared", async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-bench-"));
  const native = nativeReport(dir, { slices: 2, files: 2, runs: 1, workload: "render" });
  await page.goto("/web/bench/index.html");
  await waitReady(page);
  await fill(page, { slices: 2, files: 2, runs: 1 });
  for (const box of await page.locator('input[name="workload"]').all()) {
    await box.setChecked((await box.getAttribute("value")) === "render");
  }
  await page.setInputFiles("#native-input", native);
  await page.getByRole("button", { name: "Run benchmark" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-bench-done", "true", { timeout: 60_000 });
  await expect(page.locator('tr[data-workload="render"] td[data-col="native stdlib"]')).toHaveText(NUMBER);

  const altered = JSON.parse(readFileSync(native, "utf8"));
  for (const report of altered.native) report.workloads.render.params.seed = 99;
  const other = join(dir, "other.json");
  writeFileSync(other, JSON.stringify(altered));
  await page.setInputFiles("#native-input", other);
  await expect(page.locator('tr[data-workload="render"] td[data-col="native stdlib"]')).toHaveText("–");
  await expect(page.locator("#bench-notes")).toContainText("render: native stdlib, native numpy measured other parameters; not compared.");
});

test("a running benchmark can be cancelled, and the next run completes", async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto("/web/bench/index.html");
  await waitReady(page);
  await fill(page, { slices: 300, files: 500, runs: 5 });
  await page.getByRole("button", { name: "Run benchmark" }).click();
  await expect(page.locator("#progress .progress-text")).toContainText("series_int16", { timeout: 60_000 });
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Cancelled.", { timeout: 60_000 });
  await expect(page.getByRole("button", { name: "Run benchmark" })).toBeEnabled();

  await fill(page, { slices: 2, files: 2, runs: 1 });
  for (const box of await page.locator('input[name="workload"]').all()) {
    await box.setChecked((await box.getAttribute("value")) === "display_table");
  }
  await page.getByRole("button", { name: "Run benchmark" }).click();
  await expect(page.locator("body")).toHaveAttribute("data-bench-done", "true", { timeout: 60_000 });
  await expect(page.locator("#bench-table tbody tr")).toHaveCount(1);
});
