// Window/level render in headless chromium: runs the `render` workload of dicomforge.bench
// on the benchmark page (web/bench/) and prints the figures beside the native ones.
// Usage: node tests/bench/render.mjs [--runs 21] [--url http://localhost:4173/web/bench/index.html]
import { execFileSync } from "node:child_process";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const runs = option("runs", "21");
const url = option("url", "http://localhost:4173/web/bench/index.html");
const python = process.env.DICOMFORGE_PYTHON ?? ".venv/bin/python";

const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });
const page = await browser.newPage();
await page.goto(url);
await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
await page.fill('input[name="runs"]', runs);
await page.click("#bench-form button[type=submit]");
await page.waitForSelector("body[data-bench-done]", { timeout: 600_000 });
const browserFigures = JSON.parse(await page.textContent("#bench-json"));
await browser.close();

console.log(`render workload, ${runs} runs; median / p95 ms`);
const show = (label, workloads) => {
  for (const [figure, t] of Object.entries(workloads.render)) {
    console.log(`  ${label.padEnd(22)} ${figure.padEnd(24)} ${t.median.toFixed(2).padStart(8)} ${t.p95.toFixed(2).padStart(8)}`);
  }
};
show(`chromium (${browserFigures.environment.backend})`, browserFigures.results[0].value.workloads);
for (const backend of ["stdlib", "numpy"]) {
  const out = execFileSync(python, ["-c", `import json; from dicomforge import bench; print(json.dumps(bench.run(["render"], ${runs})))`], {
    env: { ...process.env, PYTHONPATH: "py", DICOMFORGE_BACKEND: backend },
    encoding: "utf8",
  });
  show(`native CPython (${backend})`, JSON.parse(out).workloads);
}
