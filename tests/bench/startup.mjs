// Cold-start benchmark: navigation -> worker ready, in headless Debian chromium against
// the `vite preview` build (dist/). Cold: a fresh browser context per run (empty cache).
// Warm: a second load in the same context, after the service worker has precached the
// app. Prints medians and the per-stage split.
//
// Usage: node tests/bench/startup.mjs [--runs 5] [--url http://localhost:4173/]
// (start `npx vite preview --port 4173` first, or use `make bench-startup`).
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(option("runs", 5));
const url = option("url", "http://localhost:4173/");

async function loadOnce(page) {
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName("dicomforge-ready").length > 0, null, {
    timeout: 120_000,
  });
  return page.evaluate(() => {
    const mark = performance.getEntriesByName("dicomforge-ready")[0];
    return { total: Math.round(mark.startTime), ...mark.detail };
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await chromium.launch({
  executablePath: config.use.launchOptions.executablePath,
  args: CHROMIUM_ARGS,
});
const cold = [];
const warm = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  cold.push(await loadOnce(page));
  // warm: a later visit, once the service worker (builds only) has finished precaching
  await page.waitForSelector("body[data-offline=ready]", { timeout: 60_000 }).catch(() => {});
  warm.push(await loadOnce(page));
  await context.close();
}
await browser.close();

const stages = Object.keys(cold[0]).filter((k) => k !== "total");
const row = (label, xs) =>
  `${label.padEnd(6)} navigation->ready median ${median(xs.map((x) => x.total))} ms  (runs: ${xs.map((x) => x.total).join(", ")})\n` +
  `       worker stages (median ms): ${stages.map((s) => `${s} ${median(xs.map((x) => x[s]))}`).join(", ")}`;
console.log(`startup benchmark, ${runs} runs, ${url}`);
console.log(row("cold", cold));
console.log(row("warm", warm));
