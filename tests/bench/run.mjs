// `make bench`: the dicomforge.bench workloads natively (CPython, numpy and stdlib
// backends) and in headless chromium (the benchmark page: Pyodide + the dcmjs reference),
// then one comparison table, printed and written to bench/results/latest.{json,md}.
// Usage: node tests/bench/run.mjs [--slices 300] [--files 500] [--runs 5]
//          [--workload NAME ...] [--url http://localhost:4173/web/bench/index.html]
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";
import { toMarkdown, toText } from "../../web/bench/report.js";
import { args, option, PYTHON } from "./args.mjs";

const workloads = args.flatMap((a, i) => (a === "--workload" ? [args[i + 1]] : []));
const settings = { slices: option("slices", "300"), files: option("files", "500"), runs: option("runs", "5") };
const url = option("url", "http://localhost:4173/web/bench/index.html");
const python = PYTHON;
const outDir = "bench/results";
mkdirSync(outDir, { recursive: true });

const started = Date.now();
console.log(`native CPython (both backends): slices ${settings.slices}, files ${settings.files}, runs ${settings.runs}`);
const nativePath = `${outDir}/native.json`;
execFileSync(python, [
  "-m", "dicomforge", "bench", "--json", nativePath, `--slices=${settings.slices}`, `--files=${settings.files}`,
  `--runs=${settings.runs}`, ...workloads.map((w) => `--workload=${w}`),
], { env: { ...process.env, PYTHONPATH: "py" }, stdio: ["ignore", "inherit", "inherit"] });

console.log(`\nheadless chromium: ${url}`);
const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });
let reports;
try {
  const page = await browser.newPage();
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(url);
  await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
  for (const [name, value] of Object.entries(settings)) await page.fill(`input[name="${name}"]`, value);
  if (workloads.length) {
    for (const box of await page.locator('input[name="workload"]').all()) {
      await box.setChecked(workloads.includes(await box.getAttribute("value")));
    }
  }
  await page.setInputFiles("#native-input", nativePath);
  await page.click("#bench-form button[type=submit]");
  let last = "";
  const poll = setInterval(async () => {
    const text = await page.textContent("#progress .progress-text").catch(() => "");
    const workload = text.split(" · ")[1] ?? text;
    if (process.stdout.isTTY && text !== last) process.stdout.write(`\r  ${(last = text)}          `);
    else if (!process.stdout.isTTY && workload !== last) console.log(`  ${(last = workload)}`);
  }, 1000);
  try {
    await page.waitForFunction(() => document.body.dataset.benchDone || /^(Failed|Cancelled)/.test(document.querySelector("#progress .progress-text")?.textContent), null, { timeout: 3_600_000, polling: 500 });
  } finally {
    clearInterval(poll);
  }
  const outcome = await page.textContent("#progress .progress-text");
  if (outcome !== "Done.") throw new Error(`benchmark page: ${outcome}`);
  reports = JSON.parse(await page.textContent("#bench-json"));
} finally {
  await browser.close();
}

reports.environment = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version };
reports.date = new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC";
console.log(`\n\n${toText(reports)}\n`);
const markdown = toMarkdown(reports) + `- machine: ${reports.environment.cpus} × ${reports.environment.cpu}\n`;
writeFileSync(`${outDir}/latest.json`, JSON.stringify(reports, null, 2));
writeFileSync(`${outDir}/latest.md`, markdown);
console.log(`wrote ${outDir}/latest.json and ${outDir}/latest.md (${((Date.now() - started) / 1000).toFixed(0)} s)`);
